"""``partnership grade-demo``: the whole nbgrader round trip on simulated students, attacks included.

In a course folder (temporary unless ``out`` is given) it

1. builds each assignment from its bank (``partnership assignment build``: source notebook, released
   items, keys) and releases it with ``nbgrader generate_assignment``;
2. writes the simulated submissions (:data:`partnership.grader.simulate.STUDENTS`): honest ones
   (perfect, blank, partial, no answers file, a corrupt notebook, a cell that would loop) and
   attacks (locked cells rewritten, expression display turned off, the scoring functions replaced,
   keys printed, cells added, points inflated and a cell deleted, a forged answers file);
3. autogrades each assignment in one ``nbgrader autograde`` run (the grader scores the answers;
   no student code runs), plays the instructor marking the written answers, generates feedback,
   and exports ``grades.csv`` (with a status column: "not graded" is not 0);
4. returns, for each student, the score, what their answers deserve, and every problem the grader
   recorded, and checks that no feedback file holds any grader material.

The banks are an instructor's files, not part of the installed package: ``banks`` is a folder of
``*.yml`` banks (default ``exercises/`` under the current folder: run it from a checkout of the
course repository, or pass ``--banks``).
"""
from __future__ import annotations

import csv
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from partnership.grader.autograde import read_report, report_path
from partnership.grader.bank import load_bank
from partnership.grader.build import build_assignment
from partnership.grader.simulate import STUDENTS, Runner, deserved, make_submission

__all__ = ["run_demo", "table", "DemoResult", "Outcome", "default_banks"]

MARKER = ".partnership-grade-demo"


def default_banks() -> Path:
    return Path.cwd() / "exercises"


@dataclass
class Outcome:
    student: str
    assignment: str
    submitted: bool = True
    status: str = ""
    score: float | None = None
    max_score: float = 0.0
    auto_score: float = 0.0
    auto_max: float = 0.0
    deserved: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def graded(self) -> bool:
        return self.status.startswith(("graded", "marking"))


@dataclass
class DemoResult:
    course: Path
    grades_csv: Path | None
    outcomes: dict[tuple[str, str], Outcome]
    problems: list[str]                   # course-level problems (release, feedback, leaks...)
    seconds: dict[str, float]             # autograde seconds per assignment (whole batch)

    def score(self, student: str, assignment: str) -> float | None:
        return self.outcomes[(student, assignment)].score


def _last_error(text: str) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    errs = [ln for ln in lines if "ERROR" in ln or "Error" in ln or "KILLED" in ln]
    return (errs or lines or ["no output"])[-1][:240]


def _fresh(out) -> Path:
    if out is None:
        return Path(tempfile.mkdtemp(prefix="partnership-grade-demo-"))
    course = Path(out).resolve()
    if course.exists() and any(course.iterdir()) and not (course / MARKER).exists():
        raise FileExistsError(f"{course} is not empty and was not made by grade-demo; choose a "
                              f"new or empty folder")
    if course.exists():
        shutil.rmtree(course)
    course.mkdir(parents=True)
    return course


def run_demo(out: Path | str | None = None, *, banks: Path | str | None = None,
             assignments: list[str] | None = None, students: list[str] | None = None,
             db_url: str | None = None, environ: dict | None = None,
             log=print) -> DemoResult:
    """Run the whole round trip (see the module docstring); ``log`` receives progress lines.
    The gradebook: ``db_url``, or ``PARTNERSHIP_DB_URL`` in ``environ`` read by the course
    configuration, or SQLite in the course folder."""
    folder = Path(banks) if banks else default_banks()
    files = sorted(folder.glob("*.yml")) if folder.is_dir() else []
    if not files:
        raise FileNotFoundError(f"no graded banks (*.yml) in {folder}; run grade-demo from a "
                                f"checkout of the course repository or pass --banks DIR")
    pairs = {f: load_bank(f) for f in files}
    loaded = list(pairs.values())
    if assignments:
        unknown = sorted(set(assignments) - {b.assignment for b in loaded})
        if unknown:
            raise ValueError(f"no bank for assignment(s) {', '.join(unknown)} in {folder} "
                             f"(there are: {', '.join(b.assignment for b in loaded)})")
        loaded = [b for b in loaded if b.assignment in assignments]
    if students:
        unknown = sorted(set(students) - set(STUDENTS))
        if unknown:
            raise ValueError(f"no simulated student(s) {', '.join(unknown)}")
    who = [STUDENTS[s] for s in (students or STUDENTS)]
    course = _fresh(out)
    (course / MARKER).write_text("made by partnership grade-demo; safe to delete\n")
    runner = Runner(course, db_url, environ)
    problems: list[str] = []
    outcomes: dict[tuple[str, str], Outcome] = {}
    seconds: dict[str, float] = {}
    banks_by = {b.assignment: b for b in loaded}
    for f, bank in pairs.items():
        if bank.assignment in banks_by:
            build_assignment(f, course)

    # 1. release
    released = []
    for a in banks_by:
        r = runner.run("generate_assignment", a, "--force")
        ok = r.returncode == 0 and (course / "release" / a).is_dir()
        log(f"release {a} ... {'ok' if ok else 'FAILED'}")
        if ok:
            released.append(a)
        else:
            problems.append(f"release of {a} failed: {_last_error(r.stderr + r.stdout)}")

    # 2. submissions
    for a in released:
        bank = banks_by[a]
        for s in who:
            o = Outcome(s.id, a, max_score=bank.total)
            outcomes[(s.id, a)] = o
            if s.assignments is not None and a not in s.assignments:
                o.submitted, o.status = False, "not submitted"
                continue
            make_submission(course, s, bank)
            o.deserved = deserved(s, bank)
    log(f"simulated {sum(o.submitted for o in outcomes.values())} submissions from "
        f"{len(who)} students")

    # 3. autograde: one batch per assignment carries on past a bad submission
    for a in released:
        t0 = time.perf_counter()
        r = runner.run("autograde", a, "--force")
        seconds[a] = time.perf_counter() - t0
        log(f"autograde {a}: {seconds[a]:.1f} s")
        text = r.stderr + r.stdout
        for (s, aa), o in outcomes.items():
            if aa != a or not o.submitted:
                continue
            rep = read_report(report_path(course, a, s))
            if rep is not None:
                o.problems += rep["problems"]
                continue
            try:
                json.loads((course / "submitted" / s / a / f"{a}.ipynb").read_text("utf-8"))
                why = f"autograding failed ({_last_error(text)})"
            except (OSError, ValueError):
                why = "its notebook is not valid JSON (cut short or edited outside Jupyter?)"
            o.problems.append(f"{why}; not graded")

    _manual_marks(runner.db_url, outcomes)

    # 4. feedback and export
    for a in released:
        r = runner.run("generate_feedback", a, "--force")
        if r.returncode != 0:
            problems.append(f"feedback for {a}: {_last_error(r.stderr + r.stdout)}")
    grades = course / "grades.csv"
    r = runner.run("export", f"--to={grades}")
    if r.returncode != 0 or not grades.exists():
        problems.append(f"export failed: {_last_error(r.stderr + r.stdout)}")
        grades = None
    else:
        _read_export(grades, outcomes)
    _read_auto(runner.db_url, outcomes)
    from partnership.grader.leaks import scan
    leaks = scan([course / "feedback"], loaded)
    for bank in loaded:
        leaks += scan([course / "release" / bank.assignment], [bank], short=True)
    for where, what in leaks:
        problems.append(f"grader material in a student's file: {what} in {where}")
    return DemoResult(course, grades, outcomes, problems, seconds)


