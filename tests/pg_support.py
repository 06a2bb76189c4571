"""A throwaway PostgreSQL server for the gradebook tests (Debian's ``postgresql`` package).

``temporary_server()`` runs ``initdb`` into a temporary folder and starts the server on a free port
of 127.0.0.1, with a role and a database as an instructor's IT service would give them, and stops
and removes it afterwards. PostgreSQL refuses to run as root, so as root it runs as the
``postgres`` user that the Debian package creates. Where no PostgreSQL is installed the tests skip
with a reason, except under ``CI=true``, where ``.ci/run`` installs it and a missing server fails.
"""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from browser_support import skip_or_fail

USER, PASSWORD, DATABASE = "grader", "secret", "tap_gradebook"


def _bin() -> Path | None:
    env = os.environ.get("PARTNERSHIP_PG_BIN")
    cands = [env] if env else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in cands:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def temporary_server():
    """Yield the documented form of URL, postgresql://grader:secret@127.0.0.1:PORT/tap_gradebook."""
    pg = _bin()
    if pg is None:
        skip_or_fail("PostgreSQL is not installed (apt-get install postgresql)")
    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            skip_or_fail("running as root without runuser: cannot start PostgreSQL")
        as_user = ["runuser", "-u", "postgres", "--"]
    folder = Path(tempfile.mkdtemp(prefix="partnership-pg-"))
    data = folder / "data"
    if as_user:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()

    def run(*cmd, check=True):
        return subprocess.run(as_user + [str(c) for c in cmd], capture_output=True, text=True,
                              check=check, timeout=120)
    try:
        run(pg / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        run(pg / "pg_ctl", "-D", data, "-l", folder / "log", "-w", "-t", "60", "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start")
        psql = [pg / "psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-v",
                "ON_ERROR_STOP=1", "-c"]
        run(*psql, f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'")
        run(*psql, f"CREATE DATABASE {DATABASE} OWNER {USER}")
        yield f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/{DATABASE}"
    except subprocess.CalledProcessError as exc:
        log = (folder / "log").read_text() if (folder / "log").exists() else ""
        pytest.fail(f"PostgreSQL did not start: {exc.cmd}\n{exc.stderr}\n{log[-2000:]}",
                    pytrace=False)
    finally:
        run(pg / "pg_ctl", "-D", data, "-m", "immediate", "stop", check=False)
        time.sleep(0.2)
        shutil.rmtree(folder, ignore_errors=True)
