"""Print, for each page of the built book, what a first visit costs in Debian's Chromium: bytes
transferred against the page budget (1.5 MB, ``PAGE_BUDGET_BYTES`` in tests/browser_support.py),
load time, number of requests, and the number of requests to other hosts (which must be zero:
the book is self-contained). Exits 1 if any page is over budget or asks another host.

Usage: python benchmarks/bench_pages.py [--html DIR] [--runs N]
(default: a fresh strict build in a temporary folder; DIR is a built ``_build/html``).
Each page is loaded in a fresh browser context (empty cache), from 127.0.0.1, N times (default
3); bytes are the same every run, the load time printed is the median.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser_support import PAGE_BUDGET_BYTES, book_pages, measure_page, served_book


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--html", type=Path, help="a built _build/html folder (default: build one)")
    ap.add_argument("--runs", type=int, default=3, help="loads per page (median load time)")
    args = ap.parse_args(argv)
    with served_book(args.html) as (base, html, browser):
        local = urlsplit(base).netloc
        rows = []
        for rel in book_pages(html):
            runs = [measure_page(browser, base + rel, local) for _ in range(max(1, args.runs))]
            m = dict(runs[0])
            m["bytes"] = max(r["bytes"] for r in runs)
            m["load_ms"] = statistics.median(r["load_ms"] for r in runs)
            rows.append((rel, m))
    width = max(len(r) for r, _ in rows)
    budget_kb = PAGE_BUDGET_BYTES / 1000
    print(f"{'page':<{width}}  {'kB':>7}  {'budget kB':>9}  {'share':>5}  {'load ms':>7}  "
          f"{'requests':>8}  {'other hosts':>11}")
    for rel, m in rows:
        over = " OVER BUDGET" if m["bytes"] > PAGE_BUDGET_BYTES else ""
        print(f"{rel:<{width}}  {m['bytes'] / 1000:7.1f}  {budget_kb:9.0f}  "
              f"{m['bytes'] / PAGE_BUDGET_BYTES:5.0%}  {m['load_ms']:7.0f}  "
              f"{m['requests']:8d}  {len(m['external']):11d}{over}")
    sizes = sorted(m["bytes"] for _, m in rows)
    loads = sorted(m["load_ms"] for _, m in rows)
    ext = sum(len(m["external"]) for _, m in rows)
    over = [rel for rel, m in rows if m["bytes"] > PAGE_BUDGET_BYTES]
    print(f"{len(rows)} pages: median {statistics.median(sizes) / 1000:.0f} kB, largest "
          f"{sizes[-1] / 1000:.0f} kB (budget {budget_kb:.0f} kB per page); median load "
          f"{statistics.median(loads):.0f} ms, slowest {loads[-1]:.0f} ms; pages over budget: "
          f"{len(over)}; requests to other hosts: {ext}")
    for rel, m in rows:
        for u in m["external"]:
            print(f"  {rel}: {u}")
    return 1 if ext or over else 0


if __name__ == "__main__":
    sys.exit(main())
