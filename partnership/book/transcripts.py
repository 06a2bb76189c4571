"""Annotated session transcripts, kept as data and rendered into the book as tables.

Two kinds of transcript live in ``book/data/transcripts/``:

* ``miti``: a motivational interviewing conversation in which every practitioner utterance
  carries one MITI 4.2.1 behaviour code (Moyers, Manuel & Ernst, 2014). The file also states the
  author's tally of the codes; loading checks that tally against the turns, so the summary printed
  in the book can never drift from the transcript above it.
* ``rupture``: a rupture-and-repair conversation in which client turns carry 3RS markers
  (Eubanks, Muran & Safran, 2015: the withdrawal and confrontation subtypes) and practitioner
  turns name the repair moves used (the strategies described in chapter 8).

Keeping the turns as data means a test can check every code against the coding system's own
list, and the MITI summary (counts, reflection-to-question ratio, percentage of complex
reflections against the 4.2.1 thresholds) is computed rather than typed by hand.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from partnership.validation import error_location

#: The MITI 4.2.1 behaviour counts, spelt as the manual names them.
MITI_CODES = (
    "Giving Information", "Persuade", "Persuade with Permission", "Question",
    "Simple Reflection", "Complex Reflection", "Affirm", "Seeking Collaboration",
    "Emphasizing Autonomy", "Confront",
)
#: The four MITI 4.2.1 global ratings (each 1 to 5).
MITI_GLOBALS = ("Cultivating Change Talk", "Softening Sustain Talk", "Partnership", "Empathy")
#: MITI 4.2.1 thresholds, which the manual describes as expert opinion.
RQ_FAIR, RQ_GOOD = 1.0, 2.0
PCT_CR_FAIR, PCT_CR_GOOD = 40.0, 50.0

#: 3RS rupture markers (Eubanks, Muran & Safran, 2015), worded as in the course outline.
WITHDRAWAL_MARKERS = (
    "denial", "minimal response", "abstract talk", "avoidant storytelling", "deference",
    "content-affect split", "self-criticism",
)
CONFRONTATION_MARKERS = (
    "complaints about the therapist", "complaints about the activities",
    "complaints about the parameters", "complaints about progress", "rejecting interventions",
    "defending the self", "trying to control the therapist",
)
#: Repair strategies as chapter 8 names them (Safran & Muran, 2000; Eubanks et al., 2018).
IMMEDIATE_REPAIRS = ("clarifying a misunderstanding", "illustrating the rationale",
                     "changing tasks or goals")
EXPLORATORY_REPAIRS = ("metacommunication", "exploring the rupture experience",
                       "acknowledging own contribution", "linking to wider patterns")

ABBREVIATIONS = {
    "Giving Information": "GI", "Persuade": "Persuade", "Persuade with Permission": "PwP",
    "Question": "Q", "Simple Reflection": "SR", "Complex Reflection": "CR", "Affirm": "AF",
    "Seeking Collaboration": "Seek", "Emphasizing Autonomy": "EA", "Confront": "Confront",
}


class TranscriptError(ValueError):
    """A transcript file that cannot be used; the message names the file, turn and field."""


MitiCode = Literal[MITI_CODES]  # type: ignore[valid-type]
Marker = Literal[WITHDRAWAL_MARKERS + CONFRONTATION_MARKERS]  # type: ignore[valid-type]
Repair = Literal[IMMEDIATE_REPAIRS + EXPLORATORY_REPAIRS]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Utterance(_Strict):
    text: str = Field(min_length=2)
    code: MitiCode


class MitiTurn(_Strict):
    speaker: Literal["practitioner", "client"]
    text: str | None = None
    utterances: list[Utterance] | None = None
    comment: str = ""

    @model_validator(mode="after")
    def _shape(self):
        if self.speaker == "practitioner":
            if not self.utterances:
                raise ValueError("a practitioner turn needs 'utterances', each with a MITI code")
            if self.text is not None:
                raise ValueError("a practitioner turn gives its words in 'utterances', not 'text'")
            if not self.comment.strip():
                raise ValueError("every practitioner turn needs a margin comment")
        else:
            if not (self.text or "").strip():
                raise ValueError("a client turn needs 'text'")
            if self.utterances:
                raise ValueError("client turns are not coded with MITI behaviour codes")
        return self

    @property
    def words(self) -> str:
        return self.text if self.text is not None else " ".join(u.text for u in self.utterances)

    @property
    def codes(self) -> list[str]:
        return [u.code for u in self.utterances or []]


class MitiSummary(_Strict):
    counts: dict[MitiCode, int]
    globals: dict[Literal[MITI_GLOBALS], int] | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _ranges(self):
        if any(v < 0 for v in self.counts.values()):
            raise ValueError("counts cannot be negative")
        if self.globals and any(not 1 <= v <= 5 for v in self.globals.values()):
            raise ValueError("global ratings run from 1 to 5")
        return self


class _Header(_Strict):
    title: str = Field(min_length=3)
    practitioner: str = Field(min_length=1)
    client: str = Field(min_length=1)


class MitiTranscript(_Header):
    kind: Literal["miti"]
    turns: list[MitiTurn] = Field(min_length=2)
    summary: MitiSummary


class RuptureTurn(_Strict):
    speaker: Literal["practitioner", "client"]
    text: str = Field(min_length=2)
    markers: list[Marker] = []
    repair: list[Repair] = []
    comment: str = ""

    @model_validator(mode="after")
    def _shape(self):
        if self.speaker == "practitioner" and self.markers:
            raise ValueError("3RS markers belong to client turns; name repair moves under 'repair'")
        if self.speaker == "client" and self.repair:
            raise ValueError("repair moves belong to practitioner turns")
        if self.speaker == "practitioner" and not self.comment.strip():
            raise ValueError("every practitioner turn needs a margin comment")
        return self


class RuptureTranscript(_Header):
    kind: Literal["rupture"]
    turns: list[RuptureTurn] = Field(min_length=2)


Transcript = Union[MitiTranscript, RuptureTranscript]


@dataclass(frozen=True)
class MitiScores:
    """The MITI 4.2.1 behaviour counts of a transcript and the summary scores built from them."""
    counts: dict[str, int]

    @property
    def questions(self) -> int:
        return self.counts["Question"]

    @property
    def reflections(self) -> int:
        return self.counts["Simple Reflection"] + self.counts["Complex Reflection"]

    @property
    def r_to_q(self) -> float | None:
        return self.reflections / self.questions if self.questions else None

    @property
    def pct_complex(self) -> float | None:
        return 100 * self.counts["Complex Reflection"] / self.reflections if self.reflections else None

    @property
    def mi_adherent(self) -> int:
        return (self.counts["Seeking Collaboration"] + self.counts["Affirm"]
                + self.counts["Emphasizing Autonomy"])

    @property
    def mi_non_adherent(self) -> int:
        return self.counts["Persuade"] + self.counts["Confront"]


def band(value: float | None, fair: float, good: float) -> str:
    """'good', 'fair' or 'below fair' against a pair of MITI thresholds."""
    if value is None:
        return "not computable"
    if value >= good:
        return "good"
    return "fair" if value >= fair else "below fair"


def miti_scores(transcript: MitiTranscript) -> MitiScores:
    tally = Counter(code for turn in transcript.turns for code in turn.codes)
    return MitiScores({code: tally.get(code, 0) for code in MITI_CODES})


def load_transcript(path: str | Path) -> Transcript:
    """Read and check a transcript file; a MITI file's stated tally must match its turns."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read transcript ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise TranscriptError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or data.get("kind") not in ("miti", "rupture"):
        raise TranscriptError(f"{path}: field kind: must be 'miti' or 'rupture'")
    model = MitiTranscript if data["kind"] == "miti" else RuptureTranscript
    try:
        transcript = model.model_validate(data)
    except ValidationError as exc:
        msgs = [f"{path}: {error_location(data, e['loc'], 'turns', 'turn')}: {e['msg']}"
                for e in exc.errors()]
        raise TranscriptError("\n".join(msgs)) from exc
    if isinstance(transcript, MitiTranscript):
        computed = miti_scores(transcript).counts
        stated = {code: transcript.summary.counts.get(code, 0) for code in MITI_CODES}
        wrong = [f"{code}: stated {stated[code]}, the turns have {computed[code]}"
                 for code in MITI_CODES if stated[code] != computed[code]]
        if wrong:
            raise TranscriptError(f"{path}: field summary.counts does not match the coded turns ("
                                  + "; ".join(wrong) + ")")
    return transcript


