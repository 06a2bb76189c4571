"""Agreement metrics in plain Python: Cohen's kappa, per-class and macro F1, confusion matrix."""
from __future__ import annotations


def confusion(y_true, y_pred, labels) -> list[list[int]]:
    pos = {l: i for i, l in enumerate(labels)}
    m = [[0] * len(labels) for _ in labels]
    for t, p in zip(y_true, y_pred):
        if t in pos and p in pos:
            m[pos[t]][pos[p]] += 1
    return m


def cohen_kappa(y_true, y_pred, labels=None) -> float | None:
    """Cohen's kappa (unweighted). None when there is nothing to score; 1.0 if both raters use
    one and the same single label throughout (perfect, if trivial, agreement); 0.0 if chance
    agreement is 1 otherwise."""
    y_true, y_pred = list(y_true), list(y_pred)
    if labels is None:
        labels = sorted(set(y_true) | set(y_pred))
    m = confusion(y_true, y_pred, labels)
    n = sum(map(sum, m))
    if n == 0:
        return None
    po = sum(m[i][i] for i in range(len(labels))) / n
    rows = [sum(r) / n for r in m]
    cols = [sum(m[i][j] for i in range(len(labels))) / n for j in range(len(labels))]
    pe = sum(r * c for r, c in zip(rows, cols))
    if pe >= 1.0:
        return 1.0 if po >= 1.0 else 0.0
    return (po - pe) / (1.0 - pe)


def f1_scores(y_true, y_pred, labels) -> dict[str, float]:
    """Per-class F1 (0.0 for a class with no true and no predicted items, as scikit-learn)."""
    out = {}
    y_true, y_pred = list(y_true), list(y_pred)
    for l in labels:
        tp = sum(1 for t, p in zip(y_true, y_pred) if t == l and p == l)
        fp = sum(1 for t, p in zip(y_true, y_pred) if t != l and p == l)
        fn = sum(1 for t, p in zip(y_true, y_pred) if t == l and p != l)
        out[l] = (2 * tp / (2 * tp + fp + fn)) if (2 * tp + fp + fn) else 0.0
    return out


def macro_f1(y_true, y_pred, labels) -> float:
    f = f1_scores(y_true, y_pred, labels)
    return sum(f.values()) / len(f) if f else 0.0


def accuracy(y_true, y_pred) -> float | None:
    y_true, y_pred = list(y_true), list(y_pred)
    return (sum(1 for t, p in zip(y_true, y_pred) if t == p) / len(y_true)) if y_true else None
