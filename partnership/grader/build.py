"""``partnership assignment build``: an nbgrader source assignment from an instructor's bank.

From ``BANK.yml`` (:mod:`partnership.grader.bank`) it writes, in a course folder::

    source/<assignment>/<assignment>.ipynb   the notebook (cells below)
    source/<assignment>/items.yml            the items' texts, no key (released to students)
    keys/<assignment>.yml                    the bank as read, keys included (read by the grader)
    nbgrader_config.py                       the course configuration, if the folder has none

The notebook has no hidden tests and nothing to execute at grading time: each widget item is a
locked ``<item>-show`` cell and a locked grade cell ``<item>-test`` that only checks the answer
is saved; a typed item adds the answer cell ``<item>-answer`` (``answer_<item> = "..."``, solution
region: the first accepted answer); a written item is ``<item>-show`` and a Markdown answer cell
``<item>-answer`` graded by hand (solution: the model answer). A conversation item is
``<item>-show`` (the conversation widget), a locked ``<item>-test`` check worth 0 points (so that
Validate names a missing conversation) and a Markdown task cell ``<item>-mark`` holding its
points, marked by hand. The grader scores the grade cells from the submission
(:mod:`partnership.grader.autograde`).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from partnership.grader.bank import GradedBank, WIDGET_TYPES, load_bank, released
from partnership.grader.scorers import fmt

__all__ = ["build_assignment", "notebook_for", "CONFIG_TEMPLATE"]

#: the course configuration file's text (also in the repository as autograder/nbgrader_config.py)
CONFIG_TEMPLATE = '''\
# nbgrader configuration for a "Therapy as Partnership" course folder (nbgrader 0.9).
#
# Keep this file in the course folder (the folder holding source/, keys/, release/, submitted/,
# autograded/, feedback/) and run nbgrader, or start JupyterLab for formgrader, from that folder.
# If you merge it into ~/.jupyter/nbgrader_config.py instead, also set the course folder there:
#     c.CourseDirectory.root = "/path/to/course"
# Environment variables, no editing needed:
#   PARTNERSHIP_DB_URL      gradebook database (default: gradebook.db here), for PostgreSQL e.g.
#                           postgresql+psycopg://grader:secret@db.example.org/tap_gradebook
#   PARTNERSHIP_COURSE_ID   course id for the JupyterHub exchange (default therapy-as-partnership)
#   PARTNERSHIP_COURSE_ROOT the course folder, when nbgrader is started elsewhere
# What configure() sets, and why: partnership/grader/config.py. Your own settings go below it.
c = get_config()  # noqa: F821 (provided by nbgrader)

from partnership.grader.config import configure  # noqa: E402

configure(c)
'''

_INTRO = """# {title}

This is a **graded** exercise. Work through it from top to bottom, then submit it.

**How to answer**

- **Widget items** (choose an option, rank responses, sort statements): choose your answer in the
  widget. It is saved at once in `my.partnership-answers.json` in this folder. The widget never says
  whether an answer is right; you can change it as often as you like until you submit.
- **Typed answers**: type your answer between the quotes in the cell under the question and run that
  cell (Shift+Enter). Only what is between the quotes is marked.
- **Written answers**: double-click the cell that says YOUR ANSWER HERE, replace that text with your
  answer, and run the cell to display it. Your instructor marks these by hand.

**Before you submit**, run every cell (in JupyterLab: *Run > Run All Cells*). The check cell under
each item tells you whether your answer is there, without saying whether it is right; the last cell
lists anything still missing, and nbgrader's *Validate* button lists it too. Submit the whole folder:
the notebook **and** `my.partnership-answers.json` (without that file your widget answers cannot be
marked).
{read_first}
This exercise is practice in skills, not an assessment of anyone's own feelings or mental health;
the clients are fictional.
"""

_OUTRO = """## Before you submit

