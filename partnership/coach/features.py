"""Feature extraction shared, byte for byte, by training (scripts/train_coach.py) and inference.

Plain Python only (``re``, ``zlib``, ``math``): no NumPy needed here, so it runs anywhere,
JupyterLite included. Every feature is a string hashed with CRC-32 (``zlib.crc32``, a fixed
function, unlike Python's salted ``hash()``) into ``2**HASH_BITS`` buckets, so training and
inference always agree on which column a feature lands in.

Feature blocks (each block is scaled to unit length so that no block drowns the others):

- ``w``: the response's words and word pairs (lower-cased; ``?`` kept as a token), plus its first
  one to three words and its last word ("so you", "it sounds like", "...?").
- ``c``: the response's character 2- to 5-grams (inside word boundaries, like scikit-learn's
  ``char_wb``), which catch spelling variants and word pieces.
- ``x``: the client's preceding statement: its words, in their own namespace, so "the client
  just asked something" or "the client talked about feelings" can shape the code.
- ``q``: for each sentence that ends with ``?``, its first one and two words once discourse
  markers ("okay", "so", "um"...) are stripped, and whether it opens with a wh-word, an
  auxiliary or neither (the open/closed cue; the response's very first word is often "okay").
- ``d``: a few hand-made cues: how many of the response's content words echo the client's
  words (the strongest cue for a reflection), question marks, question openers, reflection
  stems, feeling words, advice verbs, length.

Two domains: AnnoMI's transcribed speech, and the tidy sentences learners type. A typed response
(``typed=True``, the default, which is what learners write) also gets a copy of every feature in
columns ``N_FEATURES..2*N_FEATURES`` ("frustratingly easy" domain adaptation, Daume 2007): the
model learns shared weights from both kinds of text and typed-only corrections from the course's
own typed training sets, without the typed sets pulling the speech weights about.
"""
from __future__ import annotations

import math
import re
import unicodedata
import zlib
from functools import lru_cache

HASH_BITS = 18
N_FEATURES = 1 << HASH_BITS
_MASK = N_FEATURES - 1

# A response longer than MAX_CHARS is read up to MAX_CHARS only, everywhere: the features, the
# wording rules and the roadblock scan all see the same prefix, and the learner is told so
# (``partnership.coach.analyse`` adds the note). The bound keeps latency flat on a pasted essay.
MAX_CHARS = 4000
# The client's statement: its end is what the response answers.
MAX_CLIENT = 600

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[?!]")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

QUESTION_OPENERS = frozenset(
    "what how why when where who which whose whom do does did is are was were can could would "
    "will shall should have has had may might am isn't aren't don't doesn't didn't won't "
    "wouldn't couldn't".split())
OPEN_OPENERS = frozenset("what how why when where who which tell describe".split())
REFLECTION_STEMS = (
    "so you", "so it", "so for you", "so that", "it sounds", "sounds like", "it seems",
    "seems like", "you feel", "you're feeling", "you are feeling", "you're", "you are",
    "you've", "you have", "you don't", "you want", "you'd like", "you'd", "you know that",
    "on the one hand", "part of you", "for you", "you really", "you think", "you believe",
    "you wish", "you wonder", "you've been", "your", "it's like", "what i'm hearing",
    "i'm hearing", "i hear", "if i understand", "you're saying", "you said", "you mentioned",
)
ADVICE_CUES = (
    "you should", "you need to", "you have to", "you must", "i suggest", "i recommend",
    "i'd recommend", "i would recommend", "i'd suggest", "i would suggest", "try to",
    "why don't you", "you could try", "you might want to", "it's important", "it is important",
    "make sure", "i want you to", "my advice", "i think you should",
)
FEELING_WORDS = frozenset("""
afraid alone angry annoyed anxious ashamed betrayed bored burned burnt calm confused crushed
defeated desperate devastated disappointed discouraged disgusted distressed down drained
embarrassed empty exhausted excited fear feel feeling feelings felt frightened frustrated
frustrating furious glad grateful grief grieving guilt guilty happy heartbroken helpless hopeful
hopeless hurt insecure irritated isolated jealous lonely lost mad miserable nervous numb
overwhelmed overwhelming panic panicky proud regret relieved resentful sad scared shame shaken
shocked stressed stuck surprised tense terrified thrilled tired torn trapped uncomfortable
uneasy unhappy upset useless vulnerable weary worried worry worrying worries worthless
""".split())
STOPWORDS = frozenset("""
a about above after again against all am an and any are aren't as at be because been before
being below between both but by can could did didn't do does doesn't doing don't down during
each few for from further had has have having he her here hers herself him himself his how i
i'd i'll i'm i've if in into is isn't it it's its itself just let's me more most my myself no
nor not now of off on once only or other ought our ours ourselves out over own same she should
so some such than that that's the their theirs them themselves then there there's these they
they're this those through to too under until up very was wasn't we we're were what when where
which while who whom why will with won't would you you'd you'll you're you've your yours
yourself yourselves yeah yes okay ok oh um uh mm hmm mm-hmm well like really just know think
kind sort gonna got get go going things thing lot
""".split())


