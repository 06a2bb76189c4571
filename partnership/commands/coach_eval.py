"""``partnership coach-eval FILE.csv [--json]``: score the shipped reflection coach against the
expert codes of an AnnoMI-format CSV (simple or full), or against a YAML file of responses an
instructor has coded (``partnership.coach.coded``).

Scores the 4-way main therapist behaviour (Cohen's kappa, macro-F1, per-class F1) on every
therapist utterance with a code; with the full file's sub-labels, also Cohen's kappa for open vs
closed (on utterances the experts coded as questions) and for simple vs complex (on utterances
they coded as reflections), using the coach's sub-code heads. Where several annotators coded an
utterance, their majority label is the reference. Each utterance is scored with the client's
preceding statement from the same file as context, as in training.

Where a full file has utterances coded by several annotators (``annotator_id``), the report
also places the coach among the experts: expert-with-expert kappa and reflection F1 on those
utterances, beside the coach's agreement with each expert (``raters`` in the JSON).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def register(parser):
    parser.add_argument("file", type=Path, help="AnnoMI-format CSV (simple or full), or a "
                        "YAML file of coded responses (see partnership/coach/coded.py)")
    parser.add_argument("--typing-noise", choices=("no_question_mark", "lower_no_apostrophes",
                                                   "lower_no_punctuation"),
                        help="score every response as if typed with this noise (question marks "
                             "dropped; also lower case without apostrophes; or also no "
                             "punctuation at all): how much the codes lean on punctuation")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (kappa, macro_f1, f1, question_kappa, "
                             "reflection_kappa, n, ...)")


def evaluate(path, typing_noise: str | None = None) -> dict:
    from partnership.coach import metrics, raters
    from partnership.coach.annomi import MAIN_CODES, read_items
    from partnership.coach.model import get_model, load_error
    from partnership.coach.predict import predict, subcode_for

    typed = Path(path).suffix.lower() in (".yml", ".yaml")  # typed responses, or a transcript
    if typed:
        from partnership.coach.coded import read_coded
        items, info = read_coded(path)
    else:
        items, info = read_items(path)
    if typing_noise:
        import dataclasses

        from partnership.coach.noise import typing_noise as noisy
        items = [dataclasses.replace(it, text=noisy(it.text, typing_noise) or it.text)
                 for it in items]
    model = get_model()
    y_true, y_pred, by_key = [], [], {}
    sub_by_key = {"question": {}, "reflection": {}}
    q_true, q_pred, r_true, r_pred = [], [], [], []
    a_true, a_pred = [], []  # affirmations, where a coded-responses file marks them
    for it in items:
        # the very decision analyse() makes (the rules fallback too, when no model loads)
        pred = predict(it.text, it.client, typed=typed, model=model)
        code = pred.code
        # the sub-codes analyse() would give, for the experts' code whatever the coach's is
        q_sub = subcode_for("question", pred.heads, it.text, it.client)[0]
        r_sub = subcode_for("reflection", pred.heads, it.text, it.client)[0]
        y_true.append(it.main)
        y_pred.append(code)
        by_key[(it.transcript_id, it.utterance_id)] = code
        sub_by_key["question"][(it.transcript_id, it.utterance_id)] = q_sub
        sub_by_key["reflection"][(it.transcript_id, it.utterance_id)] = r_sub
        if "question_subtype" in it.sub:
            q_true.append(it.sub["question_subtype"])
            q_pred.append(q_sub)
        if "reflection_subtype" in it.sub:
            r_true.append(it.sub["reflection_subtype"])
            r_pred.append(r_sub)
        a_true.append("yes" if it.sub.get("other_subtype") == "affirmation" else "no")
        a_pred.append("yes" if code == "other" and pred.subcode == "affirmation" else "no")
    labels = list(MAIN_CODES)
    marks_affirmations = info["has_subtypes"].get("other_subtype", False)
    out = {
        "file": str(path),
        "typing_noise": typing_noise,
        "n": len(items),
        "kappa": metrics.cohen_kappa(y_true, y_pred, labels),
        "macro_f1": metrics.macro_f1(y_true, y_pred, labels) if items else None,
        "accuracy": metrics.accuracy(y_true, y_pred),
        "f1": metrics.f1_scores(y_true, y_pred, labels) if items else {},
        "question_kappa": (metrics.cohen_kappa(q_true, q_pred, ["open", "closed"])
                           if info["has_subtypes"]["question_subtype"] else None),
        "question_n": len(q_true),
        "reflection_kappa": (metrics.cohen_kappa(r_true, r_pred, ["simple", "complex"])
                             if info["has_subtypes"]["reflection_subtype"] else None),
        "reflection_n": len(r_true),
        "affirmation_f1": (metrics.f1_scores(a_true, a_pred, ["yes"])["yes"]
                           if marks_affirmations else None),
        "affirmation_n": a_true.count("yes") if marks_affirmations else 0,
        "confusion": {"labels": labels, "matrix": metrics.confusion(y_true, y_pred, labels)},
        "model": "trained" if model is not None else f"rules ({load_error()})",
        "training_data": _is_training_file(path, model),
        "raters": raters.compare(info["codings"], by_key, labels),
        "raters_subcodes": {
            h: raters.compare_subcodes(info.get("sub_codings", {}).get(col, {}),
                                       sub_by_key[h], classes)
            for h, col, classes in (("question", "question_subtype", ("open", "closed")),
                                    ("reflection", "reflection_subtype", ("simple", "complex")))},
    }
    return out


def _is_training_file(path, model) -> bool:
    """True if the file is one the shipped model was trained on (its figures are optimistic)."""
    if model is None:
        return False
    import hashlib
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return False
    data = model.meta.get("data", {})
    known = set(data.get("sha256", {}).values())
    known |= set((data.get("typed") or {}).get("sha256", {}).values())  # typed training sets
    return digest in known


def _fmt(v):
    return "n/a" if v is None else f"{v:.3f}"


def run(args) -> int:
    from partnership.coach import raters
    from partnership.coach.annomi import AnnoMIError
    try:
        res = evaluate(args.file, args.typing_noise)
    except (OSError, AnnoMIError) as exc:
        print(f"coach-eval: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(res, sort_keys=True))
        return 0 if res["n"] else 1
    if not res["n"]:
        print(f"{args.file}: no therapist utterances with a main behaviour code", file=sys.stderr)
        return 1
    print(f"{args.file}: {res['n']} therapist utterances scored ({res['model']} coach)"
          + (f", typed with noise: {res['typing_noise']}" if res["typing_noise"] else ""))
    if res["training_data"]:
        print("Note: the shipped model was trained on this very file, so these figures are "
              "optimistic; see the cross-validated figures in partnership/coach/MODEL_CARD.md.")
    print(f"Main therapist behaviour: Cohen's kappa {_fmt(res['kappa'])}, "
          f"macro-F1 {_fmt(res['macro_f1'])}, accuracy {_fmt(res['accuracy'])}")
    for k, v in res["f1"].items():
        print(f"  F1 {k:<16} {v:.3f}")
    if res["question_kappa"] is not None or res["question_n"]:
        print(f"Open vs closed questions (n={res['question_n']}): kappa "
              f"{_fmt(res['question_kappa'])}")
    else:
        print("Open vs closed questions: n/a (no question_subtype column)")
    if res["reflection_kappa"] is not None or res["reflection_n"]:
        print(f"Simple vs complex reflections (n={res['reflection_n']}): kappa "
              f"{_fmt(res['reflection_kappa'])}")
    else:
        print("Simple vs complex reflections: n/a (no reflection_subtype column)")
    if res["affirmation_f1"] is not None:
        print(f"Affirmations (n={res['affirmation_n']}): F1 {_fmt(res['affirmation_f1'])}")
    who = "coach (trained on these utterances: not comparable)" if res["training_data"] \
        else "coach"
    for line in raters.describe(res["raters"], who=who):
        print(line)
    for h, name in (("question", "Open/closed"), ("reflection", "Simple/complex")):
        for line in raters.describe_subcodes(res["raters_subcodes"][h], name, who=who):
            print(line)
    print("Reference: AnnoMI's ten annotators agree at Fleiss kappa 0.74 (main behaviour), "
          "0.74 (open/closed question) and 0.50 (simple, complex or no reflection: three "
          "categories). The coach's sub-code figures above are two-way Cohen's kappas on "
          "expert-coded questions or reflections: set them beside expert-with-expert Cohen's "
          "kappa (printed above where the file allows), not beside these.")
    return 0
