"""Shared helpers for the project's YAML data files (self-checks, scenario banks, graded items).

- :func:`load_yaml` is the one loader for every such file. It is bounded, because instructors
  and authors run ``partnership check-banks`` / ``check-quizzes`` on files they were sent: a file
  over :data:`MAX_BYTES` is refused before it is parsed; anchors, aliases and merge keys (``<<``)
  are counted *before* anything is built, so a "billion laughs" or merge-key bomb is refused in
  milliseconds instead of filling memory; text that is not UTF-8 is refused with the byte
  position; and every message starts with the file's name. It uses libyaml (PyYAML's C loader)
  where it is installed and PyYAML's pure-Python loader otherwise (e.g. in Pyodide).
- Every data error must name the file, the item and the field; :func:`error_location` turns
  pydantic's error locations into that form, so each schema module only says what its
  collection is called.
"""
from __future__ import annotations

from pathlib import Path

import yaml

#: Largest data file accepted (1 MiB): 50 times the largest shipped bank (about 20 KB). A file
#: this big is almost certainly not hand-written, and parsing a huge file is slow and costly.
MAX_BYTES = 1 << 20
#: Most nodes (scalars, lists and mappings) the document may have once every alias and merge key
#: is expanded. The shipped banks have under 1,000, so a 1 MiB file written like them has about
#: 50,000.
MAX_NODES = 100_000
#: Deepest nesting accepted (shipped files nest at most 6 deep).
MAX_DEPTH = 64

_Loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
#: Whether libyaml's C parser is in use (False where PyYAML was built without it).
C_LOADER = _Loader is not yaml.SafeLoader


class DataFileError(ValueError):
    """A data file that cannot be read as YAML; the message starts with the file's name."""


def _where(data: bytes, pos: int) -> str:
    line = data.count(b"\n", 0, pos) + 1
    column = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def decode_utf8(data: bytes, name: str) -> str:
    """``data`` as text, or a :class:`DataFileError` naming the first byte that is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataFileError(f"{name}: not UTF-8 text: the file starts with a UTF-16 byte-order "
                            "mark; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 1].hex()
        raise DataFileError(
            f"{name}: not UTF-8 text: byte 0x{bad} at byte offset {exc.start} "
            f"({_where(data, exc.start)}) is not valid UTF-8 ({exc.reason}); save the file as "
            "UTF-8") from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    text = f"{context}: {problem}" if context else problem
    if mark is not None:
        text += f" (line {mark.line + 1}, column {mark.column + 1})"
    return text


def check_expansion(text: str, name: str, max_nodes: int = MAX_NODES,
                    max_depth: int = MAX_DEPTH) -> int:
    """Count the nodes ``text`` would have with every alias and merge key expanded, from the
    parser's event stream (nothing is built, so memory stays small); raise
    :class:`DataFileError` as soon as the count passes ``max_nodes`` or nesting passes
    ``max_depth``. Returns the count.

    An alias counts as a full copy of what its anchor holds, and so does a merge key's value
    (``<<: *base``), because that is what PyYAML builds: merge keys are copied into each mapping
    that uses them, so each level of a merge-key bomb multiplies the work.
    """
    sizes: dict[str, int] = {}      # anchor -> nodes it holds, expanded
    stack: list[list] = []          # [anchor, nodes so far] of each open collection
    total = 0                       # nodes met so far, every alias counted as a full copy

    def count(n: int, mark) -> None:
        nonlocal total
        total += n
        if total > max_nodes:
            raise DataFileError(
                f"{name}: more than {max_nodes:,} values (line {mark.line + 1}), counting "
                "each alias and merge key (<<) as a copy of what it refers to; split the "
                "file, or write the data out instead of repeating anchors")

    try:
        for ev in yaml.parse(text, Loader=_Loader):
            if isinstance(ev, (yaml.ScalarEvent, yaml.AliasEvent)):
                if isinstance(ev, yaml.AliasEvent):
                    # an unknown anchor is left for the loader to report with its position
                    n = sizes.get(ev.anchor, 1)
                else:
                    n = 1
                    if ev.anchor:
                        sizes[ev.anchor] = 1
                count(n, ev.start_mark)
                if stack:
                    stack[-1][1] += n
            elif isinstance(ev, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if len(stack) >= max_depth:
                    raise DataFileError(f"{name}: nested more than {max_depth} levels deep "
                                        f"(line {ev.start_mark.line + 1})")
                count(1, ev.start_mark)
                stack.append([ev.anchor, 1])
            elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                anchor, n = stack.pop()
                if anchor:
                    sizes[anchor] = n
                if stack:
                    stack[-1][1] += n
    except yaml.YAMLError as exc:
        raise DataFileError(f"{name}: not valid YAML: {_yaml_problem(exc)}") from None
    return total


def load_yaml(path: str | Path, error: type[Exception] | None = None, what: str = "data file", *,
              max_bytes: int = MAX_BYTES, max_nodes: int = MAX_NODES,
              max_depth: int = MAX_DEPTH):
    """Read one YAML document from ``path`` within the bounds above; return the parsed data.

    Every failure raises ``error`` (default :class:`DataFileError`; a loader passes its own,
    such as ``BankError``) with a message that starts with the path: cannot read, too big, not
    UTF-8 (with the byte offset, line and column), too big once expanded, too deep, not YAML.
    ``what`` names the kind of file in messages ("bank file", "self-check file").
    """
    try:
        return _load_yaml(Path(path), what, max_bytes, max_nodes, max_depth)
    except DataFileError as exc:
        if error is None or error is DataFileError:
            raise
        raise error(str(exc)) from None


def _load_yaml(path: Path, what: str, max_bytes: int, max_nodes: int, max_depth: int):
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DataFileError(f"{name}: {what} too big ({size:,} bytes; the limit is "
                                f"{max_bytes:,}): split it into smaller files")
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)        # the file may have grown since stat()
    except OSError as exc:
        raise DataFileError(f"{name}: cannot read {what} ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise DataFileError(f"{name}: {what} too big (more than {max_bytes:,} bytes): split "
                            "it into smaller files")
    return parse_yaml(data, name, max_nodes=max_nodes, max_depth=max_depth)


def parse_yaml(data: bytes | str, name: str = "<yaml>", *, max_nodes: int = MAX_NODES,
               max_depth: int = MAX_DEPTH):
    """Parse YAML text or bytes (already size-checked) with the same bounds as
    :func:`load_yaml`; ``name`` starts every message."""
    text = decode_utf8(data, name) if isinstance(data, bytes) else data
    check_expansion(text, name, max_nodes, max_depth)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        raise DataFileError(f"{name}: not valid YAML: {_yaml_problem(exc)}") from None
    except RecursionError:
        raise DataFileError(f"{name}: nested too deeply") from None


# ------------------------------------------------------------------ schema error messages

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
