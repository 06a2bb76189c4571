"""The instructor's term on a course made here: roster, due dates and late penalties, item analysis
with a planted miskeyed item, coach against grader, and the LMS files, with exact figures.

The class (assignment ``empathy`` built from an instructor's bank whose key for emp-g1 is wrong:
the bank marks option A, "You are doing a wonderful job...", as correct; the best response is D).
Points: emp-g1 choice 2, emp-g2 ranking 3, emp-g3 categorize 3, emp-t1 1, emp-t2 1, emp-w1
written 4 (marked by hand); total 14.

    student  g1 chose  g1  g2   g3   t1 t2 w1   rest(g1)  raw   submitted (due 9 Mar 17:00 UK)
    s01      D         0   3    3    1  1  4    12        12    on time
    s02      D         0   3    3    1  1  3    11        11    on time
    s03      D         0   3    2.5  1  1  3    10.5      10.5  on time
    s04      D         0   2.5  2.5  1  0  3    9         9     1 day 2 hours late: 2 days, 20%
    s05      A         2   2.5  2    1  1  2    8.5       10.5  on time
    s06      D         0   2.5  2    0  1  2    7.5       7.5   10 minutes late: in the grace
    s07      A         2   0    2    1  0  2    5         7     on time
    s08      C         0   2.5  1.5  0  0  1    5         5     3 days late: 30%
    s09      A         2   0    1    0  0  1    2         4     on time
    s10      B         0   0    1    1  0  0    2         2     on time
    s11      (on the roster, did not submit)

emp-g1: difficulty = mean share of 2 points = (3 x 2 / 2) / 10 = 0.300. Item-rest correlation:
mean x 0.6, mean rest 7.25; Sxy = 31 - 43.5 = -12.5; Sxx = 12 - 3.6 = 8.4;
Syy = 642.75 - 525.625 = 117.125; r = -12.5 / sqrt(8.4 x 117.125) = -0.399.
Options: D 5/10, A (the key) 3/10, C 1/10, B 1/10. Strongest 27% (3 by rest: s01-s03) all chose
D (100%), none the key (0%): flagged twice. Weakest 3 (s09, s10, then s07 before s08 on a tie):
A 2/3, B 1/3.
Late: s04 raw 9, 20% -> penalty 1.8, score 7.2; s08 raw 5, 30% -> 1.5, score 3.5.
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from partnership.grader.bank import load_bank
from partnership.grader.build import build_assignment
from partnership.grader.cohort import Answers, write_submission
from partnership.grader.simulate import Runner

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
DUE = datetime(2026, 3, 9, 17, 0, tzinfo=timezone.utc)       # 17:00 in London (GMT in March)

ROSTER = """\
Student ID,First name,Last name,Email address,LMS user ID
s01,Ama,Mensah,ama.mensah@uni.example,9001
s02,Bilal,Khan,bilal.khan@uni.example,9002
s03,Chloé,Dubois,chloe.dubois@uni.example,9003
s04,Dmitri,Ivanov,dmitri.ivanov@uni.example,9004
s05,Eilidh,MacLeod,eilidh.macleod@uni.example,9005
s06,Farah,Haddad,farah.haddad@uni.example,9006
s07,Gwen,Jones,gwen.jones@uni.example,9007
s08,Hiro,Tanaka,hiro.tanaka@uni.example,9008
s09,Ines,Silva,ines.silva@uni.example,9009
s10,Jamal,Brown,jamal.brown@uni.example,9010
s11,Kai,O'Neill,kai.oneill@uni.example,9011
"""

COURSE_YML = """\
timezone: Europe/London
late_penalty:
  percent_per_day: 10
  max_percent: 50
  grace_minutes: 15
assignments:
  empathy:
    due: 2026-03-09 17:00
    title: Empathy (graded)
    canvas_id: 48213
