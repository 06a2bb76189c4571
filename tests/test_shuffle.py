"""Options and statements are shown shuffled, with a stable seed, in the practice labs and the
graded widgets; answers are saved by the index *as written*, so answers saved before the
shuffle existed ("old") and answers given through the shuffled widget ("new") both restore to
the option the learner chose, and the grader reads them unchanged."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from partnership.learner.assignment import answer_problem, parse_graded, show, shown_order
from partnership.learner.labs import Lab
from partnership.learner.schema import (ChoiceItem, RankingItem, display_order, parse_bank,
                                        practice_items)
from partnership.learner.scoring import score
from partnership.learner.store import AnswerStore

ROOT = Path(__file__).resolve().parents[1]

OPTS = ["Cheer up, it will pass.", "You feel lost right now.", "Why do you feel that?",
        "Have you tried a walk?", "Lots of people feel lost at times."]
CHOICE = {"id": "t-shuffle", "skill": "empathy", "type": "choice", "client": "I feel lost.",
          "prompt": "Which one?", "source": "rogers1957conditions",
          "options": [{"text": t, "correct": i == 1, "feedback": f"Feedback for option {i}."}
                      for i, t in enumerate(OPTS)]}
CATEG = {"id": "t-sort", "skill": "mi_reflections", "type": "categorize", "prompt": "Sort them.",
         "source": "miller2013mi",
         "categories": [{"id": "open", "label": "Open"}, {"id": "closed", "label": "Closed"}],
         "statements": [{"text": f"statement {k}", "category": "open" if k % 2 else "closed",
                         "feedback": "Because of how it is asked."} for k in range(6)]}


def bank_items():
    return {i.id: i for i in parse_bank({"version": 1, "items": [CHOICE, CATEG]}, "t").items}


# ------------------------------------------------------------------ the order itself

def test_display_order_is_a_stable_permutation():
    for n in range(2, 11):
        order = display_order("emp-001", n)
        assert sorted(order) == list(range(n))
        assert order == display_order("emp-001", n)          # same call, same order


def test_display_order_is_the_same_in_any_interpreter():
    """Seeded by the id (SHA-512 of the string), not by Python's randomised str hash."""
    ids = [i.id for i in practice_items()]
    here = {i: display_order(i, 4) for i in ids}
    code = ("import json,sys; from partnership.learner.schema import display_order; "
            "print(json.dumps({i: display_order(i, 4) for i in json.loads(sys.argv[1])}))")
    for seed in ("0", "123"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-c", code, json.dumps(ids)], env=env,
                             capture_output=True, text=True, check=True).stdout
        assert json.loads(out) == here


def test_ranking_order_is_unchanged_from_before():
    """Ranking items were already shuffled with random.Random(id); learners see the same order."""
    for it in practice_items():
        if isinstance(it, RankingItem):
            old = list(range(len(it.options)))
            random.Random(it.id).shuffle(old)
            assert display_order(it.id, len(it.options)) == old


def test_the_shuffle_really_moves_options():
    items = [i for i in practice_items() if isinstance(i, ChoiceItem)]
    moved = sum(display_order(i.id, len(i.options)) != list(range(len(i.options)))
                for i in items)
    assert moved >= len(items) * 0.6


# ------------------------------------------------------------------ practice labs

def radio_texts(view):
    return [label for label, _ in view.radio.options]


def test_choice_widget_shows_shuffled_options_with_authored_values(tmp_path):
    it = bank_items()["t-shuffle"]
    lab = Lab("empathy", path=tmp_path / "a.json", items=[it])
    v = lab.view("t-shuffle")
    order = display_order("t-shuffle", len(OPTS))
    assert order != list(range(len(OPTS)))
    assert [value for _, value in v.radio.options] == order
    assert radio_texts(v) == [f"{chr(65 + p)}. {OPTS[i]}" for p, i in enumerate(order)]


def test_new_answer_saved_as_written_and_restored(tmp_path):
    """A learner picks the option shown first; the file holds its index as written, the
    feedback names the letter shown, and a new lab (a restarted kernel) checks the same one."""
    p = tmp_path / "a.json"
    it = bank_items()["t-shuffle"]
    v = Lab("empathy", path=p, items=[it]).view("t-shuffle")
    first_shown = display_order("t-shuffle", len(OPTS))[0]
    v.radio.value = v.radio.options[0][1]                 # the learner clicks option A
    v.check.click()
    saved = json.loads(p.read_text())["attempts"][-1]["answer"]
    assert saved == first_shown
    assert "You chose A:" in v.feedback.value
    again = Lab("empathy", path=p, items=[it]).view("t-shuffle")
    assert again.radio.value == first_shown
    assert again.radio.label == f"A. {OPTS[first_shown]}"


@pytest.mark.parametrize("written", range(len(OPTS)))
def test_old_answer_restores_to_the_option_chosen(tmp_path, written):
    """An answer saved before options were shuffled holds the index as written: it restores to
    that same option (now shown under another letter) and scores the same."""
    p = tmp_path / "a.json"
    AnswerStore(p).record("empathy", "t-shuffle", written, float(written == 1), 1.0)
    it = bank_items()["t-shuffle"]
    v = Lab("empathy", path=p, items=[it]).view("t-shuffle")
    assert v.radio.value == written
    assert v.radio.label.endswith(OPTS[written])
    assert v.result.score == float(written == 1)


