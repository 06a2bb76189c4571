#!/usr/bin/env python
"""Benchmark the reflection coach: load time, p50/p95 latency, model size, and the CV figures.

    python benchmarks/bench_coach.py [--n 2000] [--cold 5]

Prints figures; asserts nothing. Timings vary with the machine and with whatever else it is
running, so it also prints the CPU time per call (which other processes disturb less than the
wall-clock time), times a fixed plain-Python workload and prints each latency as a multiple
of it (a figure that moves less from machine to machine), and the latency of responses cut at
the coach's bound (``MAX_CHARS``). Targets from issue 6: load < 100 ms, p95 < 5 ms, model file
< 2 MB.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CLIENTS = [
    "", "Yeah.", "I'm worried I'll lose my job if I keep drinking like this.",
    "My doctor keeps going on about my blood pressure, but honestly I feel fine.",
    "I don't know. Everyone at work smokes, so it's hard to stop when I'm on a break.",
    "My kids have started to notice, and that scares me more than anything.",
]
RESPONSES = [
    "What brings you here today?", "Do you drink every day?", "Tell me more about that.",
    "So you're worried about your job.", "It sounds like part of you wants to change and part "
    "of you is scared of losing the one thing that helps you relax.",
    "You should cut down. Don't worry, it will be fine.", "Mm-hmm.", "Okay.",
    "Smoking raises your risk of heart disease.", "Why don't you just stop?",
    "", "😀🙏", "<b>hello</b><script>x()</script>", "¿Por qué bebes tanto?",
    "你为什么喝这么多酒？",
]


def inputs(n: int, seed: int = 0):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        r = rnd.choice(RESPONSES)
        c = rnd.choice(CLIENTS)
        k = rnd.random()
        if k < 0.2:
            r = " ".join(rnd.choice(RESPONSES) for _ in range(rnd.randint(2, 6)))
        elif k < 0.25:
            r = "".join(rnd.choice("abcdefgh ?.,'😀é") for _ in range(rnd.randint(0, 400)))
        if i % 500 == 0:
            r = (r + " I hear you. ") * 5000  # ~100 KB now and then
        out.append((r, c))
    return out


_COLD = (
    "import sys, time; t0 = time.perf_counter(); import partnership.coach; "
    "t1 = time.perf_counter(); from partnership.coach.model import get_model; "
    "assert get_model() is not None; t2 = time.perf_counter(); "
    "print(1000 * (t1 - t0), 1000 * (t2 - t1), 'numpy' in sys.modules)")


def _cold_load() -> tuple[float, float, bool]:
    """(import ms, model load ms, whether NumPy got imported) in a new interpreter."""
    out = subprocess.run([sys.executable, "-c", _COLD], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1]).stdout.split()
    return float(out[0]), float(out[1]), out[2] == "True"


def _unit_ms(repeat: int = 7) -> float:
    """Median time of a fixed plain-Python workload (dict and string work, like the coach's)."""
    out = []
    for _ in range(repeat):
        s = time.perf_counter()
        d: dict[str, int] = {}
        for i in range(20_000):
            k = "w:" + str(i % 997)
            d[k] = d.get(k, 0) + 1
        out.append((time.perf_counter() - s) * 1000)
    return statistics.median(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--cold", type=int, default=5, help="fresh interpreters for load time")
    args = ap.parse_args(argv)

    # Load time in fresh interpreters: what a learner waits for on the first coached answer.
    cold = sorted(_cold_load() for _ in range(args.cold))
    import partnership.coach as coach
    from partnership.coach.model import MODEL_PATH, get_model
    model = get_model()
    if model is None:
        print("model could not be loaded; timings below are for the rule-based fallback")

    data = inputs(args.n)
    coach.analyse("warm-up", "warm-up")
    times, cpu = [], []
    for r, c in data:
        s, sc = time.perf_counter(), time.process_time()
        coach.analyse(r, c)
        times.append((time.perf_counter() - s) * 1000)
        cpu.append((time.process_time() - sc) * 1000)
    times.sort()
    cpu.sort()
    p50 = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    # the longest responses the coach reads, in full (MAX_CHARS characters)
    from partnership.coach import MAX_CHARS
    longest = []
    for r, c in data[:50]:
        text = (r + " ") * (MAX_CHARS // max(1, len(r) + 1) + 1)
        s = time.perf_counter()
        coach.analyse(text[:MAX_CHARS], c)
        longest.append((time.perf_counter() - s) * 1000)
    unit = _unit_ms()
    size = MODEL_PATH.stat().st_size
    imp = [c[0] for c in cold]
    load = [c[1] for c in cold]
    print(f"cold start over {len(cold)} fresh interpreters (NumPy imported: "
          f"{any(c[2] for c in cold)}):")
    print(f"  import partnership.coach: median {statistics.median(imp):.1f} ms")
    print(f"  model load:               median {statistics.median(load):.1f} ms, "
          f"max {max(load):.1f} ms   (target < 100 ms)")
    print(f"latency over {len(times)} varied inputs: p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
          f"max {times[-1]:.2f} ms   (target p95 < 5 ms)")
    print(f"  CPU time per call (less affected by other work on the machine): p50 "
          f"{statistics.median(cpu):.2f} ms, p95 {cpu[int(0.95 * (len(cpu) - 1))]:.2f} ms")
    print(f"  responses of {MAX_CHARS:,} characters (the bound): median "
          f"{statistics.median(longest):.1f} ms, max {max(longest):.1f} ms")
    print(f"  machine reference (a fixed plain-Python loop): {unit:.2f} ms; p50 = "
          f"{p50 / unit:.2f}x, p95 = {p95 / unit:.2f}x that loop")
    print(f"model file: {MODEL_PATH.name}, {size:,} bytes   (target < 2,000,000)")
    if model is not None and model.meta.get("cv"):
        cv = model.meta["cv"]
        print(f"transcript-grouped {cv['folds']}-fold CV (n={cv['n']}, "
              f"{cv['n_transcripts']} transcripts): kappa {cv['kappa']:.3f}, "
              f"macro-F1 {cv['macro_f1']:.3f}, accuracy {cv['accuracy']:.3f}")
        print("  per-class F1: " + json.dumps({k: round(v, 3) for k, v in cv["f1"].items()}))
        print(f"  question kappa {cv['question_kappa']:.3f}, "
              f"reflection kappa {cv['reflection_kappa']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
