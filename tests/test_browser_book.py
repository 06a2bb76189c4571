"""The published book in a real browser (Debian's Chromium through Playwright).

One strict build per session (tests/browser_support.py), served from 127.0.0.1 on a free port:

- every page loads with no console error, no uncaught exception, no failed request (a 404 for a
  favicon counts) and no request to any host but the local server;
- no page or stylesheet names an asset on another host (the book works offline);
- without JavaScript, the self-checks answer clicks and keys with their feedback (with it:
  test_browser_selfcheck.py); search finds a glossary
  term; the book can be read and navigated by keyboard alone;
- the theme fixes in book/_templates/ and _config.yml, one test each.

The accessibility audit (axe-core, WCAG 2.1 AA) is in test_browser_a11y.py.
"""
from __future__ import annotations

import contextlib
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from bookinfo import chapter_docs, glossary_terms, toc_files
from browser_support import (
    PageWatch,
    book_pages,
    local_netloc,
    run_axe,
    serve,
)

pytestmark = [pytest.mark.browser, pytest.mark.book, pytest.mark.slow]


#: Pages of every kind: the landing page, a chapter, the evidence page (a figure), the glossary,
#: the bibliography, a practice lab, search and the index.
SAMPLE_PAGES = ["index.html", "book/ch02-working-alliance.html", "book/ch10-evidence.html",
                "book/glossary.html", "book/bibliography.html", "notebooks/03-empathy-lab.html",
                "search.html", "genindex.html"]


@pytest.fixture
def fresh(browser, site):
    """A new browser context (empty cache and storage: a reader's first visit)."""
    contexts = []

    def make(**kwargs):
        ctx = browser.new_context(**kwargs)
        contexts.append(ctx)
        page = ctx.new_page()
        watch = PageWatch(local_netloc(site)).attach(page)
        return page, watch

    yield make
    for ctx in contexts:
        with contextlib.suppress(Exception):
            ctx.close()


def settle(page, idle: bool = False):
    """Wait for the page to load and its deferred scripts to have run (and, with ``idle``,
    for the network to be quiet for 0.5 s)."""
    page.wait_for_load_state("load")
    if idle:
        page.wait_for_load_state("networkidle")
    else:
        page.wait_for_timeout(150)


# ----------------------------------------------------------------------------- every page

def test_every_page_loads_cleanly_and_only_from_the_local_server(html, site, fresh):
    """Every page, one after another as a reader would browse; then sample pages each as a
    first visit (a fresh context: empty cache and storage), in light and dark system colours,
    until the network is idle."""
    problems = []
    page, watch = fresh()
    for rel in book_pages(html):
        watch.clear()
        page.goto(site + rel)
        settle(page)
        problems += [f"{rel}: {p}" for p in watch.problems()]
    for scheme in ("light", "dark"):
        for rel in SAMPLE_PAGES:
            page, watch = fresh(color_scheme=scheme)
            page.goto(site + rel)
            settle(page, idle=True)
            problems += [f"{rel} (first visit, {scheme}): {p}" for p in watch.problems()]
            page.context.close()
    assert not problems, "\n".join(problems[:40])


