"""An instructor's graded bank: the items of one assignment *with* their keys (YAML, ``kind: graded``).

This is the one source of truth for a graded assignment. ``partnership assignment build`` turns it
into an nbgrader source assignment (:mod:`partnership.grader.build`): the notebook, the released
``items.yml`` (the same items with every key taken out, validated by the learner's own schema in
:mod:`partnership.learner.assignment`) and a copy of the bank in the course's ``keys/`` folder,
which only the grader reads (:mod:`partnership.grader.autograde`).

The keys, per item type:

- ``choice``: ``correct: true`` on exactly one option;
- ``ranking``: ``rank`` on every option (1 = best, each rank once);
- ``categorize``: ``category`` on every statement (one of the categories' ids);
- ``typed``: either ``accept`` (the accepted answers; case, spacing and a final full stop are
  ignored) or ``number`` (``value`` and an optional ``tolerance``);
- ``written``: ``model_answer`` and ``rubric`` (for the person marking), and ``coach: true`` to
  show the grader the reflection coach's suggestion;
- ``conversation``: a conversation with a simulated client of the conversation lab
  (``client_id``, at least ``turns`` turns), marked by hand with the ``rubric``; the grader's
  notes hold the transcript, rebuilt from the student's turns, and a MITI-style summary.

Every item has ``points``. The format is documented in ``exercises/README.md``; the repository's
three worked examples are ``exercises/*.yml``. Because the repository is public, so are their keys.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from partnership.learner.schema import (BankError, Category, Skill, category_ids, error_message,
                                        is_full_ranking)
from partnership.validation import require_unique_ids

__all__ = ["GradedBank", "load_bank", "parse_bank", "released", "BankError", "WIDGET_TYPES",
           "MANUAL_TYPES"]

WIDGET_TYPES = ("choice", "ranking", "categorize")
ITEM_TYPES = ("choice", "ranking", "categorize", "typed", "written", "conversation")
#: marked by hand (no autograded points)
MANUAL_TYPES = ("written", "conversation")
_Text = Annotated[str, Field(min_length=1)]
_Key = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_:-]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Item(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=40)
    skill: Skill
    topic: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str | None = Field(default=None, min_length=1, max_length=80)
    client: str | None = Field(default=None, min_length=1)
    vignette: str | None = Field(default=None, min_length=1)
    prompt: str = Field(min_length=5)
    caveat: str | None = Field(default=None, min_length=10)
    #: bibliography keys, for the instructor: never released (a citation key can give an
    #: answer away, e.g. "tarasoff1976" under a question whose answer is 1976)
    source: list[_Key] = Field(default_factory=list)
    points: float = Field(gt=0, le=1000)

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, v):
        return [v] if isinstance(v, str) else v


class KeyedOption(_Strict):
    text: _Text
    correct: bool = False


class RankedOption(_Strict):
    text: _Text
    rank: int = Field(ge=1)


class SortedStatement(_Strict):
    text: _Text
    category: str


class Number(_Strict):
    value: float
    tolerance: float = Field(default=0.0, ge=0)


def _material(item) -> None:
    if not (item.client or item.vignette):
        raise ValueError("client: give a client statement or a vignette (or both)")


class Choice(_Item):
    type: Literal["choice"]
    options: list[KeyedOption] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _check(self):
        _material(self)
        n = sum(o.correct for o in self.options)
        if n != 1:
            raise ValueError(f"options: exactly one option must have correct: true, found {n}")
        return self

    @property
    def key(self) -> int:
        return next(i for i, o in enumerate(self.options) if o.correct)


class Ranking(_Item):
    type: Literal["ranking"]
    options: list[RankedOption] = Field(min_length=3, max_length=6)

    @model_validator(mode="after")
    def _check(self):
        _material(self)
        ranks = [o.rank for o in self.options]
        if not is_full_ranking(ranks, len(ranks)):
            raise ValueError(f"options.rank: ranks must be 1..{len(ranks)}, each used "
                             f"once, found {sorted(ranks)}")
        return self

    @property
    def key(self) -> list[int]:
        return [o.rank for o in self.options]


class Categorize(_Item):
    type: Literal["categorize"]
    categories: list[Category] = Field(min_length=2, max_length=5)
    statements: list[SortedStatement] = Field(min_length=2, max_length=10)

    @model_validator(mode="after")
    def _check(self):
        ids = category_ids(self.categories)
        for i, s in enumerate(self.statements):
            if s.category not in ids:
                raise ValueError(f"statements.{i}.category: {s.category!r} is not one of {ids}")
        return self

    @property
    def key(self) -> list[str]:
        return [s.category for s in self.statements]


class Typed(_Item):
    """A short answer typed in the notebook's answer cell."""
    type: Literal["typed"]
    hint: str | None = Field(default=None, min_length=1)
    accept: list[_Text] | None = Field(default=None, min_length=1)
    number: Number | None = None

    @model_validator(mode="after")
    def _check(self):
        if (self.accept is None) == (self.number is None):
            raise ValueError("accept: give either accept (accepted answers) or number "
                             "(value and tolerance), not both")
        return self


