"""The student's view of a graded assignment: its items (texts only), widgets and checks.

An nbgrader assignment built by ``partnership assignment build`` releases a notebook and an
``items.yml`` holding the texts of its items and **no answer keys** (the keys stay in the
instructor's bank, read only by the grader: :mod:`partnership.grader`). Locked cells show an item
and check that it is answered::

    from partnership.learner.assignment import show, check
    show("items.yml", "emp-g1")
    check("items.yml", "emp-g1")

For ``choice``, ``ranking`` and ``categorize`` items the widget saves the learner's answer in the
saved-answer file of the practice labs (``my.partnership-answers.json`` beside the notebook,
:mod:`partnership.learner.store`), under the bank's ``lab`` name (e.g. ``graded-empathy``), with
``score`` None: nothing here knows whether an answer is right. ``typed`` and ``written`` items only
show their material; the learner answers in the notebook cell that follows (a code cell holding a
quoted answer, a Markdown cell for written work marked by hand).

Answers are saved in the practice-lab format (``partnership/learner/banks/FORMAT.md``): the
0-based index of the chosen option; the rank given to each option, in the order written; the
category id chosen for each statement, in the order written (``None`` for unsorted). The
widgets show options and statements in a fixed shuffled order (seeded by the item id), so the
letters a learner sees are not the order written; what is saved is, so the grader's keys (in
the order written) are unaffected.

A ``conversation`` item is a conversation with a simulated client of the conversation lab
(:mod:`partnership.learner.conversation`), set by the instructor: :func:`converse` shows it, and
every turn is saved in the same answers file (the record format is in ``FORMAT.md``). The student
sees no codes and no summary; the grader rebuilds both from the student's turns.

Nothing a student runs here can change a grade: the grader never runs the student's notebook. It
reads the submitted answers file and the typed answers (parsed, never executed) and scores them
with the instructor's keys. :func:`check` and :func:`progress` only help the student submit
something complete; under nbgrader's Validate, :func:`check` and :func:`check_typed` raise for a
missing answer, so Validate lists what is missing.
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import Field, ValidationError, field_validator, model_validator

from partnership.learner.schema import (BankError, Category, _ItemBase, error_message, _Strict,
                                        category_ids, display_order, is_full_ranking)
from partnership.learner.store import AnswerStore, StoreError
from partnership.validation import load_yaml, require_unique_ids

__all__ = ["load_graded", "show", "progress", "check", "check_typed", "GradedBank",
           "answer_problem", "NotAnswered", "converse"]

_Text = Annotated[str, Field(min_length=1)]
_KEY_FIELDS = ("correct", "rank", "category", "feedback", "model_answers", "model_answer",
               "answer", "key", "accept", "number", "rubric", "coach")


class _GradedBase(_ItemBase):
    """The practice item's fields (id, skill, texts) minus anything that gives feedback or an
    answer away. No ``source`` either: the grader does not release it (a citation key such as
    "tarasoff1976" can give an answer away)."""
    source: None = None

    @model_validator(mode="before")
    @classmethod
    def _no_keys(cls, data):
        if isinstance(data, dict):
            for f in ("explanation", "source") + _KEY_FIELDS:
                if f in data:
                    raise ValueError(f"{f}: released items carry no answer keys or feedback "
                                     "(nbgrader releases this file); keys stay in the "
                                     "instructor's bank (partnership assignment build)")
        return data


class GradedOption(_Strict):
    text: _Text

    @model_validator(mode="before")
    @classmethod
    def _no_keys(cls, data):
        if isinstance(data, dict):
            for f in _KEY_FIELDS:
                if f in data:
                    raise ValueError(f"{f}: graded options carry no answer keys or feedback "
                                     "(nbgrader releases this file)")
        return data


class GradedStatement(GradedOption):
    pass


class GradedChoice(_GradedBase):
    type: Literal["choice"]
    options: list[GradedOption] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _check(self):
        self._needs_material()
        return self


class GradedRanking(_GradedBase):
    type: Literal["ranking"]
    options: list[GradedOption] = Field(min_length=3, max_length=6)

    @model_validator(mode="after")
    def _check(self):
        self._needs_material()
        return self


class GradedCategorize(_GradedBase):
    type: Literal["categorize"]
    categories: list[Category] = Field(min_length=2, max_length=5)
    statements: list[GradedStatement] = Field(min_length=2, max_length=10)

    @model_validator(mode="after")
    def _check(self):
        category_ids(self.categories)
        return self


class GradedTyped(_GradedBase):
    """A short answer typed in the code cell that follows (scored by a hidden test)."""
    type: Literal["typed"]
    hint: str | None = Field(default=None, min_length=1)


class GradedWritten(_GradedBase):
    """Written work in the Markdown cell that follows (graded by hand with a rubric)."""
    type: Literal["written"]
    points: float = Field(gt=0)


class GradedConversation(_GradedBase):
    """A conversation with a simulated client (``client_id``, from the conversation banks),
    at least ``turns`` turns long, marked by hand; ``seed`` fixes how the client phrases things."""
    type: Literal["conversation"]
    client_id: str = Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
    turns: int = Field(ge=1, le=40)
    seed: int = Field(default=1, ge=0, le=1_000_000)
    points: float = Field(gt=0)

    @field_validator("client_id")
    @classmethod
    def _known_client(cls, v):
        from partnership.learner.conversation.schema import known_client_id
        return known_client_id(v)


#: the released item types (pydantic puts them into error locations; error_message drops them)
GRADED_TYPES = ("choice", "ranking", "categorize", "typed", "written", "conversation")
GradedItem = Annotated[Union[GradedChoice, GradedRanking, GradedCategorize, GradedTyped,
                             GradedWritten, GradedConversation], Field(discriminator="type")]
WIDGET_TYPES = ("choice", "ranking", "categorize")
#: items the student answers in a widget (a conversation too), which the checks look for
SAVED_TYPES = WIDGET_TYPES + ("conversation",)


class GradedBank(_Strict):
    version: Literal[1]
    kind: Literal["graded"]
    lab: str = Field(pattern=r"^graded-[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    items: list[GradedItem] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _unique_ids(cls, items):
        return require_unique_ids(items)

    def item(self, item_id: str):
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(f"no item {item_id!r} in this assignment's items.yml "
                       f"(it has {', '.join(i.id for i in self.items)})")


def parse_graded(data, name: str = "<items.yml>") -> GradedBank:
    try:
        return GradedBank.model_validate(data)
    except ValidationError as exc:
        raise BankError("\n".join(f"{name}: {error_message(data, e, GRADED_TYPES)}"
                                  for e in exc.errors())) from exc


_CACHE: dict[tuple, GradedBank] = {}


def load_graded(path: str | Path = "items.yml") -> GradedBank:
    """Read and validate an assignment's items file (cached per path and modification time)."""
    path = Path(path)
    try:
        key = (str(path.resolve()), path.stat().st_mtime_ns)
    except OSError as exc:
        raise BankError(f"{path}: cannot read items file ({exc.strerror})") from exc
    if key not in _CACHE:
        data = load_yaml(path, BankError, "items file")
        _CACHE[key] = parse_graded(data, str(path))
    return _CACHE[key]


