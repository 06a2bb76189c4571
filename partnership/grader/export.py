"""``nbgrader export`` that keeps "not graded" apart from a score of 0.

nbgrader's CSV export writes 0.0 both for a blank submission and for one whose autograding failed
(an unreadable notebook): the grade cells of a failed submission simply have no score. This
export adds a ``status`` column and leaves ``score`` empty where there is no grade to give:

- ``graded``: every grade cell has a score;
- ``marking pending (N answers)``: autograded, but N written answers or conversations still
  need your mark (the score so far is given; it will rise when you mark them);
- ``not graded: autograding failed``: an autograded cell has no score (the notebook could not be
  read); the score is empty, not 0. Fix or replace the file and autograde again;
- ``not submitted``: no submission; score 0, as nbgrader counts it.

The late penalty is the course's policy (``course.yml``) applied to the final score
(:func:`partnership.grader.late.final_penalty`), so written answers marked after autograding are
penalised in the same proportion; names and emails come from the roster
(``partnership course roster``).
"""
from __future__ import annotations

import csv

from nbgrader.api import MissingEntry
from nbgrader.plugins import ExportPlugin

__all__ = ["GradesCsv", "submission_status", "COLUMNS"]

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
           "email", "raw_score", "late_submission_penalty", "score", "max_score", "status"]


def submission_status(submission) -> tuple[str, bool]:
    """(status, has a score) for a gradebook submission."""
    pending = failed = 0
    for nb in submission.notebooks:
        for g in nb.grades:
            if g.auto_score is None and g.manual_score is None:
                # task cells (a conversation's mark) have no cell type: marked by hand
                if getattr(g.cell, "cell_type", None) == "code":
                    failed += 1
                else:
                    pending += 1
    if failed:
        return "not graded: autograding failed", False
    if pending:
        return f"marking pending ({pending} answer{'s' if pending > 1 else ''})", True
    return "graded", True


class GradesCsv(ExportPlugin):
    """CSV export with a ``status`` column (see the module docstring)."""

    def export(self, gradebook) -> None:
        dest = self.to or "grades.csv"
        from nbgrader.coursedir import CourseDirectory
        from partnership.grader.late import final_penalty
        root = CourseDirectory(config=self.config).root
        students = [str(s) for s in self.student]
        assignments = [str(a) for a in self.assignment]
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS)
            w.writeheader()
            for asg in gradebook.assignments:
                if assignments and asg.name not in assignments:
                    continue
                for st in gradebook.students:
                    if students and st.id not in students:
                        continue
                    row = {"assignment": asg.name, "duedate": asg.duedate or "",
                           "student_id": st.id, "last_name": st.last_name or "",
                           "first_name": st.first_name or "", "email": st.email or "",
                           "max_score": asg.max_score}
                    try:
                        sub = gradebook.find_submission(asg.name, st.id)
                    except MissingEntry:
                        row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0,
                                   score=0.0, status="not submitted")
                    else:
                        status, scored = submission_status(sub)
                        penalty = final_penalty(root, asg.name, sub, sub.score) if scored \
                            else 0.0
                        row.update(timestamp=sub.timestamp or "", status=status,
                                   late_submission_penalty=penalty,
                                   raw_score=sub.score if scored else "",
                                   score=max(0.0, sub.score - penalty) if scored else "")
                    w.writerow(row)
        self.log.info("Exported grades to %s", dest)
