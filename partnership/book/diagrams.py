"""The book's diagrams and small charts, drawn with matplotlib when the book is built.

Every figure reads a data file in the repository (``book/data/figures/*.yml``, a transcript in
``book/data/transcripts/``, ``book/data/coach-agreement.csv`` or the book's own ``_toc.yml``), so
the words in a picture are edited like any other text and a test can check that each chapter's
figure is drawn from data rather than pasted in as an image. Chapters call these functions from
a ``{code-cell}`` with ``remove-input``, as chapter 10 does with its forest plot.

Diagram files describe boxes and arrows in inches (the figure is drawn at that size), or items
on a line between two poles; the schemas are checked on loading and an error names the file,
the item and the field.
"""
from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from partnership.validation import error_location

#: Fill and edge colours for each tone. Edges are dark enough for WCAG contrast against white
#: and against their fills; text is always near-black on the light fills.
TONES = {
    "primary": ("#dbe5f5", "#1f3b73"),
    "secondary": ("#d6eee8", "#0b5a55"),
    "warm": ("#fbe3cf", "#8a3b00"),
    "alert": ("#f7d9dc", "#8b1e2d"),
    "neutral": ("#ececec", "#4d4d4d"),
    "plain": ("#ffffff", "#4d4d4d"),
}
TEXT = "#1a1a1a"
LINE_SPACING = 1.28


