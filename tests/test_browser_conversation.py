"""The conversation lab live in the book page ({conversation-demo}; partnership/book/convodemo.py),
in Debian's Chromium, by keyboard alone.

- The built site ships the engine's and the coach's run-time files, the banks as JSON and a
  manifest of SRI hashes (Pyodide's files included) whose own hash is in the page; the script
  and stylesheet carry SRI hashes; only the MI chapter's conversation page loads them.
- A whole conversation by keyboard: choose a client, start, type turns and press Enter, read
  each reply in the polite live region, meet the risk note and ask directly, finish and reach
  the summary; every reply and the summary equal what the same engine gives in CPython for the
  same turns and seed; no request leaves the site; axe finds nothing serious.
- A reload carries the conversation on (kept in the browser).
- A file changed after the build (an engine module, Pyodide's WebAssembly) is refused and no
  conversation starts; with JavaScript off, nothing typed goes anywhere.
"""
from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from browser_support import PageWatch, describe, local_netloc, run_axe, serious, serve
from conversation_turns import TEN

from partnership.book import convodemo
from partnership.learner.conversation import get_client, replay
from partnership.learner.conversation.summary import summary_lines

PAGE = "book/ch05/conversation.html"
FORM = "form.conversation-demo"
WALTER = [
    "It sounds like you're exhausted and still determined to look after her yourself.",
    "What would a bit of help look like, if it were on your terms?",
    "Part of you knows you can't keep going like this, and part of you feels that accepting "
    "help would be letting her down.",
    "You've cared for her through every stage of this.",
    "You promised her, and keeping that promise matters more than anything.",
    "You're tired in a way that sleep doesn't fix.",
    "Are you having thoughts of ending your life?",
    "You'd never act on it, and it's the tiredness talking.",
]


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


@pytest.mark.book
def test_built_site_ships_the_engine_with_hashes_and_loads_it_only_on_the_mi_chapter(
        built_book):
    proc, html = built_book
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = html / "_static" / convodemo.PY_DIR
    raw = (out / "manifest.json").read_bytes()
    manifest = json.loads(raw)
    want = {f"partnership/{p.relative_to(convodemo.PACKAGE).as_posix()}"
            for p in convodemo.shipped_files()} | {"clients.json"}
    assert set(manifest["files"]) == want
    assert "partnership/learner/conversation/widget.py" not in want      # no ipywidgets here
    for rel, sri in manifest["files"].items():
        assert _sri((out / rel).read_bytes()) == sri, rel
    vendored = html / "_static" / convodemo.PYODIDE_DIR
    for name, sri in manifest["pyodide"].items():
        assert _sri((vendored / name).read_bytes()) == sri, name
    clients = json.loads((out / "clients.json").read_text(encoding="utf-8"))
    assert len(clients["clients"]) >= 8
    page = (html / PAGE).read_text(encoding="utf-8")
    assert f'data-manifest-integrity="{_sri(raw)}"' in page
    js = (html / "_static" / convodemo.JS_FILE).read_bytes()
    assert f'integrity="{_sri(js)}"' in page
    css = (html / "_static" / convodemo.CSS_FILE).read_bytes()
    assert f'integrity="{_sri(css)}"' in page
    with_script = sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                         if convodemo.JS_FILE in p.read_text(encoding="utf-8"))
    assert with_script == [PAGE]


def _wait_reply(page, n):
    page.wait_for_function(
        f"document.querySelectorAll('{FORM} .convo-turn').length > {n} && "
        f"!document.querySelector('{FORM}').hasAttribute('aria-busy')", timeout=60_000)


def _record(page):
    return json.loads(page.evaluate("localStorage.getItem('partnership-conversation-v1')"))


