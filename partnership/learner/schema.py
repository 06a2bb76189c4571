"""Scenario banks for the practice labs, kept as data (YAML files in ``partnership/learner/banks``).

The format is documented in ``partnership/learner/banks/FORMAT.md``. Loading a bank validates it; a bank
that cannot be used raises :class:`BankError` whose message names the file, the item id and the
field, so an author can fix it without reading a traceback.

Also here, because every kind of item needs them: :func:`display_order` (the stable shuffled
order in which widgets show options and statements), :func:`is_full_ranking` (the one "ranks
1..n, each once" check), :func:`cue_statistics` (how well guessing by length, position or
absolute words would score, for any items with one key: practice, self-check or graded) and
:func:`overlaps` (graded texts that repeat practice texts).

This is the authoring schema (pydantic): it checks a bank and hands back the plain records of
:mod:`partnership.learner.items` (``ChoiceItem``... below are those records, and
``display_order``, ``is_full_ranking``, ``practice_items`` live there too), which is all the labs,
scoring and progress use. The pydantic models (``...Spec``) stay here, so that importing a lab
never imports pydantic, and the in-browser labs can run where pydantic does not exist.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import (BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator,
                      model_validator)

from partnership.learner.files import yaml_files
from partnership.validation import error_location, load_yaml, require_unique_ids

from partnership.learner.items import (BANK_DIR, FREE_TEXT_KINDS, SKILLS,  # noqa: F401
                                       asks_for,
                                       BankError, CategorizeItem, ChoiceItem, FreeTextItem,
                                       RankingItem, count_by_skill, display_order,
                                       is_full_ranking, item_from_dict, practice_items)

Skill = Literal["empathy", "mi_reflections", "boundaries", "alliance", "ruptures",
                "confidentiality"]

_ID = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
_Text = Annotated[str, Field(min_length=1)]
_Why = Annotated[str, Field(min_length=10)]
_Key = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_:-]*$")]


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


class ChoiceOptionSpec(_Strict):
    text: _Text
    correct: bool = False
    feedback: _Why


class ChoiceSpec(_ItemBase):
    type: Literal["choice"]
    options: list[ChoiceOptionSpec] = Field(min_length=2, max_length=6)

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


class RankOptionSpec(_Strict):
    text: _Text
    rank: int = Field(ge=1)
    feedback: _Why


class RankingSpec(_ItemBase):
    type: Literal["ranking"]
    options: list[RankOptionSpec] = Field(min_length=3, max_length=6)

    @model_validator(mode="after")
    def _check(self):
        self._needs_material()
        ranks = [o.rank for o in self.options]
        if not is_full_ranking(ranks, len(self.options)):
            raise ValueError(f"options.rank: ranks must be 1..{len(self.options)} each used once,"
                             f" found {sorted(ranks)}")
        return self

    @property
    def correct_index(self) -> int:
        """The option ranked first (the "key" a test-wise guesser is after)."""
        return next(i for i, o in enumerate(self.options) if o.rank == 1)


class Category(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    label: _Text
    description: str | None = None


class StatementSpec(_Strict):
    text: _Text
    category: str
    feedback: _Why


def category_ids(categories) -> list[str]:
    """The categories' ids, refusing duplicates (practice and graded sorting items alike)."""
    ids = [c.id for c in categories]
    if len(set(ids)) != len(ids):
        raise ValueError(f"categories: duplicate category id in {ids}")
    return ids


class CategorizeSpec(_ItemBase):
    type: Literal["categorize"]
    categories: list[Category] = Field(min_length=2, max_length=5)
    statements: list[StatementSpec] = Field(min_length=2, max_length=10)

    @model_validator(mode="after")
    def _check(self):
        ids = category_ids(self.categories)
        for i, s in enumerate(self.statements):
            if s.category not in ids:
                raise ValueError(f"statements.{i}.category: {s.category!r} is not one of {ids}")
        return self


