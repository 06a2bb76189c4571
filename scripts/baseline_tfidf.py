#!/usr/bin/env python
"""The plain baseline beside the coach, on the coach's own cross-validation folds.

    python scripts/baseline_tfidf.py [--data ../shared/data/annomi] [--with-client]

TF-IDF word 1-2-grams and character 2-5-grams (``char_wb``), sublinear tf, min_df 2, a
logistic regression (C = 1), the utterance alone (``--with-client`` adds the client's preceding
statement as a TF-IDF block of its own). Scored by the same transcript-grouped 5-fold split as
``scripts/train_coach.py`` (GroupKFold by transcript_id over the same utterances, in the same
order), pooled over folds, so its figures compare directly with the coach's CV figures.
Deterministic; needs scikit-learn (like training).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from partnership.coach import metrics  # noqa: E402
from partnership.coach.annomi import MAIN_CODES  # noqa: E402
from train_coach import DEFAULT_DATA, load  # noqa: E402


def vectorisers():
    return [TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                            min_df=2)]


def cross_validate(items, folds: int = 5, with_client: bool = False) -> dict:
    texts = [it.text for it in items]
    clients = [it.client for it in items]
    y = np.asarray([it.main for it in items])
    groups = np.asarray([it.transcript_id for it in items])
    pred = np.empty(len(items), dtype=object)
    for train, test in GroupKFold(n_splits=folds).split(texts, y, groups):
        blocks_tr, blocks_te = [], []
        for v in vectorisers():
            blocks_tr.append(v.fit_transform([texts[i] for i in train]))
            blocks_te.append(v.transform([texts[i] for i in test]))
        if with_client:
            v = TfidfVectorizer(ngram_range=(1, 1), sublinear_tf=True, min_df=2)
            blocks_tr.append(v.fit_transform([clients[i] for i in train]))
            blocks_te.append(v.transform([clients[i] for i in test]))
        clf = LogisticRegression(C=1.0, max_iter=5000)
        clf.fit(sp.hstack(blocks_tr).tocsr(), y[train])
        pred[test] = clf.predict(sp.hstack(blocks_te).tocsr())
    yt, yp = list(y), list(pred)
    return {"kappa": metrics.cohen_kappa(yt, yp, MAIN_CODES),
            "macro_f1": metrics.macro_f1(yt, yp, MAIN_CODES),
            "f1": metrics.f1_scores(yt, yp, MAIN_CODES), "n": len(items)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--with-client", action="store_true")
    args = ap.parse_args(argv)
    if not (args.data / "annomi-simple-train.csv").is_file():
        print(f"AnnoMI data not found in {args.data}", file=sys.stderr)
        return 2
    t0 = time.time()
    items, _, _ = load(args.data)
    res = cross_validate(items, args.folds, args.with_client)
    print(f"TF-IDF + logistic regression baseline, transcript-grouped {args.folds}-fold CV "
          f"(the coach's folds), {res['n']} utterances"
          + (", with the client's statement" if args.with_client else "")
          + f" ({time.time() - t0:.0f} s):")
    print(f"  kappa {res['kappa']:.3f}   macro-F1 {res['macro_f1']:.3f}")
    print("  F1 " + "  ".join(f"{k} {v:.3f}" for k, v in res["f1"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
