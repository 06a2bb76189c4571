"""Item analysis of one assignment: which items worked, which the class got wrong, which may be
miskeyed. ``partnership item-analysis ASSIGNMENT --out DIR`` writes it.

Classical test theory, on every submission that was graded (a notebook that could not be read has
no scores and is left out):

- **difficulty** (the facility, *p*): the class's mean share of the item's points, 0 to 1; near 1
  everybody got it, near 0 nobody did;
- **discrimination** (*r*, item-rest correlation): Pearson's correlation between the item's score
  and the student's score on the *other* items analysed. Students who do well overall should do
  well on a good item (*r* well above 0); an item that the strongest students get wrong more
  often than the weakest (*r* < 0) is usually miskeyed or ambiguous;
- for choice items, the **share of the class choosing each option**, also among the strongest and
  the weakest students (the top and bottom 27% by rest score, Kelley's groups; a tie at the
  boundary is broken by student id).

An item is **flagged** as possibly miskeyed when its discrimination is negative, or when a
distractor (a wrong option, by the key) is chosen by more of the strongest students than the key
is. Items marked by hand (written answers and conversations) are analysed once every analysed
submission has a mark for them; until then they are listed as waiting for marks and left out of
the rest scores.

Output: ``items.csv`` (one row per item), ``options.csv`` (one row per option of each choice
item), ``items.png`` (difficulty against discrimination, flagged items marked) and
``options.png`` (each choice item's option shares).
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ItemStats", "OptionStats", "analyse", "write_outputs", "table", "TOP_SHARE"]

#: the share of the class in the top and bottom groups (Kelley)
TOP_SHARE = 0.27


@dataclass
class OptionStats:
    item: str
    option: int                 # 0-based, in the order the bank writes the options
    text: str
    key: bool
    share: float                # of the analysed students
    share_top: float
    share_bottom: float

    @property
    def letter(self) -> str:
        return chr(65 + self.option)


@dataclass
class ItemStats:
    item: str
    type: str
    points: float
    n: int = 0
    difficulty: float | None = None
    discrimination: float | None = None
    no_answer: float = 0.0      # choice items: share who saved no answer
    flags: list[str] = field(default_factory=list)
    note: str = ""              # why there are no figures (written items not marked yet)
    options: list[OptionStats] = field(default_factory=list)


def pearson(xs, ys) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def _groups(rest: dict[str, float]) -> tuple[set[str], set[str]]:
    k = max(1, round(TOP_SHARE * len(rest)))
    top = sorted(rest, key=lambda s: (-rest[s], s))[:k]
    bottom = sorted(rest, key=lambda s: (rest[s], s))[:k]
    return set(top), set(bottom)


def analyse(bank, rows) -> tuple[list[ItemStats], int]:
    """(stats per item in bank order, number of submissions analysed) from
    :func:`partnership.grader.results.collect`'s output."""
    from partnership.grader.bank import MANUAL_TYPES
    graded = [r for r in rows if r.submitted and r.raw_score is not None
              and all(r.scores.get(it.id) is not None for it in bank.items
                      if it.type not in MANUAL_TYPES)]
    stats = [ItemStats(it.id, it.type, float(it.points)) for it in bank.items]
    used = []
    for it, st in zip(bank.items, stats):
        if it.type in MANUAL_TYPES:
            marked = sum(r.scores.get(it.id) is not None for r in graded)
            if marked < len(graded):
                st.note = f"waiting for marks ({marked} of {len(graded)} marked)"
                continue
        used.append((it, st))
    for it, st in used:
        others = [o.id for o, _ in used if o.id != it.id]
        item_scores = {r.student: r.scores[it.id] for r in graded}
        rest = {r.student: sum(r.scores[o] for o in others) for r in graded}
        st.n = len(graded)
        if not graded:
            st.note = "no graded submissions"
            continue
        st.difficulty = sum(v / it.points for v in item_scores.values()) / len(graded)
        st.discrimination = pearson([item_scores[s] for s in rest], list(rest.values()))
        if st.discrimination is not None and st.discrimination < 0:
            st.flags.append(f"negative discrimination (r = {st.discrimination:.2f}): the "
                            f"strongest students score lower on it than the weakest")
        if it.type == "choice":
            top, bottom = _groups(rest)
            chosen = {r.student: r.answers.get(it.id) for r in graded}
            st.no_answer = sum(not isinstance(c, int) for c in chosen.values()) / len(graded)
            for k, opt in enumerate(it.options):
                share = sum(c == k for c in chosen.values()) / len(graded)
                st_top = sum(chosen[s] == k for s in top) / len(top)
                st_bot = sum(chosen[s] == k for s in bottom) / len(bottom)
                st.options.append(OptionStats(it.id, k, opt.text, k == it.key, share, st_top,
                                              st_bot))
            key = st.options[it.key]
            for o in st.options:
                if not o.key and o.share_top > key.share_top:
                    st.flags.append(f"distractor {o.letter} is chosen by more of the strongest "
                                    f"students ({o.share_top:.0%}) than the key "
                                    f"{key.letter} ({key.share_top:.0%})")
    return stats, len(graded)