class FreeTextSpec(_ItemBase):
    type: Literal["free_text"]
    # reflection, question, or any response at all with no roadblock ("Respond without
    # advising or reassuring")
    target: Literal["reflection", "question", "any"] = "reflection"
    kind: Literal["open", "closed", "simple", "complex"] | None = None
    question: str | None = Field(default=None, min_length=1)
    model_answers: list[_Text] = Field(min_length=1, max_length=5)
    feedback: _Why

    @model_validator(mode="after")
    def _check(self):
        self._needs_material()
        allowed = FREE_TEXT_KINDS[self.target]
        if self.kind is not None and self.kind not in allowed:
            raise ValueError(f"kind: {self.kind!r} does not fit target {self.target!r} "
                             f"(allowed: {', '.join(allowed) or 'none: leave kind out'})")
        return self

    @property
    def asks_for(self) -> str:
        return asks_for(self.target, self.kind)


Item = Annotated[Union[ChoiceSpec, RankingSpec, CategorizeSpec, FreeTextSpec],
                 Field(discriminator="type")]


class BankSpec(_Strict):
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


def error_message(data, err, tags: tuple[str, ...] = ITEM_TYPES) -> str:
    """One pydantic error as '<item id>, field <a.b>: <message>' (``tags``: the item types,
    which pydantic puts into the locations of a tagged union)."""
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
    return f"{error_location(data, loc, tags=tags)}: {msg}"


@dataclass(frozen=True)
class Bank:
    """A validated bank: its header and its items as plain records."""
    version: int
    kind: str
    items: tuple


def parse_bank(data, name: str = "<bank>") -> Bank:
    """Validate already-parsed YAML data; ``name`` is used in error messages."""
    try:
        spec = BankSpec.model_validate(data)
    except ValidationError as exc:
        msgs = [f"{name}: {error_message(data, e)}" for e in exc.errors()]
        raise BankError("\n".join(msgs)) from exc
    return Bank(spec.version, spec.kind,
                tuple(item_from_dict(it.model_dump(), name) for it in spec.items))


def load_bank(path: str | Path) -> Bank:
    """Read and validate one bank file."""
    path = Path(path)
    data = load_yaml(path, BankError, "bank file")
    return parse_bank(data, str(path))


def bank_files(paths=None) -> list[Path]:
    """The *.yml/*.yaml files named or inside the folders named (default: the shipped banks)."""
    return yaml_files(paths, BANK_DIR)


def add_bank(bank: Bank, path: Path, items: list, errors: list[str], where: dict) -> None:
    """Add a loaded bank's items to ``items`` (recording each item's file in ``where``),
    refusing a graded bank inside the package and an id already used in another file."""
    if bank.kind == "graded" and BANK_DIR in Path(path).resolve().parents:
        errors.append(f"{path}: field kind: graded banks must not ship inside the package")
        return
    for it in bank.items:
        if it.id in where:
            errors.append(f"{path}: item {it.id}, field id: duplicate id, also in {where[it.id]}")
            continue
        where[it.id] = path
        items.append(it)


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
        add_bank(bank, f, items, errors, where)
    return items, errors


# ------------------------------------------------------------------ cue statistics
#
# A test-wise learner who knows nothing about the subject can still beat chance if answer keys
# follow a pattern: the key is the longest (most qualified) option, it sits in one position, or
# the wrong options give themselves away with absolute words ("always", "never"). These
# statistics measure each cue over a set of items; ``partnership check-banks`` and
# ``partnership check-quizzes`` print them and fail when a cue beats chance by more than the
# limits below. They take any items with option texts and one key, so the same function serves
# practice items, the book's self-check questions and (given their keys) graded items.

#: Words that make an option easy to rule out without knowing the subject.
ABSOLUTE_WORDS = re.compile(
    r"\b(always|never|only|all|every|everyone|everything|none|nothing|no one|completely|"
    r"entirely|totally|must|guaranteed|certainly|definitely|impossible)\b", re.I)


