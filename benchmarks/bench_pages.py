"""Print, for each page of the built book, what a first visit costs in Debian's Chromium: bytes
transferred, load time, number of requests, and the number of requests to other hosts (which
must be zero: the book is self-contained). Exits 1 if any page asks another host.

Usage: python benchmarks/bench_pages.py [--html DIR]   (default: a fresh strict build in a
temporary folder; DIR is a built ``_build/html``).
Each page is loaded in a fresh browser context (empty cache), from 127.0.0.1.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser_support import book_pages, served_book


def measure(browser, url: str, local: str) -> dict:
    ctx = browser.new_context()
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes: list[int] = []
    cdp.on("Network.loadingFinished", lambda e: sizes.append(int(e["encodedDataLength"])))
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    timing = page.evaluate("""() => {
        const n = performance.getEntriesByType('navigation').slice(-1)[0];
        return {load: n.loadEventEnd - n.startTime, dom: n.domContentLoadedEventEnd - n.startTime};
    }""")
    ctx.close()
    external = [u for u in urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                and urlsplit(u).netloc != local]
    return {"bytes": sum(sizes), "load_ms": timing["load"], "dom_ms": timing["dom"],
            "requests": len(urls), "external": external}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--html", type=Path, help="a built _build/html folder (default: build one)")
    args = ap.parse_args(argv)
    with served_book(args.html) as (base, html, browser):
        local = urlsplit(base).netloc
        rows = [(rel, measure(browser, base + rel, local)) for rel in book_pages(html)]
    width = max(len(r) for r, _ in rows)
    print(f"{'page':<{width}}  {'kB':>8}  {'load ms':>8}  {'requests':>8}  {'other hosts':>11}")
    for rel, m in rows:
        print(f"{rel:<{width}}  {m['bytes'] / 1024:8.1f}  {m['load_ms']:8.0f}  "
              f"{m['requests']:8d}  {len(m['external']):11d}")
    total = sum(m["bytes"] for _, m in rows)
    ext = sum(len(m["external"]) for _, m in rows)
    loads = sorted(m["load_ms"] for _, m in rows)
    print(f"{len(rows)} pages; {total / 1024:.0f} kB in all; median load "
          f"{loads[len(loads) // 2]:.0f} ms, slowest {loads[-1]:.0f} ms; "
          f"requests to other hosts: {ext}")
    for rel, m in rows:
        for u in m["external"]:
            print(f"  {rel}: {u}")
    return 1 if ext else 0


if __name__ == "__main__":
    sys.exit(main())
