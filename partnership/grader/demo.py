"""``partnership grade-demo``: the whole nbgrader round trip on simulated submissions.

In a course folder (temporary unless ``out`` is given) it

1. copies the course configuration (``autograder/nbgrader_config.py``) and the source
   assignments (``exercises/source``), and generates the release;
2. creates simulated submissions (see :data:`STUDENTS`): a perfect one, a blank one, a partly
   right one, one with a tampered locked cell, one without the saved-answer file, one whose
   notebook is not valid JSON, and one that loops forever;
3. autogrades every submission separately (its own ``nbgrader autograde`` process, with a time
   limit), showing progress, so one bad submission never stops the others;
4. plays the instructor marking the written answers (fixed, clearly simulated marks), generates
   feedback and exports the grades to ``grades.csv``;
5. returns (and the command prints) each student's score and every problem met, with its reason.

The simulated answers are derived at run time from the *source* notebooks (the keys in their
hidden tests and the solutions in their answer cells): no answer key is stored in this package.
"""
from __future__ import annotations

import ast
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

MARKER = ".partnership-grade-demo"
ANSWERS = "my.partnership-answers.json"

#: simulated student id -> (what they did, which assignments they submit: None = all)
STUDENTS: dict[str, tuple[str, list[str] | None]] = {
    "perfect": ("every answer right, written answers as the model answers", None),
    "blank": ("submitted the released notebook untouched", None),
    "partial": ("some answers right, some partly right, some wrong", None),
    "tampered": ("edited a locked grading cell to claim full marks for a wrong answer", None),
    "nofile": ("right answers, but did not submit the saved-answer file", None),
    "corrupt": ("notebook file cut short (not valid JSON)", ["empathy"]),
    "looping": ("a typed-answer cell that loops forever", ["empathy"]),
}
#: share of the written-answer points the simulated grader gives each student
MANUAL_SHARE = {"perfect": 1.0, "partial": 0.5, "tampered": 1.0, "nofile": 1.0}
PARTIAL_WRITTEN = "It sounds like a lot is going on for you right now."


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def default_source() -> Path:
    return repo_root() / "exercises" / "source"


def default_config() -> Path:
    return repo_root() / "autograder" / "nbgrader_config.py"


# ------------------------------------------------------------------ reading the source keys

@dataclass
class Key:
    """What a source notebook says about one graded item."""
    item: str
    kind: str                   # choice | ranking | categorize | typed | number | written
    points: float
    key: object = None          # the key (widget items, numbers) or accepted answers (typed)
    solution: object = None     # the solution in the answer cell (typed, number, written)
    lab: str | None = None


