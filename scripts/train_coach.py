#!/usr/bin/env python
"""Train the reflection coach from AnnoMI and write partnership/coach/coach_model.npz.

    python scripts/train_coach.py                       # CV report + shipped weights
    python scripts/train_coach.py --out /tmp/m.npz      # write elsewhere
    python scripts/train_coach.py --no-cv               # weights only (faster)

Data: ../shared/data/annomi/ relative to the repository root (override with --data). The data
never enters the repository: only the weights (and the figures in their metadata) do.

What it does:
1. Reads annomi-simple-train.csv (main therapist behaviour; majority label where several
   experts coded an utterance) and annomi-full-train.csv (sub-labels: open/closed,
   simple/complex, input type; majority per utterance).
2. Reads the course's own typed training responses (scripts/coach_typed/*.yml: learner-style
   sentences written and coded by the course authors) and turns each therapist utterance or
   typed response, with the client's preceding statement, into hashed features with
   partnership.coach.features (the very code used at inference); typed responses also get a
   typed-only copy of each feature (domain adaptation: see features.py).
3. Transcript-grouped 5-fold cross-validation (GroupKFold by transcript_id: no transcript is in
   both the training and the test part of a fold), pooled over folds: Cohen's kappa, macro-F1
   and per-class F1 on the 4-way code; kappa for open/closed on expert-coded questions and for
   simple/complex on expert-coded reflections. Predictions use the int8 weights, as shipped.
   Every fold trains on its AnnoMI part plus all the typed responses and is scored on AnnoMI
   transcripts only, so the figures are agreement with AnnoMI's experts on unseen transcripts.
   On the utterances that ten experts coded, the CV codes are also compared with each expert,
   beside expert-with-expert agreement (partnership.coach.raters).
4. Fits every head on all the data (and an affirmation head, other -> MITI "Affirm" or not, on
   the typed responses coded other, since AnnoMI does not mark affirmations), quantises weights
   to int8 (one scale per class row) and saves them with the CV figures in the file's metadata.

Deterministic: fixed fold assignment, a deterministic solver (lbfgs) and single-threaded BLAS,
so re-running it reproduces the shipped weights exactly. Needs scikit-learn (training only).
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
           "BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import sklearn  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from partnership.coach import metrics, raters  # noqa: E402
from partnership.coach.annomi import MAIN_CODES, read_items  # noqa: E402
from partnership.coach.noise import KINDS, typing_noise  # noqa: E402
from partnership.coach.features import (BLOCK_WEIGHTS, HASH_BITS, N_FEATURES,  # noqa: E402
                                         featurize)

DEFAULT_DATA = REPO.parent / "shared" / "data" / "annomi"
TYPED_DIR = REPO / "scripts" / "coach_typed"
DEFAULT_OUT = REPO / "partnership" / "coach" / "coach_model.npz"
SEED = 0

# head -> (sub-label column, classes, C, class_weight)
MAIN_C = 1.0
MAIN_CLASS_WEIGHT = None
HEADS = {
    "question": ("question_subtype", ("closed", "open"), 1.0, None),
    "reflection": ("reflection_subtype", ("simple", "complex"), 1.0, None),
    "input": ("therapist_input_subtype", ("information", "advice", "negotiation", "options"),
              1.0, None),
}
AFFIRM_CLASSES = ("none", "affirmation")


def load(data: Path):
    simple, full = data / "annomi-simple-train.csv", data / "annomi-full-train.csv"
    items, _ = read_items(simple)
    sub_items, full_info = read_items(full)
    subs = {(it.transcript_id, it.utterance_id): it.sub for it in sub_items}
    for it in items:
        it.sub = subs.get((it.transcript_id, it.utterance_id), {})
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (simple, full)}
    return items, digests, full_info


def load_typed(folder: Path = TYPED_DIR):
    """The course's typed training responses (coded YAML, as read by coach-eval)."""
    from partnership.coach.coded import read_coded
    items, digests = [], {}
    for path in sorted(folder.glob("*.yml")):
        its, _ = read_coded(path)
        for it in its:
            it.transcript_id = "typed:" + path.name
        items += its
        digests[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return items, digests


# Typing noise (partnership/coach/noise.py): learners leave out question marks, capitals and
# apostrophes. Every typed training response gets a noisy copy of each kind that changes it,
# so that no single character decides a code. Copies keep their original's domain and
# transcript, so the cross-validation never trains on a copy of a test utterance. (AnnoMI's
# utterances can get copies too, NOISE_ANNOMI; measured, they cost the CV, so they are off.)
NOISE_KINDS = KINDS
NOISE_ANNOMI = False   # AnnoMI copies cost the CV 0.01 kappa (model card); typed copies do not
NOISE_TYPED = True
TYPED_NOISE_KINDS = KINDS  # every kind: one copy of each that changes the text


def noisy_copies(items, kinds=(None,)):
    out = []
    for it in items:
        seen = set()
        for kind in kinds:
            t = typing_noise(it.text, kind)
            if t is not None and t not in seen:
                seen.add(t)
                out.append(dataclasses.replace(it, text=t,
                                               utterance_id=f"{it.utterance_id}~{kind or 'noise'}"))
    return out


def matrix(items, typed=()):
    """Sparse feature matrices (AnnoMI rows, typed rows) over the columns that occur in the
    data, and those columns.

    Fitting on the occupied columns only is much faster; columns that never occur get a zero
    weight, exactly what a fit on all 2 * 2**HASH_BITS columns gives them under L2 penalty."""
    X = sp.vstack([_matrix(items, False), _matrix(typed, True)]).tocsr()
    cols = np.unique(X.indices)
    X = X[:, cols].tocsr()
    return X[:len(items)], X[len(items):], cols


def _matrix(items, typed: bool) -> sp.csr_matrix:
    indptr, indices, data = [0], [], []
    for it in items:
        f = featurize(it.text, it.client, typed=typed)
        keys = sorted(f)
        indices.extend(keys)
        data.extend(f[k] for k in keys)
        indptr.append(len(indices))
    return sp.csr_matrix((np.asarray(data, dtype=np.float64), np.asarray(indices, np.int64),
                          np.asarray(indptr, np.int64)), shape=(len(items), 2 * N_FEATURES))


def fit(X, y, classes, C, class_weight):
    """Fit a logistic regression; return int8 weights, per-row scales and biases (float32)."""
    clf = LogisticRegression(C=C, max_iter=5000, tol=1e-5, class_weight=class_weight,
                             random_state=SEED)
    clf.fit(X, y)
    assert list(clf.classes_) == sorted(classes), (clf.classes_, classes)
    coef, bias = clf.coef_, clf.intercept_
    order = [list(clf.classes_).index(c) for c in classes]
    if coef.shape[0] == 1:  # binary: one row scoring classes_[1]; orient it to classes[1]
        if clf.classes_[1] != classes[1]:
            coef, bias = -coef, -bias
    else:
        coef, bias = coef[order], bias[order]
    scale = np.abs(coef).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(coef / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32), bias.astype(np.float32)


def sub_targets(items, col, classes):
    idx = [i for i, it in enumerate(items) if it.sub.get(col) in classes]
    return np.asarray(idx, dtype=np.int64), np.asarray([items[i].sub[col] for i in idx])


def _with(X, idx, Xt, rows):
    """Training rows: AnnoMI rows ``idx`` and typed rows ``rows``."""
    return sp.vstack([X[idx], Xt[rows]]).tocsr()


def plain_model(arrays: dict, cols, meta: dict):
    """The plain-Python ``Model`` that learners run, built from a fit's NumPy arrays."""
    from array import array

    from partnership.coach.model import model_from_arrays
    codes = {np.dtype(np.int8): "b", np.dtype(np.float32): "f", np.dtype(np.int32): "i"}
    plain = {k: (v.shape, array(codes[v.dtype], v.tobytes())) for k, v in arrays.items()}
    plain["cols"] = ((len(cols),), array("i", np.asarray(cols, np.int32).tobytes()))
    plain["meta"] = meta
    return model_from_arrays(plain, "cross-validation fold")


def cross_validate(items, X, folds=5, codings=None, typed=(), Xt=None, cols=None, n_orig=None):
    """``items`` (rows of ``X``): AnnoMI's utterances, the first ``n_orig`` of them, then any
    noisy copies, which are only ever trained on, in the folds that train on their transcript.
    Scored on the original utterances of each fold's test transcripts."""
    from partnership.coach.predict import predict, subcode_for
    n_orig = len(items) if n_orig is None else n_orig
    y_all = np.asarray([it.main for it in items])
    typed = list(typed)
    Xt = Xt if Xt is not None else sp.csr_matrix((0, X.shape[1]))
    yt = np.asarray([it.main for it in typed], dtype=object)
    all_t = np.arange(len(typed))
    groups_all = np.asarray([it.transcript_id for it in items])
    copies = np.arange(n_orig, len(items))
    full_items, items = items, items[:n_orig]
    y, groups = y_all[:n_orig], groups_all[:n_orig]
    pred = np.empty(len(items), dtype=object)
    sub_pred = {h: np.empty(len(items), dtype=object) for h in HEADS}
    meta = {"classes": {"main": list(MAIN_CODES), **{h: list(v[1]) for h, v in HEADS.items()}},
            "data": {"typed_copy_offset": N_FEATURES}}
    for train, test in GroupKFold(n_splits=folds).split(X[:n_orig], y, groups):
        assert not set(groups[train]) & set(groups[test])
        train_groups = set(groups[train])
        train = np.concatenate([train, [i for i in copies if groups_all[i] in train_groups]])
        train = train.astype(np.int64)
        arrays = {}
        arrays["main_W"], arrays["main_scale"], arrays["main_b"] = fit(
            _with(X, train, Xt, all_t), np.concatenate([y_all[train], yt]), MAIN_CODES, MAIN_C,
            MAIN_CLASS_WEIGHT)
        for h, (col, classes, C, cw) in HEADS.items():
            tr = [i for i in train if full_items[i].sub.get(col) in classes]
            tt = [i for i, it in enumerate(typed) if it.sub.get(col) in classes]
            ytr = np.asarray([full_items[i].sub[col] for i in tr]
                             + [typed[i].sub[col] for i in tt])
            arrays[f"{h}_W"], arrays[f"{h}_scale"], arrays[f"{h}_b"] = fit(
                _with(X, tr, Xt, tt), ytr, classes, C, cw)
        model = plain_model(arrays, cols, meta)
        # the one decision learners get (partnership.coach.predict), read as speech
        for i in test:
            it = items[i]
            p = predict(it.text, it.client, typed=False, model=model)
            pred[i] = p.code
            for h, code in (("question", "question"), ("reflection", "reflection"),
                            ("input", "therapist_input")):
                sub_pred[h][i] = subcode_for(code, p.heads, it.text, it.client)[0]
    yt, yp = list(y), list(pred)
    f1 = metrics.f1_scores(yt, yp, MAIN_CODES)
    out = {
        "folds": folds, "grouping": "transcript_id", "n": len(items),
        "n_transcripts": len(set(groups)),
        "kappa": metrics.cohen_kappa(yt, yp, MAIN_CODES),
        "macro_f1": metrics.macro_f1(yt, yp, MAIN_CODES),
        "accuracy": metrics.accuracy(yt, yp),
        "f1": f1,
        "confusion": {"labels": list(MAIN_CODES),
                      "matrix": metrics.confusion(yt, yp, MAIN_CODES)},
    }
    for h, key in (("question", "question_kappa"), ("reflection", "reflection_kappa"),
                   ("input", "input_kappa")):
        col, classes = HEADS[h][0], HEADS[h][1]
        idx, t = sub_targets(items, col, classes)
        out[key] = metrics.cohen_kappa(list(t), list(sub_pred[h][idx]), list(classes))
        out[key.replace("kappa", "n")] = int(len(idx))
    # the combined view: a reflection's subtype counts only if the main code is also right
    idx, t = sub_targets(items, "reflection_subtype", ("simple", "complex"))
    combo_t = list(t)
    combo_p = [sub_pred["reflection"][i] if pred[i] == "reflection" else "not reflection"
               for i in idx]
    out["reflection_subtype_accuracy_given_expert_reflection"] = metrics.accuracy(combo_t,
                                                                                  combo_p)
    # like for like: the coach's CV codes against each expert, beside expert-with-expert
    # agreement, on the utterances that several experts coded (raters.py says why)
    by_key = {(it.transcript_id, it.utterance_id): p for it, p in zip(items, pred)}
    info = codings or {}
    out["experts"] = raters.compare(info.get("codings", {}), by_key, MAIN_CODES)
    # the same for the two-way sub-codes, against the experts' own sub-labels
    out["experts_subcodes"] = {}
    for h, col in (("question", "question_subtype"), ("reflection", "reflection_subtype")):
        keyed = {(it.transcript_id, it.utterance_id): p for it, p in zip(items, sub_pred[h])}
        out["experts_subcodes"][h] = raters.compare_subcodes(
            info.get("sub_codings", {}).get(col, {}), keyed, HEADS[h][1])
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args(argv)
    if not (args.data / "annomi-simple-train.csv").is_file():
        print(f"AnnoMI data not found in {args.data}", file=sys.stderr)
        return 2
    t0 = time.time()
    items, digests, full_info = load(args.data)
    typed, typed_digests = load_typed()
    n_orig = len(items)
    n_typed = len(typed)
    if NOISE_ANNOMI:
        items = items + noisy_copies(items)
    if NOISE_TYPED:
        typed = typed + noisy_copies(typed, TYPED_NOISE_KINDS)
    X, Xt, cols = matrix(items, typed)
    print(f"{n_orig} therapist utterances from "
          f"{len({it.transcript_id for it in items})} transcripts, {n_typed} typed "
          f"responses, {len(items) - n_orig + len(typed) - n_typed} noisy copies; "
          f"{X.nnz + Xt.nnz} non-zeros; features in {time.time() - t0:.1f}s")
    cv = None
    if not args.no_cv:
        t1 = time.time()
        cv = cross_validate(items, X, args.folds, full_info, typed, Xt, cols, n_orig)
        print(f"Transcript-grouped {args.folds}-fold CV ({time.time() - t1:.1f}s):")
        print(f"  kappa {cv['kappa']:.3f}   macro-F1 {cv['macro_f1']:.3f}   "
              f"accuracy {cv['accuracy']:.3f}")
        print("  F1 " + "  ".join(f"{k} {v:.3f}" for k, v in cv["f1"].items()))
        print(f"  question kappa (open/closed, n={cv['question_n']}) {cv['question_kappa']:.3f}"
              f"   reflection kappa (simple/complex, n={cv['reflection_n']}) "
              f"{cv['reflection_kappa']:.3f}   input kappa {cv['input_kappa']:.3f}")
        for line in raters.describe(cv["experts"], who="coach (CV)"):
            print("  " + line)
        for h, name in (("question", "open/closed"), ("reflection", "simple/complex")):
            for line in raters.describe_subcodes(cv["experts_subcodes"][h], name,
                                                 who="coach (CV)"):
                print("  " + line)
    everything = items + typed
    XA = sp.vstack([X, Xt]).tocsr()
    y = np.asarray([it.main for it in everything])
    arrays = {}
    classes = {"main": list(MAIN_CODES)}
    arrays["main_W"], arrays["main_scale"], arrays["main_b"] = fit(
        XA, y, MAIN_CODES, MAIN_C, MAIN_CLASS_WEIGHT)
    counts = {"main": {c: int((y == c).sum()) for c in MAIN_CODES}}
    for h, (col, cls, C, cw) in HEADS.items():
        idx, t = sub_targets(everything, col, cls)
        arrays[f"{h}_W"], arrays[f"{h}_scale"], arrays[f"{h}_b"] = fit(XA[idx], t, cls, C, cw)
        classes[h] = list(cls)
        counts[h] = {c: int((t == c).sum()) for c in cls}
    # MITI's "Affirm": AnnoMI's codes have no place for it, so this head learns from the typed
    # responses coded other alone (affirmation, or any other "other")
    # Trained on the shared columns only (the typed-only copies zeroed): the head learns from
    # typed text alone, so a typed-only copy would just split each weight in two, and the
    # average of the model's two views (model.py) would halve the head's evidence.
    idx = [i for i, it in enumerate(typed) if it.main == "other"]
    if idx:
        t = np.asarray(["affirmation" if typed[i].sub.get("other_subtype") == "affirmation"
                        else "none" for i in idx])
        shared = sp.diags((cols < N_FEATURES).astype(np.float64))
        arrays["affirm_W"], arrays["affirm_scale"], arrays["affirm_b"] = fit(
            (Xt[idx] @ shared).tocsr(), t, AFFIRM_CLASSES, 1.0, None)
        classes["affirm"] = list(AFFIRM_CLASSES)
        counts["affirm"] = {c: int((t == c).sum()) for c in AFFIRM_CLASSES}
    # Weights are stored for the occupied hashed columns only (``cols``); every other column
    # of the 2**HASH_BITS space has weight zero. Uncompressed, so loading is a plain read.
    arrays["cols"] = cols.astype(np.int32)
    meta = {
        "name": "partnership reflection coach",
        "format": 1,
        "hash_bits": HASH_BITS,
        "classes": classes,
        "train_counts": counts,
        "hyperparameters": {"main_C": MAIN_C, **{h + "_C": v[2] for h, v in HEADS.items()},
                            "solver": "lbfgs", "tol": 1e-5},
        "block_weights": dict(BLOCK_WEIGHTS),
        "data": {"source": "AnnoMI training split (../shared/data/annomi)",
                 "sha256": digests,
                 "typed": {"source": "scripts/coach_typed/*.yml (the course's own typed "
                                     "responses)", "n": n_typed, "sha256": typed_digests},
                 "typed_copy_offset": N_FEATURES,
                 "typing_noise": {"kinds": list(NOISE_KINDS),
                                  "annomi_copies": len(items) - n_orig,
                                  "typed_copies": len(typed) - n_typed}},
        "trained_with": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
        "cv": cv,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, meta=np.asarray(json.dumps(meta, sort_keys=True)), **arrays)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes) in {time.time() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
