"""The grader's parts, one at a time: the instructor's bank, the released items, scoring,
reading a submission (never running it), the student's visible checks and widgets, the notes for
the grader, the feedback filter and the course configuration. The whole round trip through
nbgrader is in tests/test_grading_roundtrip.py."""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import nbformat
import pytest
import yaml

from partnership.grader.answers import MAX_CELL_CHARS, read_answers, typed_answer
from partnership.grader.bank import BankError, load_bank, parse_bank, released, secrets, short_keys
from partnership.grader.scorers import NOT_ANSWERED, score_item
from partnership.learner.assignment import (GradedView, NotAnswered, check, check_typed,
                                            parse_graded, progress, show)
from partnership.learner.store import AnswerStore

ROOT = Path(__file__).resolve().parents[1]
BANKS = sorted((ROOT / "exercises").glob("*.yml"))
LAB = "graded-test"
BANK = {
    "version": 1, "kind": "graded", "assignment": "test", "lab": LAB, "title": "Test",
    "items": [
        {"id": "t-c1", "skill": "empathy", "type": "choice", "client": "I feel lost.",
         "prompt": "Which one?", "source": "rogers1957conditions", "points": 2,
         "options": [{"text": "one"}, {"text": "two", "correct": True}, {"text": "three"}]},
        {"id": "t-r1", "skill": "empathy", "type": "ranking", "client": "I feel lost.",
         "prompt": "Rank them.", "points": 3,
         "options": [{"text": "a", "rank": 2}, {"text": "b", "rank": 1}, {"text": "c", "rank": 4},
                     {"text": "d", "rank": 3}]},
        {"id": "t-k1", "skill": "mi_reflections", "type": "categorize", "prompt": "Sort them.",
         "points": 4, "categories": [{"id": "x", "label": "X"}, {"id": "y", "label": "Y"}],
         "statements": [{"text": "s1", "category": "x"}, {"text": "s2", "category": "y"},
                        {"text": "s3", "category": "y"}, {"text": "s4", "category": "x"}]},
        {"id": "t-t1", "skill": "mi_reflections", "type": "typed", "prompt": "The ratio?",
         "points": 1, "accept": ["2:1", "two to one"]},
        {"id": "t-n1", "skill": "empathy", "type": "typed", "prompt": "How many percent?",
         "points": 1, "number": {"value": 8, "tolerance": 0.5}},
        {"id": "t-w1", "skill": "mi_reflections", "type": "written", "points": 4,
         "client": "I might lose my job and I can't sleep.", "prompt": "Write a reflection.",
         "model_answer": "The worry about your job follows you into the night.",
         "rubric": "4: a complex reflection of the worry and the sleeplessness.\n"
                   "1: advice, such as a sleep routine, with no reflection at all.\n",
         "coach": True},
    ]}


def bank(**changes):
    data = copy.deepcopy(BANK)
    data.update(changes)
    return parse_bank(data, "test.yml")


# ------------------------------------------------------------------ the instructor's bank

def test_shipped_banks_load_with_keys_and_points():
    assert [p.stem for p in BANKS] == ["boundaries", "empathy", "mi-conversation",
                                       "mi-reflections"]
    for p in BANKS:
        b = load_bank(p)
        assert b.assignment == p.stem and b.lab == f"graded-{p.stem}"
        types = {i.type for i in b.items}
        assert types == ({"conversation", "written"} if p.stem == "mi-conversation" else
                         {"choice", "ranking", "categorize", "typed", "written"})
        assert b.total == sum(i.points for i in b.items) > 10


