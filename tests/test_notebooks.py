"""The practice notebooks: thin, linked to the book, and every one executes without error.

They run in a temporary copy of notebooks/, so no answers file is left in the repository.
(`pytest --nbval-lax notebooks/` works too, from a scratch copy for the same reason.)
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from partnership.learner.schema import SKILLS

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))


def test_one_start_here_and_one_lab_per_skill():
    names = [p.name for p in NOTEBOOKS]
    assert names[0] == "00-start-here.ipynb"
    sources = {p.name: p.read_text(encoding="utf-8") for p in NOTEBOOKS}
    for skill in SKILLS:
        labs = [n for n, s in sources.items() if f"lab({skill!r})" in s.replace('\\"', '"')
                or f'lab(\\"{skill}\\")' in s]
        assert len(labs) == 1, f"{skill}: {labs}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin_and_clean(path):
    # every cell carries its own id on disk (nbformat 4.5; reading would add missing ones
    # silently, with a warning that later nbformat versions turn into an error)
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert all("id" in cell for cell in raw["cells"]), "a cell has no id"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            lines = [ln for ln in cell.source.splitlines() if ln.strip()]
            assert 1 <= len(lines) <= 2, cell.source
            assert cell.outputs == [] and cell.execution_count is None, "commit without outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_links_resolve(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    links = re.findall(r"\]\(([^)#\s]+)\)", text)
    assert links
    for link in links:
        if "://" in link:
            continue
        assert (path.parent / link).resolve().exists(), f"{path.name}: broken link {link}"


@pytest.mark.slow
def test_every_notebook_executes(tmp_path):
    from nbclient import NotebookClient
    work = tmp_path / "notebooks"
    shutil.copytree(NB_DIR, work)
    before = set(NB_DIR.iterdir())
    for path in sorted(work.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=180, kernel_name="python3",
                       resources={"metadata": {"path": str(work)}}).execute()
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                  if o.output_type == "error"]
        assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
        if "-lab" in path.name:
            mimes = {k for c in nb.cells for o in c.get("outputs", []) for k in o.get("data", {})}
            assert "application/vnd.jupyter.widget-view+json" in mimes, path.name
    assert set(NB_DIR.iterdir()) == before, "a notebook run left files in notebooks/"
