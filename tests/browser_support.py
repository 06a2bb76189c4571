"""Helpers for the browser tests (tests/test_browser_*.py) and benchmarks/bench_pages.py.

- find Debian's Chromium (never a browser that Playwright downloads) and launch it headless;
- skip a browser test with a clear reason where Chromium or Playwright is missing, except under
  ``CI=true``, where a missing browser is a failure;
- build the book once per test session (or reuse ``PARTNERSHIP_BOOK_HTML``, a built
  ``_build/html`` folder, when iterating locally) and serve it on 127.0.0.1 from a free port;
- watch a page: console errors, uncaught exceptions, failed requests (HTTP >= 400 included) and
  every request to a host other than the local server.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bookinfo import REPO, strict_build

#: Where Debian (and most distributions) install Chromium; ``PARTNERSHIP_CHROMIUM`` overrides.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
#: WCAG 2.1 level A and AA rules of axe-core.
WCAG21AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: WCAG 2.2 level A and AA (adds target size, 2.5.8) on top of 2.1.
WCAG22AA_TAGS = WCAG21AA_TAGS + ["wcag22a", "wcag22aa"]
#: What a page of the book may transfer on a first visit (cold cache), in bytes: 1.5 MB.
#: benchmarks/bench_pages.py prints each page against it; tests/test_browser_book.py checks it.
PAGE_BUDGET_BYTES = 1_500_000


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def skip_or_fail(reason: str):
    """Skip the test locally; under CI=true a missing browser (or Playwright) is a failure."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: the browser tests must run; .ci/run installs "
                    f"chromium with apt-get)", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    env = os.environ.get("PARTNERSHIP_CHROMIUM")
    candidates = [env] if env else list(CHROMIUM_CANDIDATES)
    if not env:
        candidates += [shutil.which(n) for n in ("chromium", "chromium-browser")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def require_chromium() -> str:
    exe = find_chromium()
    if exe is None:
        skip_or_fail("Chromium not found (looked for $PARTNERSHIP_CHROMIUM, "
                     + ", ".join(CHROMIUM_CANDIDATES)
                     + "); install it with `apt-get install chromium`")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_or_fail("playwright is not installed (pip install -r requirements-dev.txt)")
    return exe


def launch(pw, exe: str | None = None):
    """Launch Debian's Chromium headless through a Playwright instance ``pw``."""
    return pw.chromium.launch(executable_path=exe or require_chromium(), headless=True,
                              args=CHROMIUM_ARGS)


@contextlib.contextmanager
def chromium_browser():
    """``with chromium_browser() as browser:`` (Playwright started and stopped around it)."""
    exe = require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = launch(pw, exe)
        try:
            yield browser
        finally:
            browser.close()


# ---------------------------------------------------------------------------- serving

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A browser that cancels a download (navigation, closed context) is not an error.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(directory: str | os.PathLike, handler_class=None):
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port); yields the base URL.
    ``handler_class`` (default: a quiet SimpleHTTPRequestHandler) lets a benchmark count."""
    handler = functools.partial(handler_class or _QuietHandler, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------------- the book

def build_book(out: Path, src: Path = REPO) -> Path:
    """Build the book in ``src`` strictly into ``out``; fail the test if it does not build."""
    proc, html = strict_build(out, src)
    if proc.returncode != 0 or not (html / "index.html").exists():
        pytest.fail("the book did not build:\n" + (proc.stdout + proc.stderr)[-4000:],
                    pytrace=False)
    return html


def strict_build_or_exit(out: Path) -> Path:
    """For the benchmark scripts: a strict build in ``out``, or exit with the build's output."""
    proc, html = strict_build(out)
    if proc.returncode != 0 or not (html / "index.html").exists():
        raise SystemExit("the book did not build:\n" + (proc.stdout + proc.stderr)[-4000:])
    return html


