"""The conversation lab in JupyterLab (ipywidgets), and its graded form.

In a notebook::

    from partnership.learner.conversation.widget import conversation_lab
    conversation_lab()

Every turn is saved at once to the answers file beside the notebook
(:mod:`partnership.learner.store`, lab ``conversation``, item = the client's id; the record's
format is in ``partnership/learner/banks/FORMAT.md``), so a kernel restart loses nothing: the
lab opens on the conversation in progress, rebuilt from your turns.

Headless use (tests, benchmarks)::

    lab = ConversationLab(path=tmp_path / "answers.json", seed=1)
    lab.choose("marek-alcohol")
    lab.text.value = "You're in two minds about it."; lab.send.click()
    lab.conversation.turns[-1].reply
    lab.finish.click(); lab.summary_data

Keyboard: Tab moves between the controls; Space or Enter presses a button (JupyterLab's
single-key shortcuts are kept out of the lab, as in the practice labs). The newest reply
is also put in a polite live region, so a screen reader reads it once, without re-reading
the transcript. Every text is HTML-escaped before display.
"""
from __future__ import annotations

import base64
import html
import importlib.util
import io
import secrets
import sys
import uuid

import ipywidgets as W

from partnership.learner.conversation.engine import (MAX_TURNS, Conversation,
                                                     ConversationError, verify)
from partnership.learner.conversation.guidance import (GOAL_TURNS, HOW_IT_WORKS,
                                                       reading_titles, risk_note)
from partnership.learner.conversation.schema import Client, shipped_clients
from partnership.learner.conversation.summary import (code_line, summary_figure, summary_html,
                                                      summary_lines, summary_svg,
                                                      transcript_markdown, turn_html)
from partnership.learner.labs import LIVE_CLASS
from partnership.learner.store import AnswerStore, StoreError
from partnership.learner.transfer import AnswersTransfer

__all__ = ["ConversationLab", "GradedConversation", "conversation_lab", "LAB"]

#: the answers file's lab name for practice conversations
LAB = "conversation"
#: in the book's in-browser labs (JupyterLite's Pyodide kernel), where there is no matplotlib:
#: the plot is the same SVG as the book's page draws
IN_BROWSER = sys.platform == "emscripten"

_CSS = """<style>
.partnership-convo .convo-turn { margin: 0.3em 0 0.6em 0; }
.partnership-convo .convo-you { margin: 0.2em 0; }
.partnership-convo .convo-client { margin: 0.2em 0 0.2em 1.2em; padding-left: 0.6em;
  border-left: 3px solid #8c959f; }
.partnership-convo .convo-code { margin: 0.1em 0 0.2em 1.2em; color: #57606a;
  font-size: 0.92em; }
.partnership-convo .convo-risk { border-left: 4px solid #9a6700; padding-left: 0.6em; }
.partnership-convo .widget-html-content, .partnership-convo .jupyter-widget-html-content {
  line-height: 1.45; }
</style>"""


def esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _wide() -> W.Layout:
    return W.Layout(width="auto")


