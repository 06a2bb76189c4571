"""Fixtures shared by the browser test modules: one book build, one server, one Chromium."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import book_html, chromium_browser, serve


@pytest.fixture(scope="session")
def html(tmp_path_factory) -> Path:
    """The built book's HTML folder (skips, or fails under CI=true, without Chromium)."""
    return book_html(tmp_path_factory)


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
