"""The practice items as plain, frozen records, and the cached list of shipped items.

Why a second module beside :mod:`partnership.learner.schema`: the labs run in two Pythons, the
learner's own CPython (JupyterLab) and Pyodide in the book's page (JupyterLite), where neither
pydantic nor PyYAML is available and every megabyte is downloaded by the reader. So the labs,
scoring and progress use only these records (standard library only, cheap to import), and the
authoring schema (pydantic, YAML) is imported only when a YAML bank is read:

- in CPython, :func:`practice_items` validates the YAML banks with the schema, and reloads them
  when a bank file changes (an instructor editing a bank sees the edit in a running session);
- in the browser there are no YAML files: the book build validates the same banks with the same
  schema and ships them as one JSON file (:data:`BUNDLE`), read here without pydantic. A bundle
  that does not fit these records (edited by hand, or from another version) is refused with a
  message naming the item and the field.
"""
from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, fields
from pathlib import Path

SKILLS: dict[str, str] = {
    "empathy": "Empathy",
    "mi_reflections": "Motivational interviewing: questions and reflections",
    "boundaries": "Boundary dilemmas",
    "alliance": "The working alliance: bond, goals and tasks",
    "ruptures": "Ruptures and repair",
    "confidentiality": "Confidentiality and its limits",
}

BANK_DIR = Path(__file__).resolve().parent / "banks"
#: The validated banks as JSON, written by the book build for the in-browser labs (never
#: committed; where YAML banks are present they win).
BUNDLE = BANK_DIR / "practice.json"
BUNDLE_FORMAT = "partnership-practice-banks"
BUNDLE_VERSION = 1


class BankError(ValueError):
    """A bank that cannot be used; the message names the file, the item id and the field."""


def is_full_ranking(ranks, n: int) -> bool:
    """Whether ``ranks`` gives n options the ranks 1..n, each once (whole numbers, not booleans).
    The one check used by the schema, the labs' scoring and the graded widgets."""
    return (isinstance(ranks, (list, tuple)) and len(ranks) == n
            and all(isinstance(r, int) and not isinstance(r, bool) for r in ranks)
            and sorted(ranks) == list(range(1, n + 1)))


def display_order(item_id: str, n: int) -> list[int]:
    """The order in which a widget shows an item's ``n`` options (or statements): a list of
    indices in the order written, shuffled with the item's id as the seed.

    Shuffled so that where an author put the answer gives nothing away; seeded so that every
    learner, every re-run and every Python (CPython, Pyodide) sees the same order. Answers are
    always saved by the index *as written*, never by the position shown, so this order can
    change without breaking a saved answer. ``random.Random(str)`` hashes the string with
    SHA-512, which does not depend on ``PYTHONHASHSEED``.
    """
    order = list(range(n))
    random.Random(item_id).shuffle(order)
    return order


#: what a free-text item may ask for, by target: the kinds the reflection coach tells apart
FREE_TEXT_KINDS = {"question": ("open", "closed"), "reflection": ("simple", "complex"),
                   "any": ()}


@dataclass(frozen=True)
class ItemBase:
    id: str
    skill: str
    prompt: str
    source: tuple[str, ...]
    topic: str | None = None
    title: str | None = None
    client: str | None = None
    vignette: str | None = None
    explanation: str | None = None
    caveat: str | None = None

    @property
    def heading(self) -> str:
        return self.title or self.id


@dataclass(frozen=True)
class ChoiceOption:
    text: str
    feedback: str
    correct: bool = False


@dataclass(frozen=True)
class ChoiceItem(ItemBase):
    options: tuple[ChoiceOption, ...] = ()
    type: str = "choice"

    @property
    def correct_index(self) -> int:
        return next(i for i, o in enumerate(self.options) if o.correct)


@dataclass(frozen=True)
class RankOption:
    text: str
    rank: int
    feedback: str


@dataclass(frozen=True)
class RankingItem(ItemBase):
    options: tuple[RankOption, ...] = ()
    type: str = "ranking"

    @property
    def correct_index(self) -> int:
        """The option ranked first (the "key" a test-wise guesser is after)."""
        return next(i for i, o in enumerate(self.options) if o.rank == 1)


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    description: str | None = None


@dataclass(frozen=True)
class Statement:
    text: str
    category: str
    feedback: str


@dataclass(frozen=True)
class CategorizeItem(ItemBase):
    categories: tuple[Category, ...] = ()
    statements: tuple[Statement, ...] = ()
    type: str = "categorize"


@dataclass(frozen=True)
class FreeTextItem(ItemBase):
    model_answers: tuple[str, ...] = ()
    feedback: str = ""
    # reflection, question, or any response at all with no roadblock ("Respond without
    # advising or reassuring"); ``kind`` narrows a question or reflection (FREE_TEXT_KINDS)
    target: str = "reflection"
    kind: str | None = None
    question: str | None = None
    type: str = "free_text"

    @property
    def asks_for(self) -> str:
        return asks_for(self.target, self.kind)


def asks_for(target: str, kind: str | None) -> str:
    """What a written task asks for, in words: "an open question", "a reflection", "a response
    with no roadblock" (the practice item and the bank schema both say it)."""
    if target == "any":
        return "a response with no roadblock (no advice, warning, reassurance, judgement...)"
    words = f"{kind} {target}" if kind else target
    return ("an " if words[0] in "aeiou" else "a ") + words


