"""The course's nbgrader configuration, in one function: ``configure(get_config())``.

``autograder/nbgrader_config.py`` (copied into a course folder by ``partnership assignment build``
when the folder has none) calls it. What it sets, and why:

- the gradebook URL from ``PARTNERSHIP_DB_URL`` (default: nbgrader's SQLite file in the course
  folder). A plain ``postgresql://`` URL is given psycopg 3's dialect (``postgresql+psycopg://``),
  the driver this project pins; SQLAlchemy's default for that scheme is psycopg2, which it does not;
- autograding by the grader, not the student's kernel (:mod:`partnership.grader.autograde`):
  ``RestoreCells`` in place of ``OverwriteCells``, ``ScoreFromAnswers`` in place of ``Execute``;
- a learner answers file left in ``source/`` is neither released nor copied over a student's
  own at autograde;
- due dates and late penalties from the course's ``course.yml`` (:mod:`partnership.grader.late`);
- feedback without the grader's notes (:mod:`partnership.grader.feedback`);
- ``nbgrader export`` that keeps "not graded" apart from a score of 0
  (:mod:`partnership.grader.export`).

The course root is nbgrader's default, the folder nbgrader (or JupyterLab with formgrader) is
started from, unless ``PARTNERSHIP_COURSE_ROOT`` or ``--CourseDirectory.root`` says otherwise.
"""
from __future__ import annotations

import os
import warnings

__all__ = ["configure", "database_url", "ANSWERS"]

ANSWERS = "my.partnership-answers.json"


def database_url(url: str | None) -> str | None:
    """The SQLAlchemy URL for ``url``, with psycopg 3 as the PostgreSQL driver."""
    if url and url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def configure(c) -> None:
    """Apply the course's settings to an nbgrader config object ``c``."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput,
                                        DeduplicateIds, GetGrades, LimitOutput,
                                        OverwriteKernelspec, SaveAutoGrades)
    from nbgrader.converters import GenerateAssignment

    from partnership.grader.autograde import (EveryAssignment, KeepLearnerFilesOut,
                                              RestoreCells, ScoreFromAnswers)
    from partnership.grader.feedback import HideGraderNotes
    from partnership.grader.late import FinalLatePenalty, LatePenalties

    # nbgrader 0.9 with SQLAlchemy 2 warns "Object of type <Submitted...> not in session" on
    # every submission (harmless, upstream); such noise would hide the warnings that matter.
    warnings.filterwarnings("ignore", message=r".*not in session.*")

    c.CourseDirectory.course_id = os.environ.get("PARTNERSHIP_COURSE_ID",
                                                 "therapy-as-partnership")
    if os.environ.get("PARTNERSHIP_COURSE_ROOT"):
        c.CourseDirectory.root = os.path.abspath(os.environ["PARTNERSHIP_COURSE_ROOT"])
    if os.environ.get("PARTNERSHIP_DB_URL"):
        c.CourseDirectory.db_url = database_url(os.environ["PARTNERSHIP_DB_URL"])
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                                "*.corrupt-*"]

    # Released notebooks: what replaces a typed answer and a written answer.
    c.ClearSolutions.code_stub = {"python": '""  # type your answer between the quotes'}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

    c.GenerateAssignment.preprocessors = \
        GenerateAssignment.class_traits()["preprocessors"].default() + [KeepLearnerFilesOut]

    # Autograding: sanitize as nbgrader does (restoring locked and deleted cells, recording what
    # changed), then score from the answers with the keys. No kernel is started.
    c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                          RestoreCells, CheckCellMetadata]
    c.Autograde.autograde_preprocessors = [ScoreFromAnswers, ClearMetadataPreprocessor,
                                           LimitOutput, SaveAutoGrades, LatePenalties,
                                           CheckCellMetadata]
    c.RestoreCells.add_missing_cells = False        # RestoreCells puts back every deleted cell
    c.Autograde.exclude_overwriting = EveryAssignment([ANSWERS])

    c.GenerateFeedback.preprocessors = [FinalLatePenalty, GetGrades, HideGraderNotes,
                                        CSSHTMLHeaderPreprocessor]
    c.ExportApp.plugin_class = "partnership.grader.export.GradesCsv"