class _Assets(HTMLParser):
    """Collects the URLs a page loads by itself (not the links a reader may follow)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href"):
            rels = set((a.get("rel") or "").lower().split())
            if rels & {"stylesheet", "icon", "preload", "modulepreload", "prefetch",
                       "preconnect", "dns-prefetch", "manifest"}:
                self.urls.append(a["href"])
        if tag == "object" and a.get("data"):
            self.urls.append(a["data"])


def _remote(url: str) -> bool:
    return bool(urlsplit(url).netloc) or url.startswith("//")


def test_no_page_or_stylesheet_loads_an_asset_from_another_host(html):
    bad = []
    for rel in book_pages(html):
        parser = _Assets()
        parser.feed((html / rel).read_text(encoding="utf-8"))
        bad += [f"{rel}: {u}" for u in parser.urls if _remote(u)]
    for css in (html / "_static").rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r"(?:@import\s+(?:url\()?|url\()\s*['\"]?((?:https?:)?//[^'\")\s]+)",
                             text):
            bad.append(f"{css.relative_to(html)}: {m.group(1)}")
    assert not bad, "assets from other hosts:\n" + "\n".join(bad[:30])


# ----------------------------------------------------------------------------- self-checks

def _feedback(details) -> str:
    return details.locator(".sd-summary-content").inner_text().strip()


def test_self_checks_answer_clicks_with_feedback(site, fresh):
    """Without JavaScript (the fallback; with it, see test_browser_selfcheck.py), every option of
    every question on every chapter page: a click opens the option and shows its verdict in
    words, "Correct." for the right one and "Not quite." for the others."""
    page, watch = fresh(java_script_enabled=False)
    problems = []
    for doc in chapter_docs():
        page.goto(f"{site}{doc}.html")
        questions = page.locator(".self-check-question")
        assert questions.count() >= 8, f"{doc}: {questions.count()} questions"
        for qi in range(questions.count()):
            q = questions.nth(qi)
            options = q.locator("details.self-check-option")
            verdicts = []
            for oi in range(options.count()):
                opt = options.nth(oi)
                body = opt.locator(".sd-summary-content")
                if body.is_visible():
                    problems.append(f"{doc} q{qi + 1}: feedback shown before any click")
                opt.locator("summary").click()
                body.wait_for(state="visible", timeout=3000)
                text = _feedback(opt)
                verdicts.append(next((v for v in ("Correct.", "Not quite.")
                                      if text.startswith(v)), text[:20]))
                if not re.match(r"^(Correct\.|Not quite\.)\s+\S", text):
                    problems.append(f"{doc} q{qi + 1} option {oi + 1}: feedback {text[:60]!r}")
            if verdicts.count("Correct.") != 1:
                problems.append(f"{doc} q{qi + 1}: verdicts {verdicts}")
    assert not problems, "\n".join(problems[:30])
    # with JavaScript off Chromium refuses the page's scripts ("csp"), which is not a fault
    assert not [p for p in watch.problems() if not p.endswith("(csp)")], watch.problems()


def test_a_self_check_works_by_keyboard_and_says_so_in_words(site, fresh):
    """The no-JavaScript fallback by keyboard (the enhanced test: test_browser_selfcheck.py)."""
    page, _ = fresh(java_script_enabled=False)
    page.goto(f"{site}{chapter_docs()[2]}.html")
    first = page.locator(".self-check-question details.self-check-option summary").first
    first.focus()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    body = page.locator(".self-check-question details.self-check-option").first \
        .locator(".sd-summary-content")
    body.wait_for(state="visible", timeout=3000)
    assert re.match(r"^(Correct\.|Not quite\.)", body.inner_text().strip())
    page.keyboard.press("Space")  # closes it again
    body.wait_for(state="hidden", timeout=3000)


# ----------------------------------------------------------------------------- search

@pytest.mark.parametrize("term", ["Working alliance", "Complex reflection"])
def test_search_finds_a_glossary_term(site, fresh, term):
    """Typed into the search box of a chapter (opened with Ctrl+K), a glossary term brings up
    the glossary among the results."""
    assert term in glossary_terms() or pytest.skip(f"{term!r} is no longer a glossary term")
    page, watch = fresh()
    page.goto(f"{site}{chapter_docs()[1]}.html")
    page.keyboard.press("Control+k")
    box = page.locator("input[name='q']:visible").first
    box.wait_for(state="visible", timeout=3000)
    assert page.evaluate("document.activeElement.name") == "q", "search box not focused"
    page.keyboard.type(term)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"search\.html\?q="), timeout=5000)
    results = page.locator("#search-results a[href*='glossary.html']")
    results.first.wait_for(state="attached", timeout=15000)
    assert results.count() >= 1
    assert not watch.problems(), watch.problems()


# ----------------------------------------------------------------------------- keyboard

def _focus_is_visible(page) -> bool:
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (!el || el === document.body) return false;
        const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
        const ring = s.boxShadow && s.boxShadow !== 'none';
        return r.width > 0 && r.height > 0 && (outline || ring);
    }""")


def _tab_to(page, selector: str, limit: int = 300) -> int:
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => !!document.activeElement && "
                         "document.activeElement.matches(sel)", selector):
            return n
    raise AssertionError(f"{selector} not reached after {limit} Tab presses")