def _gradebook(db_url: str):
    import os
    from nbgrader.api import Gradebook
    return Gradebook(db_url, os.environ.get("PARTNERSHIP_COURSE_ID", "therapy-as-partnership"))


def _grades(gb, outcomes):
    """(outcome, grade) for every grade of every submission in the gradebook."""
    from nbgrader.api import MissingEntry
    for (s, a), o in outcomes.items():
        try:
            sub = gb.find_submission(a, s)
        except MissingEntry:
            continue
        for nb in sub.notebooks:
            for g in nb.grades:
                yield o, g


def _manual_marks(db_url: str, outcomes) -> None:
    """Play the instructor in formgrader: mark every written answer that needs marking, with the
    student's fixed share of its points (a stand-in, not a judgement)."""
    with _gradebook(db_url) as gb:
        for o, g in _grades(gb, outcomes):
            share = STUDENTS[o.student].manual_share
            if share is not None and g.needs_manual_grade and g.cell.cell_type == "markdown":
                g.manual_score = round(share * g.max_score, 2)
        gb.db.commit()


def _read_export(grades: Path, outcomes) -> None:
    with open(grades, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            o = outcomes.get((row["student_id"], row["assignment"]))
            if o is None:
                continue
            o.status = row["status"]
            o.score = float(row["score"]) if row["score"] != "" else None


def _read_auto(db_url: str, outcomes) -> None:
    with _gradebook(db_url) as gb:
        for o, g in _grades(gb, outcomes):
            if g.cell.cell_type == "code":
                o.auto_score += g.score or 0.0
                o.auto_max += g.max_score


def table(result: DemoResult) -> str:
    """The report: one row per student and assignment, then every problem with its reason."""
    rows = [("student", "assignment", "score", "of", "autograded", "deserved", "status")]
    for (s, a), o in sorted(result.outcomes.items()):
        if not o.submitted:
            rows.append((s, a, "0", f"{o.max_score:g}", "-", "-", "not submitted"))
            continue
        rows.append((s, a, "-" if o.score is None else f"{o.score:g}", f"{o.max_score:g}",
                     f"{o.auto_score:g}/{o.auto_max:g}" if o.graded else "-",
                     f"{o.deserved:g}", o.status or "?"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i in (0, 1, 6) else c.rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += ["", "What each simulated student did:"]
    lines += [f"  {s.id}: {s.story}" for s in STUDENTS.values()
              if any(k[0] == s.id for k in result.outcomes)]
    probs = [(s, a, p) for (s, a), o in sorted(result.outcomes.items()) for p in o.problems]
    if probs or result.problems:
        lines += ["", "Problems found by the grader:"]
        lines += [f"  course: {p}" for p in result.problems]
        lines += [f"  {s}/{a}: {p}" for s, a, p in probs]
    lines += ["", "'deserved' is what the student's answers are worth on the autograded items, "
              "computed from the answers and keys alone; 'autograded' is what grading gave. "
              "Written answers were marked by a stand-in grader (a fixed share per student; forged's "
              "is left unmarked)."]
    return "\n".join(lines)
