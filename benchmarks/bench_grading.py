"""Autograde seconds per submission: each course assignment next to an empty notebook.

    python benchmarks/bench_grading.py [--repeat 3] [--timeout 30]

In one temporary course folder it releases the three graded assignments and an assignment whose
notebook has no cells, makes one complete ("perfect") submission of each, and autogrades each
submission ``--repeat`` times with ``nbgrader autograde`` (one process per run, as
``partnership grade-demo`` does). It prints the median seconds per submission for every
assignment, the same figure for the empty notebook, and their ratio: the overhead the course's
items, widgets, scorers and grader notes add to nbgrader's own cost (process start, kernel
start, database).
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from partnership.learner.assignment import load_graded
from partnership.grader.demo import (_Runner, default_config, default_source, make_submission,
                                      read_keys)

EMPTY_NB = {"cells": [], "metadata": {"kernelspec": {"display_name": "Python 3",
                                                     "language": "python", "name": "python3"},
                                      "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=30)
    args = ap.parse_args(argv)

    course = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        shutil.copy(default_config(), course / "nbgrader_config.py")
        names = sorted(p.name for p in default_source().iterdir() if p.is_dir())
        for a in names:
            shutil.copytree(default_source() / a, course / "source" / a)
        (course / "source" / "empty").mkdir(parents=True)
        (course / "source" / "empty" / "empty.ipynb").write_text(json.dumps(EMPTY_NB))
        runner = _Runner(course, args.timeout, print)
        for a in names + ["empty"]:
            r = runner.run("generate_assignment", a, "--force", limit=300)
            if r.returncode != 0:
                print(f"release of {a} failed:\n{r.stderr[-1500:]}", file=sys.stderr)
                return 1
        for a in names:     # "bench" answers everything right, like the "perfect" student
            make_submission(course, "bench", a, read_keys(next((course / "source" / a)
                                                               .glob("*.ipynb"))),
                            load_graded(course / "source" / a / "items.yml"))
        dest = course / "submitted" / "bench" / "empty"
        shutil.copytree(course / "release" / "empty", dest)
        (dest / "timestamp.txt").write_text("2026-03-02 10:00:00.000000 UTC\n")
        times: dict[str, list[float]] = {a: [] for a in names + ["empty"]}
        order = ["empty"] + names
        for rep in range(args.repeat):
            for a in order[rep % len(order):] + order[:rep % len(order)]:   # rotate the order
                t0 = time.perf_counter()
                r = runner.run("autograde", a, "--student", "bench", "--force", limit=600)
                dt = time.perf_counter() - t0
                if r.returncode != 0:
                    print(f"autograde of {a} failed:\n{r.stderr[-1500:]}", file=sys.stderr)
                    return 1
                times[a].append(dt)
        base = statistics.median(times["empty"])
        best = min(times["empty"])
        print(f"autograde seconds per submission ({args.repeat} runs each, one nbgrader process "
              f"per run, this machine):")
        print(f"  {'':<16} {'median':>8} {'ratio':>6}   {'fastest':>8} {'ratio':>6}")
        print(f"  {'empty notebook':<16} {base:7.2f}s {1:5.2f}x   {best:7.2f}s {1:5.2f}x")
        for a in names:
            m, b = statistics.median(times[a]), min(times[a])
            print(f"  {a:<16} {m:7.2f}s {m / base:5.2f}x   {b:7.2f}s {b / best:5.2f}x")
        allm = statistics.median([t for a in names for t in times[a]])
        allb = min(t for a in names for t in times[a])
        print(f"  {'all assignments':<16} {allm:7.2f}s {allm / base:5.2f}x   {allb:7.2f}s "
              f"{allb / best:5.2f}x")
        print(f"overhead of the course's items per submission: {allm - base:+.2f} s (median), "
              f"{allb - best:+.2f} s (fastest)")
        return 0
    finally:
        shutil.rmtree(course, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
