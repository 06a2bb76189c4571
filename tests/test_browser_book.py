"""The published book in a real browser (Debian's Chromium through Playwright).

One strict build per session (tests/browser_support.py), served from 127.0.0.1 on a free port:

- every page loads with no console error, no uncaught exception, no failed request (a 404 for a
  favicon counts) and no request to any host but the local server;
- no page or stylesheet names an asset on another host (the book works offline);
- without JavaScript, the self-checks answer clicks and keys with their feedback (with it:
  test_browser_selfcheck.py); search finds a glossary
  term; the book can be read and navigated by keyboard alone;
- the theme fixes in book/_templates/ and _config.yml, one test each;
- reading on any screen (partnership/book/theme.py, book/_static/book-ui.js), at a phone's
  390x844, a tablet's 768x1024 and a desktop's 1280x900: the menus open, close and lead to
  another page; one search control; search ranks a page whose title matches above glossary
  entries, with readable snippets; the glossary's A-Z; wide tables scroll with a cue; the
  figure is an SVG that opens full size; downloads (.ipynb, PDF) and the repository link;
  every page within its weight budget, with no icon script and no unused assets.

The accessibility audit (axe-core, WCAG 2.2 AA) is in test_browser_a11y.py.
"""
from __future__ import annotations

import re
from html import unescape as html_unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from bookinfo import chapter_docs, glossary_terms, toc_files
from browser_support import (
    PAGE_BUDGET_BYTES,
    PageWatch,
    book_pages,
    local_netloc,
    measure_page,
    run_axe,
    serve,
)

pytestmark = [pytest.mark.browser, pytest.mark.book, pytest.mark.slow]


