"""Due dates and late penalties at autograde time, from the course's ``course.yml``.

nbgrader compares each submission's time (``timestamp.txt``, written by the exchange or by
``partnership assignment add-submission``) with the assignment's due date in the gradebook, and
its ``AssignLatePenalties`` step asks a plugin for the penalty. Here (installed by
:mod:`partnership.grader.config`):

- :class:`LatePenalties` first writes the assignment's due date from course.yml into the
  gradebook, so changing the date (an extension for the whole class) and regrading is enough;
- :class:`CoursePolicy` is the plugin: it applies the assignment's policy from course.yml
  (:class:`partnership.grader.course.LatePolicy`, ``zero`` or ``none``).

nbgrader stores the penalty computed from the score at autograde time, before written answers are
marked. :class:`FinalLatePenalty` (first in ``generate_feedback``) stores it again from the final
score, so feedback and formgrader show the penalty the exports give; ``nbgrader export`` and
``partnership lms-export`` recompute it the same way with :func:`final_penalty`, so a late answer
marked afterwards is penalised in the same proportion whichever runs first.
"""
from __future__ import annotations

from nbgrader.api import Gradebook
from nbgrader.plugins import BasePlugin
from nbgrader.preprocessors import AssignLatePenalties, NbGraderPreprocessor
from traitlets import List, Type

from partnership.grader.course import CourseError, load_course, penalty_for

__all__ = ["LatePenalties", "CoursePolicy", "FinalLatePenalty", "final_penalty"]


def _root(config) -> str:
    from nbgrader.coursedir import CourseDirectory
    return CourseDirectory(config=config).root


class CoursePolicy(BasePlugin):
    """nbgrader's late-submission plugin, with the policy of course.yml."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        assignment = getattr(self.parent, "assignment_id", None)
        settings = load_course(_root(self.config))
        policy = settings.policy(assignment)
        penalty = penalty_for(policy, score or 0.0, total_seconds_late)
        self.log.info("%s/%s is %.0f s late: penalty %g (%s)", student_id, assignment,
                      total_seconds_late, penalty, policy if isinstance(policy, str)
                      else policy.describe())
        return penalty


class LatePenalties(AssignLatePenalties):
    """``AssignLatePenalties`` that first sets the due date from course.yml."""

    plugin_class = Type(CoursePolicy, klass=BasePlugin,
                        help="The plugin that gives each late notebook's penalty").tag(config=True)

    def preprocess(self, nb, resources):
        assignment = resources["nbgrader"]["assignment"]
        try:
            settings = load_course(_root(self.config))
        except CourseError as exc:
            raise ValueError(f"cannot apply late penalties: {exc}") from None
        if assignment in settings.assignments:
            due = settings.due_utc(assignment)
            with Gradebook(resources["nbgrader"]["db_url"]) as gb:
                a = gb.find_assignment(assignment)
                if a.duedate != due:
                    a.duedate = due
                    gb.db.commit()
        return super().preprocess(nb, resources)


def final_penalty(root, assignment: str, submission, raw_score: float) -> float:
    """The penalty for ``submission`` (a gradebook SubmittedAssignment) on its final score: the
    course's policy where course.yml has one, else what nbgrader stored."""
    try:
        settings = load_course(root)
    except CourseError:
        settings = None
    if settings is None or (settings.late_penalty == "none"
                            and assignment not in settings.assignments):
        return float(submission.late_submission_penalty or 0.0)
    return penalty_for(settings.policy(assignment), raw_score, submission.total_seconds_late)


class FinalLatePenalty(NbGraderPreprocessor):
    """For ``generate_feedback``, before nbgrader's ``GetGrades``: store the late penalty worked out
    from the final score (written answers marked), as the exports give it."""

    # nbconvert's HTML exporter configures this on every feedback preprocessor; declared (as in
    # nbgrader's GetGrades) so that feedback runs without a "not recognized" warning
    display_data_priority = List(["text/html", "application/pdf", "text/latex", "image/svg+xml",
                                  "image/png", "image/jpeg", "text/plain"]).tag(config=True)

    def preprocess(self, nb, resources):
        meta = resources["nbgrader"]
        root = _root(self.config)
        with Gradebook(meta["db_url"]) as gb:
            sub = gb.find_submission(meta["assignment"], meta["student"])
            notebook = gb.find_submission_notebook(meta["notebook"], meta["assignment"],
                                                   meta["student"])
            penalty = min(final_penalty(root, meta["assignment"], sub, notebook.score),
                          notebook.score)
            if (notebook.late_submission_penalty or 0.0) != penalty:
                notebook.late_submission_penalty = penalty or None
                gb.db.commit()
        return nb, resources
