"""A simulated class: submissions with exactly the answers a test or a benchmark gives.

:mod:`partnership.grader.simulate` plays a dozen named students (honest ones and attacks) with
fixed answering patterns; a term needs more: a whole class whose answers differ item by item (for
item analysis, with a planted miskeyed item), some late (for the late penalty), and a thousand of
them (for ``benchmarks/bench_cohort.py``). :class:`Answers` says what one student answered;
:func:`write_submission` files it in ``submitted/<student>/<assignment>/`` as nbgrader's exchange
leaves it: the released notebook with the typed and written answers in their cells, the answers
file written by the learner's own :class:`~partnership.learner.store.AnswerStore` (as the widgets
write it), ``timestamp.txt`` and ``submission_secret.txt``. :func:`random_class` draws a class of
students of varying ability, reproducibly from a seed.
"""
from __future__ import annotations

import json
import random
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from partnership.grader.answers import variable
from partnership.grader.bank import GradedBank, WIDGET_TYPES

__all__ = ["Answers", "write_submission", "random_class", "stamp"]

ANSWERS = "my.partnership-answers.json"


@dataclass
class Answers:
    """One student's answers: widget answers in the saved-answer format, typed literals, written
    texts (an item left out is not answered)."""
    widgets: dict = field(default_factory=dict)
    typed: dict = field(default_factory=dict)
    written: dict = field(default_factory=dict)
    submitted: datetime | None = None          # default: 2026-03-02 10:00 UTC


def stamp(when: datetime | None) -> str:
    """``when`` as nbgrader writes timestamp.txt."""
    when = when or datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def write_submission(course: Path, bank: GradedBank, student: str, answers: Answers,
                     release_nb: dict | None = None) -> Path:
    """File ``student``'s submission of ``bank``'s assignment; return its folder. Pass the
    released notebook (parsed) as ``release_nb`` to skip reading it again for each student."""
    from partnership.learner.store import AnswerStore

    a = bank.assignment
    release = Path(course) / "release" / a
    dest = Path(course) / "submitted" / student / a
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(release, dest)
    (dest / "timestamp.txt").write_text(stamp(answers.submitted) + "\n", encoding="utf-8")
    (dest / "submission_secret.txt").write_text(secrets.token_hex(64), encoding="utf-8")
    nb = json.loads(json.dumps(release_nb)) if release_nb is not None else \
        json.loads((dest / f"{a}.ipynb").read_text(encoding="utf-8"))
    cells = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}
    for it in bank.items:
        cell = cells.get(f"{it.id}-answer")
        if cell is None:
            continue
        if it.type == "typed" and answers.typed.get(it.id) is not None:
            cell["source"] = f"{variable(it.id)} = (\n    {answers.typed[it.id]!r}\n)"
        elif it.type == "written" and answers.written.get(it.id):
            cell["source"] = answers.written[it.id]
    (dest / f"{a}.ipynb").write_text(json.dumps(nb, indent=1, ensure_ascii=False),
                                     encoding="utf-8")
    if answers.widgets:
        store = AnswerStore(dest / ANSWERS)
        for item, answer in answers.widgets.items():
            store.record(bank.lab, item, answer, None, 0.0)
    return dest


def _right(it):
    if it.type == "choice":
        return it.key
    if it.type in ("ranking", "categorize"):
        return list(it.key)
    if it.type == "typed":
        v = it.accept[0] if it.accept else it.number.value
        return int(v) if isinstance(v, float) and v.is_integer() else v
    return None


def _wrong(it, rng: random.Random):
    if it.type == "choice":
        return rng.choice([i for i in range(len(it.options)) if i != it.key])
    if it.type == "ranking":
        ranks = list(it.key)
        rng.shuffle(ranks)
        return ranks if ranks != list(it.key) else [len(ranks) + 1 - r for r in it.key]
    if it.type == "categorize":
        cats = [c.id for c in it.categories]
        return [rng.choice(cats) for _ in it.statements]
    if it.type == "typed":
        return "not sure"
    return None


def random_class(bank: GradedBank, n: int, seed: int = 0, prefix: str = "s"
                 ) -> dict[str, Answers]:
    """``n`` students, ids ``s0000``..., each with an ability drawn at random; each item is
    answered right with that probability (else wrong, or now and then not at all). Written items
    get the model answer or a short weak answer."""
    rng = random.Random(seed)
    width = max(4, len(str(n - 1)))
    out = {}
    for k in range(n):
        ability = rng.uniform(0.2, 0.95)
        ans = Answers()
        for it in bank.items:
            roll = rng.random()
            if roll > 0.97:
                continue                                   # not answered
            right = roll < ability
            if it.type in WIDGET_TYPES:
                ans.widgets[it.id] = _right(it) if right else _wrong(it, rng)
            elif it.type == "typed":
                ans.typed[it.id] = _right(it) if right else _wrong(it, rng)
            else:
                ans.written[it.id] = it.model_answer if right else \
                    "It sounds like a lot is going on for you right now."
        out[f"{prefix}{k:0{width}d}"] = ans
    return out
