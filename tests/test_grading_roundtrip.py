"""The whole instructor round trip (``partnership grade-demo``) with the exact score of every
simulated student. Slow (about two to three minutes on two cores): ``-m "not slow"`` skips it.

Expected scores are worked out by hand from the keys in the source notebooks' hidden tests:

empathy (autograded 10: emp-g1 choice 2, emp-g2 ranking of 4 = 3, emp-g3 categorize 6 = 3,
emp-t1 1, emp-t2 1; written emp-w1 4; total 14)
mi-reflections (autograded 13: mi-g1 choice 2, mi-g2 categorize 8 = 4, mi-g3 ranking of 5 = 5,
mi-t1 1, mi-t2 1; written mi-w1 4; total 17)
boundaries (autograded 10: bnd-g1 choice 2, bnd-g2 categorize 6 = 3, bnd-g3 ranking of 4 = 3,
bnd-t1 1, bnd-t2 1; written bnd-w1 6; total 16)

- perfect: everything right; the simulated grader gives full written marks.
- blank: the release untouched: 0 (the written cell is unchanged, so nbgrader scores it 0).
- partial: choice wrong (0); ranking with the options ranked 1 and 2 swapped, so one pair of
  n(n-1)/2 is out of order (4 options: 5/6 x 3 = 2.5; 5 options: 9/10 x 5 = 4.5); categorize
  with the first two statements wrong (6: 4/6 x 3 = 2; 8: 6/8 x 4 = 3); the text answer right
  (1) and the number answer "not sure" (0); written marked at half.
  empathy 0 + 2.5 + 2 + 1 + 0 + 2 = 7.5; mi 0 + 3 + 4.5 + 1 + 0 + 2 = 10.5;
  boundaries 0 + 2 + 2.5 + 1 + 0 + 3 = 8.5.
- tampered: perfect except a wrong choice, whose locked test cell was edited to print the full
  points; nbgrader restores the cell, so the choice scores 0: total minus 2.
- nofile: typed and written answers right, no saved-answer file: 2 + written marks.
- corrupt (empathy only): the notebook is not JSON: not graded, reported, 0.
- looping (empathy only): perfect widget answers, emp-t1's answer cell loops forever: it is
  stopped at the time limit and emp-t1 scores 0; the written answer is left blank: 10 - 1 = 9.

The feedback tests add one more empathy submission to the same course folder ("sabotage": the
perfect answers plus a cell that replaces ``score_typed``, so a hidden-test line raises) and
check that no feedback file shows a hidden test, while scores and reasons are there.
"""
from __future__ import annotations

import csv
import html
import json
import re
import shutil

import pytest
from test_exercises import secrets

from partnership.grader.demo import _Runner, run_demo, table

pytestmark = pytest.mark.slow

EXPECTED = {
    ("perfect", "empathy"): 14, ("perfect", "mi-reflections"): 17, ("perfect", "boundaries"): 16,
    ("blank", "empathy"): 0, ("blank", "mi-reflections"): 0, ("blank", "boundaries"): 0,
    ("partial", "empathy"): 7.5, ("partial", "mi-reflections"): 10.5,
    ("partial", "boundaries"): 8.5,
    ("tampered", "empathy"): 12, ("tampered", "mi-reflections"): 15,
    ("tampered", "boundaries"): 14,
    ("nofile", "empathy"): 6, ("nofile", "mi-reflections"): 6, ("nofile", "boundaries"): 8,
    ("corrupt", "empathy"): 0,
    ("looping", "empathy"): 9,
}
AUTO = {("perfect", "empathy"): 10, ("perfect", "mi-reflections"): 13,
        ("perfect", "boundaries"): 10, ("partial", "empathy"): 5.5,
        ("partial", "mi-reflections"): 8.5, ("partial", "boundaries"): 5.5,
        ("nofile", "empathy"): 2, ("looping", "empathy"): 9}