def _f(x, digits=3) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def write_outputs(stats: list[ItemStats], n: int, out: Path, assignment: str) -> list[Path]:
    """items.csv, options.csv, items.png, options.png in ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    items_csv = out / "items.csv"
    with open(items_csv, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["assignment", "item", "type", "points", "n", "difficulty", "discrimination",
                    "flagged", "flags", "note"])
        for s in stats:
            w.writerow([assignment, s.item, s.type, f"{s.points:g}", s.n, _f(s.difficulty),
                        _f(s.discrimination), "yes" if s.flags else "no", "; ".join(s.flags),
                        s.note])
    options_csv = out / "options.csv"
    with open(options_csv, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["assignment", "item", "option", "key", "share", "share_top",
                    "share_bottom", "text"])
        for s in stats:
            for o in s.options:
                w.writerow([assignment, s.item, o.letter, "yes" if o.key else "no",
                            _f(o.share), _f(o.share_top), _f(o.share_bottom), o.text])
            if s.options:
                w.writerow([assignment, s.item, "none", "no", _f(s.no_answer), "", "",
                            "(no answer saved)"])
    return [items_csv, options_csv, *_plots(stats, n, out, assignment)]


def _plots(stats, n, out: Path, assignment: str) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    shown = [s for s in stats if s.difficulty is not None]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for s in shown:
        r = s.discrimination if s.discrimination is not None else 0.0
        flagged = bool(s.flags)
        ax.scatter([s.difficulty], [r], marker="X" if flagged else "o", s=90 if flagged else 50,
                   color="#b42318" if flagged else "#1f5f8b", zorder=3)
        ax.annotate(s.item + (" (flagged)" if flagged else ""), (s.difficulty, r),
                    textcoords="offset points", xytext=(6, 4), fontsize=8)
    ax.axhline(0, color="#444", linewidth=0.8)
    ax.axhline(0.2, color="#888", linewidth=0.6, linestyle="--")
    ax.text(1.08, 0.22, "r = 0.2", ha="right", fontsize=7, color="#555")
    ax.set_xlim(-0.05, 1.1)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("difficulty (mean share of the points)")
    ax.set_ylabel("discrimination (item-rest correlation)")
    ax.set_title(f"{assignment}: {n} graded submissions; crosses are flagged items")
    fig.tight_layout()
    p = out / "items.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    paths.append(p)

    choice = [s for s in stats if s.options]
    if choice:
        fig, axes = plt.subplots(len(choice), 1, figsize=(7, 2.4 * len(choice)), squeeze=False)
        for ax, s in zip(axes[:, 0], choice):
            labels = [o.letter + (" (key)" if o.key else "") for o in s.options]
            xs = range(len(s.options))
            width = 0.27
            for j, (what, colour) in enumerate((("share", "#1f5f8b"), ("share_top", "#2e7d32"),
                                                ("share_bottom", "#9a6700"))):
                ax.bar([x + (j - 1) * width for x in xs],
                       [getattr(o, what) for o in s.options], width, color=colour,
                       label={"share": "whole class", "share_top": "strongest 27%",
                              "share_bottom": "weakest 27%"}[what])
            ax.set_xticks(list(xs), labels)
            ax.set_ylim(0, 1.35)                    # room above the bars for the legend
            ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
            ax.set_ylabel("share")
            ax.set_title(s.item + (": flagged" if s.flags else ""), fontsize=9)
        axes[0, 0].legend(fontsize=7, loc="upper left", ncol=3, frameon=False)
        fig.tight_layout()
        p = out / "options.png"
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)
    return paths


def table(stats: list[ItemStats], n: int, assignment: str) -> str:
    lines = [f"Item analysis of {assignment}: {n} graded submissions", "",
             f"{'item':14} {'type':12} {'points':>6} {'difficulty':>10} {'discrim.':>9}  flags"]
    for s in stats:
        if s.difficulty is None:
            lines.append(f"{s.item:14} {s.type:12} {s.points:6g} {'-':>10} {'-':>9}  {s.note}")
            continue
        d = "-" if s.discrimination is None else f"{s.discrimination:.2f}"
        lines.append(f"{s.item:14} {s.type:12} {s.points:6g} {s.difficulty:10.2f} {d:>9}  "
                     + ("; ".join(s.flags) if s.flags else "-"))
    flagged = [s.item for s in stats if s.flags]
    lines += ["", f"Possibly miskeyed: {', '.join(flagged)}. Check the key in the bank; if it is "
                  f"wrong, fix it, rebuild and regrade." if flagged else
              "No item flagged as possibly miskeyed."]
    return "\n".join(lines)
