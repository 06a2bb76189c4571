"""The figures of the chapters added for issue 17, drawn at build time from data in book/data.

Each data file is pinned here to the values in its source (the facts ../shared/COURSE.md lists as
checked), so a typo in a figure fails a fast test instead of reaching readers; the loaders must
name the file, item and field of any bad value; and each chapter must draw its figures from a
data file that exists, through a function in partnership.book.
"""
from __future__ import annotations

import csv
import re

import matplotlib
import pytest
import yaml

matplotlib.use("Agg")

from bookinfo import BOOK, bib_keys, source_path  # noqa: E402
from partnership.book.evidence import forest_plot, load_evidence  # noqa: E402
from partnership.book.progress_chart import (ProgressError, load_progress,  # noqa: E402
                                             not_on_track, progress_chart)
from partnership.book.safety_plan import (SafetyPlanError, cohort_comparison,  # noqa: E402
                                          load_safety_plan, safety_plan_steps)

DATA = BOOK / "data"
NEW_CHAPTERS = ["book/ch12-suicide-safety-planning", "book/ch13-beyond-the-room",
                "book/ch14-feedback-preferences-endings"]


# --------------------------------------------------------------------------- the data, pinned

def test_safety_plan_steps_are_stanley_and_browns_six_in_order():
    plan = load_safety_plan(DATA / "safety-plan.yml")
    assert [s.id for s in plan.steps] == ["warning-signs", "internal-coping", "distraction",
                                          "ask-for-help", "professionals", "safer-surroundings"]
    assert [s.reaches for s in plan.steps] == ["self", "self", "people", "people", "services",
                                               "surroundings"]
    assert plan.source_key == "stanley2012safety" and plan.source_key in bib_keys()


def test_cohort_comparison_matches_stanley_2018_and_says_it_was_not_randomised():
    study = load_safety_plan(DATA / "safety-plan.yml").cohort_comparison
    assert study.source_key == "stanley2018spi" and study.source_key in bib_keys()
    assert study.randomised is False and study.design == "cohort comparison"
    assert (study.sites, study.follow_up_months, study.odds_ratio) == (9, 6, 0.56)
    assert [(g.n, g.percent_with_suicidal_behaviour) for g in study.groups] == [(1186, 3.03),
                                                                                (454, 5.29)]


def test_alliance_formats_match_the_2018_meta_analyses():
    with (DATA / "alliance-formats.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["source_key"] for r in rows} <= bib_keys()
    got = {(r["source_key"], r["r"], r["ci_low"], r["ci_high"], r["k"]) for r in rows}
    assert got == {
        ("fluckiger2018alliance", "0.278", "0.256", "0.299", "295"),
        ("fluckiger2018alliance", "0.275", "", "", "23"),
        ("friedlander2018alliance", "0.297", "", "", "48"),
        ("karver2018youth", "0.19", "0.13", "0.25", "28"),
        ("burlingame2018cohesion", "0.26", "", "", "55"),
    }
    assert len(load_evidence(DATA / "alliance-formats.csv")) == 5


def test_progress_example_is_fictional_and_goes_off_track_at_session_four():
    text = (DATA / "progress-example.yml").read_text(encoding="utf-8")
    assert "FICTIONAL" in text
    progress = load_progress(DATA / "progress-example.yml")
    assert not_on_track(progress) == [4, 5, 6]
    chapter = source_path(NEW_CHAPTERS[2]).read_text(encoding="utf-8")
    assert "cross the line at session 4" in chapter and "session 4" in chapter


# --------------------------------------------------------------------------- drawing

def _texts(fig):
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts + [ax.title])


def test_safety_plan_figure_shows_every_step_and_its_question():
    fig = safety_plan_steps(DATA / "safety-plan.yml")
    plan = load_safety_plan(DATA / "safety-plan.yml")
    shown = _texts(fig)
    for i, step in enumerate(plan.steps, start=1):
        assert f"{i}. {step.label}" in shown and step.prompt in shown
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert len(legend) == 4


def test_cohort_figure_writes_the_design_on_the_chart():
    fig = cohort_comparison(DATA / "safety-plan.yml")
    shown = _texts(fig)
    assert "not randomised" in shown and "0.56" in shown
    assert "3.03%" in shown and "5.29%" in shown


def test_progress_chart_marks_exactly_the_off_track_sessions():
    fig = progress_chart(DATA / "progress-example.yml")
    ax = fig.axes[0]
    crosses = [line for line in ax.lines if line.get_marker() == "X" and len(line.get_xdata()) == 1]
    assert sorted(int(line.get_xdata()[0]) for line in crosses) == [4, 5, 6]
    assert "last session attended" in _texts(fig)


def test_forest_plot_takes_a_title_and_keeps_the_default():
    fig = forest_plot(DATA / "alliance-formats.csv", title="Across formats")
    assert fig.axes[0].get_title() == "Across formats"
    assert "2018 meta-analyses" in forest_plot(DATA / "evidence.csv").axes[0].get_title()


# --------------------------------------------------------------------------- bad data

def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_safety_plan_names_file_step_and_field(tmp_path):
    data = yaml.safe_load((DATA / "safety-plan.yml").read_text(encoding="utf-8"))
    data["steps"][2]["reaches"] = "everyone"
    path = _write(tmp_path, "plan.yml", yaml.safe_dump(data))
    with pytest.raises(SafetyPlanError) as err:
        load_safety_plan(path)
    assert str(path) in str(err.value) and "step distraction" in str(err.value)
    assert "field reaches" in str(err.value)


def test_a_safety_plan_needs_six_steps_and_two_groups(tmp_path):
    data = yaml.safe_load((DATA / "safety-plan.yml").read_text(encoding="utf-8"))
    data["steps"] = data["steps"][:5]
    data["cohort_comparison"]["groups"] = data["cohort_comparison"]["groups"][:1]
    with pytest.raises(SafetyPlanError) as err:
        load_safety_plan(_write(tmp_path, "plan.yml", yaml.safe_dump(data)))
    assert "field steps" in str(err.value) and "cohort_comparison.groups" in str(err.value)


def test_missing_and_malformed_files_are_named(tmp_path):
    with pytest.raises(SafetyPlanError, match="cannot read"):
        load_safety_plan(tmp_path / "absent.yml")
    with pytest.raises(ProgressError, match="not valid YAML"):
        load_progress(_write(tmp_path, "bad.yml", "sessions: [1, 2\n"))
    latin1 = tmp_path / "latin1.yml"
    latin1.write_bytes("client: Ren\xe9e\n".encode("latin-1"))
    with pytest.raises(ProgressError, match="not UTF-8"):
        load_progress(latin1)


def test_progress_sessions_must_be_in_order_and_the_line_above_expectation(tmp_path):
    base = "client: X\nscale: Some score (higher is worse)\nsessions:\n"
    unordered = base + ("  - {session: 2, score: 3, expected: 3, upper: 5}\n"
                        "  - {session: 1, score: 3, expected: 3, upper: 5}\n")
    with pytest.raises(ProgressError, match="increasing order"):
        load_progress(_write(tmp_path, "a.yml", unordered))
    below = base + ("  - {session: 1, score: 3, expected: 3, upper: 5}\n"
                    "  - {session: 2, score: 3, expected: 4, upper: 2}\n")
    with pytest.raises(ProgressError) as err:
        load_progress(_write(tmp_path, "b.yml", below))
    assert "session #2" in str(err.value) and "not-on-track line" in str(err.value)


# --------------------------------------------------------------------------- the chapters

FIGURE_CALL = re.compile(r"from partnership\.book\.(\w+) import (\w+)\n\2\(\"data/([^\"]+)\"")


@pytest.mark.parametrize("doc", NEW_CHAPTERS)
def test_new_chapters_draw_their_figures_from_data_in_the_repository(doc):
    text = source_path(doc).read_text(encoding="utf-8")
    calls = FIGURE_CALL.findall(text)
    assert calls, f"{doc}: no figure drawn at build time from book/data"
    for module, func, data in calls:
        assert (DATA / data).exists(), f"{doc}: {data} is not in book/data"
    assert len(re.findall(r"^```\{code-cell\}", text, flags=re.M)) == len(calls)
    assert len(re.findall(r"^    name: fig-", text, flags=re.M)) == len(calls)
    assert len(re.findall(r"^    alt: \"", text, flags=re.M)) == len(calls), "every figure needs alt text"
