"""What runs for a learner: the scenario banks and their schema, scoring, the answer store,
the practice labs, progress, and the student's view of a graded assignment.

Everything here runs in the learner's own Python (JupyterLab, or Pyodide in the book's page), so
it must stay light and must never hold an answer key of a graded assignment: keys live only with
the grader (:mod:`partnership.grader`).
"""
