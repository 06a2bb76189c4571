"""Scenario banks for the practice labs, kept as data (YAML files in ``partnership/learner/banks``).

The format is documented in ``partnership/learner/banks/FORMAT.md``. Loading a bank validates it; a bank
that cannot be used raises :class:`BankError` whose message names the file, the item id and the
field, so an author can fix it without reading a traceback.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from pydantic import (BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator,
                      model_validator)

from partnership.validation import error_location, require_unique_ids

SKILLS: dict[str, str] = {
    "empathy": "Empathy",
    "mi_reflections": "Motivational interviewing: questions and reflections",
    "boundaries": "Boundary dilemmas",
    "alliance": "The working alliance: bond, goals and tasks",
    "ruptures": "Ruptures and repair",
    "confidentiality": "Confidentiality and its limits",
}
Skill = Literal["empathy", "mi_reflections", "boundaries", "alliance", "ruptures",
                "confidentiality"]

BANK_DIR = Path(__file__).resolve().parent / "banks"

_ID = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
_Text = Annotated[str, Field(min_length=1)]
_Why = Annotated[str, Field(min_length=10)]
_Key = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_:-]*$")]


class BankError(ValueError):
    """A bank that cannot be used; the message names the file, the item id and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _ItemBase(_Strict):
    id: str = Field(pattern=_ID, max_length=40)
    skill: Skill
    topic: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str | None = Field(default=None, min_length=1, max_length=80)
    client: str | None = Field(default=None, min_length=1)
    vignette: str | None = Field(default=None, min_length=1)
    prompt: str = Field(min_length=5)
    explanation: str | None = Field(default=None, min_length=10)
    caveat: str | None = Field(default=None, min_length=10)
    source: list[_Key] = Field(min_length=1)

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, v):
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _common(self):
        if self.skill == "confidentiality" and not self.caveat:
            raise ValueError("caveat: confidentiality items need a jurisdiction caveat")
        return self

    def _needs_material(self):
        if not (self.client or self.vignette):
            raise ValueError("client: give a client statement or a vignette (or both)")

    @property
    def heading(self) -> str:
        return self.title or self.id


class ChoiceOption(_Strict):
    text: _Text
    correct: bool = False
    feedback: _Why


class ChoiceItem(_ItemBase):
    type: Literal["choice"]
    options: list[ChoiceOption] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _check(self):
        self._needs_material()
        n = sum(o.correct for o in self.options)
        if n != 1:
            raise ValueError(f"options: exactly one option must be correct, found {n}")
        return self

    @property
    def correct_index(self) -> int:
        return next(i for i, o in enumerate(self.options) if o.correct)


class RankOption(_Strict):
    text: _Text
    rank: int = Field(ge=1)
    feedback: _Why


class RankingItem(_ItemBase):
    type: Literal["ranking"]
    options: list[RankOption] = Field(min_length=3, max_length=6)

    @model_validator(mode="after")
    def _check(self):
        self._needs_material()
        ranks = sorted(o.rank for o in self.options)
        if ranks != list(range(1, len(self.options) + 1)):
            raise ValueError(f"options.rank: ranks must be 1..{len(self.options)} each used once,"
                             f" found {ranks}")
        return self


