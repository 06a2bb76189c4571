"""The practice labs running in the published book (JupyterLite in the page), in Debian's
Chromium: the same strict book build as the other browser tests, served on 127.0.0.1.

For each of the six labs: open its page, wait for the lab, answer an item of each type it has
(with the key, from the same banks), press the button, read the feedback; reload a couple of
seconds later and find every answer restored from the browser's storage. All along: no request
to another host, no failed request, no console error. On the way, the MI lab's written answers
get the coach's feedback exactly as CPython gives it, and in the ruptures lab JupyterLab's
single-key shortcuts do nothing. Then: a phone-sized viewport can answer and check an item (each
radio button beside its text), and the answers file can be downloaded and loaded into a fresh
browser. The conversation lab (07) holds ten turns there, meets the risk note, finishes and
comes back after a reload. Each lab load costs seconds of WebAssembly start-up, so the checks
share loads.
"""
from __future__ import annotations

import json
import re

import pytest
from browser_support import PageWatch, local_netloc

from partnership.learner.items import (CategorizeItem, ChoiceItem, FreeTextItem, RankingItem,
                                       practice_items)
from partnership.learner.scoring import score

pytestmark = [pytest.mark.browser, pytest.mark.book, pytest.mark.slow]

PAGES = {"alliance": "notebooks/01-alliance-lab.html",
         "confidentiality": "notebooks/02-confidentiality-lab.html",
         "empathy": "notebooks/03-empathy-lab.html",
         "mi_reflections": "notebooks/04-mi-reflections-lab.html",
         "boundaries": "notebooks/05-boundaries-lab.html",
         "ruptures": "notebooks/06-ruptures-lab.html"}
READY = "section.lite-lab.lite-lab-ready, section.lite-lab.lite-lab-failed"
VERDICT = re.compile(r"Correct|Partly right|Not quite")
WRITTEN = "It sounds like part of you wants things to change, and part of you is scared of it."


def open_lab(ctx, site: str, skill: str, watch: PageWatch | None = None):
    """A page with the lab of ``skill`` ready; returns (page, frame locator, watch)."""
    page = ctx.new_page()
    watch = (watch or PageWatch(local_netloc(site))).attach(page)
    page.goto(site + PAGES[skill])
    start = page.locator("button.lite-lab-start")
    if start.is_visible():          # the first lab in this browser is one click away
        start.click()
    wait_ready(page)
    return page, page.frame_locator("iframe.lite-lab-frame"), watch


def wait_ready(page):
    page.wait_for_selector(READY, timeout=180_000)
    status = page.inner_text(".lite-lab-status")
    assert page.locator("section.lite-lab-ready").count() == 1, status


def item_box(frame, number: int, item):
    return frame.locator(".partnership-lab .widget-vbox").filter(
        has=frame.locator("h3", has_text=f"{number}. {item.heading}")).last


def first_of_each_type(skill: str) -> list[tuple[int, object]]:
    seen, out = set(), []
    for n, item in enumerate(practice_items(skill), 1):
        if type(item) not in seen:
            seen.add(type(item))
            out.append((n, item))
    return out


def option_radio(box, item, index: int):
    """The radio button of option ``index`` as written (widgets show options shuffled, and an
    input's value attribute is its position on screen, so find it by its text)."""
    return box.locator("label", has_text=item.options[index].text).locator("input[type=radio]")


def row_select(box, text: str):
    """The drop-down in the row whose text shows ``text`` (an option or a statement)."""
    return box.locator(".widget-hbox").filter(has_text=text).locator("select")


def answer(box, item):
    """Answer ``item`` correctly (a reflection for a written item) through its controls."""
    if isinstance(item, ChoiceItem):
        option_radio(box, item, item.correct_index).check()
    elif isinstance(item, RankingItem):
        for o in item.options:
            row_select(box, o.text).select_option(label=str(o.rank))
    elif isinstance(item, CategorizeItem):
        labels = {c.id: c.label for c in item.categories}
        for st in item.statements:
            row_select(box, st.text).select_option(label=labels[st.category])
    else:
        box.locator("textarea").fill(WRITTEN)
    box.get_by_role("button", name=re.compile("Check answer|Get feedback")).click()
    feedback = box.locator("[role=status]").first
    feedback.wait_for(timeout=60_000)
    return feedback.inner_text()


