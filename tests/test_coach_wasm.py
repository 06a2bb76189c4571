"""The reflection coach runs in Pyodide, the WebAssembly Python of JupyterLite's kernel.

Runs ``tests/wasm/run_coach.mjs`` under Node.js with the Pyodide vendored for the book
(``book/_static/vendored/pyodide-*``), copies the package into Pyodide's file system and codes a
varied set of inputs there. Every code, sub-code, feedback and probability must equal what
CPython gives here, and no heavy module (NumPy...) may be imported. Skipped with a reason where
Node.js is missing, except under CI=true, where that fails (``.ci/run`` installs it).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from partnership.coach import analyse

REPO = Path(__file__).resolve().parents[1]
WASM = REPO / "tests" / "wasm"

CLIENT = "I keep saying I'll cut down, but after a long shift a drink is the only thing that works."
INPUTS = [
    ("So you're worried about your job.", "I might lose my job."),
    ("What would you like to be different?", CLIENT),
    ("Do you drink every night?", CLIENT),
    ("It sounds like part of you wants to change and part of you needs that drink to cope.",
     CLIENT),
    ("You should cut down. Don't worry, it'll be fine.", CLIENT),
    ("Mm-hmm.", "Yeah."), ("", ""), ("😀🙏", ""), ("<b>hi</b><script>x()</script>", CLIENT),
    ("¿Por qué bebes tanto?", "Bebo demasiado."), ("你为什么喝这么多酒？", ""),
    ("I hear you. " * 9000, CLIENT),  # about 100 KB
]


def _require(tool_ok: bool, reason: str):
    if not tool_ok:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(reason + " (CI=true: .ci/run installs it)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def wasm_run(tmp_path_factory):
    from partnership.book.coachdemo import PYODIDE_DIR, copy_shipped
    node = shutil.which("node")
    _require(node is not None, "Node.js not found")
    pyodide = REPO / "book" / "_static" / PYODIDE_DIR
    # exactly the files the book page ships, so this also proves that subset is enough
    shipped = tmp_path_factory.mktemp("shipped")
    copy_shipped(shipped)
    proc = subprocess.run([node, str(WASM / "run_coach.mjs"), str(pyodide),
                           str(shipped / "partnership")],
                          input=json.dumps(INPUTS), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_coach_in_pyodide_matches_cpython(wasm_run):
    assert wasm_run["model_loaded"] is True
    assert wasm_run["heavy"] == []  # nothing heavy imported (nor installed in bare Pyodide)
    assert len(wasm_run["results"]) == len(INPUTS)
    for (response, client), got in zip(INPUTS, wasm_run["results"]):
        want = analyse(response, client)
        where = repr(response[:40])
        assert got["code"] == want.code, where
        assert got["subcode"] == want.subcode, where
        assert got["source"] == want.source, where
        assert got["hrq"] == want.hrq_score, where
        assert got["feedback"] == want.feedback, where
        assert got["probabilities"] == pytest.approx(want.probabilities, abs=1e-9), where