@dataclass(frozen=True)
class Keyed:
    """One item as a guesser sees it: the option texts in the order shown and the key's place."""
    ref: str                    # where it is, for messages ("alliance.yml: item all-003")
    texts: tuple[str, ...]      # in display order
    key: int                    # index of the key in ``texts``


def keyed(ref: str, texts, key: int, order: list[int] | None = None) -> Keyed:
    """A :class:`Keyed` from texts in the order written, the key's written index and the
    display order (``None``: shown as written)."""
    texts = [" ".join(str(t).split()) for t in texts]
    if order is None:
        return Keyed(ref, tuple(texts), key)
    return Keyed(ref, tuple(texts[i] for i in order), order.index(key))


def keyed_items(items, where: dict | None = None) -> list[Keyed]:
    """The choice and ranking items among ``items`` (practice items, or a grader's keyed items:
    anything with ``type``, ``id`` and ``options`` carrying ``correct`` or ``rank``), in the
    order their widgets show them; the first-ranked option is a ranking item's key. ``where``
    maps an item id to its file, for messages."""
    out = []
    for it in items:
        kind = getattr(it, "type", None)
        if kind == "choice":
            flags = [bool(getattr(o, "correct", False)) for o in it.options]
            key = flags.index(True) if flags.count(True) == 1 else None
        elif kind == "ranking":
            ranks = [getattr(o, "rank", None) for o in it.options]
            key = ranks.index(1) if 1 in ranks else None
        else:
            continue
        if key is None:                 # texts without keys (a released items.yml)
            continue
        ref = f"{where[it.id]}: item {it.id}" if where and it.id in where else f"item {it.id}"
        out.append(keyed(ref, [o.text for o in it.options], key,
                         display_order(it.id, len(it.options))))
    return out


@dataclass(frozen=True)
class CueLimits:
    """The most a cue may help a guesser before a check fails. Why these numbers:

    - ``min_items`` 10: below ten items one item moves a share by more than ten points, so
      the shares are printed but not judged.
    - ``longest`` and ``shortest`` 1/3: picking the longest (or shortest) option should do no
      better than a blind guess among three options. With four options chance is 1/4, so 1/3
      leaves room for honest variation in a hundred items (one standard error is about 4
      points) but not for a habit: the shipped items had the key longest in 79% of them.
    - ``position_excess`` 0.10: for each position (A, B, ...) the share of keys there may differ
      from what a fair shuffle gives (1/4 for A in four-option items) by at most ten points,
      about two standard errors at a hundred items. Too many keys in one place helps a guesser;
      too few lets them rule that place out.
    - ``ratio`` 0.8-1.25: on average the key is within a quarter of the length of the other
      options; ``item_ratio`` 0.5-2.0: no single key is half or twice their mean length.
    - ``position_max``: the largest share of keys any one position may hold (only used for
      :data:`FILE_LIMITS`).
    - ``absolute_excess`` 0.10: ruling out options with absolute words ("always", "never",
      "only") and guessing among the rest may beat a blind guess by at most ten points.
    """
    min_items: int = 10
    longest: float = 1 / 3
    shortest: float = 1 / 3
    position_excess: float = 0.10
    position_max: float = 1.0
    ratio: tuple[float, float] = (0.8, 1.25)
    item_ratio: tuple[float, float] = (0.5, 2.0)
    absolute_excess: float = 0.10


#: Limits for one small file (a chapter's self-check of about eight questions), where the
#: shares are too noisy for the limits above: no more than half the keys longest, shortest or
#: in one position. The pooled limits apply to all files together.
#: (Single items' length ratios are judged with the pooled limits, so not here.)
FILE_LIMITS = CueLimits(min_items=4, longest=0.5, shortest=0.5, position_excess=1.0,
                        position_max=0.5,
                        ratio=(0.0, float("inf")), item_ratio=(0.0, float("inf")),
                        absolute_excess=1.0)