# ------------------------------------------------------------------ answers

def shown_order(item) -> list[int]:
    """The order in which the widget shows ``item``'s options or statements (indices as
    written; :func:`partnership.learner.schema.display_order`). Answers are saved by the index
    as written, so the hidden tests' keys (letters or indices in the order written) are
    unaffected by the shuffle."""
    n = len(getattr(item, "options", None) or getattr(item, "statements", None) or [])
    return display_order(item.id, n)


def answer_problem(item, answer) -> str | None:
    """Why ``answer`` is not a complete answer to ``item`` (None if it is complete). Says what
    is missing, never whether it is right."""
    if isinstance(item, GradedChoice):
        if isinstance(answer, bool) or not isinstance(answer, int) \
                or not 0 <= answer < len(item.options):
            return "choose one of the options"
        return None
    if isinstance(item, GradedRanking):
        n = len(item.options)
        if not isinstance(answer, list) or not is_full_ranking(answer, n):
            return f"give each response a different rank from 1 to {n}, using each rank once"
        return None
    if isinstance(item, GradedCategorize):
        ids = {c.id for c in item.categories}
        if not isinstance(answer, list) or len(answer) != len(item.statements):
            return "sort each statement into a category"
        # numbered as the widget shows the statements; anything but a category id (a list,
        # from a damaged file) is unsorted, never a crash
        missing = [k for k, i in enumerate(shown_order(item), 1)
                   if not isinstance(answer[i], str) or answer[i] not in ids]
        if missing:
            return "sort statement" + ("s " if len(missing) > 1 else " ") + \
                ", ".join(map(str, missing)) + " into a category"
        return None
    if isinstance(item, GradedConversation):
        from partnership.learner.conversation.engine import learner_turns
        if not isinstance(answer, dict) or answer.get("client") != item.client_id:
            return "hold the conversation in the widget above"
        n = len(learner_turns(answer))
        if n < item.turns:
            return f"hold at least {item.turns} turns (you have {n})"
        return None
    return None


