"""nbgrader preprocessors: the grader scores submissions itself; the student's notebook never runs.

nbgrader's own autograding executes the student's notebook and reads each grade cell's output as
its score, so code a student adds can change that output (turn off expression display, replace the
scoring function, print the keys). Here autograding is done by the grader instead
(``autograder/nbgrader_config.py`` installs these, :mod:`partnership.grader.config`):

- sanitizing (:class:`RestoreCells`, in place of nbgrader's ``OverwriteCells``): locked cells a
  student changed are restored from the gradebook, cells a student deleted are put back from the
  release, and every added, changed or deleted cell is written to the submission's report;
- autograding (:class:`ScoreFromAnswers`, in place of nbgrader's ``Execute``): the answers are read
  from the *submitted* answers file and from the typed-answer cells (parsed, never executed,
  :mod:`partnership.grader.answers`) and scored with the instructor's keys in
  ``<course>/keys/<assignment>.yml`` (:mod:`partnership.grader.scorers`). Each grade cell gets an
  output written by the grader: the reason line and the score, which nbgrader's ``SaveAutoGrades``
  then stores as the cell's partial credit. Nothing runs in a kernel, so a submission costs a
  fraction of executing even an empty notebook;
- releasing (:class:`KeepLearnerFilesOut`, added to ``generate_assignment``): a learner's answers
  file left in ``source/`` (from trying the widgets) is never released.

Each submission's problems (missing or damaged answers file, unreadable typed answers, added,
changed or deleted cells) go to ``<course>/reports/<assignment>/<student>.json`` together with the
item scores; ``partnership assignment report`` prints them as a table.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from nbformat import from_dict
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
from traitlets import Unicode

from partnership.grader.answers import DEFAULT_FILENAME, read_answers, typed_answer
from partnership.grader.bank import BankError, WIDGET_TYPES, load_bank, released
from partnership.grader.notes import (GRADER, answer_html, conversation_notes,
                                      grader_notes_html, output)
from partnership.grader.scorers import NOT_ANSWERED, score_item

__all__ = ["RestoreCells", "ScoreFromAnswers", "KeepLearnerFilesOut", "EveryAssignment",
           "key_path", "report_path", "read_report", "TEXT_STUB"]

#: what nbgrader puts in a written answer's cell before the student writes (config's text_stub)
TEXT_STUB = "YOUR ANSWER HERE"


def _gid(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else str(s)


def _course(config) -> CourseDirectory:
    return CourseDirectory(config=config)


def key_path(root, assignment: str, keys_directory: str = "keys") -> Path:
    return Path(root) / keys_directory / f"{assignment}.yml"


def report_path(root, assignment: str, student: str, reports_directory: str = "reports") -> Path:
    return Path(root) / reports_directory / assignment / f"{student}.json"


def read_report(path) -> dict | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


_KEYS: dict = {}


def _keys(path: Path):
    """The keyed bank at ``path``, parsed once per autograde run (a class of hundreds reads the
    same file for every submission); a changed file (a key fixed mid-run) is read again."""
    try:
        st = path.stat()
    except OSError:
        return load_bank(path)               # raises BankError naming the file
    stamp = (str(path), st.st_mtime_ns, st.st_size)
    if stamp not in _KEYS:
        _KEYS.clear()
        _KEYS[stamp] = load_bank(path)
    return _KEYS[stamp]


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class EveryAssignment(dict):
    """``Autograde.exclude_overwriting`` for every assignment at once: nbgrader copies the source
    folder's files over each submission before grading, which would replace a student's answers
    file with one an instructor left in ``source/``."""

    def __init__(self, files):
        super().__init__()
        self.files = list(files)

    def get(self, key, default=None):
        return list(self.files)


class RestoreCells(OverwriteCells):
    """nbgrader's ``OverwriteCells`` (restore locked cells, points and types from the gradebook),
    plus: put back cells the student deleted, from the released notebook, and record every added,
    changed or deleted cell for the submission's report instead of only logging it."""

    reports_directory = Unicode("reports", help="Folder of the course where each "
                                               "submission's report is written").tag(config=True)

    def preprocess(self, nb, resources):
        self._problems: list[str] = []
        meta = resources["nbgrader"]
        # a report from an earlier run must not outlive a run that fails from here on
        report_path(_course(self.config).root, meta["assignment"], meta["student"],
                    self.reports_directory).unlink(missing_ok=True)
        release = self._release_cells(resources)
        known = {_gid(c) for c in release} if release else None
        if known is not None:
            for i, cell in enumerate(nb.cells, 1):
                if _gid(cell) not in known:
                    kind = "code" if cell.cell_type == "code" else "text"
                    self._problems.append(f"a {kind} cell (cell {i}) was added by the student; "
                                          f"it is shown to the grader but was never run")
            self._put_back(nb, release)
        nb, resources = super().preprocess(nb, resources)
        nb.metadata["partnership"] = {"sanitize": self._problems}
        return nb, resources

    def _release_cells(self, resources) -> list:
        meta = resources["nbgrader"]
        cd = _course(self.config)
        path = Path(cd.format_path(cd.release_directory, ".", meta["assignment"])) \
            / f"{meta['notebook']}.ipynb"
        try:
            import nbformat
            cells = nbformat.read(str(path), as_version=4).cells
        except Exception:
            self.log.warning("Release notebook %s not readable: deleted cells cannot be put back",
                             path)
            return []
        return [c for c in cells if _gid(c)]

    def _put_back(self, nb, release) -> None:
        present = {_gid(c) for c in nb.cells}
        for k, cell in enumerate(release):
            gid = _gid(cell)
            if gid in present:
                continue
            at = 0
            for prev in reversed(release[:k]):
                idx = next((i for i, c in enumerate(nb.cells) if _gid(c) == _gid(prev)), None)
                if idx is not None:
                    at = idx + 1
                    break
            restored = from_dict(json.loads(json.dumps(cell)))    # a copy
            if restored.cell_type == "code":
                restored.outputs, restored.execution_count = [], None
            nb.cells.insert(at, restored)
            present.add(gid)
            self._problems.append(f"cell {gid} had been deleted; the released cell was put back")

    def report_change(self, name, attr, old, new):
        what = {"checksum": "its contents", "points": "its points", "locked": "its lock",
                "cell_type": "its type"}.get(attr, attr)
        self._problems.append(f"cell {name}: {what} had been changed; the original was restored")
        super().report_change(name, attr, old, new)


