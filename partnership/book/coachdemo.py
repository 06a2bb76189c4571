"""``{coach-demo}``: the reflection coach, live in the static book page.

The directive renders a plain HTML form (two labelled text areas, a button, a status line and a
result region that screen readers announce). The button is a plain (non-submit) button, disabled
until the script has loaded, so the form can never send what was typed anywhere, with or
without JavaScript. ``book/_static/coach-demo.js`` runs the coach in
the reader's browser with Pyodide, the WebAssembly CPython vendored in
``book/_static/vendored/`` (loaded only when the reader asks for a check). The coach's own
Python files and weights are copied into the built site's ``_static/coach-py/`` with a
manifest, so the page runs exactly the code that the labs run. No kernel, no install, and no
request to any other host: what the reader types never leaves the page.

The options (all optional) set the example the form starts with::

    ```{coach-demo}
    :client: I know I should cut down, but a drink is the only thing that helps me unwind.
    ```
"""
from __future__ import annotations

import hashlib
import html
import json
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

import partnership

PYODIDE_DIR = "vendored/pyodide-314.0.7"   # under _static; see its README.txt
JS_FILE = "coach-demo.js"
PY_DIR = "coach-py"                          # under _static in the built site
PACKAGE = Path(partnership.__file__).resolve().parent
# What the coach needs at run time; nothing else of the package is shipped to the page.
SHIPPED = ["__init__.py", "coach/__init__.py", "coach/features.py", "coach/model.py",
           "coach/predict.py", "coach/rules.py", "coach/feedback.py", "coach/summary.py",
           "coach/coach_model.npz"]

DEFAULT_CLIENT = ("I know I should cut down, but after a long shift a drink is the only thing "
                  "that helps me switch off.")


class coach_demo(nodes.General, nodes.Element):
    pass


class CoachDemo(SphinxDirective):
    has_content = False
    option_spec = {"client": directives.unchanged}

    def run(self):
        n = self.env.new_serialno("coach-demo")
        node = coach_demo()
        node["client"] = self.options.get("client", DEFAULT_CLIENT)
        node["ident"] = f"coach-demo-{n}"
        self.env.metadata[self.env.docname]["coach_demo"] = True
        return [node]


def visit_html(self, node):
    i = node["ident"]
    client = html.escape(node["client"])
    self.body.append(f"""
<form class="coach-demo" id="{i}" data-pyodide="{PYODIDE_DIR}/" data-coach="{PY_DIR}/"
 data-manifest-sha256="{hashlib.sha256(manifest_text().encode()).hexdigest()}"
 action="#" onsubmit="return false;">
<fieldset>
<legend>Try the reflection coach</legend>
<p class="coach-demo-note">The coach runs inside this page: nothing you type leaves your
computer. The first check loads the coach (about 15 MB), which takes a few seconds.</p>
<label for="{i}-client">What the client said</label>
<textarea id="{i}-client" name="client" rows="3">{client}</textarea>
<label for="{i}-response">What you would say back</label>
<textarea id="{i}-response" name="response" rows="3"
 placeholder="For example: It sounds like..."></textarea>
<button type="button" class="btn btn-primary" disabled>Check my response</button>
</fieldset>
<p class="coach-demo-status" role="status"></p>
<div class="coach-demo-result" aria-live="polite"></div>
<noscript><p>The coach needs JavaScript. You can also run it in the practice labs
(JupyterLab) or with <code>partnership coach</code>.</p></noscript>
</form>
""")
    raise nodes.SkipNode


def _skip(self, node):
    raise nodes.SkipNode


STATIC = Path(__file__).resolve().parents[2] / "book" / "_static"


def shipped_files() -> list[Path]:
    files: list[Path] = []
    for pattern in SHIPPED:
        files += sorted(PACKAGE.glob(pattern))
    return files


def copy_shipped(out: Path) -> dict[str, str]:
    """Copy the coach's run-time files to ``out/partnership/...``; return each one's path
    (relative to ``out``) with its SHA-256. The page and the WebAssembly test both run exactly
    this set."""
    files = {}
    for src in shipped_files():
        rel = Path("partnership") / src.relative_to(PACKAGE)
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, out / rel)
        files[rel.as_posix()] = hashlib.sha256(src.read_bytes()).hexdigest()
    return files


def copy_coach(app, exception):
    """Copy the coach's run-time files and a manifest into the built site's _static."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir) / "_static" / PY_DIR
    if out.exists():
        shutil.rmtree(out)
    # the content hashes let the page ask for each file by version (no stale mix of old and
    # new modules after the book is rebuilt) and refuse a file that does not match (tampered)
    files = copy_shipped(out)
    text = manifest_text()
    assert json.loads(text)["sha256"] == files
    (out / "manifest.json").write_text(text, encoding="utf-8")


def manifest_text() -> str:
    """The manifest of the coach's files; the page carries its SHA-256, so the script can
    refuse a manifest (and through it any file) that is not the build's."""
    files = {(Path("partnership") / f.relative_to(PACKAGE)).as_posix():
             hashlib.sha256(f.read_bytes()).hexdigest() for f in shipped_files()}
    return json.dumps({"version": partnership.__version__, "files": sorted(files),
                       "sha256": files}, indent=1)


def add_integrity(app, pagename, templatename, context, doctree):
    """Pages with the form load its script with a subresource-integrity hash."""
    if app.env.metadata.get(pagename, {}).get("coach_demo"):
        app.add_js_file(JS_FILE, loading_method="defer", integrity=_sri(STATIC / JS_FILE))


def _sri(path: Path) -> str:
    import base64
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def setup(app):
    app.add_node(coach_demo, html=(visit_html, None), latex=(_skip, None),
                 text=(_skip, None), man=(_skip, None), texinfo=(_skip, None))
    app.add_directive("coach-demo", CoachDemo)
    app.connect("html-page-context", add_integrity)
    app.connect("build-finished", copy_coach)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
