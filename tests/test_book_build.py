"""The strict build: `jupyter-book build . -W -n --keep-going` from a clean output folder.

One clean build per test session (into a temporary folder, so a stale _build cannot hide a
warning: Sphinx only re-reads changed pages); the other tests read the HTML it produced.
"""
from __future__ import annotations

import re

import pytest

from bookinfo import chapter_docs, glossary_terms

pytestmark = [pytest.mark.book, pytest.mark.slow]


def test_strict_build_succeeds_with_zero_warnings(built_book):
    proc, html = built_book
    log = proc.stdout + proc.stderr
    warnings = [l for l in log.splitlines() if re.search(r"WARNING:|ERROR:", l)
                and "Kernel is running over TCP" not in l]
    assert proc.returncode == 0, log[-6000:]
    assert not warnings, "\n".join(warnings[:30])
    assert (html / "index.html").exists()


def test_every_chapter_page_has_its_self_check_rendered(built_book):
    _, html = built_book
    for doc in chapter_docs():
        page = (html / (doc + ".html")).read_text(encoding="utf-8")
        questions = page.count('class="self-check-question')
        options = len(re.findall(r'<details class="[^"]*self-check-option', page))
        assert questions >= 4, f"{doc}: {questions} self-check questions rendered"
        assert options >= 2 * questions, f"{doc}: options missing"
        assert "<strong>Correct.</strong>" in page and "<strong>Not quite.</strong>" in page


def test_citations_link_into_the_bibliography(built_book):
    _, html = built_book
    bib = (html / "book" / "bibliography.html").read_text(encoding="utf-8")
    assert bib.count('class="citation"') >= 30 or bib.count("<dt") >= 30 or bib.count('role="doc-biblioentry"') >= 30
    for doc in chapter_docs()[1:]:
        page = (html / (doc + ".html")).read_text(encoding="utf-8")
        assert 'href="bibliography.html#' in page, f"{doc}: no resolved citation"


def test_glossary_terms_render_and_are_linked(built_book):
    _, html = built_book
    gloss = (html / "book" / "glossary.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<dt id="term-', gloss)) == len(glossary_terms()) >= 40
    linked = sum((html / (d + ".html")).read_text(encoding="utf-8").count('href="glossary.html#term-')
                 for d in chapter_docs())
    assert linked >= 40


def test_evidence_figure_is_drawn_at_build_time_as_svg(built_book):
    """Chapter 10's forest plot is drawn by a code cell while the book builds, and comes out as
    an SVG (partnership/book/figures.py), so it stays sharp when a phone zooms into it."""
    _, html = built_book
    page = (html / "book" / "ch10-evidence.html").read_text(encoding="utf-8")
    m = re.search(r'<img alt="(Forest plot[^"]+)" src="([^"]+)"', page)
    assert m, "no forest-plot image with alt text on the evidence page"
    assert m.group(2).endswith(".svg"), m.group(2)
    img = (html / "book" / m.group(2)).resolve()
    assert img.exists() and img.stat().st_size > 10_000
    head = img.read_text(encoding="utf-8")[:400]
    assert "<svg" in head, head[:100]
    assert 'id="fig-evidence-forest"' in page
