"""The conversation engine (partnership.learner.conversation): simulated clients as data, the
coach's codes as moves, and the conversation they make.

Scripted learners on every shipped client, with the real reflection coach and responses that
are clear cases: one who only gives complex reflections ends with more change talk and less
discord than one who only gives advice nobody asked for; one who only asks closed questions
gets brief answers; the same turns always give the same transcript, and a saved record is
rebuilt from the learner's words alone.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from fresh_python import modules_after
from partnership.learner.conversation import (Conversation, ConversationBankError,
                                              ConversationError, parse_clients, replay, verify)
from partnership.learner.conversation.engine import (CODE_MOVES, MAX_TURNS, MOVES,
                                                     ROADBLOCK_MOVES, move_for)
from partnership.learner.conversation.schema import (CONVERSATION_DIR, LEVELS, TAGS,
                                                     load_clients, shipped_clients)
from partnership.learner.conversation.summary import (summary_lines, summary_svg,
                                                      transcript_markdown)

CLIENTS = shipped_clients()
IDS = [c.id for c in CLIENTS]
MAREK = next(c for c in CLIENTS if c.id == "marek-alcohol")
SEEDS = (0, 1, 2)

# Clear cases (each checked against the coach below, so a coach change that misreads one fails
# loudly here rather than silently weakening the scripted tests).
COMPLEX = [
    "It sounds like this has become your way of coping, and part of you is uneasy about what "
    "it's costing you.",
    "You're torn: life feels impossible without it, and yet you're not happy with how much "
    "it's become.",
    "Feeling in control matters a lot to you, and you're starting to wonder if there's a "
    "better way.",
    "On the one hand it helps you cope, and on the other you're worried about where it's "
    "heading.",
    "Part of you is ready for something to change, even though letting go of the old way "
    "feels risky.",
]
ADVICE = [
    "You should cut down.",
    "I'd recommend you make a plan and stick to it.",
    "You should try a different approach.",
    "My advice is to talk to your family about it tonight.",
    "I suggest you make a list of reasons to change and read it every morning.",
]
CLOSED = [
    "Is that every day?",
    "Have you talked to anyone about it?",
    "Is your family worried?",
    "Do you want to change it?",
    "Is it more than last year?",
]


def ten(turns):
    return (turns * 2)[:10]


def test_the_scripted_turns_are_clear_cases_for_the_coach():
    from partnership.coach import analyse
    for text in COMPLEX:
        r = analyse(text, MAREK.opening)
        assert (r.code, r.subcode, r.roadblocks) == ("reflection", "complex", []), text
    for text in ADVICE:
        r = analyse(text, MAREK.opening)
        assert "advice" in r.roadblocks or (r.code, r.subcode) == ("therapist_input", "advice"), \
            text
    for text in CLOSED:
        r = analyse(text, MAREK.opening)
        assert (r.code, r.subcode) == ("question", "closed"), text


# ---------------------------------------------------------------------------- the banks

def test_shipped_clients_are_varied_and_valid():
    assert len(CLIENTS) >= 8
    assert len(set(IDS)) == len(IDS)
    assert len({c.setting for c in CLIENTS}) >= 7
    assert len({c.behaviour for c in CLIENTS}) == len(CLIENTS)
    ages = sorted(int(re.search(r", (\d+),", c.title).group(1)) for c in CLIENTS)
    assert ages[0] < 25 and ages[-1] > 70, ages
    for c in CLIENTS:
        for t in TAGS:
            for lv in LEVELS[t]:
                assert len(c.texts(t, lv)) >= 3, (c.id, t, lv)
        # every reply unique within the client, so a conversation does not repeat itself
        every = [x for t in c.replies.values() for v in t.values() for x in v]
        assert len(set(every)) == len(every), c.id
    assert [c for c in CLIENTS if c.risk is not None], "a client who mentions risk"


def test_risk_replies_name_no_method_and_say_what_keeps_the_client_safe():
    method = re.compile(r"\b(overdose|pills?|tablets|rope|bridge|jump\w*|knife|cut\w*|hang\w*|"
                        r"poison\w*|gun|drown\w*|car|train)\b", re.I)
    for c in CLIENTS:
        if c.risk is None:
            continue
        for text in (c.risk.mention, *c.risk.asked, *c.risk.unasked):
            assert not method.search(text), (c.id, text)
        first = c.risk.asked[0].lower()
        assert re.search(r"\b(no|not|wouldn't|would not)\b", first), c.id  # no plan, no act
        assert re.search(r"\b(tell|call|ring|doctor|surgery|number)\b", " ".join(c.risk.asked),
                         re.I), c.id                          # and whom they would turn to


def _bank(**over):
    c = MAREK.to_dict()
    c.update(over)
    return {"version": 1, "kind": "conversation", "clients": [c]}


@pytest.mark.parametrize("change, message", [
    (lambda d: d["clients"][0]["replies"]["change"]["low"].__setitem__(2, ""),
     "x.yml: client marek-alcohol, state change.low, field replies.change.low.2: must be text"),
    (lambda d: d["clients"][0]["replies"]["brief"].pop("permission"),
     "x.yml: client marek-alcohol, state brief.permission, field replies.brief.permission: "
     "missing"),
    (lambda d: d["clients"][0]["replies"]["sustain"].__setitem__("high", ["Only one."]),
     "x.yml: client marek-alcohol, state sustain.high, field replies.sustain.high: must hold "
     "3 to 20 replies (found 1)"),
    (lambda d: d["clients"][0]["replies"]["discord"].__setitem__("medium", ["a", "b", "c"]),
     "x.yml: client marek-alcohol, state discord.medium, field replies.discord.medium: unknown "
     "state"),
    (lambda d: d["clients"][0]["start"].__setitem__("discord", 1.5),
     "x.yml: client marek-alcohol, field start.discord: a number between 0 and 1"),
    (lambda d: d["clients"][0].__setitem__("risk", {"turn": 3, "mention": "I feel low today.",
                                                     "asked": ["Only one reply."],
                                                     "unasked": ["Never mind."]}),
     "x.yml: client marek-alcohol, state risk, field risk.asked: must hold 2 to 6 replies"),
    (lambda d: d["clients"][0].__setitem__("opening", "Hello <b>there</b> nurse"),
     "x.yml: client marek-alcohol, field opening: plain text only"),
    (lambda d: d["clients"][0].__setitem__("mood", "low"),
     "x.yml: client marek-alcohol, field mood: unknown field"),
    (lambda d: d.__setitem__("kind", "practice"),
     "x.yml: field kind: must be conversation (found 'practice')"),
    (lambda d: d["clients"].append(dict(d["clients"][0])),
     "x.yml: client marek-alcohol, field id: duplicate client id"),
])
def test_errors_name_the_file_client_state_and_field(change, message):
    data = _bank()
    change(data)
    with pytest.raises(ConversationBankError) as err:
        parse_clients(data, "x.yml")
    assert message in str(err.value), str(err.value)


def test_every_error_in_a_file_is_reported_at_once(tmp_path):
    data = _bank()
    data["clients"][0]["name"] = ""
    data["clients"][0]["replies"]["elaboration"]["high"] = "not a list"
    f = tmp_path / "two.yml"
    f.write_text(yaml.safe_dump(data), encoding="utf-8")
    clients, errors = load_clients([f])
    assert clients == [] and len(errors) == 1
    assert "field name: must be text" in errors[0]
    assert "state elaboration.high, field replies.elaboration.high" in errors[0]
    bad = tmp_path / "bad.yml"
    bad.write_text("clients: [unclosed", encoding="utf-8")
    assert "not valid YAML" in load_clients([bad])[1][0]


def test_duplicate_ids_across_files_are_refused(tmp_path):
    for name in ("a.yml", "b.yml"):
        (tmp_path / name).write_text(yaml.safe_dump(_bank()), encoding="utf-8")
    clients, errors = load_clients([tmp_path])
    assert len(clients) == 1
    assert errors == [f"{tmp_path / 'b.yml'}: client marek-alcohol, field id: duplicate client "
                      f"id, also in {tmp_path / 'a.yml'}"]


def test_a_client_survives_a_json_round_trip():
    """The book ships the banks as JSON (no YAML in the browser): the same clients come back."""
    for c in CLIENTS:
        again = parse_clients(json.loads(json.dumps({"version": 1, "kind": "conversation",
                                                     "clients": [c.to_dict()]})))[0]
        assert again.to_dict() == c.to_dict()


# ---------------------------------------------------------------------------- moves

def test_every_coach_code_maps_to_a_known_move():
    assert set(CODE_MOVES.values()) <= set(MOVES)
    assert set(ROADBLOCK_MOVES.values()) <= set(MOVES)
    for code in ("question", "reflection", "therapist_input", "other"):
        assert (code, None) in CODE_MOVES
    assert move_for("reflection", "complex", []) == "complex_reflection"
    assert move_for("reflection", "complex", ["advice"]) == "advice"        # advice dominates
    assert move_for("reflection", "simple", ["reassurance"]) == "simple_reflection"
    assert move_for("question", "closed", ["reassurance"]) == "reassurance"
    assert move_for("other", "affirmation", ["warning"]) == "warning"
    assert move_for("question", "mystery", []) == "closed_question"          # unknown sub-code
    assert move_for("poem", None, []) == "other"                             # unknown code
    assert move_for("question", "closed", [], "Would it be OK if I shared something?") == \
        "ask_permission"
    assert move_for("therapist_input", "advice", ["advice"], "You should...", True) == \
        "input_with_permission"
    assert move_for("therapist_input", "information", [], "Fourteen units...", True) == \
        "input_with_permission"
    assert move_for("other", None, [], "It's completely your decision.") == "autonomy"


def _run(client, turns, seed=0):
    return replay(client, turns, seed=seed)


def test_permission_keeps_the_client_open_and_affirmations_lower_discord():
    c = next(x for x in CLIENTS if x.id == "marek-alcohol")
    info = "Men who drink more than fourteen units a week have a higher risk of liver disease."
    asked = _run(c, ["Would it be OK if I shared some information about alcohol and your "
                     "liver?", info])
    blunt = _run(c, [info])
    assert asked.turns[0].move == "ask_permission" and asked.turns[0].tag == "brief"
    assert asked.turns[0].state == "brief.permission"
    assert asked.turns[1].move == "input_with_permission" and blunt.turns[0].move == "information"
    assert asked.state.openness >= c.start["openness"] > blunt.state.openness
    assert asked.state.discord < blunt.state.discord
    aff = _run(c, ["You've been really honest with me about something that isn't easy to talk "
                   "about."])
    assert aff.turns[0].move == "affirmation"
    assert aff.state.discord < c.start["discord"]
    auto = _run(c, ["It's completely your decision what you do about it."])
    assert auto.turns[0].move == "autonomy" and auto.state.discord < c.start["discord"]


# ---------------------------------------------------------------------------- scripted learners

@pytest.mark.parametrize("cid", IDS)
def test_complex_reflections_draw_change_talk_and_advice_draws_discord(cid):
    client = next(c for c in CLIENTS if c.id == cid)
    shares = []
    for seed in SEEDS:
        good = _run(client, ten(COMPLEX), seed).summary()
        shares.append(good["change_share"])
        bad = _run(client, ten(ADVICE), seed).summary()
        assert all(m == "complex_reflection" for m in good["moves"]), good["moves"]
        assert set(bad["moves"]) <= {"advice", "warning", "confrontation"}, bad["moves"]
        assert (good["change_share"] or 0) > (bad["change_share"] or 0), (seed, good, bad)
        assert good["discord_replies"] < bad["discord_replies"], seed
        assert good["states"][-1]["discord"] < bad["states"][-1]["discord"], seed
        assert good["states"][-1]["change"] > bad["states"][-1]["change"], seed
    assert sum(shares) / len(shares) >= 0.5, shares     # mostly change talk, on average


# One kind of turn, ten times, with the real coach: texts it codes the same way with every
# client (checked in the test, so a coach change that misreads one fails here, by name).
KINDS = {
    "open_question": ["What would you like to be different?",
                      "What matters most to you in all this?", "How do you feel about it?",
                      "What worries you about it?",
                      "Tell me more about how things are at the moment."],
    "simple_reflection": ["You're not sure.", "You feel tired.", "You're finding it hard."],
    "warning": ["If you keep going like this, you'll end up seriously ill.",
                "You'll damage your health if you carry on.",
                "If you don't change, things will get much worse."],
    "confrontation": ["You're in denial about this.", "You're being irresponsible.",
                      "You're being selfish."],
    "affirmation": ["You've been really honest with me about something that isn't easy to "
                    "talk about.", "That took courage to say.",
                    "You've kept going through a lot."],
    "autonomy": ["It's your decision what you do about it.",
                 "Only you can decide what's right for you.", "You know yourself best.",
                 "Whatever you decide, it's your choice."],
}


@pytest.mark.parametrize("cid", IDS)
def test_each_kind_of_turn_moves_the_client_as_mi_describes(cid):
    """The issue's list, move by move, on every client and three seeds: open questions draw
    elaboration and change talk; simple reflections keep the client talking; warnings and
    confrontation draw sustain talk and discord; affirmations and support for autonomy lower
    discord; asking permission keeps the client open, and information given then is weighed,
    not fought (closed questions, complex reflections and advice: the tests above)."""
    client = next(c for c in CLIENTS if c.id == cid)
    start = client.start
    for seed in SEEDS:
        runs = {kind: _run(client, (texts * 4)[:10], seed) for kind, texts in KINDS.items()}
        for kind, conv in runs.items():
            assert [t.move for t in conv.turns] == [kind] * 10, (kind, [
                (t.learner, t.move) for t in conv.turns if t.move != kind])
        tags = {kind: [t.tag for t in conv.turns if not t.risk] for kind, conv in runs.items()}
        end = {kind: conv.state for kind, conv in runs.items()}
        # open questions: the story and some change talk; never discord, never a brief answer
        assert set(tags["open_question"]) <= {"elaboration", "change", "sustain"}
        assert tags["open_question"].count("elaboration") >= 4
        assert end["open_question"].change > start["change"]
        assert end["open_question"].openness > start["openness"]
        # simple reflections: the client keeps talking (no brief answers, no discord)
        assert set(tags["simple_reflection"]) <= {"elaboration", "change", "sustain"}
        assert end["simple_reflection"].discord < start["discord"]
        # warnings and confrontation: only sustain talk and discord, and more and more discord
        for kind in ("warning", "confrontation"):
            assert set(tags[kind]) <= {"sustain", "discord"}, (kind, tags[kind])
            assert tags[kind].count("discord") >= 7, (kind, tags[kind])
            assert end[kind].discord > start["discord"] and end[kind].change < start["change"]
            assert not any(t.risk for t in runs[kind].turns)     # nobody confides in them
        # affirmations and autonomy: discord falls, and the client says more
        for kind in ("affirmation", "autonomy"):
            assert "discord" not in tags[kind] and "brief" not in tags[kind], (kind, tags[kind])
            assert end[kind].discord < start["discord"] and end[kind].discord < 0.05
            assert end[kind].openness > start["openness"]
        assert end["autonomy"].change > start["change"]
        # permission first: agrees to hear it, and the information is weighed (change or
        # sustain talk); the same information unasked for moves the client the other way
        info = "Most people who make a change like this find the first fortnight the hardest."
        asked = _run(client, ["Would it be OK if I shared some information about that?", info],
                     seed)
        blunt = _run(client, [info], seed)
        assert [t.move for t in asked.turns] == ["ask_permission", "input_with_permission"]
        assert asked.turns[0].state == "brief.permission"
        assert asked.turns[0].reply in client.texts("brief", "permission")
        assert asked.turns[1].tag in ("change", "sustain")
        assert blunt.turns[0].move == "information"
        assert asked.state.openness >= start["openness"] > blunt.state.openness
        assert asked.state.discord < start["discord"] < blunt.state.discord
        assert asked.state.change > blunt.state.change


def test_change_talk_never_models_stopping_alcohol_or_opioids_at_once():
    """Stopping heavy drinking or long-term opioids suddenly can be dangerous: a client's plan
    to change them is gradual and involves their doctor, never an abrupt stop."""
    abrupt = re.compile(r"\b(no (cans|drink|drinks|alcohol|tablets)|(stop|quit) (drinking|"
                        r"taking|them|the tablets)|give (it|them) up|cold turkey|weekdays "
                        r"without|without (any|them))\b", re.I)
    risky = [c for c in CLIENTS if c.behaviour in ("drinking", "opioid pain medicine")]
    assert {c.id for c in risky} == {"marek-alcohol", "gurpreet-pain"}
    for c in risky:
        plans = c.texts("change", "high")
        for text in plans:
            assert not abrupt.search(text), (c.id, text)
        assert any(re.search(r"\b(slowly|gradual\w*|one .* fewer|doctor|review)\b", t, re.I)
                   for t in plans), c.id


@pytest.mark.parametrize("cid", IDS)
def test_closed_questions_get_brief_answers(cid):
    client = next(c for c in CLIENTS if c.id == cid)
    for seed in SEEDS:
        conv = _run(client, ten(CLOSED), seed)
        assert [t.tag for t in conv.turns if not t.risk] == \
            ["brief"] * len([t for t in conv.turns if not t.risk])
        assert all(t.reply in client.texts("brief", "answer") for t in conv.turns if not t.risk)
        assert conv.state.openness < client.start["openness"]


@pytest.mark.parametrize("cid", IDS)
def test_the_same_turns_give_the_same_transcript(cid):
    client = next(c for c in CLIENTS if c.id == cid)
    mixed = [COMPLEX[0], CLOSED[0], "What would you like to be different?", ADVICE[0],
             COMPLEX[1], "You've been really honest with me.", COMPLEX[2], CLOSED[1],
             COMPLEX[3], "What matters most to you in all this?"]
    a, b = _run(client, mixed, 7), _run(client, mixed, 7)
    assert [t.to_dict() for t in a.turns] == [t.to_dict() for t in b.turns]
    assert transcript_markdown(a) == transcript_markdown(b)
    # the saved record, rebuilt from the learner's words alone, is the same conversation
    again, problems = verify(client, json.loads(json.dumps(a.to_record())))
    assert problems == [] and [t.to_dict() for t in again.turns] == [t.to_dict() for t in a.turns]
    # a different seed may phrase it differently, but the kinds of talk follow the same state
    other = _run(client, mixed, 8)
    assert [t.move for t in other.turns] == [t.move for t in a.turns]
    # a conversation does not repeat itself: no reply twice in ten turns (brief answers aside)
    said = [t.reply for t in a.turns if t.tag != "brief"]
    assert len(set(said)) == len(said)


def test_verify_rebuilds_replies_from_the_learner_turns_and_names_what_differs():
    client = MAREK
    rec = _run(client, COMPLEX[:3], 4).to_record()
    rec["turns"][1]["reply"] = "I will do whatever you say, nurse."   # edited by hand
    rec["turns"][0]["code"] = "reflection"                              # claimed codes: ignored
    rec["turns"].append("junk")
    conv, problems = verify(client, rec)
    assert conv.turns[1].reply != "I will do whatever you say, nurse."
    assert any("turn(s) 2 differ" in p for p in problems), problems
    assert any("1 of the 4 saved turns were damaged" in p for p in problems), problems
    rec2 = dict(rec, client="someone-else", engine=99)
    _, problems = verify(client, rec2)
    assert any("not 'marek-alcohol'" in p for p in problems)
    assert any("saved by engine version 99" in p for p in problems)


def test_turns_that_cannot_be_sent():
    conv = Conversation(MAREK, seed=0)
    for bad in ("", "   ", None, "x" * 2001):
        with pytest.raises(ConversationError):
            conv.send(bad)
    assert conv.turns == []
    conv.finish()
    with pytest.raises(ConversationError, match="finished"):
        conv.send("Hello.")
    long = Conversation(MAREK, seed=0, coder=lambda r, c: type("R", (), {
        "code": "reflection", "subcode": "simple", "roadblocks": []})())
    for _ in range(MAX_TURNS):
        long.send("You're unsure.")
    with pytest.raises(ConversationError, match=f"at most {MAX_TURNS}"):
        long.send("One more.")
    with pytest.raises(TypeError):
        Conversation(MAREK, seed="1")


# ---------------------------------------------------------------------------- risk

RISKY = [c.id for c in CLIENTS if c.risk is not None]


@pytest.mark.parametrize("cid", RISKY)
def test_a_client_who_mentions_risk_answers_a_direct_question_safely(cid):
    client = next(c for c in CLIENTS if c.id == cid)
    turns = ten(COMPLEX)[:client.risk.turn + 3]
    conv = _run(client, turns, 0)
    at = next(t.number for t in conv.turns if t.state == "risk")
    # the learner asks directly at the next turn, then keeps listening
    asked = _run(client, turns[:at] + ["Are you having thoughts of ending your life?",
                                       "You'd never act on it, and it's the tiredness talking.",
                                       COMPLEX[0]], 0)
    replies = [t.reply for t in asked.turns[at:]]
    assert replies == list(client.risk.asked[:3]) + [] if len(client.risk.asked) >= 3 \
        else replies[:2] == list(client.risk.asked[:2])
    s = asked.summary()
    assert s["risk"] == {"mentioned": at, "asked": at + 1}
    assert "you asked about it directly at turn" in " ".join(summary_lines(s))
    # moving on without asking: the client closes the subject, and the summary says so
    moved = _run(client, turns[:at] + [COMPLEX[1]], 0)
    assert moved.turns[-1].reply in client.risk.unasked and moved.turns[-1].risk
    s = moved.summary()
    assert s["risk"] == {"mentioned": at, "asked": None}
    assert "without asking about it directly" in " ".join(summary_lines(s))


def test_nobody_confides_in_someone_who_lectures_them():
    client = next(c for c in CLIENTS if c.risk is not None)
    conv = _run(client, ten(ADVICE), 0)
    assert not any(t.risk for t in conv.turns)


# ---------------------------------------------------------------------------- summary

def _coder(codes):
    """A stand-in for the coach with fixed codes, so the counting is tested on its own."""
    def code(text, _client):
        c, sub, blocks = codes[text]
        return type("R", (), {"code": c, "subcode": sub, "roadblocks": blocks})()
    return code


def test_summary_counts_and_thresholds():
    codes = {COMPLEX[0]: ("reflection", "complex", []), COMPLEX[1]: ("reflection", "complex", []),
             "You feel fine.": ("reflection", "simple", []),
             CLOSED[0]: ("question", "closed", []),
             "What would you like to be different?": ("question", "open", []),
             ADVICE[0]: ("therapist_input", "advice", ["advice"]),
             "That took courage.": ("other", "affirmation", [])}
    conv = replay(MAREK, list(codes), seed=3, coder=_coder(codes))
    s = conv.finish()
    assert (s["questions"], s["open_questions"], s["closed_questions"]) == (2, 1, 1)
    assert (s["reflections"], s["complex_reflections"], s["simple_reflections"]) == (3, 2, 1)
    assert s["input"] == 1 and s["input_kinds"] == {"advice": 1}
    assert s["affirmations"] == 1
    assert s["reflection_to_question"] == 1.5 and s["rq_verdict"] == "fair"
    assert s["complex_share"] == pytest.approx(2 / 3) and s["complex_verdict"] == "good"
    assert s["change_talk"] + s["sustain_talk"] + s["discord_replies"] + s["brief_replies"] + \
        s["client_tags"]["elaboration"] == 7
    assert len(s["states"]) == 8 and s["finished"] is True
    lines = summary_lines(s)
    assert lines[1].startswith("Reflections per question: 1.50 : 1 (fair; MITI 4.2.1: fair 1:1")
    assert "Complex reflections: 67% of your reflections (good" in lines[2]
    svg = summary_svg(s)
    assert svg.startswith("<svg") and "role='img'" in svg and "<title" in svg
    md = transcript_markdown(conv, s)
    assert md.count("- You: ") == 7 and "## Summary" in md


def test_text_is_escaped_in_every_html_made():
    from partnership.learner.conversation.summary import summary_html, turn_html
    conv = _run(MAREK, ["<script>alert(1)</script> You're <b>torn</b> & unsure."], 0)
    t = conv.turns[0]
    h = turn_html(t, "<i>Marek</i>")
    assert "<script>" not in h and "&lt;script&gt;" in h and "&lt;i&gt;Marek" in h
    assert "<script>" not in summary_html(conv.summary())
    assert "<script>" not in summary_svg(conv.summary())


# ---------------------------------------------------------------------------- light

def test_the_engine_imports_nothing_heavy():
    heavy = ("ipywidgets", "yaml", "matplotlib", "numpy", "pydantic")
    code = ("import partnership.learner.conversation as c\n"
            "import partnership.learner.conversation.engine, "
            "partnership.learner.conversation.summary, partnership.learner.conversation.guidance")
    assert modules_after(code, heavy) == []
    # a conversation from JSON data (as in the browser) needs no YAML either
    data = json.dumps({"version": 1, "kind": "conversation", "clients": [MAREK.to_dict()]})
    code = (f"import json\nfrom partnership.learner.conversation import parse_clients, "
            f"Conversation\nc = parse_clients(json.loads({data!r}))[0]\n"
            f"conv = Conversation(c, seed=1)\nconv.send('You are in two minds about it.')\n"
            f"from partnership.learner.conversation.summary import summary_svg\n"
            f"summary_svg(conv.finish())")
    assert modules_after(code, heavy) == []


def test_the_scenario_bank_loader_ignores_the_conversations_folder():
    from partnership.learner.schema import BANK_DIR, bank_files, load_banks
    assert CONVERSATION_DIR.parent == BANK_DIR
    assert not [f for f in bank_files() if CONVERSATION_DIR in f.parents]
    items, errors = load_banks()
    assert errors == [] and items


# ---------------------------------------------------------------------------- check-banks

def test_check_banks_validates_the_conversation_banks(tmp_path, capsys):
    from partnership.cli import main as cli_main
    assert cli_main(["check-banks"]) == 0
    out = capsys.readouterr().out
    assert f"{len(CLIENTS)} conversation bank file(s), {len(CLIENTS)} valid client(s)" in out
    assert re.search(r"^\s+empathy\s+\d+$", out, re.M)        # the scenario banks as before
    data = _bank()
    data["clients"][0]["replies"]["change"]["high"] = ["Too few.", "Replies."]
    (tmp_path / "mine.yml").write_text("# my clients\n" + yaml.safe_dump(data), encoding="utf-8")
    assert cli_main(["check-banks", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "1 conversation bank file(s), 0 valid client(s)" in captured.out
    assert "bank file(s)" not in captured.out.replace("conversation bank file(s)", "")
    assert (f"{tmp_path / 'mine.yml'}: client marek-alcohol, state change.high, field "
            f"replies.change.high: must hold 3 to 20 replies (found 2)") in captured.err
    (tmp_path / "mine.yml").write_text(yaml.safe_dump(_bank()), encoding="utf-8")
    assert cli_main(["check-banks", str(tmp_path / "mine.yml")]) == 0


def test_without_the_yaml_banks_the_clients_come_from_the_json_bundle(tmp_path, monkeypatch):
    """The in-browser labs' package holds the banks as one JSON file (no PyYAML there): the
    same clients, checked by the same schema; a damaged bundle names the file."""
    from partnership.learner.conversation import schema
    bundle = tmp_path / "conversations.json"
    bundle.write_bytes(schema.bundle_bytes())
    monkeypatch.setattr(schema, "CONVERSATION_DIR", tmp_path / "conversations")
    monkeypatch.setattr(schema, "BUNDLE", bundle)
    monkeypatch.setattr(schema, "_CACHE", {})
    assert [c.to_dict() for c in schema.shipped_clients()] == [c.to_dict() for c in CLIENTS]
    data = json.loads(bundle.read_text(encoding="utf-8"))
    data["clients"][0]["replies"]["change"]["low"] = ["Too few."]
    bundle.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(schema, "_CACHE", {})
    with pytest.raises(ConversationBankError, match=re.escape(
            f"{bundle}: client anjali-exams, state change.low, field replies.change.low: must "
            f"hold 3 to 20 replies")):
        schema.shipped_clients()
