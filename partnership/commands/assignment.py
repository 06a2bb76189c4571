"""``partnership assignment``: build, check and follow a graded assignment.

    partnership assignment build BANK.yml --course COURSE     (or --out COURSE/source/NAME)
    partnership assignment check BANK.yml
    partnership assignment report ASSIGNMENT [--course COURSE]
    partnership assignment add-submission ASSIGNMENT STUDENT FOLDER [--course COURSE] [--time T]
"""
from __future__ import annotations

import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path


def register(parser):
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    b = sub.add_parser("build", help="build the nbgrader source assignment (notebook, released "
                                     "items) and the grader's key file from a bank")
    b.add_argument("bank", type=Path, help="the instructor's bank (YAML, kind: graded)")
    where = b.add_mutually_exclusive_group(required=True)
    where.add_argument("--course", type=Path, metavar="DIR",
                       help="the course folder: writes source/<assignment>/ and "
                            "keys/<assignment>.yml there")
    where.add_argument("--out", type=Path, metavar="DIR",
                       help="COURSE/source/NAME, as nbgrader lays it out (NAME must be the "
                            "bank's assignment id)")
    c = sub.add_parser("check", help="build in a temporary course and check release, keys, "
                                     "grading and the student's Validate end to end")
    c.add_argument("bank", type=Path)
    c.add_argument("--keep", type=Path, metavar="DIR", help="keep the trial course here")
    r = sub.add_parser("report", help="problems found while autograding, one row per "
                                      "submission")
    r.add_argument("assignment")
    r.add_argument("--course", type=Path, default=Path.cwd(), metavar="DIR")
    a = sub.add_parser("add-submission", help="file a submission collected by hand (e-mail, "
                                              "LMS download) as nbgrader's collect would")
    a.add_argument("assignment")
    a.add_argument("student")
    a.add_argument("folder", type=Path, help="the student's assignment folder (notebook and "
                                             "answers file)")
    a.add_argument("--course", type=Path, default=Path.cwd(), metavar="DIR")
    a.add_argument("--time", metavar="ISO", help="when it was submitted, e.g. "
                                                 "2026-03-02T17:05:00+00:00 (default: now)")


def _course_of(args) -> tuple[Path | None, str | None]:
    if args.course:
        return args.course, None
    out = args.out.resolve()
    if out.parent.name != "source":
        return None, (f"--out {args.out}: give the assignment's folder inside the course's "
                      f"source/ folder (COURSE/source/NAME), or use --course COURSE")
    return out.parent.parent, None


def _build(args) -> int:
    from partnership.grader.bank import BankError, load_bank
    from partnership.grader.build import build_assignment
    try:
        bank = load_bank(args.bank)
    except BankError as exc:
        print(exc, file=sys.stderr)
        return 1
    course, err = _course_of(args)
    if err is None and args.out and args.out.name != bank.assignment:
        err = (f"--out {args.out}: the folder must be named after the bank's assignment id "
               f"({bank.assignment!r})")
    if err:
        print(f"partnership assignment build: {err}", file=sys.stderr)
        return 2
    paths = build_assignment(args.bank, course)
    print(f"Built {bank.assignment}: {len(bank.items)} items, {bank.total:g} points.")
    for what, p in paths.items():
        print(f"  {what:8} {p}")
    print(f"Keep {paths['keys'].parent} private: it holds the answer keys. Next, in {course}:\n"
          f"  nbgrader generate_assignment {bank.assignment}")
    return 0


def _check(args) -> int:
    from partnership.grader.check import check_bank
    steps = check_bank(args.bank, keep=args.keep)
    for s in steps:
        mark = "ok  " if s.ok else "FAIL"
        print(f"[{mark}] {s.name}: {s.detail}")
    return 0 if steps and all(s.ok for s in steps) else 1


def _report(args) -> int:
    from partnership.grader.autograde import read_report
    folder = args.course / "reports" / args.assignment
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        print(f"No reports in {folder}: autograde {args.assignment} first (from the course "
              f"folder, or pass --course).", file=sys.stderr)
        return 1
    submitted = args.course / "submitted"
    students = sorted(p.parent.name for p in submitted.glob(f"*/{args.assignment}"))
    seen = set()
    print(f"{'student':16} problems")
    for f in files:
        rep = read_report(f) or {"problems": ["report unreadable"]}
        seen.add(f.stem)
        probs = rep.get("problems") or ["none"]
        print(f"{f.stem:16} {probs[0]}")
        for p in probs[1:]:
            print(f"{'':16} {p}")
    for s in students:
        if s not in seen:
            print(f"{s:16} not graded: autograding failed for this submission (see the "
                  f"autograde log)")
    return 0


def _add(args) -> int:
    if not args.folder.is_dir() or not any(args.folder.glob("*.ipynb")):
        print(f"{args.folder}: not a folder holding the student's notebook", file=sys.stderr)
        return 2
    when = datetime.now(timezone.utc)
    if args.time:
        try:
            when = datetime.fromisoformat(args.time)
        except ValueError:
            print(f"--time {args.time!r}: not an ISO date and time (e.g. "
                  f"2026-03-02T17:05:00+00:00)", file=sys.stderr)
            return 2
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
    dest = args.course / "submitted" / args.student / args.assignment
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(args.folder, dest, ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__", "timestamp.txt"))
    stamp = when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    (dest / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")
    print(f"Filed {dest} (submitted {stamp}).\n"
          f"After autograding and marking, `nbgrader generate_feedback {args.assignment}` writes "
          f"this student's feedback to feedback/{args.student}/{args.assignment}/: hand those "
          f"files back the way you collected the work (nbgrader release_feedback only reaches "
          f"students who submitted through the exchange).")
    return 0


def run(args) -> int:
    return {"build": _build, "check": _check, "report": _report,
            "add-submission": _add}[args.action](args)