# ---------------------------------------------------------------------------------------------
# Rendering (MyST Markdown lines, parsed by the Sphinx directive below)

def _cell(text: str) -> str:
    """One list-table cell on one line: collapse whitespace, keep Markdown emphasis. An empty
    cell holds a no-break space: a bare "-" item would render as a nested bullet, and a screen
    reader announces a no-break space as nothing, like an empty cell."""
    return " ".join(str(text).split()) or "&nbsp;"


def _name(transcript, speaker: str) -> str:
    return transcript.practitioner if speaker == "practitioner" else transcript.client


def _sentence(label: str) -> str:
    return label[:1].upper() + label[1:]


def table_lines(transcript: Transcript, caption: str, name: str | None = None) -> list[str]:
    miti = isinstance(transcript, MitiTranscript)
    third = "MITI 4.2.1 code" if miti else "3RS marker or repair move"
    lines = [f"```{{list-table}} {caption}", ":header-rows: 1", ":widths: 4 12 44 16 24",
             ":class: transcript-table"]
    if name:
        lines.append(f":name: {name}")
    lines += ["", "* - Turn", "  - Speaker", "  - What is said", f"  - {third}", "  - Comment"]
    for n, turn in enumerate(transcript.turns, start=1):
        if miti:
            label = "; ".join(f"**{c}**" for c in turn.codes)
        elif turn.markers:
            label = "; ".join(f"*{_withdrawal_or_confrontation(m)}:* {m}" for m in turn.markers)
        elif turn.repair:
            label = "; ".join(f"**Repair:** {r}" for r in turn.repair)
        else:
            label = ""
        lines += [f"* - {n}", f"  - {_cell(_name(transcript, turn.speaker))}",
                  f"  - {_cell(turn.words if miti else turn.text)}", f"  - {_cell(label)}",
                  f"  - {_cell(turn.comment)}"]
    return lines + ["```", ""]


