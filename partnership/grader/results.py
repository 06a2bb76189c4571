"""One assignment's results, item by item, for the analyses and exports of a term.

nbgrader's gradebook holds a score per grade cell (autograded by the grader or marked by hand);
the grader names each cell after its item (``<item>-test`` for autograded items, ``<item>-answer``
for written ones, and for a conversation a ``<item>-test`` check worth 0 beside the ``<item>-mark``
task cell that holds its points), so the item's score is the sum of its cells' scores, and None
while any of them has no score yet (a written answer or a conversation not marked). What the gradebook does not hold is
which option a student chose, and what they wrote: those come from the submission itself, the
submitted answers file (read as data, as the grader reads it, :mod:`partnership.grader.answers`)
and the written answer's cell in the autograded notebook.

:func:`collect` returns the keyed bank and one :class:`StudentResult` per student on the
gradebook (submitted or not), in student-id order.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from partnership.grader.bank import BankError, load_bank

__all__ = ["StudentResult", "collect", "item_of_cell"]


@dataclass
class StudentResult:
    student: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str | None = None
    submitted: bool = False
    status: str = "not submitted"
    scores: dict = field(default_factory=dict)         # item id -> points, None = no score yet
    raw_score: float | None = None
    penalty: float = 0.0
    score: float | None = None                         # after the late penalty
    seconds_late: float = 0.0
    timestamp: str = ""
    answers: dict = field(default_factory=dict)        # widget item id -> saved answer
    answers_file: bool = False
    written: dict = field(default_factory=dict)        # written item id -> text

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.student


def item_of_cell(name: str) -> str | None:
    """``emp-g1-test`` -> ``emp-g1``; ``emp-w1-answer`` -> ``emp-w1``; ``conv-g1-mark`` ->
    ``conv-g1``."""
    for suffix in ("-test", "-answer", "-mark"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


def _written_texts(path: Path, items) -> dict:
    from partnership.grader.autograde import TEXT_STUB
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for cell in nb.get("cells", []):
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        item = item_of_cell(gid)
        if item in items and gid.endswith("-answer"):
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else str(src)
            out[item] = "" if src.strip() == TEXT_STUB else src.strip()
    return out


def collect(root, assignment: str, db_url: str | None = None, *, texts: bool = True):
    """(bank, [StudentResult]) for ``assignment`` in the course at ``root``."""
    from nbgrader.api import MissingEntry

    from partnership.grader.answers import read_answers
    from partnership.grader.autograde import key_path
    from partnership.grader.course import open_gradebook
    from partnership.grader.export import submission_status
    from partnership.grader.late import final_penalty

    root = Path(root)
    try:
        bank = load_bank(key_path(root, assignment))
    except BankError as exc:
        raise BankError(f"{exc}\n(no keys for {assignment!r} in {root / 'keys'}: build it with "
                        f"`partnership assignment build BANK.yml --course {root}`)") from None
    ids = {it.id for it in bank.items}
    written = {it.id for it in bank.items if it.type == "written"}
    rows = []
    with open_gradebook(root, db_url) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise BankError(f"{assignment!r} is not in the gradebook yet: release and autograde "
                            f"it first") from None
        for st in sorted(gb.students, key=lambda s: s.id):
            r = StudentResult(st.id, st.first_name or "", st.last_name or "", st.email or "",
                              st.lms_user_id)
            rows.append(r)
            try:
                sub = gb.find_submission(assignment, st.id)
            except MissingEntry:
                continue
            r.submitted = True
            r.timestamp = str(sub.timestamp or "")
            r.seconds_late = float(sub.total_seconds_late or 0.0)
            status, scored = submission_status(sub)
            r.status = status
            parts: dict[str, list] = {}
            for nb in sub.notebooks:
                for g in nb.grades:
                    item = item_of_cell(g.name)
                    if item in ids:
                        parts.setdefault(item, []).append(
                            None if g.auto_score is None and g.manual_score is None
                            else float(g.score))
            for item, got in parts.items():
                r.scores[item] = None if None in got else sum(got)
            if scored:
                r.raw_score = float(sub.score)
                r.penalty = final_penalty(root, assignment, sub, r.raw_score)
                r.score = max(0.0, r.raw_score - r.penalty)
            folder = root / "submitted" / st.id / assignment
            got = read_answers(folder / "my.partnership-answers.json", bank.lab)
            r.answers, r.answers_file = got.answers, got.present
            if texts and written:
                r.written = _written_texts(root / "autograded" / st.id / assignment /
                                           f"{assignment}.ipynb", written)
    return bank, rows
