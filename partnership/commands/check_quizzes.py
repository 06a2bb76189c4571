"""Validate the book's self-check YAML files (or an author's own), count their questions and
measure guessing cues, so that every chapter's self-check tests understanding rather than
test-wiseness."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EPILOG = """\
Every file must have at least --min-questions questions (default 8: enough for a score to
mean something) of which at least --min-applied (default 3) ask the reader to do more than
recall: 'task: apply' (apply a concept to a new case), 'task: code' (code an utterance) or
'task: order' (put steps in order). An option's 'why' must not begin with a verdict
("Correct.", "Right.", "No."): the page prints the verdict itself. Question ids must be unique
across all the files checked.

Cue statistics say how well a guesser who knows nothing would do by picking the longest
option, the shortest, one position, or by ruling out options with absolute words ("always",
"never"). Options are shown in the order written, so authors spread the keys themselves.
Over all the files together (at least 10 questions) the check fails when:
  - the key is the longest option in more than a third of questions, or the shortest in more
    than a third (a blind guess among four options scores a quarter; a third leaves room for
    honest variation but not for a habit);
  - the share of keys at any position differs from a fair shuffle's (a quarter for four
    options) by more than 10 points, about two standard errors at a hundred questions;
  - on average the key is under 0.8 or over 1.25 times the mean length of the other options,
    or any one key is under half or over twice their mean length;
  - ruling out absolute words beats blind guessing by more than 10 points.
Within each file (a chapter's eight or so questions, too few for the limits above) the key may
be the longest, the shortest, or in any one position in at most half of its questions.

Files are read with the project's bounded YAML loader (at most 1 MiB, 100,000 values with
aliases expanded, 64 levels deep; UTF-8 only, with the byte position of a bad byte).
"""


def register(parser):
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("paths", nargs="*", type=Path,
                        help="quiz files or folders (default: book/quizzes)")
    parser.add_argument("--min-questions", type=int, default=8, metavar="N",
                        help="fail if a file has fewer than N questions (default 8)")
    parser.add_argument("--min-applied", type=int, default=3, metavar="N",
                        help="fail if a file has fewer than N questions whose task is apply, "
                             "code or order (default 3)")


def run(args) -> int:
    from partnership.book.quizdata import QuizError, keyed_questions, load_quiz
    from partnership.learner.schema import FILE_LIMITS, cue_statistics

    paths = args.paths or [Path("book/quizzes")]
    files = []
    for p in paths:
        files += sorted(p.glob("*.yml")) if p.is_dir() else [p]
    if not files:
        print("no self-check files found in " + ", ".join(map(str, paths)), file=sys.stderr)
        return 1
    errors = 0
    records = []
    seen: dict[str, Path] = {}
    for f in files:
        try:
            quiz = load_quiz(f)
        except QuizError as exc:
            errors += 1
            print(exc, file=sys.stderr)
            continue
        tasks = {t: 0 for t in ("recall", "apply", "code", "order")}
        for q in quiz.questions:
            tasks[q.task] += 1
            if q.id in seen:
                errors += 1
                print(f"{f}: question {q.id}, field id: duplicate id, also in {seen[q.id]}",
                      file=sys.stderr)
            seen.setdefault(q.id, f)
        n = len(quiz.questions)
        print(f"{f}: {n} questions (" + ", ".join(f"{k} {v}" for k, v in tasks.items()) + ")")
        if n < args.min_questions:
            errors += 1
            print(f"{f}: {n} questions; a self-check needs at least {args.min_questions}",
                  file=sys.stderr)
        applied = n - tasks["recall"]
        if applied < args.min_applied:
            errors += 1
            print(f"{f}: {applied} questions ask for more than recall; at least "
                  f"{args.min_applied} should apply a concept, code an utterance or put steps "
                  "in order (field task)", file=sys.stderr)
        recs = keyed_questions(quiz, str(f))
        for problem in cue_statistics(recs, FILE_LIMITS).problems():
            errors += 1
            print(f"cue: {f}: {problem}", file=sys.stderr)
        records += recs
    if records:
        stats = cue_statistics(records)
        print(f"cue statistics over {len(files)} file(s) (what guessing without knowing the "
              "subject would score):")
        for line in stats.lines():
            print("  " + line)
        for problem in stats.problems():
            errors += 1
            print(f"cue: {problem}", file=sys.stderr)
    return 1 if errors else 0
