"""The coach's decision, written once: model heads, then the transparent wording rules.

``predict`` is the only place where the model's probabilities and the rules in ``rules.py`` are
put together. ``analyse`` (what learners see), ``partnership coach-eval`` (agreement with coded
files) and ``scripts/train_coach.py`` (the transcript-grouped cross-validation, with a model
trained on each fold) all call it, so the figures published for the coach are the figures of
the code learners run.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import features
from .features import MAX_CHARS, client_tail, normalise

CODES = ("question", "reflection", "therapist_input", "other")
AFFIRM_MIN_WORDS = 4
_MISSING = object()


@dataclass(frozen=True)
class Prediction:
    code: str                        # one of CODES
    probabilities: dict              # code -> probability, after the wording rules
    heads: dict | None = None        # each head's own probabilities (None: rules fallback)
    source: str = "model"            # 'model', or 'rules' when no model could be loaded
    subcode: str | None = None
    subcode_probabilities: dict = field(default_factory=dict)


def bounded(response: object, client: object = "") -> tuple[str, str, bool]:
    """(response cut to MAX_CHARS, the client statement's end, whether the response was cut).
    Every caller reads the same bounded text, so a learner is told exactly what was read."""
    if not isinstance(response, str):
        response = "" if response is None else str(response)
    cut = len(response) > MAX_CHARS
    return (response[:MAX_CHARS] if cut else response), client_tail(client), cut


def predict(response: object, client: object = "", *, typed: bool = True,
            model=_MISSING) -> Prediction:
    """Code ``response`` (bounded first): the 4-way code with its probabilities and sub-code.

    ``typed``: a learner's typed text (the coach's use) or transcribed speech (AnnoMI rows, in
    coach-eval on a CSV and in the training script's CV). ``model``: the shipped model by
    default; a fold's model in cross-validation; None for the rules fallback."""
    from .rules import adjust, rule_code
    response, client, _ = bounded(response, client)
    if model is _MISSING:
        from .model import get_model
        model = get_model()
    if model is None or not normalise(response):
        code, probs = rule_code(response, client)
        heads, source = None, "rules"
    else:
        heads = model.predict(features.featurize(response, client, typed=typed))
        probs = adjust(heads["main"], response, client)
        code = max(probs, key=probs.get)
        source = "model"
    probs = {c: float(probs.get(c, 0.0)) for c in CODES}
    sub, subp = subcode_for(code, heads, response, client)
    return Prediction(code, probs, heads, source, sub,
                      {k: float(v) for k, v in subp.items()})


def subcode_for(code: str, heads: dict | None, response, client) -> tuple[str | None, dict]:
    """The sub-code (and the head's probabilities) for ``code``: the model's heads and the
    wording rules when ``heads`` (``Model.predict``'s output) is given, the rules alone when it
    is None. ``predict`` asks for its own code's sub-code; coach-eval and the CV ask for the
    sub-code of the experts' code, whatever the coach's own code is."""
    from . import rules
    if code == "question":
        cue = rules.question_kind_cue(response)
        if cue:  # "I wonder whether...", "how many...", "can you tell me...": wording decides
            return cue, {}
        if heads and "question" in heads:
            p = heads["question"]
            return max(p, key=p.get), p
        return ("open" if rules.is_open_question(response) else "closed"), {}
    if code == "reflection":
        if heads and "reflection" in heads:
            p = rules.adjust_reflection(heads["reflection"], response, client)
            return max(p, key=p.get), p
        return "simple", {}
    if code == "therapist_input":
        # the transparent wording cues win over the (weaker) learned input-type head
        cue = rules.input_type_cue(response)
        if heads and "input" in heads:
            p = heads["input"]
            return (cue or max(p, key=p.get)), p
        return (cue or "information"), {}
    if code == "other":
        move = rules.other_move(response)
        if move:  # reassurance, confrontation, self-disclosure: named, never praised
            return move, {}
        listed, head_may = rules.affirmation_status(response)
        if listed:
            return "affirmation", {}
        # the learned head (typed responses only) for praise the phrase list does not know;
        # never for thanks, greetings and the like, a bare "Mm-hmm." or a judgement
        p = (heads or {}).get("affirm")
        if (head_may and p and p.get("affirmation", 0.0) > 0.5
                and len(str(response).split()) >= AFFIRM_MIN_WORDS):
            return "affirmation", dict(p)
    return None, {}
