"""Scoring of every item type, and the lab widgets driven headless through the widget API."""
from __future__ import annotations

import json

import ipywidgets as W
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnership.learner.schema import (SKILLS, CategorizeItem, ChoiceItem, FreeTextItem,
                                        RankingItem, display_order, parse_bank, practice_items)
from partnership.learner.labs import CHAPTERS, Lab, esc, lab, render_feedback
from partnership.learner.scoring import Result, pair_agreement, score

CHOICE = {"id": "t-choice", "skill": "empathy", "type": "choice", "client": "I feel lost.",
          "prompt": "Which one?", "source": "rogers1957conditions",
          "options": [{"text": "Cheer up!", "feedback": "Reassurance skips the feeling."},
                      {"text": "You feel lost.", "correct": True,
                       "feedback": "A reflection of the feeling."},
                      {"text": "Why?", "feedback": "A why question can sound blaming."}]}
RANKING = {"id": "t-rank", "skill": "empathy", "type": "ranking", "client": "I feel lost.",
           "prompt": "Rank them.", "source": "carkhuff1969helping",
           "options": [{"text": "r-best", "rank": 1, "feedback": "adds meaning here"},
                       {"text": "r-mid", "rank": 2, "feedback": "interchangeable one"},
                       {"text": "r-worst", "rank": 3, "feedback": "subtracts from it"}]}
CATEG = {"id": "t-cat", "skill": "mi_reflections", "type": "categorize",
         "prompt": "Sort them.", "source": "miller2013mi",
         "categories": [{"id": "open", "label": "Open"}, {"id": "closed", "label": "Closed"}],
         "statements": [{"text": "What brings you?", "category": "open",
                         "feedback": "It invites a story."},
                        {"text": "Are you OK?", "category": "closed",
                         "feedback": "Yes or no answer."},
                        {"text": "<script>alert(1)</script>", "category": "closed",
                         "feedback": "Escaped, not run."}]}
FREE = {"id": "t-free", "skill": "mi_reflections", "type": "free_text",
        "client": "I might lose my job.", "prompt": "Write a reflection.",
        "source": "miller2013mi", "model_answers": ["You're worried about your job."],
        "feedback": "A reflection is a statement, not a question."}


def items():
    bank = parse_bank({"version": 1, "items": [CHOICE, RANKING, CATEG, FREE]}, "test")
    return {i.type: i for i in bank.items}


# ------------------------------------------------------------------ scoring

def test_score_choice():
    it = items()["choice"]
    r = score(it, 1)
    assert (r.score, r.max_score, r.verdict) == (1.0, 1.0, "Correct") and r.correct
    assert "reflection of the feeling" in r.text()
    r = score(it, 0)
    assert r.score == 0 and r.verdict == "Not quite"
    # the letters are those the widget shows (options shuffled per item), not the order written
    shown = display_order(it.id, 3)
    chose, best = chr(65 + shown.index(0)), chr(65 + shown.index(1))
    assert any(f"You chose {chose}:" in x for x in r.lines)
    assert any(f"best answer is {best}:" in x for x in r.lines)
    for bad in (None, -1, 3, "1", True, 1.0):
        assert score(it, bad).score is None and score(it, bad).verdict == "Not scored"


def test_score_ranking():
    it = items()["ranking"]
    assert score(it, [1, 2, 3]).score == 1.0
    assert score(it, [3, 2, 1]).score == 0.0
    r = score(it, [2, 1, 3])
    assert r.score == pytest.approx(2 / 3, abs=1e-3) and r.verdict == "Partly right"
    assert any("you ranked it 2" in x for x in r.lines)
    for bad in (None, [1, 1, 3], [1, 2], [1, 2, None], "123", [0, 1, 2], [True, 2, 3]):
        assert score(it, bad).score is None


def test_pair_agreement():
    assert pair_agreement([1, 2, 3, 4], [1, 2, 3, 4]) == 1
    assert pair_agreement([4, 3, 2, 1], [1, 2, 3, 4]) == 0
    assert pair_agreement([2, 1, 3, 4], [1, 2, 3, 4]) == pytest.approx(5 / 6)


