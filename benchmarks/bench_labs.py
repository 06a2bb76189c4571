"""Benchmark the practice labs: import time and feedback latency.

    python benchmarks/bench_labs.py            # a table
    python benchmarks/bench_labs.py --json     # machine-readable

Import time: each module is imported in a fresh interpreter (median of --repeat runs), against
``import ipywidgets`` as the yardstick, since a lab cannot appear faster than its widget library.
Feedback latency: the time from a button click to the feedback being set, for each item type,
both with the answer saved to a real file (lock, fsync, atomic rename) and scoring alone.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODULES = ["partnership", "partnership.learner.store", "partnership.learner.scoring", "partnership.learner.labs",
           "partnership.learner.progress", "ipywidgets"]


def import_time(module: str, repeat: int) -> float:
    code = ("import time; t = time.perf_counter(); import " + module +
            "; print(time.perf_counter() - t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(repeat)]
    return statistics.median(runs)


def feedback_latency(repeat: int) -> dict[str, dict[str, float]]:
    from partnership.learner.schema import (CategorizeItem, ChoiceItem, FreeTextItem, RankingItem,
                                         practice_items)
    from partnership.learner.labs import Lab
    from partnership.learner.scoring import score

    answers = {
        ChoiceItem: lambda it: it.correct_index,
        RankingItem: lambda it: [o.rank for o in it.options],
        CategorizeItem: lambda it: [s.category for s in it.statements],
        FreeTextItem: lambda it: "It sounds like part of you wants this and part of you is "
                                 "afraid of what it would cost.",
    }
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for cls in answers:
            item = next(i for i in practice_items() if isinstance(i, cls))
            ans = answers[cls](item)
            lab = Lab(item.skill, path=Path(tmp) / "bench.partnership-answers.json",
                      items=[item])
            view = lab.view(item.id)
            view.set_answer(ans)
            view.check.click()                          # warm-up (coach loads lazily)
            clicks, scores = [], []
            for _ in range(repeat):
                t = time.perf_counter()
                view.check.click()
                clicks.append(time.perf_counter() - t)
                t = time.perf_counter()
                score(item, ans)
                scores.append(time.perf_counter() - t)
            out[item.type] = {"click_ms": statistics.median(clicks) * 1000,
                              "click_p95_ms": sorted(clicks)[int(0.95 * (len(clicks) - 1))]
                              * 1000,
                              "score_only_ms": statistics.median(scores) * 1000}
        # the first click on a free-text item, coach cold (in a fresh interpreter)
        code = ("import time, tempfile, pathlib\n"
                "from partnership.learner.schema import practice_items, FreeTextItem\n"
                "from partnership.learner.labs import Lab\n"
                "it = next(i for i in practice_items() if isinstance(i, FreeTextItem))\n"
                f"lab = Lab(it.skill, path=pathlib.Path({tmp!r}) / 'cold.json', items=[it])\n"
                "v = lab.view(it.id); v.set_answer('You feel torn.')\n"
                "t = time.perf_counter(); v.check.click(); print(time.perf_counter() - t)\n")
        cold = float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                    text=True, check=True).stdout)
        out["free_text"]["first_click_cold_ms"] = cold * 1000
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="fresh interpreters per module")
    ap.add_argument("--clicks", type=int, default=50, help="clicks per item type")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    imports = {m: import_time(m, args.repeat) * 1000 for m in MODULES}
    latency = feedback_latency(args.clicks)
    if args.json:
        print(json.dumps({"import_ms": imports, "feedback": latency}, indent=1))
        return 0
    print(f"Import time (median of {args.repeat} fresh interpreters)")
    for m, ms in imports.items():
        ratio = ms / imports["ipywidgets"]
        print(f"  import {m:22} {ms:8.1f} ms   {ratio:5.2f} x ipywidgets")
    print(f"Feedback latency (median of {args.clicks} clicks; 'click' includes the saved write)")
    for t, d in latency.items():
        extra = f"   first click, cold: {d['first_click_cold_ms']:.0f} ms" \
            if "first_click_cold_ms" in d else ""
        print(f"  {t:11} click {d['click_ms']:7.2f} ms (p95 {d['click_p95_ms']:6.2f})"
              f"   score only {d['score_only_ms']:6.3f} ms{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
