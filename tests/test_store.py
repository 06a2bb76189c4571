"""The answers store: record and restore, schema, corrupt files, concurrency and crash safety."""
from __future__ import annotations

import errno
import json
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fresh_python import modules_after
from partnership.learner import store as store_mod
from partnership.learner.store import DEFAULT_FILENAME, SCHEMA, VERSION, AnswerStore, StoreError


def test_record_and_answers_roundtrip(tmp_path):
    s = AnswerStore(tmp_path / "a.json")
    s.record("empathy", "emp-001", 2, 1.0, 1.0)
    s.record("empathy", "emp-001", 0, 0.0, 1.0)
    s.record("empathy", "emp-007", [1, 2, 3, 4], 0.5, 1.0)
    s.record("mi_reflections", "mi-014", "You want it to be your choice.", 1.0, 1.0)
    again = AnswerStore(tmp_path / "a.json")      # a new kernel
    ans = again.answers("empathy")
    assert ans["emp-001"]["answer"] == 0 and ans["emp-001"]["attempts"] == 2
    assert ans["emp-007"]["answer"] == [1, 2, 3, 4]
    assert again.answers("mi_reflections")["mi-014"]["answer"].startswith("You want")
    assert len(again.attempts()) == 4 and len(again.attempts("empathy")) == 3
    assert again.latest("empathy", "nope") is None
    assert again.warnings == []


def test_file_is_schema_versioned(tmp_path):
    p = tmp_path / "a.json"
    AnswerStore(p).record("alliance", "all-001", 2, 1, 1)
    data = json.loads(p.read_text())
    assert data["schema"] == SCHEMA and data["version"] == VERSION == 1
    att = data["attempts"][0]
    assert set(att) == {"id", "lab", "item", "answer", "score", "max_score", "time"}


def test_default_path_is_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = AnswerStore()
    assert s.path == tmp_path / DEFAULT_FILENAME
    s.record("empathy", "emp-001", 1, 0, 1)
    assert (tmp_path / DEFAULT_FILENAME).exists()
    assert AnswerStore(tmp_path).path == tmp_path / DEFAULT_FILENAME   # a folder is accepted


def test_default_name_is_git_ignored():
    """The answers file, its lock, temporary and backup files never get committed by accident."""
    import subprocess
    root = Path(__file__).resolve().parents[1]
    names = [f"notebooks/{DEFAULT_FILENAME}", f"notebooks/.{DEFAULT_FILENAME}.lock",
             f"notebooks/{DEFAULT_FILENAME}.corrupt-20260101T000000"]
    out = subprocess.run(["git", "check-ignore", "--no-index", *names], cwd=root,
                         capture_output=True, text=True)
    assert out.stdout.split() == names, out.stdout + out.stderr


def test_no_temp_files_left(tmp_path):
    s = AnswerStore(tmp_path / "a.json")
    for i in range(5):
        s.record("empathy", f"emp-00{i}", i, 1, 1)
    left = [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name]
    assert left == []


def test_non_json_answer_is_refused(tmp_path):
    s = AnswerStore(tmp_path / "a.json")
    with pytest.raises(StoreError):
        s.record("empathy", "emp-001", object(), 1, 1)
    with pytest.raises(StoreError):
        s.record("empathy", "emp-001", 1, float("nan"), 1)
    assert not (tmp_path / "a.json").exists()


def test_unicode_and_lone_surrogates_roundtrip(tmp_path):
    s = AnswerStore(tmp_path / "a.json")
    texts = ["Tú sientes que nadie te escucha.", "你觉得很孤单。", "\ud800 broken",
             "x" * 100_000]
    for i, t in enumerate(texts):
        s.record("mi_reflections", f"mi-{i}", t, 0, 1)
    got = AnswerStore(tmp_path / "a.json").answers("mi_reflections")
    assert [got[f"mi-{i}"]["answer"] for i in range(len(texts))] == texts