_SCORERS = {"score_choice": "choice", "score_ranking": "ranking",
            "score_categorize": "categorize", "score_typed": "typed", "score_number": "number"}


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def read_keys(notebook: Path) -> dict[str, Key]:
    """The graded items of a source notebook, keyed by item id, read from its hidden tests and
    solution cells."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    keys: dict[str, Key] = {}
    solutions: dict[str, object] = {}
    for cell in nb["cells"]:
        meta, src = _nbg(cell), _src(cell)
        gid = meta.get("grade_id", "")
        if meta.get("solution") and cell["cell_type"] == "code":
            tree = ast.parse(src)
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign):
                    solutions[gid.removesuffix("-answer")] = ast.literal_eval(node.value)
        elif meta.get("solution") and cell["cell_type"] == "markdown":
            item = gid.removesuffix("-answer")
            keys[item] = Key(item, "written", float(meta.get("points", 0)), solution=src)
        if meta.get("grade") and cell["cell_type"] == "code":
            for node in ast.walk(ast.parse(src)):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") in _SCORERS:
                    kind = _SCORERS[node.func.id]
                    args = [ast.literal_eval(a) if isinstance(a, ast.Constant) else None
                            for a in node.args]
                    kw = {k.arg: ast.literal_eval(k.value) for k in node.keywords
                          if k.arg in ("key", "points", "accept", "tolerance")}
                    if kind in ("choice", "ranking", "categorize"):
                        keys[args[1]] = Key(args[1], kind, float(kw["points"]), kw["key"],
                                            lab=args[0])
                    else:
                        keys[args[0]] = Key(args[0], kind, float(kw["points"]),
                                            kw.get("accept", kw.get("key")))
    for item, sol in solutions.items():
        if item in keys:
            keys[item].solution = sol
    return keys


# ------------------------------------------------------------------ simulated submissions

def _wrong_choice(key, n: int) -> int:
    k = ord(key.upper()) - 65 if isinstance(key, str) else int(key)
    return (k + 1) % n


def _answers_for(student: str, keys: dict[str, Key], bank) -> dict[str, object]:
    """Widget answers (item -> saved answer) for a simulated student."""
    out = {}
    for k in keys.values():
        if k.kind not in ("choice", "ranking", "categorize"):
            continue
        item = bank.item(k.item)
        if k.kind == "choice":
            right = ord(k.key.upper()) - 65 if isinstance(k.key, str) else int(k.key)
            wrong = _wrong_choice(k.key, len(item.options))
            out[k.item] = wrong if student in ("partial", "tampered") else right
        elif k.kind == "ranking":
            ranks = list(k.key)
            if student == "partial":      # swap the options ranked 1 and 2: one pair out of order
                a, b = ranks.index(1), ranks.index(2)
                ranks[a], ranks[b] = 2, 1
            out[k.item] = ranks
        else:
            cats = [c.id for c in item.categories]
            got = list(k.key)
            if student == "partial":      # the first two statements in the next category
                for i in (0, 1):
                    got[i] = cats[(cats.index(got[i]) + 1) % len(cats)]
            out[k.item] = got
    return out


def _set_answer_cell(nb: dict, item: str, value) -> None:
    var = "answer_" + item.replace("-", "_")
    for cell in nb["cells"]:
        if _nbg(cell).get("grade_id") == f"{item}-answer":
            cell["source"] = f"{var} = (\n    {value!r}\n)"


def _set_written(nb: dict, item: str, text: str) -> None:
    for cell in nb["cells"]:
        if _nbg(cell).get("grade_id") == f"{item}-answer":
            cell["source"] = text


def make_submission(course: Path, student: str, assignment: str, keys: dict[str, Key],
                    bank) -> None:
    """Copy the released assignment into submitted/<student>/<assignment>/ and answer it the
    way ``student`` does."""
    from partnership.learner.store import AnswerStore

    release = course / "release" / assignment
    dest = course / "submitted" / student / assignment
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(release, dest)
    (dest / "timestamp.txt").write_text("2026-03-02 10:00:00.000000 UTC\n", encoding="utf-8")
    nb_path = next(dest.glob("*.ipynb"))
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    if student != "blank":
        for k in keys.values():
            if k.kind in ("typed", "number"):
                value = k.solution
                if student == "partial" and k.kind == "number":
                    value = "not sure"
                _set_answer_cell(nb, k.item, value)
            elif k.kind == "written" and student != "looping":
                _set_written(nb, k.item, PARTIAL_WRITTEN if student == "partial"
                             else str(k.solution))
        if student == "tampered":
            first_choice = next(k for k in keys.values() if k.kind == "choice")
            for cell in nb["cells"]:
                if _nbg(cell).get("grade_id") == f"{first_choice.item}-test":
                    cell["source"] = f"{first_choice.points:g}  # full marks, please"
        if student == "looping":
            typed = next(k for k in keys.values() if k.kind == "typed")
            var = "answer_" + typed.item.replace("-", "_")
            for cell in nb["cells"]:
                if _nbg(cell).get("grade_id") == f"{typed.item}-answer":
                    cell["source"] = f"while True:\n    pass\n{var} = {typed.solution!r}"
    text = json.dumps(nb, indent=1, ensure_ascii=False)
    if student == "corrupt":
        text = text[: len(text) * 3 // 5]
    nb_path.write_text(text, encoding="utf-8")
    if student not in ("blank", "nofile"):
        store = AnswerStore(dest / ANSWERS)
        for item, answer in _answers_for(student, keys, bank).items():
            store.record(bank.lab, item, answer, None, 0.0)


# ------------------------------------------------------------------ running nbgrader

@dataclass
class Outcome:
    student: str
    assignment: str
    submitted: bool = True
    graded: bool = False
    score: float = 0.0
    max_score: float = 0.0
    auto_score: float = 0.0
    auto_max: float = 0.0
    manual_pending: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


@dataclass
class DemoResult:
    course: Path
    grades_csv: Path | None
    outcomes: dict[tuple[str, str], Outcome]
    problems: list[str]                       # course-level problems (release, feedback...)
    seconds_per_autograde: dict[tuple[str, str], float]

    def score(self, student: str, assignment: str) -> float:
        return self.outcomes[(student, assignment)].score


class _Runner:
    def __init__(self, course: Path, timeout: int, log):
        self.course, self.timeout, self.log = course, timeout, log
        env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERSHIP_DB")}
        env["PARTNERSHIP_TIMEOUT"] = str(timeout)
        env.setdefault("PYTHONWARNINGS", "ignore")
        self.env = env

    def run(self, *args: str, limit: float | None = None) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "nbgrader", *args,
               f"--CourseDirectory.root={self.course}",
               f"--CourseDirectory.db_url=sqlite:///{self.course / 'gradebook.db'}"]
        try:
            return subprocess.run(cmd, cwd=self.course, env=self.env, capture_output=True,
                                  text=True, timeout=limit, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            return subprocess.CompletedProcess(cmd, -9, exc.stdout or "",
                                               (exc.stderr or "") + f"\nKILLED after {limit} s")


def _last_error(text: str) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    errs = [ln for ln in lines if "[ERROR]" in ln or "Error" in ln or "KILLED" in ln]
    pick = (errs or lines or ["no output"])[-1]
    return re.sub(r"^\[\w+ [^\]]*\]\s*", "", pick)[:200]


def _notebook_problem(path: Path) -> str | None:
    import nbformat
    try:
        nbformat.read(str(path), as_version=4)
    except Exception as exc:
        if "JSON" in str(exc) or isinstance(exc, ValueError):
            return (f"the notebook {path.name} is not valid JSON (cut short or edited outside "
                    f"Jupyter?)")
        return f"the notebook {path.name} cannot be read ({type(exc).__name__})"
    return None


def _analyse_autograded(nb_path: Path, timeout: int) -> list[str]:
    """Problems visible in an autograded notebook: cells stopped at the time limit, and grading
    cells that raised an error."""
    out = []
    try:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ["the autograded notebook could not be read back"]
    for i, cell in enumerate(nb.get("cells", [])):
        gid = _nbg(cell).get("grade_id") or f"cell {i + 1}"
        for o in cell.get("outputs", []):
            if o.get("output_type") != "error":
                continue
            if o.get("ename") in ("CellTimeoutError", "TimeoutError") or "timeout" in \
                    str(o.get("ename", "")).lower():
                out.append(f"cell {gid} ran longer than the {timeout} s limit and was stopped "
                           f"(it scores 0; grading went on)")
            elif _nbg(cell).get("grade"):
                out.append(f"grading cell {gid} raised {o.get('ename')}: "
                           f"{str(o.get('evalue', ''))[:80]} (scored 0)")
        if cell.get("cell_type") == "code" and _nbg(cell).get("grade"):
            for o in cell.get("outputs", []):
                if o.get("output_type") == "stream" and o.get("name") == "stderr":
                    out.append(f"grading cell {gid} wrote to stderr (nbgrader scores it 0)")
    return out


def _tampered_cells(release: Path, submitted: Path) -> list[str]:
    """grade_ids of locked cells whose source differs from the released notebook."""
    out = []
    for rel in release.glob("*.ipynb"):
        try:
            orig = json.loads(rel.read_text(encoding="utf-8"))
            sub = json.loads((submitted / rel.name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        locked = {_nbg(c).get("grade_id"): _src(c) for c in orig["cells"]
                  if _nbg(c).get("locked") and not _nbg(c).get("solution")}
        for c in sub.get("cells", []):
            gid = _nbg(c).get("grade_id")
            if gid in locked and _src(c).strip() != locked[gid].strip():
                out.append(gid)
    return out


def run_demo(out: Path | str | None = None, *, source: Path | str | None = None,
             config: Path | str | None = None, timeout: int = 30,
             assignments: list[str] | None = None, students: list[str] | None = None,
             log=print) -> DemoResult:
    """Run the whole round trip; see the module docstring. ``log`` receives progress lines."""
    from partnership.learner.assignment import load_graded

    source = Path(source) if source else default_source()
    config = Path(config) if config else default_config()
    if not source.is_dir():
        raise FileNotFoundError(f"no source assignments at {source}; pass --source "
                                f"(the exercises/source folder of the course repository)")
    if not config.is_file():
        raise FileNotFoundError(f"no nbgrader configuration at {config}; pass --config")
    if out is None:
        course = Path(tempfile.mkdtemp(prefix="partnership-grade-demo-"))
    else:
        course = Path(out).resolve()
        if course.exists() and any(course.iterdir()) and not (course / MARKER).exists():
            raise FileExistsError(f"{course} is not empty and was not made by grade-demo; "
                                  f"choose a new or empty folder")
        if course.exists():
            shutil.rmtree(course)
        course.mkdir(parents=True)
    (course / MARKER).write_text("made by partnership grade-demo; safe to delete\n")
    shutil.copy(config, course / "nbgrader_config.py")
    names = sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
    if assignments:
        names = [a for a in names if a in assignments]
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.partnership-answers*",
                                    ".*.partnership-answers*", "*.corrupt-*")
    for a in names:
        shutil.copytree(source / a, course / "source" / a, ignore=ignore)
    students = students or list(STUDENTS)
    runner = _Runner(course, timeout, log)
    problems: list[str] = []
    outcomes: dict[tuple[str, str], Outcome] = {}
    timings: dict[tuple[str, str], float] = {}

    # 1. release
    released = []
    for a in names:
        t0 = time.perf_counter()
        r = runner.run("generate_assignment", a, "--force", limit=300)
        ok = r.returncode == 0 and (course / "release" / a).is_dir()
        log(f"generate release {a} ... {'ok' if ok else 'FAILED'} "
            f"({time.perf_counter() - t0:.1f} s)")
        if ok:
            released.append(a)
        else:
            problems.append(f"release of {a} failed: {_last_error(r.stderr + r.stdout)}")

    # 2. simulated submissions
    keys = {a: read_keys(next((course / "source" / a).glob("*.ipynb"))) for a in released}
    banks = {a: load_graded(course / "source" / a / "items.yml") for a in released}
    todo = []
    for s in students:
        wanted = STUDENTS[s][1]
        for a in released:
            if wanted is not None and a not in wanted:
                outcomes[(s, a)] = Outcome(s, a, submitted=False)
                continue
            make_submission(course, s, a, keys[a], banks[a])
            todo.append((s, a))
    log(f"simulated {len(todo)} submissions from {len(students)} students")

    # 3. autograde, one process per submission
    limit = timeout * 6 + 180
    for n, (s, a) in enumerate(todo, 1):
        o = Outcome(s, a)
        outcomes[(s, a)] = o
        sub = course / "submitted" / s / a
        for nb in sub.glob("*.ipynb"):
            p = _notebook_problem(nb)
            if p:
                o.problems.append(p)
        if not (sub / ANSWERS).exists():
            o.problems.append(f"no {ANSWERS} submitted: every widget item scores 0")
        print_prefix = f"[{n}/{len(todo)}] autograding {s}/{a} ..."
        t0 = time.perf_counter()
        r = runner.run("autograde", a, "--student", s, "--force", limit=limit)
        o.seconds = time.perf_counter() - t0
        timings[(s, a)] = o.seconds
        text = (r.stderr or "") + (r.stdout or "")
        if r.returncode != 0:
            reason = _last_error(text)
            if "NotJSONError" in text or "does not appear to be JSON" in text:
                reason = "its notebook is not valid JSON"
            if r.returncode == -9:
                reason = f"autograding did not finish within {limit:g} s and was stopped"
            o.problems.append(f"nbgrader could not autograde it ({reason}); scored 0")
        else:
            o.graded = True
            for cell in _tampered_cells(course / "release" / a, sub):
                o.problems.append(f"locked cell {cell} had been changed; nbgrader restored "
                                  f"the original before grading")
            if "Missing grade cell" in text:
                o.problems.append("a grading cell had been deleted; nbgrader put it back")
            for nb in (course / "autograded" / s / a).glob("*.ipynb"):
                o.problems += _analyse_autograded(nb, timeout)
        log(f"{print_prefix} {o.seconds:.1f} s" + ("" if o.graded else "  FAILED"))

    # 4. the simulated instructor marks the written answers; read the scores
    _manual_marks(course, outcomes)

    # 5. feedback and export
    for a in released:
        t0 = time.perf_counter()
        r = runner.run("generate_feedback", a, "--force", limit=600)
        if r.returncode != 0:
            for s in students:
                if outcomes.get((s, a)) and outcomes[(s, a)].graded:
                    r1 = runner.run("generate_feedback", a, "--student", s, "--force",
                                    limit=300)
                    if r1.returncode != 0:
                        outcomes[(s, a)].problems.append(
                            f"feedback could not be generated: {_last_error(r1.stderr)}")
        log(f"generate feedback {a} ... {time.perf_counter() - t0:.1f} s")
    grades = course / "grades.csv" if out is None else Path(out).resolve() / "grades.csv"
    r = runner.run("export", f"--to={grades}", limit=300)
    if r.returncode != 0 or not grades.exists():
        problems.append(f"export failed: {_last_error(r.stderr + r.stdout)}")
        grades = None
    else:
        log(f"exported grades to {grades}")
    _read_scores(course, outcomes)
    return DemoResult(course, grades, outcomes, problems, timings)


def _gradebook(course: Path):
    from nbgrader.api import Gradebook
    return Gradebook(f"sqlite:///{course / 'gradebook.db'}",
                     os.environ.get("PARTNERSHIP_COURSE_ID", "therapy-as-partnership"))


def _manual_marks(course: Path, outcomes) -> None:
    """Play the instructor in formgrader: mark every written answer that needs marking, with a
    fixed share of its points per simulated student (a demo, not a judgement)."""
    with _gradebook(course) as gb:
        for (s, a), o in outcomes.items():
            if not o.graded:
                continue
            share = MANUAL_SHARE.get(s, 0.0)
            sub = gb.find_submission(a, s)
            for nb in sub.notebooks:
                for g in nb.grades:
                    if g.needs_manual_grade:
                        g.manual_score = round(share * g.max_score, 2)
            gb.db.commit()


def _read_scores(course: Path, outcomes) -> None:
    with _gradebook(course) as gb:
        for (s, a), o in outcomes.items():
            try:
                asg = gb.find_assignment(a)
            except Exception:
                continue
            o.max_score = float(asg.max_score)
            if not o.graded:
                continue
            sub = gb.find_submission(a, s)
            o.score = float(sub.score)
            auto = manual_pending = 0
            auto_max = 0.0
            for nb in sub.notebooks:
                for g in nb.grades:
                    if g.cell.cell_type == "code":
                        auto += g.score or 0
                        auto_max += g.max_score
                    manual_pending += bool(g.needs_manual_grade)
            o.auto_score, o.auto_max, o.manual_pending = float(auto), auto_max, manual_pending


def table(result: DemoResult) -> str:
    """The report: one row per student and assignment, then every problem with its reason."""
    rows = [("student", "assignment", "score", "of", "autograded", "status")]
    for (s, a), o in sorted(result.outcomes.items()):
        if not o.submitted:
            rows.append((s, a, "-", f"{o.max_score:g}", "-", "not submitted"))
            continue
        status = "graded" if o.graded else "NOT GRADED"
        if o.problems:
            status += f", {len(o.problems)} problem(s)"
        rows.append((s, a, f"{o.score:g}", f"{o.max_score:g}",
                     f"{o.auto_score:g}/{o.auto_max:g}" if o.graded else "-", status))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i in (0, 1, 5) else c.rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    probs = [(s, a, p) for (s, a), o in sorted(result.outcomes.items()) for p in o.problems]
    if probs or result.problems:
        lines += ["", "Problems:"]
        lines += [f"  course: {p}" for p in result.problems]
        lines += [f"  {s}/{a}: {p}" for s, a, p in probs]
    lines += ["", "Written answers were marked by a simulated grader (perfect, tampered and "
              "nofile: full marks; partial: half)."]
    return "\n".join(lines)
