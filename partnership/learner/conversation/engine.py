"""The simulated client: a small state that the learner's turns move, and authored replies.

Deterministic and offline: no language model, no network, no clock. The learner's turn is coded
by the reflection coach (:func:`partnership.coach.analyse`); the code becomes a *move*
(:data:`CODE_MOVES`, :data:`ROADBLOCK_MOVES`: the one place that knows the coach's codes, so a
later change to the coach needs at most those tables changed); the move shifts the client's
state and decides what kind of reply comes back (:data:`MOVES`), following motivational
interviewing's account of how clients respond:

- complex reflections and open questions draw elaboration and change talk; simple reflections
  keep the client talking; closed questions draw brief answers;
- advice without permission, warnings and confrontation draw sustain talk and discord;
- affirmations and support for the client's autonomy lower discord;
- asking permission before giving information keeps the client open, and information given
  with permission is considered rather than resisted.

The state is three numbers between 0 and 1: ``change`` (how far the client leans towards
change: the chance that their talk about it is change talk rather than sustain talk),
``discord`` (friction in the relationship) and ``openness`` (how much they say). Replies are
chosen from the client's bank (:mod:`partnership.learner.conversation.schema`) by tag and state,
in authored order so the story unfolds, with a seeded choice between the next two unused, so a
conversation does not repeat itself. The same client, seed and learner turns always give the
same conversation: :func:`replay` rebuilds one from the learner's turns alone (the grader does
that, never trusting client replies a file claims).

A client may mention thoughts of suicide (``risk`` in the bank): the mention comes at a set
point; if the learner asks about it directly, the client answers honestly (thoughts, no plan,
what keeps them safe, agreeing to talk to someone); if not, they close the subject. The lab
then points to the book's chapter on talking about suicide risk.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from partnership.learner.conversation.schema import Client

__all__ = ["Conversation", "Turn", "State", "Move", "MOVES", "CODE_MOVES", "ROADBLOCK_MOVES",
           "move_for", "replay", "verify", "ENGINE_VERSION", "MAX_TURNS", "MAX_CHARS",
           "ConversationError"]

#: Changes whenever the same turns could give a different conversation (saved records say
#: which version made them, so a grader can explain a mismatch).
ENGINE_VERSION = 1
#: a conversation ends here (a ten-turn conversation is the goal; records stay small)
MAX_TURNS = 40
#: the longest learner turn accepted (the coach reads 4,000 characters at most)
MAX_CHARS = 2000


class ConversationError(ValueError):
    """A turn that cannot be sent (empty, too long, or the conversation is over)."""


# ---------------------------------------------------------------------------- moves

@dataclass(frozen=True)
class Move:
    """What a kind of learner turn does: shifts in the client's state and the reply rule.

    ``reply`` rules: ``deepen`` (talk about change, else elaboration), ``continue``
    (elaboration, sometimes talk), ``explore`` (elaboration or talk), ``consider`` (talk,
    leaning to change), ``brief``, ``permission`` (agrees to hear information), ``resist``
    (sustain talk, or discord when discord is high)."""
    change: float
    discord: float
    openness: float
    reply: str
    label: str          # in words, for the learner


MOVES: dict[str, Move] = {
    "complex_reflection": Move(+0.12, -0.10, +0.08, "deepen", "complex reflection"),
    "simple_reflection": Move(+0.04, -0.06, +0.05, "continue", "simple reflection"),
    "open_question": Move(+0.04, -0.02, +0.04, "explore", "open question"),
    "closed_question": Move(0.0, 0.0, -0.05, "brief", "closed question"),
    "ask_permission": Move(0.0, -0.05, +0.02, "permission", "asking permission"),
    "input_with_permission": Move(+0.05, 0.0, 0.0, "consider",
                                  "information or advice with permission"),
    "affirmation": Move(+0.03, -0.12, +0.08, "continue", "affirmation"),
    "autonomy": Move(+0.06, -0.15, +0.05, "deepen", "emphasising autonomy"),
    "information": Move(-0.04, +0.08, -0.04, "resist", "information without permission"),
    "advice": Move(-0.10, +0.18, -0.08, "resist", "advice without permission"),
    "warning": Move(-0.12, +0.22, -0.10, "resist", "warning"),
    "confrontation": Move(-0.12, +0.25, -0.12, "resist", "confronting or persuading"),
    "reassurance": Move(-0.02, +0.05, -0.06, "brief", "reassurance"),
    "self_disclosure": Move(0.0, +0.03, -0.05, "brief", "talking about yourself"),
    "other": Move(0.0, 0.0, -0.03, "brief", "other"),
}

#: The coach's (code, sub-code) -> the move. The one table to change if the coach's codes change.
CODE_MOVES: dict[tuple, str] = {
    ("reflection", "complex"): "complex_reflection",
    ("reflection", "simple"): "simple_reflection",
    ("reflection", None): "simple_reflection",
    ("question", "open"): "open_question",
    ("question", "closed"): "closed_question",
    ("question", None): "closed_question",
    ("therapist_input", "information"): "information",
    ("therapist_input", "advice"): "advice",
    ("therapist_input", "options"): "information",
    ("therapist_input", "negotiation"): "information",
    ("therapist_input", None): "information",
    ("other", "affirmation"): "affirmation",
    ("other", "reassurance"): "reassurance",
    ("other", "confrontation"): "confrontation",
    ("other", "self-disclosure"): "self_disclosure",
    ("other", None): "other",
}
#: Roadblocks the coach names -> the move they make. An MI-inconsistent act (advice, a warning,
#: confronting) lands as that act even inside a reflection; reassurance and talking about
#: yourself replace only a question, input or "other" (a reflection still lands as listening).
ROADBLOCK_MOVES: dict[str, str] = {
    "labelling": "confrontation", "judging": "confrontation", "moralising": "confrontation",
    "persuading": "confrontation", "sarcasm": "confrontation", "confrontation": "confrontation",
    "warning": "warning", "ordering": "advice", "advice": "advice",
    "reassurance": "reassurance", "self-disclosure": "self_disclosure",
}
_OVERRIDE_ALWAYS = ("confrontation", "warning", "advice")        # most severe first
_OVERRIDE_SOFT = ("reassurance", "self_disclosure")
_LISTENING = ("complex_reflection", "simple_reflection", "affirmation")

# The engine's own wording cues, for MITI behaviours the coach does not code separately.
# Asking permission before information ("Would it be OK if I shared...?").
_PERMISSION = re.compile(
    r"\b(?:would it be (?:ok|okay|alright|all right)|is it (?:ok|okay|alright|all right)|"
    r"(?:can|could|may|might) i (?:share|tell you|offer|give you|suggest|mention|explain|"
    r"pass on|say)|would you (?:like|mind|be interested|want) (?:me to|if i|to hear|to know)|"
    r"do you mind if i|how would you feel about me (?:sharing|telling)|"
    r"would you like (?:some|a bit of|more) (?:information|ideas|suggestions))", re.I)
# Emphasising autonomy ("It's your decision", "You know yourself best").
_AUTONOMY = re.compile(
    r"\b(?:(?:it'?s|it is|that'?s|that is) (?:completely |entirely |totally |really |still |"
    r"very much |all )?(?:up to you|your (?:choice|decision|call))|only you can (?:decide|"
    r"choose|know)|you(?:'re| are) the (?:one|best person|expert)(?: who| to)? "
    r"(?:decide|know|on)|you know yourself best|whatever you (?:decide|choose)|"
    r"you get to (?:decide|choose)|you(?:'ll| will) decide|the choice is yours|"
    r"(?:the )?decision is yours|you(?:'re| are) in charge of)", re.I)
# The learner asks about suicide risk directly.
_RISK_ASKED = re.compile(
    r"\b(?:suicid\w*|kill(?:ing)? (?:yourself|your ?self)|end(?:ing)? (?:your (?:own )?life|"
    r"it all|things|your ?self)|take your (?:own )?life|(?:hurt|harm)(?:ing)? yourself|"
    r"self[- ]?harm\w*|(?:want|wanting|wish|wishing) to (?:die|be dead)|"
    r"(?:not|n't) (?:want(?:ing)? to|wake|waking)(?: up| be here| be alive| live| go on)|"
    r"not (?:being|be) here|not waking up|(?:thoughts|thinking|thought) (?:of|about) "
    r"(?:dying|death|not being|ending|not waking|suicide)|safe(?:ty)?|plans? to)\b", re.I)


def move_for(code, subcode, roadblocks, text: str = "", permission: bool = False) -> str:
    """The move a coded learner turn makes (see the tables above)."""
    move = CODE_MOVES.get((code, subcode)) or CODE_MOVES.get((code, None)) or "other"
    found = {ROADBLOCK_MOVES[b] for b in (roadblocks or []) if b in ROADBLOCK_MOVES}
    hard = next((m for m in _OVERRIDE_ALWAYS if m in found), None)
    if hard is not None:
        move = hard
    elif move not in _LISTENING:
        soft = next((m for m in _OVERRIDE_SOFT if m in found), None)
        if soft is not None:
            move = soft
    if hard is None and _AUTONOMY.search(text or ""):
        move = "autonomy"
    elif code == "question" and hard is None and _PERMISSION.search(text or ""):
        move = "ask_permission"
    if permission and move in ("information", "advice"):
        move = "input_with_permission"
    return move


# ---------------------------------------------------------------------------- state

@dataclass
class State:
    change: float
    discord: float
    openness: float
    risk: str = "none"              # none | mentioned | asked | unasked
    risk_next: int = 0              # index of the next 'asked' reply
    permission: bool = False        # the client has just agreed to hear information

    def numbers(self) -> dict:
        return {"change": round(self.change, 4), "discord": round(self.discord, 4),
                "openness": round(self.openness, 4)}


def _clamp(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def level(tag: str, st: State) -> str:
    if tag == "change":
        return "high" if st.change >= 0.6 else "low"
    if tag == "sustain":
        return "high" if st.discord >= 0.4 else "low"
    if tag == "discord":
        return "high" if st.discord >= 0.6 else "low"
    if tag == "elaboration":
        return "high" if st.openness >= 0.6 else "low"
    raise ValueError(tag)


def _draw(*parts) -> float:
    """A number in [0, 1) from the parts, the same in every Python and every run (FNV-1a and a
    finaliser, 64 bits; Python's own hash() of a string is salted per process)."""
    m = 0xFFFFFFFFFFFFFFFF
    h = 0xCBF29CE484222325
    for b in "|".join(map(str, parts)).encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & m
    # MurmurHash3's finaliser: FNV alone leaves the high bits poorly mixed by the last bytes
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & m
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & m
    h ^= h >> 33
    return h / 2.0 ** 64


# ---------------------------------------------------------------------------- turns

@dataclass(frozen=True)
class Turn:
    number: int                     # 1-based learner turn
    learner: str
    code: str | None
    subcode: str | None
    roadblocks: tuple
    move: str
    reply: str
    tag: str                        # change | sustain | discord | elaboration | brief
    state: str                      # the reply's state, e.g. "change.high", or "risk"
    risk: bool                      # the reply is part of the risk thread
    after: dict                     # the client's numbers after this turn
    before: dict

    @property
    def move_label(self) -> str:
        return MOVES[self.move].label

    def to_dict(self) -> dict:
        return {"n": self.number, "learner": self.learner, "code": self.code,
                "subcode": self.subcode, "roadblocks": list(self.roadblocks),
                "move": self.move, "reply": self.reply, "tag": self.tag, "state": self.state,
                "risk": self.risk, "before": dict(self.before), "after": dict(self.after)}


def _coach():
    from partnership.coach import analyse
    return analyse


class Conversation:
    """One conversation with a simulated client.

        conv = Conversation(client, seed=3)
        conv.opening                      # what the client says first
        turn = conv.send("You're in two minds about it.")
        turn.reply, turn.tag              # the client's reply and what kind of talk it is
        conv.summary()                    # MITI-style summary (summary.summarise)

    ``coder(response, client_statement)`` codes a learner turn; it defaults to the reflection
    coach and must return an object with ``code``, ``subcode`` and ``roadblocks``.
    """

    def __init__(self, client: Client, seed: int = 0, coder=None):
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError("seed must be an integer")
        self.client = client
        self.seed = seed
        self.coder = coder
        self.state = State(**client.start)
        self.turns: list[Turn] = []
        self.finished = False
        self._used: dict[str, list[int]] = {}

    @property
    def opening(self) -> str:
        return self.client.opening

    @property
    def last_client_words(self) -> str:
        return self.turns[-1].reply if self.turns else self.client.opening

    # -------------------------------------------------------------- sending a turn

    def send(self, text: str) -> Turn:
        """The learner says ``text``; returns the turn with the client's reply."""
        if self.finished:
            raise ConversationError("this conversation has finished; start a new one")
        if len(self.turns) >= MAX_TURNS:
            raise ConversationError(f"a conversation has at most {MAX_TURNS} turns; finish "
                                    f"it to see your summary")
        if not isinstance(text, str) or not text.strip():
            raise ConversationError("write something to say to the client first")
        text = text.strip()
        if len(text) > MAX_CHARS:
            raise ConversationError(f"that turn is {len(text):,} characters; keep a turn "
                                    f"under {MAX_CHARS:,} (say one thing at a time)")
        coder = self.coder or _coach()
        r = coder(text, self.last_client_words)
        code, subcode = getattr(r, "code", None), getattr(r, "subcode", None)
        blocks = tuple(getattr(r, "roadblocks", ()) or ())
        st = self.state
        before = st.numbers()
        move = move_for(code, subcode, blocks, text, st.permission)
        m = MOVES[move]
        st.permission = False
        st.change = _clamp(st.change + m.change)
        st.discord = _clamp(st.discord + m.discord)
        st.openness = _clamp(st.openness + m.openness)
        n = len(self.turns) + 1
        tag, state, reply, risk = self._reply(n, move, m, text)
        if move == "ask_permission":
            st.permission = True
        turn = Turn(n, text, code, subcode, blocks, move, reply, tag, state, risk,
                    st.numbers(), before)
        self.turns.append(turn)
        return turn

    def _reply(self, n: int, move: str, m: Move, text: str) -> tuple[str, str, str, bool]:
        st, risk = self.state, self.client.risk
        if risk is not None:
            got = self._risk_reply(n, move, text, risk)
            if got is not None:
                return got
        tag = self._tag(n, m.reply)
        lv = level(tag, st) if tag != "brief" else ("permission" if m.reply == "permission"
                                                    else "answer")
        return tag, f"{tag}.{lv}", self._pick(n, tag, lv), False

    def _tag(self, n: int, rule: str) -> str:
        st = self.state
        u, v = _draw(self.seed, self.client.id, n, "kind"), _draw(self.seed, self.client.id, n,
                                                                    "talk")
        talk = "change" if v < st.change else "sustain"
        # a complex reflection (or support for their choice) evokes the change side of the
        # ambivalence a little more than the state alone would
        deep = "change" if v < st.change + 0.1 else "sustain"
        if rule == "resist":
            # a first piece of unasked-for advice mostly draws "yes, but"; more of it, discord
            return "discord" if (st.discord >= 0.55 or u < st.discord - 0.1) else "sustain"
        if rule == "permission":
            return "brief"
        if st.discord >= 0.7 and rule in ("explore", "brief", "consider"):
            return "discord"
        if rule == "brief":
            return "brief"
        if st.openness < 0.25 and rule in ("continue", "explore"):
            return "brief"
        if rule == "deepen":
            return deep if u < 0.65 else "elaboration"
        if rule == "continue":
            return "elaboration" if u < 0.7 else talk
        if rule == "explore":
            return "elaboration" if u < 0.6 else talk
        if rule == "consider":
            return "change" if v < st.change + 0.15 else "sustain"
        raise ValueError(f"unknown reply rule {rule!r}")

    def _pick(self, n: int, tag: str, lv: str) -> str:
        """The next reply of a state: one of the next two unused (authored order), seeded; when
        all are used, the one used longest ago."""
        texts = self.client.texts(tag, lv)
        key = f"{tag}.{lv}"
        used = self._used.setdefault(key, [])
        fresh = [i for i in range(len(texts)) if i not in used]
        if fresh:
            k = fresh[0] if len(fresh) == 1 or _draw(self.seed, self.client.id, n, key) < 0.6 \
                else fresh[1]
        else:
            k = used.pop(0)
        used.append(k)
        return texts[k]

    def _risk_reply(self, n, move, text, risk):
        st = self.state
        if st.risk == "none":
            # said to someone who has earned a little trust, or later on in any case; never
            # into strong discord (nobody confides in someone who is lecturing them)
            if n >= risk.turn and st.discord < 0.6 and (st.openness >= 0.45
                                                        or n >= risk.turn + 3):
                st.risk = "mentioned"
                return "elaboration", "risk", risk.mention, True
            return None
        asks = bool(_RISK_ASKED.search(text)) and move in (
            "complex_reflection", "simple_reflection", "open_question", "closed_question",
            "ask_permission", "affirmation", "autonomy")
        if st.risk in ("mentioned", "unasked") and asks:
            st.risk, st.risk_next = "asked", 1
            st.discord = _clamp(st.discord - 0.05)
            return "elaboration", "risk", risk.asked[0], True
        if st.risk == "asked" and st.risk_next < len(risk.asked) and move in (
                "complex_reflection", "simple_reflection", "open_question", "closed_question",
                "affirmation", "autonomy"):
            st.risk_next += 1
            return "elaboration", "risk", risk.asked[st.risk_next - 1], True
        if st.risk == "mentioned":
            st.risk = "unasked"
            k = int(_draw(self.seed, self.client.id, n, "unasked") * len(risk.unasked))
            return "brief", "risk", risk.unasked[k], True
        return None

    # -------------------------------------------------------------- the whole conversation

    def finish(self) -> dict:
        """End the conversation; return its summary."""
        self.finished = True
        return self.summary()

    def summary(self) -> dict:
        from partnership.learner.conversation.summary import summarise
        return summarise(self)

    def to_record(self) -> dict:
        """The conversation as saved in the answers file (JSON data; format in
        ``partnership/learner/banks/FORMAT.md``)."""
        return {"format": "conversation", "engine": ENGINE_VERSION, "client": self.client.id,
                "seed": self.seed, "finished": self.finished,
                "turns": [t.to_dict() for t in self.turns]}


def learner_turns(record) -> list[str]:
    """The learner's own words from a saved record (anything else in it is ignored)."""
    if not isinstance(record, dict) or not isinstance(record.get("turns"), list):
        return []
    out = []
    for t in record["turns"][:MAX_TURNS]:
        words = t.get("learner") if isinstance(t, dict) else None
        if isinstance(words, str) and words.strip():
            out.append(words[:MAX_CHARS])
    return out


def replay(client: Client, turns, seed: int = 0, coder=None) -> Conversation:
    """The conversation that ``turns`` (the learner's words, in order) give with ``client``."""
    conv = Conversation(client, seed=seed, coder=coder)
    for text in turns:
        conv.send(text)
    return conv


def verify(client: Client, record, seed: int | None = None,
           coder=None) -> tuple[Conversation, list[str]]:
    """Rebuild a saved conversation from its learner turns; return it and the differences from
    the client replies the record claims (in words; empty when they agree)."""
    if seed is None:
        s = record.get("seed") if isinstance(record, dict) else None
        seed = s if isinstance(s, int) and not isinstance(s, bool) else 0
    conv = replay(client, learner_turns(record), seed=seed, coder=coder)
    problems = []
    if isinstance(record, dict) and record.get("client") not in (None, client.id):
        problems.append(f"the saved conversation is with client {record.get('client')!r}, "
                        f"not {client.id!r}")
    raw = record.get("turns") if isinstance(record, dict) else None
    raw = raw if isinstance(raw, list) else []
    saved = [t for t in raw if isinstance(t, dict) and isinstance(t.get("learner"), str)
             and t["learner"].strip()]
    differ = [t.number for t, s in zip(conv.turns, saved) if s.get("reply") != t.reply]
    if differ:
        version = record.get("engine")
        why = "" if version == ENGINE_VERSION else \
            f" (saved by engine version {version!r}; this is version {ENGINE_VERSION})"
        problems.append(f"the client's replies saved for turn(s) {', '.join(map(str, differ))} "
                        f"differ from what the engine gives for the same words{why}; the "
                        f"rebuilt replies are shown")
    if len(saved) != len(raw):
        problems.append(f"{len(raw) - len(saved)} of the {len(raw)} saved turns were damaged "
                        f"and skipped")
    if len(saved) > MAX_TURNS:
        problems.append(f"only the first {MAX_TURNS} turns were read")
    conv.finished = bool(isinstance(record, dict) and record.get("finished"))
    return conv, problems
