"""Scorers, visible checks, grader notes and graded widgets (partnership.grader.scorers, .graded)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from partnership.learner.schema import BankError
from partnership.learner.assignment import GradedView, load_graded, parse_graded, progress, show
from partnership.grader.scorers import (check, check_typed, grader_notes, score_categorize,
                                 score_choice, score_number, score_ranking, score_typed)
from partnership.learner.store import AnswerStore

LAB = "graded-test"
BANK = {
    "version": 1, "kind": "graded", "lab": LAB, "title": "Test",
    "items": [
        {"id": "t-c1", "skill": "empathy", "type": "choice", "client": "I feel lost.",
         "prompt": "Which one?", "source": "rogers1957conditions",
         "options": [{"text": "one"}, {"text": "two"}, {"text": "three"}]},
        {"id": "t-r1", "skill": "empathy", "type": "ranking", "client": "I feel lost.",
         "prompt": "Rank them.", "source": "carkhuff1969helping",
         "options": [{"text": "a"}, {"text": "b"}, {"text": "c"}, {"text": "d"}]},
        {"id": "t-k1", "skill": "mi_reflections", "type": "categorize", "prompt": "Sort them.",
         "source": "miller2013mi",
         "categories": [{"id": "x", "label": "X"}, {"id": "y", "label": "Y"}],
         "statements": [{"text": "s1"}, {"text": "s2"}, {"text": "s3"}, {"text": "s4"}]},
        {"id": "t-w1", "skill": "mi_reflections", "type": "written", "points": 4,
         "client": "I might lose my job and I can't sleep.", "prompt": "Write a reflection.",
         "source": "miller2013mi"},
    ]}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "items.yml").write_text(json.dumps(BANK), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def record(folder, item, answer):
    AnswerStore(folder / "my.partnership-answers.json").record(LAB, item, answer, None, 0.0)


# ------------------------------------------------------------------ schema

def test_graded_items_carry_no_keys():
    for bad_item, field in [
        ({**BANK["items"][0], "options": [{"text": "one", "correct": True}, {"text": "two"}]},
         "correct"),
        ({**BANK["items"][1], "options": [{"text": "a", "rank": 1}, {"text": "b"},
                                          {"text": "c"}]}, "rank"),
        ({**BANK["items"][0], "explanation": "This gives the answer away."}, "explanation"),
    ]:
        with pytest.raises(BankError) as exc:
            parse_graded({**BANK, "items": [bad_item]}, "x.yml")
        assert field in str(exc.value) and "hidden tests" in str(exc.value) or \
            "answer keys" in str(exc.value)


def test_graded_bank_must_say_graded():
    with pytest.raises(BankError, match="kind"):
        parse_graded({**BANK, "kind": "practice"}, "x.yml")


# ------------------------------------------------------------------ scorers

def test_score_choice(folder, capsys):
    record(folder, "t-c1", 1)
    assert score_choice(LAB, "t-c1", key="B", points=2) == 2
    assert score_choice(LAB, "t-c1", key=1, points=2) == 2
    assert score_choice(LAB, "t-c1", key="C", points=2) == 0
    out = capsys.readouterr()
    assert "2 of 2 points" in out.out and "0 of 2 points" in out.out and out.err == ""


def test_score_ranking_partial_credit(folder, capsys):
    record(folder, "t-r1", [1, 2, 3, 4])
    assert score_ranking(LAB, "t-r1", key=[1, 2, 3, 4], points=3) == 3
    assert score_ranking(LAB, "t-r1", key=[2, 1, 3, 4], points=3) == 2.5      # 5 of 6 pairs
    assert score_ranking(LAB, "t-r1", key=[4, 3, 2, 1], points=3) == 0
    record(folder, "t-r1", [1, 1, 3, 4])                                      # invalid
    assert score_ranking(LAB, "t-r1", key=[1, 2, 3, 4], points=3) == 0
    assert capsys.readouterr().err == ""


def test_score_categorize_partial_credit(folder, capsys):
    record(folder, "t-k1", ["x", "y", None, "x"])
    assert score_categorize(LAB, "t-k1", key=["x", "y", "y", "x"], points=2) == 1.5
    assert score_categorize(LAB, "t-k1", key=["x", "y", "y", "y"], points=2) == 1.0
    assert capsys.readouterr().err == ""


def test_missing_or_damaged_file_scores_zero_and_says_why(folder, capsys):
    assert score_choice(LAB, "t-c1", key="A", points=2) == 0
    assert "no saved-answer file" in capsys.readouterr().out
    (folder / "my.partnership-answers.json").write_text("{not json", encoding="utf-8")
    assert score_choice(LAB, "t-c1", key="A", points=2) == 0
    assert score_ranking(LAB, "t-r1", key=[1, 2, 3, 4], points=3) == 0
    out = capsys.readouterr()
    assert "not answered" in out.out and "not valid JSON" in out.out and out.err == ""
    record(folder, "t-c1", "garbage")
    assert score_choice(LAB, "t-c1", key="A", points=2) == 0
    assert capsys.readouterr().err == ""


def test_typed_and_number(capsys):
    assert score_typed("t-t1", " Level 3. ", accept=["3", "level 3"], points=1) == 1
    assert score_typed("t-t1", "2 : 1", accept=["2:1"], points=1) == 1
    assert score_typed("t-t1", "", accept=["3"], points=1) == 0
    assert score_typed("t-t1", None, accept=["3"], points=1) == 0
    assert score_number("t-n1", "8", key=8, points=1, tolerance=0.5) == 1
    assert score_number("t-n1", "7.84%", key=8, points=1, tolerance=0.5) == 1
    assert score_number("t-n1", 9, key=8, points=1, tolerance=0.5) == 0
    assert score_number("t-n1", "eight-ish", key=8, points=1) == 0
    assert score_number("t-n1", object(), key=8, points=1) == 0
    out = capsys.readouterr()
    assert out.err == "" and "not a number" in out.out


def test_scorers_are_quick(folder):
    record(folder, "t-r1", [1, 2, 3, 4])
    t0 = time.perf_counter()
    for _ in range(20):
        score_ranking(LAB, "t-r1", key=[2, 1, 3, 4], points=3)
    assert (time.perf_counter() - t0) / 20 < 0.5


# ------------------------------------------------------------------ visible checks

def test_visible_checks_say_what_is_missing_not_whether_right(folder, capsys):
    check("items.yml", "t-c1")
    assert "not answered yet" in capsys.readouterr().out
    record(folder, "t-c1", 2)
    check("items.yml", "t-c1")
    record(folder, "t-k1", ["x", None, None, "y"])
    check("items.yml", "t-k1")
    out = capsys.readouterr().out
    # statements 2 and 3 as written, numbered as the widget shows them (shuffled per item)
    from partnership.learner.schema import display_order
    shown = display_order("t-k1", 4)
    missing = ", ".join(str(k) for k in sorted(shown.index(i) + 1 for i in (1, 2)))
    assert "answered and saved" in out and f"statements {missing} " in out
    assert not any(w in out.lower() for w in ("correct", "right", "wrong", "points"))
    check_typed("t-t1", "")
    check_typed("t-n1", "about eight", number=True)
    check_typed("t-n1", "8", number=True)
    out = capsys.readouterr().out
    assert "not answered yet" in out and "does not read as a number" in out
    assert "answered. It is marked after you submit" in out
    progress("items.yml")
    out = capsys.readouterr().out
    assert "t-r1: not answered yet" in out and "t-c1: answered" in out


# ------------------------------------------------------------------ grader notes

def test_grader_notes_show_coach_and_rubric(folder, capsys):
    nb = {"cells": [{"cell_type": "markdown", "metadata": {"nbgrader": {"grade_id": "t-w1-answer"}},
                     "source": "You're scared about your job, and the worry follows you to bed."}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / "x.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    grader_notes("t-w1", "t-w1-answer", rubric="4: a complex reflection")
    out = capsys.readouterr()
    assert out.err == ""
    assert "Coach's suggested code:" in out.out and "HRQ-style score:" in out.out
    assert "/5" in out.out and "4: a complex reflection" in out.out and "you decide" in out.out
    nb["cells"][0]["source"] = "YOUR ANSWER HERE"
    (folder / "x.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    grader_notes("t-w1", "t-w1-answer", rubric="r")
    assert "no written answer" in capsys.readouterr().out


# ------------------------------------------------------------------ widgets

def test_widget_saves_without_revealing_and_restores(folder):
    view = show("items.yml", "t-r1")
    assert isinstance(view, GradedView)
    view.dropdowns[0].value = 1
    assert AnswerStore(folder).latest(LAB, "t-r1") is None       # incomplete: not saved
    assert "Not saved yet" in view.status.value
    for d, v in zip(view.dropdowns[1:], (2, 3, 4)):
        d.value = v
    rec = AnswerStore(folder).latest(LAB, "t-r1")
    assert rec["answer"] == [1, 2, 3, 4] and rec["score"] is None
    assert not any(w in view.status.value.lower() for w in ("correct", "right", "wrong"))
    again = show("items.yml", "t-r1")
    assert again.get_answer() == [1, 2, 3, 4] and "saved answer" in again.status.value
    c = show("items.yml", "t-c1")
    c.radio.value = 2
    assert AnswerStore(folder).latest(LAB, "t-c1")["answer"] == 2


def test_widget_shows_words_while_grading(folder, monkeypatch):
    record(folder, "t-c1", 1)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    bundle = show("items.yml", "t-c1")._repr_mimebundle_()
    assert "Saved answer:" in bundle["text/html"] and "B. two" in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" not in bundle


def test_shipped_items_load():
    root = Path(__file__).resolve().parents[1] / "exercises" / "source"
    for a in ("empathy", "mi-reflections", "boundaries"):
        bank = load_graded(root / a / "items.yml")
        assert bank.lab == f"graded-{a}"


# ------------------------------------------------------------------ feedback filter

def test_feedback_filter_keeps_reasons_and_drops_hidden_tests():
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests

    from partnership.grader.feedback import HideTestDetails

    grade = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 2,
                          "grade_id": "x-test", "schema_version": 3}}
    key_line = 'score_choice("graded-x", "x-1", key="C", points=2)'
    cell = nbformat.v4.new_code_cell(
        'check("items.yml", "x-1")\n### BEGIN HIDDEN TESTS\n'
        'from partnership.grader.scorers import score_choice\n' + key_line + '\n'
        'grader_notes("x-w1", "x-w1-answer", rubric="""\n2: names the feeling and the wish.\n'
        '""")\n### END HIDDEN TESTS', metadata=grade)
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=(
            "x-1: 0 of 2 points: option A is not the best answer.\n"
            "Notes for the grader on x-w1 (not a mark; you decide):\nRubric:\n"
            "  2: names the feeling and the wish.\n")),
        nbformat.v4.new_output("error", ename="TypeError", evalue="'int' object is not callable",
                               traceback=["\x1b[0;31m-----\x1b[0m", "Cell In[3], line 4",
                                          "----> 4 \x1b[38;5;28m" + key_line + "\x1b[0m",
                                          "TypeError: 'int' object is not callable"]),
    ]
    student = nbformat.v4.new_code_cell("1 / 0")
    student.outputs = [nbformat.v4.new_output(
        "error", ename="ZeroDivisionError", evalue="division by zero",
        traceback=["Traceback (most recent call last)", "----> 1 1 / 0",
                   "ZeroDivisionError: division by zero"])]
    nb = nbformat.v4.new_notebook(cells=[cell, student])
    nb, _ = HideTestDetails().preprocess(nb, {})
    nb, _ = ClearHiddenTests().preprocess(nb, {})
    cell, student = nb.cells
    assert cell.source == 'check("items.yml", "x-1")'
    shown = json.dumps(cell.outputs)
    assert "key=" not in shown and "names the feeling" not in shown and "Rubric" not in shown
    assert cell.outputs[0].text.startswith("x-1: 0 of 2 points: option A is not the best answer.")
    assert "Notes for the grader on x-w1" in cell.outputs[0].text
    assert cell.outputs[1].traceback == ["TypeError: 'int' object is not callable"]
    assert len(student.outputs[0].traceback) == 3      # a student's own error stays in full


def test_course_config_filters_only_feedback(monkeypatch):
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades
    from traitlets.config.loader import PyFileConfigLoader

    from partnership.grader.feedback import HideTestDetails

    root = Path(__file__).resolve().parents[1] / "autograder"
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    assert cfg.GenerateFeedback.preprocessors == [GetGrades, HideTestDetails, ClearHiddenTests,
                                                  CSSHTMLHeaderPreprocessor]
    # formgrader renders the autograded notebook with its own exporter: nothing set for it
    assert "preprocessors" not in cfg.HTMLExporter and "FormgradeExtension" not in cfg
