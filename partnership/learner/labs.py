"""The practice labs: one interactive lab per skill, rendered from the scenario banks.

In a notebook::

    from partnership.learner.labs import lab
    lab("empathy")

Every answer is scored at once (:mod:`partnership.learner.scoring`), the feedback is shown as text, and
the attempt is saved to the answers file beside the notebook (:mod:`partnership.learner.store`), so a
re-run restores it. Learner text is always HTML-escaped before it is shown back.

Headless use (tests, benchmarks)::

    lab = Lab("empathy", path=tmp_path / "answers.json")
    view = lab.view("emp-001")
    view.set_answer(1); view.check.click(); view.feedback.value
"""
from __future__ import annotations

import html
import sys

import ipywidgets as W
from traitlets import TraitError

from partnership.learner.items import (SKILLS, CategorizeItem, ChoiceItem, FreeTextItem,
                                       RankingItem, display_order, practice_items)
from partnership.learner.scoring import Result, score
from partnership.learner.store import AnswerStore, StoreError
from partnership.learner.transfer import AnswersTransfer

__all__ = ["Lab", "lab", "ItemView", "CHAPTERS"]

#: The book chapter that teaches each skill.
CHAPTERS = {
    "empathy": "ch04-empathy-acceptance-genuineness",
    "mi_reflections": "ch05-motivational-interviewing",
    "boundaries": "ch06-boundaries-ethics",
    "alliance": "ch02-working-alliance",
    "ruptures": "ch08-ruptures-repair",
    "confidentiality": "ch03-trust-confidentiality",
}



def _wide() -> W.Layout:
    """A fresh full-width layout. Never share one widget instance between labs: if it is closed
    (``Widget.close_all()``, a front end going away), every later widget using it would fail."""
    return W.Layout(width="auto")

#: In the book's page (Pyodide): the answers file lives in the browser's storage.
IN_BROWSER = sys.platform == "emscripten"

# ipywidgets gives radio labels a fixed one-line height and puts the button after the text (it
# is moved left by positioning, so on a long option that wraps, the button ends up below the
# last line). Lay each label out as a row instead, button first, text wrapping beside it, at any
# width. Scoped to the labs' own container.
_CSS = """<style>
.partnership-lab .widget-radio-box label, .partnership-lab .jupyter-widget-radio-box label {
  height: auto; line-height: 1.4; white-space: normal; margin: 0 0 0.45em 0;
  display: flex; flex-direction: row-reverse; justify-content: flex-end;
  align-items: flex-start; gap: 0.5em; }
.partnership-lab .widget-radio-box input[type=radio],
.partnership-lab .jupyter-widget-radio-box input[type=radio] {
  position: static; flex: none; margin: 0.25em 0 0 0; }
.partnership-lab .widget-html-content, .partnership-lab .jupyter-widget-html-content {
  line-height: 1.45; }
.partnership-lab blockquote { margin: 0.4em 0 0.4em 1em; padding-left: 0.6em;
  border-left: 3px solid #8c959f; }
</style>"""
_STYLE = {"description_width": "initial"}
_MARK = {"Correct": "\u2714 Correct", "Partly right": "\u25d1 Partly right",
         "Not quite": "\u2718 Not quite", "Not scored": "\u2139 Not scored yet"}
_BORDER = {"Correct": "#1a7f37", "Partly right": "#9a6700", "Not quite": "#cf222e",
           "Not scored": "#57606a"}


def num(x: float) -> str:
    """A score for people: 1, 0.5, 4.83."""
    return f"{x:g}" if float(x).is_integer() else f"{x:.2f}"


def esc(text) -> str:
    """HTML-escape any text (learner text, bank text, messages) for an HTML widget."""
    return html.escape("" if text is None else str(text), quote=True)


def _para(text: str) -> str:
    return "<p>" + esc(text).replace("\n", "<br>") + "</p>"


def render_feedback(result: Result, note: str | None = None) -> str:
    """The feedback as HTML: words first (never colour alone), every text escaped."""
    head = _MARK[result.verdict]
    if result.scored:
        head += f": {num(result.score)} of {num(result.max_score)}"
    parts = [f"<div style='border-left: 4px solid "
             f"{_BORDER[result.verdict]}; padding-left: 0.6em'>",
             f"<p><strong>{esc(head)}</strong></p>"]
    if note:
        parts.append(f"<p><em>{esc(note)}</em></p>")
    if result.lines:
        parts.append("<ul>" + "".join(f"<li>{esc(x)}</li>" for x in result.lines) + "</ul>")
    if result.model_answers:
        parts.append("<p><strong>Example answers</strong></p><ul>"
                     + "".join(f"<li>{esc(x)}</li>" for x in result.model_answers) + "</ul>")
    if result.explanation:
        parts.append(f"<p><strong>Why it matters:</strong> {esc(result.explanation)}</p>")
    if result.caveat:
        parts.append(f"<p><strong>Caveat:</strong> {esc(result.caveat)}</p>")
    parts.append("</div>")
    return "".join(parts)


