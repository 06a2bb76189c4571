"""Scoring and feedback for every item type, with no widget code (usable headless and in tests).

``score(item, answer)`` returns a :class:`Result`: the score, the maximum, a one-word verdict and
the specific feedback lines. Feedback is plain text; whoever displays it must escape it.
Answers are JSON-friendly so they can be saved as they are (see FORMAT.md):

- choice: the index of the chosen option (0-based, in the order written);
- ranking: the rank given to each option, in the order written;
- categorize: the category id chosen for each statement (``None`` for unsorted);
- free_text: the learner's text.

Widgets show options and statements shuffled (:func:`partnership.learner.items.display_order`),
so the letters and numbers in feedback are the ones shown, not the order written.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from partnership.learner.items import (CategorizeItem, ChoiceItem, FreeTextItem, RankingItem,
                                       display_order, is_full_ranking)


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
    shown = display_order(item.id, len(item.options))        # letters as the widget shows them
    lines = [f"You chose {_letter(shown.index(answer))}: {opt.feedback}"]
    if not opt.correct:
        k = item.correct_index
        lines.append(f"The best answer is {_letter(shown.index(k))}: "
                     f"{item.options[k].feedback}")
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
    if not is_full_ranking(answer, n):
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
    shown = display_order(item.id, n)         # statements numbered as the widget shows them
    for k, i in enumerate(shown, 1):
        st, a = item.statements[i], answer[i]
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

#: How learners are told what the coach is (it is not a set of rules).
COACH_NOTE = ("The coach is a small statistical model, trained on expert-coded MI conversations "
              "and typed practice answers, with a few wording checks on top. It can misread a "
              "response: compare yours with the examples.")

_KIND_HINTS = {
    "open": "An open question cannot be answered with a yes, a no or a single fact: start with "
            "'what' or 'how' and invite the client's own story.",
    "closed": "A closed question asks for a yes, a no or a single fact.",
    "complex": "A complex reflection adds the meaning or the feeling the client did not put into "
               "words, rather than repeating what they said.",
    "simple": "A simple reflection stays close to the client's own words.",
}


_OTHER_WORDS = {"affirmation": "an affirmation", "reassurance": "reassurance",
                "confrontation": "confrontation (sarcasm, judging or labelling)",
                "self-disclosure": "self-disclosure (your own story)",
                None: "'other' (neither a question, a reflection nor therapist input)"}


def _a(words: str) -> str:
    return ("an " if words[:1] in tuple("aeiou") else "a ") + words


def _in_words(code: str, subcode: str | None) -> str:
    """A code as the end of "The coach reads your response as ...": "a closed question",
    "therapist input (advice)", "reassurance"."""
    from partnership.coach import describe_code
    if code == "other":
        return _OTHER_WORDS.get(subcode, _OTHER_WORDS[None])
    words = describe_code(code, subcode)
    return words if code == "therapist_input" else _a(words)


def _free_text(item: FreeTextItem, answer) -> Result:
    """Scored by the reflection coach on what the task asks for: the main code (question or
    reflection), the kind where the task names one (open or closed, simple or complex), and no
    roadblock. 1 when all hold; half for a right code of the wrong kind, and half again for a
    roadblock; 0 for the wrong code. A task for any response with no roadblock scores 1 or 0.
    An answer of the wrong kind is never "Correct", and the feedback says what it is."""
    from partnership.coach import analyse

    if not isinstance(answer, str) or not answer.strip():
        return _not_scored(item, "Write your response in the box first.")
    r = analyse(answer, client=item.client or "", examples=item.model_answers)
    lines = [r.note] if r.note else []
    got = _in_words(r.code, r.subcode)
    if item.target == "any":
        s = 0.0 if r.roadblocks else 1.0
    else:
        s = 1.0 if r.code == item.target else 0.0
        if s and item.kind and r.subcode != item.kind:
            s = 0.5
        if s and r.roadblocks:
            s /= 2
    lines.append(f"The coach reads your response as {got}; this task asks for "
                 f"{item.asks_for}.")
    if item.target != "any" and r.code == item.target and item.kind \
            and r.subcode != item.kind:
        lines.append(f"It is {got}, not {item.asks_for}. {_KIND_HINTS[item.kind]}")
    if r.roadblocks:
        lines.append("It also found a roadblock (" + ", ".join(r.roadblocks) + "), which "
                     "can leave the client feeling corrected rather than heard.")
    body = r.feedback
    if r.note and body.startswith(r.note):
        body = body[len(r.note):].strip()  # the note opens the lines already
    if body:
        lines.append(body)
    lines.append(item.feedback)
    lines.append(COACH_NOTE)
    return Result(s, 1.0, _verdict(s, 1.0), lines, item.explanation, item.caveat,
                  list(item.model_answers))
