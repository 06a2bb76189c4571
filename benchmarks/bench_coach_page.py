"""Print what the in-page reflection coach ({coach-demo}, MI chapter) costs a reader in Debian's
Chromium: time from the first "Check my response" to the feedback (Pyodide and the coach load
then), bytes transferred for it, and the time of later checks. Asserts nothing.

Usage: python benchmarks/bench_coach_page.py [--html DIR] [--runs 3] [--checks 10]
(default: a fresh strict build in a temporary folder). Each run uses a new browser context
(empty cache), from 127.0.0.1.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser_support import served_book  # noqa: E402

PAGE = "book/ch05-motivational-interviewing.html"
RESPONSES = ["You're worried the drinking is becoming a habit.", "Do you drink every night?",
             "What would a good evening look like for you?", "That took real determination.",
             "Most people find the first week the hardest.", "Let's look at your evenings."]
DONE = ("([sel, before]) => { const r = document.querySelector(sel);"
        " return r.textContent.length > 0 && r.innerText !== before; }")


def check(page, text: str) -> float:
    page.fill("form.coach-demo textarea[name=response]", text)
    before = page.inner_text(".coach-demo-result")
    t = time.perf_counter()
    page.click("form.coach-demo button")
    page.wait_for_function(DONE, arg=[".coach-demo-result", before], timeout=180_000)
    return 1000 * (time.perf_counter() - t)


def run_once(browser, url: str, checks: int) -> tuple[float, int, list[float]]:
    ctx = browser.new_context()
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes: list[int] = []
    page.goto(url, wait_until="load")
    cdp.on("Network.loadingFinished", lambda e: sizes.append(int(e["encodedDataLength"])))
    first = check(page, RESPONSES[0])
    loaded = sum(sizes)
    later = [check(page, RESPONSES[(i % (len(RESPONSES) - 1)) + 1]) for i in range(checks)]
    ctx.close()
    return first, loaded, later


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--html", type=Path, help="a built _build/html folder (default: build one)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--checks", type=int, default=10)
    args = ap.parse_args(argv)
    firsts, loads, later = [], [], []
    with served_book(args.html) as (base, _html, browser):
        for _ in range(args.runs):
            f, b, lt = run_once(browser, base.rstrip("/") + "/" + PAGE, args.checks)
            firsts.append(f)
            loads.append(b)
            later += lt
    later.sort()
    print(f"in-page coach, {args.runs} runs with an empty cache ({PAGE}):")
    print(f"  first check (loads Pyodide and the coach): median {statistics.median(firsts):.0f} ms "
          f"(range {min(firsts):.0f}-{max(firsts):.0f}); {statistics.median(loads) / 1e6:.1f} MB "
          "transferred")
    print(f"  later checks ({len(later)}): median {statistics.median(later):.0f} ms, "
          f"p95 {later[int(0.95 * (len(later) - 1))]:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