class _Base:
    """What the practice lab and the graded conversation share: the transcript, the text box,
    Send, Finish, the live region, the risk note and saving."""

    show_codes_default = True
    graded = False

    def __init__(self, store: AnswerStore):
        self.store = store
        self.conversation: Conversation | None = None
        self.record_id: str | None = None
        self.summary_data: dict | None = None
        self.figure = None
        self.notice = W.HTML(value="", layout=_wide())
        self.about = W.HTML(value="", layout=_wide())
        self.transcript = W.HTML(value="", layout=_wide())
        self.latest = W.HTML(value="", layout=_wide())
        self.latest.add_class(LIVE_CLASS)   # the polite live region (see labs.LIVE_CLASS)
        self.risk = W.HTML(value="", layout=_wide())
        self.progress = W.HTML(value="", layout=_wide())
        self.text = W.Textarea(value="", placeholder="Write what you would say to the client",
                               description="Your turn:", style={"description_width": "initial"},
                               layout=W.Layout(width="95%", height="4.5em"))
        self.send = W.Button(description="Send", tooltip="Send your turn to the client",
                             layout=W.Layout(width="auto"))
        self.finish = W.Button(description="Finish the conversation",
                               tooltip="End the conversation and save it",
                               layout=W.Layout(width="auto"))
        self.send.on_click(lambda _b: self.say())
        self.finish.on_click(lambda _b: self.end())
        self.summary = W.HTML(value="", layout=_wide())
        self.plot = W.HTML(value="", layout=_wide())
        self.download = W.HTML(value="", layout=_wide())

    # ------------------------------------------------------------------ showing

    @property
    def show_codes(self) -> bool:
        return self.show_codes_default

    def _name(self) -> str:
        return self.conversation.client.name

    def _render(self, announce: bool = False) -> None:
        conv = self.conversation
        if conv is None:
            self.transcript.value = ""
            return
        name = self._name()
        parts = [_CSS, f"<div class='partnership-convo'><h3>Conversation with {esc(name)}"
                       f"</h3><div class='convo-turn'><p class='convo-client'><strong>"
                       f"{esc(name)}:</strong> {esc(conv.opening)}</p></div>"]
        codes = self.show_codes or (conv.finished and not self.graded)
        parts += [turn_html(t, name, codes) for t in conv.turns]
        parts.append("</div>")
        self.transcript.value = "".join(parts)
        if announce and conv.turns:
            t = conv.turns[-1]
            said = f"{name}: {t.reply}"
            if self.show_codes:
                said += " " + code_line(t, name)
            self.latest.value = (f"<p><strong>Latest reply."
                                 f"</strong> {esc(said)}</p>")
        elif not conv.turns:
            self.latest.value = ("<p>"
                                 + esc(f"{name} speaks first: {conv.opening}") + "</p>")
        self._risk_note()
        self._progress()

    def _risk_note(self) -> None:
        conv = self.conversation
        mentioned = any(t.state == "risk" for t in conv.turns) if conv else False
        if not mentioned:
            self.risk.value = ""
            return
        self.risk.value = (f"<div class='partnership-convo'><div class='convo-risk' role='note'>"
                           f"<p>{esc(risk_note(self._name()))}</p><p>{esc(self._risk_where())}"
                           f"</p></div></div>")

    def _risk_where(self) -> str:
        """Where to read more, by title: a graded notebook has no links to the book, so the
        pages are named rather than said to be linked."""
        return f"Read more in the course book: {reading_titles()}."

    def _progress(self) -> None:
        conv = self.conversation
        n = len(conv.turns)
        done = conv.finished
        self.text.disabled = self.send.disabled = done or n >= MAX_TURNS
        self.finish.disabled = done
        if done:
            self.progress.value = f"<p>Finished after {n} turn{'s' if n != 1 else ''}.</p>"
        else:
            self.progress.value = f"<p>{self._goal_text(n)}</p>"

    def _goal_text(self, n: int) -> str:
        return (f"Turns so far: {n}. Aim for about {GOAL_TURNS}; finish whenever you are ready."
                if n < GOAL_TURNS else f"Turns so far: {n}. You can carry on or finish.")

    def _say_notice(self, text: str | None = None) -> None:
        items = list(self.store.warnings) + ([text] if text else [])
        self.notice.value = ("" if not items else
                             "<div role='alert'><ul>" + "".join(f"<li>{esc(w)}</li>"
                                                                for w in items) + "</ul></div>")

    # ------------------------------------------------------------------ acting

    def say(self, text: str | None = None):
        """Send ``text`` (default: the text box) to the client; return the turn, or None with
        a message in the live region when it cannot be sent."""
        if self.conversation is None:
            return None
        words = self.text.value if text is None else text
        try:
            turn = self.conversation.send(words)
        except ConversationError as exc:
            msg = str(exc)
            self.latest.value = (f"<p>"
                                 f"{esc(msg[:1].upper() + msg[1:])}.</p>")
            return None
        self.text.value = ""
        self._save()
        self._render(announce=True)
        return turn

    def end(self) -> dict | None:
        """Finish the conversation and save it."""
        if self.conversation is None or self.conversation.finished:
            return None
        self.summary_data = self.conversation.finish()
        self._save()
        self._render()
        self._finished()
        return self.summary_data

    def _finished(self) -> None:
        pass

    def _record(self) -> dict:
        rec = self.conversation.to_record()
        rec["id"] = self.record_id
        return rec

    def _save(self) -> None:
        note = None
        try:
            self.store.record(self.lab_name, self.item_id, self._record(), None, 0.0)
        except StoreError as exc:
            note = f"This conversation could not be saved: {exc}"
        except Exception as exc:  # never let saving crash the lab
            note = f"This conversation could not be saved ({type(exc).__name__}: {exc})."
        self._say_notice(note)
        self._saved()

    def _saved(self) -> None:
        pass

    def _restore(self, client: Client, record: dict, seed=None) -> list[str]:
        conv, problems = verify(client, record, seed=seed)
        self.conversation = conv
        rid = record.get("id") if isinstance(record, dict) else None
        self.record_id = rid if isinstance(rid, str) else uuid.uuid4().hex
        return problems

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class ConversationLab(_Base):
    """The practice lab: choose a client, talk, finish, read the summary. Saved as you go."""

    lab_name = LAB

    def __init__(self, path=None, store: AnswerStore | None = None, clients=None,
                 seed: int | None = None):
        super().__init__(store or AnswerStore(path))
        if IN_BROWSER and not self.store.real_path().as_posix().startswith("/drive/"):
            # as in the other labs: JupyterLite keeps files only where the browser lets it
            self.store.warnings.append(
                "This browser does not let the lab keep files (a private window, or site data "
                "blocked), so your conversation lasts only until you leave or reload this page. "
                "Use Download my answers before you go, and Load answers next time.")
        self.clients = {c.id: c for c in (clients or shipped_clients())}
        self._seed = seed
        self.transfer = AnswersTransfer(self.store, on_loaded=self._loaded)
        self.picker = W.Dropdown(options=[(c.title, c.id) for c in self.clients.values()],
                                 description="Client:", style={"description_width": "initial"},
                                 layout=W.Layout(width="auto"))
        self.start = W.Button(description="Start a new conversation",
                              tooltip="Start again with the chosen client",
                              layout=W.Layout(width="auto"))
        self.codes = W.Checkbox(value=True, indent=False, layout=_wide(),
                                description="Show the coach's code of each of my turns after "
                                            "the reply (untick to see the codes only at the end)")
        self.finish.description = "Finish and see my summary"
        self.start.on_click(lambda _b: self.new())
        self.codes.observe(lambda _c: self._render(), names="value")
        where = ("in this browser (it keeps them for this site), so you can close the page and "
                 "carry on later; download them to keep a copy or to carry on elsewhere"
                 if IN_BROWSER else
                 f"in <code>{esc(self.store.path.name)}</code> in this folder, so you can close "
                 f"the notebook and carry on later")
        intro = W.HTML(value=f"{_CSS}<div class='partnership-convo'><h2>Conversation lab: "
                             f"practise a whole conversation</h2><p>{esc(HOW_IT_WORKS)}</p>"
                             f"<p>Your turns are saved as you go {where}.</p></div>",
                       layout=_wide())
        self.widget = W.VBox([intro, self.transfer.widget, self.notice,
                              W.HBox([self.picker, self.start]), self.about,
                              self.transcript, self.latest, self.risk, self.progress,
                              self.codes, self.text, W.HBox([self.send, self.finish]),
                              self.summary, self.plot, self.download])
        # "partnership-lab": the in-browser lab page looks for it, and the practice labs'
        # script keeps JupyterLab's single-key shortcuts out of it (see conversation_lab)
        self.widget.add_class("partnership-convo")
        self.widget.add_class("partnership-lab")
        self._resume()
        self.picker.observe(lambda c: self.choose(c["new"]), names="value")

    @property
    def show_codes(self) -> bool:
        return bool(self.codes.value)

    def _risk_where(self) -> str:
        return (f"Read more in the course book ({reading_titles()}): both are linked at the top "
                f"of this notebook.")

    @property
    def item_id(self) -> str:
        return self.conversation.client.id

    def _saved(self) -> None:
        self.transfer.refresh()              # the download holds every turn so far

    def _loaded(self) -> None:
        """Answers loaded from another file: open the newest conversation, unless one is
        under way here (it stays on screen; the loaded ones are a choice of client away)."""
        if self.conversation is None or not self.conversation.turns:
            self._resume()

    def _resume(self) -> None:
        """Open on the most recent saved conversation (unfinished: carry on; finished: show its
        summary), or a new conversation with the first client."""
        for a in reversed(self.store.attempts(LAB)):
            if a["item"] in self.clients and isinstance(a.get("answer"), dict):
                self.picker.value = a["item"]
                self._open(self.clients[a["item"]], a["answer"], a.get("time"))
                return
        self._fresh(self.clients[self.picker.value])
        self._say_notice()

    def _open(self, client: Client, record: dict, when=None) -> None:
        problems = self._restore(client, record)
        when = str(when or "")[:16].replace("T", " ")
        note = (f"Restored your conversation with {client.name} from your saved answers"
                + (f" ({when} UTC)" if when else "") + ".")
        if problems:
            note += (" The course package has changed since it was saved, so some of "
                     f"{client.name}'s replies may read differently now.")
        self._show_about()
        self.summary.value = self.plot.value = self.download.value = ""
        self.summary_data = None
        self._render()
        self.latest.value = f"<p>{esc(note)}</p>"
        if self.conversation.finished:
            self.summary_data = self.conversation.summary()
            self._finished()
        self._say_notice()

    def _fresh(self, client: Client) -> None:
        seed = self._seed if self._seed is not None else secrets.randbelow(1_000_000)
        self.conversation = Conversation(client, seed=seed)
        self.record_id = uuid.uuid4().hex
        self.summary_data = self.figure = None
        self.summary.value = self.plot.value = self.download.value = ""
        self._show_about()
        self._render()

    def _show_about(self) -> None:
        c = self.conversation.client
        note = (f"<p><em>Content note: {esc(c.content_note)}</em></p>" if c.content_note
                else "")
        self.about.value = (f"<div class='partnership-convo'><p><strong>{esc(c.title)}."
                            f"</strong> {esc(c.role)}</p><p>{esc(c.about)}</p>{note}</div>")

    def choose(self, client_id: str) -> None:
        """Switch to ``client_id``: carry on an unfinished saved conversation with them, or
        start a new one."""
        client = self.clients[client_id]
        if self.picker.value != client_id:
            self.picker.value = client_id        # observed: comes back here
            return
        if self.conversation is not None and self.conversation.client.id == client_id:
            return
        saved = self.store.latest(LAB, client_id)
        if saved and isinstance(saved["answer"], dict) and not saved["answer"].get("finished"):
            self._open(client, saved["answer"], saved.get("time"))
        else:
            self._fresh(client)

    def new(self) -> None:
        """Start a new conversation with the chosen client (the old one stays saved)."""
        self._fresh(self.clients[self.picker.value])
        self.latest.value = ("<p>"
                             + esc(f"New conversation. {self._name()} speaks first: "
                                   f"{self.conversation.opening}") + "</p>")

    def _finished(self) -> None:
        s = self.summary_data
        self.summary.value = (f"<div class='partnership-convo'><h3>Your summary</h3>"
                              f"{summary_html(s)}</div>")
        self.figure = None
        try:
            if importlib.util.find_spec("matplotlib") is None:
                # the in-browser labs have no matplotlib: the book page's SVG, titled and
                # described for screen readers
                self.plot.value = summary_svg(s)
            else:
                self.figure = summary_figure(s)
                buf = io.BytesIO()
                self.figure.savefig(buf, format="png", dpi=90)
                alt = " ".join(summary_lines(s)[1:3])
                self.plot.value = (f"<img alt='{esc(alt)}' style='max-width:100%' "
                                   f"src='data:image/png;base64,"
                                   f"{base64.b64encode(buf.getvalue()).decode('ascii')}'>")
        except Exception as exc:      # the plot is a picture of the summary above, no more
            self.plot.value = f"<p>The plot could not be drawn ({esc(type(exc).__name__)}).</p>"
        text = transcript_markdown(self.conversation, s)
        b64 = base64.b64encode(text.encode("utf-8")).decode("ascii")
        name = f"conversation-{self.conversation.client.id}-{self.record_id[:8]}.md"
        self.download.value = (f"<p><a download='{esc(name)}' href='data:text/markdown;"
                               f"charset=utf-8;base64,{b64}'>Download the transcript and "
                               f"summary</a> (a Markdown file, {esc(name)}).</p>")


