"""Print how long a learner waits in the conversation lab: from sending a turn to the client's
reply, in CPython (the JupyterLab lab) and in Debian's Chromium (the book's page, on the vendored
Pyodide). Goals (issue 18): p95 under 50 ms in CPython, under 300 ms in the browser. Asserts
nothing: timings depend on the machine, so the CPython figures also give the engine's own share
of the wait (the rest is the reflection coach, benchmarked in bench_coach.py).

Usage: python benchmarks/bench_conversation.py [--conversations 3] [--no-browser] [--html DIR]
(the browser part builds the book in a temporary folder unless --html names a built one).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

PAGE = "book/ch05/conversation.html"
FORM = "form.conversation-demo"
#: a mix of the turns learners take (ten per conversation)
TURNS = [
    "It sounds like this has become your way of coping, and part of you is uneasy about it.",
    "What would you like to be different?",
    "Do you do that every day?",
    "You're torn: it helps, and it's also costing you more than you'd like.",
    "You should cut down.",
    "Would it be OK if I shared some information about that?",
    "Most people who make a change like this find the first fortnight the hardest.",
    "You've been really honest with me about something that isn't easy to talk about.",
    "What matters most to you in all this?",
    "It's completely your decision what you do about it.",
]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def cpython(conversations: int) -> None:
    from partnership.coach import analyse
    from partnership.learner.conversation import Conversation
    from partnership.learner.conversation.schema import shipped_clients

    clients = shipped_clients()
    t = time.perf_counter()
    Conversation(clients[0], seed=0).send(TURNS[0])          # loads the coach's weights
    cold = 1000 * (time.perf_counter() - t)
    sends, own, codes = [], [], {}

    def remembered(text, client):           # the coach's codes, already computed
        return codes[(text, client)]

    for k in range(conversations):
        for c in clients:
            conv = Conversation(c, seed=k)
            for text in TURNS:
                before = conv.last_client_words
                t = time.perf_counter()
                conv.send(text)
                sends.append(1000 * (time.perf_counter() - t))
                codes[(text, before)] = analyse(text, before)
            conv.finish()
            # the same conversation again, the codes given: the engine's own part of the wait
            again = Conversation(c, seed=k, coder=remembered)
            for text in TURNS:
                t = time.perf_counter()
                again.send(text)
                own.append(1000 * (time.perf_counter() - t))
    print(f"CPython {sys.version.split()[0]}: {len(sends)} turns ({conversations} ten-turn "
          f"conversations with each of {len(clients)} clients)")
    print(f"  first turn in a fresh process (loads the coach): {cold:.0f} ms")
    print(f"  send to reply: median {statistics.median(sends):.1f} ms, p95 {pct(sends, .95):.1f} "
          f"ms, max {max(sends):.1f} ms (goal: p95 < 50 ms)")
    print(f"  the engine's own part (the coach's codes given): median "
          f"{statistics.median(own):.2f} ms, p95 {pct(own, .95):.2f} ms, "
          f"{100 * sum(own) / sum(sends):.0f}% of the total wait (the rest is the coach)")


SEND = """async ([sel, text]) => {
  const form = document.querySelector(sel);
  const log = form.querySelector('.conversation-demo-log');
  const n = log.querySelectorAll('.convo-turn').length;
  const box = form.querySelector('textarea');
  box.value = text;
  const t0 = performance.now();
  form.querySelector('.conversation-demo-send').click();
  await new Promise((resolve) => {
    const done = () => log.querySelectorAll('.convo-turn').length > n
      && !form.hasAttribute('aria-busy');
    if (done()) return resolve();
    new MutationObserver((_, obs) => { if (done()) { obs.disconnect(); resolve(); } })
      .observe(form, { subtree: true, childList: true, attributes: true });
  });
  return performance.now() - t0;
}"""


def browser(conversations: int, html: Path | None) -> None:
    from browser_support import served_book
    from partnership.learner.conversation.schema import client_ids

    ids = client_ids()
    times, loads = [], []
    with served_book(html) as (base, _html, b):
        ctx = b.new_context()
        page = ctx.new_page()
        page.goto(base + PAGE, wait_until="load")
        for k in range(conversations):
            page.select_option(f"{FORM} select", ids[k % len(ids)])
            t = time.perf_counter()
            page.click(f"{FORM} .conversation-demo-start")
            page.wait_for_function(f"!document.querySelector('{FORM} textarea').disabled",
                                   timeout=180_000)
            loads.append(1000 * (time.perf_counter() - t))
            for text in TURNS:
                times.append(page.evaluate(SEND, [FORM, text]))
            page.click(f"{FORM} .conversation-demo-finish")
            page.wait_for_selector(f"{FORM} .conversation-demo-summary h3")
        version = b.version
        ctx.close()
    print(f"Chromium {version}, the book's page on the vendored Pyodide: {len(times)} turns "
          f"({conversations} ten-turn conversations)")
    print(f"  first start (loads Pyodide, the coach and the clients): {loads[0]:.0f} ms; "
          f"later starts: median {statistics.median(loads[1:] or [0]):.0f} ms")
    print(f"  send to reply (click to the reply on screen): median "
          f"{statistics.median(times):.1f} ms, p95 {pct(times, .95):.1f} ms, max "
          f"{max(times):.1f} ms (goal: p95 < 300 ms)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conversations", type=int, default=3)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--html", type=Path, help="a built _build/html folder (default: build one)")
    args = ap.parse_args(argv)
    cpython(args.conversations)
    if not args.no_browser:
        browser(args.conversations, args.html)
    return 0


if __name__ == "__main__":
    sys.exit(main())