"""

RIGHT_G2, PARTIAL_G2, WRONG_G2 = [3, 2, 4, 1], [3, 1, 4, 2], [2, 3, 1, 4]
G3_KEY = ["sympathy", "empathy", "understanding", "empathy", "sympathy", "understanding"]


def _g3(right: int) -> list[str]:
    """The first ``right`` statements sorted correctly, the rest into the next category."""
    nxt = {"sympathy": "empathy", "empathy": "understanding", "understanding": "sympathy"}
    return [k if i < right else nxt[k] for i, k in enumerate(G3_KEY)]


MODEL = ("You've been the steady one for everybody else for so long that there has been no room "
         "for how worn out you are, and sitting in the car was the moment it caught up with you.")
WRITTEN = {4: MODEL,
           3: "Holding it together for everyone has left you running on empty, and in the car "
              "it all caught up with you.",
           2: "You keep telling everyone you're fine, but you sat in your car for an hour.",
           1: "It sounds like a lot is going on for you right now.",
           0: "You should take some leave and talk to your manager."}

# student: (g1 option, g2, g3 right statements, t1 right, t2 right, w1 mark, minutes late)
CLASS = {
    "s01": (3, RIGHT_G2, 6, True, True, 4, -60 * 24),
    "s02": (3, RIGHT_G2, 6, True, True, 3, -90),
    "s03": (3, RIGHT_G2, 5, True, True, 3, -5),
    "s04": (3, PARTIAL_G2, 5, True, False, 3, 26 * 60),
    "s05": (0, PARTIAL_G2, 4, True, True, 2, -600),
    "s06": (3, PARTIAL_G2, 4, False, True, 2, 10),
    "s07": (0, WRONG_G2, 4, True, False, 2, -1),
    "s08": (2, PARTIAL_G2, 3, False, False, 1, 3 * 24 * 60 - 30),
    "s09": (0, WRONG_G2, 2, False, False, 1, -2000),
    "s10": (1, WRONG_G2, 2, True, False, 0, -3000),
}
RAW = {"s01": 12, "s02": 11, "s03": 10.5, "s04": 9, "s05": 10.5, "s06": 7.5, "s07": 7,
       "s08": 5, "s09": 4, "s10": 2}


def _miskeyed_bank(tmp: Path) -> Path:
    data = yaml.safe_load((ROOT / "exercises" / "empathy.yml").read_text(encoding="utf-8"))
    g1 = data["items"][0]
    assert g1["id"] == "emp-g1" and g1["options"][3]["correct"] is True
    del g1["options"][3]["correct"]
    g1["options"][0]["correct"] = True               # the instructor's slip
    path = tmp / "my-empathy.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _mark_written(runner: Runner, marks: dict[str, float]) -> None:
    """Play the instructor in formgrader: a mark for each written answer."""
    from nbgrader.api import Gradebook
    with Gradebook(runner.db_url, "therapy-as-partnership") as gb:
        for student, mark in marks.items():
            sub = gb.find_submission("empathy", student)
            for nb in sub.notebooks:
                for g in nb.grades:
                    if g.name == "emp-w1-answer":
                        g.manual_score = mark
        gb.db.commit()


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "partnership.cli", *args], capture_output=True,
                          text=True, cwd=cwd)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("term")
    course = tmp / "course"
    bank_path = _miskeyed_bank(tmp)
    build_assignment(bank_path, course)
    (course / "course.yml").write_text(COURSE_YML, encoding="utf-8")
    (tmp / "roster.csv").write_text(ROSTER, encoding="utf-8")
    runner = Runner(course)
    r = runner.run("generate_assignment", "empathy")
    assert r.returncode == 0, r.stderr[-2000:]
    roster = _cli("course", "roster", str(tmp / "roster.csv"), "--course", str(course),
                  "--db-url", runner.db_url)
    assert roster.returncode == 0, roster.stderr
    deadlines = _cli("course", "deadlines", "--course", str(course), "--db-url", runner.db_url)
    assert deadlines.returncode == 0, deadlines.stderr
    bank = load_bank(bank_path)
    for sid, (g1, g2, g3, t1, t2, _w, late) in CLASS.items():
        write_submission(course, bank, sid, Answers(
            widgets={"emp-g1": g1, "emp-g2": g2, "emp-g3": _g3(g3)},
            typed={"emp-t1": "3" if t1 else "4", "emp-t2": 8 if t2 else 28},
            written={"emp-w1": WRITTEN[CLASS[sid][5]]},
            submitted=DUE + timedelta(minutes=late)))
    r = runner.run("autograde", "empathy")
    assert r.returncode == 0, r.stderr[-3000:]
    _mark_written(runner, {s: v[5] for s, v in CLASS.items()})
    return {"course": course, "runner": runner, "bank": bank, "tmp": tmp,
            "roster_out": roster.stdout, "deadlines_out": deadlines.stdout}


# ------------------------------------------------------------------ roster and deadlines

def test_roster_import_fills_names_and_emails(course):
    assert "11 students; 11 added, 0 updated, 0 unchanged" in course["roster_out"]
    from nbgrader.api import Gradebook
    with Gradebook(course["runner"].db_url, "therapy-as-partnership") as gb:
        s = gb.find_student("s03")
        assert (s.first_name, s.last_name, s.email, s.lms_user_id) == \
            ("Chloé", "Dubois", "chloe.dubois@uni.example", "9003")
        assert len(gb.students) == 11


def test_roster_reimport_updates_and_keeps_students_not_on_it(course, tmp_path):
    from partnership.grader.course import import_roster, read_roster
    lines = ROSTER.splitlines()
    changed = [lines[0], lines[1].replace("Ama,Mensah", "Ama,Mensah-Boateng"), lines[2]]
    (tmp_path / "r.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    url = course["runner"].db_url
    import shutil
    copy = tmp_path / "gb.db"
    shutil.copy(url.removeprefix("sqlite:///"), copy)
    res = import_roster(course["course"], read_roster(tmp_path / "r.csv"), f"sqlite:///{copy}")
    assert (res.added, res.updated, res.unchanged) == ([], ["s01"], ["s02"])
    assert res.not_on_roster == [f"s{n:02d}" for n in range(3, 12)]


@pytest.mark.parametrize("text, expected", [
    ("id,first_name,last_name\ns1,A,B\n", "line 1: no column for email"),
    ("id,first_name,last_name,email\ns1,A,B,a@b.org\ns1,C,D,c@d.org\n",
     "line 3: column 'id': 's1' is also on line 2"),
    ("id,first_name,last_name,email\nhas space,A,B,a@b.org\n", "line 2: column 'id': 'has space'"),
    ("id,first_name,last_name,email\ns1,,B,a@b.org\n", "line 2: column 'first_name': empty for s1"),
    ("id,first_name,last_name,email\ns1,A,B,not-an-email\n",
     "line 2: column 'email': 'not-an-email' is not an email address (s1)"),
    ("id,first_name,last_name,email\n", "has a header but no students"),
])
def test_roster_errors_name_file_line_and_column(tmp_path, text, expected):
    from partnership.grader.course import CourseError, read_roster
    p = tmp_path / "roster.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(CourseError) as exc:
        read_roster(p)
    assert str(p) in str(exc.value) and expected in str(exc.value)


def test_roster_from_a_spreadsheet_with_bom_and_semicolons(tmp_path):
    from partnership.grader.course import read_roster
    p = tmp_path / "r.csv"
    p.write_bytes("\ufeffUsername;Given name;Surname;E-mail\nab12;Ana;Bell;ana@x.org\n"
                  .encode("utf-8"))
    (e,) = read_roster(p)
    assert (e.id, e.first_name, e.last_name, e.email, e.line) == ("ab12", "Ana", "Bell",
                                                                 "ana@x.org", 2)


def test_course_yml_errors_name_the_field(tmp_path):
    from partnership.grader.course import CourseError, load_course
    (tmp_path / "course.yml").write_text(
        "timezone: Mars/Olympus\nassignments:\n  empathy:\n    due: next week\n", "utf-8")
    with pytest.raises(CourseError) as exc:
        load_course(tmp_path)
    text = str(exc.value)
    assert "field timezone: unknown time zone 'Mars/Olympus'" in text
    assert "field assignments.empathy.due" in text and str(tmp_path / "course.yml") in text
    (tmp_path / "course.yml").write_text("late_penalty:\n  percent_per_day: 150\n"
                                         "assignments:\n  empathy:\n    late_penalty: zeroo\n",
                                         "utf-8")
    with pytest.raises(CourseError) as exc:
        load_course(tmp_path)
    assert str(exc.value).splitlines() == [
        f"{tmp_path / 'course.yml'}: field late_penalty.percent_per_day: Input should be less "
        f"than or equal to 100",
        f"{tmp_path / 'course.yml'}: field assignments.empathy.late_penalty: 'zeroo' is not a "
        f"late policy: give none, zero, or percent_per_day (with max_percent and grace_minutes "
        f"if you wish)"]


def test_late_policy_figures():
    from partnership.grader.course import LatePolicy, penalty_for
    p = LatePolicy(percent_per_day=10, max_percent=50, grace_minutes=15)
    day = 86400
    assert p.penalty(10, 14 * 60) == 0                      # inside the grace
    assert p.penalty(10, 16 * 60) == 1.0                    # a part day: 10%
    assert p.penalty(10, day + 15 * 60) == 1.0              # exactly a day after the grace
    assert p.penalty(10, day + 16 * 60) == 2.0              # into the second day
    assert p.penalty(10, 9 * day) == 5.0                    # capped at 50%
    assert penalty_for("zero", 7.5, 1) == 7.5 and penalty_for("none", 7.5, 9 * day) == 0


def test_deadlines_command_writes_the_due_date(course):
    assert "empathy" in course["deadlines_out"] and "2026-03-09 17:00:00" in \
        course["deadlines_out"]
    assert "10% of the score per day or part day late, at most 50%, 15 minutes' grace" in \
        course["deadlines_out"]
    from nbgrader.api import Gradebook
    with Gradebook(course["runner"].db_url, "therapy-as-partnership") as gb:
        assert gb.find_assignment("empathy").duedate == datetime(2026, 3, 9, 17, 0)


def test_late_submissions_penalised_and_export_carries_names_and_due_date(course):
    runner = course["runner"]
    out = course["course"] / "grades.csv"
    r = runner.run("export", f"--to={out}")
    assert r.returncode == 0, r.stderr[-2000:]
    rows = {row["student_id"]: row for row in csv.DictReader(open(out, encoding="utf-8"))}
    assert set(rows) == {f"s{n:02d}" for n in range(1, 12)}
    for sid, raw in RAW.items():
        assert float(rows[sid]["raw_score"]) == raw, sid
        assert rows[sid]["status"] == "graded"
        assert rows[sid]["duedate"] == "2026-03-09 17:00:00"
    assert float(rows["s04"]["late_submission_penalty"]) == 1.8
    assert float(rows["s04"]["score"]) == pytest.approx(7.2)
    assert float(rows["s08"]["late_submission_penalty"]) == 1.5
    assert float(rows["s08"]["score"]) == 3.5
    assert float(rows["s06"]["late_submission_penalty"]) == 0          # within the grace
    assert float(rows["s01"]["score"]) == 12
    assert rows["s11"]["status"] == "not submitted"
    assert (rows["s03"]["first_name"], rows["s03"]["last_name"], rows["s03"]["email"]) == \
        ("Chloé", "Dubois", "chloe.dubois@uni.example")


def test_autograde_stored_the_policy_penalty_on_the_autograded_score(course):
    """At autograde time the written answer had no mark yet: nbgrader's stored penalty is 20% of
    s04's autograded 6 points; the export (above) recomputes it on the final 9."""
    from nbgrader.api import Gradebook
    with Gradebook(course["runner"].db_url, "therapy-as-partnership") as gb:
        assert gb.find_submission("empathy", "s04").late_submission_penalty == 1.2
        assert gb.find_submission("empathy", "s06").late_submission_penalty == 0
        assert gb.find_submission("empathy", "s08").late_submission_penalty == 1.2


