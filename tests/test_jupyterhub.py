"""A real class on JupyterHub, end to end, with real parts: the example hub configuration
(autograder/jupyterhub/jupyterhub_config.py) run by JupyterHub with configurable-http-proxy from
npm, an instructor and two students as local Linux users, each with their own single-user server
started by the hub, nbgrader's exchange in a shared folder, and the gradebook in PostgreSQL.

- the instructor builds the assignment and imports the roster in a terminal (as that user), then
  generates and releases it through formgrader's REST API on their own server;
- each student lists and fetches it through nbgrader's Assignments handlers on *their* server,
  answers the widget items in a kernel there by setting the widgets (which save the answers file
  as the labs do), types and writes the other answers into the notebook through the contents API,
  and submits through the Assignments handlers;
- the instructor collects, autogrades each submission, marks the written answers (formgrader's
  grades API), generates and releases feedback; each student fetches their feedback;
- the instructor exports grades.csv and the LMS files in a terminal.

Needs root (users, servers as each user), PostgreSQL (Debian), configurable-http-proxy
(``npm ci --prefix autograder/jupyterhub``) and a Python and course checkout that other users can
read. Skips with the reason where any is missing; under CI=true it fails instead (.ci/run
installs and prepares all of them).
"""
from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from browser_support import in_ci
from hub_support import (Api, add_user, as_user, free_port, have_tools, remove_user,
                         run_in_kernel, wait_for)

from partnership.grader.bank import load_bank

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
HUB_DIR = ROOT / "autograder" / "jupyterhub"
PROXY = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
INSTRUCTOR, ADA, BEN = "tap-instr", "tap-ada", "tap-ben"
COURSE_ID = "therapy-as-partnership"
BANK = load_bank(ROOT / "exercises" / "empathy.yml")
_T0 = [0.0]


def _mark(what: str) -> None:
    """Progress with elapsed seconds (pytest shows it when the test fails, or with -s)."""
    import time
    if not _T0[0]:
        _T0[0] = time.monotonic()
    print(f"[{time.monotonic() - _T0[0]:6.1f} s] {what}", flush=True)


def _skip(reason: str):
    if in_ci():
        pytest.fail(f"{reason} (CI=true: the JupyterHub test must run; .ci/run installs "
                    f"PostgreSQL and configurable-http-proxy and opens the Python to other "
                    f"users)", pytrace=False)
    pytest.skip(reason)


def _answers():
    """(widget answers, typed, written, written mark) for each student."""
    g1, g2, g3 = (BANK.item(i) for i in ("emp-g1", "emp-g2", "emp-g3"))
    cats = [c.id for c in g3.categories]
    nxt = {c: cats[(k + 1) % len(cats)] for k, c in enumerate(cats)}
    partial_g2 = list(g2.key)
    a, b = partial_g2.index(1), partial_g2.index(2)
    partial_g2[a], partial_g2[b] = 2, 1
    return {
        ADA: ({"emp-g1": g1.key, "emp-g2": list(g2.key), "emp-g3": list(g3.key)},
              {"emp-t1": "3", "emp-t2": "8"}, BANK.item("emp-w1").model_answer, 4),
        # g1 wrong (0), ranking one pair out (2.5), two statements wrong (2), t1 right (1),
        # t2 wrong (0): 5.5 autograded, written marked 2: 7.5
        BEN: ({"emp-g1": (g1.key + 1) % len(g1.options), "emp-g2": partial_g2,
               "emp-g3": [nxt[k] if i < 2 else k for i, k in enumerate(g3.key)]},
              {"emp-t1": "three", "emp-t2": "28"},
              "It sounds like a lot is going on for you right now.", 2),
    }


