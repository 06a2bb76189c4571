"""Reproducibility of the coach's training: the script must regenerate the shipped weights.

Needs the AnnoMI data at ../shared/data/annomi (relative to the repository root) and
scikit-learn. Skipped with a reason when the data is absent, except under CI=true, where
missing data is a failure.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "annomi"
SHIPPED = REPO / "partnership" / "coach" / "coach_model.npz"


def require_data():
    if not (DATA / "annomi-simple-train.csv").is_file():
        msg = f"AnnoMI training data not found at {DATA}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + " (CI=true: the data must be present)")
        pytest.skip(msg)
    pytest.importorskip("sklearn", reason="training needs scikit-learn")


@pytest.mark.slow
def test_training_reproduces_shipped_weights(tmp_path):
    require_data()
    import numpy as np

    out = tmp_path / "coach_model.npz"
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "train_coach.py"),
                           "--data", str(DATA), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "kappa" in proc.stdout  # the cross-validation report
    with np.load(SHIPPED) as a, np.load(out) as b:
        assert sorted(a.files) == sorted(b.files)
        for k in a.files:
            if k == "meta":
                continue
            assert a[k].shape == b[k].shape, k
            if k.endswith("_W"):
                # dequantised weights must agree within 1e-6
                ka, kb = k.replace("_W", "_scale"), k.replace("_W", "_scale")
                wa = a[k].astype(np.float64) * a[ka][:, None]
                wb = b[k].astype(np.float64) * b[kb][:, None]
                assert np.max(np.abs(wa - wb)) <= 1e-6, k
            else:
                assert np.allclose(a[k], b[k], rtol=0, atol=1e-6), k
        ma, mb = json.loads(str(a["meta"])), json.loads(str(b["meta"]))
    for key in ("kappa", "macro_f1", "question_kappa", "reflection_kappa"):
        assert ma["cv"][key] == pytest.approx(mb["cv"][key], abs=1e-6), key


def test_shipped_metadata_reports_grouped_cv():
    import numpy as np

    with np.load(SHIPPED) as z:
        meta = json.loads(str(z["meta"]))
    cv = meta["cv"]
    assert cv["grouping"] == "transcript_id" and cv["folds"] == 5
    for key in ("kappa", "macro_f1", "f1", "question_kappa", "reflection_kappa"):
        assert key in cv
    assert set(cv["f1"]) == {"question", "reflection", "therapist_input", "other"}


def test_shipped_metadata_names_the_typed_training_sets():
    """The typed training sets that shaped the weights are named, counted and hashed, so a
    changed or missing set is visible (and the training test above fails)."""
    import hashlib

    import numpy as np

    with np.load(SHIPPED) as z:
        meta = json.loads(str(z["meta"]))
    typed = meta["data"]["typed"]
    files = sorted((REPO / "scripts" / "coach_typed").glob("*.yml"))
    assert files and typed["sha256"] == {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    assert typed["n"] >= 800
    assert meta["classes"]["affirm"] == ["none", "affirmation"]
    assert meta["data"]["typed_copy_offset"] == 1 << meta["hash_bits"]
