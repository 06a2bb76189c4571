# nbgrader configuration for the "Therapy as Partnership" graded exercises (nbgrader 0.9).
#
# Copy this file into your course folder (the folder that holds source/, release/, submitted/,
# autograded/ and feedback/) and run every nbgrader command from there; see the instructor
# guide, "Graded exercises with nbgrader". `partnership grade-demo --out DIR` builds such a folder.
#
# Settings you can change without editing this file (environment variables):
#   PARTNERSHIP_DB_URL       gradebook database, any SQLAlchemy URL, for example
#                            postgresql://grader:secret@db.example.org/tap_gradebook
#                            (default: SQLite file gradebook.db in the course folder)
#   PARTNERSHIP_COURSE_ID    course id used by the JupyterHub exchange (default below)
#   PARTNERSHIP_TIMEOUT      seconds a single cell may run while autograding (default 30)
# Anything set here can also be overridden in the usual nbgrader ways: a later config file
# (e.g. ~/.jupyter/nbgrader_config.py) or the command line (--CourseDirectory.db_url=...).
import os

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = os.environ.get("PARTNERSHIP_COURSE_ID", "therapy-as-partnership")
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
if os.environ.get("PARTNERSHIP_DB_URL"):
    c.CourseDirectory.db_url = os.environ["PARTNERSHIP_DB_URL"]
# (otherwise nbgrader's default: sqlite:///<course folder>/gradebook.db)

# The assignments: one folder per assignment in source/ (empathy, mi-reflections, boundaries).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Typed answers: what replaces the solution in the released notebook's answer cells. The
# assignment is written  answer_x = (  ### BEGIN SOLUTION ... ### END SOLUTION  ), so the
# learner sees  answer_x = ( "" # ... ).
c.ClearSolutions.code_stub = {"python": '""  # type your answer between the quotes'}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding: a cell that runs longer than this is interrupted (it scores 0) and grading goes
# on with the next cell, so a submission that loops forever cannot stall the others.
c.Execute.timeout = int(os.environ.get("PARTNERSHIP_TIMEOUT", "30"))
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 60

# Missing grade cells (a learner deleted one) are put back and scored 0 rather than skipped.
c.OverwriteCells.add_missing_cells = True

# Feedback: nbgrader renders the autograded notebook, in which the hidden tests (our answer keys
# and rubrics) have been put back, so by default feedback would show them to the student. Here
# GetGrades adds the scores; HideTestDetails (partnership/grader/feedback.py) shortens a grading
# cell's error to "ErrorName: message" and drops every output line that quotes a hidden test
# (e.g. a rubric); ClearHiddenTests removes the ### BEGIN/END HIDDEN TESTS regions from the
# cells. Students see their answers, the points and the scorers' one-line reasons. Only
# feedback is filtered: formgrader still shows you the whole autograded notebook.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402

from partnership.grader.feedback import HideTestDetails  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, HideTestDetails, ClearHiddenTests,
                                    CSSHTMLHeaderPreprocessor]
