"""Saved answers: one JSON file beside the notebook, safe against crashes and concurrent labs.

No widget code here: an nbgrader hidden test (or any script) can read a learner's answers with

    from partnership.learner.store import AnswerStore
    store = AnswerStore()                  # ./my.partnership-answers.json
    store.answers("empathy")               # {item_id: {"answer", "score", "max_score", ...}}

How a write is made safe:

- every attempt is appended under an exclusive lock (``fcntl.flock`` on a hidden lock file beside
  the answers file; where fcntl is missing, an ``O_EXCL`` lock file with a timeout; where even
  that fails, unlocked, best effort);
- under the lock the file is re-read and the new attempt merged in, so two labs writing at once
  lose nothing;
- the new content goes to a temporary file in the same folder, which is flushed and fsynced, then
  renamed over the old file (atomic), and the folder is fsynced, so a crash at any moment leaves
  either the old file or the new one, both valid.

A corrupt, unreadable or newer-version file never crashes a lab: it is copied to
``<name>.corrupt-<time>`` (its readable attempts are kept), and the reason is added, in words,
to :attr:`AnswerStore.warnings`, which the labs show to the learner.

File format (``version`` 1)::

    {"schema": "partnership-answers", "version": 1, "created": ISO time, "updated": ISO time,
     "attempts": [{"id": hex, "lab": "empathy", "item": "emp-001", "answer": <JSON>,
                   "score": 1.0, "max_score": 1.0, "time": ISO time}, ...]}

The latest attempt per (lab, item) is the learner's current answer; all attempts make the
progress history.
"""
from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = "partnership-answers"
VERSION = 1
#: Default file name, in the notebook's working directory (git-ignored by
#: ``*.partnership-answers.json``).
DEFAULT_FILENAME = "my.partnership-answers.json"

try:  # POSIX
    import fcntl
except ImportError:  # Windows, Pyodide/JupyterLite
    fcntl = None


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class StoreError(ValueError):
    """An attempt that cannot be recorded (e.g. an answer that is not JSON data)."""


def _empty() -> dict:
    t = now_iso()
    return {"schema": SCHEMA, "version": VERSION, "created": t, "updated": t, "attempts": []}


def _valid_attempt(a) -> bool:
    return (isinstance(a, dict) and isinstance(a.get("id"), str)
            and isinstance(a.get("lab"), str) and isinstance(a.get("item"), str)
            and isinstance(a.get("time"), str) and "answer" in a
            and (a.get("score") is None or _is_number(a.get("score")))
            and _is_number(a.get("max_score")))


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class AnswerStore:
    """A learner's saved answers in one JSON file (see the module docstring)."""

    def __init__(self, path: str | os.PathLike | None = None, *, lock_timeout: float = 10.0):
        self.path = Path(path) if path is not None else Path.cwd() / DEFAULT_FILENAME
        if self.path.is_dir():
            self.path = self.path / DEFAULT_FILENAME
        self.lock_timeout = lock_timeout
        #: Messages for the learner (plain text) about problems met with the file.
        self.warnings: list[str] = []
        #: Attempts kept in memory only, because the file could not be written.
        self._unsaved: list[dict] = []
        self._bad_backups: set[str] = set()

    # ------------------------------------------------------------------ reading

    def _hidden(self, suffix: str) -> Path:
        return self.path.with_name(f".{self.path.name}.{suffix}")

    def _parse(self, raw: bytes) -> tuple[dict, str | None]:
        """Return (data, problem). ``problem`` is None when the file is fully valid."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return _empty(), "it is not valid JSON (perhaps it was edited or cut short)"
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            return _empty(), "it is not a partnership answers file"
        v = data.get("version")
        if not isinstance(v, int) or isinstance(v, bool):
            return _empty(), "it has no valid format version"
        if v > VERSION:
            return _empty(), (f"it was written by a newer version of the course package "
                              f"(format {v}; this one reads {VERSION}); update the package with "
                              f"pip to see those answers")
        attempts = data.get("attempts")
        if not isinstance(attempts, list):
            return _empty(), "its list of attempts is missing"
        good = [a for a in attempts if _valid_attempt(a)]
        out = _empty()
        out["created"] = data.get("created") if isinstance(data.get("created"), str) \
            else out["created"]
        out["attempts"] = good
        if len(good) != len(attempts):
            return out, (f"{len(attempts) - len(good)} of its {len(attempts)} saved attempts "
                         f"were damaged (the other {len(good)} are kept)")
        return out, None

    def _load(self, repair: bool) -> dict:
        """Read the file. With ``repair`` (only under the lock), back up a bad file."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return _empty()
        except OSError as exc:
            self._warn(f"Your saved answers in {self.path.name} could not be read "
                       f"({exc.strerror or exc}); answers from this session are kept in memory "
                       f"only until the file can be read again.")
            raise
        data, problem = self._parse(raw)
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
        for n in range(100):
            cand = self.path.with_name(f"{self.path.name}.corrupt-{stamp}"
                                       + (f"-{n}" if n else ""))
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

    # ------------------------------------------------------------------ writing

    def record(self, lab: str, item_id: str, answer, score: float | None,
               max_score: float) -> dict:
        """Save one attempt at once and return it. Raises :class:`StoreError` only for an
        attempt that is not JSON data; a file problem is reported in :attr:`warnings` and the
        attempt is kept in memory."""
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
        try:
            with self._lock():
                data = self._load(repair=True)
                known = {a["id"] for a in data["attempts"]}
                data["attempts"] += [a for a in self._unsaved if a["id"] not in known]
                data["attempts"].append(attempt)
                data["updated"] = attempt["time"]
                self._write(data)
            self._unsaved.clear()
        except OSError as exc:
            self._unsaved.append(attempt)
            self._warn(f"Your answer could not be saved to {self.path} "
                       f"({exc.strerror or exc}). It is kept for this session only; "
                       f"check that the folder is writable.")
        return attempt

    def _write(self, data: dict) -> None:
        payload = json.dumps(data, ensure_ascii=True, indent=1, allow_nan=False).encode("ascii")
        folder = self.path.parent
        tmp = folder / f".{self.path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            with open(tmp, "xb") as f:
                f.write(payload)
                f.flush()
                _fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        _fsync_dir(folder)

    def _clean_temps(self) -> None:
        """Remove temporary files left by writers that died mid-write (call under the lock)."""
        for p in self.path.parent.glob(f".{self.path.name}.tmp-*"):
            with contextlib.suppress(OSError):
                p.unlink()

    @contextlib.contextmanager
    def _lock(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if fcntl is not None:
            fd = os.open(self._hidden("lock"), os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._clean_temps()
                yield
            finally:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        # No fcntl: an O_EXCL lock file, broken if older than 30 s; unlocked as a last resort.
        lockfile = self._hidden("lock-excl")
        deadline = time.monotonic() + self.lock_timeout
        held = False
        while True:
            try:
                os.close(os.open(lockfile, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
                held = True
                break
            except FileExistsError:
                with contextlib.suppress(OSError):
                    if time.time() - lockfile.stat().st_mtime > 30:
                        lockfile.unlink()
                        continue
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            except OSError:
                break
        try:
            yield
        finally:
            if held:
                with contextlib.suppress(OSError):
                    lockfile.unlink()


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