class ScoreFromAnswers(NbGraderPreprocessor):
    """Score every grade cell from the submitted answers with the instructor's keys (see the
    module docstring). Replaces nbgrader's ``Execute``: no kernel, no student code."""

    keys_directory = Unicode("keys", help="Folder of the course holding each assignment's "
                                          "keyed bank, <assignment>.yml").tag(config=True)
    reports_directory = Unicode("reports", help="Folder of the course where each "
                                               "submission's report is written").tag(config=True)
    answers_filename = Unicode(DEFAULT_FILENAME, help="The learner's answers file").tag(
        config=True)

    def preprocess(self, nb, resources):
        from partnership.learner.assignment import parse_graded

        meta = resources["nbgrader"]
        assignment, student = meta["assignment"], meta["student"]
        cd = _course(self.config)
        keys = key_path(cd.root, assignment, self.keys_directory)
        try:
            bank = _keys(keys)
        except BankError as exc:
            raise ValueError(f"cannot grade {assignment}: {exc}. Build the assignment with "
                             f"`partnership assignment build BANK.yml --course "
                             f"{cd.root}`") from None
        items = {it.id: it for it in bank.items}
        shown = {it.id: it for it in parse_graded(released(bank), str(keys)).items}
        submitted = Path(cd.format_path(cd.submitted_directory, student, assignment))
        sub = read_answers(submitted / self.answers_filename, bank.lab)
        problems = list(nb.metadata.pop("partnership", {}).get("sanitize", []))
        problems += sub.problems
        by_gid = {_gid(c): c for c in nb.cells if _gid(c)}
        scores = {}
        for gid, cell in by_gid.items():
            item_id, _, role = gid.rpartition("-")
            if item_id not in items:
                continue
            item = items[item_id]
            if role == "show" and cell.cell_type == "code":
                answer = sub.answers.get(item_id)
                outs = [output(answer_html(shown[item_id], item, answer, sub.present),
                               f"{item_id}: {item.prompt}")]
                if item.type == "written":
                    ans = by_gid.get(f"{item_id}-answer")
                    text = _src(ans) if ans is not None else ""
                    text = "" if text.strip() == TEXT_STUB else text
                    outs.append(output(grader_notes_html(item, text),
                                       f"Notes for the grader on {item_id}", GRADER))
                if item.type == "conversation":
                    notes, noticed = conversation_notes(item, answer, sub.present)
                    outs.append(output(notes, f"Notes for the grader on {item_id}", GRADER))
                    problems += [f"{item_id}: {p}" for p in noticed]
                cell.outputs = [from_dict(o) for o in outs]
                cell.execution_count = None
            elif role == "test" and cell.cell_type == "code":
                self._check_points(cell, item)
                if item.type == "conversation":
                    cell.outputs = [from_dict(o) for o in (
                        {"output_type": "stream", "name": "stdout",
                         "text": conversation_line(item, sub.answers.get(item_id)) + "\n"},
                        {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                         "data": {"text/plain": "0.0"}})]
                    cell.execution_count = 1
                    continue
                if item.type in WIDGET_TYPES:
                    s = score_item(item, sub.answers.get(item_id, NOT_ANSWERED))
                else:
                    ans = by_gid.get(f"{item_id}-answer")
                    value, why = typed_answer(_src(ans), item_id) if ans is not None else \
                        (None, "the answer cell is missing")
                    s = score_item(item, NOT_ANSWERED if value is None else value)
                    if why and value is None and _src(ans or {}).strip():
                        s = type(s)(s.item, s.points, s.max_points, why + ".")
                        problems.append(f"{item_id}: {why}")
                scores[item_id] = s.points
                cell.outputs = [from_dict(o) for o in (
                    {"output_type": "stream", "name": "stdout", "text": s.line() + "\n"},
                    {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                     "data": {"text/plain": repr(float(s.points))}})]
                cell.execution_count = 1
        report = {"assignment": assignment, "student": student,
                  "notebook": meta["notebook"], "scores": scores, "problems": problems}
        _write_atomic(report_path(cd.root, assignment, student, self.reports_directory),
                      json.dumps(report, indent=1, ensure_ascii=False))
        for p in problems:
            self.log.info("%s/%s: %s", student, assignment, p)
        return nb, resources

    @staticmethod
    def _check_points(cell, item) -> None:
        have = float(cell.metadata["nbgrader"].get("points", 0))
        # a conversation's check cell carries no points (its points are on the task cell)
        want = 0.0 if item.type == "conversation" else float(item.points)
        if abs(have - want) > 1e-9:
            raise ValueError(f"the key gives {item.id} {want:g} points but its grade cell "
                             f"has {have:g}: rebuild the assignment from the bank and run "
                             f"nbgrader generate_assignment again")


