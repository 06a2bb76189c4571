"""The grading round trip with a PostgreSQL gradebook, on a real server, through the URL the
instructor guide documents (``PARTNERSHIP_DB_URL=postgresql://user:password@host/database``, read
by the course configuration, which gives it psycopg 3's driver).

Where PostgreSQL is not installed this skips with a reason; under CI=true it must run (.ci/run
installs Debian's postgresql)."""
from __future__ import annotations

from pathlib import Path

import pytest
from pg_support import temporary_server

from partnership.grader.demo import run_demo

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pg_url():
    with temporary_server() as url:
        yield url


def test_round_trip_on_postgresql_with_the_documented_url(pg_url, tmp_path):
    result = run_demo(tmp_path / "course", banks=ROOT / "exercises", assignments=["empathy"],
                      students=["perfect", "partial", "replaced", "corrupt"],
                      environ={"PARTNERSHIP_DB_URL": pg_url}, log=lambda line: None)
    assert not (result.course / "gradebook.db").exists()          # nothing went to SQLite
    assert result.problems == []
    got = {s: (o.score, o.status) for (s, a), o in result.outcomes.items()}
    assert got == {"perfect": (14, "graded"), "partial": (7.5, "graded"),
                   "replaced": (0, "graded"),
                   "corrupt": (None, "not graded: autograding failed")}
    from nbgrader.api import Gradebook
    from partnership.grader.config import database_url
    assert database_url(pg_url).startswith("postgresql+psycopg://")
    with Gradebook(database_url(pg_url), "therapy-as-partnership") as gb:
        assert gb.db.bind.dialect.name == "postgresql"
        assert gb.db.bind.dialect.driver == "psycopg"
        assert gb.find_submission("empathy", "partial").score == 7.5
