"""Session fixtures: one strict book build, shared by the build tests and the browser tests;
one book server and one Chromium for the browser tests."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from bookinfo import strict_build
from browser_support import (PageWatch, chromium_browser, local_netloc, require_chromium,
                             serve)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """(process, html folder) of `jupyter-book build . -W -n --keep-going` into a clean folder:
    clean, so a stale _build cannot hide a warning (Sphinx only re-reads changed pages)."""
    return strict_build(tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="session")
def html(request) -> Path:
    """The built book's HTML for the browser tests. Checks for Chromium first, so a machine
    without one skips (or, under CI=true, fails) at once instead of building;
    PARTNERSHIP_BOOK_HTML=DIR reuses a book built earlier."""
    require_chromium()
    if os.environ.get("PARTNERSHIP_BOOK_HTML"):
        return Path(os.environ["PARTNERSHIP_BOOK_HTML"])
    proc, html = request.getfixturevalue("built_book")
    if proc.returncode != 0 or not (html / "index.html").exists():
        pytest.fail("the book did not build:\n" + (proc.stdout + proc.stderr)[-4000:],
                    pytrace=False)
    return html


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session (Playwright's sync API allows only one
    running instance per thread, so every browser test shares this one)."""
    with chromium_browser() as b:
        yield b


@pytest.fixture(scope="session")
def site(html):
    """Base URL of the book served on 127.0.0.1."""
    with serve(html) as base:
        yield base


@pytest.fixture
def no_model(monkeypatch, tmp_path):
    """The coach as it runs when its weights cannot be loaded (here, a corrupt model file): the
    rules fallback. Restored after the test."""
    import partnership.coach.model as model
    bad = tmp_path / "coach_model.npz"
    bad.write_bytes(b"not a zip file")
    monkeypatch.setattr(model, "MODEL_PATH", bad)
    monkeypatch.setattr(model, "_MODEL", None)
    monkeypatch.setattr(model, "_LOAD_ERROR", None)
    return model


@pytest.fixture
def fresh(browser, site):
    """Opens pages, each in a new browser context (empty cache and storage: a reader's first
    visit) with a PageWatch of its requests; closes the contexts afterwards."""
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
