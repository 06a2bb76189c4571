"""``partnership lms-export``: per-question grades and Canvas and Moodle gradebook import files,
one of each per assignment, holding only the scores that are ready (:mod:`partnership.grader.lms`)."""
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
        res = export_lms(args.course, out, args.assignment, args.db_url)
    except (BankError, CourseError, ValueError) as exc:
        print(f"lms-export: {exc}", file=sys.stderr)
        return 2
    for p in res.paths:
        print(f"wrote {p}")
    # an empty cell would clear a grade the LMS already has: these students are not in the LMS
    # files, so the LMS keeps what it has for them until their score is ready
    for name, left in res.left_out.items():
        print(f"{name}: not in the LMS files yet (the LMS keeps what it has for them):")
        for student, why in left:
            print(f"  {student}: {why}")
    for name, students in res.no_moodle_id.items():
        print(f"{name}: not in the Moodle file (no email or ID number to find them by; import "
              f"the roster with emails): {', '.join(students)}")
    print("Canvas: Grades > Import, choose canvas-ASSIGNMENT.csv. Moodle: Grades > Import > CSV "
          "file, choose moodle-ASSIGNMENT.csv, map from 'Email address' to Email address and the "
          "grade column to its grade item.")
    return 0
