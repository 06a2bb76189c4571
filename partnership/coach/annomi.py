"""Read AnnoMI-format CSV files (simple or full) into therapist items with their context.

Each item is one therapist utterance with an expert main-behaviour code, the client's preceding
statement (the most recent client utterance earlier in the same transcript, '' if none), and,
from a full file, the majority sub-labels. In a full file, utterances coded by several
annotators appear once per annotator; they are merged here by majority vote (ties go to the
label that sorts first, so the result is deterministic); each annotator's own code is kept in
``info["codings"]`` for comparisons between raters (``partnership.coach.raters``).
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

MAIN_CODES = ("question", "reflection", "therapist_input", "other")
SUBLABELS = {"question_subtype": ("open", "closed"),
             "reflection_subtype": ("simple", "complex"),
             "therapist_input_subtype": ("information", "advice", "negotiation", "options")}


SUB_MAIN = {"question_subtype": "question", "reflection_subtype": "reflection",
            "therapist_input_subtype": "therapist_input"}


class AnnoMIError(ValueError):
    pass


@dataclass
class Item:
    transcript_id: str
    utterance_id: str
    text: str
    client: str
    main: str
    sub: dict = field(default_factory=dict)   # column -> majority label, where coded


def _majority(values):
    c = Counter(v for v in values if v)
    if not c:
        return ""
    top = max(c.values())
    return sorted(v for v, n in c.items() if n == top)[0]


def _order_key(uid: str):
    try:
        return (0, float(uid), uid)
    except ValueError:
        return (1, 0.0, uid)


CONTEXT_MIN_WORDS = 12
CONTEXT_MAX_TURNS = 3


def client_context(turns: list[str], min_words: int | None = None,
                   max_turns: int | None = None) -> str:
    """The client's preceding statement: the last client turn, reaching back over earlier
    client turns (at most ``max_turns`` in all) while it is shorter than ``min_words`` words,
    so that a bare "Yeah." does not hide what the client had just been saying."""
    min_words = CONTEXT_MIN_WORDS if min_words is None else min_words
    max_turns = CONTEXT_MAX_TURNS if max_turns is None else max_turns
    picked: list[str] = []
    n = 0
    for t in reversed(turns[-max_turns:]):
        picked.insert(0, t)
        n += len(t.split())
        if n >= min_words:
            break
    return " ".join(p.strip() for p in picked)


def read_items(path: str | Path) -> tuple[list[Item], dict]:
    """Items (therapist utterances with a main code) and info about the file's columns."""
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    cols = reader.fieldnames or []
    need = {"utterance_text", "main_therapist_behaviour"}
    missing = need - set(cols)
    if missing:
        raise AnnoMIError(f"{path}: not an AnnoMI-format CSV (missing column(s) "
                          f"{', '.join(sorted(missing))})")
    # group rows per (transcript, utterance), keeping file order of first appearance
    groups: dict[tuple[str, str], list[dict]] = {}
    for i, row in enumerate(reader):
        tid = (row.get("transcript_id") or "").strip()
        uid = (row.get("utterance_id") or "").strip() or f"row{i}"
        groups.setdefault((tid, uid), []).append(row)
    per_transcript: dict[str, list[tuple[str, list[dict]]]] = {}
    for (tid, uid), rows in groups.items():
        per_transcript.setdefault(tid, []).append((uid, rows))
    items: list[Item] = []
    has_sub = {c: c in cols for c in SUBLABELS}
    codings: dict[tuple[str, str], dict[str, str]] = {}
    # sub-column -> utterance -> {annotator: sub-label}, from annotators who gave the main code
    sub_codings: dict[str, dict[tuple[str, str], dict[str, str]]] = {c: {} for c in SUBLABELS}
    for tid, utts in per_transcript.items():
        if all(_order_key(u)[0] == 0 for u, _ in utts):
            utts.sort(key=lambda t: _order_key(t[0]))
        client_turns: list[str] = []
        for uid, rows in utts:
            first = rows[0]
            who = (first.get("interlocutor") or "").strip().lower()
            utt = first.get("utterance_text") or ""
            main = _majority((r.get("main_therapist_behaviour") or "").strip().lower()
                             for r in rows)
            if who == "client" or (not who and main not in MAIN_CODES):
                client_turns.append(utt)
                continue
            if main not in MAIN_CODES:
                continue
            sub = {}
            for col, allowed in SUBLABELS.items():
                if has_sub[col]:
                    v = _majority((r.get(col) or "").strip().lower() for r in rows
                                  if (r.get(col) or "").strip().lower() in allowed)
                    if v:
                        sub[col] = v
            items.append(Item(tid, uid, utt, client_context(client_turns), main, sub))
            if len(rows) > 1 and "annotator_id" in cols:
                per = {(r.get("annotator_id") or "").strip():
                       (r.get("main_therapist_behaviour") or "").strip().lower() for r in rows}
                per = {a: c for a, c in per.items() if a and c in MAIN_CODES}
                if len(per) > 1:
                    codings[(tid, uid)] = per
                for col, allowed in SUBLABELS.items():
                    if not has_sub[col]:
                        continue
                    subs = {(r.get("annotator_id") or "").strip():
                            (r.get(col) or "").strip().lower() for r in rows
                            if (r.get("main_therapist_behaviour") or "").strip().lower()
                            == SUB_MAIN[col]}
                    subs = {a: v for a, v in subs.items() if a and v in allowed}
                    if len(subs) > 1:
                        sub_codings[col][(tid, uid)] = subs
    info = {"columns": cols, "has_subtypes": has_sub,
            "full": "annotator_id" in cols, "n_items": len(items),
            "codings": codings,  # utterance -> {annotator: main code}, where several coded it
            "sub_codings": sub_codings}
    return items, info
