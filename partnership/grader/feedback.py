"""What students see in nbgrader feedback: their answers, scores and the scorers' reasons, never
the hidden tests.

nbgrader's ``generate_feedback`` renders the *autograded* notebook, in which the hidden tests
(the answer keys and rubrics) have been put back so that they could run. Out of the box, the
feedback HTML therefore shows each grading cell's hidden source and, when a grading cell raises,
a traceback that can quote a hidden line (nbgrader issues #917, #1156, #1363).
``autograder/nbgrader_config.py`` runs feedback through::

    GetGrades -> HideTestDetails -> ClearHiddenTests -> CSSHTMLHeaderPreprocessor

:class:`HideTestDetails` (this module) cleans the *outputs*, while the hidden source is still
there to compare with; nbgrader's ``ClearHiddenTests`` then removes the ``### BEGIN HIDDEN
TESTS`` ... ``### END HIDDEN TESTS`` region from every cell's source. Only feedback is
filtered: the autograded notebook, and so formgrader, keeps everything.

In the outputs, :class:`HideTestDetails`

- shortens the traceback of an error in a grading cell to one line, ``ErrorName: message``;
- drops every output line that quotes a line of any hidden-test region of the notebook (for
  example the rubric printed by ``grader_notes``), and a heading such as ``Rubric:`` whose
  indented block was all dropped.

Scores (nbgrader's, from the gradebook) and the scorers' one-line reasons are kept.
"""
from __future__ import annotations

import re

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Int, Unicode

__all__ = ["HideTestDetails", "clean_text", "hidden_lines"]


def _regions(source: str, begin: str, end: str) -> list[str]:
    out, inside = [], False
    for line in source.split("\n"):
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            out.append(line)
    return out


def hidden_lines(nb, begin: str = "BEGIN HIDDEN TESTS", end: str = "END HIDDEN TESTS") -> set[str]:
    """The stripped, non-empty lines of every hidden-test region of the notebook ``nb``."""
    found = set()
    for cell in nb.cells:
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        found |= {ln.strip() for ln in _regions(src, begin, end) if ln.strip()}
    return found


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _quotes(line: str, hidden: set[str], min_len: int) -> bool:
    s = _ANSI.sub("", line).strip()
    if not s:
        return False
    if s in hidden:
        return True
    for h in hidden:
        if len(h) >= min_len and h in s:
            return True
        if len(s) >= min_len and s in h:
            return True
    return False


def clean_text(text: str, hidden: set[str], min_len: int = 8) -> str:
    """``text`` without the lines that quote a hidden line (see :func:`_quotes`), and without a
    heading (a line ending in ``:``) whose indented block below was dropped entirely."""
    lines = text.split("\n")
    drop = [_quotes(ln, hidden, min_len) for ln in lines]
    for i, ln in enumerate(lines):
        if drop[i] or not ln.rstrip().endswith(":"):
            continue
        indent = len(ln) - len(ln.lstrip())
        block = []
        for j in range(i + 1, len(lines)):
            nxt = lines[j]
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                break
            block.append(j)
        body = [j for j in block if lines[j].strip()]
        if body and all(drop[j] for j in body):
            drop[i] = True
    return "\n".join(ln for ln, d in zip(lines, drop) if not d)


class HideTestDetails(NbGraderPreprocessor):
    """Feedback preprocessor: keep answers, scores and reasons; drop what reveals a hidden test.
    Must run before ``ClearHiddenTests`` (it reads the hidden regions to know what to drop)."""

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS",
                                   help="Start of a hidden-test region").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS",
                                 help="End of a hidden-test region").tag(config=True)
    min_quote = Int(8, help="An output line holding a hidden line at least this long (or held "
                            "in one) is dropped; shorter hidden lines only match a whole "
                            "output line").tag(config=True)

    def preprocess(self, nb, resources):
        self._hidden = hidden_lines(nb, self.begin_test_delimeter, self.end_test_delimeter)
        return super().preprocess(nb, resources)

    def _clean(self, value):
        if isinstance(value, list):
            value = "".join(value)
        return clean_text(str(value), self._hidden, self.min_quote)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        grade = utils.is_grade(cell)
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                ename, evalue = out.get("ename", "Error"), out.get("evalue", "")
                if grade or any(_quotes(ln, self._hidden, self.min_quote)
                                for tb in out.get("traceback", []) for ln in tb.split("\n")):
                    out["evalue"] = self._clean(evalue)
                    out["traceback"] = [self._clean(f"{ename}: {evalue}")]
            elif kind == "stream":
                out["text"] = self._clean(out.get("text", ""))
            elif kind in ("execute_result", "display_data"):
                data = out.get("data", {})
                for mime in list(data):
                    if mime.startswith("text/"):
                        data[mime] = self._clean(data[mime])
        return cell, resources