def test_categorize_widget_shows_statements_shuffled_and_saves_as_written(tmp_path):
    p = tmp_path / "a.json"
    it = bank_items()["t-sort"]
    v = Lab("mi_reflections", path=p, items=[it]).view("t-sort")
    order = display_order("t-sort", 6)
    assert order != list(range(6))
    shown = [row.children[1].value for row in v.controls]
    assert shown == [f"<p>{k}. statement {i}</p>" for k, i in enumerate(order, 1)]
    truth = ["open" if k % 2 else "closed" for k in range(6)]
    # the learner answers row by row, as shown
    for row, i in zip(v.controls, order):
        row.children[0].value = truth[i]
    v.check.click()
    assert json.loads(p.read_text())["attempts"][-1]["answer"] == truth
    assert "6 of 6" in v.feedback.value
    # an old answer (as written) restores into the right rows
    old = list(truth)
    old[order[0]] = "open" if old[order[0]] == "closed" else "closed"    # row 1 shown: wrong
    AnswerStore(p).record("mi_reflections", "t-sort", old, 5.0, 6.0)
    again = Lab("mi_reflections", path=p, items=[it]).view("t-sort")
    assert again.get_answer() == old
    assert again.controls[0].children[0].value == old[order[0]]
    first = score(it, old).lines[0]
    assert first.startswith("1. Not ")                  # feedback numbered as shown


def test_every_shipped_choice_item_restores_each_option(tmp_path):
    p = tmp_path / "a.json"
    for it in practice_items():
        if not isinstance(it, ChoiceItem):
            continue
        lab_ = Lab(it.skill, path=p, items=[it])
        v = lab_.view(it.id)
        for i, o in enumerate(it.options):
            v.set_answer(i)
            assert v.radio.label.endswith(o.text), it.id
            assert v.get_answer() == i


# ------------------------------------------------------------------ graded widgets

GRADED = {"version": 1, "kind": "graded", "lab": "graded-test", "title": "T", "items": [
    {"id": "t-gc", "skill": "empathy", "type": "choice", "client": "I feel lost.",
     "prompt": "Which one?", "options": [{"text": t} for t in OPTS]},
    {"id": "t-gr", "skill": "empathy", "type": "ranking", "client": "I feel lost.",
     "prompt": "Rank them.", "options": [{"text": f"response {k}"} for k in range(5)]},
    {"id": "t-gk", "skill": "mi_reflections", "type": "categorize", "prompt": "Sort them.",
     "categories": [{"id": "x", "label": "X"}, {"id": "y", "label": "Y"}],
     "statements": [{"text": f"s{k}"} for k in range(6)]}]}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "items.yml").write_text(json.dumps(GRADED), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_graded_choice_shuffled_and_saved_as_written(folder):
    view = show("items.yml", "t-gc")
    order = display_order("t-gc", len(OPTS))
    assert [v for _, v in view.radio.options] == order
    view.radio.value = view.radio.options[2][1]                     # clicks C
    saved = AnswerStore(folder).latest("graded-test", "t-gc")["answer"]
    assert saved == order[2]
    again = show("items.yml", "t-gc")
    assert again.radio.value == order[2] and again.radio.label == f"C. {OPTS[order[2]]}"


def test_graded_old_answer_restores(folder):
    AnswerStore(folder).record("graded-test", "t-gc", 3, None, 0.0)    # saved before shuffling
    assert show("items.yml", "t-gc").radio.label.endswith(OPTS[3])


def test_graded_ranking_and_categorize_keep_the_written_order(folder):
    r = show("items.yml", "t-gr")
    order = shown_order(r.item)
    assert order == display_order("t-gr", 5) and order != list(range(5))
    assert [row.children[1].value for row in r.controls] == [
        f"<p><strong>{chr(65 + p)}.</strong> response {i}</p>" for p, i in enumerate(order)]
    for rank, row in enumerate(r.controls, 1):        # ranks 1..5 in the order shown
        row.children[0].value = rank
    answer = AnswerStore(folder).latest("graded-test", "t-gr")["answer"]
    assert answer == [order.index(i) + 1 for i in range(5)]   # rank of each option as written
    k = show("items.yml", "t-gk")
    korder = shown_order(k.item)
    k.controls[0].children[0].value = "x"                  # only the first statement shown
    saved = AnswerStore(folder).latest("graded-test", "t-gk")["answer"]
    assert saved[korder[0]] == "x" and saved.count(None) == 5
    problem = answer_problem(k.item, saved)
    assert problem == "sort statements 2, 3, 4, 5, 6 into a category"   # numbered as shown


def test_shipped_graded_items_are_shown_shuffled():
    from partnership.grader.bank import load_bank
    moved = 0
    for f in sorted((ROOT / "exercises").glob("*.yml")):
        for it in load_bank(f).items:
            if it.type in ("choice", "ranking", "categorize"):
                moved += shown_order(it) != sorted(shown_order(it))
    assert moved >= 3


def test_parse_graded_is_the_documented_format():
    bank = parse_graded(GRADED)
    assert [i.type for i in bank.items] == ["choice", "ranking", "categorize"]