@pytest.mark.browser
@pytest.mark.book
@pytest.mark.slow
def test_a_whole_conversation_by_keyboard(site, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    watch = PageWatch(local_netloc(site)).attach(page)
    page.goto(f"{site}{PAGE}")
    select = page.locator(f"{FORM} select")
    select.focus()
    while select.input_value() != "walter-carer":            # arrow keys choose a client
        page.keyboard.press("ArrowDown")
    assert page.locator(f"{FORM} .conversation-demo-about[data-client='walter-carer']") \
        .is_visible()
    page.keyboard.press("Tab")                                # to Start
    assert page.evaluate("document.activeElement.textContent.trim()") == \
        "Start the conversation"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.name === 'turn'", timeout=180_000)
    walter = get_client("walter-carer")
    assert walter.opening in page.inner_text(f"{FORM} .conversation-demo-log")
    live = page.locator(f"{FORM} .conversation-demo-live")
    assert live.get_attribute("aria-live") == "polite" and live.get_attribute("role") == "status"
    for k, text in enumerate(WALTER):
        page.keyboard.type(text)
        page.keyboard.press("Enter")                          # Enter sends
        _wait_reply(page, k + 1)
        assert page.evaluate("document.activeElement.name") == "turn"   # ready for the next
        assert page.input_value(f"{FORM} textarea") == ""
        rec = _record(page)
        assert live.inner_text().startswith(f"Walter: {rec['turns'][-1]['reply']}")
    # the same engine as CPython: same turns, same seed, same conversation
    want = replay(walter, WALTER, seed=rec["seed"])
    assert [t["reply"] for t in rec["turns"]] == [t.reply for t in want.turns]
    assert [t["move"] for t in rec["turns"]] == [t.move for t in want.turns]
    log = page.inner_text(f"{FORM} .conversation-demo-log")
    for t in want.turns:
        assert t.reply in log
    # the risk note: shown, read out once, with the book's pages to read; asked, answered safely
    risk = page.locator(f"{FORM} .conversation-demo-risk")
    assert risk.is_visible() and "thoughts of suicide" in risk.inner_text()
    assert risk.get_attribute("role") == "note"
    assert risk.locator("a[href='../learner-guide.html#where-to-get-help']").count() == 1
    ch12 = "../ch12-suicide-safety-planning.html#asking-directly-and-calmly"
    assert risk.locator(f"a[href='{ch12}']").count() == 1
    assert walter.risk.asked[0] in log
    # finish by keyboard: Tab past Send to Finish
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("Finish")
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.tagName === 'H3'", timeout=60_000)
    summary = page.inner_text(f"{FORM} .conversation-demo-summary")
    for line in summary_lines(want.finish())[:4]:
        assert line in summary, line
    assert "you asked about it directly" in summary
    link = page.locator(f"{FORM} .conversation-demo-summary a[download]")
    assert link.get_attribute("href").startswith("blob:")
    assert link.get_attribute("download").startswith("conversation-walter-carer-")
    assert page.locator(f"{FORM} textarea").is_disabled()
    assert not watch.problems(), watch.problems()             # same site only, nothing failed
    # what the script fetched: this site's _static folder only (blob: is the verified modules)
    fetched = [r.url for r in watch.requests if r.resource_type in ("fetch", "xhr")]
    assert fetched and all(u.startswith(f"{site}_static/") for u in fetched), fetched[:3]
    assert any(u.endswith("pyodide.asm.wasm") for u in fetched)
    found = serious(run_axe(page))
    assert not found, describe(found)
    ctx.close()


@pytest.mark.browser
@pytest.mark.book
@pytest.mark.slow
def test_a_reload_carries_the_conversation_on(site, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{site}{PAGE}")
    page.select_option(f"{FORM} select", "reece-probation")
    page.click(f"{FORM} .conversation-demo-start")
    page.wait_for_function("document.activeElement.name === 'turn'", timeout=180_000)
    for k, text in enumerate(WALTER[:2]):
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        _wait_reply(page, k + 1)
    before = page.inner_text(f"{FORM} .conversation-demo-log")
    page.reload()
    page.select_option(f"{FORM} select", "reece-probation")
    page.click(f"{FORM} .conversation-demo-start")
    page.wait_for_function("document.activeElement.name === 'turn'", timeout=180_000)
    assert page.inner_text(f"{FORM} .conversation-demo-log") == before
    assert "Restored your conversation with Reece" in \
        page.inner_text(f"{FORM} .conversation-demo-live")
    page.click(f"{FORM} .conversation-demo-start")             # now: a new conversation
    page.wait_for_function(f"document.querySelectorAll('{FORM} .convo-turn').length === 1",
                           timeout=60_000)
    ctx.close()


@pytest.mark.browser
@pytest.mark.book
@pytest.mark.slow
def test_ten_turns_with_every_client_and_the_summary_back_after_a_reload(site, browser):
    """The issue's "done when", in the book: ten turns with each client, one page load (the
    engine loads once), with the codes shown only at the end (the checkbox, by keyboard); each
    summary equals CPython's. Then a reload brings the last, finished conversation back with
    its summary and download."""
    from partnership.learner.conversation.schema import client_ids
    ctx = browser.new_context()
    page = ctx.new_page()
    watch = PageWatch(local_netloc(site)).attach(page)
    page.goto(f"{site}{PAGE}")
    box = page.locator(f"{FORM} input[name=codes]")
    box.focus()
    page.keyboard.press("Space")                              # codes only at the end
    assert not box.is_checked()
    for cid in client_ids():
        page.select_option(f"{FORM} select", cid)
        page.click(f"{FORM} .conversation-demo-start")
        page.wait_for_function(f"document.querySelectorAll('{FORM} .convo-turn').length === 1 "
                               f"&& document.activeElement.name === 'turn'", timeout=180_000)
        for k, text in enumerate(TEN):
            page.fill(f"{FORM} textarea", text)
            page.keyboard.press("Enter")
            _wait_reply(page, k + 1)
        assert page.locator(f"{FORM} .convo-code").count() == 0     # not yet
        rec = _record(page)
        want = replay(get_client(cid), TEN, seed=rec["seed"])
        assert rec["client"] == cid and [t["reply"] for t in rec["turns"]] == \
            [t.reply for t in want.turns], cid
        page.click(f"{FORM} .conversation-demo-finish")
        page.wait_for_function("document.activeElement.tagName === 'H3'", timeout=60_000)
        assert page.locator(f"{FORM} .convo-code").count() == 10    # shown at the end
        summary = page.inner_text(f"{FORM} .conversation-demo-summary")
        for line in summary_lines(want.finish()):
            assert line in summary, (cid, line)
        assert page.locator(f"{FORM} .conversation-demo-summary svg[role=img]").count() == 1
    lines = summary_lines(want.finish())
    page.reload()
    page.select_option(f"{FORM} select", cid)
    page.click(f"{FORM} .conversation-demo-start")
    page.wait_for_function("document.activeElement.tagName === 'H3'", timeout=180_000)
    summary = page.inner_text(f"{FORM} .conversation-demo-summary")
    for line in lines:
        assert line in summary, line
    assert "It is finished" in page.inner_text(f"{FORM} .conversation-demo-live")
    assert page.locator(f"{FORM} textarea").is_disabled()
    assert page.locator(f"{FORM} .conversation-demo-summary a[download]").count() == 1
    page.click(f"{FORM} .conversation-demo-start")             # and a new one after it
    page.wait_for_function(f"document.querySelectorAll('{FORM} .convo-turn').length === 1 "
                           f"&& document.activeElement.name === 'turn'", timeout=60_000)
    assert page.inner_text(f"{FORM} .conversation-demo-summary") == ""
    assert not watch.problems(), watch.problems()
    ctx.close()


@pytest.mark.browser
@pytest.mark.book
@pytest.mark.slow
@pytest.mark.parametrize("victim", ["_static/conversation-py/partnership/learner/conversation/"
                                    "engine.py",
                                    f"_static/{convodemo.PYODIDE_DIR}/pyodide.asm.wasm"])
def test_a_file_changed_after_the_build_is_refused(html, browser, tmp_path, victim):
    copy = tmp_path / "site"
    shutil.copytree(html, copy)
    target = copy / victim
    data = bytearray(target.read_bytes())
    data[-1] ^= 1                                                # one bit changed
    target.write_bytes(bytes(data))
    with serve(copy) as base:
        page = browser.new_page()
        page.goto(f"{base}{PAGE}")
        page.click(f"{FORM} .conversation-demo-start")
        page.wait_for_function(f"document.querySelector('{FORM} .conversation-demo-status')"
                               ".textContent.includes('could not run')", timeout=180_000)
        assert page.locator(f"{FORM} .convo-turn").count() == 0
        assert page.locator(f"{FORM} textarea").is_disabled()
        page.close()


@pytest.mark.browser
@pytest.mark.book
@pytest.mark.slow
def test_without_javascript_nothing_typed_is_sent(site, browser):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    urls = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{site}{PAGE}")
    for sel in ("conversation-demo-start", "conversation-demo-send",
                "conversation-demo-finish"):
        button = page.locator(f"{FORM} .{sel}")
        assert button.get_attribute("type") == "button" and button.is_disabled()
    page.locator(f"{FORM} textarea").evaluate("t => { t.disabled = false; }")
    page.fill(f"{FORM} textarea", "my private words")
    page.focus(f"{FORM} textarea")
    page.keyboard.press("Enter")
    page.locator(f"{FORM} .conversation-demo-send").click(force=True)
    page.wait_for_timeout(300)
    assert not any("private" in u for u in urls + [page.url]), urls
    ctx.close()
