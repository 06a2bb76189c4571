"""The meta-analytic figures of chapter 10, read from a small CSV that names each source.

The book draws its forest plot from ``book/data/evidence.csv`` at build time, so the numbers live
in one place and every row carries the bibliography key of the paper it comes from.
"""
from __future__ import annotations

import csv
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

REQUIRED = ("construct", "source_key", "metric", "reported", "r", "k", "k_unit")


class EvidenceError(ValueError):
    """A row of the evidence file that cannot be plotted; the message names file, row and field."""


@dataclass(frozen=True)
class Finding:
    construct: str
    source_key: str
    metric: str
    reported: float
    r: float
    ci_low: float | None
    ci_high: float | None
    k: int
    k_unit: str
    n_clients: int | None
    note: str

    @property
    def variance_explained(self) -> float:
        """Share of outcome variance a correlation accounts for: r squared."""
        return self.r ** 2


def g_to_r(g: float) -> float:
    """Convert a standardized mean difference to r (equal group sizes): r = g / sqrt(g^2 + 4)."""
    return g / math.sqrt(g * g + 4)


def _num(raw: str, path: Path, row: int, field: str, kind=float, optional=False):
    raw = (raw or "").strip()
    if not raw:
        if optional:
            return None
        raise EvidenceError(f"{path}: row {row}, field {field}: a value is required")
    try:
        return kind(raw)
    except ValueError:
        raise EvidenceError(f"{path}: row {row}, field {field}: {raw!r} is not a number") from None


def load_evidence(path: str | Path) -> list[Finding]:
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [f for f in REQUIRED if f not in (reader.fieldnames or [])]
        if missing:
            raise EvidenceError(f"{path}: missing column(s) {', '.join(missing)}")
        findings = []
        for i, rec in enumerate(reader, start=2):  # row 1 is the header
            r = _num(rec["r"], path, i, "r")
            lo = _num(rec.get("ci_low"), path, i, "ci_low", optional=True)
            hi = _num(rec.get("ci_high"), path, i, "ci_high", optional=True)
            if not -1 <= r <= 1:
                raise EvidenceError(f"{path}: row {i}, field r: {r} is outside -1..1")
            if (lo is None) != (hi is None) or (lo is not None and not lo <= r <= hi):
                raise EvidenceError(f"{path}: row {i}, field ci_low/ci_high: interval must contain r")
            if not rec["source_key"].strip():
                raise EvidenceError(f"{path}: row {i}, field source_key: every row must name its source")
            findings.append(Finding(
                construct=rec["construct"].strip(), source_key=rec["source_key"].strip(),
                metric=rec["metric"].strip(), reported=_num(rec["reported"], path, i, "reported"),
                r=r, ci_low=lo, ci_high=hi, k=_num(rec["k"], path, i, "k", int),
                k_unit=rec["k_unit"].strip(),
                n_clients=_num(rec.get("n_clients"), path, i, "n_clients", int, optional=True),
                note=(rec.get("note") or "").strip(),
            ))
    return findings


DEFAULT_TITLE = "Relationship factors and psychotherapy outcome (2018 meta-analyses)"


def forest_plot(path: str | Path, ax=None, title: str = DEFAULT_TITLE):
    """Draw r (with 95% CI where the paper gives one) for each row of an evidence file.

    ``title`` lets another chapter reuse the plot for its own rows (the alliance across formats).

    Drawn to be read on a phone: a narrow figure (5.4 in) with large type, each row's name and
    figures written on two lines above its marker rather than squeezed into tick labels, so the
    text stays legible when a phone shows the figure 340 px wide. The book emits it as SVG for
    the web and PDF for print (``partnership/book/figures.py``), and the page links it to itself
    so that it opens full size on a tap.
    """
    import matplotlib.pyplot as plt

    findings = load_evidence(path)
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.4, 1.25 * len(findings) + 1.5))
    else:
        fig = ax.figure
    xmin, xmax = -0.02, 0.42
    ys = list(range(len(findings)))[::-1]
    for y, f in zip(ys, findings):
        converted = f.metric != "r"
        if f.ci_low is not None:
            ax.errorbar(f.r, y, xerr=[[f.r - f.ci_low], [f.ci_high - f.r]], fmt="none",
                        ecolor="#1f3b73", elinewidth=2.2, capsize=6)
        ax.plot(f.r, y, marker="D" if not converted else "o", markersize=10,
                markerfacecolor="white" if converted else "#1f3b73", markeredgecolor="#1f3b73",
                markeredgewidth=2, linestyle="none")
        ci = f" [{f.ci_low:.3g}, {f.ci_high:.3g}]" if f.ci_low is not None else ", no CI plotted"
        shown = f"{f.metric} = {f.reported:.3g}" + (f" (r \u2248 {f.r:.2f})" if converted else ci)
        # a white box, so the line at zero does not run through the words
        box = {"facecolor": "white", "edgecolor": "none", "pad": 1.5}
        ax.text(xmin + 0.005, y + 0.62, f.construct, fontsize=12, fontweight="bold",
                ha="left", va="bottom", bbox=box)
        ax.text(xmin + 0.005, y + 0.22, f"{shown}; {f.k} {f.k_unit}", fontsize=10.5,
                ha="left", va="bottom", bbox=box)
    ax.axvline(0, color="#555555", linewidth=1)
    ax.set_yticks([])
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(-0.45, len(findings) + 0.1)
    ax.set_xticks([0, 0.1, 0.2, 0.3, 0.4])
    ax.tick_params(axis="x", labelsize=11)
    ax.set_xlabel("Correlation with client outcome (r)\nfilled diamond: reported as r; "
                  "open circle: converted", fontsize=10.5)
    # a long title wraps, so that it fits the narrow figure
    ax.set_title(textwrap.fill(title, 46), fontsize=12.5)
    ax.grid(axis="x", linestyle=":", alpha=0.6)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig
