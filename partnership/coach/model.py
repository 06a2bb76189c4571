"""Load the shipped weights and score a feature vector in plain Python (no NumPy needed).

The model file (``coach_model.npz``, written by ``scripts/train_coach.py``) holds ``cols``, the
hashed feature columns seen in training (all other columns weigh zero), and, for each head,
int8 weights over those columns with one float scale per class row, and float biases:

- ``main``: 4-way main therapist behaviour (question, reflection, therapist_input, other);
- ``question``: open vs closed (trained on utterances the experts coded as questions);
- ``reflection``: simple vs complex (trained on utterances coded as reflections);
- ``input``: information / advice / negotiation / options (therapist input).

Each head is a (multinomial or binary) logistic regression over the hashed features of
``partnership.coach.features``.

Why plain Python: importing NumPy alone costs 40-130 ms, more than the coach's whole load budget
(100 ms), and a plain reader runs unchanged in any kernel, JupyterLite's included. The file is
still an ordinary ``.npz`` (an uncompressed zip of ``.npy`` arrays), so NumPy can read it too;
``npz_arrays`` parses the few ``.npy`` layouts the training script writes and rejects others.
A response has a few hundred non-zero features, so scoring is a few thousand multiply-adds.
"""
from __future__ import annotations

import ast
import json
import math
import struct
import sys
import zipfile
from array import array
from bisect import bisect_left
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("coach_model.npz")
HEADS = ("main", "question", "reflection", "input", "affirm")  # "affirm": other -> affirmation?

_MODEL = None
_LOAD_ERROR: str | None = None

# .npy dtype code -> (array typecode, item size); only what train_coach.py writes
_DTYPES = {"|i1": ("b", 1), "<i4": ("i", 4), "<f4": ("f", 4)}


class ModelFileError(ValueError):
    """The model file is missing a part, or holds an array in a layout this reader rejects."""


def _npy(name: str, raw: bytes):
    """Parse one ``.npy`` payload: return (shape, flat array) or, for a string scalar, str."""
    if raw[:6] != b"\x93NUMPY":
        raise ModelFileError(f"{name}: not a .npy array")
    major = raw[6]
    if major == 1:
        (hlen,), start = struct.unpack("<H", raw[8:10]), 10
    elif major in (2, 3):
        (hlen,), start = struct.unpack("<I", raw[8:12]), 12
    else:
        raise ModelFileError(f"{name}: .npy format version {major} is not supported")
    header = ast.literal_eval(raw[start:start + hlen].decode("latin-1"))
    body = raw[start + hlen:]
    descr, shape = header["descr"], tuple(header["shape"])
    if header.get("fortran_order"):
        raise ModelFileError(f"{name}: Fortran-ordered arrays are not supported")
    if descr.startswith("<U") and shape == ():
        return body.decode("utf-32-le").rstrip("\x00")
    if descr not in _DTYPES:
        raise ModelFileError(f"{name}: dtype {descr!r} is not supported")
    code, size = _DTYPES[descr]
    n = math.prod(shape)
    a = array(code)
    a.frombytes(body[: n * size])
    if len(a) != n:
        raise ModelFileError(f"{name}: expected {n} values of {descr}, found {len(a)}")
    if sys.byteorder != "little" and size > 1:
        a.byteswap()
    return shape, a


