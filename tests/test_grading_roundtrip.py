"""The whole instructor round trip through nbgrader (``partnership grade-demo``), attacks included,
with the exact score of every simulated student; and each step of the instructor guide.
Slow (about a minute): ``-m "not slow"`` skips it.

Expected scores are worked out by hand from the keys in ``exercises/*.yml``:

empathy (autograded 10: emp-g1 choice 2, emp-g2 ranking of 4 = 3, emp-g3 categorize 6 = 3,
emp-t1 1, emp-t2 1; written emp-w1 4; total 14)
mi-reflections (autograded 13: mi-g1 choice 2, mi-g2 categorize 8 = 4, mi-g3 ranking of 5 = 5,
mi-t1 1, mi-t2 1; written mi-w1 4; total 17)
boundaries (autograded 10: bnd-g1 choice 2, bnd-g2 categorize 6 = 3, bnd-g3 ranking of 4 = 3,
bnd-t1 1, bnd-t2 1; written bnd-w1 6; total 16)

- perfect, extra (cells added claiming full marks), inflated (every grade cell set to 100 points
  and a locked cell deleted): everything right: all the points; written marked in full.
- looping (empathy): right answers, a typed cell that would loop forever: never run, so read as
  written: all the points.
- blank, quiet (expression display turned off, nothing answered): 0.
- replaced (scoring and checking functions replaced; every widget answer wrong, ranking reversed;
  typed answers that would have to be run): 0.
- partial and leaker (cells printing the keys): choice wrong (0); ranking with the options ranked 1
  and 2 swapped, one pair of n(n-1)/2 out of order (4 options: 5/6 x 3 = 2.5; 5: 9/10 x 5 = 4.5);
  categorize with the first two statements wrong (6: 4/6 x 3 = 2; 8: 6/8 x 4 = 3); the text
  answer right (1), the number "not sure" (0); written marked at half.
  empathy 0 + 2.5 + 2 + 1 + 0 + 2 = 7.5; mi 0 + 4.5 + 3 + 1 + 0 + 2 = 10.5;
  boundaries 0 + 2 + 2.5 + 1 + 0 + 3 = 8.5.
- tampered (every locked check cell rewritten to claim full marks; widget answers wrong): the
  typed answers only: 2, plus written in full.
- nofile (right answers, no answers file): typed 2, plus written in full.
- forged (answers file claiming score 100 for wrong answers, with junk): typed 2; written unmarked.
- corrupt (empathy): notebook not JSON: not graded (no score, not 0).
"""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from partnership.grader.autograde import read_report, report_path
from partnership.grader.bank import load_bank
from partnership.grader.demo import run_demo, table
from partnership.grader.leaks import scan
from partnership.grader.simulate import STUDENTS, Runner, make_submission

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
BANKS = [load_bank(p) for p in sorted((ROOT / "exercises").glob("*.yml"))]
A = ("boundaries", "empathy", "mi-reflections")

SCORE = {  # (boundaries, empathy, mi-reflections)
    "perfect": (16, 14, 17), "extra": (16, 14, 17), "inflated": (16, 14, 17),
    "blank": (0, 0, 0), "quiet": (0, 0, 0), "replaced": (0, 0, 0),
    "partial": (8.5, 7.5, 10.5), "leaker": (8.5, 7.5, 10.5),
    "tampered": (8, 6, 6), "nofile": (8, 6, 6), "forged": (2, 2, 2),
}
AUTO = {
    "perfect": (10, 10, 13), "extra": (10, 10, 13), "inflated": (10, 10, 13),
    "blank": (0, 0, 0), "quiet": (0, 0, 0), "replaced": (0, 0, 0),
    "partial": (5.5, 5.5, 8.5), "leaker": (5.5, 5.5, 8.5),
    "tampered": (2, 2, 2), "nofile": (2, 2, 2), "forged": (2, 2, 2),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    lines = []
    result = run_demo(tmp_path_factory.mktemp("grade-demo"), banks=ROOT / "exercises",
                      log=lines.append)
    result.log_lines = lines
    return result


def test_every_student_scores_exactly_what_their_answers_deserve(demo):
    got = {k: (o.score, o.auto_score) for k, o in demo.outcomes.items() if o.submitted}
    want = {(s, a): (SCORE[s][i], AUTO[s][i]) for s in SCORE for i, a in enumerate(A)}
    want[("looping", "empathy")] = (14, 10)
    want[("corrupt", "empathy")] = (None, 0)
    assert got == want
    for (s, a), o in demo.outcomes.items():
        if o.submitted and o.status != "not graded: autograding failed":
            assert o.auto_score == o.deserved, (s, a)
    assert demo.problems == [], demo.problems
    assert not [k for k, o in demo.outcomes.items() if not o.submitted and k[1] != "empathy"
                and k[0] not in ("corrupt", "looping")]


def test_grades_csv_keeps_not_graded_apart_from_zero(demo):
    with open(demo.grades_csv, newline="", encoding="utf-8") as fh:
        rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(fh)}
    assert list(next(iter(rows.values())))[-1] == "status"
    assert rows[("corrupt", "empathy")]["score"] == ""
    assert rows[("corrupt", "empathy")]["status"] == "not graded: autograding failed"
    assert rows[("blank", "empathy")]["score"] == "0.0"
    assert rows[("blank", "empathy")]["status"] == "graded"
    assert rows[("corrupt", "boundaries")]["status"] == "not submitted"
    assert float(rows[("perfect", "mi-reflections")]["score"]) == 17
    assert rows[("forged", "empathy")]["status"] == "marking pending (1 answer)"