@dataclass
class CueStats:
    """What each guessing strategy would score on a set of items, against blind guessing."""
    n: int = 0
    chance: float = 0.0                 # mean of 1/k: the blind guesser's expected score
    longest: float = 0.0                # share of items whose key is the longest (ties split)
    shortest: float = 0.0               # share whose key is the shortest (ties split)
    positions: list[int] = field(default_factory=list)     # keys at A, B, C, ...
    expected: list[float] = field(default_factory=list)    # share a fair shuffle puts there
    ratio_mean: float = 1.0             # mean of key length / mean distractor length
    ratio_median: float = 1.0
    ratio_outliers: list[tuple[str, float]] = field(default_factory=list)
    absolute_score: float = 0.0         # expected score of "rule out absolute words, guess"
    limits: CueLimits = field(default_factory=CueLimits)

    def share(self, p: int) -> float:
        return self.positions[p] / self.n if self.n else 0.0

    def problems(self) -> list[str]:
        """What breaks the limits (empty when the set passes or is too small to judge)."""
        lim, out = self.limits, []
        lo, hi = lim.item_ratio
        for ref, r in self.ratio_outliers:
            out.append(f"{ref}: the key is {r:.2f} times the mean length of the other options "
                       f"(allowed {lo:g} to {hi:g})")
        if self.n < lim.min_items:
            return out
        if self.longest > lim.longest + 1e-9:
            out.append(f"the key is the longest option in {self.longest:.0%} of items "
                       f"(at most {lim.longest:.0%})")
        if self.shortest > lim.shortest + 1e-9:
            out.append(f"the key is the shortest option in {self.shortest:.0%} of items "
                       f"(at most {lim.shortest:.0%})")
        for p, exp in enumerate(self.expected):
            if abs(self.share(p) - exp) > lim.position_excess + 1e-9:
                out.append(f"{self.share(p):.0%} of keys are at {chr(65 + p)}, where a fair "
                           f"shuffle puts {exp:.0%} (allowed within {lim.position_excess:.0%})")
            elif self.share(p) > lim.position_max + 1e-9:
                out.append(f"{self.share(p):.0%} of keys are at {chr(65 + p)} (at most "
                           f"{lim.position_max:.0%})")
        lo, hi = lim.ratio
        if not lo - 1e-9 <= self.ratio_mean <= hi + 1e-9:
            out.append(f"on average the key is {self.ratio_mean:.2f} times the length of the "
                       f"other options (allowed {lo:g} to {hi:g})")
        if self.absolute_score - self.chance > lim.absolute_excess + 1e-9:
            out.append(f"ruling out options with absolute words scores {self.absolute_score:.0%}"
                       f" against {self.chance:.0%} by chance (allowed "
                       f"{lim.absolute_excess:.0%} more)")
        return out

    def lines(self) -> list[str]:
        """The statistics, for people."""
        if not self.n:
            return ["no items with a single key"]
        pos = ", ".join(f"{chr(65 + p)} {c} ({self.share(p):.0%}; fair {e:.0%})"
                        for p, (c, e) in enumerate(zip(self.positions, self.expected)))
        out = [f"items with a key: {self.n}; blind guessing scores {self.chance:.0%}",
               f"key is the longest option: {self.longest:.0%} of items "
               f"(limit {self.limits.longest:.0%})",
               f"key is the shortest option: {self.shortest:.0%} of items "
               f"(limit {self.limits.shortest:.0%})",
               f"keys by position: {pos}",
               f"key length / other options' mean length: mean {self.ratio_mean:.2f}, "
               f"median {self.ratio_median:.2f}",
               f"ruling out absolute words ('always', 'never', ...) scores "
               f"{self.absolute_score:.0%}"]
        if self.n < self.limits.min_items:
            out.append(f"(fewer than {self.limits.min_items} items: shares shown, not judged)")
        return out


