"""The nbgrader source assignments: structure, originality, and no key or solution anywhere a
learner can see it (the generated release, the book, the installed package)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from partnership.learner.schema import practice_items
from partnership.learner.assignment import WIDGET_TYPES, load_graded
from partnership.grader.demo import _Runner, read_keys

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "exercises" / "source"
ASSIGNMENTS = ["boundaries", "empathy", "mi-reflections"]
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def notebook(a: str) -> dict:
    return json.loads((SOURCE / a / f"{a}.ipynb").read_text(encoding="utf-8"))


def src(cell) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def test_three_assignments_each_mixing_widget_typed_and_written_items():
    found = sorted(p.name for p in SOURCE.iterdir() if p.is_dir())
    assert found == ASSIGNMENTS
    for a in ASSIGNMENTS:
        assert sorted(p.name for p in (SOURCE / a).iterdir()) == sorted([f"{a}.ipynb", "items.yml"])
        bank = load_graded(SOURCE / a / "items.yml")
        types = {i.type for i in bank.items}
        assert {"choice", "ranking", "categorize", "typed", "written"} <= types, a


def test_every_item_is_shown_checked_and_scored():
    for a in ASSIGNMENTS:
        bank = load_graded(SOURCE / a / "items.yml")
        nb = notebook(a)
        cells = {nbg(c).get("grade_id"): c for c in nb["cells"]}
        keys = read_keys(SOURCE / a / f"{a}.ipynb")
        for it in bank.items:
            assert src(cells[f"{it.id}-show"]) == f'show("items.yml", "{it.id}")'
            assert nbg(cells[f"{it.id}-show"])["locked"]
            if it.type in WIDGET_TYPES:
                test = cells[f"{it.id}-test"]
                assert nbg(test)["grade"] and nbg(test)["locked"] and nbg(test)["points"] > 0
                visible = HIDDEN.sub("", src(test))
                assert f'check("items.yml", "{it.id}")' in visible
                assert keys[it.id].kind == it.type and keys[it.id].lab == bank.lab
                assert keys[it.id].points == nbg(test)["points"]
            elif it.type == "typed":
                assert nbg(cells[f"{it.id}-answer"])["solution"]
                assert "check_typed" in HIDDEN.sub("", src(cells[f"{it.id}-test"]))
                assert keys[it.id].kind in ("typed", "number")
            else:
                ans = cells[f"{it.id}-answer"]
                assert ans["cell_type"] == "markdown" and nbg(ans)["solution"]
                assert nbg(ans)["points"] == it.points
                notes = cells[f"{it.id}-notes"]
                assert nbg(notes)["points"] == 0 and "grader_notes" in src(notes)
                assert "rubric=" in HIDDEN.search(src(notes)).group(1)
        # reflections get the coach's suggestion beside them
        if a in ("empathy", "mi-reflections"):
            assert not any("coach=False" in src(c) for c in nb["cells"])


def test_graded_items_are_not_practice_items():
    def norm(t):
        return re.sub(r"\W+", " ", (t or "").lower()).strip()

    practice = set()
    for it in practice_items():
        practice |= {norm(it.prompt), norm(it.client), norm(it.vignette)}
        for o in getattr(it, "options", []):
            practice.add(norm(o.text))
        for s in getattr(it, "statements", []):
            practice.add(norm(s.text))
    practice.discard("")
    for a in ASSIGNMENTS:
        for it in load_graded(SOURCE / a / "items.yml").items:
            texts = [it.prompt, it.client, it.vignette] + [o.text for o in getattr(it, "options", [])] + \
                    [s.text for s in getattr(it, "statements", [])]
            for t in texts:
                assert not t or norm(t) not in practice, f"{it.id}: {t!r} is a practice text"


# ------------------------------------------------------------------ no key leaks

def secrets(solutions: bool = True) -> set[str]:
    """Every line of a hidden test or solution in the source notebooks (except imports and
    lines that also appear in a visible part), and every written model answer line.
    ``solutions=False``: the hidden tests only (keys and rubrics), for feedback, where a
    student's own answers may rightly equal the solutions."""
    hidden, visible = set(), set()
    for a in ASSIGNMENTS:
        for cell in notebook(a)["cells"]:
            s = src(cell)
            if cell["cell_type"] == "markdown" and nbg(cell).get("solution"):
                if solutions:
                    hidden |= {ln.strip() for ln in s.splitlines()}
                continue
            for block in HIDDEN.findall(s) + (SOLUTION.findall(s) if solutions else []):
                hidden |= {ln.strip() for ln in block.splitlines()}
            visible |= {ln.strip() for ln in SOLUTION.sub("", HIDDEN.sub("", s)).splitlines()}
    out = {ln for ln in hidden - visible
           if len(ln) >= 8 and not ln.startswith(("from ", "import ")) and ln not in ('""")',)}
    # the keys themselves, as written in the hidden tests
    for a in ASSIGNMENTS:
        for k in read_keys(SOURCE / a / f"{a}.ipynb").values():
            if k.kind in ("ranking", "categorize"):
                out.add(f"key={k.key!r}")
                out.add(repr(k.key))
            elif k.kind in ("choice", "typed", "number"):
                out.add(f"{k.item}\", key=")
                out.add(f"accept={k.key!r}")
    return out


