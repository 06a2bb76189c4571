"""A learner's progress over time, from their saved answers (no widgets; matplotlib only for
the charts, imported when one is drawn, so the table also works where matplotlib is missing,
as in the book's in-browser labs).

    from partnership.learner.progress import show_progress
    show_progress()             # table + plot for ./my.partnership-answers.json
"""
from __future__ import annotations

from datetime import datetime

from partnership.learner.items import SKILLS
from partnership.learner.store import AnswerStore


def _when(t: str) -> datetime | None:
    try:
        return datetime.fromisoformat(t)
    except (TypeError, ValueError):
        return None


def progress_table(path=None, store: AnswerStore | None = None) -> list[dict]:
    """Per skill: attempts, items tried, latest score and maximum (sum over items tried)."""
    store = store or AnswerStore(path)
    rows = []
    for skill, title in SKILLS.items():
        atts = [a for a in store.attempts(skill) if a.get("score") is not None]
        latest = store.answers(skill)
        latest = {k: v for k, v in latest.items() if v.get("score") is not None}
        rows.append({"skill": skill, "title": title, "attempts": len(atts),
                     "items": len(latest),
                     "score": sum(v["score"] for v in latest.values()),
                     "max_score": sum(v["max_score"] for v in latest.values())})
    return rows


def plot_progress(path=None, store: AnswerStore | None = None):
    """Two panels per learner: cumulative attempts per skill over time, and the running share
    of available marks scored on each attempt. Returns the matplotlib Figure."""
    import matplotlib
    import matplotlib.pyplot as plt

    store = store or AnswerStore(path)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True, constrained_layout=True)
    markers = "osD^vP"
    any_data = False
    for k, skill in enumerate(SKILLS):
        pts = [(_when(a["time"]), a["score"] / a["max_score"]) for a in store.attempts(skill)
               if a.get("score") is not None and a.get("max_score") and _when(a["time"])]
        if not pts:
            continue
        any_data = True
        pts.sort(key=lambda p: p[0])
        times = [p[0] for p in pts]
        running, total = [], 0.0
        for i, (_, frac) in enumerate(pts, 1):
            total += frac
            running.append(total / i)
        # marker shape and line style, not colour alone, tell the skills apart
        style = dict(marker=markers[k], linestyle=["-", "--", ":", "-."][k % 4], label=skill)
        ax1.step(times, range(1, len(times) + 1), where="post", **style)
        ax2.plot(times, running, **style)
    ax1.set_ylabel("attempts (cumulative)")
    ax2.set_ylabel("mean score so far (0 to 1)")
    ax2.set_ylim(-0.05, 1.05)
    ax2.set_xlabel("time (UTC)")
    ax1.set_title("Your practice so far, by skill")
    if any_data:
        ax1.legend(loc="upper left", fontsize="small")
        fig.autofmt_xdate()
    else:
        ax1.text(0.5, 0.5, "No answers saved yet: open a lab and try an item.",
                 ha="center", va="center", transform=ax1.transAxes)
    del matplotlib
    return fig


def show_progress(path=None):
    """Print the table and show the plot (for a notebook cell)."""
    store = AnswerStore(path)
    rows = progress_table(store=store)
    for w in store.warnings:
        print("Note:", w)
    print(f"{'skill':16} {'attempts':>8} {'items':>6} {'score':>12}")
    for r in rows:
        sc = f"{r['score']:g}/{r['max_score']:g}" if r["items"] else "-"
        print(f"{r['skill']:16} {r['attempts']:8} {r['items']:6} {sc:>12}")
    try:
        fig = plot_progress(store=store)
    except ImportError:
        print("(The charts need matplotlib, which this Python does not have.)")
        return None
    try:
        from IPython.display import display
        display(fig)
        import matplotlib.pyplot as plt
        plt.close(fig)
    except ImportError:
        pass
    return None


def reflection_summary(path=None, store: AnswerStore | None = None) -> dict:
    """Code the learner's latest written answer to every free-text item with the reflection
    coach, and summarise them against the MITI 4.2.1 thresholds (reflection-to-question ratio,
    share of complex reflections). Answers that no longer match a shipped item are skipped."""
    from partnership.learner.items import FreeTextItem, practice_items
    from partnership.coach import analyse, session_summary

    store = store or AnswerStore(path)
    items = {(it.skill, it.id): it for it in practice_items() if isinstance(it, FreeTextItem)}
    latest: dict[tuple, str] = {}
    for a in store.attempts():  # in time order: later attempts replace earlier ones
        key = (a["lab"], a["item"])
        if key in items and isinstance(a.get("answer"), str) and a["answer"].strip():
            latest[key] = a["answer"]
    results = [analyse(text, items[key].client or items[key].vignette or "")
               for key, text in latest.items()]
    return session_summary(results)


def show_reflection_summary(path=None):
    """Print and plot the learner's written answers against MITI 4.2.1 (for a notebook cell)."""
    from partnership.coach import plot_session

    store = AnswerStore(path)
    summary = reflection_summary(store=store)
    for w in store.warnings:
        print("Note:", w)
    if not summary["n"]:
        print("No written answers saved yet: write a response in a lab's free-text items first.")
        return None
    c = summary["counts"]
    ratio = summary["reflection_to_question"]
    share = summary["complex_share"]
    print(f"The coach coded {summary['n']} written answers: {c['reflection']} reflections, "
          f"{c['question']} questions, {c['therapist_input']} therapist input, {c['other']} other.")
    if ratio is not None:
        shown = "no questions" if ratio == float("inf") else f"{ratio:.2f} : 1"
        print(f"Reflections per question: {shown} ({summary['rq_verdict']}; "
              "MITI 4.2.1: 1:1 fair, 2:1 good).")
    if share is not None:
        print(f"Complex reflections: {100 * share:.0f}% of reflections "
              f"({summary['complex_verdict']}; MITI 4.2.1: 40% fair, 50% good).")
    print("These thresholds are expert opinion, and the coach's codes are suggestions: "
          "it is least reliable on simple versus complex.")
    try:
        from IPython.display import display
        display(plot_session(summary))
    except ImportError:
        pass
    return None
