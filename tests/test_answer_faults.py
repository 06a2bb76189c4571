"""Damaged answers files meet the learner's views: a lab, a graded item (``show``), the
assignment's checklist (``progress``) and the progress table never raise, and a failed save
is told on the item itself and cleared once saving works again."""
from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from partnership.learner import store as store_mod
from partnership.learner.assignment import progress, show
from partnership.learner.items import CategorizeItem, practice_items
from partnership.learner.labs import Lab
from partnership.learner.progress import progress_table
from partnership.learner.store import SCHEMA, AnswerStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def items_yml(tmp_path) -> Path:
    """The empathy assignment's released items.yml (texts, no keys), as a student gets it."""
    import yaml

    from partnership.grader.bank import load_bank, released
    out = tmp_path / "items.yml"
    out.write_text(yaml.safe_dump(released(load_bank(ROOT / "exercises" / "empathy.yml"))),
                   encoding="utf-8")
    return out


def _views(path: Path, items: Path, capsys):
    """Open every learner view on the answers file ``path``; none may raise."""
    lab = Lab("empathy", path=path)
    show(items, "emp-g3", path=path)
    progress(items, path=path)
    rows = progress_table(path)
    return lab, capsys.readouterr().out, rows


def test_a_deeply_nested_file_breaks_no_view(tmp_path, items_yml, capsys):
    p = tmp_path / "answers.json"
    p.write_text('{"schema": "partnership-answers", "version": 1, "attempts": '
                 + "[" * 200_000 + "]" * 200_000 + "}")
    lab, out, rows = _views(p, items_yml, capsys)
    assert "nested too deeply" in lab.notice.value
    assert "widget items still need an answer" in out
    assert all(r["attempts"] == 0 for r in rows)


def test_categorize_answers_made_of_lists_break_no_view(tmp_path, items_yml, capsys):
    p = tmp_path / "answers.json"
    item = next(i for i in practice_items("empathy") if isinstance(i, CategorizeItem))
    bad = [["a", "b"]] * len(item.statements)
    s = AnswerStore(p)
    s.record("empathy", item.id, bad, 1.0, float(len(item.statements)))
    s.record("graded-empathy", "emp-g3", bad, None, 0.0)
    lab, out, rows = _views(p, items_yml, capsys)
    assert "emp-g3: sort statements" in out
    view = lab.view(item.id)
    assert view.get_answer() == [None] * len(item.statements) or "no longer fits" in \
        view.feedback.value
    assert {r["skill"]: r for r in rows}["empathy"]["attempts"] == 1


def test_a_failed_save_is_said_on_the_item_and_cleared_by_a_later_one(tmp_path, monkeypatch):
    p = tmp_path / "answers.json"
    lab = Lab("empathy", path=p)
    item = next(i for i in lab.items if hasattr(i, "correct_index"))
    view = lab.view(item.id)
    real = store_mod.os.replace

    def full(*a):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_mod.os, "replace", full)
    view.set_answer(item.correct_index)
    view.check.click()
    assert "kept for this session only" in view.feedback.value
    assert "could not be saved" in lab.notice.value
    monkeypatch.setattr(store_mod.os, "replace", real)
    view.check.click()
    assert "kept for this session only" not in view.feedback.value
    assert lab.notice.value == ""
    saved = json.loads(p.read_text())
    assert [a["item"] for a in saved["attempts"]] == [item.id, item.id]
    assert saved["schema"] == SCHEMA


@pytest.mark.parametrize("newer", [2, 99])
def test_a_newer_file_is_shown_as_untouched_in_the_lab(tmp_path, newer):
    p = tmp_path / "answers.json"
    raw = json.dumps({"schema": SCHEMA, "version": newer, "attempts": []}).encode()
    p.write_bytes(raw)
    lab = Lab("empathy", path=p)
    assert "newer version" in lab.notice.value and "left exactly as it is" in lab.notice.value
    item = next(i for i in lab.items if hasattr(i, "correct_index"))
    view = lab.view(item.id)
    view.set_answer(item.correct_index)
    view.check.click()
    assert "kept for this session only" in view.feedback.value
    assert p.read_bytes() == raw