def test_score_categorize():
    it = items()["categorize"]
    r = score(it, ["open", "closed", "closed"])
    assert (r.score, r.max_score, r.verdict) == (3, 3, "Correct")
    r = score(it, ["closed", "closed", None])
    assert r.score == 1 and r.verdict == "Partly right"
    # lines follow the order the widget shows the statements, numbered as shown
    shown = display_order(it.id, 3)
    lines = {shown[k]: line for k, line in enumerate(r.lines)}
    assert lines[0].startswith(f"{shown.index(0) + 1}. Not Closed but Open")
    assert lines[1].startswith(f"{shown.index(1) + 1}. Right: Closed")
    assert "Not sorted" in lines[2]
    assert score(it, [None, None, None]).score is None
    assert score(it, ["open"]).score is None
    assert score(it, ["nonsense", "closed", "closed"]).score == 2


def test_score_free_text():
    it = items()["free_text"]
    r = score(it, "You're worried that you might lose your job.")
    assert r.max_score == 1 and r.score in (0.5, 1.0)
    assert r.model_answers == ["You're worried about your job."]
    q = score(it, "Are you worried about losing your job?")
    assert q.score == 0 and any("question" in x for x in q.lines)
    assert score(it, "").score is None and score(it, "   \n").score is None
    assert score(it, None).score is None


def test_score_free_text_long_input_is_cut_and_said():
    r = score(items()["free_text"], "You feel worried. " * 6000)      # ~100 KB
    assert r.scored and "long" in r.lines[0]


def test_score_free_text_when_the_model_cannot_load(no_model):
    """The coach's rules fallback still scores a lab answer, and says where it comes from."""
    it = items()["free_text"]
    r = score(it, "You're worried about your job.")
    assert r.score == 1.0
    assert any("could not be loaded" in x for x in r.lines)
    assert score(it, "Have you tried talking to your boss?").score == 0.0
    assert score(it, "You should talk to your boss.").score == 0.0


def test_every_shipped_item_can_be_answered_correctly():
    """Scoring agrees with every key in the shipped banks."""
    for it in practice_items():
        if isinstance(it, ChoiceItem):
            answer = it.correct_index
        elif isinstance(it, RankingItem):
            answer = [o.rank for o in it.options]
        elif isinstance(it, CategorizeItem):
            answer = [s.category for s in it.statements]
        else:
            continue
        r = score(it, answer)
        assert r.correct, it.id


def test_free_text_model_answers_are_coded_as_their_target():
    """The examples a learner is shown must themselves pass the coach."""
    for it in practice_items():
        if isinstance(it, FreeTextItem):
            for answer in it.model_answers:
                assert score(it, answer).score > 0, f"{it.id}: {answer}"


# ------------------------------------------------------------------ widgets

@pytest.fixture
def test_lab(tmp_path):
    its = items()
    return Lab("empathy", path=tmp_path / "answers.json", items=list(its.values()))


def test_choice_widget(test_lab, tmp_path):
    v = test_lab.view("t-choice")
    v.check.click()                                   # nothing chosen yet
    assert "Not scored" in v.feedback.value and "Choose one" in v.feedback.value
    v.radio.value = 0
    v.check.click()
    assert "Not quite" in v.feedback.value and "Reassurance skips" in v.feedback.value
    v.radio.value = 1
    v.check.click()
    assert "Correct" in v.feedback.value and "1 of 1" in v.feedback.value
    saved = json.loads((tmp_path / "answers.json").read_text())
    assert [a["answer"] for a in saved["attempts"]] == [0, 1]   # the empty try is not saved


def test_ranking_widget(test_lab):
    v = test_lab.view("t-rank")
    # shown in a fixed shuffled order; the dropdowns are keyed by the written order
    for idx, rank in zip(range(3), [1, 2, 3]):
        v.dropdowns[idx].value = rank
    v.check.click()
    assert "Correct" in v.feedback.value
    v.dropdowns[0].value = 2
    v.check.click()
    assert "Not scored" in v.feedback.value and "each rank once" in v.feedback.value
    v.dropdowns[1].value = 1
    v.check.click()
    assert "Partly right" in v.feedback.value


