"""The machinery behind the book's annotated transcripts and build-time diagrams
(partnership/book/transcripts.py, partnership/book/diagrams.py), checked without building the book.

The transcripts' own labels (every code a MITI 4.2.1 code, the tally matching the turns, 3RS
markers) are checked in test_book_structure.py, against lists typed out there from the course
outline rather than imported from the package, so a typo in the package cannot make both agree.
"""
from __future__ import annotations

import csv
import re

import matplotlib
import pytest
import yaml

matplotlib.use("Agg")

from bookinfo import BOOK, REPO, source_path  # noqa: E402
from test_book_structure import (CONFRONTATION, MITI_421, REPAIRS, TRANSCRIPTS,  # noqa: E402
                                 WITHDRAWAL, of_kind)
from partnership.book import diagrams, transcripts  # noqa: E402
from partnership.book.transcripts import (MitiTranscript, TranscriptError,  # noqa: E402
                                          load_transcript, miti_scores, summary_lines,
                                          table_lines)

FIGURE_DATA = sorted((BOOK / "data" / "figures").glob("*.yml"))


def test_the_book_has_one_transcript_of_each_kind():
    assert of_kind("miti") and of_kind("rupture")


def test_the_annotated_session_page_states_the_computed_figures():
    """The prose under the MITI summary quotes numbers; they must be the transcript's own."""
    path = of_kind("miti")[0]
    s = miti_scores(load_transcript(path))
    text = source_path("book/ch05/annotated-session").read_text(encoding="utf-8")
    assert f"{path.name}" in text
    assert f"{s.reflections} reflections and asks {s.questions} questions" in text
    assert f"{s.r_to_q:.1f}:1" in text
    assert f"{s.counts['Complex Reflection']} are complex, which is {s.pct_complex:.0f}%" in text


def test_miti_bands_follow_the_421_thresholds():
    band = transcripts.band
    assert band(0.9, 1, 2) == "below fair" and band(1.0, 1, 2) == "fair" and band(2.0, 1, 2) == "good"
    assert band(39.9, 40, 50) == "below fair" and band(40, 40, 50) == "fair" and band(50, 40, 50) == "good"
    assert (transcripts.RQ_FAIR, transcripts.RQ_GOOD) == (1.0, 2.0)
    assert (transcripts.PCT_CR_FAIR, transcripts.PCT_CR_GOOD) == (40.0, 50.0)


def test_the_package_lists_match_the_course_outline():
    assert set(transcripts.MITI_CODES) == MITI_421
    assert set(transcripts.WITHDRAWAL_MARKERS) == WITHDRAWAL
    assert set(transcripts.CONFRONTATION_MARKERS) == CONFRONTATION
    assert set(transcripts.IMMEDIATE_REPAIRS + transcripts.EXPLORATORY_REPAIRS) == REPAIRS


def test_the_rupture_diagram_names_every_3rs_marker_and_repair():
    text = (BOOK / "data" / "figures" / "rupture-markers.yml").read_text(encoding="utf-8").lower()
    missing = sorted(m for m in WITHDRAWAL | CONFRONTATION | REPAIRS if m not in text)
    assert not missing, f"rupture-markers.yml leaves out: {missing}"


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.name)
def test_each_transcript_is_rendered_somewhere_in_the_book(path):
    pages = list(BOOK.glob("ch[0-9][0-9]/*.md")) + list(BOOK.glob("ch*.md"))
    assert any(f"{{transcript}} ../data/transcripts/{path.name}" in p.read_text(encoding="utf-8")
               for p in pages), f"{path.name} is not used by any page"


def test_rendered_table_has_one_row_per_turn_and_the_codes():
    t = load_transcript(of_kind("miti")[0])
    lines = table_lines(t, "caption")
    rows = [l for l in lines if l.startswith("* - ")]
    assert len(rows) == len(t.turns) + 1  # a header row
    body = "\n".join(lines)
    for turn in t.turns:
        for code in turn.codes:
            assert f"**{code}**" in body
    summary = "\n".join(summary_lines(t, "caption"))
    assert "**good**" in summary and "fair 1.0:1, good 2.0:1" in summary


def _write(tmp_path, data):
    p = tmp_path / "t.yml"
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return p


def _small(code="Question", counted=1):
    return {"kind": "miti", "title": "A test", "practitioner": "P", "client": "C",
            "turns": [{"speaker": "practitioner", "comment": "why",
                       "utterances": [{"text": "What brings you here?", "code": code}]},
                      {"speaker": "client", "text": "My sister."}],
            "summary": {"counts": {"Question": counted}}}


def test_an_unknown_code_is_refused_naming_file_turn_and_field(tmp_path):
    with pytest.raises(TranscriptError) as exc:
        load_transcript(_write(tmp_path, _small(code="Open Question")))
    msg = str(exc.value)
    assert "t.yml" in msg and "turn #1" in msg and "utterances.0.code" in msg


