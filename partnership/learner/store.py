"""Saved answers: one JSON file beside the notebook, safe against crashes and concurrent labs.

No widget code here: an nbgrader hidden test (or any script) can read a learner's answers with

    from partnership.learner.store import AnswerStore
    store = AnswerStore()                  # ./my.partnership-answers.json
    store.answers("empathy")               # {item_id: {"answer", "score", "max_score", ...}}

How a write is made safe:

- every attempt is appended under an exclusive lock: ``fcntl.flock`` on a hidden lock file beside
  the answers file where the platform has it; elsewhere (Windows, and Pyodide, whose ``fcntl``
  has no ``flock``) a lock file created with ``O_EXCL`` that names its owner (process, host,
  a random id per interpreter). A lock left by a writer that died is recognised at once where
  the owner can be checked (its process is gone), and after a short age where it cannot (in the
  browser, where every tab's Python has the same process id), and then broken safely (under a
  second, short-lived lock, and only if it is still the same stale lock). A save never goes
  ahead without the lock: if a live writer holds it past ``lock_timeout``, the attempt is kept
  in memory and saved with the next one, and the learner is told;
- under the lock the file is re-read and the new attempt merged in, so two labs writing at once
  lose nothing;
- the new content goes to a temporary file in the same folder, which is flushed and fsynced, then
  renamed over the old file (atomic), and the folder is fsynced, so a crash at any moment leaves
  either the old file or the new one, both valid. A symlinked answers file is written through the
  link (the temporary file and the lock sit beside the real file), never replaced by a copy.

A corrupt or unreadable file never crashes a lab: a corrupt one is copied to
``<name>.corrupt-<time>`` (its readable attempts are kept), and the reason is added, in words,
to :attr:`AnswerStore.warnings`, which the labs show to the learner. A file written by a newer
version of the package is left exactly as it is (never moved or rewritten): this version does
not save into it, keeps the session's answers in memory, and says how to update.

File format (``version`` 1)::

    {"schema": "partnership-answers", "version": 1, "created": ISO time, "updated": ISO time,
     "attempts": [{"id": hex, "lab": "empathy", "item": "emp-001", "answer": <JSON>,
                   "score": 1.0, "max_score": 1.0, "time": ISO time}, ...]}

The latest attempt per (lab, item) is the learner's current answer; all attempts make the
progress history. :meth:`AnswerStore.merge` adds the attempts of another answers file (a
download from another browser, or from the local labs) without duplicating any.
"""
from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import platform
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = "partnership-answers"
VERSION = 1
#: Default file name, in the notebook's working directory (git-ignored by
#: ``*.partnership-answers.json``).
DEFAULT_FILENAME = "my.partnership-answers.json"
#: Answers are small JSON values (an index, a list of ranks or ids, a text); anything nested
#: deeper than this is damage, not an answer (and would overflow the JSON codec's recursion).
MAX_ANSWER_DEPTH = 8

try:  # POSIX; Pyodide has an fcntl module without flock
    import fcntl
except ImportError:  # Windows
    fcntl = None

#: This interpreter, in lock files: a lock that names our process but not this id was left by
#: an earlier process with the same id (a restarted kernel), so it is stale.
BOOT = uuid.uuid4().hex
IN_BROWSER = sys.platform == "emscripten"
#: Age after which a lock whose owner cannot be checked counts as abandoned. Writers hold the
#: lock for milliseconds; in the browser (where a stale lock cannot be told from a live one in
#: another tab) a lost lock costs one wait of this length.
STALE_UNCHECKED = 5.0 if IN_BROWSER else 30.0
_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class StoreError(ValueError):
    """An attempt that cannot be recorded (e.g. an answer that is not JSON data), or a file that
    cannot be merged; the message says why in plain words."""


class LockTimeout(OSError):
    """Another live program held the answers file's lock for too long."""


class NewerFile(OSError):
    """The answers file was written by a newer version of the package; it is never rewritten."""


def _empty() -> dict:
    t = now_iso()
    return {"schema": SCHEMA, "version": VERSION, "created": t, "updated": t, "attempts": []}


