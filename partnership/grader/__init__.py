"""What runs for the grader: graded items with their keys, the scorers, nbgrader's
preprocessors, the feedback filter and the grading demo; and a term's tools: course settings and
roster (course.py), late penalties (late.py), results per item (results.py), item analysis,
coach-grader agreement, LMS files, and simulated classes (cohort.py).

Nothing here is imported by the learner's code (:mod:`partnership.learner`).
"""