def test_every_attack_is_reported_to_the_grader(demo):
    def probs(s, a="empathy"):
        return " | ".join(demo.outcomes[(s, a)].problems)
    assert probs("tampered").count("its contents had been changed; the original was restored") \
        == 5
    assert "a text cell (cell 3) was added" in probs("extra")
    assert "a code cell (cell 4) was added" in probs("extra")
    assert "its points had been changed" in probs("inflated")
    assert "cell emp-g1-show had been deleted; the released cell was put back" in \
        probs("inflated")
    assert "2 of 7 entries were damaged and skipped" in probs("forged")
    assert "emp-t1: the answer is not quoted text or a number" in probs("replaced")
    assert "no my.partnership-answers.json was submitted" in probs("nofile")
    assert "its notebook is not valid JSON" in probs("corrupt")
    assert probs("perfect") == ""
    assert "Problems found by the grader:" in table(demo)


def test_no_student_code_ran_during_grading(demo):
    for s in ("quiet", "replaced", "leaker", "extra", "looping"):
        nb = json.loads((demo.course / "autograded" / s / "empathy" / "empathy.ipynb")
                        .read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if not cell.get("metadata", {}).get("nbgrader"):        # the student's own cells
                assert cell.get("outputs", []) == [], (s, cell["source"][:60])
    assert all(seconds < 60 for seconds in demo.seconds.values())


def test_feedback_shows_score_and_reason_but_no_grader_material(demo):
    fb = demo.course / "feedback"
    files = sorted(fb.rglob("*.html"))
    assert len(files) == sum(o.submitted and o.status != "not graded: autograding failed"
                             for o in demo.outcomes.values())
    partial = (fb / "partial" / "empathy" / "empathy.html").read_text(encoding="utf-8")
    assert "emp-g3: 2 of 3 points: 4 of 6 statements sorted correctly." in partial
    assert "emp-g1: 0 of 2 points: the response you chose is not the best one." in partial
    assert "Your saved answer:" in partial
    for f in files:
        text = f.read_text(encoding="utf-8")
        for word in ("Notes for the grader", "Rubric", "Model answer", "Coach&#39;s suggested",
                     "Coach's suggested", "BEGIN HIDDEN", "kind: graded", "correct: true"):
            assert word not in text, (f, word)
    assert scan([fb], BANKS) == []
    leaker = (fb / "leaker" / "boundaries" / "boundaries.html").read_text(encoding="utf-8")
    assert "1976" not in leaker and "apa 3.05" not in leaker.lower()


def test_release_holds_no_key_and_keeps_the_learner_cells(demo):
    for bank in BANKS:
        rel = demo.course / "release" / bank.assignment
        assert sorted(p.name for p in rel.iterdir()) == sorted([f"{bank.assignment}.ipynb",
                                                                 "items.yml"])
        assert scan([rel], [bank], short=True) == []
        text = (rel / f"{bank.assignment}.ipynb").read_text(encoding="utf-8")
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN", "score_", "rubric", "correct"):
            assert marker not in text, (bank.assignment, marker)
    nb = json.loads((demo.course / "release" / "empathy" / "empathy.ipynb").read_text("utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"]]
    assert 'check("items.yml", "emp-g1")' in "\n".join(sources)
    assert any('""  # type your answer between the quotes' in s for s in sources)
    assert "YOUR ANSWER HERE" in sources


def test_formgrader_shows_the_grader_notes_and_coach(demo):
    nb = json.loads((demo.course / "autograded" / "perfect" / "mi-reflections" /
                     "mi-reflections.ipynb").read_text(encoding="utf-8"))
    notes = [o for c in nb["cells"] for o in c.get("outputs", [])
             if o.get("metadata", {}).get("partnership", {}).get("audience") == "grader"]
    assert len(notes) == 1
    html_text = "".join(notes[0]["data"]["text/html"])
    assert "Coach&#x27;s suggested code:" in html_text and "Rubric (4 points)" in html_text
    b = (demo.course / "autograded" / "perfect" / "boundaries" / "boundaries.ipynb")
    text = b.read_text(encoding="utf-8")
    assert "Rubric (6 points)" in text and "suggested code" not in text     # coach: false


def test_regrading_after_a_key_fix_keeps_manual_marks(demo, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(demo.course, course)
    runner = Runner(course)
    keys = course / "keys" / "empathy.yml"
    data = yaml.safe_load(keys.read_text(encoding="utf-8"))
    g1 = next(i for i in data["items"] if i["id"] == "emp-g1")
    right = next(k for k, o in enumerate(g1["options"]) if o.get("correct"))
    for k, o in enumerate(g1["options"]):          # the "fix": partial's answer is now the key
        o.pop("correct", None)
        if k == (right + 1) % len(g1["options"]):
            o["correct"] = True
    keys.write_text(yaml.safe_dump(data), encoding="utf-8")
    r = runner.run("autograde", "empathy", "--force")   # one batch; it carries on past corrupt
    assert "for student 'corrupt'" in r.stderr and "for student 'partial'" not in r.stderr
    from nbgrader.api import Gradebook
    with Gradebook(runner.db_url, "therapy-as-partnership") as gb:
        partial = gb.find_submission("empathy", "partial")
        perfect = gb.find_submission("empathy", "perfect")
        assert partial.score == 7.5 + 2 and perfect.score == 14 - 2
        written = {g.name: g.manual_score for nb in partial.notebooks for g in nb.grades
                   if g.cell.cell_type == "markdown"}
        assert written == {"emp-w1-answer": 2.0}


def test_answers_file_left_in_source_is_neither_released_nor_copied_over(tmp_path):
    from partnership.grader.build import build_assignment
    from partnership.learner.store import AnswerStore
    course = tmp_path / "course"
    build_assignment(ROOT / "exercises" / "empathy.yml", course)
    stray = AnswerStore(course / "source" / "empathy" / "my.partnership-answers.json")
    for item in ("emp-g1", "emp-g2", "emp-g3"):                 # the instructor tried them
        stray.record("graded-empathy", item, 0 if item == "emp-g1" else [1, 2, 3, 4], None, 0)
    runner = Runner(course)
    r = runner.run("generate_assignment", "empathy", "--force")
    assert r.returncode == 0 and "Not released: my.partnership-answers.json" in r.stderr
    assert not list((course / "release").rglob("*partnership-answers*"))
    bank = load_bank(ROOT / "exercises" / "empathy.yml")
    make_submission(course, STUDENTS["perfect"], bank)
    assert runner.run("autograde", "empathy", "--force").returncode == 0
    rep = read_report(report_path(course, "empathy", "perfect"))
    assert sum(rep["scores"].values()) == 10
    own = (course / "autograded" / "perfect" / "empathy" / "my.partnership-answers.json")
    assert json.loads(own.read_text())["attempts"][0]["answer"] == bank.item("emp-g1").key


def test_hand_collected_submission_is_timed_and_exchange_feedback_releases(demo, tmp_path):
    """A submission collected by hand gets the timestamp nbgrader needs (for late penalties and
    feedback); feedback for exchange submissions is released to the exchange."""
    course = tmp_path / "course"
    shutil.copytree(demo.course, course)
    handed_in = tmp_path / "from-email"
    shutil.copytree(course / "submitted" / "perfect" / "empathy", handed_in)
    for f in ("timestamp.txt", "submission_secret.txt"):
        (handed_in / f).unlink()
    cmd = [sys.executable, "-m", "partnership.cli", "assignment", "add-submission", "empathy",
           "zoe", str(handed_in), "--course", str(course), "--time", "2026-03-02T17:05:00+00:00"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "feedback/zoe/empathy" in out.stdout           # where to find the feedback to hand back
    stamp = (course / "submitted" / "zoe" / "empathy" / "timestamp.txt").read_text()
    assert stamp.startswith("2026-03-02 17:05:00.000000 UTC")
    runner = Runner(course)
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)                     # as nbgrader's exchange is set up on a hub
    for step in (("autograde", "empathy", "--student", "zoe", "--force"),
                 ("generate_feedback", "empathy", "--force"),
                 ("release_feedback", "empathy", "--student", "perfect",
                  f"--Exchange.root={exchange}")):
        r = runner.run(*step)
        assert r.returncode == 0, (step, r.stderr[-1500:])
    assert (course / "feedback" / "zoe" / "empathy" / "empathy.html").exists()
    assert len(list(exchange.rglob("*.html"))) == 1
    from nbgrader.api import Gradebook
    with Gradebook(runner.db_url, "therapy-as-partnership") as gb:
        sub = gb.find_submission("empathy", "zoe")
        assert str(sub.timestamp).startswith("2026-03-02 17:05:00") and sub.score == 10


def test_grade_demo_refuses_an_unknown_assignment(tmp_path):
    out = subprocess.run([sys.executable, "-m", "partnership.cli", "grade-demo", "--banks",
                          str(ROOT / "exercises"), "--assignment", "nonesuch", "--out",
                          str(tmp_path / "x")], capture_output=True, text=True)
    assert out.returncode == 2
    assert "no bank for assignment(s) nonesuch" in out.stderr
    out = subprocess.run([sys.executable, "-m", "partnership.cli", "grade-demo", "--banks",
                          str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 2 and "no graded banks" in out.stderr


def test_assignment_check_passes_a_good_bank_and_names_a_leak(tmp_path):
    from partnership.grader.check import check_bank
    steps = check_bank(ROOT / "exercises" / "mi-reflections.yml")
    assert [s.ok for s in steps] == [True] * 5, [(s.name, s.detail) for s in steps]
    assert "naming 5 of 5 missing items" in steps[-1].detail
    leaky = yaml.safe_load((ROOT / "exercises" / "boundaries.yml").read_text("utf-8"))
    t2 = next(i for i in leaky["items"] if i["id"] == "bnd-t2")
    t2["prompt"] = "In which year (1976) was the Tarasoff case decided?"
    (tmp_path / "leaky.yml").write_text(yaml.safe_dump(leaky), encoding="utf-8")
    steps = check_bank(tmp_path / "leaky.yml")
    bad = [s for s in steps if not s.ok]
    assert bad and bad[0].name == "no keys in the release" and "bnd-t2 key" in bad[0].detail


def test_wheel_and_learner_install_hold_no_keys(tmp_path):
    src = tmp_path / "src"                 # build from a copy: setuptools writes build/ in-tree
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "partnership", src / "partnership",
                    ignore=shutil.ignore_patterns("__pycache__"))
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                          "-q", "-w", str(tmp_path), str(src)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    wheel = next(tmp_path.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if "exercises" in n or n.endswith("nbgrader_config.py")]
    assert scan([wheel], BANKS) == []
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = ("from partnership.learner.labs import Lab\n"
             "import partnership, pathlib\n"
             "lab = Lab('empathy', path=pathlib.Path('answers.json'))\n"
             "print(partnership.__file__, len(lab.items))")
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                         text=True, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin",
                                         "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr[-2000:]
    assert str(site) in run.stdout


def test_honest_submission_grades_and_gets_feedback_without_a_warning(tmp_path):
    """Warnings are kept for what matters (a changed or deleted cell): an honest submission logs
    none, in autograding or in feedback."""
    from partnership.grader.build import build_assignment
    course = tmp_path / "course"
    build_assignment(ROOT / "exercises" / "empathy.yml", course)
    runner = Runner(course)
    assert runner.run("generate_assignment", "empathy").returncode == 0
    make_submission(course, STUDENTS["perfect"], load_bank(ROOT / "exercises" / "empathy.yml"))
    for step in (("autograde", "empathy"), ("generate_feedback", "empathy")):
        r = runner.run(*step)
        assert r.returncode == 0 and "WARNING" not in r.stderr + r.stdout, (step, r.stderr)