@pytest.fixture(scope="module")
def hub():
    why = have_tools()
    if why:
        _skip(why)
    if not PROXY.exists():
        _skip(f"configurable-http-proxy is not installed ({PROXY}): run "
              f"npm ci --prefix autograder/jupyterhub")
    from pg_support import temporary_server
    base = Path(tempfile.mkdtemp(prefix="tap-hub-"))
    base.chmod(0o755)
    homes = base / "home"
    homes.mkdir(mode=0o755)
    users = (INSTRUCTOR, ADA, BEN)
    procs = []
    try:
        _mark("start")
        for u in users:
            add_user(u, homes / u)
        _mark("users created")
        env = {"PYTHONPATH": str(ROOT), "HOME": str(homes / ADA)}
        probe = as_user(ADA, sys.executable, "-c", "import partnership.learner.assignment, "
                        "nbgrader, jupyterhub.singleuser, ipykernel", env=env, cwd=homes / ADA)
        if probe.returncode != 0:
            _skip(f"another user cannot run {sys.executable} with the course package at {ROOT} "
                  f"(a folder on the way is not open to others: chmod o+x it, as .ci/run does): "
                  f"{probe.stderr.strip()[-300:]}")
        (homes / INSTRUCTOR).chmod(0o700)          # the keys live here: students must not read
        exchange = base / "exchange"
        exchange.mkdir()
        exchange.chmod(0o1777)
        with temporary_server() as db_url:
            _mark("PostgreSQL up")
            yield from _run_hub(base, homes, exchange, db_url, procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
        _stop_proxy(base / "hub" / "jupyterhub-proxy.pid")
        for u in users:
            remove_user(u)
        shutil.rmtree(base, ignore_errors=True)


def _stop_proxy(pid_file: Path) -> None:
    """The proxy the hub started, if the hub was killed before it could stop it (JupyterHub
    writes its pid here, in the hub's working folder): stop that process, by its id."""
    import signal
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return                                  # no pid file, or the proxy is already gone
    if b"configurable-http-proxy" in cmdline:
        os.kill(pid, signal.SIGTERM)


def _run_hub(base, homes, exchange, db_url, procs):
    instructor_env = {"PYTHONPATH": str(ROOT), "HOME": str(homes / INSTRUCTOR),
                      "PARTNERSHIP_DB_URL": db_url}
    course = homes / INSTRUCTOR / "tap-course"
    roster = base / "roster.csv"
    roster.write_text("id,first_name,last_name,email\n"
                      f"{ADA},Ada,Okafor,ada.okafor@uni.example\n"
                      f"{BEN},Ben,Carter,ben.carter@uni.example\n", encoding="utf-8")
    roster.chmod(0o644)
    # the instructor, in a terminal: build the assignment, write course.yml, import the roster,
    # put the due date in the gradebook (the three commands in one interpreter, to save start-ups)
    due = (datetime.now(timezone.utc) + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
    script = f"""
import pathlib, sys
from partnership.cli import main
course = pathlib.Path({str(course)!r})
assert main(["assignment", "build", {str(ROOT / "exercises" / "empathy.yml")!r},
             "--course", str(course)]) == 0
(course / "course.yml").write_text("assignments:\\n  empathy:\\n    due: {due}\\n"
                                   "late_penalty:\\n  percent_per_day: 10\\n")
assert main(["course", "roster", {str(roster)!r}, "--course", str(course)]) == 0
assert main(["course", "deadlines", "--course", str(course)]) == 0
"""
    r = as_user(INSTRUCTOR, sys.executable, "-c", script, env=instructor_env,
                cwd=homes / INSTRUCTOR)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 added" in r.stdout and "Due dates in the gradebook" in r.stdout

    _mark("course built, roster and due date in the gradebook")
    token = secrets.token_hex(24)
    port, hub_port, api_port = free_port(), free_port(), free_port()
    state = base / "hub"
    state.mkdir()
    (state / "test_config.py").write_text(f"""
c = get_config()
load_subconfig({str(HUB_DIR / 'jupyterhub_config.py')!r})
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.JupyterHub.services = [{{"name": "term-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "term-test", "services": ["term-test"],
    "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"]}}]
c.Spawner.environment.update({{"PYTHONPATH": {str(ROOT)!r}}})
""", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTNERSHIP_", "TAP_"))}
    env.update(TAP_INSTRUCTORS=INSTRUCTOR, TAP_ROSTER=str(roster), TAP_EXCHANGE=str(exchange),
               TAP_GRADEBOOK_URL=db_url, TAP_HUB_STATE=str(state),
               TAP_HUB_URL=f"http://127.0.0.1:{port}", PYTHONPATH=str(ROOT))
    log = open(state / "hub.log", "w")
    procs.append(subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f",
                                   str(state / "test_config.py")], cwd=state, env=env,
                                  stdout=log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL))
    base_url = f"http://127.0.0.1:{port}"
    admin = Api(base_url + "/hub/api", token)
    try:
        wait_for("the hub", lambda: admin.call("GET", "/users")[0] == 200, timeout=90)
        _mark("hub up")
        for u in (INSTRUCTOR, ADA, BEN):
            status, body = admin.call("POST", f"/users/{u}/server")
            assert status in (201, 202), (u, status, body)
        tokens = {}
        for u in (INSTRUCTOR, ADA, BEN):
            wait_for(f"{u}'s server", lambda u=u: admin.ok("GET", f"/users/{u}")
                     ["servers"].get("", {}).get("ready"), timeout=180)
            tokens[u] = admin.ok("POST", f"/users/{u}/tokens",
                                 body={"expires_in": 3600, "note": "term test"})["token"]
        _mark("three servers ready")
        yield {"base": base_url, "tokens": tokens, "course": course, "db_url": db_url,
               "exchange": exchange, "homes": homes, "instructor_env": instructor_env,
               "log": state / "hub.log"}
    except Exception:
        log.flush()
        print((state / "hub.log").read_text()[-6000:])
        raise
    finally:
        for u in (INSTRUCTOR, ADA, BEN):
            admin.call("DELETE", f"/users/{u}/server", timeout=60)
        log.close()


def _user_api(hub, user) -> Api:
    return Api(f"{hub['base']}/user/{user}", hub["tokens"][user])


def _answer_and_submit(hub, user, widgets, typed, written):
    api = _user_api(hub, user)
    listed = api.ok("GET", f"/assignments?course_id={COURSE_ID}")
    assert listed["success"], listed
    assert [(a["assignment_id"], a["status"]) for a in listed["value"]] == \
        [("empathy", "released")]
    fetched = api.ok("POST", "/assignments/fetch",
                     form={"course_id": COURSE_ID, "assignment_id": "empathy"})
    assert fetched["success"], fetched
    # the widgets, in a kernel on the student's own server: setting each widget saves the answer
    session = api.ok("POST", "/api/sessions", body={
        "path": "empathy/empathy.ipynb", "type": "notebook", "name": "empathy.ipynb",
        "kernel": {"name": "python3"}})
    code = ("import json\nfrom partnership.learner.assignment import show\n"
            f"for item, answer in json.loads({json.dumps(json.dumps(widgets))}).items():\n"
            "    view = show('items.yml', item)\n"
            "    view.set_answer(answer)\n"
            "    print(item, view.status.value)\n"
            "import os; print(os.getcwd(), os.getuid())\n")
    ws = hub["base"].replace("http://", "ws://") + f"/user/{user}"
    out = run_in_kernel(ws, hub["tokens"][user], session["kernel"]["id"], code)
    assert out.count("Saved in my.partnership-answers.json") == 3, out
    assert out.strip().splitlines()[-1].startswith(str(hub["homes"] / user / "empathy"))
    api.ok("DELETE", f"/api/sessions/{session['id']}")
    # typed and written answers, into the notebook through the contents API (as JupyterLab saves)
    model = api.ok("GET", "/api/contents/empathy/empathy.ipynb?content=1")
    nb = model["content"]
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        item = gid.removesuffix("-answer")
        if gid.endswith("-answer") and item in typed:
            cell["source"] = f"answer_{item.replace('-', '_')} = {typed[item]!r}"
        elif gid == "emp-w1-answer":
            cell["source"] = written
    api.ok("PUT", "/api/contents/empathy/empathy.ipynb",
           body={"type": "notebook", "format": "json", "content": nb})
    submitted = api.ok("POST", "/assignments/submit",
                       form={"course_id": COURSE_ID, "assignment_id": "empathy"})
    assert submitted["success"], submitted
    return api


def test_a_term_on_jupyterhub(hub):
    teacher = _user_api(hub, INSTRUCTOR)
    # release through formgrader
    for step in ("assign", "release"):
        r = teacher.ok("POST", f"/formgrader/api/assignment/empathy/{step}")
        assert r["success"], (step, r)
    assert (hub["exchange"] / COURSE_ID / "outbound" / "empathy" / "items.yml").exists()
    assert not list((hub["exchange"] / COURSE_ID).rglob("keys"))
    _mark("released")
    # the keys stay in the instructor's home, out of the students' reach
    peek = as_user(ADA, "cat", hub["course"] / "keys" / "empathy.yml")
    assert peek.returncode != 0 and "Permission denied" in peek.stderr

    answers = _answers()
    for user in (ADA, BEN):
        widgets, typed, written, _ = answers[user]
        _answer_and_submit(hub, user, widgets, typed, written)
        _mark(f"{user} fetched, answered, submitted")
    inbound = sorted(p.name.split("+")[0] for p in
                     (hub["exchange"] / COURSE_ID / "inbound").iterdir())
    assert inbound == [ADA, BEN]

    # collect, autograde, mark, feedback: formgrader's API on the instructor's server
    r = teacher.ok("POST", "/formgrader/api/assignment/empathy/collect")
    assert r["success"], r
    for user in (ADA, BEN):
        r = teacher.ok("POST", f"/formgrader/api/submission/empathy/{user}/autograde")
        assert r["success"], r
    _mark("collected and autograded")
    subs = teacher.ok("GET", "/formgrader/api/submitted_notebooks/empathy/empathy")
    by_student = {s["student"]: s for s in subs}
    assert {s: by_student[s]["score"] for s in (ADA, BEN)} == {ADA: 10.0, BEN: 5.5}
    assert by_student[ADA]["needs_manual_grade"] and by_student[BEN]["needs_manual_grade"]
    for user in (ADA, BEN):
        grades = teacher.ok("GET", f"/formgrader/api/grades?submission_id="
                                   f"{by_student[user]['id']}")
        (w1,) = [g for g in grades if g["name"] == "emp-w1-answer"]
        teacher.ok("PUT", f"/formgrader/api/grade/{w1['id']}",
                   body={**w1, "manual_score": answers[user][3]})
    for step in ("generate_feedback", "release_feedback"):
        r = teacher.ok("POST", f"/formgrader/api/assignment/empathy/{step}")
        assert r["success"], (step, r)

    _mark("marked, feedback generated and released")
    # each student fetches their own feedback: scores and reasons, no grader notes
    for user, total in ((ADA, "14.0"), (BEN, "7.5")):
        api = _user_api(hub, user)
        r = api.ok("POST", "/assignments/fetch_feedback",
                   form={"course_id": COURSE_ID, "assignment_id": "empathy"})
        assert r["success"], r
        html_files = list((hub["homes"] / user / "empathy" / "feedback").rglob("*.html"))
        assert len(html_files) == 1, html_files
        text = html_files[0].read_text(encoding="utf-8")
        assert f"empathy (Score: {total} / 14.0)" in text
        assert "Written response</a> (Score: " in text
        for secret in ("Notes for the grader", "Rubric", "Model answer"):
            assert secret not in text

    # the gradebook is in PostgreSQL
    from nbgrader.api import Gradebook
    from partnership.grader.config import database_url
    with Gradebook(database_url(hub["db_url"]), COURSE_ID) as gb:
        assert gb.db.bind.dialect.name == "postgresql"
        assert gb.find_submission("empathy", ADA).score == 14
        assert gb.find_submission("empathy", BEN).score == 7.5

    _mark("feedback fetched")
    # exports, in the instructor's terminal
    env = hub["instructor_env"]
    course = hub["course"]
    r = as_user(INSTRUCTOR, sys.executable, "-m", "nbgrader", "export", "--to=grades.csv",
                env={**env, "PARTNERSHIP_COURSE_ROOT": str(course),
                     "JUPYTER_CONFIG_PATH": str(HUB_DIR)}, cwd=course)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = {row["student_id"]: row for row in csv.DictReader(open(course / "grades.csv"))}
    assert (rows[ADA]["first_name"], rows[ADA]["email"], rows[ADA]["score"]) == \
        ("Ada", "ada.okafor@uni.example", "14.0")
    assert rows[BEN]["score"] == "7.5" and rows[BEN]["status"] == "graded"
    assert rows[ADA]["duedate"] != ""
    r = as_user(INSTRUCTOR, sys.executable, "-m", "partnership.cli", "lms-export", "--course",
                course, env=env, cwd=course)
    assert r.returncode == 0, r.stderr[-2000:]
    canvas = {row[3]: row for row in csv.reader(open(course / "lms" / "canvas-empathy.csv"))}
    assert canvas[ADA][0] == "Okafor, Ada" and canvas[ADA][5] == "14"
    assert canvas[BEN][5] == "7.5"
    _mark("exported")