def test_feedback_shows_the_penalty_on_the_final_score(course, tmp_path):
    """generate_feedback stores the penalty worked out on the final score (s04: 20% of 9 = 1.8,
    not the 1.2 of autograding) and the student's feedback shows it."""
    import shutil
    from nbgrader.api import Gradebook
    copy = tmp_path / "course"
    shutil.copytree(course["course"], copy)
    runner = Runner(copy)                                   # its own copy of the gradebook
    r = runner.run("generate_feedback", "empathy", "--student", "s04")
    assert r.returncode == 0, r.stderr[-2000:]
    with Gradebook(runner.db_url, "therapy-as-partnership") as gb:
        assert gb.find_submission("empathy", "s04").late_submission_penalty == 1.8
    html = (copy / "feedback" / "s04" / "empathy" / "empathy.html").read_text(encoding="utf-8")
    assert "Late submission penalty (Score: -1.8)" in html
    assert "empathy (Score: 7.2 / 14.0)" in html


# ------------------------------------------------------------------ item analysis

def test_item_analysis_flags_the_planted_miskey(course):
    out = course["tmp"] / "analysis"
    r = _cli("item-analysis", "empathy", "--course", str(course["course"]), "--out", str(out),
             "--db-url", course["runner"].db_url)
    assert r.returncode == 0, r.stderr
    assert "Item analysis of empathy: 10 graded submissions" in r.stdout
    assert "Possibly miskeyed: emp-g1." in r.stdout
    items = {row["item"]: row for row in csv.DictReader(open(out / "items.csv"))}
    g1 = items["emp-g1"]
    assert (g1["n"], g1["difficulty"], g1["discrimination"], g1["flagged"]) == \
        ("10", "0.300", "-0.399", "yes")
    assert "negative discrimination (r = -0.40)" in g1["flags"]
    assert "distractor D is chosen by more of the strongest students (100%) than the key A (0%)" \
        in g1["flags"]
    assert [i for i, row in items.items() if row["flagged"] == "yes"] == ["emp-g1"]
    assert items["emp-w1"]["difficulty"] == "0.525"          # 21 of 40 points
    assert float(items["emp-w1"]["discrimination"]) > 0.8
    opts = [row for row in csv.DictReader(open(out / "options.csv")) if row["item"] == "emp-g1"]
    assert [(o["option"], o["key"], o["share"], o["share_top"], o["share_bottom"])
            for o in opts] == [
        ("A", "yes", "0.300", "0.000", "0.667"), ("B", "no", "0.100", "0.000", "0.333"),
        ("C", "no", "0.100", "0.000", "0.000"), ("D", "no", "0.500", "1.000", "0.000"),
        ("none", "no", "0.000", "", "")]
    for png in ("items.png", "options.png"):
        data = (out / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_item_analysis_figures_match_an_independent_computation(course):
    import numpy as np
    from partnership.grader.itemanalysis import analyse
    from partnership.grader.results import collect
    bank, rows = collect(course["course"], "empathy", course["runner"].db_url, texts=False)
    stats, n = analyse(bank, rows)
    assert n == 10
    graded = [r for r in rows if r.submitted]
    ids = [it.id for it in bank.items]
    m = np.array([[r.scores[i] for i in ids] for r in graded])
    for k, st in enumerate(stats):
        rest = m.sum(axis=1) - m[:, k]
        assert st.discrimination == pytest.approx(np.corrcoef(m[:, k], rest)[0, 1])
        assert st.difficulty == pytest.approx(m[:, k].mean() / bank.items[k].points)


def test_written_items_wait_for_marks(course, tmp_path):
    from partnership.grader.itemanalysis import analyse
    from partnership.grader.results import collect
    bank, rows = collect(course["course"], "empathy", course["runner"].db_url, texts=False)
    rows[0].scores["emp-w1"] = None
    stats, _ = analyse(bank, rows)
    w1 = stats[-1]
    assert w1.difficulty is None and w1.note == "waiting for marks (9 of 10 marked)"


# ------------------------------------------------------------------ coach against grader

def test_weighted_kappa_exact_figures():
    from partnership.grader.agreement import to_scale, weighted_kappa
    assert weighted_kappa([(1, 1), (3, 3), (5, 5)]) == 1.0
    # two raters a step apart on half the cases: observed weighted disagreement 2 x (1/16) / 4,
    # expected from the margins (rows 1,2,3,4; columns 1,3,3,4) -> kappa = 0.8181...
    pairs = [(1, 1), (2, 3), (3, 3), (4, 4)]
    assert weighted_kappa(pairs) == pytest.approx(1 - (1 / 16 / 4) / (
        sum(((a - b) / 4) ** 2 for a in (1, 2, 3, 4) for b in (1, 3, 3, 4)) / 16))
    from sklearn.metrics import cohen_kappa_score
    assert weighted_kappa(pairs) == pytest.approx(cohen_kappa_score(
        [a for a, _ in pairs], [b for _, b in pairs], weights="quadratic", labels=[1, 2, 3, 4, 5]))
    assert weighted_kappa([(3, 3), (3, 3)]) is None          # no variation: undefined
    assert [to_scale(m, 4) for m in (0, 1, 2, 3, 4)] == [1, 2, 3, 4, 5]
    assert [to_scale(m, 6) for m in (0, 1, 3, 4.5, 6)] == [1, 2, 3, 4, 5]


def test_coach_agreement_per_item_and_overall(course):
    """The command against the grader's marks above, checked against the coach itself and
    scikit-learn's kappa."""
    from sklearn.metrics import cohen_kappa_score

    from partnership.coach import analyse
    bank = course["bank"]
    client = bank.item("emp-w1").client
    grader = [CLASS[s][5] + 1 for s in sorted(CLASS)]                 # marks 0-4 -> 1-5
    coach = [analyse(WRITTEN[CLASS[s][5]], client).hrq_score for s in sorted(CLASS)]
    out = course["tmp"] / "agreement"
    r = _cli("coach-agreement", "empathy", "--course", str(course["course"]), "--out", str(out),
             "--db-url", course["runner"].db_url)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(open(out / "agreement.csv")))
    assert [row["item"] for row in rows] == ["emp-w1"]          # one coached item: no "all"
    row = rows[0]
    assert row["n"] == "10"
    exact = sum(a == b for a, b in zip(grader, coach)) / 10
    assert row["exact"] == f"{exact:.3f}"
    kappa = cohen_kappa_score(grader, coach, weights="quadratic", labels=[1, 2, 3, 4, 5])
    assert row["weighted_kappa"] == f"{kappa:.3f}"
    conf = [r for r in csv.DictReader(open(out / "confusion.csv"))]
    cells = {(int(c["grader"]), k): int(c[f"coach_{k}"]) for c in conf for k in range(1, 6)}
    for g in range(1, 6):
        for c in range(1, 6):
            assert cells[(g, c)] == sum(a == g and b == c for a, b in zip(grader, coach))
    assert "weighted kappa" in r.stdout and "grader \\ coach" in r.stdout


