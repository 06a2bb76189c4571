"""The book page's side of the conversation lab: what ``book/_static/conversation-demo.js``
calls in Pyodide. Each function takes plain values and returns JSON text, so the page needs no
Python objects; every text in the HTML it returns is escaped here.

The clients come from ``clients.json`` (the shipped banks, validated and written as JSON when
the book is built: Pyodide has no PyYAML). One conversation at a time; the page keeps the
saved record in the reader's browser (localStorage) and passes it back to :func:`start` to carry
on after a reload, rebuilt from the reader's turns.
"""
from __future__ import annotations

import json
from pathlib import Path

from partnership.learner.conversation.engine import (MAX_TURNS, Conversation,
                                                     ConversationError, verify)
from partnership.learner.conversation.guidance import GOAL_TURNS, risk_note
from partnership.learner.conversation.schema import parse_clients
from partnership.learner.conversation.summary import (code_line, esc, summary_html,
                                                      summary_lines, summary_svg,
                                                      transcript_markdown, turn_html)

__all__ = ["load", "start", "send", "finish", "transcript", "CLIENTS_FILE"]

CLIENTS_FILE = "clients.json"
_state: dict = {"clients": {}, "conv": None, "id": None}


def load(path) -> str:
    """Read the clients (a conversation bank as JSON); return their ids in order."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    clients = parse_clients(data, str(path))
    _state["clients"] = {c.id: c for c in clients}
    return json.dumps([c.id for c in clients])


def _progress(conv) -> str:
    n = len(conv.turns)
    if conv.finished:
        return f"Finished after {n} turn{'s' if n != 1 else ''}."
    if n < GOAL_TURNS:
        return f"Turns so far: {n}. Aim for about {GOAL_TURNS}; finish whenever you are ready."
    return f"Turns so far: {n}. You can carry on or finish."


def _risk(conv) -> str:
    return risk_note(conv.client.name) if any(t.state == "risk" for t in conv.turns) else ""


def _opening_html(conv) -> str:
    return (f"<div class='convo-turn'><p class='convo-client'><strong>{esc(conv.client.name)}:"
            f"</strong> {esc(conv.opening)}</p></div>")


def transcript(show_codes: bool = True) -> str:
    """The whole transcript as HTML (after the reader changes the codes setting)."""
    conv = _state["conv"]
    codes = bool(show_codes) or conv.finished
    return _opening_html(conv) + "".join(turn_html(t, conv.client.name, codes)
                                         for t in conv.turns)


def _record() -> str:
    conv = _state["conv"]
    return json.dumps(dict(conv.to_record(), id=_state["id"]))


def start(client_id: str, seed: int, record: str = "", show_codes: bool = True,
          conversation_id: str = "") -> str:
    """Start a conversation with ``client_id`` (or carry on the saved ``record``)."""
    client = _state["clients"][client_id]
    problems: list[str] = []
    saved = None
    if record:
        try:
            saved = json.loads(record)
        except ValueError:
            saved = None
    if isinstance(saved, dict) and saved.get("client") == client_id:
        conv, problems = verify(client, saved)
        rid = saved.get("id")
        _state["id"] = rid if isinstance(rid, str) else conversation_id
    else:
        conv = Conversation(client, seed=int(seed))
        _state["id"] = conversation_id
        saved = None
    _state["conv"] = conv
    n = len(conv.turns)
    live = (f"Restored your conversation with {client.name} from this browser ({n} turn"
            f"{'s' if n != 1 else ''})." if saved is not None else
            f"{client.name} speaks first: {conv.opening}")
    if saved is not None and conv.finished:
        live += " It is finished: its summary is below. Start a new conversation to talk again."
    if problems:
        live += (f" The course has changed since it was saved, so some of {client.name}'s "
                 f"replies may read differently now.")
    note = (f"<p><em>Content note: {esc(client.content_note)}</em></p>" if client.content_note
            else "")
    return json.dumps({
        "about": (f"<p><strong>{esc(client.title)}.</strong> {esc(client.role)}</p>"
                  f"<p>{esc(client.about)}</p>{note}"),
        "log": transcript(show_codes), "live": live, "risk": _risk(conv),
        "progress": _progress(conv), "finished": conv.finished, "turns": n,
        "record": _record() if saved is not None else "", "name": client.name,
        "full": n >= MAX_TURNS,
        # a finished conversation comes back with its summary, as the JupyterLab lab does
        "summary": _summary_parts(conv) if conv.finished else None})


def send(text: str, show_codes: bool = True) -> str:
    """The reader's turn: the client's reply as HTML (to append to the log), the words for the
    live region, and the record to keep."""
    conv = _state["conv"]
    try:
        turn = conv.send(text)
    except ConversationError as exc:
        msg = str(exc)
        return json.dumps({"ok": False, "live": msg[:1].upper() + msg[1:] + "."})
    name = conv.client.name
    live = f"{name}: {turn.reply}"
    if show_codes:
        live += " " + code_line(turn, name)
    return json.dumps({"ok": True, "turn": turn_html(turn, name, bool(show_codes)),
                       "live": live, "risk": _risk(conv), "progress": _progress(conv),
                       "record": _record(), "turns": len(conv.turns),
                       "full": len(conv.turns) >= MAX_TURNS})


def finish(show_codes: bool = True) -> str:
    """End the conversation: the summary (HTML and a picture), the transcript with every code,
    and the Markdown file the reader can download."""
    conv = _state["conv"]
    conv.finish()
    return json.dumps(dict(_summary_parts(conv), log=transcript(show_codes),
                           progress=_progress(conv), record=_record()))


def _summary_parts(conv) -> dict:
    """What the page shows at the end: the summary (HTML and a picture), its first lines in
    words for the status line, and the Markdown file the reader can download."""
    s = conv.summary()
    return {"summary": summary_html(s), "svg": summary_svg(s),
            "text": " ".join(summary_lines(s)[:3]), "markdown": transcript_markdown(conv, s),
            "file": f"conversation-{conv.client.id}-{(_state['id'] or 'x')[:8]}.md"}
