"""What students see in nbgrader feedback: their answers, their score and the reason for each
item; never the grader's notes.

Feedback is rendered from the autograded notebook. Since the grader never runs the student's
notebook (:mod:`partnership.grader.autograde`), every output in it was written by the grader, and
each carries ``metadata.partnership.audience``. :class:`HideGraderNotes` keeps only the outputs
for the student: the rubric, the model answer and the reflection coach's suggestion (grader only)
are dropped, as is any output without that tag (an autograded notebook made some other way).
Only feedback is filtered: formgrader shows the grader everything.
"""
from __future__ import annotations

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List

from partnership.grader.notes import STUDENT

__all__ = ["HideGraderNotes"]


def for_student(out, grade_cell: bool) -> bool:
    if out.get("output_type") in ("stream", "execute_result"):
        return grade_cell and out.get("name", "stdout") == "stdout"   # reason line and score
    return out.get("metadata", {}).get("partnership", {}).get("audience") == STUDENT


class HideGraderNotes(NbGraderPreprocessor):
    """Feedback preprocessor: drop every output not meant for the student."""

    # nbconvert's HTML exporter configures this for every preprocessor; declaring it as a config
    # option (as nbgrader's GetGrades does) stops a "not recognized" warning on every feedback run
    display_data_priority = List(["text/html", "application/pdf", "text/latex", "image/svg+xml",
                                  "image/png", "image/jpeg", "text/plain"]).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            grade = utils.is_grade(cell)
            cell.outputs = [o for o in cell.get("outputs", []) if for_student(o, grade)]
        return cell, resources
