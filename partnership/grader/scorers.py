"""Scoring one graded item: the instructor's keyed item and the student's answer in, points and a
one-line reason out.

Pure functions: no notebook, no file, no kernel. The grader (:mod:`partnership.grader.autograde`)
reads the answers from the submission and calls :func:`score_item`; nothing the student runs can
reach them. A reason tells the student what was scored and how well (``"4 of 6 statements sorted
correctly"``), never which answer was right.

Answers are in the saved-answer format of the labs (``partnership/learner/banks/FORMAT.md``):
choice, the 0-based index of the option in the order written; ranking, the rank given to each
option in the order written; categorize, the category id of each statement in the order written
(``None`` for unsorted); typed, the literal the student typed (text or a number).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from partnership.learner.assignment import read_number
from partnership.learner.schema import is_full_ranking
from partnership.learner.scoring import pair_agreement

__all__ = ["Score", "score_item", "NOT_ANSWERED", "fmt"]

#: ``score_item``'s answer when the student gave none
NOT_ANSWERED = object()


def fmt(x: float) -> str:
    """A score for people: 2, 0.5, 1.67."""
    return f"{x:g}" if float(x).is_integer() else f"{x:.2f}".rstrip("0")


@dataclass(frozen=True)
class Score:
    item: str
    points: float
    max_points: float
    reason: str               # for the student: what was scored, never the key

    def line(self) -> str:
        unit = "point" if self.max_points == 1 else "points"
        return f"{self.item}: {fmt(self.points)} of {fmt(self.max_points)} {unit}: {self.reason}"


def _score(item, share: float, reason: str) -> Score:
    share = min(max(float(share), 0.0), 1.0)
    return Score(item.id, round(item.points * share, 4), float(item.points), reason)


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _choice(item, answer) -> Score:
    if not _is_int(answer) or not 0 <= answer < len(item.options):
        return _score(item, 0, "the saved answer is not one of this item's options.")
    if answer == item.key:
        return _score(item, 1, "you chose the best response.")
    return _score(item, 0, "the response you chose is not the best one.")


def _ranking(item, answer) -> Score:
    n = len(item.options)
    if not is_full_ranking(answer, n):
        return _score(item, 0, f"the ranking does not use each rank from 1 to {n} once.")
    pairs = n * (n - 1) // 2
    good = round(pair_agreement(list(answer), item.key) * pairs)
    return _score(item, good / pairs, f"{good} of {pairs} pairs of responses in the right order.")


def _categorize(item, answer) -> Score:
    n = len(item.statements)
    if not isinstance(answer, list) or len(answer) != n:
        return _score(item, 0, "the saved answer does not fit this item.")
    right = sum(isinstance(a, str) and a == k for a, k in zip(answer, item.key))
    return _score(item, right / n, f"{right} of {n} statements sorted correctly.")


def normalise(text) -> str:
    """How typed answers are compared: case, spacing, curly apostrophes, spaces around ``: / %``
    and a final full stop do not matter."""
    t = str(text).strip().lower().replace("\u2019", "'")
    t = re.sub(r"\s+", " ", t)
    t = re.sub(r"\s*([:/%])\s*", r"\1", t)
    return t.rstrip(".")


def _typed(item, answer) -> Score:
    if isinstance(answer, bool) or not isinstance(answer, (str, int, float)):
        return _score(item, 0, "the answer is not text or a number.")
    if isinstance(answer, str) and not answer.strip():
        return _score(item, 0, "no answer typed.")
    if item.number is not None:
        x = read_number(answer)
        if x is None:
            return _score(item, 0, "the answer is not a number.")
        if abs(x - item.number.value) <= item.number.tolerance + 1e-9:
            return _score(item, 1, "accepted.")
        return _score(item, 0, "not the expected value.")
    if normalise(answer) in {normalise(a) for a in item.accept}:
        return _score(item, 1, "accepted.")
    return _score(item, 0, "not one of the accepted answers.")


_BY_TYPE = {"choice": _choice, "ranking": _ranking, "categorize": _categorize, "typed": _typed}


def score_item(item, answer=NOT_ANSWERED) -> Score:
    """Points and reason for ``answer`` to the keyed ``item`` (a :mod:`partnership.grader.bank`
    item). Written items are marked by hand and cannot be scored here."""
    if item.type not in _BY_TYPE:
        raise ValueError(f"{item.id}: {item.type} items are marked by hand")
    if answer is NOT_ANSWERED or answer is None:
        return _score(item, 0, "not answered.")
    return _BY_TYPE[item.type](item, answer)
