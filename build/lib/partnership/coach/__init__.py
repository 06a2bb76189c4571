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

from .summary import plot_session, session_summary

__all__ = ["analyse", "describe_code", "CoachResult", "session_summary", "plot_session"]

CODES = ("question", "reflection", "therapist_input", "other")
AFFIRM_MIN_WORDS = 4


@dataclass(frozen=True)
class CoachResult:
    code: str                       # 'question' | 'reflection' | 'therapist_input' | 'other'
    subcode: str | None             # 'open'|'closed' | 'simple'|'complex' |
                                    # 'information'|'advice'|'negotiation'|'options' |
                                    # 'affirmation' (an "other" that affirms) | None
    confidence: float               # probability of ``code``, 0..1
    probabilities: dict             # code -> probability (sums to 1)
    feedback: str                   # plain text: kind, specific, actionable, says how sure
    hrq_score: int                  # HRQ-style suggested score, 1..5
    roadblocks: list = field(default_factory=list)   # e.g. ['advice', 'reassurance']
    subcode_probabilities: dict = field(default_factory=dict)
    source: str = "model"           # 'model' (trained weights) or 'rules' (fallback)


def describe_code(code: str, subcode: str | None) -> str:
    """The code in words: "complex reflection", "open question", "therapist input (advice)"."""
    names = {"question": "question", "reflection": "reflection",
             "therapist_input": "therapist input", "other": "other"}
    base = names.get(code, code)
    if subcode and code in ("question", "reflection"):
        return f"{subcode} {base}"
    return f"{base} ({subcode})" if subcode else base


def subcode_for(code: str, preds: dict | None, response, client) -> tuple[str | None, dict]:
    """The sub-code (and the head's probabilities) for ``code``: the model's heads and the
    wording rules when ``preds`` (``Model.predict``'s output) is given, the rules alone when it
    is None. Shared by ``analyse`` and ``partnership coach-eval``, which asks for the sub-code of
    the experts' code whatever the coach's own code is."""
    from .rules import is_open_question, is_statement_question
    if code == "question":
        if is_statement_question(response):  # "I wonder whether...": the wording decides
            return ("open" if is_open_question(response) else "closed"), {}
        if preds and "question" in preds:
            p = preds["question"]
            return max(p, key=p.get), p
        return ("open" if is_open_question(response) else "closed"), {}
    if code == "reflection":
        if preds and "reflection" in preds:
            from .rules import adjust_reflection
            p = adjust_reflection(preds["reflection"], response, client)
            return max(p, key=p.get), p
        return "simple", {}
    if code == "therapist_input":
        from .rules import input_type_cue
        # the transparent wording cues win over the (weaker) learned input-type head
        cue = input_type_cue(response)
        if preds and "input" in preds:
            p = preds["input"]
            return (cue or max(p, key=p.get)), p
        return (cue or "information"), {}
    from .rules import affirmation_status
    if code == "other":
        listed, head_may = affirmation_status(response)
        if listed:
            return "affirmation", {}
        # the learned head (typed responses only) for praise the phrase list does not know;
        # never for thanks, greetings and the like, a bare "Mm-hmm." or a judgement
        p = (preds or {}).get("affirm")
        if (head_may and p and p.get("affirmation", 0.0) > 0.5
                and len(str(response).split()) >= AFFIRM_MIN_WORDS):
            return "affirmation", dict(p)
    return None, {}


def _analyse(response, client) -> CoachResult:
    from . import feedback as fb
    from .features import featurize, normalise
    from .model import get_model
    from .rules import roadblocks, rule_code

    response = response if isinstance(response, str) else ("" if response is None
                                                            else str(response))
    client = client if isinstance(client, str) else ("" if client is None else str(client))
    blocks = roadblocks(response)
    model = get_model()
    preds = None
    if not normalise(response):
        code, probs = rule_code(response, client)
        source = "rules"
    elif model is not None:
        from .rules import adjust
        preds = model.predict(featurize(response, client))
        probs = adjust(preds["main"], response)
        code = max(probs, key=probs.get)
        source = "model"
    else:
        code, probs = rule_code(response, client)
        source = "rules"
    probs = {c: float(probs.get(c, 0.0)) for c in CODES}
    sub, subp = subcode_for(code, preds, response, client)
    conf = probs[code]
    hrq = fb.hrq_score(code, sub, blocks, response, client)
    text = fb.build(code, sub, conf, probs, blocks, response, client,
                    source if normalise(response) else "model")
    return CoachResult(code=code, subcode=sub, confidence=conf, probabilities=probs,
                       feedback=text, hrq_score=hrq, roadblocks=blocks,
                       subcode_probabilities={k: float(v) for k, v in subp.items()},
                       source=source)


def analyse(response: str, client: str = "") -> CoachResult:
    """Code ``response`` (what the learner would say) given the client's preceding statement.

    Never raises on any input: if something unexpected goes wrong, a cautious 'other' result
    with an explanation is returned instead.
    """
    try:
        return _analyse(response, client)
    except Exception:  # pragma: no cover - last-resort guard; the paths above do not raise
        return CoachResult(
            code="other", subcode=None, confidence=0.25,
            probabilities={c: 0.25 for c in CODES},
            feedback=("The coach could not read this response, so it cannot code it. Try "
                      "writing one or two plain sentences saying back what the client said. "
                      "The coach is unsure (25%)."),
            hrq_score=2, roadblocks=[], subcode_probabilities={}, source="rules")
