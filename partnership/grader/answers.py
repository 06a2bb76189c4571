"""Reading what a student submitted, without running any of it.

- Widget answers come from the submitted answers file (``my.partnership-answers.json``). It is
  read as data, with bounds: a file over :data:`MAX_FILE_BYTES`, nested deeper than Python's
  parser allows, not JSON, or not an answers file is reported and scores 0; damaged entries are
  skipped and counted. Only the answers are used: any ``score`` the file claims is ignored.
- Typed answers come from the answer cell ``<item>-answer`` of the submitted notebook. Its source
  is *parsed* (``ast``), never executed: the last assignment to ``answer_<item>`` must be a
  literal (quoted text or a number), which ``ast.literal_eval`` reads. A loop, an import or a
  function call in the cell is simply not run.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

from partnership.learner.store import DEFAULT_FILENAME, SCHEMA

__all__ = ["Submitted", "read_answers", "typed_answer", "MAX_FILE_BYTES", "MAX_CELL_CHARS",
           "DEFAULT_FILENAME"]

#: An answers file for one assignment is a few kilobytes; anything near this is not one.
MAX_FILE_BYTES = 2_000_000
#: A typed answer cell holds one short literal; longer sources are not parsed.
MAX_CELL_CHARS = 20_000


@dataclass
class Submitted:
    """The widget answers found in one submission's answers file."""
    present: bool
    answers: dict = field(default_factory=dict)          # item id -> latest answer
    problems: list[str] = field(default_factory=list)    # in words, for the grader's report


def read_answers(path: str | Path, lab: str) -> Submitted:
    """The latest answer per item of ``lab`` in the answers file at ``path`` (file order: the
    last entry for an item wins; the times the file claims are not trusted)."""
    path = Path(path)
    name = path.name
    try:
        if path.is_symlink() or not path.is_file():
            if path.exists() or path.is_symlink():
                return Submitted(False, problems=[f"{name} is not a plain file; not read"])
            return Submitted(False, problems=[f"no {name} was submitted: every widget item "
                                              f"scores 0"])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Submitted(True, problems=[f"{name} is {size:,} bytes, over the "
                                             f"{MAX_FILE_BYTES:,}-byte limit; not read"])
        raw = path.read_bytes()
    except OSError as exc:
        return Submitted(False, problems=[f"{name} could not be read ({exc.strerror or exc})"])
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Submitted(True, problems=[f"{name} is not UTF-8 text (byte {exc.start}); "
                                         f"not read"])
    except RecursionError:
        return Submitted(True, problems=[f"{name} is nested too deeply to be an answers file; "
                                         f"not read"])
    except ValueError as exc:
        return Submitted(True, problems=[f"{name} is not valid JSON ({exc}); not read"])
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        return Submitted(True, problems=[f"{name} is not a partnership answers file; not read"])
    attempts = data.get("attempts")
    if not isinstance(attempts, list):
        return Submitted(True, problems=[f"{name} has no list of attempts; not read"])
    out = Submitted(True)
    damaged = 0
    for a in attempts:
        if not (isinstance(a, dict) and isinstance(a.get("lab"), str)
                and isinstance(a.get("item"), str) and "answer" in a):
            damaged += 1
            continue
        if a["lab"] == lab:
            out.answers[a["item"]] = a["answer"]
    if damaged:
        out.problems.append(f"{name}: {damaged} of {len(attempts)} entries were damaged and "
                            f"skipped")
    return out


def variable(item_id: str) -> str:
    """The Python name a typed item's answer cell assigns: ``answer_<item id>``."""
    return "answer_" + item_id.replace("-", "_")


def typed_answer(source: str, item_id: str):
    """(value, problem) for the typed answer in a cell's ``source``. ``value`` is None when there
    is no readable answer; ``problem`` then says why, in words for the student."""
    if len(source) > MAX_CELL_CHARS:
        return None, f"the answer cell is over {MAX_CELL_CHARS:,} characters; not read"
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, ("the answer cell is not valid Python; type your answer between the "
                      "quotes")
    name = variable(item_id)
    node = None
    for stmt in tree.body:                       # top level only: code that never ran a loop
        targets = stmt.targets if isinstance(stmt, ast.Assign) else \
            [stmt.target] if isinstance(stmt, ast.AnnAssign) and stmt.value else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            node = stmt.value
    if node is None:
        return None, f"no answer found (the cell should set {name} = \"...\")"
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return None, ("the answer is not quoted text or a number (it would have to be run to be "
                      "read); type it between the quotes")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None, "the answer is not quoted text or a number"
    return value, None
