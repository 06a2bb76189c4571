"""``partnership coach "CLIENT STATEMENT" "RESPONSE"``: code a written response and suggest how
to improve it (the reflection coach, partnership.coach)."""
from __future__ import annotations

import json
import textwrap


def register(parser):
    parser.add_argument("client", help="what the client said (use \"\" if there is nothing)")
    parser.add_argument("response", help="what you would say back")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")


def describe(code: str, subcode: str | None) -> str:
    from partnership.coach import describe_code
    return describe_code(code, subcode)


def run(args) -> int:
    from partnership.coach import analyse

    r = analyse(args.response, args.client)
    if args.json:
        print(json.dumps({"code": r.code, "subcode": r.subcode,
                          "confidence": round(r.confidence, 4),
                          "probabilities": {k: round(v, 4) for k, v in r.probabilities.items()},
                          "hrq_score": r.hrq_score, "roadblocks": r.roadblocks,
                          "feedback": r.feedback, "source": r.source}, ensure_ascii=False))
        return 0
    probs = "  ".join(f"{k} {v:.0%}" for k, v in
                      sorted(r.probabilities.items(), key=lambda kv: -kv[1]))
    print(f"Code: {describe(r.code, r.subcode)} ({r.confidence:.0%} sure)")
    print(f"Suggested HRQ-style score: {r.hrq_score}/5")
    if r.roadblocks:
        print("Roadblocks: " + ", ".join(r.roadblocks))
    print(f"Probabilities: {probs}")
    print()
    print(textwrap.fill(r.feedback, width=88))
    return 0
