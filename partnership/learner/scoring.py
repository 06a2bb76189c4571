"""Scoring and feedback for every item type, with no widget code (usable headless and in tests).

``score(item, answer)`` returns a :class:`Result`: the score, the maximum, a one-word verdict and
the specific feedback lines. Feedback is plain text; whoever displays it must escape it.
Answers are JSON-friendly so they can be saved as they are (see FORMAT.md):

- choice: the index of the chosen option (0-based, in the order written);
- ranking: the rank given to each option, in the order written;
- categorize: the category id chosen for each statement (``None`` for unsorted);
- free_text: the learner's text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from partnership.learner.items import CategorizeItem, ChoiceItem, FreeTextItem, RankingItem

#: Free text longer than this is coached on its first part only (and the learner is told).
COACH_MAX_CHARS = 4000


@dataclass
class Result:
    score: float | None          # None: the answer is incomplete and was not scored
    max_score: float
    verdict: str                 # "Correct", "Partly right", "Not quite" or "Not scored"
    lines: list[str] = field(default_factory=list)   # specific feedback, one point per line
    explanation: str | None = None
    caveat: str | None = None
    model_answers: list[str] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        return self.score is not None

    @property
    def correct(self) -> bool:
        return self.score is not None and self.score >= self.max_score

    def text(self) -> str:
        """All of the feedback as plain text (for a terminal or a test)."""
        out = [self.verdict + (f" ({_fmt(self.score)} of {_fmt(self.max_score)})"
                               if self.scored else "")]
        out += self.lines
        if self.model_answers:
            out.append("Example answers: " + " | ".join(self.model_answers))
        if self.explanation:
            out.append(self.explanation)
        if self.caveat:
            out.append("Caveat: " + self.caveat)
        return "\n".join(out)


def _fmt(x: float) -> str:
    return f"{x:g}" if x == int(x) else f"{x:.2f}"


def _verdict(score: float, max_score: float) -> str:
    if score >= max_score:
        return "Correct"
    return "Partly right" if score > 0 else "Not quite"


def _letter(i: int) -> str:
    return chr(ord("A") + i)


def max_score(item) -> float:
    if isinstance(item, CategorizeItem):
        return float(len(item.statements))
    return 1.0


def _not_scored(item, why: str) -> Result:
    return Result(None, max_score(item), "Not scored", [why])


def score(item, answer) -> Result:
    """Score ``answer`` to ``item`` and explain it. Never raises for a malformed answer."""
    if isinstance(item, ChoiceItem):
        return _choice(item, answer)
    if isinstance(item, RankingItem):
        return _ranking(item, answer)
    if isinstance(item, CategorizeItem):
        return _categorize(item, answer)
    if isinstance(item, FreeTextItem):
        return _free_text(item, answer)
    raise TypeError(f"not a bank item: {item!r}")


def _choice(item: ChoiceItem, answer) -> Result:
    if isinstance(answer, bool) or not isinstance(answer, int) \
            or not 0 <= answer < len(item.options):
        return _not_scored(item, "Choose one of the options first.")
    opt = item.options[answer]
    s = 1.0 if opt.correct else 0.0
    lines = [f"You chose {_letter(answer)}: {opt.feedback}"]
    if not opt.correct:
        k = item.correct_index
        lines.append(f"The best answer is {_letter(k)}: {item.options[k].feedback}")
    return Result(s, 1.0, _verdict(s, 1.0), lines, item.explanation, item.caveat)


def pair_agreement(given: list[int], truth: list[int]) -> float:
    """Share of pairs ordered the same way in both rankings (1 = identical, 0 = reversed)."""
    n = len(truth)
    pairs = agree = 0
    for i in range(n):
        for j in range(i + 1, n):
            pairs += 1
            agree += (given[i] - given[j]) * (truth[i] - truth[j]) > 0
    return agree / pairs if pairs else 1.0


def _ranking(item: RankingItem, answer) -> Result:
    n = len(item.options)
    if not isinstance(answer, (list, tuple)) or len(answer) != n \
            or any(isinstance(a, bool) or not isinstance(a, int) for a in answer) \
            or sorted(answer) != list(range(1, n + 1)):
        return _not_scored(item, f"Give each response a different rank from 1 to {n} "
                                 "(1 = best), using each rank once.")
    truth = [o.rank for o in item.options]
    s = round(pair_agreement(list(answer), truth), 4)
    lines = []
    for o, given in sorted(zip(item.options, answer), key=lambda t: t[0].rank):
        mark = "as you did" if given == o.rank else f"you ranked it {given}"
        lines.append(f"Rank {o.rank} ({mark}): \u201c{o.text}\u201d {o.feedback}")
    return Result(s, 1.0, _verdict(s, 1.0), lines, item.explanation, item.caveat)


def _categorize(item: CategorizeItem, answer) -> Result:
    n = len(item.statements)
    if not isinstance(answer, (list, tuple)) or len(answer) != n:
        return _not_scored(item, "Sort each statement into a category.")
    labels = {c.id: c.label for c in item.categories}
    # a saved answer is data from a file: anything but a category id counts as unsorted
    answer = [a if isinstance(a, str) else None for a in answer]
    if all(a not in labels for a in answer):
        return _not_scored(item, "Sort at least one statement into a category.")
    right = 0
    lines = []
    for k, (st, a) in enumerate(zip(item.statements, answer), 1):
        ok = a == st.category
        right += ok
        if ok:
            lines.append(f"{k}. Right: {labels[st.category]}. {st.feedback}")
        elif a in labels:
            lines.append(f"{k}. Not {labels[a]} but {labels[st.category]}. {st.feedback}")
        else:
            lines.append(f"{k}. Not sorted; it belongs in {labels[st.category]}. {st.feedback}")
    return Result(float(right), float(n), _verdict(right, n), lines, item.explanation,
                  item.caveat)


# ---------------------------------------------------------------- free text and the coach

@dataclass
class _Coded:
    code: str
    roadblocks: list[str]
    feedback: str
    note: str = ""          # set when the coach could not run: the learner is told why


def _coach(response: str, client: str) -> _Coded:
    """The reflection coach's verdict, falling back to a tiny local rule set if the coach
    package is missing or fails (a lab must never crash on a learner's text, and must say when
    its feedback comes from the fallback)."""
    try:
        from partnership.coach import analyse
    except Exception as exc:       # not installed yet, or broken mid-edit
        return _fallback_coach(response, f"the reflection coach could not be loaded "
                                         f"({type(exc).__name__}: {exc})")
    try:
        r = analyse(response, client=client)
    except Exception as exc:
        return _fallback_coach(response, f"the reflection coach failed on this response "
                                         f"({type(exc).__name__}: {exc})")
    return _Coded(str(r.code), [str(b) for b in (r.roadblocks or [])], str(r.feedback or ""))


_ROADBLOCKS = {
    "advice": r"\b(you should|you ought|why don'?t you|have you tried|try to|you need to|"
              r"you must|i suggest|my advice)\b",
    "reassurance": r"\b(don'?t worry|it'?ll be (fine|ok|okay|alright)|everything will|"
                   r"i'?m sure you|you'?ll be fine)\b",
    "warning": r"\b(if you don'?t|you'?d better|or else)\b",
    "moralising": r"\b(it'?s wrong to|you shouldn'?t)\b",
}
_QUESTION_START = re.compile(r"^(do|does|did|are|is|was|were|have|has|can|could|would|will|"
                             r"what|why|how|when|where|who|which|shall|should)\b", re.I)


def _fallback_coach(text: str, note: str = "") -> _Coded:
    t = text.strip().lower()
    roadblocks = [name for name, pat in _ROADBLOCKS.items() if re.search(pat, t)]
    if t.endswith("?") or _QUESTION_START.match(t):
        code = "question"
    elif roadblocks:
        code = "therapist_input"
    elif re.match(r"^(you|it sounds|sounds like|so you|it seems|part of you|on the one hand)",
                  t):
        code = "reflection"
    else:
        code = "other"
    return _Coded(code, roadblocks, "", note)


_CODE_WORDS = {
    "question": "a question",
    "reflection": "a reflection",
    "therapist_input": "information or advice from you (therapist input)",
    "other": "neither a question nor a reflection",
}


def _free_text(item: FreeTextItem, answer) -> Result:
    if not isinstance(answer, str) or not answer.strip():
        return _not_scored(item, "Write your response in the box first.")
    lines = []
    text = answer.strip()
    if len(text) > COACH_MAX_CHARS:
        lines.append(f"Your response is long ({len(text):,} characters); the coach read only "
                     f"the first {COACH_MAX_CHARS:,}. A reflection is usually one or two "
                     "sentences.")
        text = text[:COACH_MAX_CHARS]
    coded = _coach(text, item.client or "")
    if coded.note:
        lines.append(f"Note: {coded.note}; this feedback comes from a simpler built-in rule "
                     "set.")
    target = item.target
    if coded.code == target and not coded.roadblocks:
        s = 1.0
    elif coded.code == target:
        s = 0.5
    else:
        s = 0.0
    lines.append(f"The coach reads your response as {_CODE_WORDS.get(coded.code, coded.code)}; "
                 f"this task asks for {_CODE_WORDS[target]}.")
    if coded.roadblocks:
        lines.append("It also found a roadblock (" + ", ".join(coded.roadblocks) + "), which "
                     "can leave the client feeling corrected rather than heard.")
    if coded.feedback:
        lines.append(coded.feedback)
    lines.append(item.feedback)
    lines.append("The coach is rule-based practice feedback and can misread a response; compare "
                 "yours with the examples.")
    return Result(s, 1.0, _verdict(s, 1.0), lines, item.explanation, item.caveat,
                  list(item.model_answers))