def test_a_tally_that_disagrees_with_the_turns_is_refused(tmp_path):
    with pytest.raises(TranscriptError, match=r"summary.counts does not match.*Question: stated 2, the turns have 1"):
        load_transcript(_write(tmp_path, _small(counted=2)))
    assert isinstance(load_transcript(_write(tmp_path, _small())), MitiTranscript)


def test_a_marker_on_a_practitioner_turn_is_refused(tmp_path):
    data = {"kind": "rupture", "title": "A test", "practitioner": "P", "client": "C",
            "turns": [{"speaker": "practitioner", "text": "Hello.", "comment": "c",
                       "markers": ["denial"]},
                      {"speaker": "client", "text": "Hi."}]}
    with pytest.raises(TranscriptError, match=r"turn #1.*3RS markers belong to client turns"):
        load_transcript(_write(tmp_path, data))


# --- diagrams ------------------------------------------------------------------------------

def _texts(fig):
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts + ax.get_yticklabels())


@pytest.mark.parametrize("path", FIGURE_DATA, ids=lambda p: p.name)
def test_every_figure_data_file_draws_and_shows_its_words(path):
    import matplotlib.pyplot as plt

    spec = diagrams.load_figure_data(path)
    fig = diagrams.box_diagram(path) if spec.kind == "boxes" else diagrams.continuum(path)
    shown = " ".join(_texts(fig).split())
    words = ([b.title for b in spec.boxes if b.title] if spec.kind == "boxes"
             else [spec.left, spec.right])
    for w in words:
        assert " ".join(w.split()) in shown, f"{path.name}: {w!r} is not drawn"
    if spec.kind == "boxes":  # boxes stay on the canvas
        for b in spec.boxes:
            assert b.xy[0] >= 0 and b.xy[1] >= 0 and b.xy[0] + b.wh[0] <= spec.size[0] \
                and b.xy[1] + b.wh[1] <= spec.size[1], f"{path.name}: box {b.id} is off the canvas"
    plt.close(fig)


def test_a_bad_diagram_names_file_item_and_field(tmp_path):
    p = tmp_path / "d.yml"
    p.write_text(yaml.safe_dump({"kind": "boxes", "size": [4, 3], "boxes": [
        {"id": "a", "xy": [0, 0], "wh": [1, 1], "title": "A"}],
        "arrows": [{"from": "a", "to": "b"}]}), encoding="utf-8")
    with pytest.raises(diagrams.DiagramError, match=r"d.yml.*box 'b', which is not defined"):
        diagrams.load_figure_data(p)
    p.write_text(yaml.safe_dump({"kind": "continuum", "left": "L", "right": "R",
                                 "items": [{"label": "x", "at": 1.5, "row": 1}]}), encoding="utf-8")
    with pytest.raises(diagrams.DiagramError, match=r"item #1, field at"):
        diagrams.load_figure_data(p)


def test_the_book_map_shows_every_part_and_chapter_from_the_toc():
    import matplotlib.pyplot as plt

    fig = diagrams.book_map(REPO / "_toc.yml")
    shown = _texts(fig)
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc["parts"]:
        assert " ".join(part["caption"].split()[:2]) in " ".join(shown.split())
    numbered = [t for caption, num, titles in diagrams.toc_parts(REPO / "_toc.yml") if num
                for t in titles]
    assert f"1. {numbered[0]}" in shown  # numbered in reading order, as the sidebar numbers them
    assert f"{len(numbered)}. {numbered[-1]}" in shown.replace("\n", " ")
    plt.close(fig)


def test_transcript_charts_draw():
    import matplotlib.pyplot as plt

    fig = diagrams.miti_summary_chart(of_kind("miti")[0])
    s = miti_scores(load_transcript(of_kind("miti")[0]))
    assert f"{s.r_to_q:.1f}:1" in _texts(fig) and f"{s.pct_complex:.0f}%" in _texts(fig)
    plt.close(fig)
    fig = diagrams.rupture_timeline(of_kind("rupture")[0])
    assert "Withdrawal marker" in _texts(fig) and "Repair: metacommunication (exploratory)" in _texts(fig)
    plt.close(fig)
    with pytest.raises(diagrams.DiagramError):
        diagrams.miti_summary_chart(of_kind("rupture")[0])


def test_the_coach_figures_table_and_chart_data_agree():
    """Chapter 5 quotes the coach's figures in one table and charts them from a CSV; a change to
    one without the other fails here."""
    with (BOOK / "data" / "coach-agreement.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    text = source_path("book/ch05-motivational-interviewing").read_text(encoding="utf-8")
    table = re.search(r":name: tab-coach-figures\n(.*?)\n:::", text, flags=re.S).group(1)
    for r in rows:
        assert f"kappa {float(r['coach']):.2f}" in table, f"{r['decision']}: coach figure"
        assert f"{float(r['experts']):.2f}" in table, f"{r['decision']}: expert figure"
    assert "AI helpers" in text and "not real learners" in text and "may flatter" in text
