"""The reflection coach live in the book page ({coach-demo}; partnership/book/coachdemo.py).

- The vendored Pyodide is the pinned npm release, byte for byte.
- The built site ships the coach's run-time files (identical to the package's) and loads the
  form's script only where there is a form.
- In Chromium, by keyboard alone: the page loads Pyodide and the coach from its own site only,
  codes responses exactly as CPython does here, announces progress in a status region, and
  passes axe (WCAG 2.1 AA) with the feedback shown.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from browser_support import PageWatch, describe, local_netloc, run_axe, serious

from partnership.coach import analyse, describe_code
from partnership.book import coachdemo

REPO = Path(__file__).resolve().parents[1]
VENDORED = REPO / "book" / "_static" / coachdemo.PYODIDE_DIR
NPM = REPO / "tests" / "wasm"
PAGE = "book/ch05-motivational-interviewing.html"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_vendored_pyodide_is_the_pinned_release():
    pinned = json.loads((NPM / "package.json").read_text())["dependencies"]["pyodide"]
    vendored = json.loads((VENDORED / "package.json").read_text())
    assert vendored["name"] == "pyodide" and vendored["version"] == pinned
    assert VENDORED.name == f"pyodide-{pinned}"
    # SHA256SUMS was written from the npm release when it was vendored: every file the
    # folder holds (bar the notes) is listed, and unchanged since
    sums = dict(line.split()[::-1] for line in
                (VENDORED / "SHA256SUMS").read_text().splitlines() if line.strip())
    assert set(sums) == {f.name for f in VENDORED.iterdir()} - {"README.txt", "SHA256SUMS"}
    for name, digest in sums.items():
        assert _sha(VENDORED / name) == digest, name
    installed = NPM / "node_modules" / "pyodide"
    if not installed.is_dir():
        pytest.skip("npm ci --prefix tests/wasm not run: comparison with the release skipped")
    for name, digest in sums.items():
        assert _sha(installed / name) == digest, name


@pytest.mark.book
def test_built_site_ships_the_coach_and_loads_it_only_where_needed(built_book):
    proc, html = built_book
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = html / "_static" / coachdemo.PY_DIR
    manifest = json.loads((out / "manifest.json").read_text())
    shipped = {f"partnership/{p.relative_to(coachdemo.PACKAGE).as_posix()}"
               for p in coachdemo.shipped_files()}
    assert set(manifest["files"]) == shipped == set(manifest["sha256"])
    assert "partnership/coach/coach_model.npz" in shipped
    for rel in manifest["files"]:
        assert _sha(out / rel) == _sha(coachdemo.PACKAGE.parent / rel), rel
        assert _sha(out / rel) == manifest["sha256"][rel], rel
    # no graded-exercise solution or hidden test anywhere in the published site
    for f in html.rglob("*"):
        if f.is_file() and f.suffix in (".html", ".js", ".py", ".json", ".txt"):
            text = f.read_text(encoding="utf-8", errors="replace")
            for marker in ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "### BEGIN"):
                assert marker not in text, f"{marker} in {f}"
    with_script = sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                         if coachdemo.JS_FILE in p.read_text(encoding="utf-8"))
    assert with_script == [PAGE]


CASES = [
    ("You're worried that the drinking is becoming a habit.", None),
    ("Do you drink every night?", None),
    ("That took real determination.", "I've not had a drink for two weeks."),
    # an ampersand and angle brackets are shown as typed, never as markup or entities
    ("So work & home both pull at you.", "Work & home <both> pull at me, and I'm worn out."),
    # a directive is named as advice, never praised as a reflection
    ("He's abusive and you need to leave him now.",
     "He says sorry every time, and then it starts again. I don't know why I stay."),
    # nothing written: no code, no score, a prompt to write something
    ("   ", None),
]


@pytest.mark.browser
@pytest.mark.book
@pytest.mark.slow
def test_coach_in_the_page_by_keyboard(site, browser):
    page = browser.new_page()
    watch = PageWatch(local_netloc(site)).attach(page)
    page.goto(f"{site}/{PAGE}")
    form = page.locator("form.coach-demo")
    assert form.count() == 1
    default_client = page.input_value("form.coach-demo textarea[name=client]")
    status = form.locator("[role=status]")
    result = form.locator(".coach-demo-result")
    assert result.get_attribute("aria-live") == "polite"
    for n, (response, client) in enumerate(CASES):
        client_field = page.locator("form.coach-demo textarea[name=client]")
        client_field.focus()
        if client is not None:
            page.keyboard.press("Control+A")
            page.keyboard.type(client)
        page.keyboard.press("Tab")  # to the response field
        assert page.evaluate("document.activeElement.name") == "response"
        page.keyboard.press("Control+A")
        page.keyboard.type(response)
        page.keyboard.press("Tab")  # to the button
        assert page.evaluate("document.activeElement.tagName") == "BUTTON"
        before = result.inner_text()
        page.keyboard.press("Enter")
        page.wait_for_function(
            "([sel, before]) => { const r = document.querySelector(sel);"
            " return r.textContent.length > 0 && r.innerText !== before; }",
            arg=[".coach-demo-result", before], timeout=120_000)
        want = analyse(response, client if client is not None else default_client)
        text = result.inner_text()
        assert want.feedback in text, text  # plain text, shown as text
        assert "&amp;" not in text and "&lt;" not in text
        if want.coded:
            assert f"The coach's code: {describe_code(want.code, want.subcode)}" in text, text
            assert f"HRQ-style score {want.hrq_score} of 5" in text
            assert "well done" not in text.lower() or want.code != "therapist_input"
        else:
            assert "Nothing to code yet" in text and "HRQ" not in text, text
        assert status.inner_text().startswith("Done"), status.inner_text()
    assert not watch.problems(), watch.problems()  # same-site requests only, none failed
    fetched = [r.url for r in watch.requests]
    assert any(u.endswith("pyodide.asm.wasm") for u in fetched)
    assert any("coach_model.npz?v=" in u for u in fetched)  # asked for by version
    found = serious(run_axe(page))  # (axe's own stylesheet probes come after the watch)
    assert not found, describe(found)
    page.close()


@pytest.mark.browser
@pytest.mark.book
@pytest.mark.slow
def test_without_javascript_the_form_sends_nothing(site, browser):
    """With JavaScript off the button stays disabled and nothing typed reaches any URL."""
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    urls = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{site}/{PAGE}")
    button = page.locator("form.coach-demo button")
    assert button.get_attribute("type") == "button" and button.is_disabled()
    page.fill("form.coach-demo textarea[name=response]", "my private words")
    page.focus("form.coach-demo textarea[name=response]")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Enter")
    page.locator("form.coach-demo button").click(force=True)
    page.wait_for_timeout(300)
    assert not any("private" in u for u in urls + [page.url]), urls
    ctx.close()


@pytest.mark.browser
@pytest.mark.book
@pytest.mark.slow
def test_a_tampered_coach_file_is_refused(site, browser):
    """Each coach file is checked against the SHA-256 in the manifest, and the manifest against
    the hash in the page: a changed rules.py never runs."""
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.route("**/coach-py/partnership/coach/rules.py*", lambda route: route.fulfill(
            status=200, content_type="text/x-python", body="raise SystemExit('tampered')\n"))
        page.goto(f"{site}/{PAGE}")
        page.fill("form.coach-demo textarea[name=response]", "You feel torn.")
        page.click("form.coach-demo button")
        status = page.locator("form.coach-demo [role=status]")
        page.wait_for_function("() => /could not run/.test(document.querySelector("
                               "'form.coach-demo [role=status]').textContent)",
                               timeout=120_000)
        assert "rules.py does not match its checksum" in status.inner_text()
        assert page.inner_text("form.coach-demo .coach-demo-result") == ""
    finally:
        ctx.close()
