"""The strict build: `jupyter-book build . -W -n --keep-going` from a clean output folder.

One clean build per test session (into a temporary folder, so a stale _build cannot hide a
warning: Sphinx only re-reads changed pages); the other tests read the HTML it produced.
"""
from __future__ import annotations

import re

import pytest

from bookinfo import BOOK, chapter_docs, chapter_pages, glossary_terms

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
        assert questions >= 8, f"{doc}: {questions} self-check questions rendered"
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


def test_every_chapter_shows_a_figure_drawn_at_build_time(built_book):
    """Each chapter page or one of its sub-pages carries a figure whose image was written by the
    build (MyST-NB puts executed outputs in _images) and has alt text."""
    _, html = built_book
    for doc in chapter_docs():
        found = []
        for page in chapter_pages(doc):
            text = (html / (page + ".html")).read_text(encoding="utf-8")
            for alt, src in re.findall(r'<img alt="([^"]{60,})" src="([^"]+)"', text):
                img = (html / page).parent / src
                if "_images/" in src and img.resolve().is_file() and img.stat().st_size > 5_000:
                    found.append(src)
        assert found, f"{doc}: no figure image drawn at build time on the chapter or its sub-pages"


def test_transcripts_render_one_row_per_turn(built_book):
    import yaml

    _, html = built_book
    for page, data in (("book/ch05/annotated-session", "mi-pharmacy-inhaler.yml"),
                       ("book/ch08/annotated-rupture", "rupture-drug-service.yml")):
        turns = yaml.safe_load((BOOK / "data" / "transcripts" / data).read_text(encoding="utf-8"))["turns"]
        text = (html / (page + ".html")).read_text(encoding="utf-8")
        table = re.search(r'<table class="[^"]*transcript-table.*?</table>', text, flags=re.S)
        assert table, f"{page}: no transcript table"
        assert table.group(0).count("<tr") == len(turns) + 1, f"{page}: rows and turns differ"


def test_sidebar_toggles_for_sub_pages_have_accessible_names(built_book):
    """Chapters with sub-pages get an expand/collapse <summary> in the sidebar; the theme leaves it
    without text (axe summary-name), partnership.book.navlabels names it."""
    _, html = built_book
    page = (html / "book" / "ch08-ruptures-repair.html").read_text(encoding="utf-8")
    assert 'aria-label="Show or hide the pages in 8. Ruptures and repair"' in page
    for path in html.glob("book/**/*.html"):
        for summary in re.findall(r"<summary([^>]*)>(.*?)</summary>", path.read_text(encoding="utf-8"), flags=re.S):
            attrs, inner = summary
            text = re.sub(r"<[^>]+>", "", inner).strip()
            assert text or "aria-label=" in attrs, f"{path.name}: a <summary> with no accessible name"


def test_built_book_holds_no_graded_key(built_book):
    """The published book is something every student can obtain: no model answer, rubric line or
    bank file of a graded assignment may be in it."""
    from pathlib import Path

    from partnership.grader.bank import load_bank
    from partnership.grader.leaks import scan

    _, html = built_book
    banks = [load_bank(p) for p in sorted((Path(__file__).resolve().parents[1] / "exercises")
                                          .glob("*.yml"))]
    assert scan([html], banks) == []
    assert not list(html.rglob("exercises")) and not list(html.rglob("keys"))


#: Figures of the chapters added for issue 17: (page, figure id, start of the alt text).
NEW_FIGURES = [
    ("ch12-suicide-safety-planning", "fig-safety-plan-steps", "Diagram of the six steps"),
    ("ch12/evidence", "fig-safety-plan-cohort", "Bar chart. Suicidal behaviour"),
    ("ch13-beyond-the-room", "fig-alliance-formats", "Forest plot of the alliance"),
    ("ch14-feedback-preferences-endings", "fig-progress-not-on-track", "Line chart of a fictional"),
]


@pytest.mark.parametrize("page,fig,alt", NEW_FIGURES, ids=[f for _, f, _ in NEW_FIGURES])
def test_new_chapter_figures_are_drawn_at_build_time(built_book, page, fig, alt):
    _, html = built_book
    text = (html / "book" / f"{page}.html").read_text(encoding="utf-8")
    assert f'id="{fig}"' in text, f"{page}: no figure {fig}"
    start = text.index(f'id="{fig}"')
    figure = text[start:text.index("</figure>", start)]
    # drawn as SVG, as every build-time figure is (partnership/book/figures.py)
    m = re.search(r'<img alt="(' + re.escape(alt) + r'[^"]+)" src="([^"]+\.svg)"', figure)
    assert m, f"{page}: figure {fig} has no SVG drawn at build time with alt text {alt!r}"
    img = ((html / "book" / page).parent / m.group(2)).resolve()  # relative to the page's folder
    assert img.exists() and img.stat().st_size > 10_000
    assert "<svg" in img.read_text(encoding="utf-8")[:400]


#: Longest a chapter page or sub-page may run, in words a reader scrolls through (issue 17: pages
#: of 6,000-7,000 words were walls of text; the split left every page at or under about 4,700).
#: Counted as below, so a number quoted in a report can be measured again.
PAGE_WORD_LIMIT = 4_800
WORD_RE = re.compile(r"[A-Za-z0-9][\w'’.-]*")


def visible_words(page_html: str) -> int:
    """Words in the page's article, without scripts, without the self-check reasons that stay
    folded until the reader answers (the questions and options count: they are read) and without
    elements the page ships `hidden` (the conversation lab's notes on the clients not chosen)."""
    from bs4 import BeautifulSoup  # comes with pydata-sphinx-theme, which the book needs

    article = BeautifulSoup(page_html, "html.parser").find("article", class_="bd-article")
    for el in (article.find_all(["script", "style"]) + article.select(".self-check .sd-summary-content")
               + article.select("[hidden]")):
        el.decompose()
    return len(WORD_RE.findall(article.get_text(" ")))


def test_no_chapter_page_is_a_wall_of_text(built_book):
    _, html = built_book
    counts = {page: visible_words((html / (page + ".html")).read_text(encoding="utf-8"))
              for doc in chapter_docs() for page in chapter_pages(doc)}
    long = {p: n for p, n in counts.items() if n > PAGE_WORD_LIMIT}
    assert not long, f"pages over {PAGE_WORD_LIMIT} words: split them as CONTRIBUTING.md says: {long}"
    # the count is of real text: a chapter page with its self-check runs to thousands of words
    assert min(counts[d] for d in chapter_docs()[1:]) > 2_000
