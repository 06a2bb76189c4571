"""``partnership item-analysis ASSIGNMENT``: difficulty, discrimination and option shares per item,
with possibly miskeyed items flagged (:mod:`partnership.grader.itemanalysis`)."""
from __future__ import annotations

import sys
from pathlib import Path

from partnership.commands.options import add_course_options


def register(parser):
    add_course_options(parser)
    parser.add_argument("assignment")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="where to write items.csv, options.csv and the plots (default: "
                             "COURSE/analysis/ASSIGNMENT)")


def run(args) -> int:
    from partnership.grader.bank import BankError
    from partnership.grader.itemanalysis import analyse, table, write_outputs
    from partnership.grader.results import collect
    try:
        bank, rows = collect(args.course, args.assignment, args.db_url, texts=False)
    except BankError as exc:
        print(f"item-analysis: {exc}", file=sys.stderr)
        return 2
    stats, n = analyse(bank, rows)
    if n == 0:
        print(f"item-analysis: no graded submissions of {args.assignment} yet: autograde first",
              file=sys.stderr)
        return 1
    out = args.out or args.course / "analysis" / args.assignment
    paths = write_outputs(stats, n, out, args.assignment)
    print(table(stats, n, args.assignment))
    print()
    for p in paths:
        print(f"wrote {p}")
    return 0
