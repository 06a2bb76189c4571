"""Kind, specific, actionable feedback and an HRQ-style score, from a code and simple rules.

Feedback is plain text: nothing here is HTML-escaped, because escaping belongs to the one place
where HTML is made (the labs' widget, the book page's script). Nothing the learner typed is
echoed back. A suggested reflection comes from the task's own model answers when there are any,
else from a tested template over the client's own words (``suggest_reflection``): a whole
clause in which the client speaks of themselves, turned from "I" to "you", never a fragment
cut mid-sentence and never what someone else said about them.
"""
from __future__ import annotations

import re

from .features import (FEELING_WORDS, OPEN_OPENERS, QUESTION_FORMS, QUESTION_OPENERS,
                       normalise, opening_words, question_form, sentences, tokens)

_TAG = re.compile(r"<[^>]{0,200}>")
_SENT = re.compile(r"[^.!?]+[.!?]?")
_SWAP = {
    "i": "you", "i'm": "you're", "im": "you're", "i've": "you've", "ive": "you've",
    "i'd": "you'd", "i'll": "you'll", "me": "you", "my": "your", "mine": "yours",
    "myself": "yourself", "we": "you", "we're": "you're", "we've": "you've", "our": "your",
    "us": "you", "ours": "yours", "ourselves": "yourselves",
}
# after "I" (or "we"): the verb agrees with "you"
_AGREE = {"am": "are", "was": "were"}
_LEAD = frozenset("but and so because cos though although well okay ok oh um uh er erm like "
                  "honestly basically anyway yeah yes no mm hmm just then also plus".split())
_FIRST_PERSON = frozenset(("i", "i'm", "im", "i've", "ive", "i'd", "i'll", "we", "we're",
                           "we've"))
_CLAUSE = re.compile(r",\s*(?:but|and|so|because|cos|though|although)\s+|;\s*|\s+but\s+|"
                     r"(?:,|\s+and|\s+so|\s+because)\s*(?=(?:i|i'm|i've|i'd|i'll)\b)|"
                     r"\s+-\s+|\s+—\s+", re.I)
SUGGESTION_MAX_WORDS = 16
GENERIC_REFLECTION = "It sounds like this has been weighing on you."
_FILLERS = frozenset("um uh er erm mm hmm mm-hmm yeah well okay ok like so oh".split())
_COMMON_EN = frozenset("""
the a an and or but to of in on at for with is are was were be been i you he she it we they
me my your his her our their this that what how why when where who do does did not no yes
have has had can could would should will just so about feel think want know like really
don't i'm you're it's that's you'll you've can't won't didn't isn't all if from as by more up
out there one some than then too very get go going make sure right back time now well good
""".split())

ROADBLOCK_TIPS = {
    "ordering": "telling the client what they must do tends to invite push-back",
    "warning": "warnings about consequences often raise defensiveness rather than motivation",
    "advice": "advice given without permission can feel like pressure; ask first "
              "('Would it be all right if I shared an idea?')",
    "persuading": "arguing the case for change usually makes the client argue the other side",
    "moralising": "telling the client what is right can sound like judgement",
    "judging": "judging or criticising can make it harder for the client to be open",
    "reassurance": "reassurance can feel like the worry is being brushed aside; reflecting "
                   "the worry shows you have understood it",
    "distracting": "changing the subject can tell the client their topic is unwelcome",
    "labelling": "labels such as 'alcoholic' or 'in denial' tend to provoke resistance",
    "why-question": "'why' questions can sound like a demand to justify oneself; "
                    "'what' or 'how' questions invite the same story more gently",
    "sarcasm": "sarcasm mocks the client, even as a joke, and tells them they are being judged",
    "self-disclosure": "talking about your own experience moves the focus from the client to "
                       "you, and 'I get it' can close the conversation down",
}
# The moves that are not listening, named for the learner in plain words.
MOVES = {
    "ordering": "tells the client what to do",
    "advice": "gives advice without asking",
    "warning": "warns the client about what will happen",
    "reassurance": "reassures the client",
    "judging": "judges the client",
    "labelling": "puts a label on the client",
    "moralising": "tells the client what is right",
    "sarcasm": "is sarcastic",
    "persuading": "argues the case for change",
    "self-disclosure": "talks about your own experience",
    "distracting": "changes the subject",
    "why-question": "asks 'why', which can sound like a demand to justify",
}


def safe(text: str, limit: int = 160) -> str:
    """Tag-free, single-line, length-limited plain text (cut at a word, never mid-word)."""
    text = _TAG.sub(" ", text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0]
    return text