def selected(select) -> str:
    # ipywidgets shows drop-down labels with non-breaking spaces
    return select.evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ")


def shown_answer(box, item):
    """What the controls of ``item`` show now, in the saved-answer format."""
    if isinstance(item, ChoiceItem):
        return next((i for i in range(len(item.options))
                     if option_radio(box, item, i).is_checked()), None)
    if isinstance(item, RankingItem):
        return [int(selected(row_select(box, o.text))) for o in item.options]
    if isinstance(item, CategorizeItem):
        ids = {c.label: c.id for c in item.categories}
        return [ids.get(selected(row_select(box, st.text))) for st in item.statements]
    return box.locator("textarea").input_value()


def key(item):
    if isinstance(item, ChoiceItem):
        return item.correct_index
    if isinstance(item, RankingItem):
        return [o.rank for o in item.options]
    if isinstance(item, CategorizeItem):
        return [s.category for s in item.statements]
    return WRITTEN


@pytest.fixture(scope="module")
def reader(browser):
    """One browser profile for the six labs, as a reader going through the book (each lab's
    answers are kept in the same storage, so they must not disturb one another)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


def check_coach_in_browser(page, box, item):
    """The written item's feedback in the page equals CPython's, line for line."""
    for text in ["So you're worried that the drinking is taking over your evenings.",
                 "Why don't you just stop buying it?", "Do you drink every night?"]:
        box.locator("textarea").fill(text)
        status = box.locator("[role=status]")
        before = status.inner_text() if status.count() else ""
        box.get_by_role("button", name="Get feedback").click()
        page.wait_for_function(
            "([el, before]) => { const s = el.querySelector('[role=status]');"
            " return s && s.innerText !== before; }",
            arg=[box.element_handle(), before], timeout=60_000)
        shown = status.inner_text()
        want = score(item, text)
        assert want.verdict in shown, (text, shown)
        for line in want.lines:
            assert line in shown, (text, line, shown)


def check_shortcut_keys_do_nothing(page, frame, box):
    """With a radio button focused, "b" (insert a cell), "a", "x" and "d d" (delete the cell)
    must not reach the notebook around the lab."""
    frame.locator(".partnership-lab[data-lm-suppress-shortcuts]").wait_for(timeout=10_000)
    cells = frame.locator(".jp-Notebook .jp-Cell")
    before = cells.count()
    box.locator("input[type=radio]").first.focus()
    for k in ("b", "a", "d", "d", "x"):
        page.keyboard.press(k)
    page.wait_for_timeout(500)
    assert cells.count() == before
    assert frame.locator(".partnership-lab").count() == 1


@pytest.mark.parametrize("skill", list(PAGES))
def test_lab_runs_in_its_page_and_keeps_answers_across_a_reload(site, reader, skill):
    page, frame, watch = open_lab(reader, site, skill)
    try:
        todo = first_of_each_type(skill)
        assert len(todo) >= 2, f"{skill}: expected several item types"
        for n, item in todo:
            box = item_box(frame, n, item)
            if isinstance(item, FreeTextItem) and skill == "mi_reflections":
                check_coach_in_browser(page, box, item)
            text = answer(box, item)
            assert VERDICT.search(text), (item.id, text)
            if not isinstance(item, FreeTextItem):
                assert "Correct" in text, (item.id, text)
            if isinstance(item, ChoiceItem) and skill == "ruptures":
                check_shortcut_keys_do_nothing(page, frame, box)
        assert not watch.problems(), watch.problems()
        page.wait_for_timeout(2_000)          # "a couple of seconds after the feedback"
        page.reload()
        wait_ready(page)
        for n, item in todo:
            box = item_box(frame, n, item)
            box.locator("[role=status]").first.wait_for(timeout=30_000)
            assert "Restored from your saved answers" in box.inner_text(), item.id
            assert shown_answer(box, item) == key(item), item.id
        assert not watch.problems(), watch.problems()
        assert any(r.url.endswith("pyodide.asm.wasm") for r in watch.requests)
        # the kernel ran without Jedi and Parso: only the empty placeholder named jedi came
        wheels = [r.url.rsplit("/", 1)[-1] for r in watch.requests if ".whl" in r.url]
        assert not [w for w in wheels if w.startswith(("parso-", "jedi-0.1"))], wheels
    finally:
        page.close()


TALK_PAGE = "notebooks/07-conversation-lab.html"


def test_the_conversation_lab_runs_in_its_page_and_comes_back_after_a_reload(site, browser):
    """Lab 07 in the book's in-browser labs: ten turns with a client who mentions risk (the
    practice note shows), each reply the same as CPython gives; the summary with its SVG
    picture (no matplotlib here); a reload brings the finished conversation back from the
    browser's storage, summary and all."""
    from partnership.learner.conversation import get_client, replay
    from partnership.learner.conversation.summary import summary_lines
    turns = ["It sounds like you're exhausted and still determined to look after her yourself.",
             "What would a bit of help look like, if it were on your terms?",
             "You've cared for her through every stage of this.",
             "You promised her, and keeping that promise matters more than anything.",
             "You're tired in a way that sleep doesn't fix.",
             "Are you having thoughts of ending your life?",
             "You'd never act on it, and it's the tiredness talking.",
             "Is that every day?",
             "Part of you knows you can't keep going like this, and part of you feels that "
             "accepting help would be letting her down.",
             "What matters most to you in all this?"]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        watch = PageWatch(local_netloc(site)).attach(page)
        page.goto(site + TALK_PAGE)
        start = page.locator("button.lite-lab-start")
        if start.is_visible():
            start.click()
        wait_ready(page)
        frame = page.frame_locator("iframe.lite-lab-frame")
        lab = frame.locator(".partnership-lab").first
        from partnership.learner.conversation import client_ids
        lab.locator("select").first.select_option(index=client_ids().index("walter-carer"))
        lab.get_by_text("Walter is 78").wait_for(timeout=30_000)
        for k, text in enumerate(turns, 1):
            lab.locator("textarea").fill(text)
            lab.get_by_role("button", name="Send").click()
            frame.locator(".partnership-lab .convo-turn").nth(k).wait_for(timeout=60_000)
        lab.get_by_text("Practice note: Walter has just said").wait_for(timeout=30_000)
        lab.get_by_role("button", name=re.compile("Finish")).click()
        lab.get_by_text("Your summary").wait_for(timeout=60_000)
        shown = lab.inner_text()
        # the seed was drawn in the page, but the coach's codes, the client's state and the
        # risk thread do not depend on it: the summary's first lines and Walter's answers to
        # the direct question are CPython's
        want = replay(get_client("walter-carer"), turns, seed=0)
        for line in summary_lines(want.finish())[:4]:
            assert line in shown, line
        for t in want.turns:
            if t.risk:
                assert t.reply in shown, t.reply
        log = [t.strip() for t in shown.split("\n") if t.strip().startswith("Walter:")]
        assert len(log) == 11, log                          # the opening and ten replies
        assert lab.locator("svg[role=img]").count() == 1
        assert "you asked about it directly" in shown
        assert not watch.problems(), watch.problems()
        page.wait_for_timeout(2_000)
        page.reload()
        wait_ready(page)
        frame = page.frame_locator("iframe.lite-lab-frame")
        lab = frame.locator(".partnership-lab").first
        lab.get_by_text("Your summary").wait_for(timeout=60_000)
        again = lab.inner_text()
        assert "Restored your conversation with Walter" in again
        for line in log:
            assert line in again, line
        assert not watch.problems(), watch.problems()
    finally:
        ctx.close()