class ItemView:
    """One item: its material, the answer control(s), a button and the feedback area.

    ``check`` is the button, ``feedback`` the HTML widget with the feedback, ``box`` the whole.
    ``get_answer()``/``set_answer()`` read and set the controls in the saved-answer format.
    """

    button_text = "Check answer"

    def __init__(self, item, lab: "Lab", number: int):
        self.item = item
        self.lab = lab
        self.result: Result | None = None
        self.feedback = W.HTML(value="", layout=_wide())
        self.feedback.add_class(LIVE_CLASS)   # a live region that stays while its text changes
        self.check = W.Button(description=self.button_text, tooltip=f"{self.button_text} "
                              f"for item {number}: {item.heading}",
                              layout=W.Layout(width="auto", align_self="flex-start"))
        self.check.on_click(self._on_click)
        parts = [f"<h3>{number}. {esc(item.heading)}</h3>"]
        if item.vignette:
            parts.append(_para(item.vignette))
        if item.client:
            parts.append("<blockquote><p><strong>Client:</strong> "
                         + esc(item.client).replace("\n", "<br>") + "</p></blockquote>")
        if isinstance(item, FreeTextItem) and item.question:
            parts.append("<p><strong>Clinician's question:</strong> "
                         + esc(item.question) + "</p>")
        parts.append(f"<p><strong>{esc(item.prompt)}</strong></p>")
        self.material = W.HTML(value="".join(parts), layout=_wide())
        self.controls = self._build()
        self.box = W.VBox([self.material, *self.controls, self.check, self.feedback],
                          layout=W.Layout(border="1px solid #d0d7de", padding="0.5em",
                                          margin="0 0 1em 0"))

    # subclasses: _build() -> list of widgets; get_answer(); set_answer(answer)

    def _on_click(self, _button=None):
        self.submit()

    def submit(self) -> Result:
        """Score the current answer, show the feedback and save the attempt."""
        answer = self.get_answer()
        result = score(self.item, answer)
        self.result = result
        note = None
        if result.scored:
            note = self.lab.save(self.item, answer, result)
        self.feedback.value = render_feedback(result, note)
        return result

    def restore(self, saved: dict) -> None:
        try:
            self.set_answer(saved["answer"])
        except (ValueError, TypeError, KeyError, TraitError):
            # the item was changed since the answer was saved: say so, rather than show nothing
            self.feedback.value = render_feedback(
                Result(None, 1.0, "Not scored", ["Your saved answer to this item no longer "
                                                 "fits it (the item has been changed since); "
                                                 "please answer it again."]))
            return
        self.result = score(self.item, saved["answer"])
        when = str(saved.get("time", ""))[:16].replace("T", " ")
        self.feedback.value = render_feedback(
            self.result, f"Restored from your saved answers ({when} UTC); "
                         f"attempts so far: {saved.get('attempts', 1)}.")


class ChoiceView(ItemView):
    def _build(self):
        # shown in a fixed shuffled order (FORMAT.md); each radio's value is the option's index
        # as written, which is what is saved and scored
        self.order = display_order(self.item.id, len(self.item.options))
        opts = [(f"{chr(65 + pos)}. {self.item.options[i].text}", i)
                for pos, i in enumerate(self.order)]
        self.radio = W.RadioButtons(options=opts, value=None, description="Your answer:",
                                    style=_STYLE, layout=_wide())
        return [self.radio]

    def get_answer(self):
        return self.radio.value

    def set_answer(self, answer):
        self.radio.value = answer


