"""``partnership labs [DIR]``: copy the practice labs into a folder of your own and open them in
JupyterLab there.

Why a command: opening the notebooks inside the project's checkout lets JupyterLab's autosave
change tracked files (a later ``git pull`` then conflicts). The copies live in DIR (default
``./partnership-labs``); a copy that is already there is never overwritten, so your notebooks and
answers file stay as they are when you start again. Each start:

- points the labs' chapter links ("Read first") at the book's pages, not at raw MyST source:
  ``--book URL`` (a published copy of the book), else ``$PARTNERSHIP_BOOK_URL``, else the book
  built in the checkout (``_build/html``), which JupyterLab then serves beside the labs;
- starts JupyterLab with a save hook (:func:`strip_live_outputs`) that never stores the live
  output of a lab cell or a progress cell, nor widget state: a lab reopened with a fresh kernel
  then shows its cell ready to run instead of "Error displaying widget: model not found" and a
  stale progress table.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import partnership

REPO = Path(partnership.__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
BUILT_BOOK = REPO / "_build" / "html"
#: Cells whose output is live only: the lab itself and the progress views.
LIVE_TAGS = {"partnership-lab", "partnership-live"}
HOOK = "partnership.commands.labs.strip_live_outputs"
_CHAPTER_LINK = re.compile(r"\[([^\]]+)\]\((?:\.\./book/|https?://[^)\s]*/book/)"
                           r"([A-Za-z0-9_-]+)\.(?:md|html)(#[^)\s]*)?\)")


def register(parser):
    parser.add_argument("dir", nargs="?", type=Path, default=Path("partnership-labs"),
                        help="your folder for the labs (default: ./partnership-labs)")
    parser.add_argument("--book", metavar="URL",
                        help="where the book is published, for the chapter links (default: "
                             "$PARTNERSHIP_BOOK_URL, else the book built in this checkout)")
    parser.add_argument("--port", type=int, default=0, help="JupyterLab's port (default: free)")
    parser.add_argument("--no-start", action="store_true",
                        help="only copy the labs and update their links; do not start JupyterLab")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")


def strip_live_outputs(model, path=None, contents_manager=None, **kwargs):
    """A Jupyter ``pre_save_hook``: drop the outputs of lab and progress cells and any saved
    widget state from a notebook before it is written (live widgets cannot outlive their
    kernel; the answers file, not the notebook, keeps the learner's work)."""
    if not isinstance(model, dict) or model.get("type") != "notebook":
        return
    nb = model.get("content")
    if not isinstance(nb, dict):
        return
    (nb.get("metadata") or {}).pop("widgets", None)
    for cell in nb.get("cells") or []:
        tags = set((cell.get("metadata") or {}).get("tags") or [])
        if cell.get("cell_type") == "code" and tags & LIVE_TAGS:
            cell["outputs"] = []
            cell["execution_count"] = None


def book_url(arg: str | None, port: int) -> tuple[str | None, Path | None]:
    """(base URL for chapter links, folder JupyterLab must serve for it, if any)."""
    url = arg or os.environ.get("PARTNERSHIP_BOOK_URL")
    if url:
        return url.rstrip("/"), None
    if (BUILT_BOOK / "index.html").exists():
        # JupyterLab serves extra static folders under /static/
        return f"http://127.0.0.1:{port}/static", BUILT_BOOK
    return None, None


def relink(nb: dict, base: str | None) -> int:
    """Point chapter links of the markdown cells at ``base``/book/<page>.html (or, with no book
    to link to, keep the words and drop the link); return how many were changed."""
    count = 0

    def sub(m):
        nonlocal count
        count += 1
        if base is None:
            return m.group(1)
        return f"[{m.group(1)}]({base}/book/{m.group(2)}.html{m.group(3) or ''})"

    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        new = _CHAPTER_LINK.sub(sub, src)
        if new != src:
            cell["source"] = new
    return count


def copy_labs(dest: Path, base: str | None) -> tuple[list[str], list[str]]:
    """Copy the notebooks that are not in ``dest`` yet; relink every copy. (copied, kept)."""
    if not NOTEBOOKS.is_dir():
        raise SystemExit(f"the practice notebooks are not here ({NOTEBOOKS}): run this command "
                         "from a clone of the project (pip install -r requirements.txt)")
    dest = dest.resolve()
    if dest == NOTEBOOKS or NOTEBOOKS in dest.parents:
        raise SystemExit(f"{dest} is inside the project's own notebooks folder; choose a folder "
                         "of your own (the point is to keep the project's files unchanged)")
    dest.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for src in sorted(NOTEBOOKS.glob("*.ipynb")):
        target = dest / src.name
        if target.exists():
            kept.append(src.name)
        else:
            shutil.copyfile(src, target)
            copied.append(src.name)
        try:
            nb = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue                    # a damaged copy of the learner's: leave it alone
        if relink(nb, base):
            target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                              encoding="utf-8")
    return copied, kept


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_command(dest: Path, port: int, serve: Path | None, no_browser: bool) -> list[str]:
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={dest.resolve()}",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--ContentsManager.pre_save_hook={HOOK}",
           "--LabApp.default_url=/lab/tree/00-start-here.ipynb"]
    if serve is not None:
        cmd.append(f"--ServerApp.extra_static_paths={serve}")
    if no_browser:
        cmd.append("--no-browser")
    return cmd


def run(args) -> int:
    port = args.port or _free_port()
    base, serve = book_url(args.book, port)
    copied, kept = copy_labs(args.dir, base)
    print(f"Labs in {args.dir.resolve()}: {len(copied)} copied"
          + (f", {len(kept)} already there (kept as they are)" if kept else ""))
    if base is None:
        print("Chapter links show the chapter's name only: build the book "
              "(jupyter-book build .) or pass --book URL to link them.")
    else:
        print(f"Chapter links point to {base}/book/")
    if args.no_start:
        return 0
    cmd = jupyter_command(args.dir, port, serve, args.no_browser)
    print("Starting JupyterLab (Ctrl+C to stop). Your answers are saved in "
          f"{args.dir / 'my.partnership-answers.json'}.")
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 0
