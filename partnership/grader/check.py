"""``partnership assignment check BANK.yml``: is this assignment ready to release?

What nbgrader's ``validate`` cannot tell about these assignments (it would run the source notebook,
whose checks fail without a learner's answers file), this checks end to end, in a temporary course:

1. the bank is valid (errors name the file, the item and the field);
2. it builds, and ``nbgrader generate_assignment`` releases it;
3. the release holds no grader material (model answers, rubric lines, typed keys);
4. graded by the grader, a submission with every answer right scores every autograded point,
   and the released notebook submitted untouched scores 0;
5. nbgrader's Validate (what a student presses) passes the complete submission and fails the
   untouched one, naming each missing item.

Each step is a :class:`Step` with a result in words; :func:`check_bank` returns them all.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from partnership.grader.bank import BankError, MANUAL_TYPES, WIDGET_TYPES, load_bank

__all__ = ["check_bank", "Step"]


@dataclass
class Step:
    name: str
    ok: bool
    detail: str


def check_bank(bank_path, *, keep: Path | None = None, log=lambda line: None) -> list[Step]:
    from partnership.grader.autograde import read_report, report_path
    from partnership.grader.build import build_assignment
    from partnership.grader.leaks import scan
    from partnership.grader.simulate import STUDENTS, Runner, make_submission

    steps: list[Step] = []
    try:
        bank = load_bank(bank_path)
    except BankError as exc:
        return [Step("bank", False, str(exc))]
    auto = sum(i.points for i in bank.items if i.type not in MANUAL_TYPES)
    steps.append(Step("bank", True, f"{len(bank.items)} items, {bank.total:g} points "
                                    f"({auto:g} autograded)"))
    course = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="partnership-check-"))
    try:
        if course.exists():
            shutil.rmtree(course)
        course.mkdir(parents=True)
        build_assignment(bank_path, course)
        runner = Runner(course)
        a = bank.assignment
        r = runner.run("generate_assignment", a, "--force")
        if r.returncode != 0:
            steps.append(Step("release", False, (r.stderr + r.stdout)[-1500:]))
            return steps
        steps.append(Step("release", True, f"nbgrader released {a}"))
        log("released")
        leaks = scan([course / "release" / a], [bank], short=True)
        steps.append(Step("no keys in the release", not leaks,
                          "none found" if not leaks else
                          "; ".join(f"{what} in {Path(where).name}" for where, what in leaks)))
        for s in ("perfect", "blank"):
            make_submission(course, STUDENTS[s], bank)
        r = runner.run("autograde", a, "--force")
        got = {}
        for s in ("perfect", "blank"):
            rep = read_report(report_path(course, a, s))
            got[s] = None if rep is None else sum(rep["scores"].values())
        ok = got["perfect"] is not None and abs(got["perfect"] - auto) < 1e-9 \
            and got["blank"] == 0
        steps.append(Step("grading", ok,
                          f"every answer right: {got['perfect']} of {auto:g} autograded points; "
                          f"untouched: {got['blank']}" + ("" if ok else
                                                           "\n" + (r.stderr + r.stdout)[-1500:])))
        log("graded")
        nb = f"{a}.ipynb"
        good = runner.run("validate", str(course / "submitted" / "perfect" / a / nb))
        bad = runner.run("validate", str(course / "submitted" / "blank" / a / nb))
        passed = "Success" in good.stdout and "FAILED" not in good.stdout
        missing = [it.id for it in bank.items
                   if it.type in WIDGET_TYPES or it.type in ("typed", "conversation")]
        named = [i for i in missing if re.search(rf"\b{re.escape(i)}\b", bad.stdout)]
        ok = passed and "FAILED" in bad.stdout and named == missing
        steps.append(Step("student's Validate", ok,
                          f"complete submission {'passes' if passed else 'FAILS'}; untouched "
                          f"notebook {'fails' if 'FAILED' in bad.stdout else 'PASSES'}, naming "
                          f"{len(named)} of {len(missing)} missing items"
                          + ("" if ok else "\n" + (good.stdout + bad.stdout)[-2000:])))
        return steps
    finally:
        if keep is None:
            shutil.rmtree(course, ignore_errors=True)