def test_coach_agreement_counts_only_marked_answers():
    from partnership.grader.agreement import compare
    from partnership.grader.results import StudentResult
    bank = load_bank(ROOT / "exercises" / "mi-reflections.yml")
    w = next(it for it in bank.items if it.type == "written")
    rows = [StudentResult("a", submitted=True, scores={w.id: 4.0}, written={w.id: "x"}),
            StudentResult("b", submitted=True, scores={w.id: None}, written={w.id: "y"}),
            StudentResult("c", submitted=True, scores={w.id: 0.0}, written={w.id: ""}),
            StudentResult("d", submitted=True, scores={w.id: 2.0}, written={w.id: "z"})]
    rows.append(StudentResult("e", submitted=True, scores={w.id: 1.0}, written={w.id: "?"}))
    (ag,) = compare(bank, rows, coach=lambda text, client: {"x": 5, "z": 2, "?": None}[text])
    assert (ag.n, ag.waiting, ag.blank, ag.uncoded, ag.pairs) == (2, 1, 1, 1, [(5, 5), (3, 2)])
    assert ag.exact == 0.5 and ag.within_one == 1.0


def test_coach_agreement_overall_pools_every_coached_item(tmp_path):
    """Two coached written items (the empathy bank with its written item repeated): each item's
    pairs, and the overall ("all") row pooling them, in the CSVs and the printed table."""
    from sklearn.metrics import cohen_kappa_score

    from partnership.grader.agreement import compare, table, write_outputs
    from partnership.grader.bank import parse_bank
    from partnership.grader.results import StudentResult
    data = yaml.safe_load((ROOT / "exercises" / "empathy.yml").read_text(encoding="utf-8"))
    w1 = next(i for i in data["items"] if i["id"] == "emp-w1")
    data["items"].append(dict(w1, id="emp-w2"))
    bank = parse_bank(data, "two-coached.yml")
    # (mark on emp-w1, coach's suggestion), (mark on emp-w2, coach's suggestion); marks of 4
    marks = {"a": ((4, 5), (3, 3)), "b": ((2, 3), (1, 3)), "c": ((0, 1), (4, 4)),
             "d": ((1, 2), (0, 4))}
    rows, said = [], {}
    for sid, ((m1, c1), (m2, c2)) in marks.items():
        said[f"{sid}1"], said[f"{sid}2"] = c1, c2
        rows.append(StudentResult(sid, submitted=True, scores={"emp-w1": m1, "emp-w2": m2},
                                  written={"emp-w1": f"{sid}1", "emp-w2": f"{sid}2"}))
    results = compare(bank, rows, coach=lambda text, client: said[text])
    assert [ag.item for ag in results] == ["emp-w1", "emp-w2", "all"]
    w1_pairs = [(m + 1, c) for (m, c), _ in marks.values()]
    w2_pairs = [(m + 1, c) for _, (m, c) in marks.values()]
    assert results[0].pairs == w1_pairs and results[1].pairs == w2_pairs
    assert results[2].pairs == w1_pairs + w2_pairs
    for ag in results:
        assert ag.kappa == pytest.approx(cohen_kappa_score(
            [a for a, _ in ag.pairs], [b for _, b in ag.pairs], weights="quadratic",
            labels=[1, 2, 3, 4, 5]))
    assert results[2].exact == 4 / 8 and results[2].within_one == 7 / 8
    write_outputs(results, tmp_path, "empathy")
    rows_csv = {r["item"]: r for r in csv.DictReader(open(tmp_path / "agreement.csv"))}
    assert rows_csv["all"]["n"] == "8" and rows_csv["all"]["exact"] == "0.500"
    cells = [r for r in csv.DictReader(open(tmp_path / "confusion.csv")) if r["item"] == "all"]
    assert sum(int(r[f"coach_{k}"]) for r in cells for k in range(1, 6)) == 8
    assert int(cells[0]["coach_4"]) == 1 and int(cells[4]["coach_4"]) == 1   # (1,4) and (5,4)
    text = table(results, "empathy")
    assert "all coached items: 8 answers; exact agreement 50%, within one 88%" in text