def test_categorize_widget_escapes_bank_text(test_lab):
    v = test_lab.view("t-cat")
    v.dropdowns[0].value = "open"
    v.dropdowns[1].value = "open"
    v.check.click()
    assert "Partly right" in v.feedback.value and "1 of 3" in v.feedback.value
    html_all = "".join(c.value for row in v.controls for c in getattr(row, "children", [row])
                       if isinstance(c, W.HTML))
    assert "<script>" not in html_all and "&lt;script&gt;" in html_all


def test_free_text_widget(test_lab):
    v = test_lab.view("t-free")
    assert v.check.description == "Get feedback"
    v.text.value = "You're worried about your job."
    v.check.click()
    assert v.result.scored and "Example answers" in v.feedback.value


@pytest.mark.parametrize("text", [
    "", "   ", "<img src=x onerror=alert(1)>", "x" * 100_000,
    "Te preocupa perder tu trabajo.",
    "あなたは仕事を失うのが心配なんですね。", "\u202eRTL override", "\x00\x01 control",
    "😟 you're scared 😟", "\ud800 lone surrogate",
])
def test_free_text_hard_inputs(test_lab, text):
    v = test_lab.view("t-free")
    v.text.value = text
    v.check.click()
    assert "<img" not in v.feedback.value
    assert v.feedback.value and v.text.value == text      # the learner's text is kept as typed


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=3000))
def test_free_text_property_any_text(tmp_path, text):
    """Any text: no exception, a valid result, escaped display, and it is saved and restored."""
    it = items()["free_text"]
    r = score(it, text)
    assert isinstance(r, Result)
    assert r.score is None or 0 <= r.score <= r.max_score
    html_out = render_feedback(r)
    assert "<script" not in html_out.lower()
    path = tmp_path / "prop.json"
    path.unlink(missing_ok=True)
    lab1 = Lab("mi_reflections", path=path, items=[it])
    v = lab1.view("t-free")
    v.text.value = text
    v.check.click()
    if r.scored:
        again = Lab("mi_reflections", path=path, items=[it])
        assert again.view("t-free").text.value == text


@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_escape_property(text):
    out = esc(text)
    assert "<" not in out and ">" not in out and '"' not in out
    import html
    assert html.unescape(out) == text


def test_restore_after_restart(tmp_path):
    p = tmp_path / "answers.json"
    its = list(items().values())
    lab1 = Lab("empathy", path=p, items=its)
    lab1.view("t-choice").radio.value = 1
    lab1.view("t-choice").check.click()
    v = lab1.view("t-rank")
    for i, r in enumerate([2, 1, 3]):
        v.dropdowns[i].value = r
    v.check.click()
    lab1.view("t-cat").set_answer(["open", "closed", "closed"])
    lab1.view("t-cat").check.click()
    lab1.view("t-free").text.value = "You're worried about <b>your job</b>."
    lab1.view("t-free").check.click()
    lab2 = Lab("empathy", path=p, items=its)          # a new kernel
    assert lab2.view("t-choice").radio.value == 1
    assert [lab2.view("t-rank").dropdowns[i].value for i in range(3)] == [2, 1, 3]
    assert lab2.view("t-cat").get_answer() == ["open", "closed", "closed"]
    assert lab2.view("t-free").text.value == "You're worried about <b>your job</b>."
    assert "Restored from your saved answers" in lab2.view("t-choice").feedback.value
    assert "Answered 4 of 4" in lab2.summary.value


def test_restore_ignores_answers_that_no_longer_fit(tmp_path):
    from partnership.learner.store import AnswerStore
    p = tmp_path / "answers.json"
    s = AnswerStore(p)
    s.record("empathy", "t-choice", 7, 0, 1)            # option 7 no longer exists
    s.record("empathy", "t-rank", "nonsense", 0, 1)
    lab2 = Lab("empathy", path=p, items=list(items().values()))
    assert lab2.view("t-choice").radio.value is None


def test_corrupt_answers_file_is_reported_in_words(tmp_path):
    p = tmp_path / "answers.json"
    p.write_text("{oops")
    lb = Lab("empathy", path=p, items=list(items().values()))
    lb.view("t-choice").radio.value = 1
    lb.view("t-choice").check.click()
    assert "Note about your saved answers" in lb.notice.value
    assert "could not be used" in lb.notice.value and "corrupt" in lb.notice.value
    assert "could not be fully read" not in lb.notice.value      # the stale notice is gone