def test_navigation_by_keyboard_alone(site, fresh):
    page, watch = fresh()
    # The first two pages in reading order (the welcome page, then whatever _toc.yml puts next).
    first, second = toc_files()[0], toc_files()[1]
    page.goto(f"{site}{first}.html")
    # The first Tab reaches the skip link, which is then visible and moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    assert _focus_is_visible(page), "the skip link has no visible focus"
    # It slides into view (a 0.15 s transition) and must end fully on screen.
    page.wait_for_function("document.querySelector('#pst-skip-link a')"
                           ".getBoundingClientRect().top >= 0", timeout=2000)
    page.keyboard.press("Enter")
    assert page.url.endswith("#main-content")
    # Tab on to the "next page" link, each stop with a visible focus, and follow it.
    invisible = []
    for _ in range(400):
        page.keyboard.press("Tab")
        if not _focus_is_visible(page):
            invisible.append(page.evaluate(
                "document.activeElement.outerHTML.slice(0, 120)"))
        if page.evaluate("document.activeElement.matches('a.right-next')"):
            break
    else:
        raise AssertionError("the next-page link was not reached by Tab")
    assert not invisible, "focus not visible on:\n" + "\n".join(invisible[:10])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(second) + r"\.html"), timeout=5000)
    # And back, by Tab to the previous-page link.
    _tab_to(page, "a.left-prev", limit=600)
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(first) + r"\.html"), timeout=5000)
    assert not watch.problems(), watch.problems()


# ----------------------------------------------------------------------------- theme fixes

def test_fix_theme_mode_is_valid_on_a_first_visit(site, fresh):
    """book/_templates/layout.html, fix 1: a reader with nothing saved gets mode "auto" and the
    theme of their system from the first paint, with no console error."""
    for scheme in ("light", "dark"):
        page, _ = fresh(color_scheme=scheme)
        # Hold back the theme's own script: the early fix alone must set the theme.
        page.route("**/pydata-sphinx-theme.js*", lambda route: route.abort())
        page.goto(f"{site}{chapter_docs()[3]}.html")
        assert page.evaluate("document.documentElement.dataset.mode") == "auto"
        assert page.evaluate("document.documentElement.dataset.theme") == scheme
        page, watch = fresh(color_scheme=scheme)
        page.goto(f"{site}{chapter_docs()[3]}.html")
        settle(page, idle=True)
        assert page.evaluate("document.documentElement.dataset.theme") == scheme
        assert not watch.problems(), watch.problems()


def test_fix_each_script_is_emitted_once(html):
    """book/_templates/layout.html, fix 2: no page repeats a <script> (a repeated
    "const THEBE_JS_URL" was an uncaught SyntaxError on every page)."""
    dupes = []
    for rel in book_pages(html):
        text = (html / rel).read_text(encoding="utf-8")
        scripts = re.findall(r"<script\b[^>]*>.*?</script>", text, flags=re.DOTALL)
        seen = set()
        for s in scripts:
            if s in seen:
                dupes.append(f"{rel}: {s[:100]}")
            seen.add(s)
        assert text.count("const THEBE_JS_URL") <= 1, rel
    assert not dupes, "\n".join(dupes[:20])


def test_fix_favicon_is_served_and_no_favicon_ico_is_requested(html, site, fresh):
    """_config.yml html.favicon: every page names its icon, which exists; a first visit makes
    no request that fails (the browser asked for /favicon.ico, a 404, before)."""
    for rel in book_pages(html):
        text = (html / rel).read_text(encoding="utf-8")
        m = re.search(r'<link rel="icon" href="([^"]+)"', text)
        assert m, f"{rel}: no <link rel=icon>"
        assert ((html / rel).parent / m.group(1).split("?")[0]).resolve().is_file(), rel
    page, watch = fresh()
    page.goto(site)  # the root page: where a browser looks for /favicon.ico
    page.wait_for_url(re.compile(re.escape(chapter_docs()[0]) + r"\.html"))
    settle(page, idle=True)
    assert not [r.url for r in watch.requests if r.url.endswith("/favicon.ico")]
    assert not watch.problems(), watch.problems()


def test_fix_bibliography_entries_are_list_items(site, fresh):
    """book/_templates/page.html: the bibliography is a list of list items (axe:
    aria-required-children, critical, and aria-deprecated-role failed before)."""
    page, _ = fresh()
    page.goto(f"{site}book/bibliography.html")
    lists = page.locator("[role=list].citation-list")
    assert lists.count() >= 1
    assert page.locator("[role=doc-biblioentry]").count() == 0
    assert page.locator(".citation-list > [role=listitem]").count() >= 30
    violations = run_axe(page, tags=["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    failing = {v["id"] for v in violations}
    assert not failing & {"aria-required-children", "aria-required-parent",
                          "aria-deprecated-role", "list", "listitem"}, failing


def test_fix_root_page_redirects_to_the_toc_root_with_a_title_and_icon(html, site, fresh):
    """book/_extra/index.html (html_extra_path) replaces the bare redirect: it must still send
    the reader to the toc's root page."""
    import yaml
    from bookinfo import REPO
    root = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))["root"]
    text = (html / "index.html").read_text(encoding="utf-8")
    assert f'url={root}.html"' in text and f'<a href="{root}.html">' in text
    assert '<html lang="en">' in text and "<title>" in text and 'rel="icon"' in text
    page, watch = fresh()
    page.goto(site + "index.html")
    page.wait_for_url(re.compile(re.escape(root) + r"\.html"))
    settle(page)
    assert not watch.problems(), watch.problems()