def _withdrawal_or_confrontation(marker: str) -> str:
    return "Withdrawal" if marker in WITHDRAWAL_MARKERS else "Confrontation"


def _ratio(x: float) -> str:
    return f"{x:.1f}:1"


def summary_lines(transcript: Transcript, caption: str, name: str | None = None) -> list[str]:
    if isinstance(transcript, MitiTranscript):
        return _miti_summary_lines(transcript, caption, name)
    return _rupture_summary_lines(transcript, caption, name)


def _miti_summary_lines(t: MitiTranscript, caption: str, name: str | None) -> list[str]:
    s = miti_scores(t)
    lines = [f"```{{list-table}} {caption}", ":header-rows: 1", ":widths: 40 20 40",
             ":class: miti-summary"]
    if name:
        lines.append(f":name: {name}")
    lines += ["", "* - Behaviour count", "  - Number", "  - In this transcript"]
    for code in MITI_CODES:
        lines += [f"* - {code}", f"  - {s.counts[code]}",
                  f"  - {_turn_list(t, code) or 'none'}"]
    rq, pct = s.r_to_q, s.pct_complex
    lines += [
        "* - **Reflection-to-question ratio** (all reflections ÷ questions)",
        f"  - **{_ratio(rq) if rq is not None else 'n/a'}**",
        f"  - {s.reflections} ÷ {s.questions}: **{band(rq, RQ_FAIR, RQ_GOOD)}** "
        f"(fair {_ratio(RQ_FAIR)}, good {_ratio(RQ_GOOD)})",
        "* - **Complex reflections** (% of all reflections)",
        f"  - **{pct:.0f}%**" if pct is not None else "  - **n/a**",
        f"  - {s.counts['Complex Reflection']} ÷ {s.reflections}: "
        f"**{band(pct, PCT_CR_FAIR, PCT_CR_GOOD)}** (fair {PCT_CR_FAIR:.0f}%, good {PCT_CR_GOOD:.0f}%)",
        "* - Total MI-adherent (Seeking Collaboration + Affirm + Emphasizing Autonomy)",
        f"  - {s.mi_adherent}", "  - &nbsp;",
        "* - Total MI non-adherent (Persuade + Confront)",
        f"  - {s.mi_non_adherent}", "  - &nbsp;",
    ]
    if t.summary.globals:
        for g in MITI_GLOBALS:
            if g in t.summary.globals:
                lines += [f"* - Global rating: {g} (1 to 5)", f"  - {t.summary.globals[g]}",
                          "  - the authors' illustrative rating"]
    return lines + ["```", ""]


