"""Finding grader material where a student could see it.

:func:`scan` looks through files (text files, and the members of zip files such as wheels) for the
secrets of a bank (:func:`partnership.grader.bank.secrets`: model answers and rubric lines) and,
with ``short=True``, for the main typed keys as whole words (``1976``, ``3.05``, ``2:1``,
:func:`partnership.grader.bank.short_keys`): those may be taught in the book, so look for them
only in that assignment's release. Notebooks are searched in their cells' sources and outputs
(not their metadata, where numbers such as points are expected). Text is compared lower-cased,
HTML-unescaped and with runs of white space collapsed, so a key split across lines or escaped in
HTML is still found.
"""
from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from partnership.grader.bank import GradedBank, secrets, short_keys

__all__ = ["scan", "Leak"]

TEXT_SUFFIXES = {".ipynb", ".yml", ".yaml", ".json", ".html", ".htm", ".txt", ".md", ".py",
                 ".js", ".csv", ".cfg", ".toml", ".xml", ".svg", ".tex", ""}


class Leak(tuple):
    """(where, what): a file (or ``wheel!member``) and which secret it holds."""


def _norm(text: str) -> str:
    text = html.unescape(text).replace("\\n", " ").replace("\u2019", "'")
    text = re.sub(r"\\u2019", "'", text)
    return re.sub(r"\s+", " ", text).lower()


def _texts(paths):
    for p in paths:
        p = Path(p)
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        for f in files:
            if f.suffix in (".whl", ".zip"):
                with zipfile.ZipFile(f) as z:
                    for name in z.namelist():
                        if Path(name).suffix in TEXT_SUFFIXES:
                            yield f"{f}!{name}", z.read(name).decode("utf-8", "replace")
            elif f.suffix in TEXT_SUFFIXES:
                try:
                    text = f.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                yield str(f), _notebook_text(text) if f.suffix == ".ipynb" else text


def _notebook_text(text: str) -> str:
    """A notebook's cell sources and output texts (not its metadata)."""
    import json
    try:
        nb = json.loads(text)
        cells = nb["cells"]
    except (ValueError, KeyError, TypeError):
        return text
    parts = []
    for c in cells:
        parts.append(json.dumps(c.get("source", "")))
        for o in c.get("outputs", []) or []:
            parts.append(json.dumps(o.get("text", "")))
            parts.append(json.dumps(o.get("data", {})))
    return "\n".join(parts)


def scan(paths, banks: list[GradedBank], *, short: bool = False) -> list[Leak]:
    """Every (file, secret) found in ``paths`` (files or folders) for the ``banks``."""
    wanted = []
    for bank in banks:
        wanted += secrets(bank)
        if short:
            wanted += [(what, key) for what, key in short_keys(bank) if len(key) >= 3]
    patterns = [(what, re.compile(r"(?<![\w.:])" + re.escape(key) + r"(?![\w:]|\.\d)"))
                for what, key in wanted]
    found = []
    for where, text in _texts(paths):
        t = _norm(text)
        for what, pat in patterns:
            if pat.search(t):
                found.append(Leak((where, what)))
    return found
