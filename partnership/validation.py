"""Shared helpers for the project's YAML data files (self-checks, scenario banks, graded items).

Every data error must name the file, the item and the field; these helpers turn pydantic's error
locations into that form, so each schema module only says what its collection is called.
"""
from __future__ import annotations


def require_unique_ids(entries, noun: str = "item"):
    """A pydantic field-validator body: refuse two entries with the same ``id``."""
    seen = set()
    for entry in entries:
        if entry.id in seen:
            raise ValueError(f"duplicate {noun} id {entry.id!r}")
        seen.add(entry.id)
    return entries


def error_location(data, loc, collection: str = "items", noun: str = "item",
                   tags: tuple[str, ...] = ()) -> str:
    """Turn a pydantic error location into '<noun> <id>, field <a.b>'.

    ``collection`` is the top-level list key ('items', 'questions'); ``tags`` are discriminator
    values pydantic inserts into locations of tagged unions, which mean nothing to an author.
    """
    parts = list(loc)
    label = []
    if len(parts) >= 2 and parts[0] == collection and isinstance(parts[1], int):
        entries = data.get(collection) if isinstance(data, dict) else None
        eid = None
        if isinstance(entries, list) and parts[1] < len(entries) and isinstance(entries[parts[1]], dict):
            eid = entries[parts[1]].get("id")
        label.append(f"{noun} {eid or '#' + str(parts[1] + 1)}")
        parts = parts[2:]
        if parts and parts[0] in tags:
            parts = parts[1:]
    label.append("field " + (".".join(str(p) for p in parts) or "(item)"))
    return ", ".join(label)


def load_yaml(path, error=ValueError, what: str = "file"):
    """Read one YAML data file safely; every failure raises ``error`` naming the file."""
    import yaml
    from pathlib import Path
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read {what} ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML ({exc})") from exc
