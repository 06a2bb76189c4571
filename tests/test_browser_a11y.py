"""Accessibility of the published book: axe-core (bundled by axe-playwright-python, no CDN) with
the WCAG 2.2 A and AA rules (2.2 adds target size, 2.5.8) reports no serious or critical
violation on any page, on a desktop (1280 px) and on a phone (390 px).

Every page is audited at both widths with every dropdown open (so the self-check feedback is
audited too); the navigation menus are audited open, on the phone (the drawers) and on the
desktop; sample pages also in dark colours; and the search page with results.
Focus order and visible focus for the menus are in test_browser_book.py
(test_menus_by_keyboard_keep_focus_visible_and_in_order).
"""
from __future__ import annotations

import pytest
from bookinfo import chapter_docs
from browser_support import (
    WCAG22AA_TAGS,
    book_pages,
    describe,
    run_axe,
    serious,
)

pytestmark = [pytest.mark.browser, pytest.mark.book, pytest.mark.slow]

SAMPLE_PAGES = ["book/ch02-working-alliance.html", "book/ch10-evidence.html",
                "book/glossary.html", "book/bibliography.html", "notebooks/03-empathy-lab.html",
                "search.html", "genindex.html"]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _open_everything(page):
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.wait_for_timeout(50)


def _audit(page, label: str) -> list[str]:
    found = serious(run_axe(page, tags=WCAG22AA_TAGS))
    return [f"{label}:\n  " + describe(found).replace("\n", "\n  ")] if found else []


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_axe_wcag22_aa_every_page_with_dropdowns_open(html, site, browser, screen):
    ctx = browser.new_context(color_scheme="light", **(DESKTOP if screen == "desktop" else PHONE))
    page = ctx.new_page()
    problems = []
    for rel in book_pages(html):
        page.goto(site + rel)
        if rel == "index.html":  # the root page redirects to the first page: audit that
            page.wait_for_url(lambda url: not url.endswith("/index.html"))
        page.wait_for_load_state("load")
        _open_everything(page)
        problems += _audit(page, f"{rel} ({screen})")
    ctx.close()
    assert not problems, "serious or critical axe violations:\n" + "\n".join(problems)


def test_axe_wcag22_aa_sample_pages_dark(site, browser):
    ctx = browser.new_context(color_scheme="dark", **DESKTOP)
    page = ctx.new_page()
    problems = []
    for rel in SAMPLE_PAGES:
        page.goto(site + rel)
        page.wait_for_load_state("load")
        page.wait_for_function("document.documentElement.dataset.theme === 'dark'")
        _open_everything(page)
        problems += _audit(page, rel + " (dark)")
    ctx.close()
    assert not problems, "serious or critical axe violations:\n" + "\n".join(problems)


def test_axe_wcag22_aa_menus_open(site, browser):
    """The drawers on a phone (contents; on this page), the download menu and a folded
    sidebar on a desktop."""
    problems = []
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(f"{site}{chapter_docs()[4]}.html")
    page.wait_for_load_state("load")
    problems += _audit(page, "phone")
    for toggle, dialog in ((".primary-toggle", "pst-primary-sidebar-modal"),
                           (".secondary-toggle", "pst-secondary-sidebar-modal")):
        page.locator(f".bd-header-article {toggle}").tap()
        page.wait_for_function(f"document.getElementById('{dialog}').open")
        page.wait_for_timeout(300)
        problems += _audit(page, f"phone, {dialog} open")
        page.keyboard.press("Escape")
        page.wait_for_function(f"!document.getElementById('{dialog}').open")
    ctx.close()
    ctx = browser.new_context(**DESKTOP)
    page = ctx.new_page()
    page.goto(f"{site}notebooks/03-empathy-lab.html")
    page.wait_for_load_state("load")
    page.locator(".dropdown-download-buttons .dropdown-toggle").click()
    page.wait_for_timeout(200)
    problems += _audit(page, "desktop, download menu open")
    page.keyboard.press("Escape")
    page.locator(".bd-header-article .primary-toggle").click()
    page.wait_for_timeout(400)
    problems += _audit(page, "desktop, contents folded away")
    ctx.close()
    assert not problems, "\n".join(problems)


def test_axe_wcag22_aa_search_results(site, browser):
    ctx = browser.new_context(**DESKTOP)
    page = ctx.new_page()
    page.goto(f"{site}search.html?q=alliance")
    page.locator("#search-results li").first.wait_for(timeout=15000)
    page.wait_for_timeout(1000)
    problems = _audit(page, "search results")
    ctx.close()
    assert not problems, "\n".join(problems)