@pytest.mark.parametrize("change, message", [
    (lambda d: d["items"][0]["options"][0].update(correct=True),
     "item t-c1, field options: exactly one option must have correct: true, found 2"),
    (lambda d: d["items"][1]["options"][0].update(rank=3),
     "item t-r1, field options.rank: ranks must be 1..4"),
    (lambda d: d["items"][2]["statements"][1].update(category="z"),
     "item t-k1, field statements.1.category: 'z' is not one of ['x', 'y']"),
    (lambda d: d["items"][3].update(number={"value": 2}),
     "item t-t1, field accept: give either accept"),
    (lambda d: d["items"][5].pop("rubric"), "item t-w1, field rubric: Field required"),
    (lambda d: d["items"][0].pop("points"), "item t-c1, field points: Field required"),
    (lambda d: d.update(kind="practice"), "field kind: a graded bank has kind: graded"),
])
def test_bank_errors_name_file_item_and_field(change, message):
    data = copy.deepcopy(BANK)
    change(data)
    with pytest.raises(BankError) as e:
        parse_bank(data, "test.yml")
    assert str(e.value).startswith("test.yml: ") and message in str(e.value), str(e.value)


def test_bank_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_bytes(b"version: 1\nkind: graded\ntitle: caf\xe9\n")
    with pytest.raises(BankError, match=r"bad.yml: not UTF-8 text: byte 0xe9 at byte offset 34 "
                                        r"\(line 3, column 11\)"):
        load_bank(bad)
    bad.write_text("items: [", encoding="utf-8")
    with pytest.raises(BankError, match=r"bad.yml: not valid YAML"):
        load_bank(bad)


def test_released_items_carry_no_key_source_or_rubric():
    b = bank()
    out = released(b)
    text = json.dumps(out)
    for field in ("correct", "\"rank\"", "category\"", "accept", "number", "model_answer",
                  "rubric", "coach", "source", "rogers1957"):
        assert field not in text, field
    assert out["items"][5]["points"] == 4                  # a written item says its worth
    parse_graded(out)                                      # the learner's schema reads it
    with pytest.raises(BankError, match="item t-c1, field options.1.correct: graded options carry no answer keys"):
        data = copy.deepcopy(out)
        data["items"][0]["options"][1]["correct"] = True
        parse_graded(data)
    with pytest.raises(BankError, match="field source"):
        data = copy.deepcopy(out)
        data["items"][0]["source"] = ["tarasoff1976"]
        parse_graded(data)


def test_secrets_and_short_keys():
    s = dict(secrets(bank()))
    assert s["t-w1 model answer"].startswith("the worry about your job")
    assert sum(what == "t-w1 rubric" for what, _ in secrets(bank())) == 2
    assert short_keys(bank()) == [("t-t1 key", "2:1")]     # "8" is too short to search for
    boundaries = load_bank(ROOT / "exercises" / "boundaries.yml")
    assert ("bnd-t2 key", "1976") in short_keys(boundaries)


# ------------------------------------------------------------------ scoring

def test_scoring_every_type():
    b = {i.id: i for i in bank().items}
    assert score_item(b["t-c1"], 1).points == 2
    assert score_item(b["t-c1"], 0).points == 0
    for bad in (True, "1", 7, -1, [1], None):
        assert score_item(b["t-c1"], bad).points == 0
    assert score_item(b["t-c1"]).reason == "not answered."
    assert score_item(b["t-r1"], [2, 1, 4, 3]).points == 3
    one_swap = score_item(b["t-r1"], [1, 2, 4, 3])
    assert one_swap.points == 2.5 and "5 of 6 pairs" in one_swap.reason
    assert score_item(b["t-r1"], [3, 4, 1, 2]).points == 0          # every pair reversed
    assert score_item(b["t-r1"], [2, 1, 3, 4]).points == 2.5
    assert score_item(b["t-r1"], [1, 1, 2, 3]).points == 0
    assert score_item(b["t-k1"], ["x", "y", None, "y"]).points == 2
    assert score_item(b["t-k1"], ["x", "y"]).points == 0
    assert score_item(b["t-t1"], "  Two To One. ").points == 1
    assert score_item(b["t-t1"], "2 : 1").points == 1
    assert score_item(b["t-t1"], "3:1").points == 0
    assert score_item(b["t-t1"], "").reason == "no answer typed."
    assert score_item(b["t-n1"], "8.4").points == 1 and score_item(b["t-n1"], 8).points == 1
    assert score_item(b["t-n1"], "9").points == 0
    assert score_item(b["t-n1"], "about 8").reason == "the answer is not a number."
    with pytest.raises(ValueError, match="marked by hand"):
        score_item(b["t-w1"], "text")


