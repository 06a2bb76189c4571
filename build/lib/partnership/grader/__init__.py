"""What runs for the grader: graded items with their keys, the scorers, nbgrader's
preprocessors, the feedback filter and the grading demo.

Nothing here is imported by the learner's code (:mod:`partnership.learner`).
"""
