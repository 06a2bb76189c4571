"""Print what an in-browser practice lab costs a reader in Debian's Chromium, with an empty cache:
seconds from opening the lab page to its first interactive widget (goal: under 10 s), bytes
transferred until then (goal: under 25 MB), and the time of a check after that, from the click
to the feedback (goal: under 300 ms). Asserts nothing.

The clock starts when the page is requested; the reader presses "Start the lab" as soon as it
can be pressed (on later visits the browser starts the lab by itself).

Usage: python benchmarks/bench_lite_page.py [--html DIR] [--runs 3] [--checks 10] [--lab PAGE]
[--files N] (default: a fresh strict build in a temporary folder). It also prints the bytes by
part (Pyodide, JupyterLite, the page's Python wheels, the book page) and the N largest files of
the first run, so that a change in what the page loads shows where it came from. Each run uses a new browser context
(empty cache and storage), from 127.0.0.1, so no network time is included: on a real
connection add the transfer time of the bytes printed.
"""
from __future__ import annotations

import argparse
import collections
import http.server
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser_support import find_chromium, launch, serve, strict_build_or_exit  # noqa: E402

PAGE = "notebooks/03-empathy-lab.html"
FIRST_WIDGET = ".partnership-lab input[type=radio]"


class _Counting(http.server.SimpleHTTPRequestHandler):
    """Counts the bytes the server sends (headers and bodies): the page's requests, its
    iframe's, and those of the kernel's Web Worker alike, which a page's own events miss; in
    total and by path."""
    sent = 0
    by_path: collections.Counter = collections.Counter()

    def log_message(self, format, *args):
        pass

    def setup(self):
        super().setup()
        raw = self.wfile
        handler = self

        class Tap:
            def write(self_, data):
                _Counting.sent += len(data)
                path = getattr(handler, "path", "?").split("?", 1)[0]
                _Counting.by_path[path] += len(data)
                return raw.write(data)

            def __getattr__(self_, name):
                return getattr(raw, name)

        self.wfile = Tap()


def part(path: str) -> str:
    """Which part of the page a file belongs to."""
    if "/vendored/pyodide-" in path:
        return "Pyodide"
    if path.startswith("/lite/pypi/"):
        return "the page's Python wheels"
    if path.startswith("/lite/"):
        return "JupyterLite"
    return "the book page"


def run_once(browser, url: str, checks: int) -> tuple[float, int, list[float], dict]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    _Counting.sent = 0
    _Counting.by_path = collections.Counter()
    t = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.click("button.lite-lab-start")     # a first visit: the reader starts the lab
    frame = page.frame_locator("iframe.lite-lab-frame")
    radio = frame.locator(FIRST_WIDGET).first
    radio.wait_for(state="visible", timeout=300_000)
    first = time.perf_counter() - t
    loaded = _Counting.sent
    files = dict(_Counting.by_path)
    box = frame.locator(".partnership-lab .widget-vbox").filter(
        has=frame.locator(".widget-radio-box")).first
    radios = box.locator("input[type=radio]")
    status = box.locator("[role=status]")
    later = []
    for i in range(checks):
        radios.nth(i % 2).check()
        before = status.inner_text() if status.count() else ""
        t = time.perf_counter()
        box.get_by_role("button", name="Check answer").click()
        page.wait_for_function(
            "([el, before]) => { const s = el.querySelector('[role=status]');"
            " return s && s.innerText !== before; }",
            arg=[box.element_handle(), before], timeout=60_000, polling=5)
        later.append(1000 * (time.perf_counter() - t))
    ctx.close()
    return first, loaded, later, files


def breakdown(files: dict, largest: int) -> list[str]:
    parts = collections.Counter()
    for path, n in files.items():
        parts[part(path)] += n
    lines = [f"  bytes by part (first run, {len(files)} files): " + ", ".join(
        f"{name} {n / 1e6:.2f} MB" for name, n in parts.most_common())]
    if largest:
        lines.append(f"  the {min(largest, len(files))} largest files:")
        for path, n in sorted(files.items(), key=lambda kv: -kv[1])[:largest]:
            lines.append(f"    {n / 1e6:7.3f} MB  {path}")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--html", type=Path, help="a built _build/html folder (default: build one)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--checks", type=int, default=10)
    ap.add_argument("--lab", default=PAGE, help=f"the lab page (default {PAGE})")
    ap.add_argument("--files", type=int, default=25,
                    help="how many of the largest files to list (default 25; 0: none)")
    args = ap.parse_args(argv)
    firsts, loads, later, files = [], [], [], []
    exe = find_chromium()
    if exe is None:
        raise SystemExit("Chromium not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        html = args.html or strict_build_or_exit(Path(tmp))
        with serve(html, _Counting) as base, sync_playwright() as pw:
            browser = launch(pw, exe)
            try:
                for _ in range(args.runs):
                    f, b, lt, fl = run_once(browser, base + args.lab, args.checks)
                    files.append(fl)
                    firsts.append(f)
                    loads.append(b)
                    later += lt
            finally:
                browser.close()
    later.sort()
    print(f"in-browser lab, {args.runs} runs with an empty cache ({args.lab}):")
    print(f"  opening the page to the first interactive widget: median "
          f"{statistics.median(firsts):.1f} s (range {min(firsts):.1f}-{max(firsts):.1f}); "
          f"{statistics.median(loads) / 1e6:.1f} MB transferred")
    print(f"  a check after that ({len(later)}): median {statistics.median(later):.0f} ms, "
          f"p95 {later[int(0.95 * (len(later) - 1))]:.0f} ms")
    print("\n".join(breakdown(files[0], args.files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
