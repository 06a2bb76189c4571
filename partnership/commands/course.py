"""``partnership course``: the class list and the deadlines of a term, into the gradebook.

    partnership course roster ROSTER.csv [--course DIR] [--db-url URL]
    partnership course deadlines [--course DIR] [--db-url URL]

``roster`` adds or updates every student of the roster CSV (id, first name, last name, email;
optionally lms_user_id) in nbgrader's gradebook; ``deadlines`` checks the course's course.yml and
writes each assignment's due date into the gradebook, printing the late policy that applies.
The gradebook is ``--db-url``, else ``PARTNERSHIP_DB_URL``, else gradebook.db in the course folder,
as for nbgrader itself.
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

from partnership.commands.options import add_course_options


def register(parser):
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    r = sub.add_parser("roster", help="add or update the students of a roster CSV in the "
                                      "gradebook")
    r.add_argument("roster", type=Path, help="CSV with columns id, first_name, last_name, email "
                                             "(and optionally lms_user_id)")
    d = sub.add_parser("deadlines", help="check course.yml and write its due dates into the "
                                         "gradebook")
    for p in (r, d):
        add_course_options(p)


def _roster(args) -> int:
    from partnership.grader.course import CourseError, import_roster, read_roster
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            entries = read_roster(args.roster)
        except CourseError as exc:
            print(exc, file=sys.stderr)
            print("The roster was not imported: fix these lines and run it again.",
                  file=sys.stderr)
            return 1
    for w in caught:
        print(f"note: {w.message}")
    res = import_roster(args.course, entries, args.db_url)
    print(f"Roster {args.roster}: {len(entries)} students; {len(res.added)} added, "
          f"{len(res.updated)} updated, {len(res.unchanged)} unchanged.")
    if res.not_on_roster:
        print(f"In the gradebook but not on this roster (kept, with their work): "
              f"{', '.join(res.not_on_roster)}")
    return 0


def _deadlines(args) -> int:
    from partnership.grader.course import (CourseError, apply_deadlines, course_file,
                                           describe_policy, load_course)
    try:
        settings = load_course(args.course)
    except CourseError as exc:
        print(exc, file=sys.stderr)
        return 1
    if not course_file(args.course).exists():
        print(f"No {course_file(args.course)}: no due dates and no late penalties. Write one "
              f"(the instructor guide has an example) and run this again.", file=sys.stderr)
        return 1
    done = apply_deadlines(args.course, args.db_url, settings)
    print(f"Due dates in the gradebook (UTC; course time zone {settings.timezone}):")
    for name, due in done:
        print(f"  {name:20} {str(due or 'no due date'):20}  late: "
              f"{describe_policy(settings.policy(name))}")
    print(f"Other assignments: late: {describe_policy(settings.late_penalty)}")
    return 0


def run(args) -> int:
    return {"roster": _roster, "deadlines": _deadlines}[args.action](args)