# How learners type: contractions without the apostrophe and a few texting forms, put back
# into the spelling the features and the wording rules know ("dont worry" is "don't worry").
# Only forms that are not also ordinary words: not "were", "well", "its", "ill", "id", "lets".
TYPED_FORMS = {
    **{w.replace("'", ""): w for w in """don't doesn't didn't isn't aren't wasn't weren't
    haven't hasn't hadn't can't couldn't wouldn't shouldn't won't mustn't you're you've you'd
    you'll i'm i've that's there's they're they've what's how's who's where's when's why's
    she's he's it'll that'll there'll we've we'd they'd they'll""".split()},
    "u": "you", "ur": "your", "r": "are", "ya": "you", "cos": "because", "coz": "because",
    "cuz": "because", "bc": "because", "wat": "what", "abt": "about", "pls": "please",
    "plz": "please", "thx": "thanks", "tho": "though", "wanna": "want to", "gotta": "got to",
}
_TYPED = re.compile(r"(?<![\w'])(" + "|".join(sorted(map(re.escape, TYPED_FORMS),
                                                      key=len, reverse=True)) + r")(?![\w'])")


def normalise(text: object) -> str:
    """Lower-case, unify quotes and dashes, drop control characters, restore typed forms of
    contractions ("dont" -> "don't", "u" -> "you"); never raises."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return _normalise(text[:MAX_CHARS + 1])


@lru_cache(maxsize=128)
def _normalise(text: str) -> str:
    """Remembered for the last few texts: the rules, the features and the feedback each
    normalise the same response and client statement."""
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    text = unicodedata.normalize("NFKC", text)
    text = (text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
            .replace("\u201c", '"').replace("\u201d", '"'))
    text = "".join(ch if (ch.isprintable() or ch == " ") else " " for ch in text)
    return _TYPED.sub(lambda m: TYPED_FORMS[m.group(1)], text.lower()).strip()


def client_tail(client: object) -> str:
    """The end of the client's statement (at most MAX_CLIENT characters): what a response
    answers, and what the features and the suggested reflections read."""
    if not isinstance(client, str):
        client = "" if client is None else str(client)
    return client[-MAX_CLIENT:] if len(client) > MAX_CLIENT else client


def tokens(norm: str) -> list[str]:
    return _TOKEN.findall(norm)


def _stem(word: str) -> str:
    """A very light stemmer, enough to match "drinking" with "drink" and "worries" with "worry"."""
    w = word.split("'")[0]
    for suf in ("ing", "ied", "ies", "ed", "es", "ly", "s"):
        if len(w) > len(suf) + 2 and w.endswith(suf):
            return w[: -len(suf)] + ("y" if suf in ("ied", "ies") else "")
    return w


def content_stems(norm: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(norm) if w not in STOPWORDS and len(w) > 2}


def _h(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & _MASK


def _add_block(out: dict[int, float], counts: dict[str, float], weight: float = 1.0) -> None:
    """Hash a block of string features, apply sublinear scaling and unit length, and add it."""
    if not counts:
        return
    hashed: dict[int, float] = {}
    for f, c in counts.items():
        i = _h(f)
        hashed[i] = hashed.get(i, 0.0) + c
    for i in hashed:
        hashed[i] = 1.0 + math.log(hashed[i]) if hashed[i] > 0 else 0.0
    norm = math.sqrt(sum(v * v for v in hashed.values())) or 1.0
    scale = weight / norm
    for i, v in hashed.items():
        out[i] = out.get(i, 0.0) + v * scale


def _count(seq, prefix: str, into: dict[str, float]) -> None:
    for s in seq:
        key = prefix + s
        into[key] = into.get(key, 0.0) + 1.0


def cues(resp: str, toks: list[str], client: str) -> dict[str, float]:
    """Hand-made, transparent cues (block ``d``); also used by the feedback rules."""
    words = [t for t in toks if t not in ("?", "!")]
    n = len(words)
    head = " ".join(words[:4])
    d: dict[str, float] = {}
    d["bias"] = 1.0
    q = resp.count("?")
    if q:
        d["has_q"] = 1.0
        d["q_count_" + str(min(q, 3))] = 1.0
    if resp.rstrip(" .\"')").endswith("?"):
        d["ends_q"] = 1.0
    if words and words[0] in QUESTION_OPENERS:
        d["q_opener"] = 1.0
        d["q_opener_" + ("open" if words[0] in OPEN_OPENERS else "closed")] = 1.0
    for stem in REFLECTION_STEMS:
        if head.startswith(stem):
            d["stem_start"] = 1.0
            break
    for w in words[:1]:
        if w in ("so", "and", "but", "because"):
            d["start_" + w] = 1.0
    for cue in ADVICE_CUES:
        if cue in resp:
            d["advice_cue"] = 1.0
            break
    feel = sum(1 for w in words if w in FEELING_WORDS)
    if feel:
        d["feeling"] = 1.0
    you = sum(1 for w in words if w in ("you", "you're", "you've", "you'd", "your", "yourself"))
    me = sum(1 for w in words if w in ("i", "i'm", "i've", "i'd", "me", "my", "we", "we're", "us"))
    if you:
        d["you_share_" + str(min(4, int(5 * you / max(n, 1))))] = 1.0
    if me:
        d["me_share_" + str(min(4, int(5 * me / max(n, 1))))] = 1.0
    if you > me:
        d["you_gt_me"] = 1.0
    d["len_" + str(min(7, int(math.log2(n + 1))))] = 1.0
    if not client:
        d["no_client"] = 1.0
        return d
    rs = content_stems(resp)
    cs = content_stems(client)
    shared = rs & cs
    if rs:
        ratio = len(shared) / len(rs)
        b = min(4, int(ratio * 5))
        d["overlap_" + str(b)] = 1.0
        d["overlap"] = ratio
        d["overlap_n_" + str(min(len(shared), 5))] = 1.0
        if "ends_q" in d:
            d["overlap_q_" + str(b)] = 1.0
        elif "stem_start" in d:
            d["overlap_stem_" + str(b)] = 1.0
    ctoks = _WORD.findall(client)
    cn = len(ctoks)
    d["clen_" + str(min(7, int(math.log2(cn + 1))))] = 1.0
    if client.rstrip(" .\"')").endswith("?"):
        d["client_asked"] = 1.0
    if any(w in FEELING_WORDS for w in ctoks):
        d["client_feeling"] = 1.0
        if feel:
            d["both_feeling"] = 1.0
    return d


# Relative weight of each block (after each is scaled to unit length).
BLOCK_WEIGHTS = {"w": 1.0, "s": 0.5, "c": 1.0, "x": 0.5, "q": 0.5, "d": 0.5}
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")
FILLERS = frozenset("okay ok yeah yes mm hmm mm-hmm um uh uh-huh right alright all well sure "
                    "oh ah great good wow huh".split())


def sentences(norm: str) -> list[list[str]]:
    """The response's sentences as token lists, minus sentences made only of fillers."""
    out = []
    for s in _SENTENCE.findall(norm):
        toks = tokens(s)
        words = [t for t in toks if t not in ("?", "!")]
        if words and not all(w in FILLERS for w in words):
            out.append(toks)
    return out