def _depth(x, limit: int) -> int:
    """Nesting depth of a JSON value, stopping once past ``limit``."""
    if limit < 0:
        return 1
    if isinstance(x, list):
        return 1 + max((_depth(v, limit - 1) for v in x), default=0)
    if isinstance(x, dict):
        return 1 + max((_depth(v, limit - 1) for v in x.values()), default=0)
    return 0


def _valid_attempt(a) -> bool:
    return (isinstance(a, dict) and isinstance(a.get("id"), str)
            and isinstance(a.get("lab"), str) and isinstance(a.get("item"), str)
            and isinstance(a.get("time"), str) and "answer" in a
            and (a.get("score") is None or _is_number(a.get("score")))
            and _is_number(a.get("max_score"))
            and _depth(a.get("answer"), MAX_ANSWER_DEPTH) <= MAX_ANSWER_DEPTH)


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _by_time(attempts: list[dict]) -> list[dict]:
    """Attempts oldest first (ISO times in UTC sort as text); ties keep their order."""
    return sorted(attempts, key=lambda a: a["time"])


def parse(raw: bytes) -> tuple[dict, str | None, bool]:
    """(data, problem, newer): the answers file ``raw`` as a dict of valid attempts, what is
    wrong with it in words (None when fully valid), and whether it is from a newer version."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _empty(), "it is not valid JSON (perhaps it was edited or cut short)", False
    except RecursionError:
        return _empty(), "it is nested too deeply to be an answers file", False
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        return _empty(), "it is not a partnership answers file", False
    v = data.get("version")
    if not isinstance(v, int) or isinstance(v, bool):
        return _empty(), "it has no valid format version", False
    if v > VERSION:
        return _empty(), (f"it was written by a newer version of the course package (format "
                          f"{v}; this one reads {VERSION})"), True
    attempts = data.get("attempts")
    if not isinstance(attempts, list):
        return _empty(), "its list of attempts is missing", False
    good = [a for a in attempts if _valid_attempt(a)]
    out = _empty()
    out["created"] = data.get("created") if isinstance(data.get("created"), str) \
        else out["created"]
    out["attempts"] = good
    if len(good) != len(attempts):
        return out, (f"{len(attempts) - len(good)} of its {len(attempts)} saved attempts "
                     f"were damaged (the other {len(good)} are kept)"), False
    return out, None, False


class AnswerStore:
    """A learner's saved answers in one JSON file (see the module docstring)."""

    def __init__(self, path: str | os.PathLike | None = None, *, lock_timeout: float = 10.0):
        self.path = Path(path) if path is not None else Path.cwd() / DEFAULT_FILENAME
        if self.path.is_dir():
            self.path = self.path / DEFAULT_FILENAME
        self.lock_timeout = lock_timeout
        #: Messages for the learner (plain text) about problems met with the file.
        self.warnings: list[str] = []
        #: Whether the last :meth:`record` reached the file (False: kept in memory only).
        self.last_saved: bool | None = None
        #: Attempts kept in memory only, because the file could not be written.
        self._unsaved: list[dict] = []

    # ------------------------------------------------------------------ where

    def real_path(self) -> Path:
        """The file actually written: the target of a symlinked answers file."""
        return Path(os.path.realpath(self.path))

    def _hidden(self, suffix: str) -> Path:
        real = self.real_path()
        return real.with_name(f".{real.name}.{suffix}")

    @property
    def pending(self) -> int:
        """How many attempts are kept in memory only, waiting to be saved."""
        return len(self._unsaved)

    # ------------------------------------------------------------------ reading

    def _load(self, repair: bool) -> dict:
        """Read the file. With ``repair`` (only under the lock), back up a bad file; a file
        from a newer version raises :class:`NewerFile` instead (it is never touched)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return _empty()
        except OSError as exc:
            self._warn(f"Your saved answers in {self.path.name} could not be read "
                       f"({exc.strerror or exc}); answers from this session are kept in memory "
                       f"only until the file can be read again.")
            raise
        data, problem, newer = parse(raw)
        if newer:
            self._warn(f"The saved-answers file {self.path.name} was written by a newer version "
                       f"of the course package: {problem}. It is left exactly as it is, so none "
                       f"of those answers is lost, and this version does not save into it: "
                       f"update the package (pip install -U -r requirements.txt) to see them and "
                       f"carry on. Answers you give now are kept for this session only.")
            if repair:
                raise NewerFile(errno.EPERM, "written by a newer version of the package")
            return data
        if problem:
            if repair:
                # the read-time notice ("will be repaired at the next save") is now out of date
                self.warnings = [w for w in self.warnings if "could not be fully read" not in w]
                backup = self._backup_bad(raw)
                where = f"a copy of it is kept as {backup.name}" if backup else \
                    "a backup copy could not be made"
                self._warn(f"The saved-answers file {self.path.name} could not be used: "
                           f"{problem}. {where[0].upper() + where[1:]}, and saving continues "
                           f"in a fresh file.")
            else:
                self._warn(f"The saved-answers file {self.path.name} could not be fully read: "
                           f"{problem}. It will be backed up and repaired at the next save.")
        return data

    def _backup_bad(self, raw: bytes) -> Path | None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        real = self.real_path()
        for n in range(100):
            cand = real.with_name(f"{real.name}.corrupt-{stamp}" + (f"-{n}" if n else ""))
            try:
                with open(cand, "xb") as f:
                    f.write(raw)
                    f.flush()
                    _fsync(f.fileno())
                return cand
            except FileExistsError:
                continue
            except OSError:
                return None
        return None

    def _warn(self, msg: str) -> None:
        if msg not in self.warnings:
            self.warnings.append(msg)

    def data(self) -> dict:
        """The whole file as a dict (empty if missing); never raises for a bad file."""
        try:
            data = self._load(repair=False)
        except OSError:
            data = _empty()
        known = {a["id"] for a in data["attempts"]}
        data["attempts"] += [a for a in self._unsaved if a["id"] not in known]
        return data

    def attempts(self, lab: str | None = None) -> list[dict]:
        """Every attempt, oldest first, optionally for one lab only."""
        atts = self.data()["attempts"]
        return [a for a in atts if lab is None or a["lab"] == lab]

    def answers(self, lab: str) -> dict[str, dict]:
        """The latest answer per item of ``lab``: {item_id: {"answer", "score", "max_score",
        "time", "attempts"}}."""
        out: dict[str, dict] = {}
        for a in self.attempts(lab):
            prev = out.get(a["item"])
            out[a["item"]] = {"answer": a["answer"], "score": a["score"],
                              "max_score": a["max_score"], "time": a["time"],
                              "attempts": (prev["attempts"] if prev else 0) + 1}
        return out

    def latest(self, lab: str, item_id: str) -> dict | None:
        return self.answers(lab).get(item_id)

    def export(self) -> bytes:
        """Everything saved (and anything kept in memory), as the bytes of an answers file: what
        the learner downloads to keep a copy or to carry on in another browser."""
        data = self.data()
        data["attempts"] = _by_time(data["attempts"])
        return json.dumps(data, ensure_ascii=True, indent=1, allow_nan=False).encode("ascii")

    # ------------------------------------------------------------------ writing

    def record(self, lab: str, item_id: str, answer, score: float | None,
               max_score: float) -> dict:
        """Save one attempt at once and return it. Raises :class:`StoreError` only for an
        attempt that is not JSON data; a file problem is reported in :attr:`warnings`, the
        attempt is kept in memory (saved with the next attempt that can be saved) and
        :attr:`last_saved` is False."""
        if not isinstance(lab, str) or not isinstance(item_id, str):
            raise StoreError("lab and item_id must be strings")
        if score is not None and not _is_number(score):
            raise StoreError(f"score must be a finite number or None, not {score!r}")
        if not _is_number(max_score):
            raise StoreError(f"max_score must be a finite number, not {max_score!r}")
        attempt = {"id": uuid.uuid4().hex, "lab": lab, "item": item_id, "answer": answer,
                   "score": score, "max_score": max_score, "time": now_iso()}
        try:
            json.dumps(attempt, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"the answer cannot be saved as JSON: {exc}") from exc
        except RecursionError:
            raise StoreError("the answer is nested too deeply to be saved") from None
        if _depth(answer, MAX_ANSWER_DEPTH) > MAX_ANSWER_DEPTH:
            raise StoreError("the answer is nested too deeply to be saved")
        self._save([attempt])
        return attempt

    def merge(self, raw: bytes, name: str = "the file") -> tuple[int, int]:
        """Add the attempts of another answers file (its bytes) to this one: (added, already
        here). Attempts are matched by their id, so merging the same file twice adds nothing.
        Raises :class:`StoreError` with the reason for a file that is not an answers file,
        is from a newer version, or could not be saved."""
        data, problem, newer = parse(raw)
        if newer or (problem and not data["attempts"]):
            raise StoreError(f"{name} cannot be loaded: {problem}.")
        known = {a["id"] for a in self.data()["attempts"]}
        new = [a for a in data["attempts"] if a["id"] not in known]
        if new and not self._save(new):
            raise StoreError(f"the answers in {name} could not be saved here: "
                             + (self.warnings[-1] if self.warnings else "unknown error"))
        return len(new), len(data["attempts"]) - len(new)

    def _save(self, attempts: list[dict]) -> bool:
        try:
            with self._lock():
                data = self._load(repair=True)
                known = {a["id"] for a in data["attempts"]}
                extra = [a for a in self._unsaved + attempts if a["id"] not in known]
                merged = data["attempts"] + extra
                if data["attempts"] and extra and \
                        any(a["time"] < data["attempts"][-1]["time"] for a in extra):
                    merged = _by_time(merged)      # merged from elsewhere: keep time order
                data["attempts"] = merged
                data["updated"] = now_iso()
                self._write(data)
            self._unsaved.clear()
            # a failure earlier in the session is over: its notice would now mislead
            self.warnings = [w for w in self.warnings if "could not be saved" not in w]
            self.last_saved = True
            return True
        except NewerFile:
            self._keep(attempts)
        except LockTimeout as exc:
            self._keep(attempts)
            self._warn(f"Your answer could not be saved to {self.path.name} yet: {exc}. It is "
                       f"kept for this session and saved with your next answer.")
        except OSError as exc:
            self._keep(attempts)
            self._warn(f"Your answer could not be saved to {self.path} "
                       f"({exc.strerror or exc}). It is kept for this session only; "
                       f"check that the folder is writable and the disk is not full.")
        return False

    def _keep(self, attempts: list[dict]) -> None:
        known = {a["id"] for a in self._unsaved}
        self._unsaved += [a for a in attempts if a["id"] not in known]
        self.last_saved = False

    def _write(self, data: dict) -> None:
        payload = json.dumps(data, ensure_ascii=True, indent=1, allow_nan=False).encode("ascii")
        real = self.real_path()
        folder = real.parent
        tmp = folder / f".{real.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            with open(tmp, "xb") as f:
                f.write(payload)
                f.flush()
                _fsync(f.fileno())
            os.replace(tmp, real)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        _fsync_dir(folder)

    def _clean_temps(self) -> None:
        """Remove temporary files left by writers that died mid-write (call under the lock)."""
        real = self.real_path()
        for p in real.parent.glob(f".{real.name}.tmp-*"):
            with contextlib.suppress(OSError):
                p.unlink()

    # ------------------------------------------------------------------ locking

    @contextlib.contextmanager
    def _lock(self):
        real = self.real_path()
        real.parent.mkdir(parents=True, exist_ok=True)
        with _THREAD_LOCKS_GUARD:
            tlock = _THREAD_LOCKS.setdefault(str(real), threading.Lock())
        if not tlock.acquire(timeout=self.lock_timeout):
            raise LockTimeout(errno.ETIMEDOUT, "another thread of this program is saving")
        try:
            flock = getattr(fcntl, "flock", None) if fcntl is not None else None
            if flock is not None:
                with self._flock(flock):
                    yield
            else:
                with self._excl_lock():
                    yield
        finally:
            tlock.release()

    @contextlib.contextmanager
    def _flock(self, flock):
        fd = os.open(self._hidden("lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            flock(fd, fcntl.LOCK_EX)
            self._clean_temps()
            yield
        finally:
            with contextlib.suppress(OSError):
                flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @contextlib.contextmanager
    def _excl_lock(self):
        lockfile = self._hidden("lock-excl")
        token = uuid.uuid4().hex
        owner = json.dumps({"pid": os.getpid(), "host": _host(), "boot": BOOT,
                            "token": token}).encode()
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.002
        while True:
            try:
                fd = os.open(lockfile, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if self._break_if_stale(lockfile):
                    continue
                if time.monotonic() > deadline:
                    raise LockTimeout(errno.ETIMEDOUT, _holder(lockfile)) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
                continue
            try:
                os.write(fd, owner)
            finally:
                os.close(fd)
            break
        try:
            self._clean_temps()
            yield
        finally:
            with contextlib.suppress(OSError):
                if lockfile.read_bytes() == owner:     # never remove a lock that is not ours
                    lockfile.unlink()

    def _break_if_stale(self, lockfile: Path) -> bool:
        """Remove ``lockfile`` if its owner is gone; True if it was removed (or vanished)."""
        try:
            raw = lockfile.read_bytes()
            age = time.time() - lockfile.stat().st_mtime
        except FileNotFoundError:
            return True
        except OSError:
            return False
        if not _stale(raw, age):
            return False
        # Break it under a second lock, and only if it is still the lock judged stale: two
        # writers that both found it stale must not remove each other's fresh lock.
        breaker = lockfile.with_name(lockfile.name + ".break")
        try:
            os.close(os.open(breaker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            with contextlib.suppress(OSError):
                if time.time() - breaker.stat().st_mtime > 2.0:   # its breaker died too
                    breaker.unlink()
            return False
        except OSError:
            return False
        try:
            if lockfile.read_bytes() == raw:
                lockfile.unlink()
            return True
        except FileNotFoundError:
            return True
        except OSError:
            return False
        finally:
            with contextlib.suppress(OSError):
                breaker.unlink()


def _host() -> str:
    try:
        return platform.node()
    except Exception:    # pragma: no cover - a platform without a node name
        return ""


def _stale(raw: bytes, age: float) -> bool:
    """Whether the lock file content ``raw`` (``age`` seconds old) was left by a dead writer."""
    try:
        owner = json.loads(raw.decode())
        pid, host, boot = int(owner["pid"]), str(owner["host"]), str(owner["boot"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        # a lock file is written in the same breath as it is made: empty or garbled for more
        # than a moment means its writer died in between
        return age > 2.0
    if IN_BROWSER or host != _host():
        # every browser tab's Python is "process 42" on "emscripten": only age can tell
        return age > STALE_UNCHECKED
    if pid == os.getpid():
        # ours: from this interpreter (which never nests the lock, so it was left behind by a
        # failed unlink) or from an earlier one with the same pid; either way not held
        del boot
        return True
    return not _pid_alive(pid)


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows only
        import ctypes
        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000 | 0x00100000, False, pid)  # query, synchronize
        if not handle:
            return ctypes.GetLastError() == 5          # access denied: it exists
        try:
            return kernel32.WaitForSingleObject(handle, 0) == 0x102   # still running
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True        # exists, owned by someone else
    return True


def _holder(lockfile: Path) -> str:
    try:
        owner = json.loads(lockfile.read_bytes().decode())
        return (f"another program (process {owner.get('pid')}) is saving to it; its lock "
                f"file is {lockfile.name}")
    except (OSError, ValueError, UnicodeDecodeError, AttributeError):
        return f"another program is saving to it; its lock file is {lockfile.name}"


_NO_FSYNC = {errno.EINVAL, errno.ENOSYS, getattr(errno, "ENOTSUP", -1),
             getattr(errno, "EOPNOTSUPP", -1)}


def _fsync(fd: int) -> None:
    """fsync, tolerating file systems that do not support it (e.g. JupyterLite's in-browser
    file system); a real I/O error still raises."""
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _NO_FSYNC:
            raise


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
