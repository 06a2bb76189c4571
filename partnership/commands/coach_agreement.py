"""``partnership coach-agreement ASSIGNMENT``: the coach's suggested scores for the written answers
against the grader's marks (weighted kappa, confusion table), per item and overall
(:mod:`partnership.grader.agreement`)."""
from __future__ import annotations

import sys
from pathlib import Path

from partnership.commands.options import add_course_options


def register(parser):
    add_course_options(parser)
    parser.add_argument("assignment")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="where to write agreement.csv and confusion.csv (default: "
                             "COURSE/analysis/ASSIGNMENT)")


def run(args) -> int:
    from partnership.grader.agreement import compare, table, write_outputs
    from partnership.grader.bank import BankError
    from partnership.grader.results import collect
    try:
        bank, rows = collect(args.course, args.assignment, args.db_url)
    except BankError as exc:
        print(f"coach-agreement: {exc}", file=sys.stderr)
        return 2
    results = compare(bank, rows)
    print(table(results, args.assignment))
    talks = [it.id for it in bank.items if it.type == "conversation"]
    if talks:
        # a conversation's grader notes hold a MITI-style summary, not a 1-5 suggestion: there is
        # no suggested score to set beside the mark
        print(f"Conversation items ({', '.join(talks)}) are not compared: the coach's summary in "
              f"your notes is a description of the turns, not a suggested score.")
    if results:
        out = args.out or args.course / "analysis" / args.assignment
        print()
        for p in write_outputs(results, out, args.assignment):
            print(f"wrote {p}")
    return 0
