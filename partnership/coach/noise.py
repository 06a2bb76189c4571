"""Typing noise: how learners type what a transcript or a tidy writer would punctuate.

Used by ``scripts/train_coach.py`` (a noisy copy of every typed training response, so that no
single character such as a question mark decides a code) and by ``partnership coach-eval
--typing-noise KIND`` (a set's responses scored as if typed that way). Deterministic.
"""
from __future__ import annotations

import re
import zlib

KINDS = ("no_question_mark", "lower_no_apostrophes", "lower_no_punctuation")


def typing_noise(text: str, kind: str | None = None) -> str | None:
    """``text`` as typed with ``kind`` of noise (by default one picked by a hash of the text):
    question marks dropped; also lower case without apostrophes; or also every other
    punctuation mark dropped. None when the noise changes nothing."""
    if kind is None:
        kind = KINDS[zlib.crc32(text.encode("utf-8")) % len(KINDS)]
    if kind not in KINDS:
        raise ValueError(f"unknown typing noise {kind!r}; choose one of {', '.join(KINDS)}")
    t = text.replace("?", "")
    if kind != "no_question_mark":
        t = t.lower().replace("'", "").replace("\u2019", "")
    if kind == "lower_no_punctuation":
        t = re.sub(r"[^\w\s]", " ", t)
    t = " ".join(t.split())
    return t if t and t != " ".join(text.split()) else None