# ------------------------------------------------------------------ widgets

def _esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def material_html(item) -> str:
    head = item.title or item.id
    parts = [f"<h3>{_esc(head)} <small>({_esc(item.id)})</small></h3>"]
    if item.vignette:
        parts.append("<p>" + _esc(item.vignette).replace("\n", "<br>") + "</p>")
    if item.client:
        parts.append("<blockquote><p><strong>Client:</strong> "
                     + _esc(item.client).replace("\n", "<br>") + "</p></blockquote>")
    parts.append(f"<p><strong>{_esc(item.prompt)}</strong></p>")
    if item.caveat:
        parts.append(f"<p><em>{_esc(item.caveat)}</em></p>")
    if isinstance(item, GradedTyped):
        parts.append("<p>Type your answer between the quotes in the cell below, then run it "
                     "(Shift+Enter)." + (f" {_esc(item.hint)}" if item.hint else "") + "</p>")
    if isinstance(item, GradedWritten):
        parts.append(f"<p>Write your answer in the cell below (double-click it to edit; "
                     f"{item.points:g} points, marked by your instructor).</p>")
    if isinstance(item, GradedConversation):
        parts.append(f"<p>Hold the conversation below: at least {item.turns} turns "
                     f"({item.points:g} points, marked by your instructor, who reads the "
                     f"conversation after you submit).</p>")
    return "".join(parts)


_CSS = """<style>
.partnership-graded .widget-radio-box label, .partnership-graded .jupyter-widget-radio-box label {
  height: auto; line-height: 1.4; white-space: normal; margin-bottom: 0.45em; }
.partnership-graded blockquote { margin: 0.4em 0 0.4em 1em; padding-left: 0.6em;
  border-left: 3px solid #8c959f; }
</style>"""