class RankingView(ItemView):
    def _build(self):
        n = len(self.item.options)
        self.order = display_order(self.item.id, n)     # fixed per item, not authored order
        choices = [("choose a rank", "")] + [(str(k), k) for k in range(1, n + 1)]
        self.letters = {}
        rows, self.dropdowns = [], {}
        for pos, idx in enumerate(self.order):
            letter = chr(65 + pos)
            self.letters[idx] = letter
            dd = W.Dropdown(options=choices, value="", description=f"Rank for {letter}:",
                            tooltip=f"Rank for response {letter} (1 = most)", style=_STYLE,
                            layout=W.Layout(width="14em"))
            self.dropdowns[idx] = dd
            text = W.HTML(value=f"<p><strong>{letter}.</strong> "
                                f"{esc(self.item.options[idx].text)}</p>", layout=_wide())
            rows.append(W.HBox([dd, text]))
        return rows

    def get_answer(self):
        return [self.dropdowns[i].value if self.dropdowns[i].value != "" else None
                for i in range(len(self.item.options))]

    def set_answer(self, answer):
        if len(answer) != len(self.dropdowns):
            raise ValueError("answer does not match this item's options")
        for i, v in enumerate(answer):
            self.dropdowns[i].value = "" if v is None else v


class CategorizeView(ItemView):
    def _build(self):
        choices = [("choose a category", "")] + [(c.label, c.id)
                                                   for c in self.item.categories]
        helps = [c for c in self.item.categories if c.description]
        rows = []
        if helps:
            rows.append(W.HTML(value="<ul>" + "".join(
                f"<li><strong>{esc(c.label)}</strong>: {esc(c.description)}</li>"
                for c in helps) + "</ul>", layout=_wide()))
        # statements shown in a fixed shuffled order; ``dropdowns`` stays in the order written,
        # which is the order of the saved answer
        self.order = display_order(self.item.id, len(self.item.statements))
        self.dropdowns = [None] * len(self.item.statements)
        for k, i in enumerate(self.order, 1):
            dd = W.Dropdown(options=choices, value="", description=f"Statement {k}:",
                            tooltip=f"Category for statement {k}", style=_STYLE,
                            layout=W.Layout(width="22em"))
            self.dropdowns[i] = dd
            rows.append(W.HBox([dd, W.HTML(value=f"<p>{k}. {esc(self.item.statements[i].text)}"
                                                 "</p>", layout=_wide())]))
        return rows

    def get_answer(self):
        return [d.value if d.value != "" else None for d in self.dropdowns]

    def set_answer(self, answer):
        if len(answer) != len(self.dropdowns):
            raise ValueError("answer does not match this item's statements")
        for d, v in zip(self.dropdowns, answer, strict=True):
            d.value = "" if v is None else v


class FreeTextView(ItemView):
    button_text = "Get feedback"

    def _build(self):
        self.text = W.Textarea(value="", placeholder="Write what you would say to the client",
                               description="Your response:", style=_STYLE,
                               layout=W.Layout(width="95%", height="5em"))
        return [self.text]

    def get_answer(self):
        return self.text.value

    def set_answer(self, answer):
        if not isinstance(answer, str):
            raise TypeError("free-text answer must be text")
        self.text.value = answer


_VIEWS = {ChoiceItem: ChoiceView, RankingItem: RankingView, CategorizeItem: CategorizeView,
          FreeTextItem: FreeTextView}


