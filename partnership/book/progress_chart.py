"""The progress chart of the feedback chapter, drawn at build time from a small YAML file.

Routine outcome monitoring systems compare a client's score at each session with the score
expected for someone who started at the same level, and raise a "not on track" alert when the
score is worse than a line above that expectation. One picture of that comparison teaches the
idea faster than a paragraph. The data in ``book/data/progress-example.yml`` are fictional: the
chapter's vignette client on an unnamed distress scale (higher is worse).
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from partnership.validation import error_location, load_yaml


class ProgressError(ValueError):
    """A progress-chart data file that cannot be drawn; the message names file, session and field."""


class Session(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session: int = Field(ge=1)
    score: float = Field(ge=0)
    expected: float = Field(ge=0)
    upper: float = Field(ge=0)

    @model_validator(mode="after")
    def _line_above_expectation(self):
        if self.upper < self.expected:
            raise ValueError("the not-on-track line (upper) must not be below the expected score")
        return self


class Progress(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client: str = Field(min_length=1)
    scale: str = Field(min_length=5)
    sessions: list[Session] = Field(min_length=2)

    @field_validator("sessions")
    @classmethod
    def _in_order(cls, sessions):
        numbers = [s.session for s in sessions]
        if numbers != sorted(set(numbers)):
            raise ValueError("sessions must be numbered in increasing order, each once")
        return sessions


def load_progress(path: str | Path) -> Progress:
    path = Path(path)
    data = load_yaml(path, ProgressError, "the progress data")
    try:
        return Progress.model_validate(data)
    except ValidationError as exc:
        msgs = [f"{path}: {error_location(data, e['loc'], 'sessions', 'session')}: {e['msg']}"
                for e in exc.errors()]
        raise ProgressError("\n".join(msgs)) from exc


def not_on_track(progress: Progress) -> list[int]:
    """Sessions whose score is worse (higher) than the not-on-track line."""
    return [s.session for s in progress.sessions if s.score > s.upper]


def progress_chart(path: str | Path, ax=None):
    """Observed scores against the expected course, with not-on-track sessions marked."""
    import matplotlib.pyplot as plt

    progress = load_progress(path)
    flagged = set(not_on_track(progress))
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4.4), dpi=110)
    else:
        fig = ax.figure
    xs = [s.session for s in progress.sessions]
    ax.fill_between(xs, [s.upper for s in progress.sessions], 40, color="#f3d9c7", alpha=0.7,
                    label="Worse than expected: alert")
    ax.plot(xs, [s.expected for s in progress.sessions], color="#555555", linestyle="--",
            linewidth=1.5, label="Expected course for a similar starting score")
    ax.plot(xs, [s.upper for s in progress.sessions], color="#a0522d", linewidth=1,
            label="Not-on-track line")
    ax.plot(xs, [s.score for s in progress.sessions], color="#1f3b73", linewidth=2, zorder=3)
    for s in progress.sessions:
        off = s.session in flagged
        ax.plot(s.session, s.score, marker="X" if off else "o", markersize=10 if off else 8,
                color="#a0522d" if off else "#1f3b73", markeredgecolor="#1f3b73", zorder=4,
                linestyle="none")
    ax.plot([], [], color="#1f3b73", marker="o", linewidth=2, label=f"{progress.client}: score")
    ax.plot([], [], color="#a0522d", marker="X", linestyle="none", markersize=9,
            label="Score above the line (not on track)")
    last = progress.sessions[-1]
    ax.annotate("last session attended", (last.session, last.score), xytext=(0, -34),
                textcoords="offset points", ha="center", fontsize=9,
                arrowprops=dict(arrowstyle="->", color="#333333"))
    ax.set_xticks(xs)
    ax.set_xlabel("Session")
    ax.set_ylabel(progress.scale, fontsize=9)
    low = min(min(s.score, s.expected) for s in progress.sessions)
    ax.set_ylim(max(0, low - 4), min(40, max(s.upper for s in progress.sessions) + 8))
    ax.set_xlim(xs[0] - 0.3, xs[-1] + 0.5)
    ax.legend(fontsize=8, loc="lower left", frameon=True)
    ax.set_title("Progress feedback: a score compared with the expected course", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
