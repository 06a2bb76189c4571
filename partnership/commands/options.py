"""Arguments that several instructor commands share, worded once: the course folder and the
gradebook it uses (so ``--help`` says the same thing everywhere)."""
from __future__ import annotations

from pathlib import Path


def add_course_options(parser) -> None:
    """``--course DIR`` (default: the current folder) and ``--db-url URL``."""
    parser.add_argument("--course", type=Path, default=Path.cwd(), metavar="DIR",
                        help="the course folder (default: here)")
    parser.add_argument("--db-url", metavar="URL", help="gradebook database URL (default: "
                                                        "PARTNERSHIP_DB_URL, else SQLite in the "
                                                        "course folder)")