DISCOURSE = frozenset("so and but now then well okay ok yeah yes um uh mm hmm mm-hmm right "
                      "alright oh like just".split())


def opening_words(sent: list[str]) -> list[str]:
    """A sentence's words, without "?"/"!" and without the discourse markers that open it
    ("okay, so do you..." -> "do you..."): what decides whether it is built as a question."""
    ws = [t for t in sent if t not in ("?", "!")]
    i = 0
    while i < len(ws) and ws[i] in DISCOURSE:
        i += 1
    return ws[i:]


AUXILIARIES = frozenset(
    "do does did is are was were can could would will shall should have has had may might am "
    "isn't aren't don't doesn't didn't won't wouldn't couldn't haven't hasn't wasn't weren't "
    "can't shouldn't".split())
SUBJECTS = frozenset("you i we he she it they there that this your anyone anybody anything "
                     "someone somebody something people things he's she's the any my his her "
                     "their everyone".split())
_SUBJECT_FORMS = frozenset("i'm you're we're they're it's that's there's i've you've we've "
                           "they've i'd you'd i'll you'll".split())
QUANTITY = frozenset("long many often far old soon much".split())
WH = frozenset("what how why when where who which whose whom".split())
WH_CONTRACTED = frozenset("what's how's who's where's when's why's".split())