class Lab:
    """The lab for one skill: every practice item of that skill, with saved progress."""

    def __init__(self, skill: str, path=None, items=None, store: AnswerStore | None = None):
        if skill not in SKILLS:
            raise KeyError(f"unknown skill {skill!r}; choose one of {', '.join(SKILLS)}")
        self.skill = skill
        self.store = store or AnswerStore(path)
        if IN_BROWSER and not self.store.real_path().as_posix().startswith("/drive/"):
            # JupyterLite mounts the browser's storage at /drive only where the browser lets
            # it run a service worker (not in some private windows): otherwise files live in
            # memory and a reload would lose every answer without a word
            self.store.warnings.append(
                "This browser does not let the lab keep files (a private window, or site data "
                "blocked), so your answers last only until you leave or reload this page. Use "
                "Download my answers before you go, and Load answers next time.")
        self.items = list(items) if items is not None else practice_items(skill)
        self.notice = W.HTML(value="", layout=_wide())
        self.summary = W.HTML(value="", layout=_wide())
        self.views: dict[str, ItemView] = {}
        for n, item in enumerate(self.items, 1):
            self.views[item.id] = _VIEWS[type(item)](item, self, n)
        self._restore_all()
        self.transfer = AnswersTransfer(self.store, on_loaded=self._restore_all)
        where = ("in this browser (it keeps them for this site), so you can close the page and "
                 "carry on later; download them to keep a copy or to carry on elsewhere"
                 if IN_BROWSER else
                 f"to <code>{esc(self.store.path.name)}</code> in this folder, so you can close "
                 f"the notebook and carry on later")
        intro = W.HTML(value=(
            f"{_CSS}<h2>{esc(SKILLS[skill])}: practice lab</h2>"
            f"<p>{len(self.items)} items. Answer in any order; each answer is checked at once "
            f"and saved {where}.</p>"), layout=_wide())
        self.widget = W.VBox([intro, self.transfer.widget, self.notice, self.summary,
                              *[v.box for v in self.views.values()]])
        self.widget.add_class("partnership-lab")

    def _restore_all(self) -> None:
        saved = self.store.answers(self.skill)
        for item_id, rec in saved.items():
            if item_id in self.views:
                self.views[item_id].restore(rec)
        self._update()

    def view(self, item_id: str) -> ItemView:
        return self.views[item_id]

    def save(self, item, answer, result: Result) -> str | None:
        """Save one attempt; return a note for the learner if it could not be saved."""
        note = None
        try:
            self.store.record(self.skill, item.id, answer, result.score, result.max_score)
            if not self.store.last_saved:
                note = ("This answer is kept for this session only for now: it could not be "
                        "saved (see the note at the top of the lab). It is saved with your next "
                        "answer once saving works again.")
        except StoreError as exc:
            note = f"This answer could not be saved: {exc}"
        except Exception as exc:  # never let saving crash a lab, and say what went wrong
            note = f"This answer could not be saved ({type(exc).__name__}: {exc})."
        self._update()
        self.transfer.refresh()
        return note

    def _update(self):
        if self.store.warnings:
            self.notice.value = ("<div role='alert'><p><strong>Note about your saved answers"
                                 "</strong></p><ul>"
                                 + "".join(f"<li>{esc(w)}</li>" for w in self.store.warnings)
                                 + "</ul></div>")
        else:
            self.notice.value = ""      # a problem that is over no longer shows
        done = [v for v in self.views.values() if v.result is not None and v.result.scored]
        total = sum(v.result.score for v in done)
        possible = sum(v.result.max_score for v in done)
        score_text = f"; score on those: {num(total)} of {num(possible)}" if done else ""
        self.summary.value = f"<p>Answered {len(done)} of {len(self.views)} items{score_text}.</p>"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


#: class of the HTML widgets whose changes a screen reader should announce (feedback, the
#: conversation's latest reply). ipywidgets replaces the inner HTML of a widget on every change,
#: and a live region inserted with new content is often not announced; so the script below
#: makes the widget's own element, which stays for the life of the view, the polite live region.
LIVE_CLASS = "partnership-live"

# JupyterLab (and JupyterLite) act on single keys pressed while a notebook is in command mode:
# with a radio button or a button of the lab focused, "b" would insert a cell and "d d" delete
# the lab's. JupyterLab leaves alone keys from inside an element marked
# data-lm-suppress-shortcuts; widgets cannot set an attribute, so this script marks every lab
# (now and as views are drawn). Tab, Space and Enter keep working in the lab.
_SUPPRESS_SHORTCUTS_JS = """
(function () {
  if (window.__partnershipLabKeys) { return; }
  window.__partnershipLabKeys = true;
  let queued = false;
  const mark = function () {
    queued = false;
    document.querySelectorAll('.partnership-lab:not([data-lm-suppress-shortcuts])')
      .forEach(function (el) { el.setAttribute('data-lm-suppress-shortcuts', 'true'); });
    document.querySelectorAll('.partnership-live:not([aria-live])')
      .forEach(function (el) {
        el.setAttribute('role', 'status');
        el.setAttribute('aria-live', 'polite');
      });
  };
  mark();
  new MutationObserver(function () {
    if (!queued) { queued = true; requestAnimationFrame(mark); }
  }).observe(document.body, { childList: true, subtree: true });
})();
"""


def _suppress_notebook_shortcuts() -> None:
    """Show the script above, in a live notebook only (a plain script has no front end)."""
    try:
        from IPython import get_ipython
        from IPython.display import Javascript, display
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    display(Javascript(_SUPPRESS_SHORTCUTS_JS))


def lab(skill: str, path=None) -> Lab:
    """Open the practice lab for ``skill`` (one of partnership.learner.items.SKILLS)."""
    the_lab = Lab(skill, path=path)
    _suppress_notebook_shortcuts()
    return the_lab
