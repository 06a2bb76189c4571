"""Read a YAML file of coded example responses, for ``partnership coach-eval FILE.yml``.

Instructors can check the coach against responses they have coded themselves (the repository's
own sets are in ``tests/data/coach_written_*.yml``)::

    items:
      - id: w001
        client: "I've cut down to weekends, but Saturdays still get out of hand."
        response: "Weekends are where it's hardest."
        code: reflection          # question | reflection | therapist_input | other
        subcode: simple           # open|closed, simple|complex,
                                  # information|advice|negotiation|options,
                                  # affirmation, reassurance, confrontation or
                                  # self-disclosure (for other), or null
        why: "..."                # optional

Errors name the file, the item and the field.
"""
from __future__ import annotations

from pathlib import Path

from .annomi import MAIN_CODES, SUBLABELS, AnnoMIError, Item

SUB_COLUMN = {"question": "question_subtype", "reflection": "reflection_subtype",
              "therapist_input": "therapist_input_subtype", "other": "other_subtype"}
# the AnnoMI sub-labels of each code; for other, what the response does instead of a question,
# reflection or input: an affirmation (MITI's "Affirm"), or a move the coach names and never
# praises (reassurance; confrontation: sarcasm, judging, labelling; the speaker's own story)
OTHER_SUBCODES = ("affirmation", "reassurance", "confrontation", "self-disclosure")
SUBCODES = {code: SUBLABELS.get(col, OTHER_SUBCODES) for code, col in SUB_COLUMN.items()}


class CodedFileError(AnnoMIError):
    pass


def read_coded(path: str | Path) -> tuple[list[Item], dict]:
    import yaml
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CodedFileError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise CodedFileError(f"{path}: expected a mapping with an 'items' list")
    items, seen = [], set()
    for n, raw in enumerate(data["items"], 1):
        where = f"{path}: item {n}"
        if not isinstance(raw, dict):
            raise CodedFileError(f"{where}: expected a mapping")
        iid = str(raw.get("id") or f"#{n}")
        where = f"{path}: item {iid!r}"
        if iid in seen:
            raise CodedFileError(f"{where}: field 'id': duplicate id")
        seen.add(iid)
        for fld in ("response", "code"):
            if not isinstance(raw.get(fld), str):
                raise CodedFileError(f"{where}: field {fld!r}: missing or not text")
        client = raw.get("client", "")
        if client is None:
            client = ""
        if not isinstance(client, str):
            raise CodedFileError(f"{where}: field 'client': not text")
        code = raw["code"].strip().lower()
        if code not in MAIN_CODES:
            raise CodedFileError(f"{where}: field 'code': {raw['code']!r} is not one of "
                                 f"{', '.join(MAIN_CODES)}")
        sub = raw.get("subcode")
        subs = {}
        if sub is not None:
            if not isinstance(sub, str) or sub.strip().lower() not in SUBCODES[code]:
                allowed = ", ".join(SUBCODES[code]) or "null only"
                raise CodedFileError(f"{where}: field 'subcode': {sub!r} does not fit code "
                                     f"{code!r} (allowed: {allowed})")
            subs[SUB_COLUMN[code]] = sub.strip().lower()
        items.append(Item(path.stem, iid, raw["response"], client, code, subs))
    has = {col: any(col in it.sub for it in items) for col in SUB_COLUMN.values()}
    return items, {"columns": [], "has_subtypes": has, "full": False, "n_items": len(items),
                   "codings": {}, "sub_codings": {}}
