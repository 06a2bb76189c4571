"""``{conversation-demo}``: the conversation lab, live in the static book page.

The directive renders a plain HTML form: a client picker (with who each client is), a
transcript region, a text box with Send and Finish buttons, a setting for when the coach's
codes are shown, a status line, a polite live region that reads out each reply once, and a
place for the summary. Buttons are plain (non-submit) buttons, disabled until the script runs,
so nothing typed can be sent anywhere, with or without JavaScript.

``book/_static/conversation-demo.js`` runs the same engine as the JupyterLab lab
(:mod:`partnership.learner.conversation`, with the reflection coach) in the reader's browser on
the vendored Pyodide, loaded when the reader starts a conversation. No kernel, no install, and
no request to another host. Every file the page loads is checked against the book's build:

- the script and its stylesheet carry subresource-integrity hashes (SHA-384);
- the page carries the SRI hash of ``_static/conversation-py/manifest.json``, which lists the
  SRI hash of every other file: the engine's and the coach's Python files and weights,
  ``clients.json`` (the conversation banks, validated, as JSON: Pyodide has no PyYAML) and
  Pyodide's own files (its two JavaScript modules, imported from checked bytes, and the
  WebAssembly binary, standard library and lock file, fetched and checked before Pyodide starts
  and handed to it from those bytes; any other request it makes while starting is refused).
  The browser refuses any file that does not match, and the page says the lab cannot run.

The reader's conversation is kept in their own browser (localStorage), so a reload carries on
where they left off; nothing leaves the page.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import partnership
from partnership.book import coachdemo

logger = logging.getLogger(__name__)

JS_FILE = "conversation-demo.js"
CSS_FILE = "conversation-demo.css"
PY_DIR = "conversation-py"                     # under _static in the built site
PYODIDE_DIR = coachdemo.PYODIDE_DIR            # the same vendored Pyodide as the coach
PACKAGE = coachdemo.PACKAGE
STATIC = Path(__file__).resolve().parents[2] / "book" / "_static"
#: the engine's run-time files (the coach's come from coachdemo.SHIPPED); never the widget
CONVERSATION = ["__init__.py", "learner/__init__.py", "learner/files.py",
                "learner/conversation/__init__.py",
                "learner/conversation/schema.py", "learner/conversation/engine.py",
                "learner/conversation/summary.py", "learner/conversation/guidance.py",
                "learner/conversation/page.py"]
CLIENTS = "clients.json"
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json")


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def shipped_files() -> list[Path]:
    files = list(coachdemo.shipped_files())
    for rel in CONVERSATION:
        p = PACKAGE / rel
        if p not in files:
            files.append(p)
    return files


def clients_json() -> bytes:
    """The shipped conversation banks, validated, as one bank in JSON."""
    from partnership.learner.conversation.schema import bundle_bytes
    return bundle_bytes()


def payload() -> dict[str, bytes]:
    """Every file the page loads from ``_static/conversation-py/``, by its path there."""
    out = {(Path("partnership") / f.relative_to(PACKAGE)).as_posix(): f.read_bytes()
           for f in shipped_files()}
    out[CLIENTS] = clients_json()
    return out


def manifest_text(files: dict[str, bytes] | None = None) -> str:
    """The manifest (SRI hashes of every file, Pyodide's included); the page carries its own
    hash, so a file that is not the build's is refused."""
    from partnership.learner.conversation.engine import ENGINE_VERSION
    files = payload() if files is None else files
    vendored = STATIC / PYODIDE_DIR
    return json.dumps({"version": partnership.__version__, "engine": ENGINE_VERSION,
                       "files": {rel: sri(b) for rel, b in sorted(files.items())},
                       "pyodide": {n: sri((vendored / n).read_bytes()) for n in PYODIDE_FILES}},
                      indent=1, sort_keys=True)


class conversation_demo(nodes.General, nodes.Element):
    pass


class ConversationDemo(SphinxDirective):
    has_content = False

    def run(self):
        n = self.env.new_serialno("conversation-demo")
        node = conversation_demo()
        node["ident"] = f"conversation-demo-{n}"
        self.env.metadata[self.env.docname]["conversation_demo"] = True
        return [node]


def _risk_links(translator) -> str:
    from partnership.learner.conversation.guidance import RISK_READING
    builder = translator.builder
    links = []
    for doc, title, anchor in RISK_READING:
        if doc not in builder.env.all_docs:
            logger.warning(f"conversation-demo: the risk note links to {doc!r}, which is not a "
                           f"page of this book (partnership/learner/conversation/guidance.py)",
                           location=translator.builder.current_docname)
            continue
        href = builder.get_relative_uri(builder.current_docname, doc)
        if anchor:
            href += "#" + anchor
        href = href or "#"                     # this very page: its top
        links.append(f"<li><a href='{html.escape(href)}'>{html.escape(title)}</a></li>")
    return "<ul>" + "".join(links) + "</ul>"


def visit_html(self, node):
    from partnership.learner.conversation.guidance import HOW_IT_WORKS
    from partnership.learner.conversation.schema import shipped_clients
    i = node["ident"]
    clients = shipped_clients()
    options = "".join(f"<option value='{html.escape(c.id)}'>{html.escape(c.title)}</option>"
                      for c in clients)
    about = "".join(
        f"<div class='conversation-demo-about' data-client='{html.escape(c.id)}'"
        f"{'' if k == 0 else ' hidden'}><p><strong>{html.escape(c.title)}.</strong> "
        f"{html.escape(c.role)}</p><p>{html.escape(c.about)}</p>"
        + (f"<p><em>Content note: {html.escape(c.content_note)}</em></p>" if c.content_note
           else "") + "</div>" for k, c in enumerate(clients))
    integrity = sri(manifest_text().encode("utf-8"))
    self.body.append(f"""
<form class="conversation-demo" id="{i}" data-pyodide="{PYODIDE_DIR}/" data-files="{PY_DIR}/"
 data-manifest-integrity="{integrity}" action="#" onsubmit="return false;">
<p class="conversation-demo-how">{html.escape(HOW_IT_WORKS)}</p>
<p class="conversation-demo-note">It runs inside this page: nothing you type leaves your
computer, and your conversation is kept in this browser only. Starting the first conversation
loads the client and the coach (about 15 MB), which takes a few seconds.</p>
<fieldset>
<legend>Choose a client</legend>
<label for="{i}-client">Client</label>
<select id="{i}-client" name="client">{options}</select>
{about}
<button type="button" class="btn btn-primary conversation-demo-start" disabled>Start the
conversation</button>
</fieldset>
<div class="conversation-demo-log" role="region" aria-label="The conversation so far"
 tabindex="0"></div>
<p class="conversation-demo-live" role="status" aria-live="polite"></p>
<div class="conversation-demo-risk" role="note" hidden><p></p>
<p>Read more in the book:</p>{_risk_links(self)}</div>
<p class="conversation-demo-progress"></p>
<label for="{i}-turn">Your turn</label>
<textarea id="{i}-turn" name="turn" rows="3" aria-describedby="{i}-keys"
 placeholder="Write what you would say to the client" disabled></textarea>
<p id="{i}-keys" class="conversation-demo-keys">Enter sends your turn; Shift+Enter starts a
new line.</p>
<div class="conversation-demo-buttons">
<button type="button" class="btn btn-primary conversation-demo-send" disabled>Send</button>
<button type="button" class="btn btn-secondary conversation-demo-finish" disabled>Finish and
see my summary</button>
</div>
<p><input type="checkbox" id="{i}-codes" name="codes" checked>
<label for="{i}-codes">Show the coach's code of each of my turns after the reply (untick to
see the codes only at the end)</label></p>
<p class="conversation-demo-status" role="status"></p>
<div class="conversation-demo-summary"></div>
<noscript><p>The conversation lab needs JavaScript here. You can also run it in JupyterLab:
the practice lab <code>07-conversation-lab</code>.</p></noscript>
</form>
""")
    raise nodes.SkipNode


def _skip(self, node):
    raise nodes.SkipNode


def add_assets(app, pagename, templatename, context, doctree):
    """Pages with the form load its script and stylesheet, each with an SRI hash."""
    if app.env.metadata.get(pagename, {}).get("conversation_demo"):
        app.add_js_file(JS_FILE, loading_method="defer",
                        integrity=sri((STATIC / JS_FILE).read_bytes()))
        app.add_css_file(CSS_FILE, integrity=sri((STATIC / CSS_FILE).read_bytes()))


def copy_files(app, exception):
    """Write the files the page loads, and their manifest, into the built site's _static."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir) / "_static" / PY_DIR
    if out.exists():
        shutil.rmtree(out)
    files = payload()
    for rel, data in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    (out / "manifest.json").write_text(manifest_text(files), encoding="utf-8")


def setup(app):
    app.add_node(conversation_demo, html=(visit_html, None), latex=(_skip, None),
                 text=(_skip, None), man=(_skip, None), texinfo=(_skip, None))
    app.add_directive("conversation-demo", ConversationDemo)
    app.connect("html-page-context", add_assets)
    app.connect("build-finished", copy_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