MAX = {"empathy": 14, "mi-reflections": 17, "boundaries": 16}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("grade-demo")
    lines = []
    result = run_demo(out, timeout=8, log=lines.append)
    result.log_lines = lines
    return result


def test_every_student_gets_the_exact_expected_score(demo):
    got = {k: o.score for k, o in demo.outcomes.items() if o.submitted}
    assert got == pytest.approx(EXPECTED)
    for (s, a), auto in AUTO.items():
        assert demo.outcomes[(s, a)].auto_score == pytest.approx(auto), (s, a)
    for (s, a), o in demo.outcomes.items():
        assert o.max_score == MAX[a]
    assert demo.problems == []


def test_grades_csv_matches(demo):
    with open(demo.grades_csv, newline="") as f:
        rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(f)}
    for key, score in EXPECTED.items():
        assert float(rows[key]["score"]) == pytest.approx(score), key
        assert float(rows[key]["max_score"]) == MAX[key[1]]
    assert float(rows[("looping", "boundaries")]["score"]) == 0      # not submitted


def test_bad_submissions_are_reported_with_reasons(demo):
    def probs(s, a):
        return " | ".join(demo.outcomes[(s, a)].problems)

    assert "not valid JSON" in probs("corrupt", "empathy")
    assert not demo.outcomes[("corrupt", "empathy")].graded
    assert "emp-t1-answer ran longer than the 8 s limit" in probs("looping", "empathy")
    first_choice = {"empathy": "emp-g1", "mi-reflections": "mi-g1", "boundaries": "bnd-g1"}
    for a in MAX:
        assert f"locked cell {first_choice[a]}-test had been changed" in probs("tampered", a)
        assert "restored" in probs("tampered", a)
        assert "no my.partnership-answers.json submitted" in probs("nofile", a)
        assert demo.outcomes[("perfect", a)].problems == []
        assert demo.outcomes[("partial", a)].problems == []
    report = table(demo)
    for s in ("perfect", "blank", "partial", "tampered", "nofile", "corrupt", "looping"):
        assert s in report
    assert "corrupt/empathy: the notebook empathy.ipynb is not valid JSON" in report


def test_progress_display_and_feedback(demo):
    auto = [ln for ln in demo.log_lines if "autograding" in ln]
    assert len(auto) == 17 and auto[0].startswith("[1/17] autograding ")
    assert all(ln.rstrip().endswith(" s") or "FAILED" in ln for ln in auto)
    for (s, a), o in demo.outcomes.items():
        if o.graded:
            assert (demo.course / "feedback" / s / a / f"{a}.html").exists(), (s, a)


def test_tampered_cell_restored_and_no_grading_cell_uses_stderr(demo):
    nb = json.loads((demo.course / "autograded" / "tampered" / "empathy" / "empathy.ipynb")
                    .read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"]
                if c["metadata"].get("nbgrader", {}).get("grade_id") == "emp-g1-test")
    assert "full marks, please" not in "".join(cell["source"])
    assert "score_choice(" in "".join(cell["source"])
    for (s, a), o in demo.outcomes.items():
        if not o.graded:
            continue
        nb = json.loads((demo.course / "autograded" / s / a / f"{a}.ipynb")
                        .read_text(encoding="utf-8"))
        for c in nb["cells"]:
            if c["metadata"].get("nbgrader", {}).get("grade"):
                for out in c.get("outputs", []):
                    assert not (out["output_type"] == "stream" and out["name"] == "stderr"), \
                        (s, a, c["metadata"]["nbgrader"]["grade_id"])


def test_grader_sees_coach_suggestion_beside_reflections(demo):
    nb = json.loads((demo.course / "autograded" / "perfect" / "mi-reflections" /
                     "mi-reflections.ipynb").read_text(encoding="utf-8"))
    notes = next(c for c in nb["cells"]
                 if c["metadata"].get("nbgrader", {}).get("grade_id") == "mi-w1-notes")
    text = "".join("".join(o.get("text", "")) for o in notes["outputs"])
    assert "Coach's suggested code:" in text and "HRQ-style score:" in text and "Rubric:" in text