#: Pages of every kind: the landing page, a chapter, the evidence page (a figure), the glossary,
#: the bibliography, a practice lab, search and the index.
SAMPLE_PAGES = ["index.html", "book/ch02-working-alliance.html", "book/ch10-evidence.html",
                "book/glossary.html", "book/bibliography.html", "notebooks/03-empathy-lab.html",
                "search.html", "genindex.html"]



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
    """The focused element, or for a sidebar <summary> the chevron that pydata-sphinx-theme
    outlines in its place (the summary itself is zero-height; the theme draws the ring on its
    .toctree-toggle child), has an outline or a focus ring and a size."""
    return page.evaluate("""() => {
        let el = document.activeElement;
        if (!el || el === document.body) return false;
        if (el.matches('summary')) el = el.querySelector(':scope > .toctree-toggle') || el;
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


# ----------------------------------------------------------------------------- any screen

#: A phone, a tablet and a desktop. Below 992 px the menus are drawers; from 1200 px the page's
#: own contents sit beside the text.
DEVICES = {"phone": (390, 844), "tablet": (768, 1024), "desktop": (1280, 900)}
WIDE = 992


def _device(fresh, name: str):
    width, height = DEVICES[name]
    kwargs = {"viewport": {"width": width, "height": height}}
    if width < WIDE:
        kwargs.update(is_mobile=True, has_touch=True)
    page, watch = fresh(**kwargs)
    return page, watch, width


def _press(page, locator, width: int):
    """A tap on a touch screen, a click elsewhere."""
    if width < WIDE:
        locator.tap()
    else:
        locator.click()


def _dialog_open(page, ident: str) -> bool:
    return page.evaluate(f"document.getElementById('{ident}').open")


@pytest.mark.parametrize("device", list(DEVICES))
def test_contents_menu_opens_closes_and_leads_to_another_page(site, fresh, device):
    """The book's contents button works at every width (it did nothing below 992 px, and did
    not fold the sidebar away on a desktop): a drawer that opens, closes and leads to another
    chapter on a phone or tablet; a sidebar that folds away and comes back on a desktop."""
    page, watch, width = _device(fresh, device)
    here, there = chapter_docs()[1], chapter_docs()[2]
    page.goto(f"{site}{here}.html")
    settle(page)
    toggle = page.locator(".bd-header-article .primary-toggle")
    assert toggle.is_visible()
    target = f"a[href$='{there.rsplit('/', 1)[-1]}.html']"
    if width < WIDE:
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator(f"#pst-primary-sidebar {target}").first.is_visible()
        _press(page, toggle, width)
        page.wait_for_function("document.getElementById('pst-primary-sidebar-modal').open",
                               timeout=3000)
        drawer = page.locator("#pst-primary-sidebar-modal")
        assert toggle.get_attribute("aria-expanded") == "true"
        assert drawer.locator(target).first.is_visible()
        # close it with its close button: focus goes back to the menu button
        _press(page, drawer.locator(".pt-drawer-close"), width)
        page.wait_for_function("document.activeElement.classList.contains('primary-toggle')",
                               timeout=3000)
        assert not _dialog_open(page, "pst-primary-sidebar-modal")
        assert toggle.get_attribute("aria-expanded") == "false"
        # open it again and go to the next chapter
        _press(page, toggle, width)
        page.wait_for_function("document.getElementById('pst-primary-sidebar-modal').open",
                               timeout=3000)
        _press(page, drawer.locator(target).first, width)
    else:
        link = page.locator(f"#pst-primary-sidebar {target}").first
        assert link.is_visible() and toggle.get_attribute("aria-expanded") == "true"
        toggle.click()
        page.wait_for_function("getComputedStyle(document.getElementById("
                               "'pst-primary-sidebar')).visibility === 'hidden'", timeout=3000)
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not _dialog_open(page, "pst-primary-sidebar-modal")
        assert page.evaluate("document.activeElement.classList.contains('primary-toggle')"), \
            "focus left the contents button"
        toggle.click()
        page.wait_for_function("getComputedStyle(document.getElementById("
                               "'pst-primary-sidebar')).visibility === 'visible'", timeout=3000)
        assert toggle.get_attribute("aria-expanded") == "true"
        link.click()
    page.wait_for_url(re.compile(re.escape(there) + r"\.html"), timeout=5000)
    assert not watch.problems(), watch.problems()


@pytest.mark.parametrize("device", list(DEVICES))
def test_on_this_page_menu_leads_to_a_section(site, fresh, device):
    """The page's own contents: a drawer below 1200 px whose links go to the section and close
    the drawer; beside the text on a desktop."""
    page, watch, width = _device(fresh, device)
    doc = chapter_docs()[10]
    page.goto(f"{site}{doc}.html")
    settle(page)
    toggle = page.locator(".bd-header-article .secondary-toggle")
    if width < 1200:
        assert toggle.is_visible()
        _press(page, toggle, width)
        page.wait_for_function("document.getElementById('pst-secondary-sidebar-modal').open",
                               timeout=3000)
        links = page.locator("#pst-secondary-sidebar-modal nav a[href^='#']:visible")
    else:
        assert not toggle.is_visible()
        links = page.locator("#pst-secondary-sidebar nav a[href^='#']:visible")
    assert links.count() >= 5
    link = links.nth(2)
    anchor = link.get_attribute("href")
    assert link.is_visible()
    _press(page, link, width)
    page.wait_for_function("(a) => location.hash === a", arg=anchor, timeout=3000)
    if width < 1200:
        page.wait_for_function("!document.getElementById('pst-secondary-sidebar-modal').open",
                               timeout=3000)
    page.wait_for_timeout(300)
    top = page.evaluate("(a) => document.getElementById(a.slice(1)).getBoundingClientRect().top",
                        anchor)
    assert -5 <= top < DEVICES[device][1] / 2, f"{anchor} not scrolled into view (top {top})"
    assert not watch.problems(), watch.problems()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_menus_by_keyboard_keep_focus_visible_and_in_order(site, fresh, device):
    """Enter opens the contents; Tab stays inside the open drawer; Escape closes it and focus
    returns, visibly, to the button. On a desktop, Enter folds the sidebar and focus stays on
    the button (the theme used to drop it)."""
    page, _, width = _device(fresh, device)
    page.goto(f"{site}{chapter_docs()[3]}.html")
    settle(page)
    _tab_to(page, ".bd-header-article .primary-toggle", limit=60)
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    if width < WIDE:
        page.wait_for_function("document.getElementById('pst-primary-sidebar-modal').open",
                               timeout=3000)
        for _ in range(8):
            page.keyboard.press("Tab")
            assert page.evaluate("!!document.activeElement.closest('#pst-primary-sidebar-modal')"), \
                "focus left the open drawer"
            assert _focus_is_visible(page), page.evaluate(
                "document.activeElement.outerHTML.slice(0, 120)")
        page.keyboard.press("Escape")
        page.wait_for_function("!document.getElementById('pst-primary-sidebar-modal').open",
                               timeout=3000)
        # a dialog's "close" event, on which focus returns, comes a moment after it closes
        page.wait_for_function("document.activeElement.classList.contains('primary-toggle')",
                               timeout=3000)
    else:
        page.wait_for_function("getComputedStyle(document.getElementById("
                               "'pst-primary-sidebar')).visibility === 'hidden'", timeout=3000)
        page.wait_for_timeout(50)
    assert page.evaluate("document.activeElement.classList.contains('primary-toggle')")
    assert _focus_is_visible(page)


def _visible_search_controls(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll(
            "input[name='q'], .search-button__button, .search-button-field")]
        .filter(e => !e.closest('dialog') && e.getClientRects().length > 0
                     && getComputedStyle(e).visibility !== 'hidden')
        .map(e => e.outerHTML.slice(0, 80))""")


