"""Validate scenario banks (the shipped practice banks, or an instructor's own), count items,
measure guessing cues, and check that graded items do not repeat practice items; also the
conversation lab's client banks (``kind: conversation``), shipped or named."""
from __future__ import annotations

import sys
from pathlib import Path

EPILOG = """\
Files are read with the project's bounded YAML loader: a file over 1 MiB, one with more than
100,000 values once its aliases and merge keys (<<) are expanded, one nested more than 64 deep,
or one that is not UTF-8 is refused with a message naming the file (and the byte, for bad
UTF-8).

Cue statistics (choice items, and ranking items' first-ranked option, in the order the widgets
show them) say how well a guesser who knows nothing would do by picking the longest option, the
shortest, one position, or by ruling out options with absolute words ("always", "never"). The
check fails when, over at least 10 items:
  - the key is the longest option in more than a third of items, or the shortest in more than
    a third (a blind guess among three options scores a third; with four, a quarter);
  - the share of keys at any position differs from a fair shuffle's by more than 10 points
    (about two standard errors at a hundred items);
  - on average the key is under 0.8 or over 1.25 times the mean length of the other options,
    or any one key is under half or over twice their mean length;
  - ruling out absolute words beats blind guessing by more than 10 points.
The reasons are in partnership/learner/banks/FORMAT.md.

Conversation banks ('kind: conversation', the conversation lab's simulated clients) are
validated with the conversation schema; with no paths, the shipped ones are checked too.

Graded banks (an instructor's bank, 'kind: graded' with an 'assignment:', such as
exercises/*.yml) are validated as graded banks, their choice and ranking items measured with the
same cue statistics, and their texts compared with the practice banks; a released items.yml
(texts only) is validated and compared too. A graded text that repeats a practice text (the same
text, or 7 words in a row) is an error, because a learner who met the practice item, with its
key and feedback, would recognise it.
"""


def register(parser):
    import argparse
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("paths", nargs="*", type=Path,
                        help="bank files, graded items files, conversation banks or folders "
                             "of *.yml (default: the banks shipped in the package)")
    parser.add_argument("--min-per-skill", type=int, default=0, metavar="N",
                        help="also fail if any skill has fewer than N items")


def _graded_kind(data) -> str | None:
    """"bank" for an instructor's graded bank (keys included), "released" for the items.yml an
    assignment releases (texts only), None for a scenario bank."""
    if not isinstance(data, dict) or data.get("kind") != "graded":
        return None
    if "assignment" in data:
        return "bank"
    return "released" if "lab" in data else None


def run(args) -> int:
    from partnership.learner.assignment import parse_graded
    from partnership.learner.schema import (SKILLS, BankError, add_bank, bank_files,
                                            count_by_skill, cue_statistics, keyed_items,
                                            load_banks, overlaps, parse_bank)
    from partnership.learner.conversation.schema import (ConversationBankError, add_clients,
                                                         parse_clients)
    from partnership.learner.conversation.schema import bank_files as conversation_files
    from partnership.validation import DataFileError, load_yaml

    files = bank_files(args.paths)
    if not args.paths:
        files += conversation_files()
    if not files:
        where = ", ".join(map(str, args.paths)) or "the package"
        print(f"no bank files (*.yml) found in {where}", file=sys.stderr)
        return 1
    items, errors, where = [], [], {}
    graded: list = []           # items of graded assignments (texts only)
    graded_files = 0
    graded_keyed: list = []     # graded items with keys, for the cue statistics
    kinds: dict[Path, str] = {}
    clients, client_where = [], {}      # the conversation lab's simulated clients
    conversation_files_read = 0
    for f in files:
        try:
            data = load_yaml(f, what="bank file")
            if isinstance(data, dict) and data.get("kind") == "conversation":
                conversation_files_read += 1
                add_clients(parse_clients(data, str(f)), f, clients, errors, client_where)
                continue
            kind = _graded_kind(data)
            if kind == "bank":
                from partnership.grader.bank import parse_bank as parse_graded_bank
                its = parse_graded_bank(data, str(f)).items
                graded += its
                graded_keyed += keyed_items(its, {i.id: _short(f) for i in its})
                graded_files += 1
            elif kind == "released":
                graded += parse_graded(data, str(f)).items
                graded_files += 1
            else:
                bank = parse_bank(data, str(f))
                kinds[f] = bank.kind
                add_bank(bank, f, items, errors, where)
        except (DataFileError, BankError, ConversationBankError) as exc:
            errors.append(str(exc))
    for e in errors:
        print(e, file=sys.stderr)
    counts = count_by_skill(items)
    scenario_files = len(files) - conversation_files_read
    if scenario_files or not conversation_files_read:
        print(f"{scenario_files} bank file(s), {len(items)} valid item(s)"
              + (f"; {len(graded)} graded item(s) in {graded_files} graded file(s)"
                 if graded_files else ""))
        for skill in SKILLS:
            if counts.get(skill) or not args.paths:
                print(f"  {skill:16} {counts.get(skill, 0):4}")
    if conversation_files_read:
        print(f"{conversation_files_read} conversation bank file(s), {len(clients)} valid "
              f"client(s)")
        for c in clients:
            print(f"  {c.id:24} {c.setting}")
    failed = bool(errors)
    short = [s for s in SKILLS if counts.get(s, 0) < args.min_per_skill]
    if args.min_per_skill and short and scenario_files:
        print(f"fewer than {args.min_per_skill} items: {', '.join(short)}", file=sys.stderr)
        failed = True

    records = keyed_items(items, {i: _short(f) for i, f in where.items()}) + graded_keyed
    if records:
        stats = cue_statistics(records)
        print("cue statistics (what guessing without knowing the subject would score):")
        for line in stats.lines():
            print("  " + line)
        problems = stats.problems()
        for p in problems:
            print(f"cue: {p}", file=sys.stderr)
        failed |= bool(problems)

    # graded texts against practice texts: the banks given here and the shipped ones
    graded += [it for it in items if kinds[where[it.id]] == "graded"]
    if graded:
        practice = [it for it in items if kinds[where[it.id]] == "practice"]
        shipped, _ = load_banks()
        ids = {it.id for it in practice}
        practice += [it for it in shipped if it.id not in ids]
        clashes = overlaps(graded, practice)
        for c in clashes:
            print(f"overlap: {c}", file=sys.stderr)
        print(f"graded items compared with {len(practice)} practice items: "
              f"{len(clashes)} overlap(s)")
        failed |= bool(clashes)
    if errors:
        print(f"{len(errors)} file(s) or item(s) with errors", file=sys.stderr)
    return 1 if failed else 0


def _short(path: Path) -> str:
    """A path relative to the working folder where it is inside it (shorter messages)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