class DiagramError(ValueError):
    """A figure data file that cannot be drawn; the message names file, item and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Tone = Literal[tuple(TONES)]  # type: ignore[valid-type]


class Box(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    xy: tuple[float, float]
    wh: tuple[float, float]
    title: str = ""
    text: str = ""
    tone: Tone = "primary"
    size: float = 9.5

    @model_validator(mode="after")
    def _has_words(self):
        if not (self.title.strip() or self.text.strip()):
            raise ValueError("a box needs a title or some text")
        if self.wh[0] <= 0 or self.wh[1] <= 0:
            raise ValueError("width and height must be positive")
        return self


class Arrow(_Strict):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    label: str = ""
    both: bool = False
    bend: float = 0.0
    dashed: bool = False


class Note(_Strict):
    text: str = Field(min_length=1)
    xy: tuple[float, float]
    size: float = 9.0
    bold: bool = False
    align: Literal["left", "center", "right"] = "center"


class BoxDiagram(_Strict):
    kind: Literal["boxes"]
    size: tuple[float, float]
    title: str = ""
    boxes: list[Box] = Field(min_length=1)
    arrows: list[Arrow] = []
    notes: list[Note] = []

    @model_validator(mode="after")
    def _links(self):
        ids = [b.id for b in self.boxes]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate box id(s): {', '.join(sorted(dup))}")
        for a in self.arrows:
            for end in (a.start, a.end):
                if end not in ids:
                    raise ValueError(f"an arrow names box {end!r}, which is not defined")
        return self


class Band(_Strict):
    start: float = Field(ge=0, le=1)
    end: float = Field(ge=0, le=1)
    label: str = Field(min_length=1)
    tone: Tone = "neutral"


class Item(_Strict):
    label: str = Field(min_length=1)
    at: float = Field(ge=0, le=1)
    row: int = Field(ge=-3, le=3)

    @model_validator(mode="after")
    def _not_on_the_line(self):
        if self.row == 0:
            raise ValueError("row must be above (1 to 3) or below (-1 to -3) the line, not 0")
        return self


class Continuum(_Strict):
    kind: Literal["continuum"]
    size: tuple[float, float] = (10.0, 5.2)
    title: str = ""
    left: str = Field(min_length=1)
    right: str = Field(min_length=1)
    bands: list[Band] = []
    items: list[Item] = Field(min_length=1)
    wrap: int = 22


def load_figure_data(path: str | Path) -> BoxDiagram | Continuum:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DiagramError(f"{path}: cannot read figure data ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise DiagramError(f"{path}: not valid YAML ({exc})") from exc
    kinds = {"boxes": (BoxDiagram, "boxes", "box"), "continuum": (Continuum, "items", "item")}
    if not isinstance(data, dict) or data.get("kind") not in kinds:
        raise DiagramError(f"{path}: field kind: must be one of {', '.join(kinds)}")
    model, collection, noun = kinds[data["kind"]]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        msgs = [f"{path}: {error_location(data, e['loc'], collection, noun)}: {e['msg']}"
                for e in exc.errors()]
        raise DiagramError("\n".join(msgs)) from exc


def _canvas(width: float, height: float):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(width, height), dpi=110)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return fig, ax


def _wrap(text: str, width_in: float, size: float, bold: bool = False) -> list[str]:
    """Wrap each paragraph to the box width (an estimate of glyph width for DejaVu Sans)."""
    per_inch = 72 / (size * (0.66 if bold else 0.6))
    chars = max(8, int(width_in * per_inch))
    lines: list[str] = []
    for para in text.strip().split("\n"):
        lines += textwrap.wrap(para, chars) or [""]
    return lines


def _line_height(size: float) -> float:
    return size * LINE_SPACING / 72


def draw_box(ax, box: Box):
    from matplotlib.patches import FancyBboxPatch

    fill, edge = TONES[box.tone]
    (x, y), (w, h) = box.xy, box.wh
    patch = FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.12",
                           facecolor=fill, edgecolor=edge, linewidth=1.6)
    ax.add_patch(patch)
    inner = w - 0.24
    title = _wrap(box.title, inner, box.size + 0.5, bold=True) if box.title.strip() else []
    body = _wrap(box.text, inner, box.size) if box.text.strip() else []
    gap = 0.06 if title and body else 0
    total = len(title) * _line_height(box.size + 0.5) + len(body) * _line_height(box.size) + gap
    top = y + h / 2 + total / 2
    if title:
        ax.text(x + w / 2, top, "\n".join(title), ha="center", va="top", fontsize=box.size + 0.5,
                fontweight="bold", color=TEXT, linespacing=LINE_SPACING)
    if body:
        ax.text(x + w / 2, top - len(title) * _line_height(box.size + 0.5) - gap, "\n".join(body),
                ha="center", va="top", fontsize=box.size, color=TEXT, linespacing=LINE_SPACING)
    return patch


def _arrow_label(ax, a: Arrow, start, end):
    """Put an arrow's label beside the arrow, never on top of it: to the right of a mostly
    vertical arrow, above a mostly horizontal one (on the bulge of a curved one)."""
    (x1, y1), (x2, y2) = start, end
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    if a.bend:
        mx += a.bend * (y2 - y1) / 2
        my -= a.bend * (x2 - x1) / 2
    if abs(y2 - y1) > abs(x2 - x1):
        ax.text(mx + 0.08, my, a.label, ha="left", va="center", fontsize=8.5, color=TEXT,
                fontstyle="italic")
    else:
        ax.text(mx, my + 0.07, a.label, ha="center", va="bottom", fontsize=8.5, color=TEXT,
                fontstyle="italic")


def box_diagram(path: str | Path):
    """Draw a diagram of labelled boxes joined by arrows, from a ``kind: boxes`` YAML file."""
    from matplotlib.patches import FancyArrowPatch

    spec = load_figure_data(path)
    if not isinstance(spec, BoxDiagram):
        raise DiagramError(f"{path}: field kind: box_diagram draws 'boxes' files")
    width, height = spec.size
    fig, ax = _canvas(width, height)
    if spec.title:
        ax.text(width / 2, height - 0.12, spec.title, ha="center", va="top", fontsize=12.5,
                fontweight="bold", color=TEXT)
    patches = {b.id: draw_box(ax, b) for b in spec.boxes}
    centres = {b.id: (b.xy[0] + b.wh[0] / 2, b.xy[1] + b.wh[1] / 2) for b in spec.boxes}
    for a in spec.arrows:
        arrow = FancyArrowPatch(
            centres[a.start], centres[a.end], patchA=patches[a.start], patchB=patches[a.end],
            arrowstyle="<|-|>" if a.both else "-|>", mutation_scale=16, linewidth=1.5,
            color="#333333", linestyle="--" if a.dashed else "-", shrinkA=3, shrinkB=3,
            connectionstyle=f"arc3,rad={a.bend}")
        ax.add_patch(arrow)
        if a.label:
            _arrow_label(ax, a, centres[a.start], centres[a.end])
    for n in spec.notes:
        ax.text(n.xy[0], n.xy[1], n.text, ha=n.align, va="center", fontsize=n.size, color=TEXT,
                fontweight="bold" if n.bold else "normal", linespacing=LINE_SPACING)
    return fig


def continuum(path: str | Path):
    """Draw items placed along a line between two poles, from a ``kind: continuum`` YAML file."""
    spec = load_figure_data(path)
    if not isinstance(spec, Continuum):
        raise DiagramError(f"{path}: field kind: continuum draws 'continuum' files")
    width, height = spec.size
    fig, ax = _canvas(width, height)
    left, right = 0.9, width - 0.9
    mid = height / 2 - (0.15 if spec.title else 0)
    if spec.title:
        ax.text(width / 2, height - 0.12, spec.title, ha="center", va="top", fontsize=12.5,
                fontweight="bold", color=TEXT)

    def x_at(t: float) -> float:
        return left + t * (right - left)

    half = 0.3  # the band strip: labels in its upper half, the line and the items' dots below
    line_y = mid - 0.1
    for band in spec.bands:
        fill, edge = TONES[band.tone]
        ax.fill_between([x_at(band.start), x_at(band.end)], mid - half, mid + half,
                        color=fill, edgecolor=edge, linewidth=1.2)
        ax.text(x_at((band.start + band.end) / 2), mid + 0.14, band.label, ha="center",
                va="center", fontsize=8.5, fontweight="bold", color=TEXT)
    ax.annotate("", xy=(right + 0.35, line_y), xytext=(left - 0.35, line_y),
                arrowprops=dict(arrowstyle="<|-|>", color="#333333", linewidth=1.6,
                                mutation_scale=16))
    ax.text(left - 0.35, mid - half - 0.08, spec.left, ha="left", va="top", fontsize=9.5,
            fontweight="bold", color=TEXT)
    ax.text(right + 0.35, mid - half - 0.08, spec.right, ha="right", va="top", fontsize=9.5,
            fontweight="bold", color=TEXT)
    step = (height / 2 - 0.95) / 3
    for item in spec.items:
        x = x_at(item.at)
        direction = 1 if item.row > 0 else -1
        edge_y = mid + direction * half
        y = edge_y + direction * (0.3 + (abs(item.row) - 1) * step)
        if item.row < 0:
            y -= 0.3  # leave room under the strip for the pole labels
        ax.plot([x, x], [edge_y, y - direction * 0.05], color="#666666", linewidth=0.9)
        ax.plot([x], [line_y], marker="o", markersize=6, color="#1f3b73")
        ax.text(x, y, textwrap.fill(item.label, spec.wrap), ha="center",
                va="bottom" if direction > 0 else "top", fontsize=8.8, color=TEXT,
                linespacing=1.2,
                bbox=dict(boxstyle="round,pad=0.25", facecolor="white", edgecolor="#999999",
                          linewidth=0.8))
    return fig


# ---------------------------------------------------------------------------------------------
# The map of the book (chapter 0), drawn from _toc.yml so it follows the book as it grows.

def _page_title(path: Path) -> str:
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "markdown":
                for line in "".join(cell.get("source", [])).splitlines():
                    if line.startswith("# "):
                        return line[2:].strip()
        return path.stem
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def toc_parts(toc_path: str | Path) -> list[tuple[str, bool, list[str]]]:
    """(caption, numbered, [page titles]) for each part of a jb-book ``_toc.yml``."""
    toc_path = Path(toc_path)
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    root = toc_path.parent
    parts = []
    for part in toc.get("parts", []):
        titles = []
        for entry in part.get("chapters", []):
            doc = entry["file"]
            found = [root / (doc + s) for s in (".md", ".ipynb") if (root / (doc + s)).exists()]
            if not found:
                raise DiagramError(f"{toc_path}: part {part.get('caption')!r}: no file for {doc!r}")
            titles.append(_page_title(found[0]))
        parts.append((part.get("caption", ""), bool(part.get("numbered")), titles))
    return parts


def book_map(toc_path: str | Path):
    """One column per part of the book, one box per chapter, numbered as the sidebar numbers them."""
    parts = toc_parts(toc_path)
    cols = len(parts)
    tallest = max(len(t) for _, _, t in parts)
    col_w, gap, box_h, vgap = 2.55, 0.22, 0.62, 0.14
    width = cols * col_w + (cols + 1) * gap
    height = 0.95 + tallest * (box_h + vgap) + 0.2
    fig, ax = _canvas(width, height)
    tones = ["primary", "secondary", "warm", "neutral", "plain", "alert"]
    number = 0
    for c, (caption, numbered, titles) in enumerate(parts):
        x = gap + c * (col_w + gap)
        ax.text(x + col_w / 2, height - 0.18, "\n".join(textwrap.wrap(caption, 24)), ha="center",
                va="top", fontsize=10.5, fontweight="bold", color=TEXT)
        for r, title in enumerate(titles):
            if numbered:
                number += 1
                label = f"{number}. {title}"
            else:
                label = title
            y = height - 0.95 - (r + 1) * (box_h + vgap) + vgap
            draw_box(ax, Box(id=f"p{c}-{r}", xy=(x, y), wh=(col_w, box_h), text=label,
                             tone=tones[c % len(tones)], size=8.6))
    return fig


# ---------------------------------------------------------------------------------------------
# Charts drawn from transcripts and measured figures

def miti_summary_chart(transcript_path: str | Path):
    """The two MITI 4.2.1 summary scores of a coded transcript against the fair/good thresholds."""
    import matplotlib.pyplot as plt

    from partnership.book.transcripts import (PCT_CR_FAIR, PCT_CR_GOOD, RQ_FAIR, RQ_GOOD,
                                              MitiTranscript, load_transcript, miti_scores)

    t = load_transcript(transcript_path)
    if not isinstance(t, MitiTranscript):
        raise DiagramError(f"{transcript_path}: field kind: a MITI summary needs a 'miti' transcript")
    s = miti_scores(t)
    rows = [
        ("Reflection-to-question ratio", s.r_to_q or 0.0, RQ_FAIR, RQ_GOOD,
         max(3.5, (s.r_to_q or 0) + 0.5), lambda v: f"{v:.1f}:1", lambda v: f"{v:g}:1"),
        ("Complex reflections (% of reflections)", s.pct_complex or 0.0, PCT_CR_FAIR, PCT_CR_GOOD,
         100.0, lambda v: f"{v:.0f}%", lambda v: f"{v:g}%"),
    ]
    fig, axes = plt.subplots(2, 1, figsize=(8, 3.4), dpi=110)
    for ax, (name, value, fair, good, top, fmt, tick) in zip(axes, rows):
        ax.axvspan(0, fair, color="#f2f2f2")
        ax.axvspan(fair, good, color="#fbe3cf")
        ax.axvspan(good, top, color="#d6eee8")
        ax.barh([0], [value], height=0.45, color="#1f3b73")
        ax.text(value + top * 0.015, 0, fmt(value), va="center", fontsize=10, fontweight="bold",
                color=TEXT)
        for x, label in ((fair, "fair"), (good, "good")):
            ax.axvline(x, color="#333333", linewidth=1.2, linestyle="--")
            ax.text(x, 0.42, f" {label} {tick(x)}", fontsize=8.5, va="bottom", color=TEXT)
        ax.set_xlim(0, top)
        ax.set_ylim(-0.5, 0.8)
        ax.set_yticks([])
        ax.set_title(name, fontsize=10.5, loc="left", color=TEXT)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def rupture_timeline(transcript_path: str | Path):
    """Where the 3RS markers and each repair move fall across a rupture transcript's turns:
    one row per kind of event, so the sequence (strain first, repair after) can be read off."""
    import matplotlib.pyplot as plt

    from partnership.book.transcripts import (CONFRONTATION_MARKERS, IMMEDIATE_REPAIRS,
                                              RuptureTranscript, load_transcript)

    t = load_transcript(transcript_path)
    if not isinstance(t, RuptureTranscript):
        raise DiagramError(f"{transcript_path}: field kind: a timeline needs a 'rupture' transcript")
    moves = []
    for turn in t.turns:
        for r in turn.repair:
            if r not in moves:
                moves.append(r)
    labels = ["Confrontation marker", "Withdrawal marker"] + [
        f"Repair: {m}" + (" (immediate)" if m in IMMEDIATE_REPAIRS else " (exploratory)")
        for m in moves]
    row = {name: len(labels) - 1 - i for i, name in enumerate(labels)}
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(labels) + 1.2), dpi=110)
    for n, turn in enumerate(t.turns, start=1):
        for m in turn.markers:
            confront = m in CONFRONTATION_MARKERS
            ax.plot([n], [row["Confrontation marker" if confront else "Withdrawal marker"]],
                    marker="^" if confront else "v", markersize=10, linestyle="none",
                    color="#8b1e2d" if confront else "#8a3b00")
        for r in turn.repair:
            immediate = r in IMMEDIATE_REPAIRS
            ax.plot([n], [row[labels[2 + moves.index(r)]]], marker="o" if immediate else "s",
                    markersize=9, linestyle="none", color="#0b5a55" if immediate else "#1f3b73")
    ax.set_yticks(list(row.values()), list(row.keys()), fontsize=9)
    ax.set_xticks(range(1, len(t.turns) + 1))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlim(0.4, len(t.turns) + 0.6)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.set_xlabel("Turn in the conversation", fontsize=9.5)
    ax.grid(axis="both", linestyle=":", alpha=0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def load_coach_agreement(path: str | Path) -> list[dict]:
    """Rows of ``decision, coach, experts, note``; kappas between 0 and 1."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        need = {"decision", "coach", "experts"}
        if not need <= set(reader.fieldnames or []):
            raise DiagramError(f"{path}: missing column(s) {', '.join(sorted(need - set(reader.fieldnames or [])))}")
        rows = []
        for i, rec in enumerate(reader, start=2):
            for field in ("coach", "experts"):
                try:
                    value = float(rec[field])
                except (TypeError, ValueError):
                    raise DiagramError(f"{path}: row {i}, field {field}: {rec[field]!r} is not a number") from None
                if not 0 <= value <= 1:
                    raise DiagramError(f"{path}: row {i}, field {field}: {value} is outside 0..1")
                rec[field] = value
            rows.append(rec)
    if not rows:
        raise DiagramError(f"{path}: no rows")
    return rows


