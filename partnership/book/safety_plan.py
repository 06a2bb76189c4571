"""The figures of the suicide-risk chapter, drawn at build time from ``book/data/safety-plan.yml``.

Two pictures teach what prose does badly: the six steps of a safety plan as a climb that reaches
further out from the person at each step (Stanley & Brown, 2012), and the one comparison study's
result drawn with its design written on it, because a bar chart alone invites readers to take a
cohort comparison for a randomised trial (Stanley et al., 2018).
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from partnership.validation import error_location, load_yaml, require_unique_ids

#: Who or what each step draws on, in the order the plan reaches outwards; colours and hatches
#: differ so the groups can be told apart without colour.
REACHES = {
    "self": ("The person on their own", "#c9d6ea", ""),
    "people": ("Other people", "#8fb3d9", "//"),
    "services": ("Professionals and services", "#4f7fb8", ".."),
    "surroundings": ("Safer surroundings", "#1f3b73", "xx"),
}

#: Hatching is drawn in the edge colour, so the dark swatch needs a light edge to show it.
EDGES = {"self": "#1f3b73", "people": "#1f3b73", "services": "#1f3b73", "surroundings": "#ffffff",
}


class SafetyPlanError(ValueError):
    """A safety-plan data file that cannot be drawn; the message names file, item and field."""


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    label: str = Field(min_length=3, max_length=60)
    prompt: str = Field(min_length=5, max_length=110)
    reaches: Literal["self", "people", "services", "surroundings"]


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=3)
    n: int = Field(gt=0)
    percent_with_suicidal_behaviour: float = Field(ge=0, le=100)


class CohortComparison(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_key: str = Field(min_length=3)
    design: str = Field(min_length=3)
    randomised: bool
    sites: int = Field(gt=0)
    follow_up_months: int = Field(gt=0)
    odds_ratio: float = Field(gt=0)
    groups: list[Group] = Field(min_length=2, max_length=2)


class SafetyPlanData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_key: str = Field(min_length=3)
    steps: list[Step] = Field(min_length=6, max_length=6)
    cohort_comparison: CohortComparison

    @field_validator("steps")
    @classmethod
    def _unique_ids(cls, steps):
        return require_unique_ids(steps, "step")


def load_safety_plan(path: str | Path) -> SafetyPlanData:
    path = Path(path)
    data = load_yaml(path, SafetyPlanError, "the safety-plan data")
    try:
        return SafetyPlanData.model_validate(data)
    except ValidationError as exc:
        msgs = [f"{path}: {error_location(data, e['loc'], 'steps', 'step')}: {e['msg']}"
                for e in exc.errors()]
        raise SafetyPlanError("\n".join(msgs)) from exc


def safety_plan_steps(path: str | Path, ax=None):
    """The six steps as a staircase: each step up reaches further beyond the person alone.

    Each step is a pale box holding its label and the question the person answers in their own
    words; a small swatch (colour and hatching, so it reads without colour) says what it draws on.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch, Patch, Rectangle

    plan = load_safety_plan(path)
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 5.4), dpi=110)
    else:
        fig = ax.figure
    indent, width, height = 0.55, 7.0, 0.8
    n = len(plan.steps)
    for i, step in enumerate(plan.steps):
        _, colour, hatch = REACHES[step.reaches]
        x, y = i * indent, i * 1.0
        ax.add_patch(FancyBboxPatch((x, y), width, height,
                                    boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor="#f4f7fb", edgecolor="#1f3b73", linewidth=1.1))
        ax.add_patch(Rectangle((x + 0.1, y + 0.15), 0.42, height - 0.3, facecolor=colour,
                               edgecolor=EDGES[step.reaches], hatch=hatch, linewidth=0.8))
        ax.text(x + 0.7, y + 0.56, f"{i + 1}. {step.label}", fontsize=10, weight="bold",
                va="center", ha="left", color="#10213f")
        ax.text(x + 0.7, y + 0.24, step.prompt, fontsize=8.6, style="italic", va="center",
                ha="left", color="#333333")
    right = (n - 1) * indent + width + 0.35
    ax.annotate("", xy=(right, n - 0.25), xytext=(right, 0.1),
                arrowprops=dict(arrowstyle="-|>", color="#555555", linewidth=1.4))
    ax.text(right + 0.15, n / 2, "if a step does not\nhelp enough, go on\nto the next one",
            fontsize=8.6, va="center", ha="left", color="#333333")
    handles = [Patch(facecolor=c, edgecolor=EDGES[key], hatch=h, label=lab)
               for key, (lab, c, h) in REACHES.items()]
    ax.legend(handles=handles, loc="upper left", fontsize=8.4, frameon=False,
              title="Each step draws on", title_fontsize=8.6, bbox_to_anchor=(0.0, 1.0))
    ax.set_xlim(-0.2, right + 2.4)
    ax.set_ylim(-0.3, n + 0.1)
    ax.axis("off")
    ax.set_title("A safety plan in six steps, written in the person's own words", fontsize=11)
    fig.tight_layout()
    return fig


def cohort_comparison(path: str | Path, ax=None):
    """The two groups' six-month rates of suicidal behaviour, with the study design on the chart."""
    import matplotlib.pyplot as plt

    study = load_safety_plan(path).cohort_comparison
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 3.6), dpi=110)
    else:
        fig = ax.figure
    labels = [f"{g.label}\n(n = {g.n:,})" for g in study.groups]
    values = [g.percent_with_suicidal_behaviour for g in study.groups]
    bars = ax.barh(labels[::-1], values[::-1], color=["#c9d6ea", "#1f3b73"],
                   edgecolor="#1f3b73", hatch=["", "//"])
    for bar, v in zip(bars, values[::-1]):
        ax.text(v + 0.1, bar.get_y() + bar.get_height() / 2, f"{v:.2f}%", va="center", fontsize=10)
    ax.set_xlim(0, max(values) * 1.35)
    ax.set_xlabel(f"Patients with any suicidal behaviour within {study.follow_up_months} months (%)")
    design = ("randomised trial" if study.randomised
              else f"{study.design} at {study.sites} sites, not randomised")
    ax.set_title(f"Odds ratio {study.odds_ratio:.2f}: a {design}", fontsize=10.5)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
