"""The practice labs, live in the published book: JupyterLite with the Pyodide kernel, offline.

A Sphinx extension (loaded by ``_config.yml``) on top of the ecosystem's pieces:

- ``jupyterlite-sphinx`` builds the JupyterLite site into ``_build/html/lite`` at the end of the
  book build (its ``build-finished`` hook runs ``jupyter lite build``), with the Notebook app, the
  Pyodide kernel (``jupyterlite-pyodide-kernel``) and the widget manager (``jupyterlab_widgets``)
  as the only federated extensions (``lite/jupyter_lite_config.json``);
- the kernel runs on the Pyodide vendored for the book (``book/_static/vendored/pyodide-*``, shared
  with the in-page coach) instead of its default CDN (``lite/jupyter-lite.json``);
- every wheel the kernel loads comes from the site itself: the pinned wheels of
  ``lite/requirements.txt`` (downloaded by pip at install time, :func:`fetch`), the kernel's own
  wheels, and a wheel of this package's learner code (:func:`package_wheel`), indexed for piplite
  (``pipliteUrls``, ``disablePyPIFallback``) and listed in a lock file written here
  (:func:`write_lock`) that ``loadPyodide`` reads instead of Pyodide's own, whose 357 packages are
  not on this site. Writing the lock ourselves is why the build needs no ``pyodide-lock`` (which
  requires Python >= 3.12): see ``lite/README.md``;
- Jedi (1.6 MB with Parso, code completion only) is left out: the kernel's worker insists on a
  package named ``jedi``, so the site carries an empty placeholder under that name
  (:func:`placeholder_wheel`), and IPython, which imports Jedi inside ``try/except
  ImportError``, runs without completion, as designed.

Each lab page of the book keeps its text; the notebook's lab cell (tagged ``partnership-lab``)
becomes the live lab: an iframe of the JupyterLite Notebook app on a notebook holding only that
cell, driven by ``book/_static/lite-lab.js`` (runs the cell when the page opens, shows only the
lab's output, says what is happening). The answers file lives in the browser's storage for the
site (JupyterLite's contents, reached from Python through the kernel's ``/drive``).

``python -m partnership.book.litelabs fetch`` downloads the pinned wheels; ``... check`` verifies
them; ``... stage DIR`` prepares a lite directory without Sphinx (tests, benchmarks).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import partnership

PACKAGE = Path(partnership.__file__).resolve().parent
REPO = PACKAGE.parent
LITE_SRC = REPO / "lite"                       # the committed configuration
REQUIREMENTS = LITE_SRC / "requirements.txt"   # the in-browser environment, pinned with hashes
WHEELS = LITE_SRC / "wheels"                   # pip downloads them here (git-ignored)
OUT_DIR = "lite"                               # the JupyterLite site, under the book's HTML
PYPI = "pypi"                                  # where the site's wheels and lock file live
LOCK = "pyodide-lock.json"
LAB_TAG = "partnership-lab"                    # the notebook cell that shows a lab
DIST = "therapy-as-partnership"                # this package's wheel in the page
#: Packages that jupyterlite-pyodide-kernel's worker installs before it starts the kernel (or finds
#: preloaded) although the labs never use them. The worker (0.8.6, ``initKernel``) runs
#: ``piplite.install("jedi")`` unless ``jedi`` is among ``loadPyodideOptions.packages``; with no
#: ``jedi`` on the site and no PyPI fallback that install fails and the kernel never starts. Jedi
#: only serves code completion, which IPython imports inside ``try/except ImportError``
#: (``IPython/core/completer.py``), and a lab view has no code to complete; so the site carries,
#: under that name, a placeholder: a distribution with metadata and no module (a few hundred
#: bytes instead of 1.6 MB of Jedi and Parso, and no Jedi import while the kernel starts).
PLACEHOLDERS = {"jedi": "0+omitted"}
NOTEBOOKS = REPO / "notebooks"
JS_FILE = "lite-lab.js"
#: What the page's Python imports from this package (and nothing else of it): the learner's
#: code, the coach, the conversation lab, and the banks (practice items and conversation clients)
#: as validated JSON (no pydantic, no YAML in the browser).
RUNTIME = ["__init__.py", "learner/__init__.py", "learner/items.py", "learner/scoring.py",
           "learner/store.py", "learner/labs.py", "learner/progress.py", "learner/transfer.py",
           # the conversation lab (its clients go in as JSON, see package_wheel)
           "learner/files.py", "learner/conversation/__init__.py", "learner/conversation/engine.py",
           "learner/conversation/schema.py", "learner/conversation/summary.py",
           "learner/conversation/guidance.py", "learner/conversation/widget.py"]


class LiteBuildError(RuntimeError):
    """The in-browser labs cannot be built; the message says what is missing and how to get it."""


# ---------------------------------------------------------------------------- wheels

def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned() -> list[tuple[str, str, str]]:
    """(name, version, sha256) for each line of lite/requirements.txt."""
    out = []
    for n, line in enumerate(REQUIREMENTS.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)\s+--hash=sha256:([0-9a-f]{64})", line)
        if not m:
            raise LiteBuildError(f"{REQUIREMENTS}:{n}: expected 'name==version "
                                 f"--hash=sha256:HEX', found {line!r}")
        out.append((canonical(m.group(1)), m.group(2), m.group(3)))
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _wheel_name(path: Path) -> tuple[str, str]:
    parts = path.name[:-len(".whl")].split("-")
    return canonical(parts[0]), parts[1]


def cached_wheels(folder: Path = WHEELS) -> tuple[list[Path], list[str]]:
    """The pinned wheels found in ``folder`` with the right hash, and what is missing."""
    have = {}
    if folder.is_dir():
        for p in folder.glob("*.whl"):
            have[_wheel_name(p)] = p
    found, missing = [], []
    for name, version, sha in pinned():
        p = have.get((name, version))
        if p is None or _sha256(p) != sha:
            missing.append(f"{name}=={version}")
        else:
            found.append(p)
    return found, missing


def fetch(folder: Path = WHEELS) -> list[Path]:
    """Download the pinned wheels with pip (hash-checked) unless they are all there already."""
    found, missing = cached_wheels(folder)
    if not missing:
        return found
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--require-hashes", "--python-version", "3.14", "--implementation", "py",
           "--abi", "none", "--platform", "any", "-r", str(REQUIREMENTS), "-d", str(folder)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    found, missing = cached_wheels(folder)
    if missing:
        raise LiteBuildError(
            f"the in-browser labs need {len(missing)} pinned wheel(s) that are not in {folder} "
            f"({', '.join(missing[:4])}...); pip download said:\n{proc.stderr[-2000:]}\n"
            f"Run `python -m partnership.book.litelabs fetch` where PyPI can be reached.")
    return found


def kernel_extension_dir() -> Path:
    """The installed labextension of jupyterlite-pyodide-kernel (it carries the kernel's own
    wheels: piplite, pyodide-kernel and the ipykernel shim)."""
    from jupyter_core.paths import jupyter_path
    for root in jupyter_path("labextensions"):
        p = Path(root) / "@jupyterlite" / "pyodide-kernel-extension"
        if (p / "package.json").exists():
            return p
    raise LiteBuildError("jupyterlite-pyodide-kernel is not installed "
                         "(pip install -r requirements.txt)")


def widgets_extension_dir() -> Path:
    from jupyter_core.paths import jupyter_path
    for root in jupyter_path("labextensions"):
        p = Path(root) / "@jupyter-widgets" / "jupyterlab-manager"
        if (p / "package.json").exists():
            return p
    raise LiteBuildError("jupyterlab_widgets is not installed (pip install -r requirements.txt)")


def kernel_wheels() -> list[Path]:
    pypi = kernel_extension_dir() / "static" / "pypi"
    wanted = ("piplite-", "pyodide_kernel-", "ipykernel-")
    out = sorted(p for p in pypi.glob("*.whl") if p.name.startswith(wanted))
    if len(out) != len(wanted):
        raise LiteBuildError(f"{pypi}: expected the kernel's wheels {wanted}, found "
                             f"{[p.name for p in out]}")
    return out


def runtime_files() -> list[Path]:
    from partnership.book.coachdemo import shipped_files
    files = [PACKAGE / f for f in RUNTIME]
    return files + [f for f in shipped_files() if f not in files]


def bank_bundle() -> tuple[bytes, dict[str, str]]:
    """The shipped banks, validated by the schema (pydantic, here at build time), as the JSON
    bundle the in-browser labs read; and the sha256 of each YAML file it came from."""
    import tempfile

    from partnership.learner.items import BankError, write_bundle
    from partnership.learner.schema import bank_files, load_banks
    items, errors = load_banks()
    if errors:
        raise BankError("\n".join(errors))
    sources = {p.name: _sha256(p) for p in bank_files()}
    with tempfile.TemporaryDirectory() as tmp:
        path = write_bundle(Path(tmp) / "practice.json", items, sources)
        return path.read_bytes(), sources


def package_wheel(folder: Path) -> Path:
    """A pure-Python wheel of what the page needs from this package (see RUNTIME)."""
    version = partnership.__version__
    dist = DIST.replace("-", "_")
    name = f"{dist}-{version}-py3-none-any.whl"
    info = f"{dist}-{version}.dist-info"
    bundle, _ = bank_bundle()
    entries: list[tuple[str, bytes]] = []
    for src in runtime_files():
        entries.append(("partnership/" + src.relative_to(PACKAGE).as_posix(), src.read_bytes()))
    entries.append(("partnership/learner/banks/practice.json", bundle))
    from partnership.learner.conversation.schema import BUNDLE as TALK, bundle_bytes
    entries.append((f"partnership/learner/banks/{TALK.name}", bundle_bytes()))
    entries.append((f"{info}/METADATA", (f"Metadata-Version: 2.1\nName: {DIST}\n"
                                         f"Version: {version}\nSummary: the learner's code of "
                                         f"Therapy as Partnership, for the in-browser labs\n"
                                         f"Requires-Dist: ipywidgets\n"
                                         ).encode()))
    entries.append((f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: partnership.book."
                                     b"litelabs\nRoot-Is-Purelib: true\nTag: py3-none-any\n"))
    return _write_wheel(folder / name, info, entries)


def _write_wheel(out: Path, info: str, entries: list[tuple[str, bytes]]) -> Path:
    """Write a wheel of ``entries`` plus its RECORD, with reproducible bytes."""
    entries = list(entries)
    record = []
    for arc, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arc},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    entries.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode()))
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for arc, data in entries:
            zi = zipfile.ZipInfo(arc, date_time=(2020, 1, 1, 0, 0, 0))  # reproducible bytes
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, data)
    return out


def placeholder_wheel(folder: Path, name: str) -> Path:
    """An empty distribution called ``name`` (see PLACEHOLDERS): metadata only, no module, so
    that ``import name`` still fails (ImportError) wherever the code guards it."""
    version = PLACEHOLDERS[name]
    dist = canonical(name).replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    meta = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: placeholder: "
            f"{name} is left out of the in-browser labs (see partnership/book/litelabs.py)\n")
    entries = [(f"{info}/METADATA", meta.encode()),
               (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: partnership.book.litelabs\n"
                                 b"Root-Is-Purelib: true\nTag: py3-none-any\n")]
    return _write_wheel(folder / f"{dist}-{version}-py3-none-any.whl", info, entries)


def _wheel_metadata(path: Path) -> tuple[list[str], list[str]]:
    """(top-level import names, required distributions without extras or markers that need
    another platform) of a wheel."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = zf.read(meta_name).decode("utf-8", "replace")
        top = [n for n in names if n.endswith(".dist-info/top_level.txt")]
        if top:
            imports = [x.strip() for x in zf.read(top[0]).decode().splitlines() if x.strip()]
        else:
            imports = sorted({n.split("/")[0].removesuffix(".py") for n in names
                              if not n.split("/")[0].endswith((".dist-info", ".data"))})
    requires = []
    for line in meta.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        req, _, marker = line[len("Requires-Dist:"):].partition(";")
        if "extra" in marker or "win32" in marker or "python_version < " in marker:
            continue
        requires.append(canonical(re.split(r"[\s<>=!~\[(]", req.strip(), maxsplit=1)[0]))
    return imports, requires