Run the cell below: it lists the widget items that still need an answer. Then check that every typed
answer and written answer is filled in, save the notebook, and submit the whole folder (including
`my.partnership-answers.json`)."""


def _meta(grade_id: str, *, grade=False, solution=False, locked=True, points=None,
          task=False) -> dict:
    m = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
         "solution": solution, "task": task}
    if points is not None:
        m["points"] = float(points)
    return {"nbgrader": m}


def _code(grade_id: str, source: str, **kw) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": grade_id,
            "metadata": _meta(grade_id, **kw), "outputs": [], "source": source}


def _md(grade_id: str, source: str, **kw) -> dict:
    return {"cell_type": "markdown", "id": grade_id, "metadata": _meta(grade_id, **kw),
            "source": source}


def _item_cells(it) -> list[dict]:
    from partnership.grader.answers import variable
    show = _code(f"{it.id}-show", f'show("items.yml", "{it.id}")')
    pts = fmt(it.points)
    if it.type == "conversation":
        return [_code(f"{it.id}-show", f'converse("items.yml", "{it.id}")'),
                _code(f"{it.id}-test",
                      "# Checks that your conversation is saved and long enough (not how good "
                      "it is); marked by your instructor.\n"
                      f'check("items.yml", "{it.id}")', grade=True, points=0),
                _md(f"{it.id}-mark",
                    f"**Marked by your instructor: {pts} point{'s' if it.points != 1 else ''}.** "
                    f"Your instructor reads the conversation you held above (it is saved in "
                    f"`my.partnership-answers.json`) after you submit. Nothing to do in this "
                    f"cell.", points=it.points, task=True)]
    if it.type in WIDGET_TYPES:
        return [show, _code(f"{it.id}-test",
                            "# Checks that your answer is saved (not whether it is right); "
                            f"{pts} point{'s' if it.points != 1 else ''}.\n"
                            f'check("items.yml", "{it.id}")', grade=True, points=it.points)]
    if it.type == "typed":
        solution = it.accept[0] if it.accept else fmt(it.number.value)
        answer = _code(f"{it.id}-answer",
                       f"{variable(it.id)} = (\n    ### BEGIN SOLUTION\n    {solution!r}\n"
                       f"    ### END SOLUTION\n)", solution=True, locked=False)
        number = ", number=True" if it.number is not None else ""
        test = _code(f"{it.id}-test",
                     "# Checks that your answer is there (not whether it is right); "
                     f"{pts} point{'s' if it.points != 1 else ''}.\n"
                     f'check_typed("{it.id}", {variable(it.id)}{number})',
                     grade=True, points=it.points)
        return [show, answer, test]
    return [show, _md(f"{it.id}-answer", it.model_answer.strip(), grade=True, solution=True,
                      locked=False, points=it.points)]


def notebook_for(bank: GradedBank) -> dict:
    """The source notebook (nbformat 4 dict) for ``bank``."""
    read_first = ""
    if bank.chapter:
        read_first = f"\nRead first: the book chapter `{bank.chapter}`.\n"
    talk = ("\n**Conversations**: hold the conversation with the simulated client in its widget "
            "(write, press Send, read the reply). Each turn is saved at once in "
            "`my.partnership-answers.json`; your instructor reads the whole conversation and "
            "marks it by hand. The widget shows no codes or scores.\n"
            if any(i.type == "conversation" for i in bank.items) else "")
    cells = [_md("intro", _INTRO.format(title=bank.title, read_first=read_first) + talk
                 + (f"\n{bank.intro.strip()}\n" if bank.intro else "")),
             _code("setup", "from partnership.learner.assignment import check, check_typed, "
                            "progress, show"
                   + (", converse" if any(i.type == "conversation" for i in bank.items) else ""))]
    for it in bank.items:
        cells += _item_cells(it)
    cells += [_md("outro", _OUTRO), _code("progress", 'progress("items.yml")')]
    return {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}


def _dump_yaml(data) -> str:
    import yaml
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=96)


def build_assignment(bank_path: str | Path, course: str | Path) -> dict[str, Path]:
    """Build ``bank_path`` into the course folder ``course``; return the paths written. The
    source folder is replaced; other assignments and the course's own files are left alone."""
    bank = load_bank(bank_path)
    course = Path(course)
    src = course / "source" / bank.assignment
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    nb_path = src / f"{bank.assignment}.ipynb"
    nb_path.write_text(json.dumps(notebook_for(bank), indent=1, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    items = src / "items.yml"
    items.write_text(f"# {bank.title}: item texts only (no answer keys); released to students.\n"
                     f"# Built from the instructor's bank by `partnership assignment build`: "
                     f"edit the bank, not this file.\n" + _dump_yaml(released(bank)),
                     encoding="utf-8")
    keys = course / "keys" / f"{bank.assignment}.yml"
    keys.parent.mkdir(parents=True, exist_ok=True)
    keys.write_text(f"# Keys of {bank.assignment}, copied from {Path(bank_path).name} by "
                    f"`partnership assignment build`; read by the grader. Never release.\n"
                    + _dump_yaml(bank.model_dump(mode="json", exclude_none=True)),
                    encoding="utf-8")
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG_TEMPLATE, encoding="utf-8")
    return {"notebook": nb_path, "items": items, "keys": keys, "config": config}
