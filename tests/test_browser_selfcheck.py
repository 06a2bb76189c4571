"""The book's self-checks as a test, in Debian's Chromium (book/_static/selfcheck.js).

- choose first, then see the verdict and the reason for that choice, then the other options;
- a running score per chapter, kept in the tab's sessionStorage only (no request leaves the
  local server), surviving a reload and cleared by "Start again";
- the same by keyboard alone, with focus moved to the feedback;
- without JavaScript, today's reveal: every option a dropdown with its verdict in words;
- axe-core finds no serious violation once questions are answered.
"""
from __future__ import annotations

import re

import pytest
from bookinfo import chapter_docs
from browser_support import describe, run_axe, serious

pytestmark = [pytest.mark.browser, pytest.mark.book, pytest.mark.slow]



def no_js_problems(watch) -> list[str]:
    """With JavaScript off, Chromium refuses the page's scripts ("csp"): not a fault."""
    return [p for p in watch.problems() if not p.endswith("(csp)")]


def open_chapter(page, site, n=2):
    page.goto(f"{site}{chapter_docs()[n]}.html")
    page.wait_for_load_state("load")
    page.locator(".self-check.self-check-js").wait_for(state="attached", timeout=5000)


def key_of(question) -> int:
    """Index of the right option (from the page's markup, as the script reads it)."""
    return question.evaluate(
        "q => [...q.querySelectorAll('details.self-check-option')]"
        ".findIndex(d => d.classList.contains('self-check-key'))")


def score_text(page) -> str:
    return page.locator(".self-check-score").first.inner_text()


def test_choose_then_reveal_and_score_by_mouse(site, fresh):
    page, watch = fresh()
    open_chapter(page, site)
    questions = page.locator(".self-check-question")
    n = questions.count()
    assert n >= 8
    assert score_text(page) == f"Your score: 0 of {n} (0 of {n} answered)."
    q1 = questions.nth(0)
    # nothing is revealed before a choice: the option verdicts are hidden
    assert not q1.locator("details.self-check-option").first.is_visible()
    assert not q1.locator(".self-check-result").is_visible()
    q1.get_by_role("button", name="Check answer").click()
    assert q1.locator(".self-check-hint").inner_text() == "Choose an answer first."
    assert not q1.locator(".self-check-result").is_visible()
    # a wrong answer: its own verdict and reason, then the others may be opened
    k = key_of(q1)
    wrong = (k + 1) % q1.locator("input[type=radio]").count()
    q1.locator("label").nth(wrong).click()
    q1.get_by_role("button", name="Check answer").click()
    result = q1.locator(".self-check-result")
    result.wait_for(state="visible")
    text = result.inner_text()
    assert text.startswith(f"Not quite. You chose {chr(65 + wrong)}.")
    assert f"Your score: 0 of {n} (1 of {n} answered)." in text
    assert "Correct." not in text
    assert q1.locator("input[type=radio]:disabled").count() == q1.locator("input").count()
    options = q1.locator("details.self-check-option")
    assert options.first.is_visible()
    options.nth(k).locator("summary").click()
    assert options.nth(k).locator(".sd-summary-content").inner_text().startswith("Correct.")
    assert "(your answer)" in options.nth(wrong).locator("summary").inner_text()
    # a right answer on the next question
    q2 = questions.nth(1)
    q2.locator("label").nth(key_of(q2)).click()
    q2.get_by_role("button", name="Check answer").click()
    assert q2.locator(".self-check-result").inner_text().startswith("Correct. You chose")
    assert score_text(page) == f"Your score: 1 of {n} (2 of {n} answered)."
    # kept in this tab only: a reload restores it; a new context (another tab) does not
    stored = page.evaluate("Object.keys(sessionStorage)")
    assert len(stored) == 1 and stored[0].startswith("partnership-selfcheck:")
    # (the theme keeps its colour mode in localStorage; the self-check keeps nothing there)
    assert not page.evaluate("Object.keys(localStorage).filter(k => /selfcheck|self-check/i"
                             ".test(k) || /self-check|selfcheck/i.test(localStorage[k]))")
    page.reload()
    page.wait_for_load_state("load")
    assert score_text(page) == f"Your score: 1 of {n} (2 of {n} answered)."
    assert questions.nth(0).locator(".self-check-result").inner_text().startswith("Not quite.")
    other, _ = fresh()
    open_chapter(other, site)
    assert score_text(other) == f"Your score: 0 of {n} (0 of {n} answered)."
    # start again
    page.get_by_role("button", name="Start again").click()
    assert score_text(page) == f"Your score: 0 of {n} (0 of {n} answered)."
    assert not questions.nth(0).locator(".self-check-result").is_visible()
    assert questions.nth(0).locator("input[type=radio]:disabled").count() == 0
    assert not watch.problems(), watch.problems()
    assert not watch.external