def test_fix_header_buttons_show_keyboard_focus(site, fresh):
    """book/_static/partnership.css: the article header's buttons (sidebar toggle, download
    menu, full screen, theme, search) show a focus ring when reached by Tab (WCAG 2.4.7)."""
    page, _ = fresh()
    page.goto(f"{site}{chapter_docs()[1]}.html")
    settle(page)
    buttons = page.locator(".bd-header-article button:visible")
    assert buttons.count() >= 3
    reached = 0
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.bd-header-article') !== null"):
            reached += 1
            assert _focus_is_visible(page), page.evaluate(
                "document.activeElement.outerHTML.slice(0, 120)")
        elif reached:
            break
    assert reached >= 3, f"only {reached} header controls reached by Tab"


# ----------------------------------------------------------------------------- widgets offline

def _widget_notebook() -> dict:
    """A notebook whose saved output is a live ipywidgets slider (state saved, as an executed
    notebook with widgets has it)."""
    import ipywidgets as W
    from ipywidgets.embed import embed_data
    slider = W.IntSlider(value=3, min=0, max=10, description="Alliance:")
    data = embed_data(views=[slider])
    W.Widget.close_all()
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"},
                     "widgets": {"application/vnd.jupyter.widget-state+json":
                                 data["manager_state"]}},
        "cells": [
            {"cell_type": "markdown", "id": "md", "metadata": {}, "source": "# Widget page"},
            {"cell_type": "code", "id": "code", "metadata": {}, "execution_count": 1,
             "source": "slider",
             "outputs": [{"output_type": "display_data", "metadata": {},
                          "data": {"text/plain": "IntSlider(value=3)",
                                   "application/vnd.jupyter.widget-view+json":
                                       data["view_specs"][0]}}]},
        ],
    }


def test_widget_pages_use_the_vendored_html_manager_and_work_offline(tmp_path, browser):
    """_config.yml nb_ipywidgets_js + book/_static/vendored: a page with saved widget state
    (built with this book's settings) renders its widget from the local server alone."""
    import json

    import yaml
    from bookinfo import REPO
    from browser_support import build_book

    conf = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    js = conf["sphinx"]["config"]["nb_ipywidgets_js"]
    assert all("://" not in path for path in js), js
    src = tmp_path / "src"
    src.mkdir()
    (src / "_config.yml").write_text(yaml.safe_dump({
        "title": "Widget check", "execute": {"execute_notebooks": "off"},
        "html": {"favicon": str(REPO / conf["html"]["favicon"])},
        "sphinx": {"config": {
            "nb_ipywidgets_js": js,
            "html_static_path": [str(REPO / p) for p in conf["sphinx"]["config"]["html_static_path"]],
            "templates_path": [str(REPO / p) for p in conf["sphinx"]["config"]["templates_path"]]}},
    }, sort_keys=False), encoding="utf-8")
    (src / "_toc.yml").write_text("format: jb-book\nroot: widgets\n", encoding="utf-8")
    (src / "widgets.ipynb").write_text(json.dumps(_widget_notebook()), encoding="utf-8")
    html = build_book(tmp_path / "out", src=src)
    page_html = (html / "widgets.html").read_text(encoding="utf-8")
    assert "vendored/html-manager-1.0.15/embed-amd.js" in page_html
    with serve(html) as base:
        ctx = browser.new_context()
        page = ctx.new_page()
        watch = PageWatch(local_netloc(base)).attach(page)
        page.goto(base + "widgets.html")
        page.locator(".widget-slider").first.wait_for(timeout=15000)
        settle(page, idle=True)
        assert "Alliance:" in page.locator(".jupyter-widgets").first.inner_text()
        problems = watch.problems()
        ctx.close()
    assert not problems, problems