class GradedConversation(_Base):
    """A graded conversation (nbgrader): one client, set by the instructor; no codes and no
    summary for the student (those are for the grader); saved under the assignment's lab."""

    show_codes_default = False
    graded = True

    def __init__(self, lab: str, item_id: str, client: Client, turns: int, seed: int,
                 store: AnswerStore):
        super().__init__(store)
        self.lab_name, self.item_id = lab, item_id
        self.required = turns
        self.seed = seed
        self.finish.description = "Finish the conversation"
        saved = store.latest(lab, item_id)
        if saved and isinstance(saved.get("answer"), dict):
            self._restore(client, saved["answer"], seed=seed)
            when = str(saved.get("time", ""))[:16].replace("T", " ")
            self.latest.value = (f"<p>Your saved conversation "
                                 f"({esc(when)} UTC) is shown; "
                                 + ("it is finished." if self.conversation.finished else
                                    "carry on where you left off.") + "</p>")
        else:
            self.conversation = Conversation(client, seed=seed)
            self.record_id = uuid.uuid4().hex
        c = client
        note = (f"<p><em>Content note: {esc(c.content_note)}</em></p>" if c.content_note
                else "")
        self.about.value = (f"<div class='partnership-convo'><p><strong>{esc(c.title)}."
                            f"</strong> {esc(c.role)}</p><p>{esc(c.about)}</p>{note}"
                            f"<p>Hold at least {turns} turns, then press <em>Finish the "
                            f"conversation</em>. Each turn is saved at once in <code>"
                            f"{esc(store.path.name)}</code>; your instructor reads the "
                            f"conversation after you submit. There is one conversation: it "
                            f"cannot be started again.</p></div>")
        self._render()
        self._say_notice()
        if self.conversation.finished:
            self._finished()
        self.widget = W.VBox([self.notice, self.about, self.transcript, self.latest, self.risk,
                              self.progress, self.text, W.HBox([self.send, self.finish]),
                              self.summary])
        self.widget.add_class("partnership-convo")

    def _goal_text(self, n: int) -> str:
        if n < self.required:
            return f"Turns so far: {n} of at least {self.required}."
        return f"Turns so far: {n}. You have held enough turns; carry on or finish."

    def end(self):
        if self.conversation is not None and len(self.conversation.turns) < self.required:
            self.latest.value = (f"<p>Not finished yet: hold "
                                 f"at least {self.required} turns first (you have "
                                 f"{len(self.conversation.turns)}).</p>")
            return None
        return super().end()

    def _finished(self) -> None:
        self.summary.value = ("<p>Finished and saved. Your instructor marks the conversation "
                              "after you submit; remember to submit the answers file with the "
                              "notebook.</p>")


def conversation_lab(path=None) -> ConversationLab:
    """Open the conversation lab (answers saved beside the notebook, or at ``path``).

    The practice labs' script keeps JupyterLab's one-letter notebook shortcuts out of the lab
    too, so that a stray key pressed with a control focused cannot add or delete a cell."""
    from partnership.learner.labs import _suppress_notebook_shortcuts
    the_lab = ConversationLab(path=path)
    _suppress_notebook_shortcuts()
    return the_lab
