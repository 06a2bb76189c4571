"""Validate scenario banks (the shipped practice banks, or an instructor's own) and count items."""
from __future__ import annotations

import sys
from pathlib import Path


def register(parser):
    parser.add_argument("paths", nargs="*", type=Path,
                        help="bank files or folders of *.yml (default: the banks shipped in the "
                             "package)")
    parser.add_argument("--min-per-skill", type=int, default=0, metavar="N",
                        help="also fail if any skill has fewer than N items")


def run(args) -> int:
    from partnership.learner.schema import SKILLS, bank_files, count_by_skill, load_banks

    files = bank_files(args.paths)
    if not files:
        where = ", ".join(map(str, args.paths)) or "the package"
        print(f"no bank files (*.yml) found in {where}", file=sys.stderr)
        return 1
    missing = [f for f in files if not f.exists()]
    items, errors = load_banks(args.paths)
    for e in errors:
        print(e, file=sys.stderr)
    counts = count_by_skill(items)
    print(f"{len(files) - len(missing)} bank file(s), {len(items)} valid item(s)")
    for skill in SKILLS:
        if counts.get(skill) or not args.paths:
            print(f"  {skill:16} {counts.get(skill, 0):4}")
    short = [s for s in SKILLS if counts.get(s, 0) < args.min_per_skill]
    if args.min_per_skill and short:
        print(f"fewer than {args.min_per_skill} items: {', '.join(short)}", file=sys.stderr)
        return 1
    if errors:
        print(f"{len(errors)} file(s) or item(s) with errors", file=sys.stderr)
        return 1
    return 0
