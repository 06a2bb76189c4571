"""Helpers for the JupyterHub end-to-end test (tests/test_jupyterhub.py): local Linux users, the
hub's and the single-user servers' REST APIs, and running code in a kernel over its websocket
(the Jupyter messaging protocol), all on 127.0.0.1.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_user(name: str, home) -> None:
    """Create a local Linux user with its home at ``home`` (removing a leftover first)."""
    remove_user(name)
    subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
                    "--user-group", name], check=True, capture_output=True, text=True)


def remove_user(name: str) -> None:
    if subprocess.run(["id", name], capture_output=True).returncode == 0:
        # this test's user: any process left running as it was started by the test
        pids = subprocess.run(["pgrep", "-u", name], capture_output=True, text=True).stdout
        for pid in pids.split():
            subprocess.run(["kill", "-KILL", pid], capture_output=True)
        subprocess.run(["userdel", "--force", "--remove", name], capture_output=True)
        subprocess.run(["groupdel", name], capture_output=True)


def as_user(name: str, *cmd, env: dict | None = None, cwd=None, timeout=300
            ) -> subprocess.CompletedProcess:
    """Run ``cmd`` as the Linux user ``name`` (what they would type in a terminal)."""
    envs = [f"{k}={v}" for k, v in (env or {}).items()]
    return subprocess.run(["runuser", "-u", name, "--", "env", *envs, *map(str, cmd)],
                          capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          stdin=subprocess.DEVNULL)


class Api:
    """JSON over HTTP with a token, as JupyterLab's front end and scripts call these APIs."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base.rstrip("/"), token

    def call(self, method: str, path: str, body=None, form: dict | None = None,
             timeout: float = 300):
        url = self.base + path
        headers = {"Authorization": f"token {self.token}"}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                text = resp.read().decode()
                return resp.status, (json.loads(text) if text.strip() else None)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def ok(self, method: str, path: str, **kw):
        status, data = self.call(method, path, **kw)
        if status >= 300:
            raise AssertionError(f"{method} {path}: HTTP {status}: {str(data)[:1500]}")
        return data


def wait_for(what: str, check, timeout: float = 120, every: float = 0.5):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            got = check()
            if got:
                return got
        except Exception as exc:     # not up yet
            last = exc
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what} (last: {last!r})")


def run_in_kernel(ws_base: str, token: str, kernel_id: str, code: str,
                  timeout: float = 120) -> str:
    """Execute ``code`` in the kernel over its websocket; return what it printed. An error in the
    kernel raises AssertionError with the traceback."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def go():
        session = uuid.uuid4().hex
        url = f"{ws_base}/api/kernels/{kernel_id}/channels?session_id={session}"
        conn = await websocket_connect(HTTPRequest(
            url, headers={"Authorization": f"token {token}"}, request_timeout=timeout))
        msg_id = uuid.uuid4().hex
        conn.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": session,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        out, error, replied, idle = [], None, False, False
        while not (replied and idle):
            raw = await asyncio.wait_for(conn.read_message(), timeout)
            if raw is None:
                raise AssertionError("the kernel's websocket closed")
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                error = "\n".join(content.get("traceback", [])) or content.get("evalue")
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
        conn.close()
        if error:
            raise AssertionError(f"the kernel raised:\n{error}")
        return "".join(out)

    # A thread of its own: earlier tests in the same pytest run (Playwright's sync API) can leave
    # an event loop running in this thread, where asyncio.run() refuses to start another.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, go()).result()


def have_tools() -> str | None:
    """Why the hub test cannot run here (None: it can)."""
    import os
    if os.geteuid() != 0:
        return "not root: creating Linux users and starting their servers needs root"
    for tool in ("useradd", "userdel", "runuser"):
        if shutil.which(tool) is None:
            return f"{tool} is missing"
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return "JupyterHub is not installed (pip install -r requirements.txt)"
    return None
