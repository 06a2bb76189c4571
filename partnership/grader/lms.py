"""Grades for the institution's learning management system: ``partnership lms-export``.

Three kinds of file, from the gradebook (after the late penalty, :mod:`partnership.grader.late`):

``questions-<assignment>.csv``
    one row per student, one column per item (its points), then the raw score, the late penalty,
    the score and the maximum, and nbgrader's status. For the instructor's own records, or an LMS
    that takes per-question marks.

``canvas.csv``
    Canvas's Gradebook import format, as Canvas's importer reads it (``lib/gradebook_importer.rb``
    in the canvas-lms repository; the instructor guide "How do I import grades in the
    Gradebook?"): the header row ``Student, ID, SIS User ID, SIS Login ID, Section`` then one
    column per assignment, named ``Title (canvas id)`` where course.yml gives ``canvas_id`` (an
    exact match) or ``Title`` (Canvas matches an existing assignment by its title, or offers to
    create one); a second row ``Points Possible``; then one row per student: ``Last, First``, the
    roster's ``lms_user_id`` (Canvas's user id) if given, an empty SIS User ID, the student's id as
    SIS Login ID (their institutional login, as on the JupyterHub), an empty Section. Canvas
    finds each student by ID, else by SIS Login ID, else by name.

``moodle.csv``
    Moodle's grade import (CSV) takes the layout of its own grade export: ``First name, Last name,
    ID number, Email address`` and one column per assignment named ``Title (Real)``. On import,
    map "Email address" to ``useremail`` (or "ID number" to ``useridnumber`` when the roster gives
    ``lms_user_id``, Moodle's ID number), and each grade column to its grade item.

A blank score means "leave the LMS as it is": the submission could not be graded, or written
answers still await marks. A student who did not submit gets 0 once the due date has passed (or
when there is none), and a blank before it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["CANVAS_COLUMNS", "MOODLE_COLUMNS", "export_lms", "AssignmentGrades"]

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["First name", "Last name", "ID number", "Email address"]


def _num(x) -> str:
    if x is None or x == "":
        return ""
    x = round(float(x), 2)
    return f"{x:g}" if x.is_integer() else f"{x:.2f}".rstrip("0")


@dataclass
class AssignmentGrades:
    name: str
    title: str
    canvas_id: int | None
    max_score: float
    due: datetime | None
    bank: object
    rows: list

    def lms_score(self, r, now: datetime) -> str:
        if not r.submitted:
            overdue = self.due is None or self.due <= now
            return "0" if overdue else ""
        if r.score is None or not r.status.startswith("graded"):
            return ""
        return _num(r.score)


def _assignments(root, names, db_url):
    from partnership.grader.course import load_course
    from partnership.grader.results import collect
    settings = load_course(root)
    out = []
    for name in names:
        bank, rows = collect(root, name, db_url, texts=False)
        s = settings.settings(name)
        out.append(AssignmentGrades(name, s.title or bank.title, s.canvas_id, bank.total,
                                    settings.due_utc(name), bank, rows))
    return out


def _write(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def export_lms(root, out, assignments: list[str] | None = None, db_url: str | None = None,
               now: datetime | None = None) -> list[Path]:
    """Write the three kinds of file for ``assignments`` (default: every assignment with keys in
    the course) into ``out``; return their paths."""
    root, out = Path(root), Path(out)
    if not assignments:
        assignments = sorted(p.stem for p in (root / "keys").glob("*.yml"))
    if not assignments:
        raise ValueError(f"no assignments in {root / 'keys'}: nothing to export")
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None)
    grades = _assignments(root, assignments, db_url)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for g in grades:
        items = [it.id for it in g.bank.items]
        rows = []
        for r in g.rows:
            rows.append([r.student, r.last_name, r.first_name, r.email, r.status]
                        + [_num(r.scores.get(i)) for i in items]
                        + [_num(r.raw_score), _num(r.penalty) if r.submitted else "",
                           _num(r.score), _num(g.max_score)])
        paths.append(_write(out / f"questions-{g.name}.csv",
                            ["student_id", "last_name", "first_name", "email", "status"] + items
                            + ["raw_score", "late_penalty", "score", "max_score"], rows))
    students = {}
    for g in grades:
        for r in g.rows:
            students.setdefault(r.student, r)
    by = {(g.name, r.student): r for g in grades for r in g.rows}

    def title(g):
        return f"{g.title} ({g.canvas_id})" if g.canvas_id else g.title
    canvas = [["Points Possible", "", "", "", ""] + [_num(g.max_score) for g in grades]]
    moodle = []
    for sid in sorted(students):
        r = students[sid]
        scores = [g.lms_score(by[(g.name, sid)], now) if (g.name, sid) in by else ""
                  for g in grades]
        name = f"{r.last_name}, {r.first_name}" if r.last_name or r.first_name else sid
        canvas.append([name, r.lms_user_id or "", "", sid, ""] + scores)
        moodle.append([r.first_name, r.last_name, r.lms_user_id or "", r.email] + scores)
    paths.append(_write(out / "canvas.csv", CANVAS_COLUMNS + [title(g) for g in grades], canvas))
    paths.append(_write(out / "moodle.csv", MOODLE_COLUMNS + [f"{g.title} (Real)" for g in grades],
                        moodle))
    return paths