def test_a_phone_sized_screen_can_answer_and_check_an_item(site, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                              has_touch=True, device_scale_factor=2)
    try:
        # a first visit downloads nothing of the lab until the reader asks for it
        page = ctx.new_page()
        seen = []
        page.on("request", lambda r: seen.append(r.url))
        page.goto(site + PAGES["empathy"])
        page.wait_for_timeout(1_000)
        assert not any("/lite/" in u or "pyodide" in u for u in seen), seen
        assert "Start the lab" in page.inner_text(".lite-lab-status")
        page.close()
        page, frame, watch = open_lab(ctx, site, "empathy")
        n, item = next((n, i) for n, i in enumerate(practice_items("empathy"), 1)
                       if isinstance(i, ChoiceItem))
        box = item_box(frame, n, item)
        box.scroll_into_view_if_needed()
        # the longest option wraps onto several lines; its button stays at the start of its
        # first line, beside the text (not dropped below it)
        longest = max(range(len(item.options)), key=lambda i: len(item.options[i].text))
        label = box.locator("label", has_text=item.options[longest].text)
        geo = label.evaluate("""l => { const r = l.getBoundingClientRect();
            const i = l.querySelector('input').getBoundingClientRect();
            const lh = parseFloat(getComputedStyle(l).lineHeight) || 20;
            return {lines: r.height / lh, inputTop: i.top - r.top, inputLeft: i.left - r.left,
                    lh: lh}; }""")
        assert geo["lines"] >= 2, geo                     # it does wrap at this width
        assert geo["inputTop"] < geo["lh"] and geo["inputLeft"] < 4, geo
        option_radio(box, item, item.correct_index).tap()
        box.get_by_role("button", name="Check answer").tap()
        feedback = box.locator("[role=status]").first
        feedback.wait_for(timeout=30_000)
        assert "Correct" in feedback.inner_text()
        assert not watch.problems(), watch.problems()
    finally:
        ctx.close()