@contextlib.contextmanager
def served_book(html: Path | None = None):
    """For the benchmark scripts: ``with served_book(html) as (base_url, html, browser):``, a
    book (``html``, or a fresh strict build in a temporary folder) served on 127.0.0.1 and one
    headless Chromium. Exits with a message where Chromium is missing."""
    import tempfile
    exe = find_chromium()
    if exe is None:
        raise SystemExit("Chromium not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        html = html or build_book(Path(tmp))
        with serve(html) as base, sync_playwright() as pw:
            browser = launch(pw, exe)
            try:
                yield base, html, browser
            finally:
                browser.close()


def book_pages(html: Path) -> list[str]:
    """Every HTML page of the book, relative to ``html`` (search and index pages included; not
    the JupyterLite site of the in-browser labs under ``lite/``, which the lab pages embed)."""
    skip = {"_static", "_sources", "_images", "_sphinx_design_static", "lite"}
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if not (set(p.relative_to(html).parts) & skip))


# ---------------------------------------------------------------------------- watching a page

@dataclass
class PageWatch:
    """What a page did while it was watched. ``local`` is the server's ``host:port``."""
    local: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    requests: list = field(default_factory=list)
    #: Local requests that the browser itself cancelled (net::ERR_ABORTED, e.g. a favicon
    #: fetch cut short by a redirect) and that the server does serve: not failures of the book.
    cancelled: list[str] = field(default_factory=list)

    def attach(self, page) -> PageWatch:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("request", self._request)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        return self

    def _request_failed(self, req):
        failure = req.failure or "failed"
        if ("ERR_ABORTED" in failure and urlsplit(req.url).netloc == self.local
                and req.method == "GET" and _served(req.url)):
            self.cancelled.append(req.url)
        else:
            self.failed.append(f"{req.url} ({failure})")

    def _console(self, msg):
        if msg.type == "error":
            loc = msg.location or {}
            self.console_errors.append(f"{msg.text} [{loc.get('url', '')}]")

    def _request(self, req):
        self.requests.append(req)
        parts = urlsplit(req.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.netloc != self.local:
            self.external.append(req.url)

    def _response(self, resp):
        if resp.status >= 400:
            self.failed.append(f"{resp.url} (HTTP {resp.status})")

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"uncaught exception: {m}" for m in self.page_errors]
                + [f"failed request: {m}" for m in self.failed]
                + [f"request to another host: {u}" for u in self.external])

    def clear(self) -> None:
        for lst in (self.console_errors, self.page_errors, self.failed, self.external,
                    self.requests, self.cancelled):
            lst.clear()


def measure_page(browser, url: str, local: str) -> dict:
    """A first visit to ``url`` in a fresh context (empty cache): bytes transferred (as the
    network reports them, headers included), load and DOMContentLoaded times, the number of
    requests and the requests to hosts other than ``local``."""
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        sizes: dict[str, int] = {}
        cdp.on("Network.loadingFinished",
               lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        urls: list[str] = []
        page.on("request", lambda r: urls.append(r.url))
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        timing = page.evaluate("""() => {
            const n = performance.getEntriesByType('navigation').slice(-1)[0];
            return {load: n.loadEventEnd - n.startTime,
                    dom: n.domContentLoadedEventEnd - n.startTime};
        }""")
    finally:
        ctx.close()
    external = [u for u in urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                and urlsplit(u).netloc != local]
    return {"bytes": sum(sizes.values()), "load_ms": timing["load"], "dom_ms": timing["dom"],
            "requests": len(urls), "urls": urls, "external": external}


def _served(url: str) -> bool:
    """Whether the local server answers ``url`` with 200 (checked outside the browser)."""
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status == 200
    except OSError:
        return False


def local_netloc(base_url: str) -> str:
    return urlsplit(base_url).netloc


def run_axe(page, tags=WCAG21AA_TAGS) -> list[dict]:
    """axe-core's violations on the current page for the given tags (WCAG 2.1 AA by default)."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        skip_or_fail("axe-playwright-python is not installed (pip install -r requirements-dev.txt)")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": list(tags)},
                                       "resultTypes": ["violations"]})
    return results.response["violations"]


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


def describe(violations: list[dict], limit: int = 4) -> str:
    out = []
    for v in violations:
        targets = ["/".join(map(str, n.get("target", []))) for n in v["nodes"][:limit]]
        out.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}: "
                   + "; ".join(targets))
    return "\n".join(out)
