"""The live lab in a lab page of the book (part of :mod:`partnership.book.litelabs`).

A lab notebook keeps its text for the book; its lab cell (the code cell tagged
``partnership-lab``) is replaced, in the HTML only, by the lab itself: an iframe of JupyterLite's
Notebook app (the URL is the one jupyterlite-sphinx's ``notebooklite`` directive makes) on a
notebook holding just that cell, a status line that says what is happening, and
``book/_static/lite-lab.js``, which runs the cell and shows only the lab's output (a view without
code, as Voici gives). The lab is one click away on a first visit ("Start the lab": about 25 MB,
which a reader on a phone should choose to spend, and which keeps the page itself within the
book's page budget); once a reader has started a lab, the browser starts every lab by itself
when its page opens. In JupyterLab the notebook is unchanged: the tag is invisible there.

The script is added with a subresource-integrity hash, so a browser refuses a tampered copy.
"""
from __future__ import annotations

import base64
import hashlib
import html
import os
from pathlib import Path

from docutils import nodes

from partnership.book.litelabs import JS_FILE, LAB_TAG, OUT_DIR

STATIC = Path(__file__).resolve().parents[2] / "book" / "_static"


class lite_lab(nodes.General, nodes.Element):
    pass


def sri(path: Path) -> str:
    """The subresource-integrity value of a file (sha384, as browsers recommend)."""
    digest = hashlib.sha384(path.read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


def replace_lab_cells(app, doctree):
    """Replace each tagged lab cell of a notebook page by the live lab."""
    docname = app.env.docname
    source = Path(app.env.doc2path(docname))
    if source.suffix != ".ipynb":
        return
    found = False
    for cell in list(doctree.findall(nodes.container)):
        meta = cell.get("cell_metadata") or {}
        if cell.get("nb_element") != "cell_code" or LAB_TAG not in meta.get("tags", []):
            continue
        from jupyterlite_sphinx.jupyterlite_sphinx import NotebookLiteIframe
        prefix = os.path.relpath(Path(app.srcdir) / OUT_DIR, source.parent)
        node = lite_lab()
        # the same URL as the notebooklite directive gives (its app and path layout)
        node["src"] = NotebookLiteIframe(prefix=prefix, notebook=source.name)["iframe_src"]
        title = doctree.next_node(nodes.title)
        node["title"] = title.astext() if title is not None else source.stem
        cell.replace_self(node)
        found = True
    if found:
        app.env.metadata[docname]["lite_lab"] = True


def visit_html(self, node):
    src = html.escape(node["src"], quote=True)
    title = html.escape(node["title"], quote=True)
    self.body.append(f"""
<section class="lite-lab" aria-label="{title}: the live lab">
<p class="lite-lab-note">This lab runs inside this page, in your browser: nothing to install,
and nothing you type leaves your computer. Your answers are kept in this browser, so you can
close the page and carry on later; use <strong>Download my answers</strong> in the lab to keep a
copy or move them to another browser. Starting it the first time downloads about 25&nbsp;MB,
which takes a few seconds; after that this browser starts the labs by itself.</p>
<p><button type="button" class="btn btn-primary lite-lab-start" disabled>Start the lab</button></p>
<p class="lite-lab-status" role="status" aria-live="polite">The lab needs JavaScript to run in
this page.</p>
<iframe class="lite-lab-frame" title="{title}" data-src="{src}" hidden
 style="width: 100%; height: 80vh; min-height: 28rem; border: 1px solid #d0d7de;"></iframe>
</section>
""")
    raise nodes.SkipNode


def _skip(self, node):
    raise nodes.SkipNode


def add_script(app, pagename, templatename, context, doctree):
    if app.env.metadata.get(pagename, {}).get("lite_lab"):
        app.add_js_file(JS_FILE, loading_method="defer", integrity=sri(STATIC / JS_FILE))


def setup(app):
    app.add_node(lite_lab, html=(visit_html, None), latex=(_skip, None), text=(_skip, None),
                 man=(_skip, None), texinfo=(_skip, None))
    app.connect("doctree-read", replace_lab_cells)
    app.connect("html-page-context", add_script)