class Category(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    label: _Text
    description: str | None = None


class Statement(_Strict):
    text: _Text
    category: str
    feedback: _Why


def category_ids(categories) -> list[str]:
    """The categories' ids, refusing duplicates (practice and graded sorting items alike)."""
    ids = [c.id for c in categories]
    if len(set(ids)) != len(ids):
        raise ValueError(f"categories: duplicate category id in {ids}")
    return ids


class CategorizeItem(_ItemBase):
    type: Literal["categorize"]
    categories: list[Category] = Field(min_length=2, max_length=5)
    statements: list[Statement] = Field(min_length=2, max_length=10)

    @model_validator(mode="after")
    def _check(self):
        ids = category_ids(self.categories)
        for i, s in enumerate(self.statements):
            if s.category not in ids:
                raise ValueError(f"statements.{i}.category: {s.category!r} is not one of {ids}")
        return self


class FreeTextItem(_ItemBase):
    type: Literal["free_text"]
    target: Literal["reflection", "question"] = "reflection"
    question: str | None = Field(default=None, min_length=1)
    model_answers: list[_Text] = Field(min_length=1, max_length=5)
    feedback: _Why

    @model_validator(mode="after")
    def _check(self):
        self._needs_material()
        return self


Item = Annotated[Union[ChoiceItem, RankingItem, CategorizeItem, FreeTextItem],
                 Field(discriminator="type")]


class Bank(_Strict):
    version: Literal[1]
    kind: Literal["practice", "graded"] = "practice"
    items: list[Item] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _unique_ids(cls, items):
        return require_unique_ids(items)


_ItemAdapter = TypeAdapter(Item)
#: discriminator values pydantic puts into error locations of the Item union
ITEM_TYPES = ("choice", "ranking", "categorize", "free_text")


def _message(data, err) -> str:
    msg = err["msg"]
    # our model validators put the field first ("options: ..."): move it into the location
    loc = list(err["loc"])
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc.append("type")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
        head, sep, rest = msg.partition(": ")
        if sep and " " not in head:
            loc += head.split(".")
            msg = rest
    return f"{error_location(data, loc, tags=ITEM_TYPES)}: {msg}"


def parse_bank(data, name: str = "<bank>") -> Bank:
    """Validate already-parsed YAML data; ``name`` is used in error messages."""
    try:
        return Bank.model_validate(data)
    except ValidationError as exc:
        msgs = [f"{name}: {_message(data, e)}" for e in exc.errors()]
        raise BankError("\n".join(msgs)) from exc


def load_bank(path: str | Path) -> Bank:
    """Read and validate one bank file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BankError(f"{path}: cannot read bank file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise BankError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except yaml.YAMLError as exc:
        raise BankError(f"{path}: not valid YAML ({exc})") from exc
    return parse_bank(data, str(path))


def bank_files(paths=None) -> list[Path]:
    """The *.yml/*.yaml files named or inside the folders named (default: the shipped banks)."""
    paths = [BANK_DIR] if not paths else [Path(p) for p in paths]
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(q for q in p.iterdir()
                            if q.suffix in (".yml", ".yaml") and q.is_file())
        else:
            files.append(p)
    return files


def load_banks(paths=None) -> tuple[list, list[str]]:
    """Load every bank in ``paths``; return (items, errors). Checks ids are unique across files
    and that no graded bank sits inside the package."""
    items, errors, where = [], [], {}
    for f in bank_files(paths):
        try:
            bank = load_bank(f)
        except BankError as exc:
            errors.append(str(exc))
            continue
        if bank.kind == "graded" and BANK_DIR in f.resolve().parents:
            errors.append(f"{f}: field kind: graded banks must not ship inside the package")
            continue
        for it in bank.items:
            if it.id in where:
                errors.append(f"{f}: item {it.id}, field id: duplicate id, also in {where[it.id]}")
                continue
            where[it.id] = f
            items.append(it)
    return items, errors


_CACHE: dict[str, list] = {}


def practice_items(skill: str | None = None) -> list:
    """The shipped practice items (cached), optionally only those of one skill."""
    if "all" not in _CACHE:
        items, errors = load_banks()
        if errors:
            raise BankError("\n".join(errors))
        _CACHE["all"] = items
    items = _CACHE["all"]
    if skill is not None:
        if skill not in SKILLS:
            raise KeyError(f"unknown skill {skill!r}; choose one of {', '.join(SKILLS)}")
        items = [i for i in items if i.skill == skill]
    return items


def count_by_skill(items) -> Counter:
    return Counter(i.skill for i in items)