class GradedView:
    """A graded item's widget. Changing the answer saves it at once (never scored here).

    ``widget`` is the whole box, ``status`` the message line; ``get_answer()``/``set_answer()``
    read and set the controls in the saved-answer format; ``save()`` saves the current answer.
    """

    def __init__(self, bank: GradedBank, item, store: AnswerStore):
        import ipywidgets as W

        self.W = W
        self.bank, self.item, self.store = bank, item, store
        self.status = W.HTML(value="")
        self.controls: list = []
        self._watch: list = []
        self._build()
        saved = store.latest(bank.lab, item.id) if item.type in WIDGET_TYPES else None
        if saved is not None:
            try:
                self.set_answer(saved["answer"])
                when = str(saved.get("time", ""))[:16].replace("T", " ")
                self._say(f"Your saved answer ({when} UTC) is shown. You can change it until you "
                          "submit; it is marked after you submit.")
            except Exception:
                self._say("Your saved answer no longer fits this item; answer it again.")
        elif item.type in WIDGET_TYPES:
            self._say("Not answered yet. Your answer is saved as soon as you choose it.")
        for w in self._watch:
            w.observe(self._changed, names="value")
        box = [W.HTML(value=_CSS + material_html(item))] + self.controls
        if item.type in WIDGET_TYPES:
            box.append(self.status)
        self.widget = W.VBox(box, layout=W.Layout(border="1px solid #d0d7de", padding="0.5em"))
        self.widget.add_class("partnership-graded")

    def _say(self, text: str) -> None:
        warn = "".join(f"<li>{_esc(w)}</li>" for w in self.store.warnings)
        self.status.value = (f"<p role='status' aria-live='polite'>{_esc(text)}</p>"
                             + (f"<ul role='alert'>{warn}</ul>" if warn else ""))

    def _build(self) -> None:
        W, item = self.W, self.item
        style = {"description_width": "initial"}
        # options and statements are shown in a fixed shuffled order; the controls are kept in
        # the order written (``dropdowns[i]``, the radio's values), which is what is saved
        self.order = shown_order(item)
        if isinstance(item, GradedChoice):
            self.radio = W.RadioButtons(
                options=[(f"{chr(65 + pos)}. {item.options[i].text}", i)
                         for pos, i in enumerate(self.order)],
                value=None, description="Your answer:", style=style,
                layout=W.Layout(width="auto"))
            self.controls = [self.radio]
            self._watch = [self.radio]
        elif isinstance(item, GradedRanking):
            n = len(item.options)
            choices = [("choose a rank", "")] + [(str(k), k) for k in range(1, n + 1)]
            self.dropdowns = [None] * n
            for pos, i in enumerate(self.order):
                letter = chr(65 + pos)
                dd = W.Dropdown(options=choices, value="", description=f"Rank for {letter}:",
                                style=style, layout=W.Layout(width="14em"))
                self.dropdowns[i] = dd
                self.controls.append(W.HBox([dd, W.HTML(
                    value=f"<p><strong>{letter}.</strong> {_esc(item.options[i].text)}</p>")]))
            self._watch = list(self.dropdowns)
        elif isinstance(item, GradedCategorize):
            choices = [("choose a category", "")] + [(c.label, c.id) for c in item.categories]
            helps = [c for c in item.categories if c.description]
            if helps:
                self.controls.append(W.HTML(value="<ul>" + "".join(
                    f"<li><strong>{_esc(c.label)}</strong>: {_esc(c.description)}</li>"
                    for c in helps) + "</ul>"))
            self.dropdowns = [None] * len(item.statements)
            for k, i in enumerate(self.order, 1):
                dd = W.Dropdown(options=choices, value="", description=f"Statement {k}:",
                                style=style, layout=W.Layout(width="22em"))
                self.dropdowns[i] = dd
                self.controls.append(W.HBox([dd, W.HTML(
                    value=f"<p>{k}. {_esc(item.statements[i].text)}</p>")]))
            self._watch = list(self.dropdowns)

    def get_answer(self):
        if isinstance(self.item, GradedChoice):
            return self.radio.value
        if isinstance(self.item, (GradedRanking, GradedCategorize)):
            return [d.value if d.value != "" else None for d in self.dropdowns]
        return None

    def set_answer(self, answer) -> None:
        if isinstance(self.item, GradedChoice):
            self.radio.value = answer
        elif isinstance(self.item, (GradedRanking, GradedCategorize)):
            if not isinstance(answer, list) or len(answer) != len(self.dropdowns):
                raise ValueError("answer does not fit this item")
            for d, v in zip(self.dropdowns, answer):
                d.value = "" if v is None else v

    def _changed(self, _change=None) -> None:
        self.save()

    def save(self) -> bool:
        """Save the current answer (if it can be saved); return whether it was saved."""
        answer = self.get_answer()
        problem = answer_problem(self.item, answer)
        if isinstance(self.item, GradedRanking) and problem:
            self._say(f"Not saved yet: {problem}.")
            return False
        if isinstance(self.item, GradedChoice) and problem:
            return False
        try:
            self.store.record(self.bank.lab, self.item.id, answer, None, 0.0)
        except StoreError as exc:
            self._say(f"This answer could not be saved: {exc}")
            return False
        except Exception as exc:   # never let saving crash the notebook
            self._say(f"This answer could not be saved ({type(exc).__name__}: {exc}).")
            return False
        where = self.store.path.name
        if problem:
            self._say(f"Saved in {where}, but not complete: {problem}.")
        else:
            self._say(f"Saved in {where}. You can change it until you submit; it is marked "
                      "after you submit.")
        return True

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def converse(items: str | Path = "items.yml", item_id: str = "", *, path=None):
    """Show a graded conversation from an assignment's ``items.yml``; every turn is saved to the
    answers file beside the notebook (or ``path``)."""
    from partnership.learner.conversation.schema import get_client
    from partnership.learner.conversation.widget import GradedConversation as View
    bank = load_graded(items)
    item = bank.item(item_id)
    if not isinstance(item, GradedConversation):
        raise KeyError(f"{item_id} is a {item.type} item, not a conversation: use show()")
    view = View(bank.lab, item.id, get_client(item.client_id), item.turns, item.seed,
                AnswerStore(path))
    view.material = material_html(item)
    view.widget.children = (_html_widget(_CSS + view.material),) + tuple(view.widget.children)
    return view