def test_answers_can_be_downloaded_and_loaded_into_another_browser(site, browser, tmp_path):
    first = browser.new_context(accept_downloads=True)
    try:
        page, frame, watch = open_lab(first, site, "boundaries")
        n, item = next((n, i) for n, i in enumerate(practice_items("boundaries"), 1)
                       if isinstance(i, ChoiceItem))
        answer(item_box(frame, n, item), item)
        with page.expect_download() as dl:
            frame.get_by_role("link", name="Download my answers").click()
        path = tmp_path / dl.value.suggested_filename
        dl.value.save_as(path)
        data = json.loads(path.read_text())
        assert path.name == "my.partnership-answers.json"
        assert [(a["lab"], a["item"], a["answer"]) for a in data["attempts"]] == \
            [("boundaries", item.id, item.correct_index)]
        assert not watch.problems(), watch.problems()
    finally:
        first.close()
    second = browser.new_context()        # another browser: empty storage
    try:
        page, frame, watch = open_lab(second, site, "boundaries")
        box = item_box(frame, n, item)
        assert shown_answer(box, item) is None
        with page.expect_file_chooser() as chooser:
            frame.get_by_role("button", name=re.compile("Load answers")).click()
        chooser.value.set_files(str(path))
        frame.locator(".partnership-lab [role=status]", has_text="Loaded").wait_for(
            timeout=30_000)
        assert "1 answer(s) added" in frame.locator(".partnership-lab").first.inner_text()
        assert shown_answer(box, item) == item.correct_index
        assert "Restored from your saved answers" in box.inner_text()
        assert not watch.problems(), watch.problems()
    finally:
        second.close()


def test_a_tampered_lab_script_is_refused(site, browser):
    """The page loads lite-lab.js with a subresource-integrity hash: a changed copy never runs
    (the status line keeps saying the lab needs JavaScript, and no lab is started)."""
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.route("**/_static/lite-lab.js*", lambda route: route.fulfill(
            status=200, content_type="text/javascript",
            body="document.title = 'tampered';"))
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(site + PAGES["alliance"])
        page.wait_for_timeout(1_500)
        assert page.title() != "tampered"
        assert "needs JavaScript" in page.inner_text(".lite-lab-status")
        assert any("integrity" in e for e in errors), errors
    finally:
        ctx.close()
