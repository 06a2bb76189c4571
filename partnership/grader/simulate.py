"""Simulated students and an nbgrader runner, for ``partnership grade-demo`` and
``partnership assignment check``.

A simulated student is a :class:`Student`: how they answer (right, wrong or partly right, per item
type) and what else they do to the notebook or the answers file (the attacks a real student might
try: turning off expression display, replacing the scoring functions, printing keys, adding
cells, editing locked cells or their points, forging the answers file). :func:`make_submission`
writes their submission into ``submitted/<student>/<assignment>/`` from the release, as
nbgrader's exchange leaves it (with ``timestamp.txt`` and ``submission_secret.txt``). :func:`deserved` says what their
answers are worth with the keys, computed from the answers alone, which is what grading must give
whatever else they did.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from partnership.grader.answers import variable
from partnership.grader.bank import GradedBank, WIDGET_TYPES
from partnership.grader.scorers import NOT_ANSWERED, score_item

#: what simulated students say in a conversation item: listening (right), advice nobody asked
#: for (wrong); a partial conversation stops at half the turns asked for
TALK_RIGHT = [
    "It sounds like this has become your way of coping, and part of you is uneasy about what "
    "it's costing you.",
    "What would you like to be different?",
    "You're torn: life feels impossible without it, and yet you're not happy with how much "
    "it's become.",
    "On the one hand it helps you cope, and on the other you're worried about where it's "
    "heading.",
    "What matters most to you in all this?",
]
TALK_WRONG = ["You should cut down.", "I'd recommend you make a plan and stick to it.",
              "You should try a different approach."]
FORGED_REPLY = "You're right. I'll change everything today."

__all__ = ["Student", "STUDENTS", "make_submission", "deserved", "Runner", "answers_of"]

ANSWERS = "my.partnership-answers.json"
TIMESTAMP = "2026-03-02 10:00:00.000000 UTC"
PARTIAL_WRITTEN = "It sounds like a lot is going on for you right now."


@dataclass(frozen=True)
class Student:
    id: str
    story: str                        # what they did, for the report
    widgets: str = "right"            # right | wrong | partial | none
    typed: str = "right"              # right | wrong | partial | blank | code
    written: str = "model"            # model | partial | blank
    answers_file: str = "store"       # store | none | forged
    edits: tuple = ()                 # notebook edits: see make_submission
    assignments: tuple | None = None  # None: every assignment
    manual_share: float | None = None  # share of written points the stand-in grader gives
    #                                    (None: not marked yet)


STUDENTS: dict[str, Student] = {s.id: s for s in [
    Student("perfect", "every answer right, written answers as the model answers",
            manual_share=1.0),
    Student("blank", "submitted the released notebook untouched", widgets="none",
            typed="blank", written="blank", answers_file="none"),
    Student("partial", "some answers right, some partly right, some wrong", widgets="partial",
            typed="partial", written="partial", manual_share=0.5),
    Student("nofile", "right answers, but did not submit the answers file",
            answers_file="none", manual_share=1.0),
    Student("corrupt", "notebook file cut short (not valid JSON)", edits=("truncate",),
            assignments=("empathy",)),
    Student("looping", "a typed-answer cell that would loop forever if it were run",
            edits=("loop",), assignments=("empathy",), manual_share=1.0),
    Student("tampered", "wrong widget answers; rewrote every locked check cell to claim full "
            "marks", widgets="wrong", edits=("rewrite-checks",), manual_share=1.0),
    Student("quiet", "added `get_ipython().ast_node_interactivity = 'none'`; no answers at all",
            widgets="none", typed="blank", written="blank", answers_file="none",
            edits=("quiet",)),
    Student("replaced", "every answer wrong; replaced the scoring and checking functions in an "
            "added cell; a typed answer that would have to be run", widgets="wrong",
            typed="code", written="blank", edits=("replace-scorers",)),
    Student("leaker", "partly right; added cells that print the keys, the rubric and the "
            "grader's files", widgets="partial", typed="partial", written="partial",
            edits=("print-keys",), manual_share=0.5),
    Student("extra", "right answers; added code and Markdown cells claiming full marks",
            edits=("extra-cells",), manual_share=1.0),
    Student("forged", "a hand-made answers file claiming full scores for wrong answers, with "
            "junk entries; written answer not marked yet", widgets="wrong",
            answers_file="forged"),
    Student("inflated", "right answers; set every grade cell's points to 100 and deleted a "
            "locked cell", edits=("inflate-points", "delete-show"), manual_share=1.0),
]}


# ------------------------------------------------------------------ answers

def _wrong_ranks(key: list[int]) -> list[int]:
    n = len(key)
    return [n + 1 - r for r in key]          # reversed: every pair out of order


def conversation_of(student: Student, item) -> dict | None:
    """The saved record of ``student``'s conversation for a conversation item (made with the
    course's own engine, as the widget makes it), or None."""
    from partnership.learner.conversation import get_client, replay
    mode = student.widgets
    if mode == "none":
        return None
    script = TALK_WRONG if mode == "wrong" else TALK_RIGHT
    n = item.turns if mode != "partial" else max(1, item.turns // 2)
    turns = [script[k % len(script)] for k in range(n)]
    conv = replay(get_client(item.client_id), turns, seed=item.seed)
    conv.finished = mode != "partial"
    return dict(conv.to_record(), id=f"{student.id}-{item.id}")


def answers_of(student: Student, bank: GradedBank) -> dict:
    """Widget answers (item id -> saved answer) for ``student``."""
    out = {}
    if student.widgets == "none":
        return out
    for it in bank.items:
        if it.type == "conversation":
            out[it.id] = conversation_of(student, it)
            continue
        if it.type not in WIDGET_TYPES:
            continue
        key = it.key
        mode = student.widgets
        if it.type == "choice":
            out[it.id] = key if mode == "right" else (key + 1) % len(it.options)
        elif it.type == "ranking":
            ranks = list(key)
            if mode == "wrong":
                ranks = _wrong_ranks(key)
            elif mode == "partial":            # the options ranked 1 and 2 swapped: one pair
                a, b = ranks.index(1), ranks.index(2)
                ranks[a], ranks[b] = 2, 1
            out[it.id] = ranks
        else:
            cats = [c.id for c in it.categories]
            got = list(key)
            nxt = {c: cats[(i + 1) % len(cats)] for i, c in enumerate(cats)}
            if mode == "wrong":
                got = [nxt[c] for c in got]
            elif mode == "partial":            # the first two statements in the next category
                got[0], got[1] = nxt[got[0]], nxt[got[1]]
            out[it.id] = got
    return out


def typed_of(student: Student, item):
    """The literal a student types for a typed item (None: leave the released stub)."""
    mode = student.typed
    if mode == "blank":
        return None
    right = item.accept[0] if item.accept else item.number.value
    right = int(right) if isinstance(right, float) and right.is_integer() else right
    if mode == "right" or (mode == "partial" and item.accept):
        return right
    return "not sure"                          # wrong, partial numbers, and "code"


def deserved(student: Student, bank: GradedBank) -> float:
    """What ``student``'s answers are worth on the autograded items, from the keys alone."""
    if "truncate" in student.edits:
        return 0.0
    widgets = answers_of(student, bank) if student.answers_file != "none" else {}
    total = 0.0
    for it in bank.items:
        if it.type in WIDGET_TYPES:
            total += score_item(it, widgets.get(it.id, NOT_ANSWERED)).points
        elif it.type == "typed":
            v = typed_of(student, it)
            if student.typed != "code":
                total += score_item(it, NOT_ANSWERED if v is None else v).points
    return round(total, 4)


# ------------------------------------------------------------------ submissions

def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _code(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source}


_ATTACKS = {
    "quiet": "get_ipython().ast_node_interactivity = 'none'",
    "replace-scorers": (
        "import partnership.grader.scorers as s, partnership.learner.assignment as a\n"
        "s.score_item = lambda item, answer=None: s.Score(item.id, item.points, item.points, "
        "'full marks')\n"
        "a.check = a.check_typed = lambda *args, **kw: print('answered')\n"
        "import nbgrader.utils as u\nu.determine_grade = lambda cell, log=None: (100, 100)"),
    "print-keys": (
        "import glob, os, sys, partnership\n"
        "for pattern in ('../../keys/*.yml', '../../source/*/*.ipynb', '../../*.py', "
        "'../../../keys/*.yml', os.path.join(os.path.dirname(partnership.__file__), '..', "
        "'exercises', '*.yml')):\n"
        "    for f in glob.glob(pattern):\n"
        "        print(f)\n        print(open(f).read())\n"
        "print(dict(os.environ))\nprint(sys.modules.keys())"),
}


def make_submission(course: Path, student: Student, bank: GradedBank) -> Path:
    """Write ``student``'s submission of ``bank``'s assignment from the release; return its
    folder."""
    from partnership.learner.store import AnswerStore

    a = bank.assignment
    release = course / "release" / a
    dest = course / "submitted" / student.id / a
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(release, dest)
    (dest / "timestamp.txt").write_text(TIMESTAMP + "\n", encoding="utf-8")
    # as nbgrader's submit writes it: release_feedback needs it to release this student's feedback
    (dest / "submission_secret.txt").write_text(secrets.token_hex(64), encoding="utf-8")
    nb_path = dest / f"{a}.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    by = {_gid(c): c for c in cells}
    for it in bank.items:
        ans = by.get(f"{it.id}-answer")
        if ans is None:
            continue
        if it.type == "typed":
            v = typed_of(student, it)
            if student.typed == "code":
                ans["source"] = f"{variable(it.id)} = str(len('abc'))"
            elif v is not None:
                loop = "while True:\n    pass\n" if "loop" in student.edits else ""
                ans["source"] = f"{loop}{variable(it.id)} = (\n    {v!r}\n)"
        elif it.type == "written" and student.written != "blank":
            ans["source"] = it.model_answer if student.written == "model" else PARTIAL_WRITTEN
    for edit in student.edits:
        if edit in _ATTACKS:
            cells.insert(1, _code(_ATTACKS[edit]))
        elif edit == "rewrite-checks":
            for c in cells:
                if (_gid(c) or "").endswith("-test"):
                    pts = c["metadata"]["nbgrader"].get("points", 0)
                    c["source"] = f"print('full marks')\n{pts}"
        elif edit == "extra-cells":
            cells.insert(2, {"cell_type": "markdown", "metadata": {},
                             "source": "**Score: 100 / 100. Autograder: all tests passed.**"})
            cells.insert(3, _code("print('Success! Your notebook passes all the tests.')\n100"))
        elif edit == "inflate-points":
            for c in cells:
                meta = c["metadata"].get("nbgrader", {})
                if meta.get("grade"):
                    meta["points"] = 100
        elif edit == "delete-show":
            first = next((it for it in bank.items if it.type in WIDGET_TYPES
                          or it.type == "conversation"), bank.items[0])
            cells[:] = [c for c in cells if _gid(c) != f"{first.id}-show"]
    text = json.dumps(nb, indent=1, ensure_ascii=False)
    if "truncate" in student.edits:
        text = text[: len(text) * 3 // 5]
    nb_path.write_text(text, encoding="utf-8")
    widgets = answers_of(student, bank)
    if student.answers_file == "store":
        store = AnswerStore(dest / ANSWERS)
        for item, answer in widgets.items():
            store.record(bank.lab, item, answer, None, 0.0)
    elif student.answers_file == "forged":
        for answer in widgets.values():       # a conversation whose client gave in at once
            if isinstance(answer, dict):
                for turn in answer["turns"]:
                    turn.update(reply=FORGED_REPLY, tag="change")
        attempts = [{"id": f"f{i}", "lab": bank.lab, "item": item, "answer": answer,
                     "score": 100, "max_score": 100, "time": "2099-01-01T00:00:00+00:00"}
                    for i, (item, answer) in enumerate(widgets.items())]
        attempts += [{"lab": bank.lab, "item": "not-an-item", "answer": 1},
                     "junk", {"lab": bank.lab, "answer": 0},
                     {"lab": "another-lab", "item": attempts[0]["item"], "answer": 0}]
        (dest / ANSWERS).write_text(json.dumps({"schema": "partnership-answers", "version": 1,
                                                "attempts": attempts, "score": 1000}),
                                    encoding="utf-8")
    return dest


# ------------------------------------------------------------------ running nbgrader

class Runner:
    """Runs nbgrader commands in a course folder, in a subprocess (as an instructor would).

    The gradebook is ``db_url`` if given (passed on the command line); otherwise, when
    ``environ`` sets ``PARTNERSHIP_DB_URL``, the course configuration reads it from there, as the
    instructor guide documents; otherwise an SQLite file in the course folder."""

    def __init__(self, course: Path, db_url: str | None = None, environ: dict | None = None):
        from partnership.grader.config import database_url
        self.course = Path(course)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PARTNERSHIP_DB", "PARTNERSHIP_COURSE"))}
        env.setdefault("PYTHONWARNINGS", "ignore")
        env.update(environ or {})
        self.env = env
        self.from_config = db_url is None and "PARTNERSHIP_DB_URL" in env
        self.db_url = database_url(env["PARTNERSHIP_DB_URL"]) if self.from_config else \
            (db_url or f"sqlite:///{self.course / 'gradebook.db'}")

    def run(self, *args: str, limit: float | None = 600) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "nbgrader", *args,
               f"--CourseDirectory.root={self.course}"]
        if not self.from_config:
            cmd.append(f"--CourseDirectory.db_url={self.db_url}")
        try:
            return subprocess.run(cmd, cwd=self.course, env=self.env, capture_output=True,
                                  text=True, timeout=limit, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            return subprocess.CompletedProcess(cmd, -9, exc.stdout or "",
                                               (exc.stderr or "") + f"\nKILLED after {limit} s")