def cue_statistics(records, limits: CueLimits | None = None) -> CueStats:
    """Measure the guessing cues over ``records`` (:class:`Keyed`, e.g. from
    :func:`keyed_items` or ``partnership.book.quizdata.keyed_questions``)."""
    records = list(records)
    st = CueStats(limits=limits or CueLimits())
    if not records:
        return st
    st.n = len(records)
    width = max(len(r.texts) for r in records)
    st.positions = [0] * width
    st.expected = [0.0] * width
    ratios = []
    chance = longest = shortest = absolute = 0.0
    lo, hi = st.limits.item_ratio
    for r in records:
        k = len(r.texts)
        lengths = [len(t) for t in r.texts]
        chance += 1 / k
        # a guesser who picks the longest (shortest) option and breaks ties at random
        longest += (lengths[r.key] == max(lengths)) / lengths.count(max(lengths))
        shortest += (lengths[r.key] == min(lengths)) / lengths.count(min(lengths))
        st.positions[r.key] += 1
        for p in range(k):
            st.expected[p] += 1 / k
        others = [n for i, n in enumerate(lengths) if i != r.key]
        ratio = lengths[r.key] / (sum(others) / len(others)) if others and sum(others) else 1.0
        ratios.append(ratio)
        if not lo <= ratio <= hi:
            st.ratio_outliers.append((r.ref, ratio))
        plain = [i for i, t in enumerate(r.texts) if not ABSOLUTE_WORDS.search(t)]
        pool = plain or list(range(k))
        absolute += (r.key in pool) / len(pool)
    st.chance = chance / st.n
    st.longest = longest / st.n
    st.shortest = shortest / st.n
    st.expected = [e / st.n for e in st.expected]
    st.ratio_mean = statistics.fmean(ratios)
    st.ratio_median = statistics.median(ratios)
    st.absolute_score = absolute / st.n
    return st


# ------------------------------------------------------------------ graded vs practice texts

#: Graded and practice texts sharing this many words in a row count as overlapping (seven: six
#: still matches stock openings such as "What do you make of the ...").
OVERLAP_WORDS = 7
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def _words(text: str) -> list[str]:
    return _WORD.findall(str(text).lower().replace("\u2019", "'").replace("\u2018", "'"))


def item_texts(item) -> list[tuple[str, str]]:
    """(field, text) for everything a learner reads that is specific to ``item``: the client's
    words, the vignette, the clinician's question, each option and statement, and model
    answers. Prompts and titles are left out: they are generic ("Which response is a
    reflection?") and would match everywhere."""
    out = []
    for name in ("client", "vignette", "question"):
        if getattr(item, name, None):
            out.append((name, getattr(item, name)))
    for coll in ("options", "statements"):
        for i, x in enumerate(getattr(item, coll, None) or []):
            out.append((f"{coll}.{i}.text", x.text))
    for i, a in enumerate(getattr(item, "model_answers", None) or []):
        out.append((f"model_answers.{i}", a))
    return out


def overlaps(graded, practice, words: int = OVERLAP_WORDS) -> list[str]:
    """Where a graded item's text repeats a practice item's: the same text, or ``words`` words
    in a row in common (case and punctuation ignored). A learner who met the practice item
    (with its key and feedback) would recognise the graded one, so the graded item would test
    memory of the practice bank rather than the skill. ``graded`` and ``practice`` are items
    of any kind with the fields :func:`item_texts` reads; returns one message per clash."""
    runs: dict[tuple, str] = {}
    whole: dict[tuple, str] = {}
    for it in practice:
        for fld, text in item_texts(it):
            w = _words(text)
            whole.setdefault(tuple(w), f"{it.id}, {fld}")
            for i in range(len(w) - words + 1):
                runs.setdefault(tuple(w[i:i + words]), f"{it.id}, {fld}")
    out = []
    for it in graded:
        for fld, text in item_texts(it):
            w = _words(text)
            hit = whole.get(tuple(w)) if len(w) >= 3 else None
            shared = " ".join(w)
            if hit is None:
                for i in range(len(w) - words + 1):
                    if tuple(w[i:i + words]) in runs:
                        hit = runs[tuple(w[i:i + words])]
                        shared = " ".join(w[i:i + words])
                        break
            if hit:
                out.append(f"graded item {it.id}, {fld}: repeats practice item {hit} "
                           f"(\"{shared}\")")
    return out
