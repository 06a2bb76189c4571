"""``partnership grade-demo``: run the whole nbgrader round trip on simulated students (honest ones
and attacks) and print each student's score beside what their answers deserve."""
from __future__ import annotations

import sys
from pathlib import Path


def register(parser):
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="course folder to build and keep, with DIR/grades.csv (default: a "
                             "temporary folder, printed at the end)")
    parser.add_argument("--banks", type=Path, metavar="DIR",
                        help="folder of graded banks (*.yml) to build the assignments from "
                             "(default: ./exercises, the repository's worked examples)")
    parser.add_argument("--assignment", action="append", metavar="NAME",
                        help="only this assignment (repeatable; default: all)")
    parser.add_argument("--student", action="append", metavar="ID",
                        help="only this simulated student (repeatable; default: all)")
    parser.add_argument("--db-url", metavar="URL",
                        help="gradebook database URL (default: SQLite in the course folder), "
                             "e.g. postgresql+psycopg://user:pass@host/db")


def run(args) -> int:
    from partnership.grader.bank import BankError
    from partnership.grader.config import database_url
    from partnership.grader.demo import run_demo, table

    try:
        result = run_demo(args.out, banks=args.banks, assignments=args.assignment,
                          students=args.student, db_url=database_url(args.db_url),
                          log=lambda line: print(line, flush=True))
    except (FileNotFoundError, FileExistsError, ValueError, BankError) as exc:
        print(f"grade-demo: {exc}", file=sys.stderr)
        return 2
    print()
    print(table(result))
    print()
    print(f"Course folder: {result.course}")
    if result.grades_csv:
        print(f"Grades: {result.grades_csv}")
    print("Feedback: " + str(result.course / "feedback"))
    wrong = [k for k, o in result.outcomes.items()
             if o.submitted and o.graded and abs(o.auto_score - o.deserved) > 1e-6]
    for s, a in wrong:
        print(f"grade-demo: {s}/{a} was autograded {result.outcomes[(s, a)].auto_score:g}, "
              f"but its answers deserve {result.outcomes[(s, a)].deserved:g}", file=sys.stderr)
    return 1 if result.problems or wrong else 0