class Written(_Item):
    """Written work in a Markdown cell, marked by hand."""
    type: Literal["written"]
    model_answer: _Text
    rubric: str = Field(min_length=10)
    #: show the grader the reflection coach's code and HRQ-style suggestion
    coach: bool = False


class Conversation(_Item):
    """A conversation with a simulated client, marked by hand with a rubric. The student's view
    (the released item) names the client, the turns and the points; the rubric stays here."""
    type: Literal["conversation"]
    client_id: str
    turns: int = Field(default=10, ge=1, le=40)
    #: fixes how the client phrases things, so every student meets the same client
    seed: int = Field(default=1, ge=0, le=1_000_000)
    rubric: str = Field(min_length=10)

    @field_validator("client_id")
    @classmethod
    def _known_client(cls, v):
        from partnership.learner.conversation.schema import known_client_id
        return known_client_id(v)


GradedItem = Annotated[Union[Choice, Ranking, Categorize, Typed, Written, Conversation],
                       Field(discriminator="type")]


class GradedBank(_Strict):
    version: Literal[1]
    kind: Literal["graded"]
    assignment: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)
    lab: str = Field(pattern=r"^graded-[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    #: the book chapter to read first (its file name without .md), named in the notebook's intro
    chapter: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    #: optional extra Markdown for the notebook's introduction
    intro: str | None = Field(default=None, min_length=1)
    items: list[GradedItem] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _unique_ids(cls, items):
        return require_unique_ids(items)

    def item(self, item_id: str):
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(f"no item {item_id!r} in assignment {self.assignment!r} "
                       f"(it has {', '.join(i.id for i in self.items)})")

    @property
    def total(self) -> float:
        return sum(i.points for i in self.items)


def parse_bank(data, name: str = "<bank>") -> GradedBank:
    """Validate parsed YAML; errors name the file (``name``), the item id and the field."""
    if isinstance(data, dict) and data.get("kind") != "graded":
        raise BankError(f"{name}: field kind: a graded bank has kind: graded "
                        f"(found {data.get('kind')!r})")
    try:
        return GradedBank.model_validate(data)
    except ValidationError as exc:
        raise BankError("\n".join(f"{name}: {error_message(data, e, ITEM_TYPES)}"
                                  for e in exc.errors())) from exc


def load_bank(path: str | Path) -> GradedBank:
    """Read and validate an instructor's bank file."""
    from partnership.validation import load_yaml
    path = Path(path)
    return parse_bank(load_yaml(path, BankError, what="graded bank"), str(path))


# ------------------------------------------------------------------ the released items

_KEY_FIELDS = {"correct", "rank", "category", "accept", "number", "model_answer", "rubric",
               "coach", "source", "points"}


def released(bank: GradedBank) -> dict:
    """The items file nbgrader releases to students: every item's texts, no key.

    Written items keep their points (the student is told what the answer is worth). The result is
    checked with the learner's own schema, so what is released is exactly what the student's
    notebook can show."""
    from partnership.learner.assignment import parse_graded

    items = []
    for it in bank.items:
        d = it.model_dump(exclude_none=True, exclude=_KEY_FIELDS)
        if it.type in ("choice", "ranking"):
            d["options"] = [{"text": o.text} for o in it.options]
        if it.type == "categorize":
            d["statements"] = [{"text": s.text} for s in it.statements]
        if it.type in MANUAL_TYPES:
            d["points"] = it.points
        items.append(d)
    out = {"version": 1, "kind": "graded", "lab": bank.lab, "title": bank.title, "items": items}
    parse_graded(out, f"released items of {bank.assignment}")
    return out


# ------------------------------------------------------------------ what must never leak

def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).replace("\u2019", "'")).strip().lower()


def secrets(bank: GradedBank) -> list[tuple[str, str]]:
    """(what, text) pairs that must not appear in anything a student can obtain: the model answers
    and the rubric lines, prose distinctive enough that finding it means it leaked. (Which option
    of a choice item is right cannot be found by searching text; the release schema refuses every
    key field instead. Short typed keys: :func:`short_keys`.)"""
    out = []
    for it in bank.items:
        if it.type == "written":
            out.append((f"{it.id} model answer", _norm(it.model_answer)[:120]))
        if it.type in MANUAL_TYPES:
            for line in it.rubric.splitlines():
                line = _norm(line)
                if len(line) >= 30:
                    out.append((f"{it.id} rubric", line))
    return out


def short_keys(bank: GradedBank) -> list[tuple[str, str]]:
    """The main key of each typed item, where it is three characters or more ("1976", "3.05",
    "2:1"). It may well be taught in the book; it must not appear in the assignment's release
    (the items file, the notebook's texts)."""
    out = []
    for it in bank.items:
        if it.type != "typed":
            continue
        key = _norm(it.accept[0]) if it.accept else f"{it.number.value:g}"
        if len(key) >= 3:
            out.append((f"{it.id} key", key))
    return out