@pytest.mark.parametrize("device", list(DEVICES))
def test_one_search_control_and_no_empty_top_bar(site, fresh, device):
    page, _, _ = _device(fresh, device)
    for rel in (f"{chapter_docs()[2]}.html", "book/glossary.html", "search.html"):
        page.goto(site + rel)
        settle(page)
        controls = _visible_search_controls(page)
        assert len(controls) == 1, f"{rel} ({device}): {controls}"
        assert page.evaluate("(() => { const h = document.getElementById('pst-header'); "
                             "return !h || h.getBoundingClientRect().height === 0; })()"), \
            f"{rel} ({device}): the empty top bar is back"


def _search_results(page) -> list[tuple[str, str]]:
    page.wait_for_function("document.querySelector('#search-results .search-summary') && "
                           "document.querySelector('#search-results .search-summary')"
                           ".textContent.length > 0", timeout=15000)
    # snippets are fetched page by page after the list is shown
    page.wait_for_function("[...document.querySelectorAll('#search-results li')].slice(0, 8)"
                           ".every(li => li.querySelector('p.context') || "
                           "li.querySelector('a').getAttribute('href').includes('#'))",
                           timeout=15000)
    return page.evaluate("""() => [...document.querySelectorAll('#search-results li')].map(li =>
        [li.querySelector('a').getAttribute('href'),
         (li.querySelector('p.context') || {textContent: ''}).textContent.trim()])""")


