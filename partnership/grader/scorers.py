"""Scorers and checks called from the cells of the nbgrader exercises.

Hidden tests (in the *source* notebooks only) hold the answer keys and call a scorer, which reads
the learner's saved answer, prints a one-line reason (stdout only) and returns the points as a
number, which nbgrader takes as the cell's partial credit::

    from partnership.grader.scorers import score_choice
    score_choice("graded-demo", "demo-1", key="A", points=2)     # (a made-up item)

Visible checks, which the learner can run before submitting, say what is missing without giving
anything away::

    from partnership.grader.scorers import check
    check("items.yml", "demo-1")

Every function here is safe to call in a grading cell: nothing is written to stderr (nbgrader
scores a cell that writes to stderr as 0), warnings are silenced, and no exception escapes: a
missing or damaged saved-answer file, or an answer of the wrong shape, scores 0 and says why.
"""
from __future__ import annotations

import contextlib
import functools
import io
import math
import re
import sys
import warnings
from pathlib import Path

__all__ = ["check", "check_typed", "score_choice", "score_ranking", "score_categorize",
           "score_typed", "score_number", "grader_notes"]


def _fmt(x: float) -> str:
    return f"{x:g}" if float(x).is_integer() else f"{x:.2f}".rstrip("0")


def _quiet(default):
    """Run the function with stderr sent to stdout and warnings off; on any error print the
    reason and return ``default``."""
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with warnings.catch_warnings(), contextlib.redirect_stderr(sys.stdout):
                warnings.simplefilter("ignore")
                try:
                    return fn(*args, **kwargs)
                except Exception as exc:   # a grading cell must never crash or use stderr
                    item = kwargs.get("item_id") or next(
                        (a for a in args if isinstance(a, str) and re.fullmatch(
                            r"[a-z]+-[a-z]?\d+", a)), fn.__name__)
                    print(f"{item}: could not be scored ({type(exc).__name__}: {exc}); "
                          f"scored 0.")
                    return default
        return wrapper
    return deco


def _store(path=None):
    from partnership.learner.store import AnswerStore
    return AnswerStore(path)


def _saved(lab: str, item_id: str, points: float, path=None):
    """(answer, message). ``answer`` is None when there is nothing to score."""
    store = _store(path)
    if not store.path.exists():
        return None, (f"{item_id}: 0 of {_fmt(points)} points: no saved-answer file "
                      f"({store.path.name}) was found beside the notebook, so no widget answer "
                      f"can be read.")
    rec = store.latest(lab, item_id)
    notes = (" " + " ".join(store.warnings)) if store.warnings else ""
    if rec is None:
        return None, f"{item_id}: 0 of {_fmt(points)} points: not answered.{notes}"
    return rec["answer"], notes


def _result(item_id: str, got: float, points: float, why: str, notes: str = "") -> float:
    got = round(min(max(got, 0.0), float(points)), 4)
    print(f"{item_id}: {_fmt(got)} of {_fmt(points)} points: {why}{notes}")
    return got


# ------------------------------------------------------------------ hidden-test scorers

@_quiet(0.0)
def score_choice(lab: str, item_id: str, key, points: float, *, path=None) -> float:
    """All the points if the saved choice is ``key`` (a letter "A".. or a 0-based index)."""
    answer, notes = _saved(lab, item_id, points, path)
    if answer is None:
        print(notes)
        return 0.0
    k = ord(key.upper()) - 65 if isinstance(key, str) else int(key)
    if isinstance(answer, bool) or not isinstance(answer, int):
        return _result(item_id, 0, points, "no option was chosen.", notes)
    if answer == k:
        return _result(item_id, points, points, f"option {chr(65 + answer)} is the best answer.",
                       notes)
    return _result(item_id, 0, points, f"option {chr(65 + answer)} is not the best answer.",
                   notes)


@_quiet(0.0)
def score_ranking(lab: str, item_id: str, key: list[int], points: float, *, path=None) -> float:
    """Partial credit: ``points`` times the share of pairs of options put in the same order as
    ``key`` (the right rank of each option, in the order written)."""
    from partnership.learner.scoring import pair_agreement
    answer, notes = _saved(lab, item_id, points, path)
    if answer is None:
        print(notes)
        return 0.0
    n = len(key)
    if not isinstance(answer, list) or len(answer) != n \
            or any(isinstance(a, bool) or not isinstance(a, int) for a in answer) \
            or sorted(answer) != list(range(1, n + 1)):
        return _result(item_id, 0, points, f"the ranking does not use each rank 1 to {n} once.",
                       notes)
    pairs = n * (n - 1) // 2
    share = pair_agreement(list(answer), list(key))
    good = round(share * pairs)
    return _result(item_id, points * good / pairs, points,
                   f"{good} of {pairs} pairs of responses in the right order.", notes)


@_quiet(0.0)
def score_categorize(lab: str, item_id: str, key: list[str], points: float, *,
                     path=None) -> float:
    """Partial credit: ``points`` times the share of statements sorted into the ``key``
    category (one category id per statement, in the order written); unsorted counts wrong."""
    answer, notes = _saved(lab, item_id, points, path)
    if answer is None:
        print(notes)
        return 0.0
    if not isinstance(answer, list) or len(answer) != len(key):
        return _result(item_id, 0, points, "the answer does not fit this item.", notes)
    right = sum(a == k for a, k in zip(answer, key))
    return _result(item_id, points * right / len(key), points,
                   f"{right} of {len(key)} statements sorted correctly.", notes)