def coach_agreement_chart(path: str | Path):
    """The coach's agreement with expert coders next to experts' agreement with each other."""
    import matplotlib.pyplot as plt

    rows = load_coach_agreement(path)
    fig, ax = plt.subplots(figsize=(8, 0.95 * len(rows) + 1.3), dpi=110)
    ys = list(range(len(rows)))[::-1]
    h = 0.36
    for y, r in zip(ys, rows):
        ax.barh(y + h / 2, r["experts"], height=h, color="#9fb3d9", edgecolor="#1f3b73",
                label="Expert coders with each other" if y == ys[0] else None)
        ax.barh(y - h / 2, r["coach"], height=h, color="#1f3b73",
                label="The coach with expert coders" if y == ys[0] else None)
        ax.text(r["experts"] + 0.01, y + h / 2, f"{r['experts']:.2f}", va="center", fontsize=9)
        ax.text(r["coach"] + 0.01, y - h / 2, f"{r['coach']:.2f}", va="center", fontsize=9,
                fontweight="bold")
    ax.set_yticks(ys, ["\n".join(textwrap.wrap(r["decision"], 28)) for r in rows], fontsize=9.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Agreement beyond chance (Cohen's or Fleiss' kappa: 0 = chance, 1 = perfect)",
                  fontsize=9)
    ax.legend(loc="lower right", fontsize=9, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig
