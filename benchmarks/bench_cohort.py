"""A large class: autograde 1,000 simulated submissions of one assignment into PostgreSQL.

    python benchmarks/bench_cohort.py [--students 1000] [--workers 1 2] [--db-url URL]

It builds ``empathy`` from the repository's bank, releases it, writes ``--students`` submissions
of students of varying ability (:func:`partnership.grader.cohort.random_class`: each answers the
widget items, the typed items and the written item, as the exchange leaves a submission), then,
for each number of ``--workers``, autogrades them all into a fresh PostgreSQL database, the
students split between that many ``nbgrader autograde`` processes running at once (each takes the
students whose ids match its glob), and prints the seconds in all and per submission, and the CPU seconds the autograde processes
used (steadier than wall time on a shared machine; PostgreSQL's own CPU is not in it). It checks
that every submission got a score and that the total is the same for every worker count.

PostgreSQL: ``--db-url`` (a server you give, whose user may create databases), else a throwaway
server started here with Debian's ``postgresql`` (as tests/pg_support.py does). The machine's load
average is printed with the figures, since other work on the machine slows them.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def _globs(workers: int, n: int) -> list[str]:
    """Student-id globs splitting s0000..s(n-1) into ``workers`` groups by the hundreds digit."""
    if workers == 1:
        return ["*"]
    if 10 % workers or n != 1000:
        raise SystemExit("--workers must divide 10, with --students 1000")
    step = 10 // workers
    return [f"s0[{k}-{k + step - 1}]*" for k in range(0, 10, step)]


def _fresh_database(admin_url: str, user_url: str, name: str) -> str:
    """A new empty database ``name`` owned by ``user_url``'s user; return its URL."""
    import psycopg
    from urllib.parse import urlsplit
    owner = urlsplit(user_url).username
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    return user_url.rsplit("/", 1)[0] + f"/{name}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=1000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--db-url", help="an existing server's URL (user may CREATE DATABASE)")
    ap.add_argument("--keep", type=Path, help="keep the course folder here")
    args = ap.parse_args(argv)
    for w in args.workers:
        _globs(w, args.students)

    from partnership.grader.bank import load_bank
    from partnership.grader.build import build_assignment
    from partnership.grader.cohort import random_class, write_submission
    from partnership.grader.config import database_url
    from partnership.grader.simulate import Runner

    tmp = Path(tempfile.mkdtemp(prefix="bench-cohort-"))
    course = args.keep or tmp / "course"
    if course.exists():
        shutil.rmtree(course)
    bank_path = REPO / "exercises" / "empathy.yml"
    bank = load_bank(bank_path)
    build_assignment(bank_path, course)

    import contextlib
    if args.db_url:
        server = contextlib.nullcontext(args.db_url)
    else:
        from pg_support import temporary_server
        server = temporary_server()
    try:
        with server as url:
            from urllib.parse import urlsplit
            plain = url.replace("postgresql+psycopg://", "postgresql://")
            parts = urlsplit(plain)
            # a throwaway server trusts local connections: its superuser creates the databases
            admin = plain if args.db_url else \
                f"postgresql://postgres@{parts.hostname}:{parts.port}/postgres"
            runner = Runner(course, db_url=database_url(url))
            r = runner.run("generate_assignment", "empathy", "--force")
            if r.returncode:
                raise SystemExit(r.stderr[-2000:])
            t0 = time.perf_counter()
            import json
            release_nb = json.loads((course / "release" / "empathy" / "empathy.ipynb")
                                    .read_text(encoding="utf-8"))
            cls = random_class(bank, args.students, seed=19)
            for sid, answers in cls.items():
                write_submission(course, bank, sid, answers, release_nb=release_nb)
            made = time.perf_counter() - t0
            print(f"{args.students} submissions of empathy written in {made:.1f} s "
                  f"({len(bank.items)} items: 3 widget, 2 typed, 1 written)")
            totals = {}
            for w in args.workers:
                db = database_url(_fresh_database(admin, plain, f"bench_w{w}"))
                run = Runner(course, db_url=db)
                r = run.run("generate_assignment", "empathy", "--force")
                if r.returncode:
                    raise SystemExit(r.stderr[-2000:])
                shutil.rmtree(course / "autograded", ignore_errors=True)
                load = os.getloadavg()[0]
                cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                procs = [subprocess.Popen(
                    [sys.executable, "-m", "nbgrader", "autograde", "empathy", "--student", g,
                     f"--CourseDirectory.root={course}", f"--CourseDirectory.db_url={db}"],
                    cwd=course, env=run.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                    text=True) for g in _globs(w, args.students)]
                errs = [p.communicate()[1] for p in procs]
                dt = time.perf_counter() - t0
                cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
                if any(p.returncode for p in procs):
                    raise SystemExit("autograde failed:\n" + "\n".join(e[-1500:] for e in errs))
                from nbgrader.api import Gradebook
                with Gradebook(db, "therapy-as-partnership") as gb:
                    subs = gb.find_assignment("empathy").submissions
                    graded = [s for s in subs if s.notebooks]
                    totals[w] = round(sum(s.code_score for s in graded), 4)
                if len(graded) != args.students:
                    raise SystemExit(f"workers {w}: only {len(graded)} of {args.students} "
                                     f"submissions were graded")
                print(f"workers {w}: {dt:7.1f} s in all, {dt / args.students * 1000:6.1f} ms per "
                      f"submission; CPU of the autograde processes {cpu:.1f} s "
                      f"({cpu / args.students * 1000:.1f} ms per submission); {len(graded)} graded "
                      f"(load average at start {load:.1f})")
            if len(set(totals.values())) != 1:
                raise SystemExit(f"the workers disagree on the class's total: {totals}")
            print(f"class total {next(iter(totals.values())):g} autograded points, the same "
                  f"for every worker count; {os.cpu_count()} CPUs")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