def conversation_line(item, answer) -> str:
    """What a conversation's check cell says in the student's feedback: whether a conversation
    was saved, never how good it is (the instructor marks it)."""
    from partnership.learner.conversation.engine import learner_turns
    n = len(learner_turns(answer)) if isinstance(answer, dict) else 0
    pts = f"{item.points:g} point{'s' if item.points != 1 else ''}"
    if not n:
        return f"{item.id}: no conversation was saved; it is marked by your instructor ({pts})."
    return (f"{item.id}: your conversation ({n} turn{'s' if n != 1 else ''}) is saved; it is "
            f"marked by your instructor ({pts}).")


class KeepLearnerFilesOut(NbGraderPreprocessor):
    """For ``generate_assignment``: remove from the release any learner answers file that was
    left in the source folder (nbgrader releases every file there)."""

    answers_filename = Unicode(DEFAULT_FILENAME, help="The learner's answers file").tag(
        config=True)

    def preprocess(self, nb, resources):
        cd = _course(self.config)
        release = Path(cd.format_path(cd.release_directory, ".", resources["nbgrader"]
                                      ["assignment"]))
        stem = self.answers_filename
        for f in sorted(release.rglob("*")) if release.is_dir() else []:
            if f.is_file() and stem in f.name:
                f.unlink()
                self.log.warning("Not released: %s is a learner's answers file (left in the "
                                 "source folder from trying the widgets?)", f.name)
        return nb, resources
