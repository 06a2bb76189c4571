"""Autograde seconds per submission, next to the cost of executing an empty notebook.

    python benchmarks/bench_grading.py [--students 20] [--repeat 3]

The floor: nbgrader's own autograding (its default configuration, which starts a kernel and
executes the notebook) of a notebook with no cells, one submission per ``nbgrader autograde``
process. Against it, for each course assignment (graded by the grader, with no kernel), with
``--students`` complete submissions:

- one batch: ``nbgrader autograde ASSIGNMENT`` for all of them in one process, divided by the
  number of students (what the instructor guide advises);
- one process per student: ``nbgrader autograde ASSIGNMENT --student ID``.

It prints medians over ``--repeat`` runs, and each as a ratio of the floor (the goal: at most
0.3x), measured in the same run because machine speed varies.
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

from partnership.grader.bank import load_bank
from partnership.grader.build import build_assignment
from partnership.grader.simulate import STUDENTS, Runner, make_submission

REPO = Path(__file__).resolve().parents[1]
EMPTY_NB = {"cells": [], "metadata": {"kernelspec": {"display_name": "Python 3",
                                                     "language": "python", "name": "python3"},
                                      "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def _timed(runner: Runner, *args) -> float:
    t0 = time.perf_counter()
    r = runner.run(*args)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"nbgrader {' '.join(args)} failed:\n{r.stderr[-1500:]}")
    return dt


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        # the floor, in a course with nbgrader's default configuration
        plain = tmp / "plain"
        (plain / "source" / "empty").mkdir(parents=True)
        (plain / "source" / "empty" / "empty.ipynb").write_text(json.dumps(EMPTY_NB))
        pr = Runner(plain)
        _timed(pr, "generate_assignment", "empty", "--force")
        dest = plain / "submitted" / "s" / "empty"
        shutil.copytree(plain / "release" / "empty", dest)
        (dest / "timestamp.txt").write_text("2026-03-02 10:00:00.000000 UTC\n")
        floor = statistics.median(_timed(pr, "autograde", "empty", "--student", "s", "--force")
                                  for _ in range(args.repeat))

        course = tmp / "course"
        banks = [load_bank(p) for p in sorted((REPO / "exercises").glob("*.yml"))]
        for p in sorted((REPO / "exercises").glob("*.yml")):
            build_assignment(p, course)
        runner = Runner(course)
        ids = [f"s{n:03d}" for n in range(args.students)]
        rows = []
        for bank in banks:
            a = bank.assignment
            _timed(runner, "generate_assignment", a, "--force")
            for sid in ids:
                make_submission(course, STUDENTS["perfect"], bank)
                shutil.move(course / "submitted" / "perfect" / a, course / "submitted" / sid / a)
            batch = statistics.median(_timed(runner, "autograde", a, "--force")
                                      for _ in range(args.repeat)) / len(ids)
            one = statistics.median(_timed(runner, "autograde", a, "--student", sid, "--force")
                                    for sid in ids[:args.repeat])
            rows.append((a, batch, one))
        print(f"autograde seconds per submission ({args.repeat} runs, {args.students} students, "
              f"this machine; ratios to the floor measured in the same run):")
        print(f"  floor: nbgrader executing an empty notebook, one process: {floor:.2f} s")
        print(f"  {'assignment':<16} {'one batch':>10} {'ratio':>6}   {'one process each':>16} "
              f"{'ratio':>6}")
        for a, batch, one in rows:
            print(f"  {a:<16} {batch:9.2f}s {batch / floor:5.2f}x   {one:15.2f}s "
                  f"{one / floor:5.2f}x")
        worst = max(b for _, b, _ in rows) / floor
        print(f"worst batch ratio {worst:.2f}x (goal: at most 0.30x)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
