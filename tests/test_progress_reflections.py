"""The learner's reflection summary: latest written answers, coded by the coach, against MITI."""
from __future__ import annotations

from partnership.learner.schema import FreeTextItem, practice_items
from partnership.coach import analyse
from partnership.learner.progress import reflection_summary, show_reflection_summary
from partnership.learner.store import AnswerStore

REFLECTION = ("So you're torn: part of you wants to stop, and part of you is scared of what "
              "life looks like without it.")
QUESTION = "How much do you drink in a week?"


def test_summary_codes_latest_answers_and_skips_the_rest(tmp_path):
    store = AnswerStore(tmp_path / "a.json")
    ft = [i for i in practice_items() if isinstance(i, FreeTextItem)]
    first, second, third = ft[:3]
    store.record(first.skill, first.id, QUESTION, None, 1)       # replaced below
    store.record(first.skill, first.id, REFLECTION, None, 1)
    store.record(second.skill, second.id, QUESTION, None, 1)
    store.record(third.skill, third.id, "   ", None, 1)          # blank: skipped
    store.record("empathy", "no-such-item", REFLECTION, None, 1)  # not a shipped item: skipped
    summary = reflection_summary(store=store)

    expected = [analyse(REFLECTION, first.client or first.vignette or ""),
                analyse(QUESTION, second.client or second.vignette or "")]
    assert summary["n"] == 2
    for code in ("question", "reflection", "therapist_input", "other"):
        assert summary["counts"][code] == sum(r.code == code for r in expected)
    r, q = summary["reflections"], summary["questions"]
    assert summary["reflection_to_question"] == (r / q if q else (float("inf") if r else None))


def test_show_summary_with_no_answers_says_so(tmp_path, capsys):
    show_reflection_summary(tmp_path / "empty.json")
    assert "No written answers saved yet" in capsys.readouterr().out


def test_show_summary_prints_the_miti_thresholds(tmp_path, capsys):
    store = AnswerStore(tmp_path / "a.json")
    item = next(i for i in practice_items() if isinstance(i, FreeTextItem))
    store.record(item.skill, item.id, REFLECTION, None, 1)
    show_reflection_summary(tmp_path / "a.json")
    out = capsys.readouterr().out
    assert "coach coded 1 written answers" in out
    assert "2:1 good" in out or "40% fair" in out