def question_form(words: list[str]) -> str:
    """How a sentence is built, from its opening words (``opening_words``), with or without a
    question mark, since learners often leave it out:

    - ``how_quant``: "how long / many / often / far / old / soon / much ..." (asks for a number);
    - ``wh_q``: a wh-word then an auxiliary and a subject ("what do you...", "what's been...");
    - ``aux_subj``: an auxiliary then a subject ("do you...", "are you...", "is it...");
    - ``permission``: "can I / could I / may I ...", "do you mind if I ...", "would it be OK if";
    - ``request``: "tell me / can you tell me / talk me through ...";
    - ``wh_clause``: a wh-word opening a statement ("what you said...", "how hard that is");
    - ``stmt``: anything else."""
    if not words:
        return "stmt"
    w0 = words[0]
    w1 = words[1] if len(words) > 1 else ""
    w2 = words[2] if len(words) > 2 else ""
    head = " ".join(words[:6])
    if head.startswith(("tell me", "talk me through", "walk me through", "say more",
                        "help me understand")) or (
            w0 in ("can", "could", "would", "will") and w1 == "you"
            and w2 in ("tell", "say", "describe", "talk", "walk", "explain", "share")):
        return "request"
    if (w0 in ("can", "could", "may", "might") and w1 == "i") or head.startswith(
            ("do you mind if i", "would you mind if i", "would it be ok", "would it be okay",
             "would it be alright", "would it be all right", "is it ok if i", "is it okay if i",
             "is it alright if i", "is it all right if i", "would you like me to")):
        return "permission"
    if w0 == "how" and w1 in QUANTITY:
        return "how_quant"
    if w0 == "how" and w1 == "come":
        return "wh_q"
    if w0 in WH_CONTRACTED:
        return "wh_q"
    if w0 in WH:
        # "what do you...", "where is...", "what time do you...", "which bit is..."; not "what
        # I'm hearing is...", "what you said...", "how hard that must be", "what a week"
        if w1 in AUXILIARIES or (w1 and w1 not in SUBJECTS and w1 not in _SUBJECT_FORMS
                                 and w1 not in ("a", "an") and w2 in AUXILIARIES):
            return "wh_q"
        return "wh_clause"
    if w0 in AUXILIARIES and w1 in SUBJECTS:
        return "aux_subj"
    return "stmt"


QUESTION_FORMS = frozenset(("how_quant", "wh_q", "aux_subj", "request"))


