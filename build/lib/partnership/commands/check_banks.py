"""Validate scenario banks (the shipped practice banks, or an instructor's own) and count items;
also the conversation lab's client banks (``kind: conversation``), wherever they are named."""
from __future__ import annotations

import re
import sys
from pathlib import Path

_CONVERSATION = re.compile(r"^kind:\s*['\"]?conversation['\"]?\s*(?:#.*)?$", re.M)


def register(parser):
    parser.add_argument("paths", nargs="*", type=Path,
                        help="bank files or folders of *.yml (default: the banks shipped in the "
                             "package, the conversation banks included)")
    parser.add_argument("--min-per-skill", type=int, default=0, metavar="N",
                        help="also fail if any skill has fewer than N items")


def is_conversation_bank(path: Path) -> bool:
    """Whether a file's header says ``kind: conversation`` (its clients are checked by the
    conversation schema, not as scenario items)."""
    try:
        return bool(_CONVERSATION.search(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def run(args) -> int:
    from partnership.learner.conversation.schema import bank_files as conversation_files
    from partnership.learner.conversation.schema import load_clients
    from partnership.learner.schema import SKILLS, bank_files, count_by_skill, load_banks

    named = bank_files(args.paths)
    convs = [f for f in named if is_conversation_bank(f)]
    files = [f for f in named if f not in convs]
    if not args.paths:
        convs = conversation_files()
    if not files and not convs:
        where = ", ".join(map(str, args.paths)) or "the package"
        print(f"no bank files (*.yml) found in {where}", file=sys.stderr)
        return 1
    errors: list[str] = []
    short: list[str] = []
    if files:
        missing = [f for f in files if not f.exists()]
        items, errors = load_banks(files)
        counts = count_by_skill(items)
        print(f"{len(files) - len(missing)} bank file(s), {len(items)} valid item(s)")
        for skill in SKILLS:
            if counts.get(skill) or not args.paths:
                print(f"  {skill:16} {counts.get(skill, 0):4}")
        short = [s for s in SKILLS if counts.get(s, 0) < args.min_per_skill]
    if convs:
        clients, conv_errors = load_clients(convs)
        errors += conv_errors
        print(f"{len(convs)} conversation bank file(s), {len(clients)} valid client(s)")
        for c in clients:
            print(f"  {c.id:24} {c.setting}")
    for e in errors:
        print(e, file=sys.stderr)
    if files and args.min_per_skill and short:
        print(f"fewer than {args.min_per_skill} items: {', '.join(short)}", file=sys.stderr)
        return 1
    if errors:
        print(f"{len(errors)} file(s) or item(s) with errors", file=sys.stderr)
        return 1
    return 0