@pytest.mark.parametrize("device", list(DEVICES))
def test_search_ranks_a_title_match_above_glossary_entries(site, fresh, device):
    """From the search control of a chapter, "alliance" lists the chapter whose title says so
    first (it came fifth, after glossary entries), every page whose title matches before any
    glossary entry, each result once, with snippets of text (chapter 10's was a string of
    section numbers)."""
    page, watch, width = _device(fresh, device)
    page.goto(f"{site}{chapter_docs()[5]}.html")
    settle(page)
    control = page.locator(".bd-header-article .search-button__button:visible").first
    _press(page, control, width)
    box = page.locator("#pst-search-dialog input[name='q']")
    box.wait_for(state="visible", timeout=3000)
    box.fill("alliance")
    box.press("Enter")
    page.wait_for_url(re.compile(r"search\.html\?q=alliance"), timeout=5000)
    results = _search_results(page)
    hrefs = [h for h, _ in results]
    alliance_chapter = next(d for d in chapter_docs() if "alliance" in d)
    assert hrefs[0] == f"{alliance_chapter}.html", hrefs[:6]
    first_glossary = next(i for i, h in enumerate(hrefs) if "glossary.html" in h)
    titled = [i for i, h in enumerate(hrefs) if h.endswith(("01-alliance-lab.html",
                                                           f"{alliance_chapter}.html"))]
    assert titled and max(titled) < first_glossary, hrefs[:8]
    assert len(hrefs) == len(set(hrefs)), "a result is listed twice"
    for href, snippet in results[:10]:
        if "#" in href:
            continue
        assert "alliance" in snippet.lower(), (href, snippet)
        assert len(re.findall(r"\b\d+\.\d+\.", snippet)) < 2, f"{href}: {snippet!r}"
    assert not watch.problems(), watch.problems()


