"""Accessibility of the published book: axe-core (bundled by axe-playwright-python, no CDN) with
the WCAG 2.1 A and AA rules reports no serious or critical violation on any page.

Every page is audited in light colours with every dropdown open (so the self-check feedback is
audited too); sample pages also in dark colours, on a phone-sized screen with the navigation
drawer open, and the search page with results.
"""
from __future__ import annotations

import pytest
from bookinfo import chapter_docs
from browser_support import (
    book_pages,
    describe,
    run_axe,
    serious,
)

pytestmark = [pytest.mark.browser, pytest.mark.book, pytest.mark.slow]

SAMPLE_PAGES = ["book/ch02-working-alliance.html", "book/ch10-evidence.html",
                "book/glossary.html", "book/bibliography.html", "notebooks/03-empathy-lab.html",
                "search.html", "genindex.html"]


def _open_everything(page):
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.wait_for_timeout(50)


def _audit(page, label: str) -> list[str]:
    found = serious(run_axe(page))
    return [f"{label}:\n  " + describe(found).replace("\n", "\n  ")] if found else []


def test_axe_wcag21_aa_every_page_light_with_dropdowns_open(html, site, browser):
    ctx = browser.new_context(color_scheme="light")
    page = ctx.new_page()
    problems = []
    for rel in book_pages(html):
        page.goto(site + rel)
        if rel == "index.html":  # the root page redirects to the first page: audit that
            page.wait_for_url(lambda url: not url.endswith("/index.html"))
        page.wait_for_load_state("load")
        _open_everything(page)
        problems += _audit(page, rel)
    ctx.close()
    assert not problems, "serious or critical axe violations:\n" + "\n".join(problems)


def test_axe_wcag21_aa_sample_pages_dark(site, browser):
    ctx = browser.new_context(color_scheme="dark")
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


def test_axe_wcag21_aa_phone_with_navigation_open(site, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                              has_touch=True)
    page = ctx.new_page()
    page.goto(f"{site}{chapter_docs()[4]}.html")
    page.wait_for_load_state("load")
    problems = _audit(page, "phone")
    page.locator("button.primary-toggle:visible").first.click()
    page.wait_for_timeout(400)
    problems += _audit(page, "phone, navigation drawer open")
    ctx.close()
    assert not problems, "\n".join(problems)


def test_axe_wcag21_aa_search_results(site, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{site}search.html?q=alliance")
    page.locator("#search-results li").first.wait_for(timeout=15000)
    problems = _audit(page, "search results")
    ctx.close()
    assert not problems, "\n".join(problems)