@pytest.mark.parametrize("content", [
    b"{not json", b"", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'{"schema": "other"}',
    b'{"schema": "partnership-answers", "version": "one", "attempts": []}',
    b'{"schema": "partnership-answers", "version": 1}',
])
def test_corrupt_file_is_backed_up_and_replaced(tmp_path, content):
    p = tmp_path / "a.json"
    p.write_bytes(content)
    s = AnswerStore(p)
    assert s.answers("empathy") == {}                 # reading never raises
    s.record("empathy", "emp-001", 1, 1, 1)
    backups = list(tmp_path.glob("a.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == content
    assert any("could not be used" in w and backups[0].name in w for w in s.warnings)
    assert AnswerStore(p).answers("empathy")["emp-001"]["answer"] == 1


def test_damaged_attempts_are_dropped_good_ones_kept(tmp_path):
    p = tmp_path / "a.json"
    s = AnswerStore(p)
    s.record("empathy", "emp-001", 1, 1, 1)
    data = json.loads(p.read_text())
    data["attempts"].append({"lab": "empathy"})          # damaged
    p.write_text(json.dumps(data))
    s2 = AnswerStore(p)
    s2.record("empathy", "emp-002", 0, 0, 1)
    assert set(AnswerStore(p).answers("empathy")) == {"emp-001", "emp-002"}
    assert any("damaged" in w for w in s2.warnings)


def test_newer_version_is_kept_as_it_is_and_never_saved_into(tmp_path):
    """The warning promises the answers are readable after an upgrade: so the file is left
    byte for byte, no backup replaces it, and this session's answers stay in memory."""
    p = tmp_path / "a.json"
    raw = json.dumps({"schema": SCHEMA, "version": VERSION + 1,
                      "attempts": [{"anything": "a newer format holds"}]}).encode()
    p.write_bytes(raw)
    s = AnswerStore(p)
    s.record("empathy", "emp-001", 1, 1, 1)
    s.record("empathy", "emp-002", 0, 0, 1)
    assert p.read_bytes() == raw
    assert sorted(q.name for q in tmp_path.iterdir()) == [".a.json.lock", "a.json"]
    assert s.last_saved is False and s.pending == 2
    assert set(s.answers("empathy")) == {"emp-001", "emp-002"}     # shown for this session
    warning = " ".join(s.warnings)
    assert "newer version" in warning and "left exactly as it is" in warning \
        and "pip install -U" in warning and "this session only" in warning


def test_unreadable_file_keeps_answers_in_memory(tmp_path, monkeypatch):
    p = tmp_path / "a.json"
    AnswerStore(p).record("empathy", "emp-001", 1, 1, 1)
    real = Path.read_bytes

    def deny(self):
        if self == p:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    s = AnswerStore(p)
    s.record("empathy", "emp-002", 0, 0, 1)           # no exception
    assert s.answers("empathy")["emp-002"]["answer"] == 0
    assert any("could not be read" in w for w in s.warnings)
    monkeypatch.setattr(Path, "read_bytes", real)
    s.record("empathy", "emp-003", 1, 1, 1)           # file readable again: memory flushed
    assert set(AnswerStore(p).answers("empathy")) == {"emp-001", "emp-002", "emp-003"}


def test_unwritable_folder_does_not_raise(tmp_path, monkeypatch):
    def fail(*a, **k):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(store_mod.os, "replace", fail)
    s = AnswerStore(tmp_path / "a.json")
    s.record("empathy", "emp-001", 1, 1, 1)
    assert s.answers("empathy")["emp-001"]["answer"] == 1
    assert any("could not be saved" in w for w in s.warnings)
    assert [p for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def _dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _lock_file(path: Path, pid: int, boot: str = "other-interpreter") -> Path:
    lock = path.with_name(f".{path.name}.lock-excl")
    lock.write_text(json.dumps({"pid": pid, "host": store_mod._host(), "boot": boot,
                                "token": "t"}))
    return lock


@pytest.fixture
def no_fcntl(monkeypatch):
    """As on Windows: no fcntl module at all."""
    monkeypatch.setattr(store_mod, "fcntl", None)


def test_without_fcntl_uses_an_exclusive_lock_file(tmp_path, no_fcntl):
    s = AnswerStore(tmp_path / "a.json", lock_timeout=0.2)
    s.record("empathy", "emp-001", 1, 1, 1)
    assert s.last_saved is True and not (tmp_path / ".a.json.lock-excl").exists()


def test_fcntl_without_flock_uses_the_lock_file(tmp_path, monkeypatch):
    """As in Pyodide, whose fcntl module has no flock."""
    import types
    monkeypatch.setattr(store_mod, "fcntl", types.ModuleType("fcntl"))
    seen = []
    real_open = store_mod.os.open

    def watch(path, flags, *a):
        seen.append((Path(path).name, bool(flags & os.O_EXCL)))
        return real_open(path, flags, *a)

    monkeypatch.setattr(store_mod.os, "open", watch)
    s = AnswerStore(tmp_path / "a.json", lock_timeout=0.2)
    s.record("empathy", "emp-001", 1, 1, 1)
    assert s.last_saved is True and (".a.json.lock-excl", True) in seen


def test_a_fresh_lock_left_by_a_dead_writer_is_broken_at_once(tmp_path, no_fcntl):
    """A crash leaves a lock file as new as can be: its owner being gone (not its age) must
    free it, without waiting for the timeout (this fails if the stale check breaks)."""
    p = tmp_path / "a.json"
    _lock_file(p, _dead_pid())
    s = AnswerStore(p, lock_timeout=3.0)
    t = time.monotonic()
    s.record("empathy", "emp-001", 1, 1, 1)
    assert s.last_saved is True and time.monotonic() - t < 1.0
    assert AnswerStore(p).answers("empathy")["emp-001"]["answer"] == 1
    assert not p.with_name(".a.json.lock-excl").exists()


def test_a_lock_from_an_earlier_interpreter_with_our_pid_is_stale(tmp_path, no_fcntl):
    """A restarted kernel can get the pid of the one that died holding the lock."""
    p = tmp_path / "a.json"
    _lock_file(p, os.getpid(), boot="the-kernel-before-the-restart")
    s = AnswerStore(p, lock_timeout=3.0)
    s.record("empathy", "emp-001", 1, 1, 1)
    assert s.last_saved is True


def test_a_live_writer_s_lock_is_never_overridden(tmp_path, no_fcntl):
    """While another live program holds the lock, nothing is written unlocked: the attempt is
    kept in memory, the learner is told, and it is saved with the next answer."""
    p = tmp_path / "a.json"
    AnswerStore(p).record("empathy", "emp-000", 1, 1, 1)
    before = p.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = _lock_file(p, holder.pid)
        s = AnswerStore(p, lock_timeout=0.3)
        s.record("empathy", "emp-001", 1, 1, 1)
        assert s.last_saved is False and s.pending == 1 and p.read_bytes() == before
        assert any(f"process {holder.pid}" in w and "saved with your next answer" in w
                   for w in s.warnings), s.warnings
        assert s.answers("empathy")["emp-001"]["answer"] == 1
    finally:
        holder.kill()
        holder.wait()
    lock.unlink()
    s.record("empathy", "emp-002", 0, 0, 1)
    assert s.last_saved is True and s.pending == 0 and s.warnings == []
    assert set(AnswerStore(p).answers("empathy")) == {"emp-000", "emp-001", "emp-002"}


def test_a_garbled_lock_file_is_stale_only_once_it_is_old(tmp_path, no_fcntl):
    p = tmp_path / "a.json"
    lock = p.with_name(".a.json.lock-excl")
    lock.write_bytes(b"")                       # a writer died between create and write
    s = AnswerStore(p, lock_timeout=0.2)
    s.record("empathy", "emp-001", 1, 1, 1)
    assert s.last_saved is False                # could be a writer in mid-breath
    old = time.time() - 10
    os.utime(lock, (old, old))
    s.record("empathy", "emp-002", 1, 1, 1)
    assert s.last_saved is True and set(AnswerStore(p).answers("empathy")) == {"emp-001",
                                                                               "emp-002"}


def test_a_symlinked_answers_file_is_written_through(tmp_path):
    real = tmp_path / "sync" / "answers.json"
    real.parent.mkdir()
    AnswerStore(real).record("empathy", "emp-000", 1, 1, 1)
    link = tmp_path / DEFAULT_FILENAME
    link.symlink_to(real)
    s = AnswerStore(link)
    s.record("empathy", "emp-001", 0, 0, 1)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert set(AnswerStore(real).answers("empathy")) == {"emp-000", "emp-001"}
    assert s.warnings == []
    assert not [q for q in tmp_path.iterdir() if q.name.startswith(".")]  # lock beside real


def test_a_deeply_nested_file_never_raises(tmp_path):
    p = tmp_path / "a.json"
    p.write_text('{"schema": "partnership-answers", "version": 1, "attempts": '
                 + "[" * 100_000 + "]" * 100_000 + "}")
    s = AnswerStore(p)
    assert s.answers("empathy") == {}
    assert any("nested too deeply" in w for w in s.warnings)
    s.record("empathy", "emp-001", 1, 1, 1)
    assert AnswerStore(p).answers("empathy")["emp-001"]["answer"] == 1


def test_deeply_nested_answers_are_refused_and_dropped(tmp_path):
    p = tmp_path / "a.json"
    s = AnswerStore(p)
    deep: list = []
    for _ in range(50):
        deep = [deep]
    with pytest.raises(StoreError, match="nested too deeply"):
        s.record("empathy", "emp-001", deep, 0, 1)
    s.record("empathy", "emp-002", 1, 1, 1)
    data = json.loads(p.read_text())
    data["attempts"].append(dict(data["attempts"][0], id="x", answer=deep))
    p.write_text(json.dumps(data))
    assert set(AnswerStore(p).answers("empathy")) == {"emp-002"}


def test_a_failed_save_is_retried_and_its_notice_cleared(tmp_path, monkeypatch):
    """Disk full, then space again: the next save writes both answers and the old notice goes."""
    p = tmp_path / "a.json"
    s = AnswerStore(p)
    real = store_mod.os.replace

    def full(*a):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_mod.os, "replace", full)
    s.record("empathy", "emp-001", 1, 1, 1)
    assert s.last_saved is False and any("could not be saved" in w for w in s.warnings)
    monkeypatch.setattr(store_mod.os, "replace", real)
    s.record("empathy", "emp-002", 0, 0, 1)
    assert s.last_saved is True and s.warnings == [] and s.pending == 0
    assert set(AnswerStore(p).answers("empathy")) == {"emp-001", "emp-002"}


def test_merge_adds_another_file_s_attempts_once_in_time_order(tmp_path):
    here, there = tmp_path / "here.json", tmp_path / "there.json"
    a = AnswerStore(there)
    a.record("empathy", "emp-001", 0, 0, 1)          # older, from another browser
    b = AnswerStore(here)
    b.record("empathy", "emp-001", 2, 1, 1)
    b.record("alliance", "all-001", 1, 1, 1)
    assert b.merge(there.read_bytes()) == (1, 0)
    assert b.merge(there.read_bytes()) == (0, 1)      # merging twice adds nothing
    assert b.answers("empathy")["emp-001"]["answer"] == 2   # the newer answer stays current
    assert b.answers("empathy")["emp-001"]["attempts"] == 2
    assert b.merge(b.export()) == (0, 3)
    times = [x["time"] for x in AnswerStore(here).attempts()]
    assert times == sorted(times)


@pytest.mark.parametrize("raw,why", [
    (b"{oops", "not valid JSON"), (b'{"schema": "other"}', "not a partnership answers file"),
    (json.dumps({"schema": SCHEMA, "version": VERSION + 1, "attempts": []}).encode(),
     "newer version"),
])
def test_merge_refuses_what_is_not_an_answers_file(tmp_path, raw, why):
    s = AnswerStore(tmp_path / "a.json")
    with pytest.raises(StoreError, match=why):
        s.merge(raw, "upload.json")
    assert not (tmp_path / "a.json").exists()


# ------------------------------------------------------------------ concurrency

def _writer(path, tag, n):
    s = AnswerStore(path)
    for i in range(n):
        s.record("empathy" if tag == "a" else "mi_reflections", f"{tag}-{i}", i, 1, 1)


@pytest.mark.parametrize("no_fcntl", [False, True])
def test_two_labs_writing_at_once_lose_nothing(tmp_path, no_fcntl):
    p = tmp_path / "a.json"
    ctx = mp.get_context("fork" if hasattr(os, "fork") else "spawn")
    if no_fcntl:
        # simulate a platform without fcntl in the children
        target = _writer_no_fcntl
    else:
        target = _writer
    procs = [ctx.Process(target=target, args=(p, tag, 40)) for tag in "ab"]
    for pr in procs:
        pr.start()
    for pr in procs:
        pr.join(60)
        assert pr.exitcode == 0
    s = AnswerStore(p)
    assert len(s.answers("empathy")) == 40 and len(s.answers("mi_reflections")) == 40
    assert len(s.attempts()) == 80


def _writer_no_fcntl(path, tag, n):
    store_mod.fcntl = None
    _writer(path, tag, n)


_CRASH_WRITER = r"""
import sys
from partnership.learner import store
if sys.argv[3] == "no-fcntl":
    store.fcntl = None                    # as on Windows, and like Pyodide (no flock)
s = store.AnswerStore(sys.argv[1])
tag = sys.argv[2]
i = 0
while True:
    s.record("empathy", f"{tag}-{i}", "x" * 200, 1, 1)
    if s.last_saved:                      # acknowledged only once it is in the file
        print(f"ack {tag}-{i}", flush=True)
    i += 1
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("locking", ["flock", "no-fcntl"])
def test_killed_writers_never_corrupt_or_lose_acknowledged_answers(tmp_path, locking):
    """Two writers at once, both killed at random moments, again and again: the file is always
    valid JSON and every answer a writer acknowledged is in it. With ``no-fcntl`` the kills
    leave lock files behind, which the next writers must recognise as stale (promptly: each
    run is short) rather than wait out or override a live writer's lock."""
    p = tmp_path / "a.json"
    # a file of a realistic size so that each write takes a moment and kills land mid-write
    seed = AnswerStore(p)
    for i in range(300):
        seed.record("empathy", f"seed-{i}", "y" * 300, 1, 1)
    acked: set[str] = {f"seed-{i}" for i in range(300)}
    rng = random.Random(4)
    runs = int(os.environ.get("PARTNERSHIP_CRASH_RUNS", "15"))
    for run in range(runs):
        procs = [subprocess.Popen([sys.executable, "-c", _CRASH_WRITER, str(p), f"r{run}{w}",
                                   locking], stdout=subprocess.PIPE, text=True)
                 for w in "ab"]
        time.sleep(rng.uniform(0.2, 0.6))
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
        for proc in procs:
            proc.wait()
            acked.update(line.split()[1] for line in proc.stdout.read().splitlines())
            proc.stdout.close()
        data = json.loads(p.read_text())                  # always valid JSON
        assert data["schema"] == SCHEMA
        have = {a["item"] for a in data["attempts"]}
        missing = acked - have
        assert not missing, f"run {run}: acknowledged answers lost: {sorted(missing)[:5]}"
    assert len(acked) > 300 + runs, "the writers hardly wrote: the test proves nothing"
    s = AnswerStore(p, lock_timeout=5)
    t = time.monotonic()
    s.record("empathy", "after", 1, 1, 1)                 # still usable, nothing to repair
    assert s.last_saved and s.warnings == [] and time.monotonic() - t < 2
    assert not [q for q in tmp_path.iterdir() if ".tmp-" in q.name]


def test_store_import_is_light():
    """nbgrader hidden tests import the store headless: no widgets, no plotting."""
    assert modules_after("import partnership, partnership.learner.store, partnership.learner.scoring",
                         ("ipywidgets", "matplotlib", "IPython", "numpy")) == []


def test_file_system_without_fsync(tmp_path, monkeypatch):
    """JupyterLite-like file systems may not support fsync: saving still works."""
    def no_fsync(fd):
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(store_mod.os, "fsync", no_fsync)
    s = AnswerStore(tmp_path / "a.json")
    s.record("empathy", "emp-001", 1, 1, 1)
    assert s.warnings == [] and AnswerStore(tmp_path / "a.json").answers("empathy")
