"""The in-browser labs' site (JupyterLite under the built book's ``lite/``), checked as files:
what the page will load, and that nothing in it points at another host. The browser tests
(tests/test_browser_lite.py) run it."""
from __future__ import annotations

import hashlib
import json
import posixpath
import re
import zipfile
from pathlib import Path

import pytest

from partnership.book import litelabs
from partnership.learner.items import item_to_dict, practice_items

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lite(built_book) -> Path:
    proc, html = built_book
    if proc.returncode != 0:
        pytest.fail("the book did not build:\n" + (proc.stdout + proc.stderr)[-4000:],
                    pytrace=False)
    return html / litelabs.OUT_DIR


def _config(lite: Path) -> dict:
    data = json.loads((lite / "jupyter-lite.json").read_text(encoding="utf-8"))
    return data["jupyter-config-data"]


@pytest.mark.book
def test_kernel_uses_the_vendored_pyodide_and_only_this_site_s_wheels(lite):
    cfg = _config(lite)
    kernel = cfg["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True
    # the Notebook app lives two levels below the book's root, beside _static
    mjs = (lite / "notebooks" / kernel["pyodideUrl"]).resolve()
    assert mjs.name == "pyodide.mjs" and mjs.exists(), kernel["pyodideUrl"]
    assert "vendored/pyodide-" in kernel["pyodideUrl"]
    assert [u.split("?")[0] for u in kernel["pipliteUrls"]][0] == "./pypi/all.json"
    text = json.dumps(cfg)
    assert not re.search(r"https?://", text), re.findall(r"https?://[^\"']+", text)
    names = [e["name"] for e in cfg["federated_extensions"]]
    assert sorted(names) == ["@jupyter-widgets/jupyterlab-manager",
                             "@jupyterlite/pyodide-kernel-extension"]


@pytest.mark.book
def test_lock_file_lists_exactly_the_site_s_wheels_with_their_hashes(lite):
    lock = json.loads((lite / litelabs.PYPI / litelabs.LOCK).read_text(encoding="utf-8"))
    wheels = {p.name: p for p in (lite / litelabs.PYPI).glob("*.whl")}
    files = {p["file_name"]: p for p in lock["packages"].values()}
    assert set(files) == set(wheels)
    for name, spec in files.items():
        assert spec["sha256"] == hashlib.sha256(wheels[name].read_bytes()).hexdigest(), name
        assert set(spec["depends"]) <= set(lock["packages"]), name
    kernel = _config(lite)["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert set(kernel["loadPyodideOptions"]["packages"]) <= set(lock["packages"])
    # nothing heavy or for the grader: only what the labs need
    for heavy in ("numpy", "matplotlib", "pydantic", "pyyaml", "nbgrader", "scikit-learn",
                  "jupyterlab", "playwright", "widgetsnbextension"):
        assert heavy not in lock["packages"], heavy


@pytest.mark.book
def test_the_page_s_package_holds_the_learner_code_and_the_same_banks(lite):
    wheel = next((lite / litelabs.PYPI).glob("therapy_as_partnership-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        bundle = json.loads(zf.read("partnership/learner/banks/practice.json"))
        code = {n: zf.read(n).decode() for n in names if n.endswith(".py")}
    assert "partnership/learner/labs.py" in names and "partnership/coach/model.py" in names
    assert not any(n.startswith(("partnership/grader/", "partnership/commands/",
                                 "partnership/book/")) for n in names)
    assert not any(n.endswith((".yml", ".yaml")) for n in names)
    for name, src in code.items():
        assert not re.search(r"^\s*(import|from)\s+(pydantic|yaml)\b", src, re.M), name
    # the same items, field for field, as the labs read from the YAML banks in CPython
    assert bundle["items"] == [item_to_dict(i) for i in practice_items()]
    # the conversation lab: its code and the same clients, as JSON
    from partnership.learner.conversation.schema import parse_clients, shipped_clients
    assert "partnership/learner/conversation/widget.py" in names
    with zipfile.ZipFile(wheel) as zf:
        talk = json.loads(zf.read("partnership/learner/banks/conversations.json"))
    assert [c.to_dict() for c in parse_clients(talk)] == [c.to_dict() for c in shipped_clients()]


@pytest.mark.book
def test_lab_pages_embed_the_live_lab_and_no_page_asks_another_host(built_book):
    _, html = built_book
    for name in ("01-alliance-lab", "04-mi-reflections-lab", "07-conversation-lab"):
        page = (html / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        assert 'class="lite-lab-frame"' in page
        src = re.search(r'class="lite-lab-frame"[^>]*src="([^"]+)"', page, re.S) or \
            re.search(r'<iframe[^>]*src="([^"]+)"[^>]*lite-lab-frame', page, re.S)
        assert src, name
        url, _, query = src.group(1).partition("?")
        # the URL jupyterlite-sphinx's notebooklite directive makes: the Notebook app
        assert posixpath.normpath(url) == "../lite/notebooks/index.html", url
        assert query == f"path={name}.ipynb"
        assert (html / "notebooks" / url).resolve().exists()
        assert re.search(r'<script[^>]+integrity="sha384-[^"]+"[^>]+lite-lab\.js', page)
        assert "from partnership.learner.labs import lab" not in page   # no dead code cell
    for page in html.rglob("*.html"):
        if "lite" in page.relative_to(html).parts[:1]:
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        assert "fonts.googleapis.com" not in text, page
        assert "jupyterlite_sphinx" not in text, page


# what the kernel's worker (jupyterlite-pyodide-kernel 0.8.6, initKernel) installs with piplite
# before it imports the kernel, unless loadPyodideOptions.packages preloads it
KERNEL_NEEDS = ["ipykernel", "comm", "pyodide-kernel", "jedi", "ipython"]


def test_the_jedi_placeholder_is_metadata_only(tmp_path):
    """The page carries no Jedi (code completion only): an empty distribution under its name
    satisfies the kernel's worker, and ``import jedi`` still fails, so IPython's completer falls
    back as designed (it imports Jedi inside try/except ImportError)."""
    wheel = litelabs.placeholder_wheel(tmp_path, "jedi")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta = zf.read(next(n for n in names if n.endswith("/METADATA"))).decode()
    assert names and all(".dist-info/" in n for n in names), names
    assert "Name: jedi\n" in meta and "Requires-Dist" not in meta
    assert litelabs._wheel_metadata(wheel) == ([], [])          # no import names, no deps
    assert litelabs._wheel_name(wheel) == ("jedi", litelabs.PLACEHOLDERS["jedi"])
    # reproducible bytes, so the lock's hash is stable from build to build
    again = litelabs.placeholder_wheel(tmp_path / "again", "jedi")
    assert again.read_bytes() == wheel.read_bytes()
    # the real Jedi and Parso are not pinned for the page (a pin beside a placeholder is refused
    # by stage())
    assert not {"jedi", "parso"} & {name for name, _, _ in litelabs.pinned()}


def test_the_page_preloads_what_the_kernel_worker_would_otherwise_pip_install():
    """Leaving one of these out of the preload list makes the worker piplite-install it; for the
    jedi placeholder that means a second download, and for a package missing from the site (PyPI
    fallback disabled) a kernel that never starts."""
    cfg = json.loads((ROOT / "lite" / "jupyter-lite.json").read_text(encoding="utf-8"))
    data = cfg["jupyter-config-data"]
    kernel = data["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert set(KERNEL_NEEDS) <= set(kernel["loadPyodideOptions"]["packages"])
    # the labs show no mathematics: MathJax (about 0.9 MB, fetched when a widget's HTML is
    # typeset) stays off, which also keeps a "$" in an item's text from being read as maths
    assert "@jupyterlab/mathjax-extension:plugin" in data["disabledExtensions"]


@pytest.mark.book
def test_the_site_carries_the_placeholder_not_jedi(lite):
    lock = json.loads((lite / litelabs.PYPI / litelabs.LOCK).read_text(encoding="utf-8"))
    packages = lock["packages"]
    assert packages["jedi"]["version"] == litelabs.PLACEHOLDERS["jedi"]
    assert packages["jedi"]["imports"] == [] and packages["jedi"]["depends"] == []
    assert "parso" not in packages
    assert not list((lite / litelabs.PYPI).glob("parso-*.whl"))
    assert [p.name for p in (lite / litelabs.PYPI).glob("jedi-*.whl")] == \
        [packages["jedi"]["file_name"]]
    # IPython still depends on what it imports at start-up (prompt_toolkit through
    # IPython.terminal.embed, Pygments through IPython.core.oinspect)
    assert {"prompt-toolkit", "pygments", "stack-data"} <= set(packages["ipython"]["depends"])
    kernel = _config(lite)["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert set(KERNEL_NEEDS) <= set(kernel["loadPyodideOptions"]["packages"])