# ------------------------------------------------------------------ feedback shows no keys

def _feedback_text(path) -> str:
    """The text a student reads in a feedback file (tags removed, entities decoded: syntax
    highlighting splits source lines into many tags)."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module")
def sabotage(demo):
    """The perfect empathy answers plus a cell that breaks ``score_typed``: emp-t1's hidden line
    raises, and an unfiltered traceback would quote it, key included."""
    course = demo.course
    dest = course / "submitted" / "sabotage" / "empathy"
    shutil.copytree(course / "submitted" / "perfect" / "empathy", dest)
    nb_path = dest / "empathy.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    at = next(i for i, c in enumerate(nb["cells"])
              if c["metadata"].get("nbgrader", {}).get("grade_id") == "setup")
    nb["cells"].insert(at + 1, {"cell_type": "code", "id": "sabotage", "metadata": {},
                                "execution_count": None, "outputs": [],
                                "source": "import partnership.grader.scorers\n"
                                          "partnership.grader.scorers.score_typed = None"})
    nb_path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    runner = _Runner(course, 8, print)
    for args in (("autograde", "empathy", "--student", "sabotage", "--force"),
                 ("generate_feedback", "empathy", "--student", "sabotage", "--force")):
        r = runner.run(*args, limit=300)
        assert r.returncode == 0, r.stderr[-2000:]
    return course


def test_feedback_shows_scores_and_reasons_but_no_hidden_test(demo, sabotage):
    keys = secrets(solutions=False)
    pages = sorted((demo.course / "feedback").glob("*/*/*.html"))
    graded = [k for k, o in demo.outcomes.items() if o.graded]
    assert len(pages) == len(graded) + 1
    for page in pages:
        text = _feedback_text(page)
        assert "HIDDEN TESTS" not in text, page
        leaks = sorted(k for k in keys if k in text)
        assert leaks == [], (page, leaks)
    perfect = _feedback_text(demo.course / "feedback" / "perfect" / "empathy" / "empathy.html")
    assert "empathy (Score: 14.0 / 14.0)" in perfect
    assert re.search(r"emp-g1: 2 of 2 points: option [A-E] is the best answer\.", perfect)
    assert "emp-g2: 3 of 3 points: 6 of 6 pairs of responses in the right order." in perfect
    assert "emp-t1: 1 of 1 points: accepted." in perfect
    partial = _feedback_text(demo.course / "feedback" / "partial" / "mi-reflections" /
                             "mi-reflections.html")
    assert "mi-t2: 0 of 1 points: the answer is not a number." in partial
    # the grader notes keep the coach's suggestion but not the rubric
    assert "Coach's suggested code:" in perfect and "Rubric:" not in perfect


def test_feedback_shortens_errors_and_formgrader_keeps_everything(sabotage):
    text = _feedback_text(sabotage / "feedback" / "sabotage" / "empathy" / "empathy.html")
    assert "TypeError: 'NoneType' object is not callable" in text
    assert "Traceback (most recent call last)" not in text
    assert "emp-g1: 2 of 2 points" in text
    # the autograded notebook (what formgrader shows the instructor) is not filtered
    nb = json.loads((sabotage / "autograded" / "sabotage" / "empathy" / "empathy.ipynb")
                    .read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"]
                if c["metadata"].get("nbgrader", {}).get("grade_id") == "emp-t1-test")
    assert "### BEGIN HIDDEN TESTS" in "".join(cell["source"])
    err = next(o for o in cell["outputs"] if o["output_type"] == "error")
    tb = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(err["traceback"]))
    assert err["ename"] == "TypeError" and 'score_typed("emp-t1"' in tb
