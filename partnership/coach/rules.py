"""Simple, transparent rules: Gordon-style roadblocks, and a rule-based fallback coder.

The roadblock rules are deliberately plain phrase lists, so a learner (or an instructor) can see
exactly why a response was flagged. The fallback coder is used only when the trained model file
cannot be loaded; normally the trained model decides the code.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

from .features import (ADVICE_CUES, FEELING_WORDS, OPEN_OPENERS, QUESTION_FORMS,
                       QUESTION_OPENERS, REFLECTION_STEMS, content_stems, normalise,
                       opening_words, question_form, sentences, tokens)

# name -> phrases (matched on the normalised, lower-cased text, at word boundaries)
ROADBLOCKS: dict[str, tuple[str, ...]] = {
    "ordering": ("you need to", "you have to", "you must", "you've got to", "you have got to",
                 "you gotta", "you got to", "i want you to", "just do it", "i'd really like you to",
                 "i would really like you to", "i need you to", "you really need",
                 "you can't keep", "you cannot keep"),
    "warning": ("if you don't", "if you do not", "if you keep", "if you carry on", "or else",
                "you'll end up", "you will end up", "you're going to end up", "you'll regret it",
                "you could die", "you're going to die", "it will kill you", "it'll kill you",
                "the longer you leave it", "before it's too late", "you'll lose", "you will lose",
                "you're going to lose", "you'll only make it worse", "you'll make it worse"),
    "advice": ("you should", "you ought to", "why don't you", "i suggest", "i'd suggest",
               "i would suggest", "i recommend", "i'd recommend", "i would recommend",
               "my advice", "have you tried", "you could try", "just try to", "maybe try to",
               "the best thing to do", "the best thing you can do", "the best thing would be",
               "the best thing is to", "the best thing is", "what you need is", "if i were you",
               "you might want to", "you'd better", "you had better", "you really should"),
    "persuading": ("the fact is", "the facts are", "research shows", "studies show",
                   "you have to admit", "yes, but", "yes but", "the problem is that you",
                   "let me tell you"),
    "moralising": ("the right thing", "you ought", "it's wrong to", "it is wrong to",
                   "you're supposed to", "you are supposed to", "responsible thing"),
    "judging": ("that's wrong", "that was wrong", "that's stupid", "that was stupid",
                "that's silly", "that was silly", "that's bad", "you're wrong", "your fault",
                "that's not a good idea", "that's a pretty poor", "that's pretty poor",
                *(f"{b} {w}" for b in ("you're being", "you are being", "stop being")
                  for w in ("stupid", "silly", "ridiculous", "selfish", "lazy", "dramatic",
                            "difficult", "unreasonable", "childish", "paranoid", "naive",
                            "over the top", "a baby", "irresponsible")),
                # confronting the client's account: "excuses", "kidding yourself"
                "making excuses", "make excuses", "just an excuse", "just excuses",
                "excuses, excuses", "another excuse", "a cop-out", "a cop out",
                "kidding yourself", "fooling yourself", "lying to yourself", "you're lying",
                "you are lying", "you're not even trying", "you aren't even trying",
                "you're not really trying", "you don't really want to change",
                "you don't really want to stop", "only yourself to blame",
                "brought this on yourself", "playing the victim", "face the facts",
                "face facts", "be honest with yourself"),
    "reassurance": ("don't worry", "do not worry", "it'll be fine", "it will be fine",
                    "it'll be ok", "it will be ok", "it'll be okay", "it will be okay",
                    "it's going to be fine", "it's going to be ok", "everything will be",
                    "i'm sure it will", "i'm sure you'll", "you'll be fine", "you will be fine",
                    "it's not that bad", "it isn't that bad", "everyone feels", "cheer up",
                    "look on the bright side", "at least you", "at least it's", "at least it",
                    "at least they", "at least he", "at least she", "i'm sure it'll", "i'm sure you will",
                    "i'm sure he'll", "i'm sure she'll", "i'm sure they'll", "no need to worry",
                    "nothing to worry about", "try not to worry", "it'll all work out",
                    "it will all work out", "things will get better", "it'll get better",
                    "it will get better", "you'll get through", "you will get through",
                    "it happens to everyone", "plenty of people", "you're overthinking",
                    "stop worrying"),
    "distracting": ("let's talk about something else", "let's not talk about",
                    "enough about that", "anyway,", "moving on", "let's change the subject"),
    "labelling": ("you're an alcoholic", "you are an alcoholic", "you're an addict",
                  "you are an addict", "you're in denial", "you are in denial"),
    # mockery: praise or a question that means the opposite
    "sarcasm": ("want a medal", "wants a medal", "deserve a medal", "get a medal",
                "a gold star", "surprise, surprise", "surprise surprise",
                "what a shocker", "brilliant way to", "great way to", "well, that went well",
                "that went well then", "good luck with that", "how nice for you", "must be nice", "what did you expect", "told you so",
                "give you a prize", "throw you a party", "nice one, genius", "so what, big deal"),
    # the clinician's own story: the focus moves from the client to the speaker
    "self-disclosure": ("i used to drink", "i used to smoke", "i used to use", "i used to be",
                        "i used to do", "i used to have", "i used to feel", "i used to get",
                        "i went through", "i've been there", "i have been there",
                        "i had the same", "i had a similar", "the same happened to me",
                        "same thing happened to me", "happened to me too", "me too",
                        "same here", "i was the same", "i did the same", "i did that too",
                        "in my own life", "when i was your age", "i struggled with",
                        "i know exactly how you feel", "i know exactly what you mean",
                        "i'm the same", "i do that too", "i drink too", "i smoke too"),
}

_WHY = re.compile(r"(?:^|[.!?]\s*)why\b(?![^?]*\bnot\b\s+\w+\s+(?:try|think))", re.I)
# after a phrase: "you should be proud" praises; "you must have been..." guesses a feeling
_NOT_AFTER = {"you should": r"(?! be (?:really |so |very )?proud)",
              "you must": r"(?! have been| feel| be (?:so |really )?(?:tired|exhausted|"
                          r"worried|scared|proud))"}
_PATTERNS = {
    name: re.compile("|".join(r"(?<![a-z'])" + re.escape(p) + (r"(?![a-z'])" if p[-1].isalpha()
                                                                else "") + _NOT_AFTER.get(p, "")
                              for p in phrases))
    for name, phrases in ROADBLOCKS.items()
}


def roadblocks(response: object) -> list[str]:
    """Names of the roadblocks the response contains, in a fixed order. Never raises."""
    return _roadblocks(normalise(response))


# The rules below each have a public form (any object in) and a private form on text already
# normalised, so that adjust() and input_type_cue() normalise and scan for roadblocks once.
# what the client or someone else fears, thinks or said, reported back: "You're worried you'll
# lose your job", "Your mum says you need to move out" (a reflection, not a warning or an order)
_REPORTED = re.compile(r"(?:worried|scared|afraid|fear|fears|frightened|terrified|worry|"
                       r"worrying|think|thinks|thinking|feel|feels|feeling|believe|believes|"
                       r"said|says|told you|tells you|telling you|wonder|wondering|convinced|"
                       r"saying|reckon|reckons|knows?|hear|heard|feel like|feels like|"
                       r"feeling like)(?: that)?,?\s*$")
_REPORTABLE = ("ordering", "warning", "advice", "moralising")
# someone else's judgement, or the client's fear of one, said back: "Your dad thinks you're
# making excuses", "You worry people will think it's just an excuse" (a reflection)
_REPORTED_JUDGEMENT = re.compile(
    r"\b(?:(?:he|she|they|people|everyone|someone|others|(?:your|his|her|their) \w+)\s+"
    r"(?:\w+\s+)?(?:thinks?|thought|says?|said|feels?|felt|believes?|reckons?|told you|"
    r"tells you|keeps? (?:saying|telling you)|accuses? you|accused you|calls? it|called it)|"
    r"\byou(?:'re| are)?\s+(?:feel|feeling|worried|worry|worrying|scared|afraid|fear|"
    r"wonder|wondering)\b)")


def _roadblocks(text: str) -> list[str]:
    return list(_roadblocks_cached(text))


@lru_cache(maxsize=64)
def _roadblocks_cached(text: str) -> tuple[str, ...]:
    """The scan itself, remembered for the last few texts: one response is scanned by several
    rules (the code, the sub-code, the score, the feedback), always on the same text."""
    found = []
    for name, pat in _PATTERNS.items():
        for m in pat.finditer(text):
            if name in _REPORTABLE and _REPORTED.search(text, max(0, m.start() - 30),
                                                         m.start()):
                continue
            if name == "judging" and _REPORTED_JUDGEMENT.search(text, max(0, m.start() - 50),
                                                                m.start()):
                continue
            found.append(name)
            break
    if "?" in text and _WHY.search(text):
        found.append("why-question")
    return tuple(found)


def feeling_words(text: object) -> list[str]:
    return [w for w in tokens(normalise(text)) if w in FEELING_WORDS]


# A question put as a statement ("I'm curious what goes through your mind."): MITI codes the
# request for information, so these are questions; "whether"/"if" makes them closed.
_STATEMENT_QUESTION = re.compile(
    r"(?:(?:so|and|okay|ok|well|right),? )*(?:i'm (?:really |just )?curious|i am curious|"
    r"i (?:do )?wonder|i'm wondering|i'd (?:really )?(?:like|love) to (?:hear|know|understand))"
    r" (?:about|what|how|why|when|where|who|which|more|whether|if)\b"
    r"(?! it(?:'d| would) be like)"
    # "I wonder if part of you is tired of fighting": a tentative reflection
    r"(?! (?:part of you|you(?:'re| are) feeling|you feel|you(?:'re| are) (?:a bit |quite |"
    r"really )?(?:tired|scared|worried|angry|sad|hurt|let down|fed up))\b)")  # "I wonder what it'd be like if you..." suggests


def is_statement_question(text: object) -> bool:
    return bool(_STATEMENT_QUESTION.match(normalise(text)))


def question_kind_cue(text: object) -> str | None:
    """'open' or 'closed' where the wording fixes a question's kind, else None (the learned
    head decides): a question put as a statement ("I wonder whether..."); a request to tell
    ("Can you tell me more about..."), open; a question asking for a number ("How long / how
    many / how often..."), or one built on an auxiliary ("Do you...", "Is it...", "Can I..."),
    closed, question mark or not."""
    norm = normalise(text)
    if _STATEMENT_QUESTION.match(norm):
        return "open" if is_open_question(norm) else "closed"
    form = _question_sentence_form(norm)
    if form == "request":
        return "open"
    if form in ("how_quant", "aux_subj", "permission"):
        return "closed"
    return None


def _question_sentence_form(text: str) -> str | None:
    """The form (``features.question_form``) of the sentence that asks: the last one with a
    question mark, or with none, the last sentence."""
    sents = sentences(text)
    asked = [s for s in sents if s[-1] == "?"] or sents[-1:]
    return question_form(opening_words(asked[-1])) if asked else None


DIRECTIVE = frozenset(("ordering", "advice", "warning"))
CONFRONTING = frozenset(("judging", "labelling", "moralising", "sarcasm"))


def other_move(response: object) -> str | None:
    """What an 'other' response does instead of listening, named for the learner (never
    praised): 'confrontation' (sarcasm, judging, labelling, moralising), 'reassurance' or
    'self-disclosure'; None for anything else (small talk, an affirmation...)."""
    blocks = set(_roadblocks(normalise(response)))
    if CONFRONTING & blocks:
        return "confrontation"
    if "reassurance" in blocks:
        return "reassurance"
    if "self-disclosure" in blocks:
        return "self-disclosure"
    return None


def is_open_question(text: object) -> bool:
    toks = [t for t in tokens(normalise(text)) if t not in ("?", "!")]
    t = " ".join(toks)
    if not toks:
        return False
    if toks[0] in OPEN_OPENERS or t.startswith(("tell me", "say more", "help me understand")):
        return True
    m = _STATEMENT_QUESTION.match(t)
    if m:
        return not t[m.end() - 7:m.end()].endswith(("whether", " if"))
    # "Do you want to tell me what happened?" reads as closed in form; MITI codes the form.
    return False


def rule_code(response: object, client: object = "") -> tuple[str, dict[str, float]]:
    """A rule-based coder used only when the model cannot be loaded: code and rough probabilities."""
    resp = normalise(response)
    toks = [t for t in tokens(resp) if t not in ("?", "!")]
    if not toks:
        return "other", {"question": 0.05, "reflection": 0.05, "therapist_input": 0.05,
                         "other": 0.85}
    cli = normalise(client)
    scores = {"question": 0.1, "reflection": 0.1, "therapist_input": 0.1, "other": 0.1}
    if "?" in resp or toks[0] in QUESTION_OPENERS:
        scores["question"] += 2.0 if resp.rstrip().endswith("?") else 1.0
    head = " ".join(toks[:4])
    if any(head.startswith(s) for s in REFLECTION_STEMS):
        scores["reflection"] += 1.2
    rs, cs = content_stems(resp), content_stems(cli)
    if rs and cs:
        scores["reflection"] += 1.5 * len(rs & cs) / len(rs)
    if any(c in resp for c in ADVICE_CUES) or roadblocks(resp):
        scores["therapist_input"] += 1.3
    if len(toks) <= 3 and "?" not in resp:
        scores["other"] += 1.5
    total = sum(scores.values())
    probs = {k: v / total for k, v in scores.items()}
    return max(probs, key=probs.get), probs


# Written therapist input and pleasantries that learners type but AnnoMI's spoken therapists
# rarely say in so many words, so the model alone calls them reflections. Each cue names the
# input type it signals; they are checked in this order, on statements only (no "?").
def _phrases(*phrases: str) -> re.Pattern:
    return re.compile("|".join(r"(?<![a-z'])" + re.escape(p) + r"(?![a-z'])" for p in phrases))


INPUT_CUES: dict[str, re.Pattern] = {
    "options": re.compile(
        r"(?<![a-z'])(?:(?:some (?:people|folks)\b[^.]*\b(?:others|some)\b"
        r"|there are (?:a few|several|different|lots of|a number of|many) "
        r"(?:ways|options|routes|things|approaches|choices|directions|possibilities|paths))"
        r"(?![^.,;]*\byou(?:'re|r)?\b(?! could| might| can))"
        r"|one option|another option|you could either"
        r"|any (?:one )?of (?:those|these|them) (?:might|could|may|would)"
        r"|(?:could|can)(?!'t|not)\b[^.?]*, or\b[^.?]*, or\b)"),  # "X could A, or B, or C"
    "negotiation": re.compile(
        r"(?<![a-z'])(?:let's|let us|i'd like us to|i would like us to|we could|how about we"
        r"|we can look at|shall we|i thought we could|decide together"
        r"|we(?:'ve| have) got (?:about |around )?\w+ minutes"
        r"|(?:i'd like to|we could|we can|suggest we) spend (?:some of |the rest of )?"
        r"(?:today|it|the time|our time|the session))(?![a-z'])"),
    "advice": re.compile(
        r"(?<![a-z'])(?<!scared )(?<!afraid )(?<!worried )(?<!terrified )"
        r"(?:you could(?! (?:\w+ )?have (?:been|had|\w+ed|died|lost|gone|known)\b)"
        r"(?! (?:lose|be|see|tell|hear|feel|barely|hardly|end up|die|not|never)\b)"
        r"|you might try|you may want to|you might (?:want to )?consider|i'd advise"
        r"|why not try|maybe try|it's (?:really )?(?:important|a good idea|worth) to"
        # typed, informal: "might be an idea to...", "why not just...", "how about you..."
        r"|(?:might|may|could|would) be an idea to|why not just|how about you"
        r"|(?:how|what) about (?:trying|getting|using|putting|asking|keeping|setting|going|"
        r"taking|writing|booking|calling|ringing|talking)"
        r"|(?:it's|its|it is|it'd be|it would be|might be|could be) (?:well )?worth a "
        r"(?:try|go|shot)"
        r"|a good (?:first )?step (?:would be|might be|is)|one idea (?:is|would be|might be)"
        r"|it (?:might|may|could|can|would) help to|it helps to"
        r"|(?:i|we)(?:'d| would)? (?:really |strongly |gently )?(?:encourage|suggest|recommend)"
        r"(?! we\b)"
        r"|my (?:suggestion|recommendation)|would be my (?:suggestion|recommendation|advice)"
        r"|(?:it|it's|it is|it'd|it would|it might|it may|it could) (?:be )?"
        r"(?:really |definitely )?worth \w+ing"
        r"|(?:might|would|could) be a good idea|you (?:might|may) find it (?:easier|helpful|"
        r"useful|easiest)|if it were me|(?:if i were|in) your shoes,? i(?:'d| would))(?![a-z'])"),
    # a finding or a claim about people in general; not one about the client ("A lot of
    # people depend on you"), nor what is normal in the client's own world ("In your family,
    # drinking every day is normal"): the sentence must not speak of "you"
    "information": re.compile(
        r"(?<![a-z'])(?:(?:research|studies|the evidence|evidence|trials|guidelines)"
        r"(?: [a-z-]+){0,4} (?:shows?|suggests?|says?|has shown|have shown|found|finds|"
        r"recommends?|is clear)"
        r"|a study (?:found|showed|shows|suggests)|there's (?:good |some |strong )?evidence"
        r"|according to|(?:most|many|some|a lot of) people|people often)(?![a-z'])"
        r"(?![^.,;]*\b(?:you|you're|yourself)\b)"
        r"|(?<![a-z'])(?<!your )(?:it's common|is common|are common|a common|commonly|on average"
        r"|very common|is normal|are normal|a normal part of|perfectly normal)(?![a-z'])"
        r"(?![^.,;]*\b(?:you|your|you're|yourself)\b)"),
}
# what a named service or professional offers: information, even when it speaks of "your" GP
_SERVICE = re.compile(
    r"(?<![a-z'])(?:your|the) (?:[a-z-]+ ){0,2}(?:gp|doctor|nurse|pharmacist|midwife|keyworker|"
    r"key worker|health visitor|social worker|team|clinic|service|practice|surgery|counsellor|"
    r"physio|helpline|programme|program|centre|center|group)s? (?:here )?(?:can(?!'t)|could|"
    r"will be able to|offers?|runs?|provides?)\b(?![^.;]*(?:, (?:but|and) (?:you|that)|"
    r"you said|you think))")
# a test result given to the client: "Your bloods came back normal", "Your scan shows..."
_RESULTS = re.compile(r"(?:^|[.!;]\s+)(?:(?:so|okay|ok|right|well|good news),? )*(?:your|the) "
                      r"(?:[a-z]+ )?(?:results?|tests?|bloods|blood tests?|scans?|x-rays?|levels|"
                      r"readings?|numbers|liver function|ecg|mri) (?:have |has )?(?:came|come|"
                      r"show|shows|showed|shown|were|are|is|was|look|looks|looked)\b"
                      r"(?![^.;,]*\b(?:you|you're|you've|you'd|you'll)\b)")
# an imperative opening a sentence: "Try ...", "Ask for a meeting ...", "Make sure ..."
_TRY = re.compile(r"(?:^|[.!;]\s+)(?:just |maybe |perhaps |honestly,? )?"
                  r"(?:try|ask (?:for|your|a|the|about|if|whether)"
                  r"|get (?:a|an|some|yourself|your)\b|put (?:them|it|your|the)\b"
                  r"|leave (?:them|it)\b(?! (?:with me|to me))|use (?:a|an|the|your)\b|buy (?:a|an|some)\b"
                  r"|go (?:to|and see|for a)\b|see (?:your|a|the) (?:gp|doctor|nurse|pharmacist)"
                  r"|tell (?:her|him|them|your)\b|take (?:a|your|some|them|it)\b(?! (?:seat|"
                  r"time|minute|moment|breath|look at this|second))|join (?:a|the)\b"
                  r"|talk to(?! me\b)|speak to(?! me\b)|make sure|have a (?:word|chat|think|look)"
                  r"|give (?:it|them|yourself) a (?:go|try)|book (?:a|an|in)"
                  r"|(?:ring|phone|call) (?:your|the|a|them|him|her)|avoid|cut (?:down|back)"
                  r"|stop(?! me\b)(?!,)|keep (?:a|to|taking|trying)|write (?:down|it)"
                  r"|set (?:a|an|yourself|up)|consider|think about|remember to"
                  r"|don't be (?:too )?hard on yourself|be kind to yourself)\b")
# what someone else says or thinks, reported back ("Try harder, your dad says"; "The doctor
# said you should cut down"; "You're scared you could lose the kids"): a reflection, not input
_ATTRIBUTED = re.compile(
    r"(?:,|—|–| -)\s*(?:you|they|he|she|everyone|people|your \w+)(?: \w+)? (?:think|thinks|"
    r"feel|feels|said|say|says|told you|tell you|tells you|keeps? saying|reckon|reckons|"
    r"believe|believes)\b"
    r"|\bis (?:what|all) (?:you|they|he|she|everyone|your \w+)\b"
    r"|\b(?:said|says|say|told you|tells you|telling you|keeps? saying|know|think|believe)"
    r" (?:that )?you (?:should|could|need|have to|must|ought)\b"
    r"|\b(?:says|said|say|asks?|asked|keeps? asking|keeps? saying),? (?:why don't you|"
    r"you should|just)\b"
    r"|\bthat's (?:how|what|all) you|\bthat's (?:your|their|his|her) (?:plan|idea|thinking|"
    r"view|hope|approach|attitude)\b"
    r"|\b(?:scared|afraid|worried|terrified) (?:that )?you could\b")
# Information stated plainly: an impersonal statement (no "you", no "I"/"we") that carries a
# marker of general fact (a number, "usually", "most", "risk", "units", "the body"...). Learners
# write facts this way; a reflection nearly always speaks of the client ("you", "your").
_PERSONAL = frozenset("you your you're you've you'd you'll yourself yours i i'm i've i'd i'll me "
                      "my we we're us our let's".split())
# "your" before these is the general second person of a stated fact ("Smoking raises your
# risk of..."), not the client's own story
_GENERIC_YOUR = re.compile(r"\byour (?:risk|chances?|body|liver|lungs?|heart|brain|memory|"
                           r"sleep|blood pressure|blood sugar|mood|health)\b")
_FACT = re.compile(r"\d|%|per ?cent|\b(?:usually|typically|generally|often|most|many|risk|"
                   r"units?|guidelines?|recommended|can cause|tends? to|the body|the brain|"
                   r"common|normal|likely|can (?:bring on|lead to|trigger|make|affect|help)|"
                   r"reduces|increases|lowers|raises|(?:once|twice|\w+ times) a (?:day|week|month)"
                   r")\b|"
                   r"\bwithin (?:a|the|\w+) (?:few )?(?:hours|days|weeks|months)\b")
PLAIN_FACT_MIN_WORDS = 6


def is_plain_fact(text: str) -> bool:
    """``text`` normalised: a statement whose first sentence is impersonal and carries a marker
    of general fact (a later sentence may turn to the client: "..., not a sign you're...")."""
    if "?" in text:
        return False
    first = next((" ".join(s) for s in sentences(text) if len(s) >= 3), "")
    for part in (text, first):
        if part.startswith(("that's", "that is")):
            continue  # "That's a lot of change in 2 weeks": said back to the client
        words = {t for t in tokens(_GENERIC_YOUR.sub("", part)) if t not in ("?", "!")}
        if (len(words) >= PLAIN_FACT_MIN_WORDS and not (words & _PERSONAL)
                and _FACT.search(part)):
            return True
    return False


_LOGISTICS = re.compile(r"just so you know,? (?:we|i)(?:'ll| will)? (?:need|have) to "
                        r"(?:finish|stop|end|leave|go)")
PLEASANTRY_GUARDS = re.compile(r"thanks to\b|sorry,? so you\b|sorry is\b|sorry (?:to hear|you)")
PLEASANTRIES = _phrases("thank you", "thanks", "i appreciate", "congratulations", "well done",
                        "hello", "hi", "welcome", "nice to see you", "good to see you",
                        "it's good to see", "i'm glad", "good morning", "good afternoon",
                        "apologies", "excuse me", "let me get you", "let me grab you",
                        "let me fetch you", "take your time", "there's no rush", "no rush",
                        "grab a seat", "take a seat", "have a seat",
                        "make yourself comfortable", "come in", "i'll email you", "i'll send you",
                        "i'll text you", "i'll post", "i'll print")
# MITI 4.2.1 codes an affirmation ("Affirm": a genuine statement of the client's strengths,
# efforts, values or worth) on its own, not as a reflection; AnnoMI's four codes have no place
# for it, and its coders filed the few there under reflection or other. For a learner the
# MITI view matters (affirmations do not count towards the reflection-to-question ratio), so
# a statement with one of these phrases is coded other, with the sub-code "affirmation".
AFFIRMATIONS = re.compile(r"(?<![a-z'])(?:" + "|".join((
    r"well done", r"good for you",
    r"i'm (?:really |so |very )?(?:impressed|proud)", r"you should be (?:really |very )?proud",
    r"be proud of",
    r"(?:takes|took|taking|showed|shows) (?:a lot of |real |some |so much |great )?"
    r"(?:courage|guts|strength|determination|commitment|effort|honesty|self-respect|"
    r"self-control|grit)",
    r"(?:that's|that is|it's|it is|is|was) (?:a |an |such a |such an )?"
    r"(?:real |big |huge |great |genuine )?(?:achievement|accomplishment)",
    r"(?:a|an) (?:real|big|huge|great|genuine) (?:achievement|accomplishment)",
    r"(?:that's|that is|it's|it is) (?:a |such a )?(?:big|huge|real|important) step",
    r"you(?:'ve| have) (?:worked|tried|fought) (?:so |really |very )?hard",
    r"you(?:'re| are) (?:doing|done) (?:a |such a )?"
    r"(?:great|good|brilliant|fantastic|amazing|wonderful|excellent) job",
    r"says a lot (?:about you|that you)", r"(?:it's|it is) clear how much you",
    r"counts for a lot", r"you clearly (?:care|love|want)",
    r"you(?:'re| are) (?:clearly |really |obviously )?(?:a |such a )?(?:really |very |so )?"
    r"(?:determined|resourceful|committed|resilient|caring|strong|brave|thoughtful)"
    r"(?: (?:person|parent|mum|mom|dad|father|mother|friend|partner)|\s*(?:[.!]|$))",
    r"(?:lucky|fortunate) to have you",
    # evaluative words for what the client did or is (a qualifier makes them praise)
    r"(?:real|serious|such|great|a lot of|so much) (?:grit|determination|dedication|"
    r"persistence|perseverance|self-control|self-respect|resilience|resourcefulness|initiative)",
    r"(?:a |such a |what a )?(?:real|genuine) (?:strength|win|achievement|accomplishment)",
    r"no small (?:thing|feat|step)", r"a huge step",
    r"(?:clever|smart|creative|mature|wise|brave|sensible) "
    r"(?:idea|decision|choice|move|step|plan|way)",
    r"(?:a|such a) (?:really |very )(?:clever|smart|creative|mature|wise|brave|sensible) "
    r"(?:idea|decision|choice|move|step|plan|way)",
    r"(?:that's|that is|that was|what a) (?:a )?(?:really |very |so )?"
    r"(?:clever|smart|creative|mature|wise|brave|impressive|admirable|thoughtful|generous|"
    r"considerate|insightful)\b",
    r"shows (?:that )?you(?:'re| are) (?:really |clearly )?(?:willing|serious|committed|"
    r"determined|ready|taking|making|trying|looking after|thinking ahead)",
    r"shows how (?:much you|seriously you|hard you|committed you)",
    # the speaker's regard, and the client as the agent of the change
    r"i (?:really )?(?:admire|respect)", r"i'm (?:struck|impressed) by",
    r"i can (?:tell|see) (?:that )?you (?:really )?(?:care|take|mean)",
    r"you(?:'re| are) the one who (?:made|did|decided|chose|took|found|got|put|kept|stuck)", r"you (?:made|did) (?:it|that) (?:happen|yourself)",
    r"you (?:created|built|managed|did) (?:it|that|this) (?:yourself|on your own)",
    r"(?:took|take) it on your own", r"give yourself (?:some )?credit",
    r"more than (?:a lot of|most|many) people (?:manage|would|do)", r"not everyone would",
    r"(?:most|many|a lot of) people would(?:n't)? have (?:given up|stopped|walked away|quit)",
    r"you(?:'re| are) (?:really |very |so )?good at(?! (?:hiding|covering|pretending|putting|"
    r"keeping it|bottling|making excuses))",
    # what the client has kept doing, given or been, said as recognition
    r"(?:and|but|yet) you(?:'ve| have) (?:done|managed) it",
    r"you(?:'ve| have) been (?:\w+ )?(?:devoted|open|honest|brave|patient|committed|"
    r"consistent|dedicated|determined|generous|persistent|courageous|resourceful)\b",
    r"you(?:'ve| have) kept (?:going|at it|coming back|trying|showing up|turning up)\b"
    r"(?! back to| to the same)",
    r"you(?:'ve| have) put (?:a lot of|so much|real|a huge amount of|a great deal of|"
    r"serious) (?:work|effort|energy|thought|care)",
    r"(?:that's|that is|which is|it's|it is) a (?:real |genuine |big |huge )?strength",
    r"(?:that|this|your) (?:kind of )?(?:persistence|determination|commitment|effort|courage|"
    r"honesty) (?:really |will )?(?:counts|matters|shows|carry|carries)",
    r"your (?:commitment|love|care|determination|honesty|courage|dedication|persistence)\b"
    r"(?! (?:to|for) (?:the |drink|drinking|smoking|using|gambling|the bottle))"
    r"[^.?!]*\b(?:comes through|shines through|shows)\b",
    r"you(?:'ve| have) already (?:shown|proved|proven|achieved)",
    r"(?:took|taken|taking|made) (?:a |an )?(?:real |concrete |big |important |brave |first )"
    r"(?:step|stand)\b(?! back| away| down| backwards)",
    r"(?:clearly|obviously) (?:someone|somebody|a person) who",
    r"you(?:'re| are) (?:tougher|stronger|braver|wiser) than", r"thrown yourself into",
    r"(?:takes|took|taking) (?:real |a lot of |some |so much )?(?:persistence|patience|"
    r"perseverance|bravery|resilience)",
    r"(?:takes|took) a lot to (?:tell|say|share|come|ask|admit|talk|open up)",
    r"(?:an|a real|a huge|such an) act of (?:love|courage|kindness|care|bravery|faith)",
    r"(?:something|what) you(?:'ve| have) (?:built|achieved|earned|done) (?:yourself|on your own|"
    r"by yourself)",
    r"says (?:a lot|so much|something) about (?:you|the kind of|the sort of|who you are|how much)",
    r"(?:appreciate|value|admire) your (?:honesty|openness|courage|effort|candour|candor|trust|"
    r"commitment)",
    r"you were (?:really |so |very )?(?:honest|open|brave|courageous|candid)\b",
    r"(?:it's|it is) (?:really |so )?(?:great|brilliant|fantastic|wonderful|good|impressive) "
    r"(?:that|how) you",
    r"(?:a )?(?:strong|brave|courageous|generous|wise|mature|big) thing to do",
    r"(?:[,;]|—|–| -|\band) that (?:really )?(?:matters|counts)\s*[.!]?$",
)) + r")")
CUE_FLOOR = 0.6


_REFLECTING = re.compile(
    r"(?:(?:so|and|okay|ok|well|right|yeah|mm|hmm),? )*"
    r"(?:it sounds|sounds like|it seems|seems like|you feel|you're feeling|you are feeling|"
    r"i hear|i'm hearing|you think|you wonder|you're wondering|you're not sure|you're worried|"
    r"you worry|part of you|on the one hand|you'd like|you want)")
# words that turn "praise" into judgement: no affirmation with these
_NEGATIVE = re.compile(r"\b(?:problem|problems|don't have|do not have|can't|cannot|lack|"
                       r"no self-control|addict|alcoholic|drinker who|smoker who)\b"
                       # praise for the very behaviour: "consistent at skipping your tablets"
                       r"|\b(?:at|to|on) (?:skipping|missing|drinking|smoking|using|gambling|"
                       r"avoiding|the bottle|the drink)\b")


def is_affirmation(response: object) -> bool:
    """A statement (no "?") with an affirming phrase ("that took courage", "well done"), not
    framed as a reflection ("It sounds like that took courage" stays with the model)."""
    text = normalise(response)
    return _is_affirmation(text, _roadblocks(text))


_REFLECTING_LATER = re.compile(
    r"(?:,|\band|\bbut|\byet)\s+(?:(?:also|really|so|now) )?(?:you(?:'re| are) (?:also |really |"
    r"so )?(?:worried|scared|afraid|not sure|wondering|feeling|torn|running out|exhausted|tired)"
    r"|you feel|you worry|you wonder|it sounds|part of you)"
    # praise undone by what follows: "..., and nothing has changed", "...and she walked out"
    r"|(?:,|\band|\bbut|\byet)\s+(?:(?:and|but|yet) )?(?:nothing\b|(?:it|she|he|they|now|"
    r"you're|you are)\b[^.]*(?:\b(?:hasn't|haven't|isn't|doesn't|didn't|won't|hadn't) "
    r"(?:changed|working|worked|helped|noticed|listened|listen|cared|care|stopped)\b"
    r"|\bnothing\b|\bhurts?\b|running out|exhaust|\bcost|walked out|\bleft\b))")


def affirmation_status(response: object) -> tuple[bool, bool]:
    """(the phrase list names an affirmation, the learned affirmation head may be asked).

    Both need a statement that could be an affirmation at all (``_may_affirm``: not a
    question, not framed as a reflection, no judgement or label, "This shows you have a
    drinking problem."); the head is never asked about thanks, greetings and the like."""
    text = normalise(response)
    may = _may_affirm(text, _roadblocks(text))
    return may and bool(AFFIRMATIONS.search(text)), may and not _is_pleasantry(text)


def _may_affirm(text: str, blocks: list[str]) -> bool:
    return (bool(text) and "?" not in text and not _REFLECTING.match(text)
            and not _REFLECTING_LATER.search(text) and not _NEGATIVE.search(text)
            and not (CONFRONTING | {"reassurance", "self-disclosure"}) & set(blocks))


def _is_affirmation(text: str, blocks: list[str]) -> bool:
    return _may_affirm(text, blocks) and bool(AFFIRMATIONS.search(text))


def input_cue(response: object) -> str | None:
    """The therapist-input type a statement's wording signals ('advice', 'information',
    'options', 'negotiation'), or None; questions never match. Information stated plainly
    (``is_plain_fact``) is the last resort."""
    text = normalise(response)
    return _input_cue(text, _roadblocks(text))


_CLIENTS_NORM = re.compile(r"\b(?:your|you)\b[^.;]*\b(?:is|are|it's) (?:\w+ )?(?:normal|common)\b")
_OPEN_REQUEST = re.compile(r"(?:(?:so|and|okay|ok|well|right),? )*(?:tell me|say more|"
                           r"help me understand|talk me through|walk me through|"
                           r"talk to me about|speak to me about)\b")


# advice dressed as a reflection: "It sounds like you need to take some time off"
_DISGUISED_ADVICE = re.compile(
    r"(?:(?:so|and|okay|ok|well|honestly|to be honest|right),? )*(?:it sounds like|sounds like|"
    r"it seems like|seems like|it seems|i think|i feel like|i reckon|maybe|perhaps|"
    r"i just think|really)\s+(?:you(?:'ve)? (?:really |just |probably |definitely |honestly )?"
    r"(?:need to|have to|must|should|ought to|'ve got to|got to|gotta|had better|'d better)|"
    r"the best thing|what you need)\b")


# an order as the main clause: "you need to tell her", "He's abusive and you need to leave him";
# not "You have to provide for your children" or "now you have to think about what you eat",
# where "have to" says back what the client must do (a plain "have to" counts only before a
# verb of action)
_DIRECTIVE_CLAUSE = re.compile(
    r"(?:^|[.,;:!]\s*|\b(?:and|so|but|then|now|honestly|seriously|look|listen|i think|"
    r"i really think|i just think|i believe|really|which means)\s+)"
    r"(?:you (?:really |just |honestly |seriously |definitely )?(?:need to|must(?! have been| be)|"
    r"have got to|'ve got to|gotta|got to|have to (?=stop|quit|cut|tell|leave|go|get|see|try|call|"
    r"talk|start|make|take|give|put|ask|speak|do something))"
    r"|i (?:want|need) you to|i'd (?:really )?like you to|you can't keep|you cannot keep)\b")


def _input_cue(text: str, blocks: list[str]) -> str | None:
    if text and "?" not in text and _DISGUISED_ADVICE.match(text):
        return "advice"
    if (not text or "?" in text or _REFLECTING.match(text) or _OPEN_REQUEST.match(text)
            or _STATEMENT_QUESTION.match(text) or _unmarked_question(text)):
        return None  # a question, or a statement framed as a reflection ("It sounds like...")
    if _ATTRIBUTED.search(text):
        return None  # what the client or someone else said or fears, reported back
    if _CLIENTS_NORM.search(text):
        return None  # "In your family, drinking every day is normal": the client's world
    for name, pat in INPUT_CUES.items():
        if pat.search(text):
            return name
    if ("advice" in blocks or "warning" in blocks or _TRY.search(text)
            or _DIRECTIVE_CLAUSE.search(text)):
        return "advice"
    if _SERVICE.search(text) or _RESULTS.search(text) or is_plain_fact(text):
        return "information"
    return None


def is_pleasantry(response: object) -> bool:
    """A one-sentence statement opening with thanks, a greeting or "I'm glad"."""
    return _is_pleasantry(normalise(response))


def _is_pleasantry(text: str) -> bool:
    if not text or "?" in text:
        return False
    sents = [" ".join(s) for s in sentences(text)]
    # one sentence, or two short ones that are both pleasantries ("Hi. Grab a seat.")
    return 0 < len(sents) <= 2 and all(
        (PLEASANTRIES.match(t) or re.match(r"sorry\b", t) or _LOGISTICS.match(t))
        and not PLEASANTRY_GUARDS.match(t) and " but " not in t for t in sents)


def _floor(probs: dict[str, float], code: str) -> dict[str, float]:
    p = probs.get(code, 0.0)
    if p >= CUE_FLOOR:
        return probs
    rest = 1.0 - p
    k = (1.0 - CUE_FLOOR) / rest if rest > 0 else 0.0
    return {c: (CUE_FLOOR if c == code else v * k) for c, v in probs.items()}


def adjust(probs: dict[str, float], response: object, client: object = "") -> dict[str, float]:
    """Transparent rules on top of the model: a one-sentence pleasantry ("Thanks for telling
    me.") or an affirmation ("That took real courage.") is other, and a statement with a
    therapist-input cue ("you could", "let's", "research shows", "some people ..., others
    ...") is therapist input, each with at least CUE_FLOOR probability. Used identically in
    analyse, coach-eval and the training script's cross-validation, so the published
    agreement figures include them."""
    text = normalise(response)
    if not text:
        return probs
    blocks = _roadblocks(text)
    # thanks or an affirmation is other, unless it comes with advice, an order, a warning or
    # other therapist input: that is what the learner most needs to hear about
    blunt = DIRECTIVE & set(blocks)
    cue = _input_cue(text, blocks)
    if not blunt and cue in (None, "information") and _other_move(text, blocks):
        return _floor(probs, "other")  # sarcasm, reassurance, a label, the speaker's own story
    if (_is_pleasantry(text) or _is_affirmation(text, blocks)) and not blunt \
            and cue in (None, "information"):
        return _floor(probs, "other")
    if _permission_then_input(text):
        return _floor(probs, "therapist_input")  # "Can I share something? It's common..."
    if cue:
        return _floor(probs, "therapist_input")
    if "?" not in text and (_STATEMENT_QUESTION.match(text) or _OPEN_REQUEST.match(text)
                            or _unmarked_question(text)):
        return _floor(probs, "question")  # "I'm curious what...", "how many do you take"
    return probs


def _other_move(text: str, blocks: list[str]) -> bool:
    """A statement whose main move is confronting, reassuring or the speaker's own story, not
    framed as a reflection of the client ("It sounds like you're scared, but it'll be OK" stays
    with the model, and its feedback names the reassurance)."""
    b = set(blocks)
    if "sarcasm" in b:
        return True
    if not (CONFRONTING | {"reassurance", "self-disclosure"}) & b:
        return False
    if _REFLECTING.match(text) or _REFLECTING_LATER.search(text):
        return False
    # "You're scared to leave, but it'll all work out": a reflection mixed with reassurance is
    # left to the model (its feedback names the reassurance and its score is at most 2)
    return not any(_says_back(c) for c in _CLAUSES.split(text))


_CLAUSES = re.compile(r"[.!;]\s*|,\s*(?:but|and|so|though|although|yet)?\s*|\s+but\s+")
_STEM = re.compile(r"(?:(?:so|and|okay|ok|well|right|yeah),? )*(?:" + "|".join(
    re.escape(s) for s in REFLECTION_STEMS if s not in ("your",)) + r")\b")


def _says_back(clause: str) -> bool:
    """A clause shaped like a reflection (a reflection stem, no roadblock of its own)."""
    clause = clause.strip()
    return bool(clause) and bool(_STEM.match(clause)) and not _roadblocks(clause)


def _unmarked_question(text: str) -> bool:
    """A question typed without its question mark: the last sentence is built as one
    ("how many are you taking a day", "do you want to stop", "can you tell me more")."""
    if "?" in text:
        return False
    sents = sentences(text)
    if not sents:
        return False
    form = question_form(opening_words(sents[-1]))
    return form in QUESTION_FORMS or (form == "permission" and len(sents) == 1)


def _permission_then_input(text: str) -> bool:
    """Asking permission, then giving the information or advice ("Can I share something about
    burnout? It's very common..."): the permission opens therapist input, it is not a question
    of its own."""
    sents = sentences(text)
    if len(sents) < 2 or question_form(opening_words(sents[0])) != "permission":
        return False
    rest = [st for st in sents[1:] if len([w for w in st if w not in ("?", "!")]) >= 4]
    return bool(rest) and all(st[-1] != "?" for st in rest)


# Simple or complex: MITI 4.2.1 calls a reflection complex when it adds meaning or emphasis
# beyond what the client said. These cues nudge the learned simple/complex head (weak on its
# own: two-way kappa 0.2 against AnnoMI's coders, whose pairs agree with each other at 0.17 on
# the utterances several of them sub-coded): a feeling word the client did not use, a
# double-sided or "part of you" shape, words about meaning or values, or mostly new content
# words. DEPTH_WEIGHT was chosen on the AnnoMI cross-validation and the development sets of
# typed responses (0.5 until issue 14; 0.25 since, which reads the development sets'
# reflections better with the same AnnoMI figure; see the model card).
_DOUBLE = re.compile(r"part of you|on the one hand|on the other hand|at the same time|and yet|"
                     r"\bbut\b|\beven though\b|\balthough\b|(?<!\ba )\bwhile\b")
_MEANING = re.compile(r"\bit's like a\b|\bas if\b|\bas though\b|\bmatters? to you\b|"
                      r"\bimportant to you\b|\byou value\b|\bwhat you want\b")
_GENERIC_FEELING = frozenset("feel feeling feelings felt down lost stuck".split())
NEW_CONTENT_SHARE = 0.5
DEPTH_WEIGHT = 0.25


def adds_meaning(response: object, client: object = "") -> bool:
    """Whether a reflection goes beyond the client's words (the cues above)."""
    return _adds_meaning(normalise(response), normalise(client))


def _adds_meaning(r: str, c: str) -> bool:
    if not c:
        return False  # nothing to compare with: the learned head decides alone
    client_words = set(tokens(c))
    if any(w in FEELING_WORDS and w not in _GENERIC_FEELING and w not in client_words
           for w in tokens(r)):
        return True
    if _DOUBLE.search(r) or _MEANING.search(r):
        return True
    rs = content_stems(r) - _GENERIC_FEELING
    return bool(rs) and len(rs - content_stems(c)) / len(rs) >= NEW_CONTENT_SHARE


def adjust_reflection(probs: dict[str, float], response: object,
                      client: object = "") -> dict[str, float]:
    """The simple/complex head's probabilities, nudged by ``adds_meaning`` (DEPTH_WEIGHT on
    the log-odds). Used identically in analyse, coach-eval and the training script's CV."""
    c = normalise(client)
    if not c:
        return dict(probs)
    p = min(max(probs.get("complex", 0.5), 1e-9), 1 - 1e-9)
    z = math.log(p / (1 - p)) + (DEPTH_WEIGHT if _adds_meaning(normalise(response), c)
                                 else -DEPTH_WEIGHT)
    pc = 1.0 / (1.0 + math.exp(-z))
    return {"simple": 1.0 - pc, "complex": pc}


def input_type_cue(response: object) -> str | None:
    """The input type the wording fixes, which wins over the learned input-type head: advice
    for an advice or ordering roadblock, else ``input_cue``. Shared by analyse and the CV."""
    text = normalise(response)
    blocks = _roadblocks(text)
    return "advice" if ("advice" in blocks or "ordering" in blocks) else _input_cue(text, blocks)