def _you_clause(clause: str) -> str | None:
    """The clause turned from the client's "I" to "you", or None when it is not one in which
    the client speaks of themselves (it must open with I/I'm/we..., not mention "you", and be
    three to SUGGESTION_MAX_WORDS words long)."""
    words = [w for w in re.split(r"\s+", clause.strip()) if w]
    cores = [w.strip(",;:\"()").lower().replace("\u2019", "'") for w in words]
    while cores and cores[0] in _LEAD:
        words, cores = words[1:], cores[1:]
    if not cores or cores[0] not in _FIRST_PERSON:
        return None
    if not 3 <= len(words) <= SUGGESTION_MAX_WORDS:
        return None
    if any(c in ("you", "you're", "your", "you've", "you'd", "you'll", "yourself", "u", "ur")
           for c in cores):
        return None  # "like you asked": who is "you" once it is said back? Skip it.
    out = []
    for k, (w, c) in enumerate(zip(words, cores)):
        prev = cores[k - 1] if k else ""
        if c in _SWAP:
            out.append(_SWAP[c])
        elif c in _AGREE and prev in ("i", "we"):
            out.append(_AGREE[c])
        else:
            out.append(w.strip("\"()"))
    text = " ".join(out).rstrip(",;:-")
    return text[0].lower() + text[1:] if text else None


def suggest_reflection(client: str, examples=()) -> str | None:
    """A reflection to show the learner: the first of ``examples`` (a task's model answers)
    that is a statement, else "It sounds like ..." over the last clause in which the client
    speaks of themselves, else a plain reflection of how it sounds. None with no client."""
    for ex in examples or ():
        ex = safe(str(ex), 240)
        if ex and _is_statement(ex):
            return ex
    raw = safe(_TAG.sub(" ", client or "")[-600:], 600)
    if not raw:
        return None
    statements = [st.strip() for st in _SENT.findall(raw)
                  if st.strip() and not st.strip().endswith("?")]
    # a clause that would read back as a directive ("you've got to pick the kids up") or as
    # advice is no reflection to model: skip it
    said = [c for st in statements for c in map(_you_clause, _CLAUSE.split(st.rstrip(".!")))
            if c and _reads_as_reflection(f"It sounds like {c}.")]
    # the last such clause with some substance ("I don't know" says little back)
    pick = next((c for c in reversed(said) if len(c.split()) >= 5), said[-1] if said else None)
    return f"It sounds like {pick}." if pick else GENERIC_REFLECTION


def _reads_as_reflection(text: str) -> bool:
    from .rules import input_cue, roadblocks
    return not roadblocks(text) and input_cue(text) is None


def _is_statement(text: str) -> bool:
    sents = sentences(normalise(text))
    return bool(sents) and "?" not in text and question_form(
        opening_words(sents[0])) not in QUESTION_FORMS


def suggest_question(examples=()) -> str | None:
    """An open question from the task's model answers, if there is one."""
    for ex in examples or ():
        ex = safe(str(ex), 240)
        if ex.rstrip().endswith("?"):
            return ex
    return None


def certainty(confidence: float, probs: dict[str, float], code: str) -> str:
    pct = round(100 * confidence)
    names = {"question": "a question", "reflection": "a reflection",
             "therapist_input": "therapist input", "other": "'other'"}
    runner = sorted(((p, c) for c, p in probs.items() if c != code), reverse=True)
    if confidence >= 0.8:
        return f"The coach is fairly sure of this ({pct}%)."
    if confidence >= 0.6:
        return f"The coach is moderately sure of this ({pct}%)."
    if runner:
        p, c = runner[0]
        return (f"The coach is unsure ({pct}%); it could also be read as {names.get(c, c)} "
                f"({round(100 * p)}%). Treat this as a prompt to think, not a verdict.")
    return f"The coach is unsure ({pct}%)."


def looks_non_english(text: str) -> bool:
    toks = [t for t in tokens(normalise(text)) if t not in ("?", "!")]
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(1 for ch in letters if ord(ch) > 0x24F) / len(letters) > 0.5:
        return True
    if len(toks) >= 4 and sum(1 for t in toks if t in _COMMON_EN) / len(toks) < 0.12:
        return True
    return False


