"""``partnership lms-export``: per-question grades and Canvas and Moodle gradebook import files
(:mod:`partnership.grader.lms`)."""
from __future__ import annotations

import sys
from pathlib import Path

from partnership.commands.options import add_course_options


def register(parser):
    add_course_options(parser)
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="where to write the files (default: COURSE/lms)")
    parser.add_argument("--assignment", action="append", metavar="NAME",
                        help="only this assignment (repeatable; default: every assignment with "
                             "keys in the course)")


def run(args) -> int:
    from partnership.grader.bank import BankError
    from partnership.grader.course import CourseError
    from partnership.grader.lms import export_lms
    out = args.out or args.course / "lms"
    try:
        paths = export_lms(args.course, out, args.assignment, args.db_url)
    except (BankError, CourseError, ValueError) as exc:
        print(f"lms-export: {exc}", file=sys.stderr)
        return 2
    for p in paths:
        print(f"wrote {p}")
    print("Canvas: Grades > Import, choose canvas.csv. Moodle: Grades > Import > CSV file, "
          "choose moodle.csv and map 'Email address' to useremail.")
    return 0