def question_feats(sents: list[list[str]]) -> dict[str, float]:
    """Block ``q``: how each question sentence opens, after any discourse markers, and how
    the first and last sentences are built (``question_form``), question mark or not."""
    q: dict[str, float] = {}
    if sents:
        forms = [question_form(opening_words(s)) for s in sents]
        q["ff:" + forms[0]] = 1.0
        q["fl:" + forms[-1]] = 1.0
        if any(f in QUESTION_FORMS for f in forms):
            q["fq:any"] = 1.0
    qs = [s for s in sents if s and s[-1] == "?"]
    q["nq:" + str(min(len(qs), 3))] = 1.0
    for k, sent in enumerate(qs):
        ws = opening_words(sent)
        tag = "ql" if k == len(qs) - 1 else "qa"  # the last question, or an earlier one
        q[tag + "1:" + " ".join(ws[:1])] = 1.0
        q[tag + "2:" + " ".join(ws[:2])] = 1.0
        if ws:
            kind = ("wh" if ws[0] in OPEN_OPENERS else "aux" if ws[0] in QUESTION_OPENERS
                    else "stmt")
            q[tag + "k:" + kind] = 1.0
            if any(w in OPEN_OPENERS for w in ws[1:]):
                q[tag + "k:" + kind + "+wh"] = 1.0
            if " or " in " " + " ".join(ws) + " ":
                q[tag + "or"] = 1.0
            q[tag + "n:" + str(min(int(math.log2(len(ws) + 1)), 5))] = 1.0
    return q


def featurize(response: object, client: object = "", typed: bool = True) -> dict[int, float]:
    """Map (response, client statement) to a sparse vector {column: value}. Never raises.

    ``typed``: the response was typed by a learner (the coach's use), not transcribed speech
    (AnnoMI, in training and ``coach-eval`` on a CSV file); see the module's docstring."""
    resp = normalise(response)
    cli = normalise(client_tail(client))
    toks = tokens(resp)
    out: dict[int, float] = {}

    w: dict[str, float] = {}
    _count(toks, "w:", w)
    _count((a + " " + b for a, b in zip(toks, toks[1:])), "w2:", w)
    if toks:
        w["wf1:" + toks[0]] = 1.0
        w["wf2:" + " ".join(toks[:2])] = 1.0
        w["wf3:" + " ".join(toks[:3])] = 1.0
        w["wl:" + toks[-1]] = 1.0
        if len(toks) > 1:
            w["wl2:" + " ".join(toks[-2:])] = 1.0
    _add_block(out, w, BLOCK_WEIGHTS["w"])

    # sentence openers: the first substantive sentence and the last one (often the question)
    sents = sentences(resp)
    st: dict[str, float] = {"sn:" + str(min(len(sents), 4)): 1.0}
    if sents:
        for tag, sent in (("sf", sents[0]), ("sl", sents[-1])):
            ws = [t for t in sent if t not in ("?", "!")]
            while ws and ws[0] in ("so", "and", "but", "now", "then", "well"):
                st[tag + "c:" + ws[0]] = 1.0
                ws = ws[1:]
            st[tag + "1:" + " ".join(ws[:1])] = 1.0
            st[tag + "2:" + " ".join(ws[:2])] = 1.0
            st[tag + "3:" + " ".join(ws[:3])] = 1.0
            st[tag + "q:" + str(sent[-1] == "?")] = 1.0
    _add_block(out, st, BLOCK_WEIGHTS["s"])

    c: dict[str, float] = {}
    for word in resp.split():
        padded = " " + word + " "
        L = len(padded)
        for n in (2, 3, 4, 5):
            for i in range(L - n + 1):
                key = "c:" + padded[i:i + n]
                c[key] = c.get(key, 0.0) + 1.0
    _add_block(out, c, BLOCK_WEIGHTS["c"])

    if cli:
        x: dict[str, float] = {}
        ct = tokens(cli)
        _count(ct, "x:", x)
        if ct:
            x["xl:" + ct[-1]] = 1.0
        _add_block(out, x, BLOCK_WEIGHTS["x"])

    _add_block(out, question_feats(sents), BLOCK_WEIGHTS["q"])

    d = cues(resp, toks, cli)
    dd: dict[int, float] = {}
    for k, v in d.items():
        i = _h("d:" + k)
        dd[i] = dd.get(i, 0.0) + v
    wd = BLOCK_WEIGHTS["d"]
    for i, v in dd.items():
        out[i] = out.get(i, 0.0) + v * wd
    if typed:
        out.update({i + N_FEATURES: v for i, v in list(out.items())})
    return out