def hrq_score(code: str, subcode: str | None, blocks: list[str], response: str,
              client: str) -> int:
    """HRQ-style suggestion (1-5), after the Helpful Responses Questionnaire's scale.

    1 roadblock and no reflection; 2 a reflection mixed with a roadblock, or neither;
    3 a reflection that restates content; 4 a reflection that adds reasonable inferred meaning;
    5 adds meaning and names an accurate-seeming feeling or a metaphor.
    """
    if code != "reflection":
        return 1 if blocks else 2
    if blocks:
        return 2
    if subcode != "complex":
        return 3
    norm = normalise(response)
    feeling = any(t in FEELING_WORDS for t in tokens(norm))
    metaphor = bool(re.search(r"\b(like a|like an|as if|as though|part of you|on the one hand)\b",
                              norm))
    return 5 if (feeling or metaphor) else 4


def statement_with_question_mark(response: str) -> bool:
    """True if the last sentence ends with "?" but is built like a statement ("You're worried
    about him?", "So it feels like too much?"): no wh-word or auxiliary opens it once
    discourse markers are set aside. Such a line is a reflection said with a rising tone."""
    sents = sentences(normalise(response))
    if not sents or sents[-1][-1] != "?":
        return False
    words = opening_words(sents[-1])
    return len(words) >= 3 and words[0] not in QUESTION_OPENERS and \
        words[0] not in OPEN_OPENERS and "or" not in words  # "stop, or cut down?" asks


RISING_TONE = ("It is built like a statement, though, with a question mark at the end. If you "
               "meant it as a reflection, drop the question mark and let your voice go down at "
               "the end: said with a rising tone, a reflection tends to sound like a question "
               "and asks the client to confirm rather than to go on.")


EMPTY = ("You haven't written anything yet, so there is nothing to code or score. Read the "
         "client's words again and write what you would say back: one or two sentences that "
         "say, in your own words, what you heard.")


def long_note(n_chars: int) -> str:
    """The note that opens the feedback on a response longer than MAX_CHARS."""
    from .features import MAX_CHARS
    return (f"Your response is long ({n_chars:,} characters); the coach read only the first "
            f"{MAX_CHARS:,}. A reflection is usually one or two sentences.")


def _quote(text: str | None) -> str:
    return f"'{text}'" if text else ("a sentence that starts 'It sounds like you...' and says "
                                     "back what you heard")


def _moves(blocks: list[str]) -> str:
    names = [MOVES.get(b, b.replace("-", " ")) for b in blocks]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _watch(blocks: list[str]) -> str:
    names = ", ".join(b.replace("-", " ") for b in blocks)
    tips = "; ".join(ROADBLOCK_TIPS[b] for b in blocks[:2] if b in ROADBLOCK_TIPS)
    return f"Watch for a roadblock ({names}): {tips}."


