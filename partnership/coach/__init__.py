"""The reflection coach: code a learner's written response the way an MI trainer using
MITI 4.2.1 would, and suggest how to improve it.

    >>> from partnership.coach import analyse
    >>> r = analyse("So you're worried about your job.", client="I might lose my job.")
    >>> r.code, r.subcode, r.hrq_score  # doctest: +SKIP
    ('reflection', 'simple', 3)

``analyse`` never raises on any string. Importing this package is cheap: the weights
load on the first call to ``analyse``; matplotlib only inside ``plot_session``. For education
only: the coach is a practice aid, not an assessment of anyone's clinical competence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .features import MAX_CHARS
from .predict import CODES, Prediction, bounded, predict, subcode_for  # noqa: F401
from .summary import plot_session, session_summary

__all__ = ["analyse", "describe", "describe_code", "predict", "CoachResult", "MAX_CHARS",
           "session_summary", "plot_session"]


@dataclass(frozen=True)
class CoachResult:
    code: str | None                # 'question' | 'reflection' | 'therapist_input' | 'other';
                                    # None when nothing was written (no code, no score)
    subcode: str | None             # 'open'|'closed' | 'simple'|'complex' |
                                    # 'information'|'advice'|'negotiation'|'options' |
                                    # 'affirmation'|'reassurance'|'confrontation'|
                                    # 'self-disclosure' (an "other") | None
    confidence: float               # probability of ``code``, 0..1 (0 with no code)
    probabilities: dict             # code -> probability (sums to 1; empty with no code)
    feedback: str                   # plain text: kind, specific, actionable, says how sure
    hrq_score: int | None           # HRQ-style suggested score, 1..5 (None with no code)
    roadblocks: list = field(default_factory=list)   # e.g. ['advice', 'reassurance']
    subcode_probabilities: dict = field(default_factory=dict)
    source: str = "model"           # 'model' (trained weights), 'rules' (fallback), 'none'
    truncated: bool = False         # the response was longer than MAX_CHARS: read in part
    note: str | None = None         # what the learner must know first (e.g. the cut)

    @property
    def coded(self) -> bool:
        """False when there was nothing to code (empty or whitespace-only input)."""
        return self.code is not None


_NAMES = {"question": "question", "reflection": "reflection",
          "therapist_input": "therapist input", "other": "other"}


def describe_code(code: str | None, subcode: str | None = None) -> str:
    """The code in words, for every caller (labs, CLI, book, grader notes): "complex
    reflection", "open question", "therapist input (advice)", "other (affirmation)", and
    "no code (nothing written)" when there was nothing to code."""
    if code is None:
        return "no code (nothing written)"
    base = _NAMES.get(code, code)
    if subcode and code in ("question", "reflection"):
        return f"{subcode} {base}"
    return f"{base} ({subcode})" if subcode else base


def describe(result: "CoachResult") -> str:
    """One line describing a result: its code in words, how sure, the HRQ-style score and any
    roadblock; or, with no code, that nothing was written."""
    if not result.coded:
        return "No code: nothing was written, so there is nothing to code or score."
    line = (f"{describe_code(result.code, result.subcode)} ({result.confidence:.0%} sure); "
            f"suggested HRQ-style score {result.hrq_score}/5")
    if result.roadblocks:
        line += "; roadblocks: " + ", ".join(result.roadblocks)
    if result.truncated:
        line += f"; read the first {MAX_CHARS:,} characters only"
    return line + "."


def _analyse(response, client, examples) -> CoachResult:
    from . import feedback as fb
    from .rules import roadblocks

    from .features import normalise
    text, client, cut = bounded(response, client)
    if not normalise(text):  # nothing, white space, or only invisible characters
        return CoachResult(code=None, subcode=None, confidence=0.0, probabilities={},
                           feedback=fb.EMPTY, hrq_score=None, roadblocks=[], source="none")
    pred = predict(text, client)
    blocks = roadblocks(text)
    conf = pred.probabilities[pred.code]
    hrq = fb.hrq_score(pred.code, pred.subcode, blocks, text, client)
    note = fb.long_note(len(response)) if cut else None
    body = fb.build(pred.code, pred.subcode, conf, pred.probabilities, blocks, text, client,
                    pred.source, examples)
    return CoachResult(code=pred.code, subcode=pred.subcode, confidence=conf,
                       probabilities=pred.probabilities,
                       feedback=(note + " " + body) if note else body, hrq_score=hrq,
                       roadblocks=blocks, subcode_probabilities=pred.subcode_probabilities,
                       source=pred.source, truncated=cut, note=note)


def analyse(response: str, client: str = "", examples=()) -> CoachResult:
    """Code ``response`` (what the learner would say) given the client's preceding statement.

    ``examples``: model answers written for the task (a lab item's); the feedback's suggested
    reflection is taken from them when one fits, else built from the client's own words.
    Empty or whitespace-only input gets no code and no score (``coded`` is False) and a prompt
    to write something. A response longer than ``MAX_CHARS`` is read up to that point, and the
    feedback opens with a note saying so. Never raises on any input: if something unexpected
    goes wrong, a cautious 'other' result with an explanation is returned instead.
    """
    try:
        return _analyse(response, client, examples)
    except Exception:  # pragma: no cover - last-resort guard; the paths above do not raise
        return CoachResult(
            code="other", subcode=None, confidence=0.25,
            probabilities={c: 0.25 for c in CODES},
            feedback=("The coach could not read this response, so it cannot code it. Try "
                      "writing one or two plain sentences saying back what the client said. "
                      "The coach is unsure (25%)."),
            hrq_score=2, roadblocks=[], subcode_probabilities={}, source="rules")