def _norm(text) -> str:
    t = str(text).strip().lower().replace("\u2019", "'")
    t = re.sub(r"\s+", " ", t)
    t = re.sub(r"\s*([:/%])\s*", r"\1", t)
    return t.rstrip(".")


@_quiet(0.0)
def score_typed(item_id: str, value, accept: list, points: float) -> float:
    """All the points if the typed ``value`` matches one of ``accept`` (case, spacing and a
    final full stop ignored)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _result(item_id, 0, points, "no answer typed.")
    if _norm(value) in {_norm(a) for a in accept}:
        return _result(item_id, points, points, "accepted.")
    return _result(item_id, 0, points, "not one of the accepted answers.")


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        m = re.fullmatch(r"\s*([-+]?\d+(?:[.,]\d+)?)\s*%?\s*", value)
        if m:
            return float(m.group(1).replace(",", "."))
    return None


@_quiet(0.0)
def score_number(item_id: str, value, key: float, points: float, tolerance: float = 0.0) -> float:
    """All the points if ``value`` (a number, or text holding one) is within ``tolerance`` of
    ``key``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _result(item_id, 0, points, "no answer typed.")
    x = _number(value)
    if x is None:
        return _result(item_id, 0, points, "the answer is not a number.")
    if abs(x - float(key)) <= tolerance + 1e-9:
        return _result(item_id, points, points, "accepted.")
    return _result(item_id, 0, points, "not the expected value.")


# ------------------------------------------------------------------ visible checks

@_quiet(None)
def check(items: str = "items.yml", item_id: str = "", *, path=None) -> None:
    """Say whether a widget item is answered and saved (never whether it is right)."""
    from partnership.learner.assignment import answer_problem, load_graded
    bank = load_graded(items)
    item = bank.item(item_id)
    store = _store(path)
    rec = store.latest(bank.lab, item_id)
    for w in store.warnings:
        print(w)
    if rec is None:
        print(f"{item_id}: not answered yet. Answer it in the widget above; it is saved as soon "
              f"as you choose.")
        return None
    problem = answer_problem(item, rec["answer"])
    if problem:
        print(f"{item_id}: saved but not complete: {problem}.")
    else:
        print(f"{item_id}: answered and saved in {store.path.name}. It is marked after you "
              f"submit; remember to submit that file with the notebook.")
    return None


@_quiet(None)
def check_typed(item_id: str, value, number: bool = False) -> None:
    """Say whether a typed answer is there (and, with ``number``, whether it reads as a
    number), never whether it is right."""
    if value is None or (isinstance(value, str) and not value.strip()):
        print(f"{item_id}: not answered yet. Type your answer between the quotes in the cell "
              f"above and run that cell.")
    elif number and _number(value) is None:
        print(f"{item_id}: {str(value)[:40]!r} does not read as a number; type digits only "
              f"(for example 12 or 4.5).")
    else:
        print(f"{item_id}: answered. It is marked after you submit.")
    return None


# ------------------------------------------------------------------ notes for the grader

def _written_answer(cell_id: str, notebook: str | None = None) -> str | None:
    """The source of the Markdown answer cell ``cell_id`` in the notebook file(s) in the
    current folder (during autograding, the sanitised submission being graded)."""
    import json
    files = [Path(notebook)] if notebook else sorted(Path.cwd().glob("*.ipynb"))
    for f in files:
        try:
            nb = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade_id") == cell_id:
                src = cell.get("source", "")
                return "".join(src) if isinstance(src, list) else str(src)
    return None


_STUB = re.compile(r"^\s*YOUR ANSWER HERE\s*$", re.I)


@_quiet(None)
def grader_notes(item_id: str, answer_cell: str, *, rubric: str = "", items: str = "items.yml",
                 coach: bool = True, notebook: str | None = None) -> None:
    """Print, for the person grading, the rubric of a written item and (``coach=True``) the
    reflection coach's suggested code and HRQ-style score (1-5) for the learner's answer in the
    Markdown cell ``answer_cell``. A suggestion only: the grader decides the mark."""
    out = [f"Notes for the grader on {item_id} (not a mark; you decide):"]
    text = _written_answer(answer_cell, notebook)
    if text is not None:
        text = "\n".join(line for line in text.splitlines() if not _STUB.match(line)).strip()
    if coach:
        if not text:
            out.append("Coach: no written answer to read.")
        else:
            from partnership.coach import analyse
            from partnership.commands.coach import describe
            client = ""
            try:
                from partnership.learner.assignment import load_graded
                client = load_graded(items).item(item_id).client or ""
            except Exception:
                pass
            r = analyse(text[:4000], client)
            out.append(f"Coach's suggested code: {describe(r.code, r.subcode)} "
                       f"({r.confidence:.0%} sure); suggested HRQ-style score: {r.hrq_score}/5"
                       + (f"; roadblocks: {', '.join(r.roadblocks)}" if r.roadblocks else "")
                       + ".")
            out.append(f"Coach's feedback: {r.feedback}")
    if rubric:
        out.append("Rubric:")
        out += ["  " + line for line in rubric.strip().splitlines()]
    print("\n".join(out))
    return None