def build(code: str, subcode: str | None, confidence: float, probs: dict[str, float],
          blocks: list[str], response: str, client: str, source: str, examples=()) -> str:
    """The feedback for a coded response (plain text). Praise only for listening with no
    roadblock: a response that orders, warns, reassures, confronts or turns to the speaker's
    own story has that move named, and a better response shown, whatever its code."""
    if not normalise(response):
        return EMPTY
    better = suggest_reflection(client, examples)
    parts: list[str] = []
    if code == "question":
        if blocks:
            kind = "an open" if subcode == "open" else "a closed"
            parts.append(f"That is {kind} question, but it also {_moves(blocks)}.")
            parts.append(f"Ask without the roadblock, or reflect first: {_quote(better)}")
        elif subcode == "open":
            parts.append("That is an open question: it invites the client to tell you more in "
                         "their own words. Nice.")
            parts.append("To build on it, answer what they say next with a reflection before "
                         "you ask another question (aim for two reflections per question), "
                         f"for example: {_quote(better)}")
        elif statement_with_question_mark(response):
            parts.append("The coach reads this as a closed question: it can be answered with "
                         "a yes or a no.")
            parts.append(RISING_TONE)
        else:
            parts.append("That is a closed question: it can be answered with a yes, a no or a "
                         "single fact, so the client has little room to explore.")
            open_q = suggest_question(examples) or "What matters most to you about this?"
            parts.append(f"Try saying back what you heard instead: {_quote(better)} Or open it "
                         f"up with 'what' or 'how', for example: '{open_q}'")
    elif code == "reflection":
        if blocks:
            # no praise: the roadblock is what the learner most needs to hear about
            parts.append(f"Part of this says back what the client said, but it also "
                         f"{_moves(blocks)}, so it is not yet a listening response.")
            parts.append(f"Leave out the part that {_moves(blocks)}, and let the reflection "
                         f"stand on its own, for example: {_quote(better)}")
        elif subcode == "complex":
            parts.append("That is a complex reflection: it goes beyond the client's words to "
                         "the meaning or feeling underneath. That is the heart of accurate "
                         "empathy, well done.")
            if not any(t in FEELING_WORDS for t in tokens(normalise(response))):
                parts.append("You could make it land even more by naming the feeling you "
                             "sense (worried, torn, fed up, hopeful...), then pause and let the "
                             "client correct or confirm it.")
            else:
                parts.append("Say it as a statement, with your voice going down at the end, "
                             "and give the client space to say more.")
        else:
            parts.append("That is a simple reflection: it says back what the client said, "
                         "which shows you are listening. Good foundation.")
            deeper = next((ex for ex in (examples or ()) if _is_statement(safe(str(ex), 240))),
                          None)
            parts.append("To deepen it, add the feeling or the meaning you hear underneath, "
                         "or what it says about what matters to them"
                         + (f", as in: '{safe(str(deeper), 240)}'" if deeper else
                            ", in a frame such as 'Part of you ..., and part of you ...' or "
                            "'...and that leaves you feeling ...'."))
        if statement_with_question_mark(response):
            parts.append("You wrote it with a question mark: say it with your voice going "
                         "down at the end, so that it lands as a reflection and not as a "
                         "question.")
    elif code == "therapist_input":
        kind = subcode or "information"
        directive = [b for b in blocks if b in ("ordering", "warning")]
        if directive:
            parts.append(f"That {_moves(directive)}: it is advice (therapist input, in MITI "
                         "terms), given as a directive.")
            parts.append("Directives tend to raise the client's defences rather than their "
                         f"own reasons to change. Reflect what you heard instead: "
                         f"{_quote(better)} If advice still seems needed, ask first: 'Would it "
                         "be all right if I shared an idea?'")
        elif kind == "advice":
            parts.append("That is advice (therapist input, in MITI terms).")
            parts.append("Advice lands best when the client has asked for it or given "
                         "permission. Before advising, try reflecting what you heard "
                         f"({_quote(better)}) and ask 'What ideas do you have?' first.")
        elif kind in ("options", "negotiation"):
            parts.append("That is therapist input: you are offering options or negotiating "
                         "the plan.")
            parts.append("Offering a menu is respectful of autonomy; check the client's view "
                         "afterwards: 'Which of these, if any, fits you?'")
        else:
            parts.append("That is giving information (therapist input, in MITI terms).")
            parts.append("Information helps most when it is asked for or offered with "
                         "permission. Try elicit-provide-elicit: ask what they already know, "
                         "share briefly, then ask 'What do you make of that?'")
    elif subcode == "reassurance":
        parts.append("That is reassurance: it tries to take the worry away rather than "
                     "understand it, so the client can feel brushed aside, however kindly it "
                     "is meant.")
        parts.append(f"Reflect the worry instead, for example: {_quote(better)}")
    elif subcode == "confrontation":
        parts.append(f"That {_moves([b for b in blocks if b in MOVES] or ['judging'])}: MITI "
                     "4.2.1 codes it as confronting the client, which tends to provoke "
                     "defensiveness and shame, not change.")
        parts.append(f"Try saying back what you heard instead: {_quote(better)}")
    elif subcode == "self-disclosure":
        parts.append("That is self-disclosure: it tells the client about your own experience, "
                     "which moves the focus from them to you (and 'I get it' can close the "
                     "conversation down).")
        parts.append(f"Keep the focus on the client, for example: {_quote(better)}")
    elif subcode == "affirmation":
        parts.append("That is an affirmation: it recognises the client's strengths, efforts or "
                     "values. MITI 4.2.1 codes it apart from reflections and questions (AnnoMI's "
                     "four codes count it as 'other').")
        parts.append("Affirmations build the partnership when they are specific and genuine, "
                     "about something the client did or cares about rather than general praise. "
                     f"Follow it with a reflection to keep the client talking: {_quote(better)} "
                     "(The HRQ-style score rates reflective listening only, so an affirmation "
                     "gets a middling score there.)")
    else:
        parts.append("The coach reads this as 'other': a greeting, a filler, a summary of the "
                     "session's structure or a remark that is neither a question, a "
                     "reflection nor information.")
        parts.append(f"If you meant to show understanding, try a reflection: {_quote(better)}")
    if blocks:
        parts.append(_watch(blocks))
    parts.append(certainty(confidence, probs, code))
    if looks_non_english(response) or (client and looks_non_english(client)):
        parts.append("The coach learned from English conversations, so take its code with "
                     "extra caution here.")
    if source != "model":
        parts.append("(The trained model could not be loaded, so this comes from simple "
                     "wording rules.)")
    return " ".join(parts)
