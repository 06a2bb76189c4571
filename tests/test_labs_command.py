"""``partnership labs [DIR]``: the labs copied into the learner's own folder (the checkout's
files are never touched), chapter links that open the book's pages, and a save hook that never
stores a lab's live output or widget state."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from partnership.cli import main as cli_main
from partnership.commands import labs as cmd

ROOT = Path(__file__).resolve().parents[1]


def _sources(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in nb["cells"] if c["cell_type"] == "markdown")


def test_copies_every_lab_and_never_overwrites_a_learner_s_copy(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PARTNERSHIP_BOOK_URL", raising=False)
    before = {p.name: p.read_bytes() for p in (ROOT / "notebooks").iterdir()}
    dest = tmp_path / "my labs"
    assert cli_main(["labs", str(dest), "--no-start", "--book", "https://example.org/tap"]) == 0
    names = sorted(p.name for p in dest.glob("*.ipynb"))
    assert names == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    mine = dest / "03-empathy-lab.ipynb"
    nb = json.loads(mine.read_text())
    nb["cells"][0]["source"] = "My own notes.\n" + "".join(nb["cells"][0]["source"])
    mine.write_text(json.dumps(nb))
    assert cli_main(["labs", str(dest), "--no-start", "--book", "https://example.org/tap"]) == 0
    assert "My own notes." in _sources(mine)
    out = capsys.readouterr().out
    assert "0 copied" in out and "kept as they are" in out
    assert {p.name: p.read_bytes() for p in (ROOT / "notebooks").iterdir()} == before


def test_chapter_links_open_the_book_s_pages_not_raw_myst(tmp_path, monkeypatch):
    monkeypatch.delenv("PARTNERSHIP_BOOK_URL", raising=False)
    cli_main(["labs", str(tmp_path), "--no-start", "--book", "https://example.org/tap/"])
    text = _sources(tmp_path / "01-alliance-lab.ipynb")
    assert "](https://example.org/tap/book/ch02-working-alliance.html)" in text
    assert ".md)" not in text
    # with no book to link to, the words stay and the dead link goes
    monkeypatch.setattr(cmd, "BUILT_BOOK", tmp_path / "no-build")
    cli_main(["labs", str(tmp_path), "--no-start"])
    text = _sources(tmp_path / "01-alliance-lab.ipynb")
    assert "Read first: The working alliance." in text and "/book/" not in text


def test_the_local_build_is_served_beside_the_labs(tmp_path, monkeypatch):
    monkeypatch.delenv("PARTNERSHIP_BOOK_URL", raising=False)
    built = tmp_path / "html"
    (built / "book").mkdir(parents=True)
    (built / "index.html").write_text("<html></html>")
    monkeypatch.setattr(cmd, "BUILT_BOOK", built)
    base, serve = cmd.book_url(None, 8899)
    assert base == "http://127.0.0.1:8899/static" and serve == built
    command = cmd.jupyter_command(tmp_path, 8899, serve, no_browser=True)
    assert f"--ServerApp.extra_static_paths={built}" in command
    assert f"--ContentsManager.pre_save_hook={cmd.HOOK}" in command
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command


def test_refuses_the_project_s_own_notebooks_folder(tmp_path):
    with pytest.raises(SystemExit, match="inside the project's own notebooks"):
        cli_main(["labs", str(ROOT / "notebooks"), "--no-start"])


def test_save_hook_drops_live_outputs_and_widget_state():
    nb = json.loads((ROOT / "notebooks" / "04-mi-reflections-lab.ipynb").read_text())
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            c["outputs"] = [{"output_type": "display_data", "metadata": {},
                             "data": {"application/vnd.jupyter.widget-view+json":
                                      {"model_id": "x", "version_major": 2,
                                       "version_minor": 0}}}]
            c["execution_count"] = 3
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(code) >= 3                          # the lab, the MITI summary, progress
    model = {"type": "notebook", "content": nb}
    cmd.strip_live_outputs(model, path="04-mi-reflections-lab.ipynb", contents_manager=None)
    assert "widgets" not in nb["metadata"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    other = {"type": "file", "content": "text"}
    cmd.strip_live_outputs(other)                  # anything else is left alone
    assert other == {"type": "file", "content": "text"}


def test_hook_is_importable_by_name_as_jupyter_server_imports_it():
    from traitlets.utils.importstring import import_item
    assert import_item(cmd.HOOK) is cmd.strip_live_outputs
