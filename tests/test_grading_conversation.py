"""A graded conversation (bank item ``type: conversation``), one part at a time: the bank and
its errors, what is released, the notebook's cells, the student's widget and check, and what the
grader writes (the conversation rebuilt from the student's turns, the summary and the rubric for
the grader only; a line for the student). The nbgrader round trip, with simulated students and a
forged conversation, is in tests/test_grading_roundtrip.py (the mi-conversation assignment)."""
from __future__ import annotations

import copy
import json

import pytest
import yaml

from partnership.grader.autograde import conversation_line
from partnership.grader.bank import BankError, parse_bank, released, secrets
from partnership.grader.build import notebook_for
from partnership.grader.notes import conversation_notes
from partnership.learner.assignment import NotAnswered, check, converse, parse_graded, progress
from partnership.learner.conversation import get_client, replay
from partnership.learner.store import AnswerStore

LAB = "graded-talk"
TURNS = ["It sounds like this has become your way of coping, and part of you is uneasy about "
         "what it's costing you.", "What would you like to be different?",
         "You're torn: life feels impossible without it, and yet you're not happy with how much "
         "it's become."]
BANK = {
    "version": 1, "kind": "graded", "assignment": "talk", "lab": LAB, "title": "Talk",
    "items": [
        {"id": "c-g1", "skill": "mi_reflections", "type": "conversation",
         "client_id": "marek-alcohol", "turns": 3, "seed": 4, "points": 6,
         "prompt": "Hold a conversation with Marek.",
         "rubric": "Listening: reflections outnumber questions, several of them complex.\n"
                   "Partnership: no advice or warnings without permission first.\n"},
    ]}


def bank(**item):
    data = copy.deepcopy(BANK)
    data["items"][0].update(item)
    return parse_bank(data, "talk.yml")


@pytest.mark.parametrize("change, message", [
    ({"client_id": "nobody"}, "talk.yml: item c-g1, field client_id: no conversation client "
                              "'nobody'; the clients are"),
    ({"turns": 0}, "talk.yml: item c-g1, field turns: Input should be greater than or equal to 1"),
    ({"rubric": "short"}, "talk.yml: item c-g1, field rubric: String should have at least 10"),
    ({"client_id": None}, "talk.yml: item c-g1, field client_id"),
])
def test_bank_errors_name_the_item_and_field(change, message):
    with pytest.raises(BankError) as e:
        bank(**change)
    assert message in str(e.value), str(e.value)


def test_released_item_names_the_client_and_points_but_not_the_rubric():
    b = bank()
    out = released(b)
    item = out["items"][0]
    assert item == {"id": "c-g1", "skill": "mi_reflections", "prompt":
                    "Hold a conversation with Marek.", "type": "conversation",
                    "client_id": "marek-alcohol", "turns": 3, "seed": 4, "points": 6.0}
    assert "rubric" not in json.dumps(out).lower()
    assert [w for w, _ in secrets(b)] == ["c-g1 rubric", "c-g1 rubric"]
    bad = copy.deepcopy(out)
    bad["items"][0]["rubric"] = "Listening: reflections outnumber questions."
    with pytest.raises(BankError, match="field rubric: released items carry no answer keys"):
        parse_graded(bad)


