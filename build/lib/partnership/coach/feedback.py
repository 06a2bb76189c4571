"""Kind, specific, actionable feedback and an HRQ-style score, from a code and simple rules.

Nothing the learner typed is echoed back. Suggested reflections are built from the client's
statement (first person turned into second person); that text is stripped of tags and
HTML-escaped, so feedback shown in a web page can never carry markup from its inputs.
"""
from __future__ import annotations

import html
import re

from .features import (FEELING_WORDS, OPEN_OPENERS, QUESTION_OPENERS, normalise,
                       opening_words, sentences, tokens)

_TAG = re.compile(r"<[^>]{0,200}>")
_SENT = re.compile(r"[^.!?]+[.!?]?")
_SWAP = {
    "i": "you", "i'm": "you're", "im": "you're", "i've": "you've", "i'd": "you'd",
    "i'll": "you'll", "me": "you", "my": "your", "mine": "yours", "myself": "yourself",
    "am": "are", "was": "were", "we": "you", "we're": "you're", "our": "your", "us": "you",
}
_FILLERS = frozenset("um uh er erm mm hmm mm-hmm yeah well okay ok like so oh".split())
_COMMON_EN = frozenset("""
the a an and or but to of in on at for with is are was were be been i you he she it we they
me my your his her our their this that what how why when where who do does did not no yes
have has had can could would should will just so about feel think want know like really
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
}


def safe(text: str, limit: int = 120) -> str:
    """Tag-free, escaped, single-line, length-limited text that is safe to put in feedback."""
    text = _TAG.sub(" ", text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "..."
    return html.escape(text, quote=False)


def mirror(client: str, max_words: int = 14) -> str:
    """The gist of the client's last full sentence, turned from 'I' into 'you'. '' if none."""
    raw = _TAG.sub(" ", client or "")[-600:]
    sentences = [s.strip() for s in _SENT.findall(raw) if len(s.split()) >= 3]
    statements = [s for s in sentences if not s.endswith("?")]
    if not statements:
        return "you have a question about this" if sentences else ""
    sent = statements[-1].rstrip(".!?").strip()
    words = []
    for w in sent.split():
        core = w.strip(",;:\"()").lower().replace("\u2019", "'")
        if not words and core in _FILLERS:
            continue
        words.append(_SWAP.get(core, w.strip("\"()")))
    if len(words) < 2:
        return ""
    if len(words) > max_words:
        words = words[:max_words] + ["..."]
    out = " ".join(words)
    return safe(out[0].lower() + out[1:], 140) if out else ""


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


def build(code: str, subcode: str | None, confidence: float, probs: dict[str, float],
          blocks: list[str], response: str, client: str, source: str) -> str:
    gist = mirror(client)
    you_said = f"It sounds like {gist}." if gist else "It sounds like you're ..."
    parts: list[str] = []
    if not normalise(response):
        return ("You haven't written a response yet. Read the client's words again and try "
                "saying back, in your own words, what you heard: "
                f"'{you_said}'")
    if code == "question":
        if subcode == "open":
            parts.append("That is an open question: it invites the client to tell you more in "
                         "their own words. Nice.")
            parts.append("To build on it, answer what they say next with a reflection before "
                         "you ask another question (aim for two reflections per question), "
                         f"for example: '{you_said}'")
        elif statement_with_question_mark(response):
            parts.append("The coach reads this as a closed question: it can be answered with "
                         "a yes or a no.")
            parts.append(RISING_TONE)
        else:
            parts.append("That is a closed question: it can be answered with a yes, a no or a "
                         "single fact, so the client has little room to explore.")
            parts.append(f"Try saying back what you heard instead: '{you_said}' Or open it up "
                         "with 'what' or 'how', for example: 'What matters most to you about "
                         "this?'")
    elif code == "reflection":
        if subcode == "complex":
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
            parts.append("To deepen it, add the feeling or the meaning you hear underneath, "
                         "or what it says about what matters to them: "
                         + (f"'{you_said[:-1]}, and part of you feels ...'" if gist else
                            "'You're ..., and part of you feels ...'"))
        if statement_with_question_mark(response):
            parts.append("You wrote it with a question mark: say it with your voice going "
                         "down at the end, so that it lands as a reflection and not as a "
                         "question.")
    elif code == "therapist_input":
        kind = subcode or "information"
        if kind == "advice":
            parts.append("That is advice (therapist input, in MITI terms).")
            parts.append("Advice lands best when the client has asked for it or given "
                         "permission. Before advising, try reflecting what you heard "
                         f"('{you_said}') and ask 'What ideas do you have?' first.")
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
    elif subcode == "affirmation":
        parts.append("That is an affirmation: it recognises the client's strengths, efforts or "
                     "values. MITI 4.2.1 codes it apart from reflections and questions (AnnoMI's "
                     "four codes count it as 'other').")
        parts.append("Affirmations build the partnership when they are specific and genuine, "
                     "about something the client did or cares about rather than general praise. "
                     f"Follow it with a reflection to keep the client talking: '{you_said}' "
                     "(The HRQ-style score rates reflective listening only, so an affirmation "
                     "gets a middling score there.)")
    else:
        parts.append("The coach reads this as 'other': a greeting, a filler, a summary of the "
                     "session's structure or a remark that is neither a question, a "
                     "reflection nor information.")
        parts.append(f"If you meant to show understanding, try a reflection: '{you_said}'")
    if blocks:
        names = ", ".join(b.replace("-", " ") for b in blocks)
        tips = "; ".join(ROADBLOCK_TIPS[b] for b in blocks[:2] if b in ROADBLOCK_TIPS)
        parts.append(f"Watch for a roadblock ({names}): {tips}.")
    parts.append(certainty(confidence, probs, code))
    if looks_non_english(response) or (client and looks_non_english(client)):
        parts.append("The coach learned from English conversations, so take its code with "
                     "extra caution here.")
    if source != "model":
        parts.append("(The trained model could not be loaded, so this comes from simple "
                     "rules.)")
    return " ".join(parts)