# ------------------------------------------------------------------ LMS files

def test_lms_export_canvas_moodle_and_per_question(course):
    out = course["tmp"] / "lms"
    r = _cli("lms-export", "--course", str(course["course"]), "--out", str(out), "--db-url",
             course["runner"].db_url)
    assert r.returncode == 0, r.stderr
    # Canvas: the header its importer requires. Source: Canvas's own importer,
    # instructure/canvas-lms lib/gradebook_importer.rb (row_has_student_headers?: the first
    # column contains "Student", the second "ID"; update_column_count: "SIS User ID" then
    # "SIS Login ID" after them; header?: the last student column is "Section"; process_pp: a
    # row starting "Points Possible"; parse_assignments: "Title (id)" matched by the id), and
    # Canvas's guide "How do I import grades in the Gradebook?" (community.canvaslms.com).
    canvas = list(csv.reader(open(out / "canvas-empathy.csv", encoding="utf-8")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                         "Empathy (graded) (48213)"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "14"]
    by = {row[3]: row for row in canvas[2:]}
    assert by["s03"] == ["Dubois, Chloé", "9003", "", "s03", "", "10.5"]
    assert by["s04"][5] == "7.2" and by["s08"][5] == "3.5" and by["s01"][5] == "12"
    assert by["s11"][5] == "0"                         # did not submit; the due date has passed
    assert len(by) == 11
    # Moodle: its CSV import maps any header; these are the names of Moodle's own test fixture
    # (moodle/moodle grade/tests/fixtures/grade_import.csv: "First name,Last name,Email
    # address,<item>") and grade export ("<item> (Real)", lang string gradeexportcolumntype
    # '{$a->name} ({$a->extra})'); Moodle Docs "Grade import" (docs.moodle.org/en/Grade_import).
    moodle = list(csv.reader(open(out / "moodle-empathy.csv", encoding="utf-8")))
    assert moodle[0] == ["First name", "Last name", "ID number", "Email address",
                         "Empathy (graded) (Real)"]
    mby = {row[3]: row for row in moodle[1:]}
    assert mby["kai.oneill@uni.example"] == ["Kai", "O'Neill", "9011", "kai.oneill@uni.example",
                                             "0"]
    assert mby["dmitri.ivanov@uni.example"][4] == "7.2"
    assert len(mby) == 11 and all(row[3] and row[4] for row in moodle[1:])
    # per question
    q = list(csv.DictReader(open(out / "questions-empathy.csv", encoding="utf-8")))
    s05 = next(row for row in q if row["student_id"] == "s05")
    assert {k: s05[k] for k in ("emp-g1", "emp-g2", "emp-g3", "emp-t1", "emp-t2", "emp-w1",
                                "raw_score", "late_penalty", "score", "max_score")} == {
        "emp-g1": "2", "emp-g2": "2.5", "emp-g3": "2", "emp-t1": "1", "emp-t2": "1",
        "emp-w1": "2", "raw_score": "10.5", "late_penalty": "0", "score": "10.5",
        "max_score": "14"}
    s11 = next(row for row in q if row["student_id"] == "s11")
    assert s11["status"] == "not submitted" and s11["emp-g1"] == ""
    assert "not in the LMS files" not in r.stdout


def test_lms_files_leave_out_scores_not_ready(course, tmp_path):
    """Canvas's and Moodle's importers read an empty cell as "no grade" and clear a grade they
    already hold, so a score that is not ready (written answers to mark; before the due date, no
    submission yet) is left out of the LMS files, and reported, instead of written blank."""
    from partnership.grader.lms import export_lms
    import shutil
    url = course["runner"].db_url
    copy = tmp_path / "gb.db"
    shutil.copy(url.removeprefix("sqlite:///"), copy)
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{copy}", "therapy-as-partnership") as gb:
        for nb in gb.find_submission("empathy", "s02").notebooks:
            for g in nb.grades:
                if g.name == "emp-w1-answer":
                    g.manual_score = None
        gb.db.commit()
    res = export_lms(course["course"], tmp_path / "lms", db_url=f"sqlite:///{copy}",
                     now=datetime(2026, 3, 1, tzinfo=timezone.utc))
    for lms in ("canvas", "moodle"):
        rows = list(csv.reader(open(tmp_path / "lms" / f"{lms}-empathy.csv", encoding="utf-8")))
        assert all(cell != "" for row in rows[1:] for cell in row[-1:]), lms   # no blank score
        assert len(rows) == (2 if lms == "canvas" else 1) + 9, lms
    by = {row[3]: row for row in csv.reader(open(tmp_path / "lms" / "canvas-empathy.csv"))}
    assert "s02" not in by and "s11" not in by and by["s01"][5] == "12"
    assert res.left_out == {"empathy": [("s02", "marking pending (1 answer)"),
                                        ("s11", "not submitted yet (due 2026-03-09 17:00 UTC)")]}
    q = {row["student_id"]: row for row in
         csv.DictReader(open(tmp_path / "lms" / "questions-empathy.csv", encoding="utf-8"))}
    assert q["s02"]["status"] == "marking pending (1 answer)" and q["s02"]["emp-w1"] == ""


def test_fixing_the_key_and_regrading(course, tmp_path):
    """The guide's last step: item analysis flagged emp-g1; the instructor corrects the key in
    the bank (D, as in exercises/empathy.yml), rebuilds and regrades. Marks given by hand stay,
    the scores change by the key alone, and the item is no longer flagged."""
    import shutil
    copy = tmp_path / "course"
    shutil.copytree(course["course"], copy)
    runner = Runner(copy)                                   # its own copy of the gradebook
    r = _cli("assignment", "build", str(ROOT / "exercises" / "empathy.yml"), "--course", str(copy))
    assert r.returncode == 0, r.stderr
    r = runner.run("autograde", "empathy", "--force")
    assert r.returncode == 0, r.stderr[-2000:]
    r = _cli("item-analysis", "empathy", "--course", str(copy), "--out", str(tmp_path / "a"),
             "--db-url", runner.db_url)
    assert r.returncode == 0, r.stderr
    assert "No item flagged as possibly miskeyed." in r.stdout
    items = {row["item"]: row for row in csv.DictReader(open(tmp_path / "a" / "items.csv"))}
    assert items["emp-g1"]["difficulty"] == "0.500"         # the five who chose D
    assert float(items["emp-g1"]["discrimination"]) > 0.5
    from nbgrader.api import Gradebook
    with Gradebook(runner.db_url, "therapy-as-partnership") as gb:
        for sid, (g1, *_rest) in CLASS.items():
            sub = gb.find_submission("empathy", sid)
            marks = {g.name: g.manual_score for nb in sub.notebooks for g in nb.grades
                     if g.name == "emp-w1-answer"}
            assert marks == {"emp-w1-answer": CLASS[sid][5]}, sid
            assert sub.score == RAW[sid] + (2 if g1 == 3 else -2 if g1 == 0 else 0), sid


def test_commands_report_a_missing_assignment(course):
    r = _cli("item-analysis", "nonesuch", "--course", str(course["course"]), "--db-url",
             course["runner"].db_url)
    assert r.returncode == 2 and "keys" in r.stderr and "nonesuch" in r.stderr


# ------------------------------------------------------------------ the instructor guide's walk-through

def _guide_section() -> str:
    text = (ROOT / "book" / "instructor-guide.md").read_text(encoding="utf-8")
    start = text.index("## Graded exercises with nbgrader")
    return text[start:text.index("\n## ", start + 10)]


def test_guide_walks_through_the_term_in_order():
    import re
    steps = re.findall(r"^### (\d+)\. (.+)$", _guide_section(), flags=re.M)
    assert [int(n) for n, _ in steps] == list(range(1, 11))
    words = ["setting up", "class list", "releasing", "collecting", "autograding",
             "marking", "feedback", "item analysis", "exporting", "regrading"]
    for (n, title), word in zip(steps, words):
        assert word in title.lower(), (n, title, word)
    assert "coach" in steps[5][1].lower()                   # marking, with the coach's suggestions


def test_every_command_in_the_guide_exists_with_those_arguments():
    """Each ``partnership`` and ``nbgrader`` command in the walk-through's shell blocks, parsed by
    the real command's own parser (partnership) or checked against the nbgrader app's flags and
    options, so a renamed command or option fails here before an instructor meets it."""
    import argparse
    import importlib
    import re
    import shlex

    from nbgrader.apps import NbGraderApp

    from partnership.cli import COMMANDS
    blocks = re.findall(r"```bash\n(.*?)```", _guide_section(), flags=re.S)
    seen = set()
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#\s.*$", "", line).strip().rstrip("&").strip()
            line = re.sub(r"<[^>]+>", "PLACEHOLDER", line)          # <student id>: one word
            words = shlex.split(line) if line else []
            if not words or words[0] not in ("partnership", "nbgrader"):
                continue
            name = words[1]
            seen.add(f"{words[0]} {name}")
            if words[0] == "partnership":
                assert name in COMMANDS, line
                parser = argparse.ArgumentParser(prog=f"partnership {name}", exit_on_error=False)
                importlib.import_module(COMMANDS[name][0]).register(parser)
                try:
                    parser.parse_args(words[2:])
                except (argparse.ArgumentError, SystemExit) as exc:
                    pytest.fail(f"the guide's {line!r} does not parse: {exc}")
                continue
            assert name in NbGraderApp.subcommands, line
            app = NbGraderApp.subcommands[name][0]
            for w in words[2:]:
                if w.startswith("--"):
                    opt = w[2:].split("=", 1)[0]
                    assert opt in app.flags or opt in app.aliases, (line, opt)
    assert {"partnership course", "partnership item-analysis", "partnership coach-agreement",
            "partnership lms-export", "nbgrader generate_assignment", "nbgrader release_assignment",
            "nbgrader autograde", "nbgrader generate_feedback", "nbgrader release_feedback",
            "nbgrader export"} <= seen, seen


# ------------------------------------------------------------------ an assignment with a conversation

# mi-conversation (exercises/mi-conversation.yml): conv-g1, a conversation with a simulated client
# marked by hand in its task cell conv-g1-mark (10 points; its check cell conv-g1-test is worth 0),
# and conv-w1, a written answer (4 points). Due 16 March 17:00 UK, 10% a day or part day late.
#
#     student  conv-g1  conv-w1  raw  submitted
#     c1       9        4        13   on time
#     c2       7        3        10   on time
#     c3       4        1        5    on time
#     c4       2        2        4    on time
#     c5       6        2        8    30 hours late: 2 days, 20% -> penalty 1.6, score 6.4
#     c6       (on the roster, did not submit)
#
# conv-g1 difficulty 28 / 50 = 0.560; conv-w1 12 / 20 = 0.600. With two items each one's rest is
# the other: means 5.6 and 2.4; Sxy = 9.8, Sxx = 29.2, Syy = 5.2; r = 9.8 / sqrt(151.84) = 0.795.
TALK_DUE = datetime(2026, 3, 16, 17, 0, tzinfo=timezone.utc)
TALK = {"c1": (9, 4, -60), "c2": (7, 3, -600), "c3": (4, 1, -5), "c4": (2, 2, -3000),
        "c5": (6, 2, 30 * 60)}
TALK_TURNS = ["It sounds like the pain has taken over a lot of your life.",
              "What would you like to be different?",
              "You're not sure the tablets are helping as much as they used to."]


@pytest.fixture(scope="module")
def talk(tmp_path_factory):
    from partnership.learner.conversation import get_client, replay
    tmp = tmp_path_factory.mktemp("talk")
    course = tmp / "course"
    bank_path = ROOT / "exercises" / "mi-conversation.yml"
    build_assignment(bank_path, course)
    (course / "course.yml").write_text(
        "timezone: Europe/London\nlate_penalty:\n  percent_per_day: 10\nassignments:\n"
        "  mi-conversation:\n    due: 2026-03-16 17:00\n", encoding="utf-8")
    (tmp / "roster.csv").write_text("id,first_name,last_name,email\n" + "".join(
        f"c{n},First{n},Last{n},c{n}@uni.example\n" for n in range(1, 7)), encoding="utf-8")
    runner = Runner(course)
    r = runner.run("generate_assignment", "mi-conversation")
    assert r.returncode == 0, r.stderr[-2000:]
    for args in (("course", "roster", str(tmp / "roster.csv")), ("course", "deadlines")):
        done = _cli(*args, "--course", str(course), "--db-url", runner.db_url)
        assert done.returncode == 0, done.stderr
    deadlines = done.stdout
    bank = load_bank(bank_path)
    item = bank.item("conv-g1")
    for sid, (_g, _w, late) in TALK.items():
        conv = replay(get_client(item.client_id), TALK_TURNS * 4, seed=item.seed)
        conv.finished = True
        write_submission(course, bank, sid, Answers(
            widgets={"conv-g1": dict(conv.to_record(), id=f"{sid}-conv-g1")},
            written={"conv-w1": "My second turn drew change talk; my fourth drew push-back."},
            submitted=TALK_DUE + timedelta(minutes=late)))
    r = runner.run("autograde", "mi-conversation")
    assert r.returncode == 0, r.stderr[-3000:]
    # before any marking: every command runs, and says what it is waiting for
    before = {"items": _cli("item-analysis", "mi-conversation", "--course", str(course), "--out",
                            str(tmp / "before"), "--db-url", runner.db_url),
              "lms": _cli("lms-export", "--course", str(course), "--out", str(tmp / "lms0"),
                          "--db-url", runner.db_url)}
    from nbgrader.api import Gradebook
    with Gradebook(runner.db_url, "therapy-as-partnership") as gb:
        for sid, (g, w, _late) in TALK.items():
            for nb in gb.find_submission("mi-conversation", sid).notebooks:
                for grade in nb.grades:
                    if grade.name == "conv-g1-mark":
                        grade.manual_score = g
                    elif grade.name == "conv-w1-answer":
                        grade.manual_score = w
        gb.db.commit()
    return {"course": course, "runner": runner, "tmp": tmp, "before": before,
            "deadlines": deadlines}


def test_conversation_course_yml_and_waiting_for_marks(talk):
    assert "mi-conversation" in talk["deadlines"] and "2026-03-16 17:00:00" in talk["deadlines"]
    items = talk["before"]["items"]
    assert items.returncode == 0, items.stderr
    assert "conv-g1        conversation     10          -         -  waiting for marks (0 of 5 " \
           "marked)" in items.stdout
    lms = talk["before"]["lms"]
    assert lms.returncode == 0, lms.stderr
    assert "  c1: marking pending (2 answers)" in lms.stdout
    canvas = list(csv.reader(open(talk["tmp"] / "lms0" / "canvas-mi-conversation.csv")))
    assert [row[3] for row in canvas[2:]] == ["c6"]           # only the 0 of the non-submitter


def test_conversation_item_analysis(talk):
    out = talk["tmp"] / "analysis"
    r = _cli("item-analysis", "mi-conversation", "--course", str(talk["course"]), "--out",
             str(out), "--db-url", talk["runner"].db_url)
    assert r.returncode == 0, r.stderr
    assert "5 graded submissions" in r.stdout and "No item flagged" in r.stdout
    items = {row["item"]: row for row in csv.DictReader(open(out / "items.csv"))}
    assert [(k, v["type"], v["points"], v["n"], v["difficulty"], v["discrimination"], v["flagged"])
            for k, v in items.items()] == [
        ("conv-g1", "conversation", "10", "5", "0.560", "0.795", "no"),
        ("conv-w1", "written", "4", "5", "0.600", "0.795", "no")]
    assert list(csv.reader(open(out / "options.csv")))[1:] == []      # no choice items
    assert (out / "items.png").read_bytes()[:4] == b"\x89PNG" and not (out / "options.png").exists()


def test_conversation_coach_agreement_says_why_nothing_is_compared(talk):
    r = _cli("coach-agreement", "mi-conversation", "--course", str(talk["course"]), "--out",
             str(talk["tmp"] / "agree"), "--db-url", talk["runner"].db_url)
    assert r.returncode == 0, r.stderr
    assert "no written item with coach: true, so there is nothing to compare" in r.stdout
    assert "Conversation items (conv-g1) are not compared" in r.stdout


def test_conversation_marks_in_the_exports(talk):
    runner, course = talk["runner"], talk["course"]
    out = talk["tmp"] / "lms"
    r = _cli("lms-export", "--course", str(course), "--out", str(out), "--db-url", runner.db_url)
    assert r.returncode == 0, r.stderr
    q = {row["student_id"]: row for row in
         csv.DictReader(open(out / "questions-mi-conversation.csv", encoding="utf-8"))}
    for sid, (g, w, _late) in TALK.items():       # the conversation's mark, not its 0-point check
        assert (q[sid]["conv-g1"], q[sid]["conv-w1"], q[sid]["raw_score"], q[sid]["status"]) == \
            (str(g), str(w), str(g + w), "graded"), sid
    assert (q["c5"]["late_penalty"], q["c5"]["score"]) == ("1.6", "6.4")
    assert q["c6"]["status"] == "not submitted" and q["c6"]["conv-g1"] == ""
    canvas = {row[3]: row[5] for row in csv.reader(open(out / "canvas-mi-conversation.csv"))}
    assert canvas == {"SIS Login ID": "Graded exercise: a motivational interviewing conversation",
                      "": "14", "c1": "13", "c2": "10", "c3": "5", "c4": "4", "c5": "6.4",
                      "c6": "0"}
    moodle = list(csv.reader(open(out / "moodle-mi-conversation.csv")))
    assert moodle[0][-1] == "Graded exercise: a motivational interviewing conversation (Real)"
    assert [row[3:] for row in moodle[1:]] == [["c1@uni.example", "13"], ["c2@uni.example", "10"],
                                               ["c3@uni.example", "5"], ["c4@uni.example", "4"],
                                               ["c5@uni.example", "6.4"], ["c6@uni.example", "0"]]
    grades = course / "grades.csv"
    r = runner.run("export", f"--to={grades}")
    assert r.returncode == 0, r.stderr[-2000:]
    rows = {row["student_id"]: row for row in csv.DictReader(open(grades, encoding="utf-8"))}
    assert (rows["c5"]["raw_score"], rows["c5"]["late_submission_penalty"], rows["c5"]["score"],
            rows["c5"]["status"], rows["c5"]["duedate"]) == \
        ("8.0", "1.6", "6.4", "graded", "2026-03-16 17:00:00")
    assert rows["c1"]["email"] == "c1@uni.example" and rows["c1"]["score"] == "13.0"
