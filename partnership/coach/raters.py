"""Compare the coach with individual expert coders, like for like.

Most AnnoMI utterances were coded by one expert, so the coach's agreement figures compare one
rater (the coach) with one other rater (that expert). The fair human yardstick is therefore
expert-with-expert agreement on utterances that several experts coded, not an expert against a
majority. Given such multiply-coded utterances, this module reports:

- ``expert_pairs``: Cohen's kappa and reflection F1 of every pair of experts, on the utterances
  both coded (mean, lowest, highest);
- ``coach_vs_expert``: the same figures for the coach against each expert on the same
  utterances, so the coach can be placed among the experts;
- ``expert_vs_others``: each expert against the majority code of the *other* experts (ties
  skipped), pooled. A majority is a cleaner reference than any one coder, so this figure is
  higher than the pairwise one; it is reported so the two are not confused.

Plain Python: used by ``partnership coach-eval`` and by ``scripts/train_coach.py``.
"""
from __future__ import annotations

from collections import Counter
from itertools import combinations
from statistics import mean

from . import metrics

MIN_SHARED = 20  # a pair of raters needs at least this many shared utterances to count


def _summary(values: list[float]) -> dict:
    return {"mean": mean(values), "min": min(values), "max": max(values), "n": len(values)}


def _pair(a: list[str], b: list[str], labels) -> tuple[float, float]:
    return (metrics.cohen_kappa(a, b, labels),
            metrics.f1_scores(a, b, labels)["reflection"])


def compare(codings: dict, predictions: dict | None, labels) -> dict | None:
    """``codings``: utterance key -> {annotator: code}, for utterances coded by two or more
    annotators; ``predictions``: utterance key -> the coach's code (or None to skip).

    Returns None when no two annotators share enough utterances to compare."""
    labels = list(labels)
    multi = {k: v for k, v in codings.items() if len(v) > 1}
    annotators = sorted({a for v in multi.values() for a in v})
    kappas, refl = [], []
    for a, b in combinations(annotators, 2):
        shared = [v for v in multi.values() if a in v and b in v]
        if len(shared) < MIN_SHARED:
            continue
        k, f = _pair([v[a] for v in shared], [v[b] for v in shared], labels)
        kappas.append(k)
        refl.append(f)
    if not kappas:
        return None
    out = {"utterances": len(multi), "annotators": len(annotators),
           "expert_pairs": {"kappa": _summary(kappas), "reflection_f1": _summary(refl)}}
    own, rest = [], []
    for v in multi.values():
        if len(v) < 3:
            continue
        for a, code in v.items():
            top = Counter(c for b, c in v.items() if b != a).most_common(2)
            if len(top) > 1 and top[0][1] == top[1][1]:
                continue  # the others are split: no majority to compare with
            own.append(code)
            rest.append(top[0][0])
    if own:
        k, f = _pair(rest, own, labels)
        out["expert_vs_others"] = {"kappa": k, "reflection_f1": f, "n": len(own)}
    if predictions is not None:
        ck, cf = [], []
        for a in annotators:
            keys = [k for k, v in multi.items() if a in v and k in predictions]
            if len(keys) < MIN_SHARED:
                continue
            k, f = _pair([multi[x][a] for x in keys], [predictions[x] for x in keys], labels)
            ck.append(k)
            cf.append(f)
        if ck:
            out["coach_vs_expert"] = {"kappa": _summary(ck), "reflection_f1": _summary(cf)}
    return out


def compare_subcodes(sub_codings: dict, predictions: dict | None, labels) -> dict | None:
    """Like ``compare``, for one two-way sub-code (open/closed or simple/complex): Cohen's
    kappa of every pair of experts on the utterances that both gave the main code and a
    sub-label, and of the coach against each expert on the utterances that expert sub-coded.
    ``sub_codings``: utterance key -> {annotator: sub-label}; ``predictions``: utterance key ->
    the coach's sub-label for that main code. This is the like-for-like yardstick for the
    coach's two-way sub-code kappa (the published human figures for AnnoMI's sub-codes are
    Fleiss kappas among ten annotators, over three categories, and do not compare)."""
    labels = list(labels)
    multi = {k: v for k, v in sub_codings.items() if len(v) > 1}
    annotators = sorted({a for v in multi.values() for a in v})
    pairs = []
    for a, b in combinations(annotators, 2):
        shared = [v for v in multi.values() if a in v and b in v]
        if len(shared) >= MIN_SHARED:
            pairs.append(metrics.cohen_kappa([v[a] for v in shared], [v[b] for v in shared],
                                             labels))
    if not pairs:
        return None
    out = {"utterances": len(multi), "annotators": len(annotators),
           "expert_pairs": {"kappa": _summary(pairs)}}
    if predictions is not None:
        ck = []
        for a in annotators:
            keys = [k for k, v in multi.items() if a in v and k in predictions]
            if len(keys) >= MIN_SHARED:
                ck.append(metrics.cohen_kappa([multi[x][a] for x in keys],
                                              [predictions[x] for x in keys], labels))
        if ck:
            out["coach_vs_expert"] = {"kappa": _summary(ck)}
    return out


def describe_subcodes(res: dict | None, name: str, who: str = "coach") -> list[str]:
    """Plain-text lines for ``compare_subcodes``."""
    if not res:
        return []
    e = res["expert_pairs"]["kappa"]
    line = (f"{name} on the {res['utterances']} utterances sub-coded by several experts: "
            f"expert vs expert ({e['n']} pairs) kappa mean {e['mean']:.3f} "
            f"(range {e['min']:.3f}-{e['max']:.3f})")
    c = res.get("coach_vs_expert")
    if c:
        c = c["kappa"]
        line += (f"; {who} vs each expert ({c['n']}) mean {c['mean']:.3f} "
                 f"(range {c['min']:.3f}-{c['max']:.3f})")
    return [line]


def describe(res: dict | None, who: str = "coach") -> list[str]:
    """Plain-text lines for a report."""
    if not res:
        return []
    e = res["expert_pairs"]
    lines = [f"On the {res['utterances']} utterances coded by several experts "
             f"({res['annotators']} experts):",
             f"  expert vs expert ({e['kappa']['n']} pairs): kappa mean {e['kappa']['mean']:.3f} "
             f"(range {e['kappa']['min']:.3f}-{e['kappa']['max']:.3f}), reflection F1 mean "
             f"{e['reflection_f1']['mean']:.3f} (range {e['reflection_f1']['min']:.3f}-"
             f"{e['reflection_f1']['max']:.3f})"]
    o = res.get("expert_vs_others")
    if o:
        lines.append(f"  each expert vs the majority of the others (n={o['n']}, a cleaner "
                     f"reference): kappa {o['kappa']:.3f}, reflection F1 "
                     f"{o['reflection_f1']:.3f}")
    c = res.get("coach_vs_expert")
    if c:
        lines.append(f"  {who} vs each expert ({c['kappa']['n']} experts): kappa mean "
                     f"{c['kappa']['mean']:.3f} (range {c['kappa']['min']:.3f}-"
                     f"{c['kappa']['max']:.3f}), reflection F1 mean "
                     f"{c['reflection_f1']['mean']:.3f} (range {c['reflection_f1']['min']:.3f}-"
                     f"{c['reflection_f1']['max']:.3f})")
    return lines
