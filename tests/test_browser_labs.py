"""A practice lab in a real JupyterLab, driven by Chromium.

JupyterLab runs headless on 127.0.0.1 (a free port, a random token) in a temporary folder that
holds copies of two practice notebooks, so the saved-answer file is written there and never into
the repository. The test runs all cells, answers an item through the widget, sees the feedback,
finds the answer in the saved-answer file (partnership.learner.store.DEFAULT_FILENAME, beside the
notebook), then restarts the kernel, runs all cells again and sees the answer restored. A second
test audits the MI lab's widgets with axe-core and, starting from a click on the first option,
answers an item with the keyboard (Tab, Space, Tab, Enter).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import REPO, free_port, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = "03-empathy-lab.ipynb"
LAB = "empathy"
MI_NOTEBOOK = "04-mi-reflections-lab.ipynb"  # all four kinds of control, and the coach
TALK_NOTEBOOK = "07-conversation-lab.ipynb"  # the conversation lab


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    require_chromium()
    work = tmp_path_factory.mktemp("lab")
    for name in (NOTEBOOK, MI_NOTEBOOK, TALK_NOTEBOOK):
        shutil.copy(REPO / "notebooks" / name, work / name)
    home = tmp_path_factory.mktemp("lab-home")
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"),
               JUPYTER_PLATFORM_DIRS="1", PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.expose_app_in_browser=True",
           # as `partnership labs` starts it: lab output and widget state are never saved
           "--ContentsManager.pre_save_hook=partnership.commands.labs.strip_live_outputs"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI and containers run as root
    log = open(home / "jupyterlab.log", "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n"
                                + (home / "jupyterlab.log").read_text()[-3000:], pytrace=False)
                time.sleep(0.3)
        yield {"base": base, "token": token, "work": work}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _saved(work: Path) -> list[dict]:
    from partnership.learner.store import DEFAULT_FILENAME
    path = work / DEFAULT_FILENAME
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [a for a in data["attempts"] if a["lab"] == LAB]


def _command(page, command: str):
    """Run a JupyterLab command (what the Run and Kernel menus call)."""
    page.evaluate("(c) => { window.jupyterapp.commands.execute(c); }", command)


def _wait_idle(page, timeout=60_000):
    """Wait until the notebook's kernel is connected and idle."""
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " const k = w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel;"
        " return !!k && k.connectionStatus === 'connected' && k.status === 'idle'; }",
        timeout=timeout)


SHOWN_LAB = ".jp-NotebookPanel:not(.lm-mod-hidden) .partnership-lab"  # the open tab's lab


def _choice_item(page):
    """The first item box of the shown lab that is answered with radio buttons."""
    return page.locator(f"{SHOWN_LAB} > .widget-vbox").filter(
        has=page.locator(".widget-radio-box")).first


