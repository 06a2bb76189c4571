"""The web edition's layout: header, menus, downloads and what each page loads.

Registered in ``_config.yml`` (``sphinx.extra_extensions``); it also sets up the other
book-wide extensions of the reading experience (icon subset, glossary A-Z, figures, the PDF
edition), so ``_config.yml`` names one module. ``tests/test_browser_book.py`` checks each
behaviour in Chromium.

- **One header, one search box.** The theme's top bar held only a second copy of the search
  field (the first sits in the sidebar and scrolls away). The top bar and the sidebar field
  go; the article header, which stays in view at every width, carries the search field on
  wide screens and a search button on narrow ones (the theme's own CSS swaps them at 992 px).
- **Downloads that a reader can use.** The download menu offers the page's notebook (.ipynb)
  on notebook pages, the whole book as a PDF when one has been built
  (``jupyter-book build . --builder pdflatex`` before the HTML build: the PDF is copied into
  the site), and printing the page. A chapter's Markdown source is not offered: it is of no
  use to a reader. A link to the repository sits in the header (``repository.url`` in
  ``_config.yml``).
- **Light pages.** Each page loads only the scripts and styles it uses: no Font Awesome
  JavaScript (1.5 MB; the icons come from a subset of the icon font, ``icons.py``), no search
  index except on the search page, no Thebe (switched off), and the copy button, toggle,
  tab and notebook-cell assets only where a page has code, toggles, tabs or cells.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from docutils import nodes

#: Scripts and styles that no page of this book uses (Thebe is switched off in _config.yml).
NEVER = ("sphinx-thebe.js", "sphinx-thebe.css")
#: Assets that only some pages need, and the test for "this page needs it".
ON_DEMAND = {
    # the copy button on code blocks
    "clipboard.min.js": "code", "copybutton.js": "code", "copybutton.css": "code",
    "pygments.css": "code",
    # sphinx-togglebutton: admonitions with a "toggle"/"dropdown" class, {toggle}
    "togglebutton.js": "toggle", "togglebutton.css": "toggle",
    # sphinx-design: tabs need their script, every sd- component its stylesheet
    "design-tabs.js": "tabs", "sphinx-design.min.css": "design",
    # MyST-NB's notebook cells and outputs
    "mystnb.": "cells",
}
#: The sidebar: the book's title and its table of contents (no second search field).
SIDEBAR = ["navbar-logo.html", "sbt-sidebar-nav.html"]


def configure_theme(app, config):
    """Header layout (see the module docstring); kept here, not in _config.yml, because
    Jupyter Book replaces its own theme options wholesale when _config.yml gives any."""
    opts = config.html_theme_options
    opts.update({
        # the top bar: nothing (everything it offered is in the article header)
        "navbar_start": [], "navbar_center": [], "navbar_end": [], "navbar_persistent": [],
        # a full-screen button is of little use in a book and crowds a phone's header
        "use_fullscreen_button": False,
    })
    config.html_sidebars = {"**": SIDEBAR}
    # Sphinx's search summary needs the search index only on the search page; the theme
    # loads it on every page for search-as-you-type, which this book does not use.
    opts.setdefault("search_as_you_type", False)


def _page_needs(doctree) -> set[str]:
    """What kinds of on-demand assets a page uses (None: a generated page such as search)."""
    if doctree is None:
        return set()
    needs = set()
    for node in doctree.findall(nodes.Element):
        if isinstance(node, (nodes.literal_block, nodes.doctest_block)):
            needs.add("code")
        classes = node.get("classes", [])
        for c in classes:
            if c in ("toggle", "dropdown") and not any(k.startswith("sd-") for k in classes):
                needs.add("toggle")
            elif c.startswith("sd-"):
                needs.add("design")
                if c.startswith("sd-tab"):
                    needs.add("tabs")
            elif c in ("cell", "cell_output", "cell_input", "output"):
                needs.add("cells")
    return needs


def _asset_name(asset) -> str:
    return (getattr(asset, "filename", None) or "").rsplit("/", 1)[-1]


def trim_assets(app, pagename, templatename, context, doctree):
    """Drop from a page the scripts and styles that it does not use."""
    needs = _page_needs(doctree)

    def keep(asset) -> bool:
        name = _asset_name(asset)
        if not name:
            # inline scripts: drop Thebe's configuration along with Thebe
            return "THEBE" not in (getattr(asset, "attributes", {}) or {}).get("body", "")
        if name in NEVER:
            return False
        for prefix, need in ON_DEMAND.items():
            if name.startswith(prefix):
                return need in needs
        return True

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if keep(a)]


def pdf_name(app) -> str:
    """File name of the PDF edition (from ``latex.latex_documents.targetname``)."""
    target = app.config.latex_documents[0][1] if app.config.latex_documents else "book.tex"
    return Path(target).with_suffix(".pdf").name


def built_pdf(app) -> Path | None:
    """The PDF built by ``jupyter-book build . --builder pdflatex`` beside this HTML build."""
    pdf = Path(app.outdir).parent / "latex" / pdf_name(app)
    return pdf if pdf.is_file() else None


def header_downloads(app, pagename, templatename, context, doctree):
    """Replace the theme's download menu (see the module docstring). The template
    ``book/_templates/article-header-buttons.html`` renders ``context["pt_downloads"]``."""
    buttons = context.get("header_buttons")
    if buttons is None:
        return
    context["header_buttons"] = [b for b in buttons if b.get("label") != "download-buttons"]
    pathto = context["pathto"]
    downloads = []
    suffix = context.get("page_source_suffix")
    notebook = None
    if suffix == ".ipynb":
        notebook = context["sourcename"]
    elif context.get("ipynb_source"):
        notebook = context["ipynb_source"]
    if notebook:
        downloads.append({"url": f"{pathto('_sources', 1)}/{notebook}",
                          "download": Path(notebook).name,
                          "text": "This notebook (.ipynb)", "icon": "fa-solid fa-code",
                          "kind": "notebook"})
    if built_pdf(app):
        downloads.append({"url": pathto(pdf_name(app), 1), "download": pdf_name(app),
                          "text": "The whole book (PDF)", "icon": "fa-solid fa-book",
                          "kind": "pdf"})
    downloads.append({"js": "window.print()", "text": "Print this page",
                      "icon": "fa-solid fa-print", "kind": "print"})
    context["pt_downloads"] = downloads


def copy_pdf(app, exception):
    """Publish the PDF edition with the site when one has been built."""
    if exception is not None or app.builder.format != "html":
        return
    pdf = built_pdf(app)
    if pdf:
        shutil.copyfile(pdf, Path(app.outdir) / pdf.name)


def setup(app):
    app.add_js_file("book-ui.js", loading_method="defer")
    app.connect("config-inited", configure_theme)
    # after sphinx-book-theme (priority 501) has built its header buttons and assets
    app.connect("html-page-context", header_downloads, priority=900)
    app.connect("html-page-context", trim_assets, priority=900)
    app.connect("build-finished", copy_pdf)
    for ext in ("icons", "glossary_index", "figures", "printed"):
        app.setup_extension(f"partnership.book.{ext}")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
