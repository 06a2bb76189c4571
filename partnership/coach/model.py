"""Load the shipped weights and score a feature vector: NumPy only, no scikit-learn.

The model file (``coach_model.npz``, written by ``scripts/train_coach.py``) holds ``cols``, the
hashed feature columns seen in training (all other columns weigh zero), and, for each head,
int8 weights over those columns with one float scale per class row, and float biases:

- ``main``: 4-way main therapist behaviour (question, reflection, therapist_input, other);
- ``question``: open vs closed (trained on utterances the experts coded as questions);
- ``reflection``: simple vs complex (trained on utterances coded as reflections);
- ``input``: information / advice / negotiation / options (therapist input).

Each head is a (multinomial or binary) logistic regression over the hashed features of
``partnership.coach.features``.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("coach_model.npz")
HEADS = ("main", "question", "reflection", "input")

_MODEL = None
_LOAD_ERROR: str | None = None


class Head:
    __slots__ = ("classes", "W", "b")

    def __init__(self, classes, W, b):
        self.classes = list(classes)
        self.W = W  # float32 array, shape (n_rows, n_features); one row for a binary head
        self.b = b

    def proba(self, idx, vals) -> dict[str, float]:
        z = self.W[:, idx] @ vals + self.b
        z = [float(v) for v in z]
        if len(self.classes) == 2 and len(z) == 1:
            p1 = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z[0]))))
            return {self.classes[0]: 1.0 - p1, self.classes[1]: p1}
        m = max(z)
        e = [math.exp(v - m) for v in z]
        s = sum(e)
        return {c: v / s for c, v in zip(self.classes, e)}


class Model:
    def __init__(self, heads: dict[str, Head], meta: dict, lookup):
        self.heads = heads
        self.meta = meta
        self.lookup = lookup  # hashed column -> stored column, -1 where the weight is zero

    def predict(self, feats: dict[int, float]) -> dict[str, dict[str, float]]:
        import numpy as np
        if feats:
            idx = np.fromiter(feats.keys(), dtype=np.int64, count=len(feats))
            vals = np.fromiter(feats.values(), dtype=np.float32, count=len(feats))
            j = self.lookup[idx]
            keep = j >= 0
            idx, vals = j[keep], vals[keep]
        else:
            idx = np.zeros(0, dtype=np.int64)
            vals = np.zeros(0, dtype=np.float32)
        return {name: head.proba(idx, vals) for name, head in self.heads.items()}


def load_model(path: str | Path = MODEL_PATH) -> Model:
    import numpy as np
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        cols = z["cols"].astype(np.int64)
        lookup = np.full(1 << int(meta["hash_bits"]), -1, dtype=np.int64)
        lookup[cols] = np.arange(len(cols))
        heads = {}
        for name in HEADS:
            if f"{name}_W" not in z:
                continue
            q = z[f"{name}_W"]
            scale = z[f"{name}_scale"].astype(np.float32)
            W = q.astype(np.float32) * scale[:, None]
            heads[name] = Head(meta["classes"][name], W, z[f"{name}_b"].astype(np.float32))
    return Model(heads, meta, lookup)


def get_model() -> Model | None:
    """The shipped model, loaded once; None (and the rule-based coder is used) if unavailable."""
    global _MODEL, _LOAD_ERROR
    if _MODEL is None and _LOAD_ERROR is None:
        try:
            _MODEL = load_model()
        except Exception as exc:  # missing file, no NumPy, corrupt file: fall back to rules
            _LOAD_ERROR = f"{type(exc).__name__}: {exc}"
    return _MODEL


def load_error() -> str | None:
    return _LOAD_ERROR