def test_every_control_is_labelled(test_lab):
    def walk(w):
        yield w
        for c in getattr(w, "children", ()):
            yield from walk(c)
    for w in walk(test_lab.widget):
        if isinstance(w, (W.RadioButtons, W.Dropdown, W.Textarea, W.Text)):
            assert w.description, w
        if isinstance(w, W.Button):
            assert w.description and w.tooltip


def test_feedback_is_words_not_colour_alone(test_lab):
    v = test_lab.view("t-choice")
    for answer, word in ((1, "Correct"), (0, "Not quite")):
        v.radio.value = answer
        v.check.click()
        assert word in v.feedback.value
    # the widget's own element is the live region (the lab's script gives it role=status):
    # its inner HTML changes on every check, the element itself stays
    assert "partnership-live" in v.feedback._dom_classes


@pytest.mark.parametrize("skill", list(SKILLS))
def test_every_shipped_lab_builds_and_answers(tmp_path, skill):
    lb = lab(skill, path=tmp_path / "a.json")
    assert len(lb.views) >= 12 and skill in CHAPTERS
    for view in lb.views.values():
        view.check.click()                           # empty answers: no exception
        assert "Not scored" in view.feedback.value
    first = next(iter(lb.views.values()))
    if isinstance(first.item, FreeTextItem):
        first.set_answer("You feel torn.")
    elif isinstance(first.item, ChoiceItem):
        first.set_answer(first.item.correct_index)
    elif isinstance(first.item, RankingItem):
        first.set_answer([o.rank for o in first.item.options])
    else:
        first.set_answer([s.category for s in first.item.statements])
    first.check.click()
    assert first.result.scored
    assert lb._repr_mimebundle_()


def test_unknown_skill():
    with pytest.raises(KeyError):
        Lab("hypnosis")


# ------------------------------------------------------------------ progress view

def test_progress_table_and_plot(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    from partnership.learner.progress import plot_progress, progress_table, show_progress
    from partnership.learner.store import AnswerStore
    p = tmp_path / "a.json"
    fig = plot_progress(p)                               # no answers yet: still a figure
    assert "No answers saved yet" in " ".join(t.get_text() for t in fig.axes[0].texts)
    s = AnswerStore(p)
    s.record("empathy", "emp-001", 0, 0.0, 1.0)
    s.record("empathy", "emp-001", 2, 1.0, 1.0)
    s.record("ruptures", "rup-009", ["withdrawal"] * 6, 4.0, 6.0)
    rows = {r["skill"]: r for r in progress_table(p)}
    assert rows["empathy"]["attempts"] == 2 and rows["empathy"]["items"] == 1
    assert rows["empathy"]["score"] == 1.0 and rows["ruptures"]["max_score"] == 6.0
    assert rows["alliance"]["attempts"] == 0
    fig = plot_progress(p)
    labels = {line.get_label() for line in fig.axes[1].lines}
    assert {"empathy", "ruptures"} <= labels
    assert show_progress(p) is None


def test_a_lab_still_builds_after_all_widgets_were_closed(tmp_path):
    """Regression: a module-level Layout shared by every lab broke all later labs once closed."""
    import ipywidgets as W
    Lab("empathy", path=tmp_path / "a.json")
    W.Widget.close_all()
    lab2 = Lab("empathy", path=tmp_path / "b.json")
    assert lab2.views


def test_lab_import_is_light():
    """The labs run in the book's page, where pydantic, PyYAML, NumPy and matplotlib do not
    exist, and their import time counts against ipywidgets' (benchmarks/bench_labs.py): none
    of them may load with the labs."""
    from fresh_python import modules_after
    assert modules_after("import partnership.learner.labs, partnership.learner.progress",
                         ("pydantic", "yaml", "matplotlib", "numpy")) == []


def test_in_the_browser_without_its_storage_the_lab_says_answers_will_not_last(tmp_path,
                                                                             monkeypatch):
    import partnership.learner.labs as labs_mod
    monkeypatch.setattr(labs_mod, "IN_BROWSER", True)
    lb = Lab("empathy", path=tmp_path / "a.json", items=list(items().values()))
    assert "does not let the lab keep files" in lb.notice.value
    assert "Download my answers" in lb.notice.value
