"""Grades for the institution's learning management system: ``partnership lms-export``.

Three files per assignment, from the gradebook (after the late penalty,
:mod:`partnership.grader.late`):

``questions-<assignment>.csv``
    every student on the gradebook, one column per item (its points), then the raw score, the late
    penalty, the score and the maximum, and nbgrader's status. For the instructor's own records,
    or an LMS that takes per-question marks.

``canvas-<assignment>.csv``
    Canvas's Gradebook import format, as Canvas's importer reads it (``lib/gradebook_importer.rb``
    in the canvas-lms repository: the header must start ``Student``, ``ID``, may go on ``SIS User
    ID``, ``SIS Login ID``, and its last student column must be ``Section``; a row whose first cell
    is ``Points Possible`` gives the maxima; an assignment column ``Title (id)`` is matched by
    Canvas's assignment id, else by title; see also Canvas's guide "How do I import grades in the
    Gradebook?"): the header row ``Student, ID, SIS User ID, SIS Login ID, Section`` then the
    assignment's column, named ``Title (canvas id)`` where course.yml gives ``canvas_id`` (an exact
    match) or ``Title`` (Canvas matches an existing assignment by its title, or offers to create
    one); the ``Points Possible`` row; then one row per student with a score: ``Last, First``, the
    roster's ``lms_user_id`` (Canvas's user id) if given, an empty SIS User ID, the student's id as
    SIS Login ID (their institutional login, as on the JupyterHub), an empty Section. Canvas finds
    each student by ID, else by SIS Login ID, else by name.

``moodle-<assignment>.csv``
    Moodle's grade import (CSV) reads any header and lets the teacher map the columns; this uses the
    layout of Moodle's own fixture and grade export (``grade/tests/fixtures/grade_import.csv`` in
    the moodle repository: ``First name,Last name,Email address,<item>``; its export names a grade
    column ``<item> (Real)``, the string ``gradeexportcolumntype``): ``First name, Last name, ID
    number, Email address`` and the assignment's column ``Title (Real)``. On import, map "Email
    address" to ``useremail`` (or "ID number" to ``useridnumber`` when the roster gives
    ``lms_user_id``, Moodle's ID number), and the grade column to its grade item.

**Only scores that are ready are written.** Both importers read an empty cell as "no grade" and
*clear* a grade the LMS already holds (Canvas's importer treats a blank beside an existing score as
a change and posts it; Moodle's ``load_data.php`` turns ``''`` into a null final grade and commits
it), so a student whose score is not ready is left out of that assignment's LMS files, which
leaves the LMS as it is for them: written answers or conversations still to mark, a submission
that could not be graded, or no submission before the due date. A student who did not submit
gets 0 once the due date has passed (or when there is none). Moodle also needs an email (or ID
number) to find a student, and a row without one would be given to the previous row's student, so
students with neither are left out of the Moodle file. :func:`export_lms` returns who was left
out of which file, and why.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["CANVAS_COLUMNS", "MOODLE_COLUMNS", "export_lms", "AssignmentGrades", "LmsExport"]

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

    def lms_score(self, r, now: datetime) -> tuple[str | None, str]:
        """(the score to import, or None with the reason it is not ready)."""
        if not r.submitted:
            if self.due is None or self.due <= now:
                return "0", ""
            return None, f"not submitted yet (due {self.due:%Y-%m-%d %H:%M} UTC)"
        if r.score is None or not r.status.startswith("graded"):
            return None, r.status
        return _num(r.score), ""

    @property
    def canvas_title(self) -> str:
        return f"{self.title} ({self.canvas_id})" if self.canvas_id else self.title


@dataclass
class LmsExport:
    paths: list[Path] = field(default_factory=list)
    #: assignment -> [(student, why their score is not in the LMS files)]
    left_out: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: assignment -> students with a score but no email or ID number (not in the Moodle file)
    no_moodle_id: dict[str, list[str]] = field(default_factory=dict)


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
               now: datetime | None = None) -> LmsExport:
    """Write the three files for each of ``assignments`` (default: every assignment with keys in
    the course) into ``out``."""
    root, out = Path(root), Path(out)
    if not assignments:
        assignments = sorted(p.stem for p in (root / "keys").glob("*.yml"))
    if not assignments:
        raise ValueError(f"no assignments in {root / 'keys'}: nothing to export")
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None)
    grades = _assignments(root, assignments, db_url)
    out.mkdir(parents=True, exist_ok=True)
    res = LmsExport()
    for g in grades:
        items = [it.id for it in g.bank.items]
        rows = []
        for r in g.rows:
            rows.append([r.student, r.last_name, r.first_name, r.email, r.status]
                        + [_num(r.scores.get(i)) for i in items]
                        + [_num(r.raw_score), _num(r.penalty) if r.submitted else "",
                           _num(r.score), _num(g.max_score)])
        res.paths.append(_write(out / f"questions-{g.name}.csv",
                                ["student_id", "last_name", "first_name", "email", "status"]
                                + items + ["raw_score", "late_penalty", "score", "max_score"],
                                rows))
        canvas = [["Points Possible", "", "", "", "", _num(g.max_score)]]
        moodle = []
        left, unmatched = [], []
        for r in g.rows:
            score, why = g.lms_score(r, now)
            if score is None:
                left.append((r.student, why))
                continue
            name = f"{r.last_name}, {r.first_name}" if r.last_name or r.first_name else r.student
            canvas.append([name, r.lms_user_id or "", "", r.student, "", score])
            if r.email or r.lms_user_id:
                moodle.append([r.first_name, r.last_name, r.lms_user_id or "", r.email, score])
            else:
                unmatched.append(r.student)
        res.paths.append(_write(out / f"canvas-{g.name}.csv", CANVAS_COLUMNS + [g.canvas_title],
                                canvas))
        res.paths.append(_write(out / f"moodle-{g.name}.csv",
                                MOODLE_COLUMNS + [f"{g.title} (Real)"], moodle))
        if left:
            res.left_out[g.name] = left
        if unmatched:
            res.no_moodle_id[g.name] = unmatched
    return res
