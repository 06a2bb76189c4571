"""``partnership coach "CLIENT STATEMENT" "RESPONSE"``: code a written response and suggest how
to improve it (the reflection coach, partnership.coach).

An empty response gets no code: the command says to write something and exits with status 1.
A response longer than the coach reads (``partnership.coach.MAX_CHARS``) is coded on its first
part, and the feedback says so."""
from __future__ import annotations

import json
import sys
import textwrap


def register(parser):
    parser.add_argument("client", help="what the client said (use \"\" if there is nothing)")
    parser.add_argument("response", help="what you would say back")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")


def describe(code: str | None, subcode: str | None = None) -> str:
    """The coach's own description of a code (kept here for callers that import it)."""
    from partnership.coach import describe_code
    return describe_code(code, subcode)


def run(args) -> int:
    from partnership.coach import analyse, describe_code

    r = analyse(args.response, args.client)
    if args.json:
        print(json.dumps({"code": r.code, "subcode": r.subcode,
                          "description": describe_code(r.code, r.subcode),
                          "confidence": round(r.confidence, 4),
                          "probabilities": {k: round(v, 4) for k, v in r.probabilities.items()},
                          "hrq_score": r.hrq_score, "roadblocks": r.roadblocks,
                          "feedback": r.feedback, "note": r.note, "truncated": r.truncated,
                          "source": r.source}, ensure_ascii=False))
        return 0 if r.coded else 1
    if not r.coded:
        print(textwrap.fill(r.feedback, width=88), file=sys.stderr)
        return 1
    probs = "  ".join(f"{k} {v:.0%}" for k, v in
                      sorted(r.probabilities.items(), key=lambda kv: -kv[1]))
    print(f"Code: {describe_code(r.code, r.subcode)} ({r.confidence:.0%} sure)")
    print(f"Suggested HRQ-style score: {r.hrq_score}/5")
    if r.roadblocks:
        print("Roadblocks: " + ", ".join(r.roadblocks))
    print(f"Probabilities: {probs}")
    print()
    print(textwrap.fill(r.feedback, width=88))
    return 0
