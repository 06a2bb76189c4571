"""``partnership grade-demo [--out DIR]``: run the whole nbgrader round trip (release, simulated
submissions, autograde, feedback, export) and print each student's score and every problem."""
from __future__ import annotations

import sys
from pathlib import Path


def register(parser):
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="course folder to build and keep, with DIR/grades.csv (default: a "
                             "temporary folder, printed at the end)")
    parser.add_argument("--source", type=Path, metavar="DIR",
                        help="the source assignments (default: exercises/source of this "
                             "repository)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="nbgrader configuration (default: autograder/nbgrader_config.py)")
    parser.add_argument("--timeout", type=int, default=30, metavar="SECONDS",
                        help="seconds one cell may run while autograding (default 30)")
    parser.add_argument("--assignment", action="append", metavar="NAME",
                        help="only this assignment (repeatable; default: all)")


def run(args) -> int:
    from partnership.grader.demo import run_demo, table

    try:
        result = run_demo(args.out, source=args.source, config=args.config,
                          timeout=args.timeout, assignments=args.assignment,
                          log=lambda line: print(line, flush=True))
    except (FileNotFoundError, FileExistsError) as exc:
        print(f"grade-demo: {exc}", file=sys.stderr)
        return 2
    print()
    print(table(result))
    print()
    print(f"Course folder: {result.course}")
    if result.grades_csv:
        print(f"Grades: {result.grades_csv}")
    print("Feedback: " + str(result.course / "feedback"))
    return 1 if result.problems else 0