def test_the_notebook_cells():
    cells = {c["id"]: c for c in notebook_for(bank())["cells"]}
    assert cells["c-g1-show"]["source"] == 'converse("items.yml", "c-g1")'
    test = cells["c-g1-test"]["metadata"]["nbgrader"]
    assert test["grade"] and test["locked"] and test["points"] == 0
    mark = cells["c-g1-mark"]
    assert mark["cell_type"] == "markdown"
    assert mark["metadata"]["nbgrader"] == {"grade": False, "grade_id": "c-g1-mark",
                                            "locked": True, "schema_version": 3,
                                            "solution": False, "task": True, "points": 6.0}
    assert "converse" in cells["setup"]["source"]
    assert "**Conversations**" in cells["intro"]["source"]
    for c in cells.values():
        assert "rubric" not in c["source"].lower()


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "items.yml").write_text(yaml.safe_dump(released(bank())), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBGRADER_VALIDATING", raising=False)
    return tmp_path


def test_the_students_widget_saves_each_turn_shows_no_codes_and_restores(folder, capsys):
    view = converse("items.yml", "c-g1")
    assert "Hold the conversation below: at least 3 turns" in view.widget.children[0].value
    assert not hasattr(view, "codes") and view.summary.value == ""
    view.text.value = TURNS[0]
    view.send.click()
    saved = AnswerStore(folder).latest(LAB, "c-g1")
    assert saved["score"] is None and saved["answer"]["client"] == "marek-alcohol"
    assert saved["answer"]["seed"] == 4 and len(saved["answer"]["turns"]) == 1
    assert "the coach coded" not in view.latest.value + view.transcript.value
    view.finish.click()                                   # too early: refused, said why
    assert "hold at least 3 turns first (you have 1)" in view.latest.value
    assert not view.conversation.finished
    check("items.yml", "c-g1")
    assert "saved but not complete: hold at least 3 turns (you have 1)" in \
        capsys.readouterr().out
    again = converse("items.yml", "c-g1")                 # a restart: where it left off
    assert [t.reply for t in again.conversation.turns] == [t.reply for t in
                                                           view.conversation.turns]
    for text in TURNS[1:]:
        again.text.value = text
        again.send.click()
    again.finish.click()
    assert again.conversation.finished and "Finished and saved" in again.summary.value
    assert "Reflections per question" not in again.widget.children[0].value + \
        again.summary.value                                # the summary is for the grader
    want = replay(get_client("marek-alcohol"), TURNS, seed=4)
    assert [t.reply for t in again.conversation.turns] == [t.reply for t in want.turns]
    check("items.yml", "c-g1")
    progress("items.yml")
    out = capsys.readouterr().out
    assert "c-g1: answered and saved" in out and "All 1 widget items are answered" in out


def test_under_validate_a_missing_conversation_fails_its_check(folder, monkeypatch):
    monkeypatch.setenv("NBGRADER_VALIDATING", "1")
    with pytest.raises(NotAnswered, match="c-g1: not answered yet.*Hold the conversation"):
        check("items.yml", "c-g1")


def test_grader_notes_rebuild_the_conversation_and_hold_the_summary_and_rubric():
    item = bank().item("c-g1")
    rec = replay(get_client("marek-alcohol"), TURNS, seed=4).to_record()
    html, problems = conversation_notes(item, rec, True)
    assert problems == []
    assert "Notes for the grader on c-g1" in html and "never the mark" in html
    assert "MITI-style summary (a suggestion)" in html and "<svg" in html
    assert "Rubric (6 points)" in html and "Listening: reflections outnumber" in html
    for t in replay(get_client("marek-alcohol"), TURNS, seed=4).turns:
        assert t.reply.replace("'", "&#x27;") in html
    # a file whose client replies were edited, and with fewer turns than asked for
    forged = copy.deepcopy(rec)
    forged["turns"] = forged["turns"][:2]
    forged["turns"][0]["reply"] = "You're right. I'll stop today."
    forged["turns"][1]["learner"] = "<script>alert(1)</script>"
    html, problems = conversation_notes(item, forged, True)
    assert "You're right. I'll stop today." not in html and "<script>" not in html
    assert any("turn(s) 1" in p for p in problems)
    assert "the conversation has 2 turns; the item asks for at least 3" in problems
    html, problems = conversation_notes(item, None, False)
    assert "No conversation was saved (no answers file was submitted)" in html
    html, _ = conversation_notes(item, "junk", True)
    assert "No conversation was saved." in html


def test_the_students_line_says_saved_never_how_good():
    item = bank().item("c-g1")
    rec = replay(get_client("marek-alcohol"), TURNS, seed=4).to_record()
    assert conversation_line(item, rec) == ("c-g1: your conversation (3 turns) is saved; it is "
                                            "marked by your instructor (6 points).")
    assert conversation_line(item, None) == ("c-g1: no conversation was saved; it is marked by "
                                             "your instructor (6 points).")