def test_choose_then_reveal_and_score_by_keyboard(site, fresh):
    page, watch = fresh()
    open_chapter(page, site, 4)
    questions = page.locator(".self-check-question")
    n = questions.count()
    q1 = questions.nth(0)
    k = key_of(q1)
    # Tab reaches the first question's radio group; arrows choose; Enter checks
    for _ in range(600):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.self-check-question') !== null"):
            break
    else:
        raise AssertionError("the self-check was not reached by Tab")
    assert page.evaluate("document.activeElement.type") == "radio"
    assert page.evaluate("document.activeElement.name") == f"{q1.get_attribute('id')}-choice"
    for _ in range(k):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")              # make sure the focused radio is checked
    assert q1.locator("input[type=radio]").nth(k).is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check answer"
    page.keyboard.press("Enter")
    result = q1.locator(".self-check-result")
    result.wait_for(state="visible")
    # focus moves to the feedback, so a screen reader reads it next
    assert page.evaluate("document.activeElement.classList.contains('self-check-result')")
    assert result.inner_text().startswith(f"Correct. You chose {chr(65 + k)}.")
    assert f"Your score: 1 of {n} (1 of {n} answered)." in result.inner_text()
    # the other options are now reachable and open with Enter
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert q1.locator("details[open]").count() == 1
    # Enter on a chosen radio also checks (implicit submission)
    q2 = questions.nth(1)
    q2.locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    q2.locator(".self-check-result").wait_for(state="visible")
    assert score_text(page).endswith(f"(2 of {n} answered).")
    assert not watch.problems(), watch.problems()


def test_screen_reader_structure(site, fresh):
    page, _ = fresh()
    open_chapter(page, site, 1)
    q = page.locator(".self-check-question").first
    # a named group of labelled radios and a real button
    legend = q.locator("fieldset > legend").inner_text()
    assert legend == "Your answer to question 1"
    radios = q.get_by_role("radio")
    assert radios.count() >= 2
    for i in range(radios.count()):
        label = radios.nth(i).evaluate("r => r.labels[0].textContent.trim()")
        assert re.match(r"^[A-E]\. \S", label), label
    assert q.get_by_role("button", name="Check answer").is_visible()
    assert q.locator(".self-check-hint").get_attribute("aria-live") == "polite"


def test_no_javascript_falls_back_to_the_reveal(site, fresh):
    page, watch = fresh(java_script_enabled=False)
    page.goto(f"{site}{chapter_docs()[3]}.html")
    page.wait_for_load_state("load")
    assert page.locator(".self-check-form").count() == 0
    assert page.locator(".self-check-score").count() == 0
    q = page.locator(".self-check-question").first
    assert "Open an option to see whether it is right" in q.inner_text()
    options = q.locator("details.self-check-option")
    verdicts = []
    for i in range(options.count()):
        body = options.nth(i).locator(".sd-summary-content")
        assert not body.is_visible()
        options.nth(i).locator("summary").click()
        body.wait_for(state="visible", timeout=3000)
        verdicts.append(body.inner_text().split(".")[0])
    assert verdicts.count("Correct") == 1 and verdicts.count("Not quite") == len(verdicts) - 1
    assert not no_js_problems(watch), no_js_problems(watch)


def test_axe_after_answering(site, fresh):
    """The enhanced self-check, answered (feedback, review list, one option open), in light and
    dark colours."""
    problems = []
    for scheme in ("light", "dark"):
        page, _ = fresh(color_scheme=scheme)
        open_chapter(page, site, 5)
        questions = page.locator(".self-check-question")
        for i in range(2):
            q = questions.nth(i)
            q.locator("label").nth(i).click()
            q.get_by_role("button", name="Check answer").click()
        questions.nth(0).locator("details.self-check-option summary").first.click()
        found = serious(run_axe(page))
        if found:
            problems.append(f"{scheme}: " + describe(found))
    assert not problems, "\n".join(problems)