ITEM_CLASSES = {"choice": ChoiceItem, "ranking": RankingItem, "categorize": CategorizeItem,
                "free_text": FreeTextItem}
_PARTS = {"options": {"choice": ChoiceOption, "ranking": RankOption},
          "categories": {"categorize": Category}, "statements": {"categorize": Statement}}


def _record(cls, data, where: str):
    """``cls(**data)`` for a dict of already validated data, refusing unknown or missing
    fields with a message that says where."""
    if not isinstance(data, dict):
        raise BankError(f"{where}: expected a mapping, found {type(data).__name__}")
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise BankError(f"{where}, field {unknown[0]}: not a field of {cls.__name__}")
    try:
        return cls(**data)
    except TypeError as exc:        # a required field is missing
        raise BankError(f"{where}: {exc}") from None


def item_from_dict(data: dict, name: str = "<bank>"):
    """One item from a dict of validated data (the schema's output, or the bundle)."""
    if not isinstance(data, dict):
        raise BankError(f"{name}: an item is not a mapping")
    where = f"{name}: item {data.get('id', '?')}"
    cls = ITEM_CLASSES.get(data.get("type"))
    if cls is None:
        raise BankError(f"{where}, field type: {data.get('type')!r} is not one of "
                        f"{', '.join(ITEM_CLASSES)}")
    values = dict(data)
    for key, parts in _PARTS.items():
        if key in values:
            part = parts.get(values["type"])
            seq = values[key]
            if part is None or not isinstance(seq, (list, tuple)):
                raise BankError(f"{where}, field {key}: expected a list")
            values[key] = tuple(_record(part, x, f"{where}, field {key}.{i}")
                                for i, x in enumerate(seq))
    for key in ("source", "model_answers"):
        if key in values:
            if not isinstance(values[key], (list, tuple)) or \
                    not all(isinstance(x, str) for x in values[key]):
                raise BankError(f"{where}, field {key}: expected a list of texts")
            values[key] = tuple(values[key])
    if values.get("skill") not in SKILLS:
        raise BankError(f"{where}, field skill: {values.get('skill')!r} is not one of "
                        f"{', '.join(SKILLS)}")
    return _record(cls, values, where)


def item_to_dict(item) -> dict:
    """The item as JSON data (the inverse of :func:`item_from_dict`)."""
    out = {}
    for f in fields(item):
        v = getattr(item, f.name)
        if isinstance(v, tuple):
            v = [({g.name: getattr(x, g.name) for g in fields(x)}
                  if hasattr(x, "__dataclass_fields__") else x) for x in v]
        out[f.name] = v
    return out


# ---------------------------------------------------------------- the shipped items, cached

def write_bundle(path: Path, items, sources: dict[str, str]) -> Path:
    """Write validated items as the JSON bundle the in-browser labs read."""
    data = {"format": BUNDLE_FORMAT, "version": BUNDLE_VERSION, "sources": sources,
            "items": [item_to_dict(i) for i in items]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0), encoding="utf-8")
    return path


def read_bundle(path: Path = BUNDLE) -> list:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BankError(f"{path}: cannot read the banks bundle ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise BankError(f"{path}: not a banks bundle")
    if data.get("version") != BUNDLE_VERSION:
        raise BankError(f"{path}: banks bundle format {data.get('version')!r}; this package "
                        f"reads {BUNDLE_VERSION}")
    raw = data.get("items")
    if not isinstance(raw, list):
        raise BankError(f"{path}, field items: expected a list")
    return [item_from_dict(d, str(path)) for d in raw]


def _yaml_files() -> list[Path]:
    try:
        return sorted(p for p in BANK_DIR.iterdir()
                      if p.suffix in (".yml", ".yaml") and p.is_file())
    except OSError:
        return []


def _signature(files: list[Path]) -> tuple:
    out = []
    for p in files:
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((p.name, st.st_mtime_ns, st.st_size))
    return tuple(out)


_CACHE: dict[str, object] = {}


def practice_items(skill: str | None = None) -> list:
    """The shipped practice items, optionally only those of one skill.

    Cached, and read again when a bank file is added, removed or changed (so an instructor's
    edit shows in a running session). Raises :class:`BankError` naming the file, the item and
    the field for a bank that cannot be used."""
    files = _yaml_files()
    if files:
        sig = ("yaml", _signature(files))
        if _CACHE.get("sig") != sig:
            from partnership.learner.schema import load_banks   # pydantic: only here
            items, errors = load_banks()
            if errors:
                raise BankError("\n".join(errors))
            _CACHE.update(sig=sig, items=items)
    else:
        sig = ("bundle", _signature([BUNDLE]))
        if _CACHE.get("sig") != sig:
            if not BUNDLE.exists():
                raise BankError(f"{BANK_DIR}: no scenario banks (*.yml) and no {BUNDLE.name}")
            _CACHE.update(sig=sig, items=read_bundle(BUNDLE))
    items = _CACHE["items"]
    if skill is not None:
        if skill not in SKILLS:
            raise KeyError(f"unknown skill {skill!r}; choose one of {', '.join(SKILLS)}")
        items = [i for i in items if i.skill == skill]
    return list(items)


def count_by_skill(items) -> Counter:
    return Counter(i.skill for i in items)