def test_reasons_never_name_the_key():
    b = {i.id: i for i in bank().items}
    for item, answer in (("t-c1", 0), ("t-c1", 2), ("t-r1", [1, 2, 3, 4]),
                         ("t-k1", ["y", "x", "x", "y"]), ("t-t1", "3:1")):
        line = score_item(b[item], answer).line().lower()
        for key in ("two", "'b'", "2:1", "option b", "should", "correct answer"):
            assert key not in line, (item, line)


# ------------------------------------------------------------------ reading a submission

def _file(tmp_path, data) -> Path:
    p = tmp_path / "my.partnership-answers.json"
    p.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return p


def test_read_answers_latest_per_item_ignoring_claimed_scores(tmp_path):
    attempts = [{"lab": LAB, "item": "t-c1", "answer": 0, "score": 99},
                {"lab": "another", "item": "t-c1", "answer": 2},
                "junk", {"lab": LAB, "answer": 1},
                {"lab": LAB, "item": "t-c1", "answer": 1, "time": "1999-01-01"}]
    got = read_answers(_file(tmp_path, {"schema": "partnership-answers", "version": 1,
                                        "attempts": attempts}), LAB)
    assert got.present and got.answers == {"t-c1": 1}
    assert got.problems == ["my.partnership-answers.json: 2 of 5 entries were damaged and "
                            "skipped"]


