"""Conversation banks: simulated clients as data, and their validation.

A conversation bank is a YAML file in ``partnership/learner/banks/conversations/`` (format:
``partnership/learner/banks/FORMAT.md``, section "Conversation banks")::

    version: 1
    kind: conversation
    clients:
      - id: dev
        name: Dev
        ...
        replies:
          change: {low: [...], high: [...]}
          ...

Plain Python only (no pydantic, no YAML at import): the same code validates the banks in
CPython (``partnership check-banks``) and builds the clients in the browser, where the book ships
the banks as JSON (Pyodide has no PyYAML). A bank that cannot be used raises
:class:`ConversationBankError`, whose message names the file, the client, the state and the
field, e.g. ``alcohol.yml: client dev, state change.low, field replies.change.low.2: ...``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from partnership.learner.files import yaml_files

__all__ = ["ConversationBankError", "Client", "Risk", "TAGS", "LEVELS", "STATES",
           "parse_clients", "load_file", "load_clients", "bank_files", "CONVERSATION_DIR",
           "client_ids", "get_client", "known_client_id", "shipped_clients", "bundle_bytes",
           "BUNDLE"]

CONVERSATION_DIR = Path(__file__).resolve().parents[1] / "banks" / "conversations"
#: The shipped banks, validated, as one JSON bank: what the in-browser labs' package holds
#: instead of the YAML files (Pyodide has no PyYAML); written by :func:`bundle_bytes`.
BUNDLE = CONVERSATION_DIR.parent / "conversations.json"

#: What a client's reply does, in MI terms (MITI/MISC client language): change talk, sustain
#: talk, discord, elaboration (telling more of the story) or a brief answer.
TAGS = ("change", "sustain", "discord", "elaboration", "brief")
#: Each tag's states: the level of the client's state a reply is written for.
#: change: readiness low (preparatory talk: desire, ability, reasons, need) or high (mobilising:
#: commitment, activation, taking steps); sustain and discord: discord low or high;
#: elaboration: openness low (facts, guarded) or high (feelings, values, history);
#: brief: a short answer to a closed question, or agreeing to hear some information.
LEVELS = {"change": ("low", "high"), "sustain": ("low", "high"), "discord": ("low", "high"),
          "elaboration": ("low", "high"), "brief": ("answer", "permission")}
STATES = tuple(f"{t}.{lv}" for t in TAGS for lv in LEVELS[t])
START_FIELDS = ("change", "discord", "openness")

_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_:-]*$")
MIN_REPLIES, MAX_REPLIES = 3, 20
MAX_TEXT = 600


class ConversationBankError(ValueError):
    """A conversation bank that cannot be used; the message names the file, the client, the
    state and the field."""


@dataclass(frozen=True)
class Risk:
    """A client who mentions thoughts of suicide (never a method or a plan). ``turn``: the
    earliest learner turn whose reply may carry the mention; ``asked``: the client's replies, in
    order, once the learner asks about it directly; ``unasked``: when the learner moves on."""
    turn: int
    mention: str
    asked: tuple[str, ...]
    unasked: tuple[str, ...]


@dataclass(frozen=True)
class Client:
    id: str
    name: str
    title: str
    setting: str
    behaviour: str
    role: str
    about: str
    opening: str
    start: dict
    replies: dict                     # tag -> level -> tuple of texts
    risk: Risk | None = None
    content_note: str | None = None
    source: tuple[str, ...] = ()
    file: str = ""

    def texts(self, tag: str, level: str) -> tuple[str, ...]:
        return self.replies[tag][level]

    def to_dict(self) -> dict:
        """The client as bank data (JSON-ready), what :func:`parse_clients` reads back."""
        d = {"id": self.id, "name": self.name, "title": self.title, "setting": self.setting,
             "behaviour": self.behaviour, "role": self.role, "about": self.about,
             "opening": self.opening, "start": dict(self.start),
             "replies": {t: {lv: list(v) for lv, v in levels.items()}
                         for t, levels in self.replies.items()}}
        if self.risk is not None:
            d["risk"] = {"turn": self.risk.turn, "mention": self.risk.mention,
                         "asked": list(self.risk.asked), "unasked": list(self.risk.unasked)}
        if self.content_note:
            d["content_note"] = self.content_note
        if self.source:
            d["source"] = list(self.source)
        return d


class _Errors:
    """Collects every problem in a file (an author fixes them all at once, not one per run)."""

    def __init__(self, name: str):
        self.name = name
        self.items: list[str] = []

    def add(self, msg: str, client: str | None = None, state: str | None = None,
            fld: str | None = None) -> None:
        where = []
        if client is not None:
            where.append(f"client {client}")
        if state is not None:
            where.append(f"state {state}")
        if fld is not None:
            where.append(f"field {fld}")
        self.items.append(f"{self.name}: " + (", ".join(where) + ": " if where else "") + msg)


def _text(v, errs, cid, fld, state=None, *, min_words=1, max_len=MAX_TEXT) -> str | None:
    if not isinstance(v, str) or not v.strip():
        errs.add("must be text (not empty)", cid, state, fld)
        return None
    v = " ".join(v.split())
    if len(v.split()) < min_words:
        errs.add(f"must be at least {min_words} words", cid, state, fld)
        return None
    if len(v) > max_len:
        errs.add(f"must be at most {max_len} characters (found {len(v)})", cid, state, fld)
        return None
    if "<" in v and re.search(r"</?[a-zA-Z][^>]*>", v):
        errs.add("plain text only (no HTML tags): the page and the widget escape text", cid,
                 state, fld)
        return None
    return v


def _text_list(v, errs, cid, fld, state=None, *, lo=MIN_REPLIES, hi=MAX_REPLIES):
    if not isinstance(v, list):
        errs.add(f"must be a list of {lo} to {hi} replies", cid, state, fld)
        return None
    if not lo <= len(v) <= hi:
        errs.add(f"must hold {lo} to {hi} replies (found {len(v)})", cid, state, fld)
        return None
    out = [_text(x, errs, cid, f"{fld}.{i}", state, min_words=1) for i, x in enumerate(v)]
    if any(x is None for x in out):
        return None
    seen = set()
    for i, x in enumerate(out):
        if x.lower() in seen:
            errs.add("the same reply twice in one state", cid, state, f"{fld}.{i}")
            return None
        seen.add(x.lower())
    return tuple(out)


_CLIENT_FIELDS = {"id", "name", "title", "setting", "behaviour", "role", "about", "opening",
                  "start", "replies", "risk", "content_note", "source"}
_REQUIRED = ("id", "name", "title", "setting", "behaviour", "role", "about", "opening",
             "start", "replies")


def _client(d, k: int, errs: _Errors) -> Client | None:
    if not isinstance(d, dict):
        errs.add("each client is a mapping of fields", f"#{k + 1}")
        return None
    cid = d.get("id")
    if not isinstance(cid, str) or not _ID.match(cid) or len(cid) > 40:
        errs.add("lower case letters, digits and single '-' (at most 40 characters)",
                 f"#{k + 1}", None, "id")
        cid = None
    label = cid or f"#{k + 1}"
    n0 = len(errs.items)
    for f in sorted(set(d) - _CLIENT_FIELDS):
        errs.add(f"unknown field (known: {', '.join(sorted(_CLIENT_FIELDS))})", label, None, f)
    for f in _REQUIRED:
        if f not in d:
            errs.add("missing", label, None, f)
    if len(errs.items) > n0:
        return None
    texts = {}
    for f in ("name", "title", "setting", "behaviour", "role"):
        texts[f] = _text(d[f], errs, label, f, max_len=120)
    for f in ("about", "opening"):
        texts[f] = _text(d[f], errs, label, f, min_words=3)
    start = {}
    s = d["start"]
    if not isinstance(s, dict) or set(s) != set(START_FIELDS):
        errs.add(f"give exactly {', '.join(START_FIELDS)}, each between 0 and 1", label, None,
                 "start")
    else:
        for f in START_FIELDS:
            v = s[f]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
                errs.add("a number between 0 and 1", label, None, f"start.{f}")
            else:
                start[f] = float(v)
    replies = {}
    r = d["replies"]
    if not isinstance(r, dict):
        errs.add(f"a mapping of the tags {', '.join(TAGS)}", label, None, "replies")
    else:
        for t in sorted(set(r) - set(TAGS)):
            errs.add(f"unknown tag (the tags are {', '.join(TAGS)})", label, None,
                     f"replies.{t}")
        for t in TAGS:
            levels = r.get(t)
            if not isinstance(levels, dict):
                errs.add(f"missing: give the states {', '.join(LEVELS[t])}", label, None,
                         f"replies.{t}")
                continue
            for lv in sorted(set(levels) - set(LEVELS[t])):
                errs.add(f"unknown state (the states of {t} are {', '.join(LEVELS[t])})",
                         label, f"{t}.{lv}", f"replies.{t}.{lv}")
            replies[t] = {}
            for lv in LEVELS[t]:
                if lv not in levels:
                    errs.add("missing", label, f"{t}.{lv}", f"replies.{t}.{lv}")
                    continue
                got = _text_list(levels[lv], errs, label, f"replies.{t}.{lv}", f"{t}.{lv}")
                if got is not None:
                    replies[t][lv] = got
    risk = None
    if d.get("risk") is not None:
        risk = _risk(d["risk"], errs, label)
    note = None
    if d.get("content_note") is not None:
        note = _text(d["content_note"], errs, label, "content_note", min_words=2)
    source = d.get("source", [])
    source = [source] if isinstance(source, str) else source
    if not isinstance(source, list) or not all(isinstance(x, str) and _KEY.match(x)
                                               for x in source):
        errs.add("bibliography keys (a key or a list of keys)", label, None, "source")
        source = []
    if len(errs.items) > n0:
        return None
    return Client(id=cid, start=start, replies=replies, risk=risk, content_note=note,
                  source=tuple(source), file=errs.name, **texts)


def _risk(v, errs, label) -> Risk | None:
    fields = {"turn", "mention", "asked", "unasked"}
    if not isinstance(v, dict) or set(v) != fields:
        errs.add(f"give exactly {', '.join(sorted(fields))}", label, "risk", "risk")
        return None
    turn = v["turn"]
    ok = True
    if isinstance(turn, bool) or not isinstance(turn, int) or not 1 <= turn <= 20:
        errs.add("a learner turn from 1 to 20", label, "risk", "risk.turn")
        ok = False
    mention = _text(v["mention"], errs, label, "risk.mention", "risk", min_words=3)
    asked = _text_list(v["asked"], errs, label, "risk.asked", "risk", lo=2, hi=6)
    unasked = _text_list(v["unasked"], errs, label, "risk.unasked", "risk", lo=1, hi=6)
    if not ok or None in (mention, asked, unasked):
        return None
    return Risk(turn=turn, mention=mention, asked=asked, unasked=unasked)


def parse_clients(data, name: str = "<conversation bank>") -> list[Client]:
    """Validate parsed bank data (a dict from YAML or JSON); ``name`` is used in messages.
    Raises :class:`ConversationBankError` listing every problem found."""
    errs = _Errors(name)
    if not isinstance(data, dict):
        raise ConversationBankError(f"{name}: a conversation bank is a mapping with version, "
                                    f"kind and clients")
    for f in sorted(set(data) - {"version", "kind", "clients"}):
        errs.add("unknown field (known: version, kind, clients)", None, None, f)
    if data.get("version") != 1:
        errs.add("must be 1", None, None, "version")
    if data.get("kind") != "conversation":
        errs.add(f"must be conversation (found {data.get('kind')!r})", None, None, "kind")
    raw = data.get("clients")
    if not isinstance(raw, list) or not raw:
        errs.add("a list of at least one client", None, None, "clients")
        raw = []
    out, seen = [], set()
    for k, d in enumerate(raw):
        c = _client(d, k, errs)
        if c is None:
            continue
        if c.id in seen:
            errs.add("duplicate client id", c.id, None, "id")
            continue
        seen.add(c.id)
        out.append(c)
    if errs.items:
        raise ConversationBankError("\n".join(errs.items))
    return out


def load_file(path) -> list[Client]:
    """Read and validate one bank file (YAML; CPython only)."""
    from partnership.validation import load_yaml
    path = Path(path)
    return parse_clients(load_yaml(path, ConversationBankError, what="conversation bank"),
                         str(path))


def bank_files(paths=None) -> list[Path]:
    """The *.yml/*.yaml files named, or inside the folders named (default: the shipped ones)."""
    return yaml_files(paths, CONVERSATION_DIR)


def load_clients(paths=None) -> tuple[list[Client], list[str]]:
    """Every client in ``paths`` (default: the shipped banks): (clients, errors). Client ids
    must be unique across files (saved conversations and graded items name them)."""
    clients, errors, where = [], [], {}
    for f in bank_files(paths):
        try:
            got = load_file(f)
        except ConversationBankError as exc:
            errors.append(str(exc))
            continue
        add_clients(got, f, clients, errors, where)
    return clients, errors


def add_clients(got: list[Client], path, clients: list[Client], errors: list[str],
                where: dict) -> None:
    """Add one file's clients to ``clients``; a client id already in ``where`` (id -> file) is
    an error naming both files. Used by load_clients and by check-banks."""
    for c in got:
        if c.id in where:
            errors.append(f"{path}: client {c.id}, field id: duplicate client id, also in "
                          f"{where[c.id]}")
            continue
        where[c.id] = path
        clients.append(c)


_CACHE: dict[str, list[Client]] = {}


def shipped_clients() -> list[Client]:
    """The clients shipped with the package (cached); raises if a shipped bank is broken. The
    YAML banks where they are (a checkout, an install); else the JSON bundle (the package in
    the book's in-browser labs), checked by the same schema."""
    if "all" not in _CACHE:
        if CONVERSATION_DIR.is_dir() or not BUNDLE.exists():
            clients, errors = load_clients()
            if errors:
                raise ConversationBankError("\n".join(errors))
        else:
            import json
            try:
                data = json.loads(BUNDLE.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConversationBankError(f"{BUNDLE}: cannot be read as JSON ({exc})") \
                    from exc
            clients = parse_clients(data, str(BUNDLE))
        _CACHE["all"] = clients
    return _CACHE["all"]


def bundle_bytes(clients=None) -> bytes:
    """The clients (default: the shipped banks, validated) as one conversation bank in JSON:
    :data:`BUNDLE` in the in-browser labs' package, ``clients.json`` in the book's page."""
    import json
    clients = shipped_clients() if clients is None else clients
    data = {"version": 1, "kind": "conversation", "clients": [c.to_dict() for c in clients]}
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def client_ids() -> list[str]:
    return [c.id for c in shipped_clients()]


def get_client(client_id: str) -> Client:
    for c in shipped_clients():
        if c.id == client_id:
            return c
    raise KeyError(f"no conversation client {client_id!r}; the clients are "
                   f"{', '.join(client_ids())}")


def known_client_id(client_id: str) -> str:
    """``client_id`` if a shipped client has it; else ValueError naming the clients (pydantic
    validators of the graded conversation item, learner's and grader's, use it)."""
    if client_id not in client_ids():
        raise ValueError(f"no conversation client {client_id!r}; the clients are "
                         f"{', '.join(client_ids())}")
    return client_id
