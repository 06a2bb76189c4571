"""How far the reflection coach's suggested scores agree with the grader's marks.

For each written item with ``coach: true``, the grader's notes show the coach's suggested
HRQ-style score (1 to 5, :mod:`partnership.grader.notes`). Once the written answers are marked,
``partnership coach-agreement ASSIGNMENT`` puts the two side by side:

- the grader's mark is put on the same five-point scale: ``1 + 4 x (mark / points)``, rounded
  half up (on a 4-point item, 0 -> 1, 1 -> 2, ..., 4 -> 5);
- the coach's suggestion is computed again from the submitted answer, exactly as the notes did;
- per item and overall: the confusion table (rows: the grader, columns: the coach), the share of
  exact agreement and of agreement within one point, and Cohen's kappa with quadratic weights
  (chance-corrected agreement for ordered scores; 1 is perfect, 0 is what chance gives).

Answers not marked yet, left blank, or given no score by the coach are not counted. A kappa needs variation: where every pair
falls in one row or column it is undefined and shown as a dash.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Agreement", "weighted_kappa", "to_scale", "compare", "write_outputs", "table",
           "LEVELS"]

LEVELS = (1, 2, 3, 4, 5)


def to_scale(mark: float, points: float) -> int:
    """A mark out of ``points`` on the coach's 1-5 scale (rounded half up)."""
    share = min(max(mark / points, 0.0), 1.0)
    return 1 + int(4 * share + 0.5 + 1e-9)


def weighted_kappa(pairs: list[tuple[int, int]], levels=LEVELS) -> float | None:
    """Cohen's kappa with quadratic weights for (rater A, rater B) pairs on ``levels``."""
    n = len(pairs)
    if n == 0:
        return None
    k = len(levels)
    idx = {v: i for i, v in enumerate(levels)}
    obs = [[0.0] * k for _ in range(k)]
    for a, b in pairs:
        obs[idx[a]][idx[b]] += 1
    rows = [sum(r) for r in obs]
    cols = [sum(obs[i][j] for i in range(k)) for j in range(k)]
    w = [[(i - j) ** 2 / (k - 1) ** 2 for j in range(k)] for i in range(k)]
    observed = sum(w[i][j] * obs[i][j] for i in range(k) for j in range(k)) / n
    expected = sum(w[i][j] * rows[i] * cols[j] for i in range(k) for j in range(k)) / n ** 2
    if expected <= 1e-12:
        return None
    return 1 - observed / expected


@dataclass
class Agreement:
    item: str                                  # an item id, or "all" for every item together
    pairs: list[tuple[int, int]] = field(default_factory=list)   # (grader, coach)
    students: list[str] = field(default_factory=list)
    waiting: int = 0                           # answers not marked yet
    blank: int = 0
    uncoded: int = 0                           # answers the coach gave no score

    @property
    def n(self) -> int:
        return len(self.pairs)

    @property
    def exact(self) -> float | None:
        return sum(a == b for a, b in self.pairs) / self.n if self.n else None

    @property
    def within_one(self) -> float | None:
        return sum(abs(a - b) <= 1 for a, b in self.pairs) / self.n if self.n else None

    @property
    def kappa(self) -> float | None:
        return weighted_kappa(self.pairs)

    @property
    def mean_difference(self) -> float | None:
        """Coach minus grader, on the 1-5 scale: positive when the coach is more generous."""
        return sum(b - a for a, b in self.pairs) / self.n if self.n else None

    def confusion(self) -> list[list[int]]:
        m = [[0] * len(LEVELS) for _ in LEVELS]
        for a, b in self.pairs:
            m[a - 1][b - 1] += 1
        return m


def compare(bank, rows, coach=None) -> list[Agreement]:
    """Agreement per coached written item, then overall (item ``"all"``). ``coach(text, client)``
    returns the suggested 1-5 score (default: the reflection coach, as in the grader's notes)."""
    if coach is None:
        from partnership.coach import analyse

        def coach(text, client):
            return analyse(text, client or "").hrq_score
    items = [it for it in bank.items if it.type == "written" and it.coach]
    out = []
    overall = Agreement("all")
    for it in items:
        ag = Agreement(it.id)
        for r in rows:
            if not r.submitted or it.id not in r.scores:
                continue
            text = (r.written.get(it.id) or "").strip()
            if not text:
                ag.blank += 1
                continue
            mark = r.scores.get(it.id)
            if mark is None:
                ag.waiting += 1
                continue
            suggested = coach(text, it.client)
            if suggested is None:
                ag.uncoded += 1
                continue
            pair = (to_scale(mark, it.points), int(suggested))
            ag.pairs.append(pair)
            ag.students.append(r.student)
        out.append(ag)
        overall.pairs += ag.pairs
        overall.students += ag.students
        overall.waiting += ag.waiting
        overall.blank += ag.blank
        overall.uncoded += ag.uncoded
    if len(items) > 1:
        out.append(overall)
    return out


def _f(x, digits=3) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def write_outputs(results: list[Agreement], out: Path, assignment: str) -> list[Path]:
    """agreement.csv (one row per item and overall) and confusion.csv (one row per cell)."""
    out.mkdir(parents=True, exist_ok=True)
    a = out / "agreement.csv"
    with open(a, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["assignment", "item", "n", "exact", "within_one", "weighted_kappa",
                    "mean_coach_minus_grader", "not_marked", "blank", "no_suggestion"])
        for ag in results:
            w.writerow([assignment, ag.item, ag.n, _f(ag.exact), _f(ag.within_one),
                        _f(ag.kappa), _f(ag.mean_difference), ag.waiting, ag.blank,
                        ag.uncoded])
    c = out / "confusion.csv"
    with open(c, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["assignment", "item", "grader"] + [f"coach_{v}" for v in LEVELS])
        for ag in results:
            for g, row in zip(LEVELS, ag.confusion()):
                w.writerow([assignment, ag.item, g] + row)
    return [a, c]


def table(results: list[Agreement], assignment: str) -> str:
    if not results:
        return (f"{assignment} has no written item with coach: true, so there is nothing to "
                f"compare.")
    lines = [f"Coach's suggested scores against the grader's marks, {assignment} "
             f"(1-5 scale; grader mark scaled as 1 + 4 x mark/points)"]
    for ag in results:
        lines.append("")
        head = "all coached items" if ag.item == "all" else ag.item
        kappa = "-" if ag.kappa is None else f"{ag.kappa:.2f}"
        if ag.n:
            lines.append(f"{head}: {ag.n} answers; exact agreement {ag.exact:.0%}, within one "
                         f"{ag.within_one:.0%}, weighted kappa {kappa}, coach minus grader "
                         f"{ag.mean_difference:+.2f} on average")
        else:
            lines.append(f"{head}: no marked answers to compare")
        if ag.waiting or ag.blank or ag.uncoded:
            lines.append(f"  (not counted: {ag.waiting} not marked yet, {ag.blank} blank, "
                         f"{ag.uncoded} without a suggestion from the coach)")
        if ag.n:
            lines.append("  grader \\ coach   " + "  ".join(f"{v:>3}" for v in LEVELS))
            for g, row in zip(LEVELS, ag.confusion()):
                lines.append(f"  {g:>14}   " + "  ".join(f"{x:>3}" for x in row))
    lines += ["", "Read it as: where agreement is high, the suggestion is a useful second "
                  "opinion for that item; where it is low, mark without leaning on it."]
    return "\n".join(lines)