def test_secrets_are_found():
    s = secrets()
    assert len(s) > 40
    assert any("grader_notes(" in x for x in s) and any("score_choice(" in x for x in s)
    keys = secrets(solutions=False)
    assert keys < s and len(keys) > 40
    assert any("rubric=" in x for x in keys) and any("score_ranking(" in x for x in keys)


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "autograder" / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(SOURCE, course / "source")
    runner = _Runner(course, 10, print)
    for a in ASSIGNMENTS:
        r = runner.run("generate_assignment", a, "--force", limit=300)
        assert r.returncode == 0, r.stderr[-2000:]
    return course / "release"


def _text_files(folder: Path, exts: tuple[str, ...]):
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.suffix in exts and "__pycache__" not in p.parts:
            yield p, p.read_text(encoding="utf-8", errors="replace")


def _leaks(folder: Path, exts, secret: set[str]) -> list[str]:
    found = []
    for p, text in _text_files(folder, exts):
        if p.suffix == ".ipynb":        # compare the notebook's cell sources and outputs
            nb = json.loads(text)
            text = "\n".join(src(c) + json.dumps(c.get("outputs", [])) for c in nb["cells"])
        for s in secret:
            if s in text:
                found.append(f"{p}: {s!r}")
    return found


def test_release_holds_no_key_or_solution(release):
    assert sorted(p.name for p in release.iterdir()) == ASSIGNMENTS
    for a in ASSIGNMENTS:
        files = sorted(p.name for p in (release / a).iterdir())
        assert files == sorted([f"{a}.ipynb", "items.yml"]), files
        text = (release / a / f"{a}.ipynb").read_text(encoding="utf-8")
        for marker in ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "score_", "grader_notes",
                       "rubric", "key="):
            assert marker not in text, f"{a}: {marker}"
    leaks = _leaks(release, (".ipynb", ".yml", ".yaml", ".json", ".txt", ".md", ".py"),
                   secrets())
    assert leaks == []


def test_release_keeps_the_learner_cells(release):
    nb = json.loads((release / "empathy" / "empathy.ipynb").read_text(encoding="utf-8"))
    sources = [src(c) for c in nb["cells"]]
    assert 'check("items.yml", "emp-g1")' in "\n".join(sources)
    assert any('""  # type your answer between the quotes' in s for s in sources)
    assert "YOUR ANSWER HERE" in sources


def test_package_and_book_hold_no_key_or_solution():
    secret = secrets()
    leaks = _leaks(ROOT / "partnership", (".py", ".yml", ".yaml", ".json", ".md", ".txt", ".csv"),
                   secret)
    leaks += _leaks(ROOT / "book", (".md", ".yml", ".yaml", ".bib", ".csv", ".ipynb"), secret)
    leaks += _leaks(ROOT / "notebooks", (".ipynb",), secret)
    assert leaks == []


def test_scan_detects_a_leak(tmp_path):
    secret = secrets()
    one = sorted(s for s in secret if "score_ranking(" in s)[0]
    (tmp_path / "leak.md").write_text(f"an example:\n\n    {one}\n", encoding="utf-8")
    (tmp_path / "clean.md").write_text("nothing here\n", encoding="utf-8")
    assert len(_leaks(tmp_path, (".md",), secret)) >= 1
    assert all("leak.md" in x for x in _leaks(tmp_path, (".md",), secret))


def _load_config(monkeypatch, **env):
    from traitlets.config.loader import PyFileConfigLoader
    for k in ("PARTNERSHIP_DB_URL", "PARTNERSHIP_TIMEOUT", "PARTNERSHIP_COURSE_ID"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "autograder")).load_config()


def test_config_defaults_and_database_override(monkeypatch):
    cfg = _load_config(monkeypatch)
    assert cfg.CourseDirectory.course_id == "therapy-as-partnership"
    assert "db_url" not in cfg.CourseDirectory          # nbgrader's default: SQLite in the folder
    assert cfg.Execute.timeout == 30
    cfg = _load_config(monkeypatch, PARTNERSHIP_DB_URL="postgresql://u:p@db.example.org/tap",
                       PARTNERSHIP_TIMEOUT="12")
    assert cfg.CourseDirectory.db_url == "postgresql://u:p@db.example.org/tap"
    assert cfg.Execute.timeout == 12


def test_released_notebook_runs_for_a_learner(release, tmp_path):
    import nbclient
    import nbformat
    work = tmp_path / "empathy"
    shutil.copytree(release / "empathy", work)
    nb = nbformat.read(str(work / "empathy.ipynb"), as_version=4)
    nbclient.NotebookClient(nb, timeout=60, resources={"metadata": {"path": str(work)}}).execute()
    out = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            assert o["output_type"] != "error", (c.source, o)
            assert not (o["output_type"] == "stream" and o["name"] == "stderr"), c.source
            out.append(o.get("text", ""))
    text = "".join(out)
    assert "emp-g1: not answered yet" in text and "emp-t1: not answered yet" in text
    assert "3 of 3 widget items still need an answer" in text
    assert not (work / "my.partnership-answers.json").exists()