@pytest.mark.parametrize("content, problem", [
    (None, "no my.partnership-answers.json was submitted"),
    ("{not json", "is not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ({"schema": "other"}, "is not a partnership answers file"),
    ({"schema": "partnership-answers", "attempts": 3}, "has no list of attempts"),
])
def test_read_answers_bad_files_say_why(tmp_path, content, problem):
    p = tmp_path / "my.partnership-answers.json"
    if content is not None:
        _file(tmp_path, content)
    got = read_answers(p, LAB)
    assert got.answers == {} and problem in got.problems[0], got.problems


def test_read_answers_refuses_huge_files_and_links(tmp_path):
    p = tmp_path / "my.partnership-answers.json"
    with open(p, "wb") as f:
        f.truncate(3_000_000)
    assert "over the 2,000,000-byte limit" in read_answers(p, LAB).problems[0]
    p.unlink()
    (tmp_path / "real.json").write_text("{}", encoding="utf-8")
    p.symlink_to(tmp_path / "real.json")
    assert "not a plain file" in read_answers(p, LAB).problems[0]


@pytest.mark.parametrize("source, value, problem", [
    ('answer_t_t1 = (\n    "2:1"\n)', "2:1", None),
    ('answer_t_t1 = ""  # type your answer between the quotes', "", None),
    ('while True:\n    pass\nanswer_t_t1 = "2:1"', "2:1", None),
    ('answer_t_t1 = "1:1"\nanswer_t_t1 = "2:1"', "2:1", None),
    ('answer_t_t1: str = "2:1"', "2:1", None),
    ("answer_t_t1 = 8.5", 8.5, None),
    ('answer_t_t1 = str(2) + ":1"', None, "not quoted text or a number"),
    ('answer_t_t1 = __import__("os").system("id")', None, "not quoted text or a number"),
    ('answer_t_t1 = ["2:1"]', None, "not quoted text or a number"),
    ('answer_t_t1 = True', None, "not quoted text or a number"),
    ('if True:\n    answer_t_t1 = "2:1"', None, "no answer found"),
    ('answer_t_t1 = ("2:1"', None, "not valid Python"),
    ("x = 1", None, "no answer found"),
    ("answer_t_t1 = '" + "a" * MAX_CELL_CHARS + "'", None, "over 20,000 characters"),
])
def test_typed_answers_are_parsed_never_run(source, value, problem):
    got, why = typed_answer(source, "t-t1")
    assert got == value and (why is None if problem is None else problem in why), (got, why)


# ------------------------------------------------------------------ the student's notebook

@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "items.yml").write_text(yaml.safe_dump(released(bank())), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBGRADER_VALIDATING", raising=False)
    return tmp_path


def record(folder, item, answer):
    AnswerStore(folder / "my.partnership-answers.json").record(LAB, item, answer, None, 0.0)


def test_visible_checks_say_what_is_missing_never_whether_right(folder, capsys):
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


def test_under_validate_a_missing_answer_fails_the_check(folder, monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_VALIDATING", "1")
    with pytest.raises(NotAnswered, match="t-c1: not answered yet"):
        check("items.yml", "t-c1")
    with pytest.raises(NotAnswered, match="t-t1: not answered yet"):
        check_typed("t-t1", "")
    record(folder, "t-c1", 0)
    check("items.yml", "t-c1")                              # answered: no error
    check_typed("t-t1", "2:1")
    assert "answered" in capsys.readouterr().out


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


# ------------------------------------------------------------------ notes and feedback

def test_grader_notes_hold_rubric_model_answer_and_coach():
    from partnership.grader.notes import grader_notes_html
    w1 = bank().item("t-w1")
    notes = grader_notes_html(w1, "You're scared about your job, and it keeps you up.")
    assert "Coach&#x27;s suggested code:" in notes and "HRQ-style score" in notes
    assert "/5" in notes and "None" not in notes
    assert "a complex reflection of the worry" in notes and "follows you into the night" in notes
    assert "Coach: no written answer to read." in grader_notes_html(w1, "  ")
    invisible = grader_notes_html(w1, "\u200b\u200b")          # not empty, nothing written
    assert "nothing to code or score" in invisible and "None/5" not in invisible
    no_coach = bank().model_copy(update={}).item("t-w1").model_copy(update={"coach": False})
    assert "Coach" not in grader_notes_html(no_coach, "text")


def test_feedback_keeps_the_students_outputs_only():
    from partnership.grader.feedback import HideGraderNotes
    from partnership.grader.notes import GRADER, output
    grade = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 2,
                          "grade_id": "t-c1-test", "schema_version": 3}}
    show_cell = nbformat.v4.new_code_cell('show("items.yml", "t-w1")')
    show_cell.outputs = [nbformat.from_dict(output("<p>item</p>", "item")),
                         nbformat.from_dict(output("<p>Rubric: secret</p>", "notes", GRADER)),
                         nbformat.v4.new_output("display_data", data={"text/plain": "untagged"})]
    test_cell = nbformat.v4.new_code_cell('check("items.yml", "t-c1")', metadata=grade)
    test_cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="t-c1: 2 of 2\n"),
                         nbformat.v4.new_output("stream", name="stderr", text="noise\n"),
                         nbformat.v4.new_output("execute_result", data={"text/plain": "2.0"})]
    added = nbformat.v4.new_code_cell("print(1)")
    added.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nb = nbformat.v4.new_notebook(cells=[show_cell, test_cell, added])
    nb, _ = HideGraderNotes().preprocess(nb, {})
    shown = json.dumps(nb)
    assert "secret" not in shown and "untagged" not in shown and "noise" not in shown
    assert "<p>item</p>" in shown and "t-c1: 2 of 2" in shown
    assert nb.cells[2].outputs == []


# ------------------------------------------------------------------ configuration

def _load_config(monkeypatch, **env):
    from traitlets.config.loader import PyFileConfigLoader
    for k in ("PARTNERSHIP_DB_URL", "PARTNERSHIP_COURSE_ID", "PARTNERSHIP_COURSE_ROOT"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "autograder")).load_config()


