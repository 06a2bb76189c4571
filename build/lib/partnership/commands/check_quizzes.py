"""Validate the book's self-check YAML files (or an author's own) and count their questions."""
from __future__ import annotations

import sys
from pathlib import Path

from partnership.book.quizdata import QuizError, load_quiz


def register(parser):
    parser.add_argument("paths", nargs="*", type=Path,
                        help="quiz files or folders (default: book/quizzes)")


def run(args) -> int:
    paths = args.paths or [Path("book/quizzes")]
    files = []
    for p in paths:
        files += sorted(p.glob("*.yml")) if p.is_dir() else [p]
    if not files:
        print("no self-check files found in " + ", ".join(map(str, paths)), file=sys.stderr)
        return 1
    errors = 0
    for f in files:
        try:
            quiz = load_quiz(f)
        except QuizError as exc:
            errors += 1
            print(exc, file=sys.stderr)
            continue
        print(f"{f}: {len(quiz.questions)} questions")
    return 1 if errors else 0
