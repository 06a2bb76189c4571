"""Which bank files a command reads: the YAML files named, or inside the folders named. Shared
by the scenario banks and the conversation banks (standard library only, so the conversation
engine stays importable in the browser without YAML or pydantic)."""
from __future__ import annotations

from pathlib import Path


def yaml_files(paths, default: Path) -> list[Path]:
    """The *.yml/*.yaml files in ``paths`` (files as given, folders' files sorted by name);
    ``default`` when no paths are given."""
    paths = [default] if not paths else [Path(p) for p in paths]
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(q for q in p.iterdir()
                            if q.suffix in (".yml", ".yaml") and q.is_file())
        else:
            files.append(p)
    return files
