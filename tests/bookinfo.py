"""Facts about the book's source tree that several tests need (read from _toc.yml and book/)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "book"
SHARED = REPO.parent / "shared"

CHAPTER_RE = re.compile(r"^book/ch(\d\d)-")
CITE_RE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
TERM_RE = re.compile(r"\{term\}`([^`]+)`")


def toc_files() -> list[str]:
    """Every document named in _toc.yml (root first), without suffix."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                files.append(e["file"])
            walk(e.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def source_path(doc: str) -> Path:
    for suffix in (".md", ".ipynb"):
        p = REPO / (doc + suffix)
        if p.exists():
            return p
    raise FileNotFoundError(f"_toc.yml names {doc!r} but no {doc}.md or {doc}.ipynb exists")


def chapter_docs() -> list[str]:
    return [d for d in toc_files() if CHAPTER_RE.match(d)]


def chapter_pages(doc: str) -> list[str]:
    """A chapter and its sub-pages: the chapter's own `sections:` in _toc.yml and, for the welcome
    page (the root, which cannot have sections), the pages in book/ch00/."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    pages = [doc]

    def walk(entries):
        for e in entries or []:
            if e.get("file") == doc:
                pages.extend(s["file"] for s in e.get("sections") or [] if "file" in s)
            walk(e.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    if doc == toc["root"]:
        folder = doc.split("/")[-1][:4]  # "ch00"
        pages.extend(d for d in toc_files() if d.startswith(f"book/{folder}/"))
    return pages


def book_sources() -> list[Path]:
    """Every Markdown page of the book that the toc includes."""
    return [source_path(d) for d in toc_files() if source_path(d).suffix == ".md"]


def bib_keys() -> set[str]:
    text = (BOOK / "references.bib").read_text(encoding="utf-8")
    return set(re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.M))


def glossary_terms() -> list[str]:
    """Terms defined in book/glossary.md: unindented lines inside the glossary directive."""
    text = (BOOK / "glossary.md").read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return [line.strip() for line in body.splitlines()
            if line.strip() and not line.startswith((" ", "\t", ":"))]


def term_target(role_text: str) -> str:
    """`text <Target>` -> Target; `Target` -> Target."""
    m = re.match(r"^(.*?)\s*<([^>]+)>$", role_text, flags=re.S)
    return (m.group(2) if m else role_text).strip()


def jupyter_book_cli() -> str:
    """The jupyter-book command installed beside this Python (the package has no __main__)."""
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def strict_build(out: Path, src: Path = REPO) -> tuple[subprocess.CompletedProcess, Path]:
    """`jupyter-book build SRC -W -n --keep-going` into OUT; the process and OUT/_build/html."""
    proc = subprocess.run(
        [jupyter_book_cli(), "build", str(src), "-W", "-n", "--keep-going",
         "--path-output", str(out)],
        capture_output=True, text=True, cwd=src, timeout=1200)
    return proc, out / "_build" / "html"
