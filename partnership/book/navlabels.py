"""Accessible names for the sidebar's expand/collapse toggles.

pydata-sphinx-theme turns every sidebar entry that has sub-pages into a ``<details>`` whose
``<summary>`` holds only a decorative chevron, so a screen reader announces an unnamed control
(axe: summary-name, serious). Chapters with sub-pages (``book/chNN/``) create such entries. This
wraps the theme's ``generate_toctree_html`` so that each summary without text gets an
``aria-label`` naming the entry it opens ("Show or hide the pages in Ruptures and repair").
"""
from __future__ import annotations


def label_summaries(soup):
    """Give every text-less ``<summary>`` in a toctree soup an aria-label; returns the soup."""
    for summary in soup.select("li.has-children > details > summary"):
        if summary.get("aria-label") or summary.get_text(strip=True):
            continue
        item = summary.find_parent("li")
        link = item.find("a", class_="reference", recursive=False) if item else None
        title = " ".join(link.get_text(" ", strip=True).split()) if link else ""
        summary["aria-label"] = (f"Show or hide the pages in {title}" if title
                                 else "Show or hide the pages in this section")
    return soup


def _wrap_toctree(app, pagename, templatename, context, doctree):
    original = context.get("generate_toctree_html")
    if original is None or getattr(original, "labels_summaries", False):
        return

    def generate_toctree_html(*args, **kwargs):
        out = original(*args, **kwargs)
        return label_summaries(out) if hasattr(out, "select") else out

    generate_toctree_html.labels_summaries = True
    context["generate_toctree_html"] = generate_toctree_html


def setup(app):
    # After the theme has put its own function into the page context (default priority 500).
    app.connect("html-page-context", _wrap_toctree, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