def test_course_config_grades_without_a_kernel(monkeypatch):
    from nbgrader.preprocessors import Execute, GetGrades, OverwriteCells
    from partnership.grader.autograde import KeepLearnerFilesOut, RestoreCells, ScoreFromAnswers
    from partnership.grader.build import CONFIG_TEMPLATE
    from partnership.grader.feedback import HideGraderNotes
    from partnership.grader.late import FinalLatePenalty, LatePenalties

    assert (ROOT / "autograder" / "nbgrader_config.py").read_text() == CONFIG_TEMPLATE
    cfg = _load_config(monkeypatch)
    assert cfg.CourseDirectory.course_id == "therapy-as-partnership"
    assert "db_url" not in cfg.CourseDirectory and "root" not in cfg.CourseDirectory
    assert Execute not in cfg.Autograde.autograde_preprocessors
    assert cfg.Autograde.autograde_preprocessors[0] is ScoreFromAnswers
    assert RestoreCells in cfg.Autograde.sanitize_preprocessors
    assert OverwriteCells not in cfg.Autograde.sanitize_preprocessors
    assert cfg.GenerateAssignment.preprocessors[-1] is KeepLearnerFilesOut
    assert cfg.GenerateFeedback.preprocessors[:3] == [FinalLatePenalty, GetGrades,
                                                      HideGraderNotes]
    assert LatePenalties in cfg.Autograde.autograde_preprocessors       # course.yml's policy
    assert cfg.Autograde.exclude_overwriting.get("any-assignment") == [
        "my.partnership-answers.json"]
    assert "my.partnership-answers.json" not in cfg.CourseDirectory.ignore   # collect keeps it


@pytest.mark.parametrize("url, expected", [
    ("postgresql://grader:secret@db.example.org/tap", "postgresql+psycopg://grader:secret@db.example.org/tap"),
    ("postgres://g@h/t", "postgresql+psycopg://g@h/t"),
    ("postgresql+psycopg://g@h/t", "postgresql+psycopg://g@h/t"),
    ("sqlite:////srv/course/gradebook.db", "sqlite:////srv/course/gradebook.db"),
])
def test_database_url_uses_psycopg3(monkeypatch, url, expected):
    cfg = _load_config(monkeypatch, PARTNERSHIP_DB_URL=url, PARTNERSHIP_COURSE_ROOT="/srv/c")
    assert cfg.CourseDirectory.db_url == expected
    assert cfg.CourseDirectory.root == "/srv/c"


# ------------------------------------------------------------------ layers

def _imports(folder: Path) -> dict[str, str]:
    """Each module's import statements (not its docstrings, which may name other layers)."""
    import re
    pattern = re.compile(r"^\s*(?:from\s+\S+\s+import\s+[^\n]*|import\s+[^\n]*)", re.M)
    return {str(p.relative_to(ROOT)): "\n".join(pattern.findall(p.read_text(encoding="utf-8")))
            for p in folder.rglob("*.py")}


def test_layers_import_downwards_only():
    pkg = ROOT / "partnership"
    for name, text in _imports(pkg).items():
        if not name.startswith(("partnership/commands", "partnership/cli.py")):
            assert "partnership.commands" not in text, f"{name} imports a command module"
    for name, text in _imports(pkg / "learner").items():
        assert "partnership.grader" not in text, f"{name}: learner code imports the grader"
    for name, text in _imports(pkg / "coach").items():
        for upper in ("partnership.learner", "partnership.grader", "partnership.book"):
            assert upper not in text, f"{name}: the coach imports {upper}"


def test_no_bank_with_keys_in_the_package():
    for p in (ROOT / "partnership").rglob("*.y*ml"):
        text = p.read_text(encoding="utf-8")
        assert "kind: graded" not in text or "correct: true" not in text, p
    assert not list((ROOT / "partnership").rglob("exercises"))
    assert os.path.isdir(ROOT / "exercises") and not (ROOT / "exercises" / "source").exists()


def test_graded_items_are_not_practice_items():
    """A student must not be able to rehearse a graded item in the labs (the shared check of
    ``partnership check-banks``): no graded text repeats a practice item's text."""
    from partnership.learner.schema import overlaps, practice_items
    graded = [it for path in BANKS for it in load_bank(path).items]
    assert overlaps(graded, practice_items()) == []