def _html_widget(value: str):
    import ipywidgets as W
    return W.HTML(value=value)


def show(items: str | Path = "items.yml", item_id: str = "", *, path=None) -> GradedView:
    """Show one graded item from an assignment's ``items.yml``; answers are saved to the
    saved-answer file beside the notebook (or ``path``)."""
    bank = load_graded(items)
    return GradedView(bank, bank.item(item_id), AnswerStore(path))


def progress(items: str | Path = "items.yml", *, path=None) -> None:
    """Print which widget items are answered and which still need an answer.
    Typed answers and written work are checked by the cells after them."""
    bank = load_graded(items)
    store = AnswerStore(path)
    saved = store.answers(bank.lab)
    lines = []
    todo = 0
    for it in bank.items:
        if it.type not in SAVED_TYPES:
            continue
        rec = saved.get(it.id)
        problem = "not answered yet" if rec is None else answer_problem(it, rec["answer"])
        if problem:
            todo += 1
            lines.append(f"  {it.id}: {problem}")
        else:
            lines.append(f"  {it.id}: answered")
    head = (f"All {len(lines)} widget items are answered and saved in {store.path.name}."
            if not todo else f"{todo} of {len(lines)} widget items still need an answer:")
    if not lines:
        head = "This assignment has no widget items."
    print("\n".join([head] + lines + [w for w in store.warnings]))


# ------------------------------------------------------------------ visible checks

class NotAnswered(Exception):
    """Raised by a check under nbgrader's Validate, so that Validate lists what is missing."""


def _validating() -> bool:
    import os
    return bool(os.environ.get("NBGRADER_VALIDATING"))


def _report(message: str, complete: bool) -> None:
    """Print the check's message; under Validate, raise it when something is missing (a printed
    message alone would let Validate report success)."""
    if not complete and _validating():
        raise NotAnswered(message)
    print(message)


def check(items: str | Path = "items.yml", item_id: str = "", *, path=None) -> None:
    """Say whether a widget item is answered and saved (never whether it is right)."""
    bank = load_graded(items)
    item = bank.item(item_id)
    store = AnswerStore(path)
    for w in store.warnings:
        print(w)
    rec = store.latest(bank.lab, item_id)
    if rec is None:
        where = ("" if store.path.exists() else
                 f" (there is no {store.path.name} in this folder yet)")
        how = ("Hold the conversation in the widget above; each turn is saved as you send it."
               if item.type == "conversation" else
               "Answer it in the widget above; it is saved as soon as you choose.")
        return _report(f"{item_id}: not answered yet{where}. {how}", False)
    problem = answer_problem(item, rec["answer"])
    if problem:
        return _report(f"{item_id}: saved but not complete: {problem}.", False)
    return _report(f"{item_id}: answered and saved in {store.path.name}. It is marked after you "
                   f"submit; remember to submit that file with the notebook.", True)


def read_number(value) -> float | None:
    import math
    import re
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        m = re.fullmatch(r"\s*([-+]?\d+(?:[.,]\d+)?)\s*%?\s*", value)
        if m:
            return float(m.group(1).replace(",", "."))
    return None


def check_typed(item_id: str, value, number: bool = False) -> None:
    """Say whether a typed answer is there (and, with ``number``, whether it reads as a number),
    never whether it is right."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _report(f"{item_id}: not answered yet. Type your answer between the quotes in "
                       f"the cell above and run that cell.", False)
    if number and read_number(value) is None:
        return _report(f"{item_id}: {str(value)[:40]!r} does not read as a number; type digits "
                       f"only (for example 12 or 4.5).", False)
    return _report(f"{item_id}: answered. It is marked after you submit.", True)
