"""Print the time of a clean strict book build and of an unchanged rebuild, and their ratio.

An unchanged rebuild should be much faster: Sphinx re-reads no page and jupyter-cache serves the
executed notebooks' outputs. Usage: python benchmarks/bench_book.py [--keep DIR]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from bookinfo import strict_build  # noqa: E402


def build(out: Path) -> float:
    start = time.perf_counter()
    proc, _ = strict_build(out)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit("build failed:\n" + (proc.stdout + proc.stderr)[-4000:])
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, help="build here and keep the output")
    args = parser.parse_args()
    out = args.keep or Path(tempfile.mkdtemp(prefix="bench-book-"))
    try:
        clean = build(out)
        rebuild = build(out)
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    print(f"clean build:        {clean:7.1f} s")
    print(f"unchanged rebuild:  {rebuild:7.1f} s")
    print(f"rebuild/clean:      {rebuild / clean:7.2f}")


if __name__ == "__main__":
    main()