@pytest.mark.parametrize("device", list(DEVICES))
def test_glossary_a_to_z_jumps_to_each_letter(site, fresh, device):
    page, watch, width = _device(fresh, device)
    page.goto(f"{site}book/glossary.html")
    settle(page)
    letters = page.locator("nav.glossary-az a")
    names = letters.all_inner_texts()
    expected = sorted({t[0].upper() for t in glossary_terms() if t[0].isalpha()})
    if any(not t[0].isalpha() for t in glossary_terms()):     # "3RS": filed under "#", last
        expected.append("#")
    assert names == expected, names
    # the page's contents panel lists the letters too
    assert page.locator("#pst-secondary-sidebar nav a[href='#letter-a']").count() == 1
    letter = names[len(names) // 2]
    _press(page, page.locator("nav.glossary-az a", has_text=re.compile(f"^{letter}$")), width)
    page.wait_for_function("(id) => location.hash === '#' + id", arg=f"letter-{letter.lower()}",
                           timeout=3000)
    page.wait_for_timeout(300)
    section = page.locator(f"#letter-{letter.lower()}")
    top = section.evaluate("e => e.getBoundingClientRect().top")
    assert -5 <= top < DEVICES[device][1] / 2, top
    terms = section.locator("dt").all_inner_texts()
    assert terms and all(t.strip().upper().startswith(letter) for t in terms), terms
    assert not watch.problems(), watch.problems()


def test_glossary_citations_link_into_the_bibliography_as_in_the_chapters(site, fresh):
    page, _ = fresh()
    page.goto(f"{site}book/glossary.html")
    cites = page.locator("dd a[href^='bibliography.html#']")
    assert cites.count() >= 5
    page.goto(f"{site}{chapter_docs()[2]}.html")
    chapter_cite = page.locator("a[href^='bibliography.html#']").first
    chapter_style = chapter_cite.evaluate("a => [a.className, getComputedStyle(a).color]")
    page.goto(f"{site}book/glossary.html")
    assert cites.first.evaluate("a => [a.className, getComputedStyle(a).color]") == chapter_style
    body = page.locator("article").inner_text()
    assert "(Safran & Muran, 2000)" not in body, "a citation is still plain text"


def test_wide_table_scrolls_with_a_visible_cue_on_a_phone(site, fresh):
    page, _, _ = _device(fresh, "phone")
    page.goto(f"{site}book/ch10-evidence.html")
    settle(page)
    box = page.locator(".pst-scrollable-table-container:has(#tab-evidence-findings)")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    assert "pt-scrolls" in box.get_attribute("class")
    hint = page.locator(".pt-scroll-hint").first
    assert hint.is_visible() and "scroll" in hint.inner_text().lower()
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert box.get_attribute("aria-label")
    assert "pt-more-right" in box.get_attribute("class")       # the shadow on the right
    box.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.activeElement.scrollLeft > 0", timeout=2000)
    # the shadow on the left comes with the next scroll event
    page.wait_for_function("document.activeElement.classList.contains('pt-more-left')",
                           timeout=2000)


def test_command_blocks_fit_the_page_on_a_desktop(site, fresh):
    """The instructor guide's commands were cut off at 1280 px unless scrolled sideways."""
    page, _, _ = _device(fresh, "desktop")
    page.goto(f"{site}book/instructor-guide.html")
    settle(page)
    over = page.evaluate("[...document.querySelectorAll('article pre')]"
                         ".filter(p => p.scrollWidth > p.clientWidth + 1)"
                         ".map(p => p.textContent.slice(0, 60))")
    assert page.locator("article pre").count() >= 3
    assert not over, over


def test_figure_is_an_svg_that_opens_full_size_on_a_phone(site, fresh):
    page, watch, width = _device(fresh, "phone")
    page.goto(f"{site}book/ch10-evidence.html")
    settle(page, idle=True)
    img = page.locator("#fig-evidence-forest img")
    src = img.get_attribute("src")
    assert src.endswith(".svg") and img.get_attribute("alt").startswith("Forest plot")
    link = page.locator("#fig-evidence-forest a.pt-figure-open")
    assert link.get_attribute("href") == src
    # drawn to stay legible: shown at no less than 60% of its own size on a 390 px screen (its
    # smallest type is 10.5 pt, so at least 8.4 px)
    natural, shown = img.evaluate("i => [i.naturalWidth, i.getBoundingClientRect().width]")
    assert shown >= 0.6 * natural, (natural, shown)
    link.scroll_into_view_if_needed()
    with page.expect_navigation():
        _press(page, link, width)
    assert page.url.endswith(".svg")
    assert not watch.problems(), watch.problems()


def test_downloads_and_repository_link_in_the_header(site, fresh):
    import yaml
    from bookinfo import REPO

    conf = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    page, watch, _ = _device(fresh, "desktop")
    lab = "notebooks/03-empathy-lab"
    page.goto(f"{site}{lab}.html")
    settle(page)
    page.locator(".dropdown-download-buttons .dropdown-toggle").click()
    notebook = page.locator(".dropdown-download-buttons a.pt-download-notebook")
    assert notebook.is_visible() and "(.ipynb)" in notebook.inner_text()
    href = notebook.get_attribute("href")
    assert href.endswith(".ipynb") and notebook.get_attribute("download")
    got = page.request.get(urljoin(page.url, href))
    assert got.ok and got.body() == (REPO / f"{lab}.ipynb").read_bytes()
    assert page.locator(".dropdown-download-buttons .pt-download-print").is_visible()
    # this build has no PDF beside it, so none is offered (tests/test_pdf.py: with one)
    assert page.locator(".dropdown-download-buttons .pt-download-pdf").count() == 0
    repo = page.locator(".bd-header-article a.btn-source-repository-button")
    assert repo.get_attribute("href").rstrip("/") == conf["repository"]["url"].rstrip("/")
    # a chapter offers no Markdown source (of no use to a reader) and no notebook
    page.goto(f"{site}{chapter_docs()[1]}.html")
    settle(page)
    menu = page.locator(".dropdown-download-buttons")
    assert menu.locator("a[href$='.md'], a[href$='.ipynb']").count() == 0
    assert not watch.problems(), watch.problems()


def test_every_page_is_within_its_weight_budget_and_loads_no_icon_script(html, site, browser):
    """A first visit to any page transfers at most PAGE_BUDGET_BYTES (1.5 MB; pages measure
    about half of it: benchmarks/bench_pages.py), from this server alone. Before: 2.5 MB, of
    which Font Awesome's script was 1.5 MB."""
    local = local_netloc(site)
    problems = []
    for rel in book_pages(html):
        m = measure_page(browser, site + rel, local)
        if m["bytes"] > PAGE_BUDGET_BYTES:
            problems.append(f"{rel}: {m['bytes']} bytes > {PAGE_BUDGET_BYTES}")
        problems += [f"{rel}: request to another host: {u}" for u in m["external"]]
        for u in m["urls"]:
            name = urlsplit(u).path.rsplit("/", 1)[-1]
            if name in ("fontawesome.js", "fa-solid-900.woff2", "fa-brands-400.woff2",
                        "fa-regular-400.woff2"):
                problems.append(f"{rel}: loads {name}")
            if name == "searchindex.js" and rel != "search.html":
                problems.append(f"{rel}: loads the search index")
    assert not problems, "\n".join(problems)


def test_icons_come_from_the_subset_font(site, fresh):
    page, watch = fresh()
    page.goto(f"{site}{chapter_docs()[1]}.html")
    settle(page, idle=True)
    page.evaluate("document.fonts.ready")
    icon = page.locator(".bd-header-article .primary-toggle .fa-bars")
    glyph = icon.evaluate("e => getComputedStyle(e, '::before').content")
    assert glyph not in ("", "none", "normal"), glyph
    # the solid icon font is loaded (the subset: the full fonts are never requested)
    assert page.evaluate("""() => [...document.fonts].some(f =>
        f.family.replace(/"/g, '') === 'Font Awesome 6 Free' && f.weight === '900'
        && f.status === 'loaded')""")
    assert icon.evaluate("e => e.getBoundingClientRect().width") > 8
    urls = [r.url for r in watch.requests]
    assert any(u.endswith("icons/fa-solid-900.subset.woff") for u in urls), urls
    assert not [u for u in urls if "/vendor/fontawesome/" in u], urls
    assert not watch.problems(), watch.problems()


def test_pages_load_only_the_scripts_and_styles_they_use(html):
    """partnership/book/theme.py: on-demand assets only where the page has what they serve."""
    needs = {"copybutton.js": r"<pre", "clipboard.min.js": r"<pre",
             "design-tabs.js": r"sd-tab-set", "togglebutton.js": r'class="[^"]*\btoggle\b',
             "sphinx-design.min.css": r'class="[^"]*\bsd-', "sphinx-thebe.js": None,
             "searchindex.js": None, "fontawesome.js": None}
    problems = []
    for rel in book_pages(html):
        text = (html / rel).read_text(encoding="utf-8")
        body = text.split("<body", 1)[-1]
        for asset, marker in needs.items():
            if not re.search(r'(?:src|href)="[^"]*/' + re.escape(asset), text):
                continue
            if asset == "searchindex.js" and rel == "search.html":
                continue
            if marker is None or not re.search(marker, body):
                problems.append(f"{rel}: loads {asset} but does not use it")
    assert not problems, "\n".join(problems)


def test_term_links_preview_their_definition(html):
    """partnership/book/glossary_index.py: hovering over a term a chapter links shows the first
    sentence of its glossary definition (the link's title)."""
    page = (html / f"{chapter_docs()[2]}.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="reference internal" href="glossary\.html#(term-[^"]+)"'
                       r'(?: title="([^"]*)")?>', page)
    assert len(links) >= 5
    untitled = [anchor for anchor, title in links if not title]
    assert not untitled, untitled
    glossary = (html / "book" / "glossary.html").read_text(encoding="utf-8")
    anchor, title = links[0]
    dd = re.search(rf'<dt id="{re.escape(anchor)}">.*?</dt>\s*<dd>(.*?)</dd>', glossary,
                   flags=re.S).group(1)
    words = " ".join(re.sub(r"<[^>]+>", "", dd).split())
    assert words.startswith(html_unescape(title).rstrip(".").split(". ")[0][:40]), (title, words)