def npz_arrays(path: str | Path) -> dict:
    """Every array of an uncompressed ``.npz`` file, by name (without the ``.npy`` suffix)."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.filename.endswith(".npy"):
                name = info.filename[:-4]
                out[name] = _npy(f"{Path(path).name}:{name}", z.read(info))
    return out


class Head:
    """One logistic-regression head: int8 weight rows (one per class, one for a binary head)."""

    __slots__ = ("classes", "rows", "scale", "b", "n")

    def __init__(self, classes, W, scale, b, n_cols: int):
        self.classes = list(classes)
        n_rows = len(W) // n_cols
        self.rows = [W[r * n_cols:(r + 1) * n_cols] for r in range(n_rows)]
        self.scale = list(scale)
        self.b = list(b)
        self.n = n_cols

    def proba(self, pairs) -> dict[str, float]:
        """``pairs``: (stored column, value) of the non-zero features."""
        z = []
        for row, s, b in zip(self.rows, self.scale, self.b):
            acc = 0.0
            for j, v in pairs:
                acc += row[j] * v
            z.append(acc * s + b)
        if len(self.classes) == 2 and len(z) == 1:
            p1 = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z[0]))))
            return {self.classes[0]: 1.0 - p1, self.classes[1]: p1}
        m = max(z)
        e = [math.exp(v - m) for v in z]
        t = sum(e)
        return {c: v / t for c, v in zip(self.classes, e)}


class Model:
    def __init__(self, heads: dict[str, Head], meta: dict, cols: array):
        self.heads = heads
        self.meta = meta
        self.cols = cols  # sorted hashed columns that carry weights; the rest weigh zero
        # where a typed response's copied features start (None: a speech-only model)
        self.typed_offset = (meta.get("data") or {}).get("typed_copy_offset")

    def stored(self, feats: dict[int, float]) -> list[tuple[int, float]]:
        """Map hashed columns to stored ones, dropping columns never seen in training."""
        cols, n, out = self.cols, len(self.cols), []
        for k, v in feats.items():
            j = bisect_left(cols, k)
            if j < n and cols[j] == k:
                out.append((j, v))
        return out

    def predict(self, feats: dict[int, float]) -> dict[str, dict[str, float]]:
        """Each head's class probabilities. For a typed response (features with the typed-only
        copy, see features.py) the model's two views are averaged: shared plus typed-only
        weights, and shared weights alone. The typed training sets are small (hundreds of
        sentences against AnnoMI's thousands), and the average keeps either view from
        overruling the other on wording that only one of them knows."""
        pairs = self.stored(feats)
        full = {name: head.proba(pairs) for name, head in self.heads.items()}
        offset = self.typed_offset
        if offset is None:
            return full
        shared = [(j, v) for j, v in pairs if self.cols[j] < offset]
        if len(shared) == len(pairs):
            return full  # transcribed speech: no typed-only features
        alone = {name: head.proba(shared) for name, head in self.heads.items()}
        return {name: {c: (p + alone[name][c]) / 2 for c, p in probs.items()}
                for name, probs in full.items()}


def load_model(path: str | Path | None = None) -> Model:
    path = MODEL_PATH if path is None else path   # looked up at call time (tests move it)
    return model_from_arrays(npz_arrays(path), Path(path).name)


def model_from_arrays(arrays: dict, name: str = "<arrays>") -> Model:
    """A Model from arrays as ``npz_arrays`` returns them ((shape, flat array) per name; the
    JSON metadata as text). The training script builds each cross-validation fold's model this
    way, so the CV scores the same plain-Python arithmetic that learners run."""
    path = name
    for key in ("meta", "cols"):
        if key not in arrays:
            raise ModelFileError(f"{Path(path).name}: no {key!r} array")
    meta = arrays["meta"]
    meta = json.loads(meta) if isinstance(meta, str) else meta
    _, cols = arrays["cols"]
    if any(a >= b for a, b in zip(cols, cols[1:])):
        raise ModelFileError(f"{Path(path).name}: 'cols' is not strictly increasing")
    heads = {}
    for name in HEADS:
        if f"{name}_W" not in arrays:
            continue
        (n_rows, n_cols), W = arrays[f"{name}_W"]
        if n_cols != len(cols):
            raise ModelFileError(f"{Path(path).name}: {name}_W has {n_cols} columns, "
                                 f"'cols' has {len(cols)}")
        _, scale = arrays[f"{name}_scale"]
        _, b = arrays[f"{name}_b"]
        classes = meta["classes"][name]
        if not (len(scale) == len(b) == n_rows) or n_rows not in (len(classes), 1):
            raise ModelFileError(f"{Path(path).name}: head {name!r} has {n_rows} weight rows, "
                                 f"{len(scale)} scales, {len(b)} biases and "
                                 f"{len(classes)} classes")
        heads[name] = Head(classes, W, scale, b, n_cols)
    if "main" not in heads:
        raise ModelFileError(f"{Path(path).name}: no 'main' head (main_W)")
    return Model(heads, meta, cols)


def get_model() -> Model | None:
    """The shipped model, loaded once; None if it cannot be loaded, and then the coach falls
    back to its wording rules (``rules.rule_code``), and says so in its feedback."""
    global _MODEL, _LOAD_ERROR
    if _MODEL is None and _LOAD_ERROR is None:
        try:
            _MODEL = load_model()
        except Exception as exc:  # missing or corrupt file: fall back to the rules
            _LOAD_ERROR = f"{type(exc).__name__}: {exc}"
    return _MODEL


def load_error() -> str | None:
    return _LOAD_ERROR