def write_lock(pypi: Path, wheels: list[Path]) -> Path:
    """A Pyodide lock file listing exactly ``wheels`` (all in ``pypi``), with their sha256
    (loadPyodide refuses a wheel whose hash differs) and their dependencies among them (a
    requirement on something not in the page, such as widgetsnbextension, which only matters to
    a classic Notebook server, is left out, as Pyodide's own lock does)."""
    vendored = json.loads((REPO / "book" / pyodide_dir() / LOCK)
                          .read_text(encoding="utf-8"))
    metas = {}
    for w in wheels:
        name, version = _wheel_name(w)
        metas[name] = (w, version, *_wheel_metadata(w))
    packages = {}
    for name, (w, version, imports, requires) in sorted(metas.items()):
        packages[name] = {
            "name": name, "version": version, "file_name": w.name, "install_dir": "site",
            "sha256": _sha256(w), "package_type": "package", "imports": imports,
            "depends": sorted({r for r in requires if r in metas and r != name}),
            "unvendored_tests": False, "shared_library": False}
    lock = {"info": vendored["info"], "packages": packages}
    out = pypi / LOCK
    out.write_text(json.dumps(lock, indent=1, sort_keys=True), encoding="utf-8")
    return out


def pyodide_dir() -> str:
    from partnership.book.coachdemo import PYODIDE_DIR
    return f"_static/{PYODIDE_DIR}"


