"""Benchmark the bounded YAML loader (partnership/validation.py): how fast, and in how little
memory, hostile files are refused, and how fast the shipped data files load.

    python benchmarks/bench_yaml.py            # a table
    python benchmarks/bench_yaml.py --json     # machine-readable
    python benchmarks/bench_yaml.py --old      # also time PyYAML's unbounded safe_load on
                                               # small merge-key bombs (what check-banks did)

Each case runs in a fresh interpreter, so its peak memory is its own: "peak RSS" is the
process's maximum resident set size after the case minus the size after its imports, and
"traced" is the peak of Python allocations during the case (tracemalloc). The target for a
refusal is under 1 s and 100 MB (issue 15). Times depend on the machine; the ratios (refusal
time against loading one shipped bank, libyaml against pure Python) less so.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time, tracemalloc
import yaml
from partnership import validation
from partnership.validation import DataFileError, load_yaml
path, loader, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
if loader == "python":
    validation._Loader = yaml.SafeLoader
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcome = "loaded"
tracemalloc.start()
t0 = time.perf_counter()
for _ in range(repeat):
    try:
        if loader == "old":
            yaml.load(open(path, encoding="utf-8").read(), Loader=yaml.SafeLoader)
        else:
            load_yaml(path)
    except DataFileError as exc:
        outcome = "refused: " + str(exc).split(": ", 1)[1][:60]
elapsed = (time.perf_counter() - t0) / repeat
traced = tracemalloc.get_traced_memory()[1]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "rss_mb": (peak - base) / 1024,
                  "traced_mb": traced / 2**20, "outcome": outcome}))
"""


def merge_bomb(levels: int) -> str:
    lines = ["version: 1", "x0: &a0 {" + ", ".join(f"k{i}: v" for i in range(9)) + "}"]
    for i in range(1, levels + 1):
        refs = ", ".join(f"*a{i - 1}" for _ in range(9))
        lines.append(f"x{i}: &a{i} {{<<: [{refs}], z{i}: v}}")
    return "\n".join(lines) + "\n"


def alias_bomb(levels: int) -> str:
    lines = ["version: 1", "a0: &a0 [" + ", ".join("lol" for _ in range(9)) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join(f"*a{i - 1}" for _ in range(9)) + "]")
    return "\n".join(lines) + "\n"


def big_bank(path: Path, megabytes: int) -> None:
    """A plausible bank, repeated until it is ``megabytes`` long (what a runaway script or an
    exported spreadsheet might produce)."""
    item = ("  - id: emp-{n}\n    skill: empathy\n    type: choice\n    client: I feel stuck.\n"
            "    prompt: Which one?\n    options:\n      - text: You feel stuck.\n"
            "        correct: true\n        feedback: A simple reflection of the feeling.\n"
            "      - text: Cheer up.\n        feedback: Reassurance that skips the feeling.\n"
            "    source: rogers1957conditions\n")
    with path.open("w", encoding="utf-8") as f:
        f.write("version: 1\nitems:\n")
        n = 0
        while f.tell() < megabytes * 2**20:
            f.write(item.format(n=n))
            n += 1


def run(path: Path, loader: str = "c", repeat: int = 1, timeout: float = 600) -> dict:
    try:
        out = subprocess.run([sys.executable, "-c", CHILD, str(path), loader, str(repeat)],
                             capture_output=True, text=True, timeout=timeout, cwd=REPO,
                             env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    except subprocess.TimeoutExpired:
        return {"seconds": float("nan"), "rss_mb": float("nan"), "traced_mb": float("nan"),
                "outcome": f"gave up after {timeout:g} s"}
    if out.returncode:
        return {"seconds": float("nan"), "rss_mb": float("nan"), "traced_mb": float("nan"),
                "outcome": "crashed: " + out.stderr.strip().splitlines()[-1][:60]}
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--old", action="store_true",
                        help="also time PyYAML's unbounded safe_load on merge-key bombs of 4 and "
                             "5 levels (each level costs about nine times the one before)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cases = {
            "merge-key bomb, 6 levels": merge_bomb(6),
            "merge-key bomb, 8 levels": merge_bomb(8),
            "alias bomb, 9 levels": alias_bomb(9),
        }
        for name, text in cases.items():
            p = tmp / "bomb.yml"
            p.write_text(text, encoding="utf-8")
            rows.append({"case": f"{name} ({len(text)} bytes)", **run(p)})
        p = tmp / "latin1.yml"
        p.write_bytes("version: 1\nitems:\n  - id: caf\u00e9\n".encode("latin-1"))
        rows.append({"case": "not UTF-8", **run(p)})
        p = tmp / "deep.yml"
        p.write_text("[" * 100_000, encoding="utf-8")
        rows.append({"case": "nested 100,000 deep", **run(p)})
        p = tmp / "big.yml"
        big_bank(p, 50)
        rows.append({"case": f"50 MB bank ({p.stat().st_size:,} bytes)", **run(p)})
        banks = sorted((REPO / "partnership" / "learner" / "banks").glob("*.yml"))
        largest = max(banks, key=lambda b: b.stat().st_size)
        for loader, label in (("c", "libyaml"), ("python", "pure Python")):
            rows.append({"case": f"largest shipped bank, {label} ({largest.name}, "
                                 f"{largest.stat().st_size:,} bytes)",
                         **run(largest, loader, repeat=20)})
        if args.old:
            for levels in (4, 5):
                p = tmp / "old.yml"
                p.write_text(merge_bomb(levels), encoding="utf-8")
                rows.append({"case": f"OLD unbounded safe_load, merge-key bomb {levels} levels",
                             **run(p, "old", timeout=300)})
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    width = max(len(r["case"]) for r in rows)
    print(f"{'case':{width}}  {'time':>9}  {'peak RSS':>9}  {'traced':>8}  outcome")
    for r in rows:
        print(f"{r['case']:{width}}  {r['seconds'] * 1000:7.1f}ms  {r['rss_mb']:7.1f}MB  "
              f"{r['traced_mb']:6.1f}MB  {r['outcome']}")
    shipped = [r for r in rows if r["case"].startswith("largest shipped bank")]
    if len(shipped) == 2 and shipped[0]["seconds"]:
        print(f"\nlibyaml loads the largest shipped bank {shipped[1]['seconds'] / shipped[0]['seconds']:.1f}x"
              " faster than pure-Python PyYAML (both with the expansion check).")
    refusals = [r for r in rows if r["outcome"].startswith("refused")]
    worst_t = max(r["seconds"] for r in refusals)
    worst_m = max(max(r["rss_mb"], r["traced_mb"]) for r in refusals)
    print(f"slowest refusal {worst_t * 1000:.1f} ms, largest peak {worst_m:.1f} MB "
          f"(target: under 1 s and 100 MB).")


if __name__ == "__main__":
    main()
