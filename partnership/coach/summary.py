"""A learner's session summary against the MITI 4.2.1 thresholds, and a plot of it.

MITI 4.2.1 relational thresholds used here:
- reflection-to-question ratio (R:Q): 1:1 is fair, 2:1 is good;
- complex reflections as a share of all reflections: 40% is fair, 50% is good.
"""
from __future__ import annotations

RQ_FAIR, RQ_GOOD = 1.0, 2.0
COMPLEX_FAIR, COMPLEX_GOOD = 0.40, 0.50
CODES = ("question", "reflection", "therapist_input", "other")


def verdict(value: float | None, fair: float, good: float) -> str | None:
    if value is None:
        return None
    if value >= good - 1e-12:
        return "good"
    if value >= fair - 1e-12:
        return "fair"
    return "below fair"


def session_summary(results) -> dict:
    """Counts, R:Q ratio and complex share of a list of CoachResult, with MITI verdicts.

    ``reflection_to_question`` is R/Q; it is ``float('inf')`` when there are reflections and no
    questions (verdict 'good'), and None when there are neither (verdict None).
    ``complex_share`` is complex/all reflections, None when there are no reflections.
    Verdicts are 'good', 'fair', 'below fair' or None (nothing to judge). Results with no code
    (empty input) are left out.
    """
    # a result with no code (nothing was written) says nothing about the session
    results = [r for r in (results or []) if getattr(r, "code", None) is not None]
    counts = {c: 0 for c in CODES}
    sub = {"open": 0, "closed": 0, "simple": 0, "complex": 0}
    hrq = []
    for r in results:
        code = getattr(r, "code", None)
        if code in counts:
            counts[code] += 1
        s = getattr(r, "subcode", None)
        if code == "question" and s in ("open", "closed"):
            sub[s] += 1
        if code == "reflection" and s in ("simple", "complex"):
            sub[s] += 1
        h = getattr(r, "hrq_score", None)
        if isinstance(h, int):
            hrq.append(h)
    R, Q = counts["reflection"], counts["question"]
    if Q:
        ratio = R / Q
    else:
        ratio = float("inf") if R else None
    complex_share = (sub["complex"] / R) if R else None
    return {
        "n": len(results),
        "counts": counts,
        "subcounts": sub,
        "reflections": R,
        "questions": Q,
        "reflection_to_question": ratio,
        "complex_share": complex_share,
        "rq_verdict": verdict(ratio, RQ_FAIR, RQ_GOOD),
        "complex_verdict": verdict(complex_share, COMPLEX_FAIR, COMPLEX_GOOD),
        "mean_hrq": (sum(hrq) / len(hrq)) if hrq else None,
        "thresholds": {"reflection_to_question": {"fair": RQ_FAIR, "good": RQ_GOOD},
                       "complex_share": {"fair": COMPLEX_FAIR, "good": COMPLEX_GOOD}},
    }


def plot_session(summary: dict):
    """Two panels (R:Q ratio; share of complex reflections) against the MITI fair/good lines.

    Returns a ``matplotlib.figure.Figure`` (made without pyplot, so no global state is touched;
    in a notebook, put it last in a cell or call ``display(fig)``).
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    colours = {"good": "#2e7d32", "fair": "#f9a825", "below fair": "#c62828", None: "#9e9e9e"}

    ratio = summary.get("reflection_to_question")
    shown = 0.0 if ratio is None else min(ratio, 4.0)
    v = summary.get("rq_verdict")
    ax1.bar([0], [shown], color=colours.get(v, "#9e9e9e"), width=0.5)
    ax1.axhline(RQ_FAIR, ls="--", color="#f9a825", label="fair (1:1)")
    ax1.axhline(RQ_GOOD, ls="-", color="#2e7d32", label="good (2:1)")
    ax1.set_xlim(-1, 1)
    ax1.set_ylim(0, max(4.0, shown) * 1.05)
    ax1.set_xticks([])
    label = ("no questions or reflections" if ratio is None else
             "no questions" if ratio == float("inf") else f"{ratio:.2f} : 1")
    ax1.set_title(f"Reflections per question\n{label} ({v or 'n/a'})", fontsize=10)
    ax1.legend(loc="upper right", fontsize=8)

    share = summary.get("complex_share")
    v2 = summary.get("complex_verdict")
    ax2.bar([0], [0.0 if share is None else 100 * share], color=colours.get(v2, "#9e9e9e"),
            width=0.5)
    ax2.axhline(100 * COMPLEX_FAIR, ls="--", color="#f9a825", label="fair (40%)")
    ax2.axhline(100 * COMPLEX_GOOD, ls="-", color="#2e7d32", label="good (50%)")
    ax2.set_xlim(-1, 1)
    ax2.set_ylim(0, 100)
    ax2.set_xticks([])
    ax2.set_ylabel("% of reflections")
    label2 = "no reflections" if share is None else f"{100 * share:.0f}%"
    ax2.set_title(f"Complex reflections\n{label2} ({v2 or 'n/a'})", fontsize=10)
    ax2.legend(loc="upper right", fontsize=8)
    fig.suptitle(f"Your session: {summary.get('n', 0)} responses coded", fontsize=11)
    return fig