# ---------------------------------------------------------------------------- staging

def lab_notebooks() -> dict[str, dict]:
    """{file name: notebook JSON} for the page: each lab notebook cut down to its tagged lab
    cell(s), outputs cleared, with the Pyodide kernel's spec."""
    out = {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = [c for c in nb["cells"] if c["cell_type"] == "code"
                 and LAB_TAG in c.get("metadata", {}).get("tags", [])]
        if not cells:
            continue
        for c in cells:
            c["outputs"], c["execution_count"] = [], None
        nb["cells"] = cells
        nb["metadata"] = {"kernelspec": {"name": "python", "display_name": "Python (Pyodide)",
                                         "language": "python"},
                          "language_info": {"name": "python"}}
        out[path.name] = nb
    return out


def stage(lite_dir: Path, contents: Path) -> dict:
    """Prepare a JupyterLite project folder: its configuration (from lite/), the wheels in
    ``lite_dir/pypi`` (copied and indexed by the piplite addon), and the lab notebooks in
    ``contents``. Returns what the build needs to know."""
    if lite_dir.exists():
        shutil.rmtree(lite_dir)
    (lite_dir / PYPI).mkdir(parents=True)
    for name in ("jupyter-lite.json", "overrides.json"):
        shutil.copyfile(LITE_SRC / name, lite_dir / name)
    config = json.loads((LITE_SRC / "jupyter_lite_config.json").read_text(encoding="utf-8"))
    # the only federated extensions in the page: the kernel and the widget manager (not every
    # JupyterLab extension installed in this Python, e.g. nbgrader's)
    config["LiteBuildConfig"]["federated_extensions"] = [str(kernel_extension_dir()),
                                                         str(widgets_extension_dir())]
    (lite_dir / "jupyter_lite_config.json").write_text(json.dumps(config, indent=1),
                                                       encoding="utf-8")
    wheels = fetch() + kernel_wheels()
    clash = sorted({_wheel_name(w)[0] for w in wheels} & set(PLACEHOLDERS))
    if clash:
        raise LiteBuildError(f"{REQUIREMENTS}: {', '.join(clash)} is pinned there and also "
                             f"replaced by a placeholder (PLACEHOLDERS in {__file__}): keep one")
    for w in wheels:
        shutil.copyfile(w, lite_dir / PYPI / w.name)
    own = [package_wheel(lite_dir / PYPI)]
    own += [placeholder_wheel(lite_dir / PYPI, name) for name in sorted(PLACEHOLDERS)]
    if contents.exists():
        shutil.rmtree(contents)
    contents.mkdir(parents=True)
    notebooks = lab_notebooks()
    for name, nb in notebooks.items():
        (contents / name).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return {"wheels": [lite_dir / PYPI / w.name for w in wheels] + own,
            "notebooks": sorted(notebooks)}


def finish(site: Path) -> Path:
    """After ``jupyter lite build``: write the lock file beside the site's wheels."""
    pypi = site / PYPI
    wheels = sorted(pypi.glob("*.whl"))
    if not wheels:
        raise LiteBuildError(f"{pypi}: no wheels (did the piplite addon run?)")
    return write_lock(pypi, wheels)


def build_site(out: Path, work: Path) -> Path:
    """Build the JupyterLite site into ``out`` without Sphinx (tests, benchmarks): the same
    staging and lock as the book build, then ``jupyter lite build``."""
    lite_dir, contents = work / "lite-src", work / "lite-contents"
    stage(lite_dir, contents)
    cmd = [sys.executable, "-m", "jupyter", "lite", "build", "--contents", str(contents),
           "--output-dir", str(out), "--lite-dir", str(lite_dir)]
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    if proc.returncode != 0:
        raise LiteBuildError("jupyter lite build failed:\n" + proc.stdout[-3000:]
                             + proc.stderr[-3000:])
    finish(out)
    return out


# ---------------------------------------------------------------------------- Sphinx

def _staging(app) -> tuple[Path, Path]:
    root = Path(app.outdir).parent / "jupyterlite"
    return root / "lite-src", root / "contents"


def configure(app, config):
    """Point jupyterlite-sphinx at the staged project (runs before its own config hook)."""
    lite_dir, contents = _staging(app)
    lite_dir.mkdir(parents=True, exist_ok=True)
    config.jupyterlite_dir = str(lite_dir)
    config.jupyterlite_content_dir = str(contents)    # absolute: outside the source tree
    config.jupyterlite_config = str(lite_dir / "jupyter_lite_config.json")
    config.jupyterlite_overrides = str(lite_dir / "overrides.json")
    config.jupyterlite_bind_ipynb_suffix = False      # myst-nb renders the notebooks


def prepare(app):
    if app.builder.format != "html":
        return
    lite_dir, contents = _staging(app)
    app.env.partnership_lite = stage(lite_dir, contents)


def finish_build(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    finish(Path(app.outdir) / OUT_DIR)


def _drop_jupyterlite_sphinx_assets(app):
    """jupyterlite-sphinx adds to every page of the book a stylesheet from fonts.googleapis.com
    (a logo font), its own CSS and its JS (for directives this book does not use): drop all
    three, so no page asks another host and pages without a lab carry nothing extra."""
    def keep(name) -> bool:
        name = str(name)
        return not (name.startswith(("http://", "https://")) or "jupyterlite_sphinx" in name)
    reg = app.registry
    reg.css_files = [(f, a) for f, a in reg.css_files if keep(f)]
    reg.js_files = [(f, a) for f, a in reg.js_files if keep(f)]


def setup(app):
    from partnership.book import litepage
    app.setup_extension("jupyterlite_sphinx")
    _drop_jupyterlite_sphinx_assets(app)
    app.connect("config-inited", configure, priority=100)
    app.connect("builder-inited", prepare)
    app.connect("build-finished", finish_build, priority=900)   # after jupyterlite-sphinx
    litepage.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv=None) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m partnership.book.litelabs",
                                 description="the in-browser labs' wheels and site")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("fetch", help="download the pinned wheels of lite/requirements.txt (pip)")
    sub.add_parser("check", help="say whether every pinned wheel is downloaded")
    b = sub.add_parser("build", help="build the JupyterLite site alone (no book) into OUT")
    b.add_argument("out", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "fetch":
        print(f"{len(fetch())} pinned wheels in {WHEELS}")
        return 0
    if args.cmd == "check":
        found, missing = cached_wheels()
        print(f"{len(found)} pinned wheels present; missing: {', '.join(missing) or 'none'}")
        return 1 if missing else 0
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        build_site(args.out.resolve(), Path(tmp))
    print(f"JupyterLite site in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