def _turn_list(t: MitiTranscript, code: str) -> str:
    turns = [str(n) for n, turn in enumerate(t.turns, start=1) if code in turn.codes]
    if not turns:
        return ""
    return ("turn " if len(turns) == 1 else "turns ") + ", ".join(turns)


def _rupture_summary_lines(t: RuptureTranscript, caption: str, name: str | None) -> list[str]:
    rows = []
    for family, markers in (("Withdrawal", WITHDRAWAL_MARKERS),
                            ("Confrontation", CONFRONTATION_MARKERS)):
        seen = [(n, m) for n, turn in enumerate(t.turns, start=1) for m in turn.markers
                if m in markers]
        rows.append((f"{family} markers", len(seen),
                     "; ".join(f"{m} (turn {n})" for n, m in seen) or "none"))
    for family, moves in (("Immediate repair moves", IMMEDIATE_REPAIRS),
                          ("Exploratory repair moves", EXPLORATORY_REPAIRS)):
        seen = [(n, m) for n, turn in enumerate(t.turns, start=1) for m in turn.repair
                if m in moves]
        rows.append((family, len(seen), "; ".join(f"{m} (turn {n})" for n, m in seen) or "none"))
    lines = [f"```{{list-table}} {caption}", ":header-rows: 1", ":widths: 30 12 58",
             ":class: rupture-summary"]
    if name:
        lines.append(f":name: {name}")
    lines += ["", "* - Kind", "  - Number", "  - Where"]
    for kind, count, where in rows:
        lines += [f"* - {kind}", f"  - {count}", f"  - {_cell(where)}"]
    return lines + ["```", ""]


# ---------------------------------------------------------------------------------------------
# The Sphinx directive

def setup(app):
    from docutils import nodes
    from docutils.parsers.rst import directives
    from docutils.statemachine import StringList
    from sphinx.util import logging
    from sphinx.util.docutils import SphinxDirective

    logger = logging.getLogger(__name__)

    class TranscriptDirective(SphinxDirective):
        """``{transcript} path.yml`` with ``:show: table|summary|all`` and captions as options."""
        required_arguments = 1
        has_content = False
        option_spec = {
            "show": lambda arg: directives.choice(arg, ("table", "summary", "all")),
            "caption": directives.unchanged_required,
            "summary-caption": directives.unchanged_required,
            "name": directives.unchanged_required,
            "summary-name": directives.unchanged_required,
        }

        def run(self):
            rel, path = self.env.relfn2path(self.arguments[0], self.env.docname)
            self.env.note_dependency(rel)
            try:
                transcript = load_transcript(path)
            except TranscriptError as exc:
                logger.warning("transcript: %s", exc, location=self.get_location())
                return []
            show = self.options.get("show", "all")
            lines: list[str] = []
            if show in ("table", "all"):
                lines += table_lines(transcript, self.options.get("caption", transcript.title),
                                     self.options.get("name"))
            if show in ("summary", "all"):
                lines += summary_lines(
                    transcript, self.options.get("summary-caption", "Summary of the coding"),
                    self.options.get("summary-name"))
            container = nodes.container(classes=["transcript"])
            self.state.nested_parse(StringList(lines, source=str(path)), 0, container)
            return [container]

    app.add_directive("transcript", TranscriptDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