def test_lab_answer_is_saved_and_restored_after_a_kernel_restart(jupyterlab, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    try:
        _drive(page, jupyterlab)
    except BaseException:
        shot = jupyterlab["work"] / "failure.png"
        page.screenshot(path=str(shot), full_page=True)
        outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
        print(f"screenshot: {shot}\noutputs:\n" + "\n---\n".join(o[:800] for o in outputs))
        raise
    finally:
        ctx.close()


def _drive(page, jupyterlab):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{jupyterlab['base']}/lab/tree/{NOTEBOOK}?token={jupyterlab['token']}")
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    _wait_idle(page)

    _command(page, "notebook:run-all-cells")
    item = _choice_item(page)
    item.wait_for(timeout=60_000)
    _wait_idle(page)

    # Answer through the widget: choose option B, then "Check answer".
    item.locator(".widget-radio-box input[type=radio]").nth(1).check()
    item.get_by_role("button", name=re.compile("Check answer")).click()
    feedback = item.locator("[role=status]")
    feedback.wait_for(timeout=20_000)
    text = feedback.inner_text()
    assert re.search(r"Correct|Not quite|Partly right", text), text

    # The answer is in the saved-answer file beside the notebook.
    deadline = time.monotonic() + 10
    while not _saved(jupyterlab["work"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    attempts = _saved(jupyterlab["work"])
    assert attempts, "no attempt in the saved-answer file"
    item_id = attempts[-1]["item"]
    # options are shown shuffled; what is saved is the index, as written, of the option shown B
    from partnership.learner.schema import display_order, practice_items
    n = len(next(i for i in practice_items() if i.id == item_id).options)
    assert attempts[-1]["answer"] == display_order(item_id, n)[1], attempts[-1]

    # Restart the kernel, run everything again: the answer comes back.
    _command(page, "notebook:restart-run-all")
    page.locator(".jp-Dialog button.jp-mod-accept").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.partnership-lab [role=status]')]"
        ".some(e => e.textContent.includes('Restored from your saved answers'))",
        timeout=60_000)
    _wait_idle(page)
    item = _choice_item(page)
    radios = item.locator(".widget-radio-box input[type=radio]")
    assert radios.nth(1).is_checked(), "the saved answer was not restored into the widget"
    assert "Restored from your saved answers" in item.locator("[role=status]").inner_text()
    assert _saved(jupyterlab["work"])[-1]["item"] == item_id

    # Save the notebook: the lab cell's live output and the widget state are not stored, so
    # a fresh kernel later shows the cell ready to run, not "model not found"
    path = jupyterlab["work"] / NOTEBOOK
    before = path.stat().st_mtime_ns
    _command(page, "docmanager:save")
    deadline = time.monotonic() + 20
    while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.3)
    assert path.stat().st_mtime_ns != before, "the notebook was not saved"
    nb = json.loads(path.read_text(encoding="utf-8"))
    lab_cells = [c for c in nb["cells"]
                 if "partnership-lab" in c.get("metadata", {}).get("tags", [])]
    assert lab_cells and all(c["outputs"] == [] and c["execution_count"] is None
                             for c in lab_cells)
    assert "widgets" not in nb["metadata"]
    assert not errors, errors


def test_lab_widgets_are_accessible_and_work_by_keyboard(jupyterlab, browser):
    """The MI lab (radio buttons, dropdowns, a text box for the coach): axe-core's WCAG 2.1 AA
    rules find no serious or critical violation inside the lab, every control has an
    accessible name, and an item can be answered and checked with the keyboard alone."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    try:
        # ?reset: a fresh workspace, so the other test's notebook is not reopened beside it
        page.goto(f"{jupyterlab['base']}/lab/tree/{MI_NOTEBOOK}?reset&token="
                  f"{jupyterlab['token']}")
        page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
        _wait_idle(page)
        _command(page, "notebook:run-all-cells")
        page.locator(SHOWN_LAB).first.wait_for(timeout=60_000)
        _wait_idle(page)

        _assert_lab_accessible(page)

        # keyboard only, as the learner's guide describes: Tab reaches each option (JupyterLab
        # keeps the arrow keys for moving between cells), Space chooses it, Tab moves on to the
        # item's button and Enter presses it; the feedback appears in a status region
        item = _choice_item(page)
        item.wait_for(timeout=20_000)
        radios = item.locator(".widget-radio-box input[type=radio]")
        # start on the first option (a click puts the keyboard focus there), then keyboard only
        radios.first.click()
        page.keyboard.press("Tab")
        assert radios.nth(1).evaluate("r => r === document.activeElement"), page.evaluate(
            "document.activeElement.outerHTML.slice(0, 200)")
        page.keyboard.press("Space")
        assert radios.nth(1).is_checked()
        button = item.get_by_role("button", name=re.compile("Check answer"))
        for _ in range(10):
            page.keyboard.press("Tab")
            if button.evaluate("b => b === document.activeElement"):
                break
        assert button.evaluate("b => b === document.activeElement"), "Tab never reached it"
        page.keyboard.press("Enter")
        feedback = item.locator("[role=status]")
        feedback.wait_for(timeout=20_000)
        assert re.search(r"Correct|Not quite|Partly right", feedback.inner_text())
        # the live region is the feedback widget's own element, which stays while its text
        # changes (a region inserted together with its content is often not announced)
        region = feedback.element_handle()
        assert region.evaluate("e => e.classList.contains('partnership-live') && "
                               "e.getAttribute('aria-live') === 'polite' && "
                               "!e.querySelector('[role=status], [aria-live]')")
        first = feedback.inner_text()
        radios.nth(0).check()
        button.click()
        page.wait_for_function("([e, t]) => e.innerText !== t", arg=[region, first],
                               timeout=20_000)
        assert region.evaluate("e => e.isConnected && e.getAttribute('role') === 'status'")

        # JupyterLab's single-key notebook shortcuts do nothing from inside the lab: with an
        # option focused, "b" would insert a cell and "d d" delete the lab's cell
        page.locator(f"{SHOWN_LAB}[data-lm-suppress-shortcuts]").first.wait_for(
            timeout=10_000)
        cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
        before = cells.count()
        radios.first.focus()
        for key in ("b", "a", "d", "d", "x"):
            page.keyboard.press(key)
        page.wait_for_timeout(500)
        assert cells.count() == before
        assert page.locator(SHOWN_LAB).count() == 1
    finally:
        ctx.close()


def test_conversation_lab_by_keyboard_in_jupyterlab(jupyterlab, browser):
    """The conversation lab (07) in JupyterLab: every control named, axe finds nothing
    serious, and a conversation is held with the keyboard alone: type, Tab to Send, Enter, the
    reply read out in the polite status region; Space unticks "show the codes"; Tab to Finish,
    Enter, the summary. JupyterLab's single-key shortcuts do nothing from the lab's buttons."""
    from partnership.learner.conversation import get_client, replay
    from partnership.learner.conversation.summary import summary_lines
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(f"{jupyterlab['base']}/lab/tree/{TALK_NOTEBOOK}?reset&token="
                  f"{jupyterlab['token']}")
        page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
        _wait_idle(page)
        _command(page, "notebook:run-all-cells")
        lab = page.locator(SHOWN_LAB).first
        lab.locator("textarea").wait_for(timeout=60_000)
        _wait_idle(page)
        page.locator(f"{SHOWN_LAB}[data-lm-suppress-shortcuts]").first.wait_for(
            timeout=10_000)
        _assert_lab_accessible(page)

        box = lab.locator("textarea")
        send = lab.get_by_role("button", name="Send")
        live = lab.locator("[role=status]").filter(has_text="Latest reply")
        codes = lab.locator("input[type=checkbox]")

        def focused(target):
            return target.evaluate("t => t === document.activeElement")

        def reach(target, limit=8):
            """Move the focus to ``target`` with Tab (or Shift+Tab if it comes before)."""
            after = target.evaluate("t => !!(document.activeElement.compareDocumentPosition(t)"
                                    " & Node.DOCUMENT_POSITION_FOLLOWING)")
            for _ in range(limit):
                if focused(target):
                    return
                page.keyboard.press("Tab" if after else "Shift+Tab")
            assert focused(target), "the keyboard never reached " + target.evaluate(
                "t => t.outerHTML.slice(0, 120)")

        turns = ["You're in two minds about all this.", "What would you like to be different?",
                 "Part of you wants things to change, and part of you is worried about what "
                 "that would mean."]
        box.click()                                  # focus the text box, then keyboard only
        for k, text in enumerate(turns, 1):
            reach(box)
            page.keyboard.type(text)
            reach(send)
            page.keyboard.press("Enter")
            page.wait_for_function(
                "([sel, k]) => document.querySelectorAll(sel + ' .convo-turn').length > k",
                arg=[SHOWN_LAB, k], timeout=30_000)
            said = live.inner_text()
            assert said.startswith("Latest reply.")
            assert (f"Turn {k}: the coach coded yours as" in said) == (k == 1), said
            if k == 1:
                # with Send focused, "b", "a", "x" and "d d" leave the notebook alone
                cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell")
                before = cells.count()
                for key in ("b", "a", "d", "d", "x"):
                    page.keyboard.press(key)
                page.wait_for_timeout(500)
                assert cells.count() == before
                # codes only at the end: back to the checkbox, Space unticks it
                reach(codes)
                page.keyboard.press("Space")
                assert not codes.is_checked()
        assert lab.locator(".convo-code").count() == 0
        finish = lab.get_by_role("button", name=re.compile("Finish"))
        reach(finish)
        page.keyboard.press("Enter")
        lab.get_by_text("Your summary").wait_for(timeout=30_000)
        from partnership.learner.store import DEFAULT_FILENAME
        saved = json.loads((jupyterlab["work"] / DEFAULT_FILENAME).read_text(encoding="utf-8"))
        rec = [a for a in saved["attempts"] if a["lab"] == "conversation"][-1]["answer"]
        assert [t["learner"] for t in rec["turns"]] == turns and rec["finished"]
        want = replay(get_client(rec["client"]), turns, seed=rec["seed"])
        shown = lab.inner_text()
        for line in summary_lines(want.finish()):
            assert line in shown, line
        assert lab.locator(".convo-code").count() == len(turns)       # shown at the end
        lab.locator("img[alt^='Reflections per question']").wait_for(timeout=30_000)
    finally:
        ctx.close()


def _assert_lab_accessible(page):
    """Every control inside the shown lab has a name a screen reader can announce, and axe
    finds no serious or critical WCAG 2.1 A/AA violation in it."""
    unnamed = page.evaluate("""(sel) => {
        const lab = document.querySelector(sel);
        const ctrls = lab.querySelectorAll('input, select, textarea, button');
        return [...ctrls].filter(el => {
            const id = el.id && lab.querySelector(`label[for="${CSS.escape(el.id)}"]`);
            const wrap = el.closest('label');
            const name = (el.getAttribute('aria-label') || el.title ||
                          (id && id.textContent) || (wrap && wrap.textContent) ||
                          (el.tagName === 'BUTTON' && el.textContent) || '').trim();
            return !name;
        }).map(el => el.outerHTML.slice(0, 120));
    }""", SHOWN_LAB)
    assert not unnamed, unnamed
    from axe_playwright_python.sync_playwright import Axe
    from browser_support import WCAG21AA_TAGS, describe, serious
    res = Axe().run(page, context=SHOWN_LAB,
                    options={"runOnly": {"type": "tag", "values": list(WCAG21AA_TAGS)},
                             "resultTypes": ["violations"]})
    found = serious(res.response["violations"])
    assert not found, describe(found)
