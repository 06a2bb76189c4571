"""A term's course settings and class list: ``course.yml`` and the roster, into nbgrader's gradebook.

``course.yml`` lives in the course folder beside ``nbgrader_config.py`` and says, per assignment,
when it is due and how late work is penalised (the instructor guide shows a full example)::

    timezone: Europe/London        # for due dates written without an offset (default UTC)
    late_penalty:                  # the default for every assignment
      percent_per_day: 10          # of the score, for each day or part of a day late
      max_percent: 50              # never more than this
      grace_minutes: 15            # this close after the due date still counts as on time
    assignments:
      empathy:
        due: 2026-03-02 17:00
        title: Empathy (graded)    # the column name in the LMS files (default: the bank's title)
        canvas_id: 48213           # optional: the Canvas assignment's id, for an exact match
        late_penalty: zero         # this assignment only: none, zero, or the fields above

Autograding reads it (:mod:`partnership.grader.late`): the due date goes into the gradebook, where
nbgrader compares it with each submission's time, and the policy sets the penalty. ``partnership
course deadlines`` puts the due dates into the gradebook before anything is autograded (so
formgrader and the exports show them from the start).

The roster is a CSV file from the student records system or the LMS: one row per student with an
id (the login they use on the JupyterHub), names and an email. ``partnership course roster FILE``
checks every row (errors name the file, the line and the column) and adds or updates the students
in the gradebook, so the exports carry names and emails.
"""
from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = ["CourseError", "CourseSettings", "LatePolicy", "load_course", "course_file",
           "read_roster", "RosterEntry", "import_roster", "apply_deadlines", "db_url_for",
           "open_gradebook", "course_id", "to_utc"]

COURSE_FILE = "course.yml"


class CourseError(ValueError):
    """A problem in course.yml or a roster file, in words naming the file, line and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LatePolicy(_Strict):
    """A share of the score taken off for each day, or part of a day, late."""
    percent_per_day: float = Field(gt=0, le=100)
    max_percent: float = Field(default=100, gt=0, le=100)
    grace_minutes: float = Field(default=0, ge=0, le=24 * 60)

    def penalty(self, score: float, seconds_late: float) -> float:
        """Points taken off ``score`` for a submission ``seconds_late`` after the due date."""
        late = float(seconds_late) - self.grace_minutes * 60
        if late <= 0 or score <= 0:
            return 0.0
        days = -(-late // 86400)                         # each day or part of a day
        percent = min(days * self.percent_per_day, self.max_percent)
        return round(score * percent / 100, 4)

    def describe(self) -> str:
        grace = f", {self.grace_minutes:g} minutes' grace" if self.grace_minutes else ""
        return (f"{self.percent_per_day:g}% of the score per day or part day late, at most "
                f"{self.max_percent:g}%{grace}")


Policy = Union[Literal["none", "zero"], LatePolicy]


class AssignmentSettings(_Strict):
    due: datetime | None = None
    title: str | None = Field(default=None, min_length=1, max_length=120)
    canvas_id: int | None = Field(default=None, gt=0)
    late_penalty: Policy | None = None


class CourseSettings(_Strict):
    timezone: str = "UTC"
    late_penalty: Policy = "none"
    assignments: dict[str, AssignmentSettings] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (use a name such as Europe/London or "
                             f"America/Toronto)") from None
        return v

    @field_validator("assignments")
    @classmethod
    def _names(cls, v):
        for name in v:
            if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
                raise ValueError(f"{name!r} is not an assignment id (lower case, digits, "
                                 f"hyphens)")
        return v

    def settings(self, assignment: str) -> AssignmentSettings:
        return self.assignments.get(assignment) or AssignmentSettings()

    def policy(self, assignment: str) -> Policy:
        own = self.settings(assignment).late_penalty
        return self.late_penalty if own is None else own

    def due_utc(self, assignment: str) -> datetime | None:
        """The due date as nbgrader stores it: UTC, without a time zone."""
        due = self.settings(assignment).due
        return None if due is None else to_utc(due, self.timezone)


def to_utc(when: datetime, zone: str = "UTC") -> datetime:
    """``when`` in UTC without tzinfo (nbgrader's form); a naive time is read in ``zone``."""
    from zoneinfo import ZoneInfo
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(zone))
    return when.astimezone(timezone.utc).replace(tzinfo=None)


def penalty_for(policy: Policy, score: float, seconds_late: float) -> float:
    if policy == "none" or seconds_late <= 0:
        return 0.0
    if policy == "zero":
        return float(score)
    return policy.penalty(score, seconds_late)


def describe_policy(policy: Policy) -> str:
    return {"none": "no penalty", "zero": "late work scores 0"}.get(policy) \
        if isinstance(policy, str) else policy.describe()


def course_file(root) -> Path:
    return Path(root) / COURSE_FILE


def load_course(root) -> CourseSettings:
    """The course's settings from ``<root>/course.yml`` (defaults where there is no file)."""
    from partnership.validation import load_yaml
    path = course_file(root)
    if not path.exists():
        return CourseSettings()
    data = load_yaml(path, CourseError, what="course settings")
    if data is None:
        return CourseSettings()
    if not isinstance(data, dict):
        raise CourseError(f"{path}: course settings must be a mapping (timezone, late_penalty, "
                          f"assignments)")
    try:
        return CourseSettings.model_validate(data)
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            loc = [str(p) for p in e["loc"] if not str(p).startswith(("function-", "literal["))
                   and p not in ("LatePolicy",)]
            msg = e["msg"].removeprefix("Value error, ")
            given = e.get("input")
            # a late_penalty is either a word or a mapping: report only the branch meant
            if e["type"] == "literal_error" and loc[-1:] == ["late_penalty"]:
                if isinstance(given, dict):
                    continue
                msg = (f"{given!r} is not a late policy: give none, zero, or percent_per_day "
                       f"(with max_percent and grace_minutes if you wish)")
            elif e["type"] in ("model_type", "dict_type") and isinstance(given, str):
                continue
            lines.append(f"{path}: field {'.'.join(loc) or '(file)'}: {msg}")
        raise CourseError("\n".join(dict.fromkeys(lines))) from None


# ------------------------------------------------------------------ the gradebook

def course_id() -> str:
    return os.environ.get("PARTNERSHIP_COURSE_ID", "therapy-as-partnership")


def db_url_for(root, db_url: str | None = None) -> str:
    """The gradebook URL the course configuration uses: ``db_url``, else ``PARTNERSHIP_DB_URL``,
    else SQLite in the course folder (nbgrader's default)."""
    from partnership.grader.config import database_url
    url = db_url or os.environ.get("PARTNERSHIP_DB_URL")
    if url:
        return database_url(url)
    return f"sqlite:///{Path(root).resolve() / 'gradebook.db'}"


def open_gradebook(root, db_url: str | None = None):
    """nbgrader's Gradebook for the course (a context manager)."""
    import warnings
    from nbgrader.api import Gradebook
    warnings.filterwarnings("ignore", message=r".*not in session.*")
    return Gradebook(db_url_for(root, db_url), course_id())


def apply_deadlines(root, db_url: str | None = None, settings: CourseSettings | None = None
                    ) -> list[tuple[str, datetime | None]]:
    """Write every due date in course.yml into the gradebook (creating the assignment's entry if
    nbgrader has not seen it yet); return (assignment, due in UTC)."""
    settings = settings or load_course(root)
    out = []
    with open_gradebook(root, db_url) as gb:
        for name in settings.assignments:
            due = settings.due_utc(name)
            gb.update_or_create_assignment(name, duedate=due)
            out.append((name, due))
    return out


# ------------------------------------------------------------------ the roster

#: accepted column names (case, spaces, hyphens and underscores ignored) -> field
_COLUMNS = {
    "id": "id", "studentid": "id", "username": "id", "login": "id", "loginid": "id",
    "userid": "id", "sisloginid": "id",
    "firstname": "first_name", "givenname": "first_name", "forename": "first_name",
    "lastname": "last_name", "surname": "last_name", "familyname": "last_name",
    "email": "email", "emailaddress": "email", "mail": "email",
    "lmsuserid": "lms_user_id", "lmsid": "lms_user_id", "canvasid": "lms_user_id",
    "canvasuserid": "lms_user_id",
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


@dataclass(frozen=True)
class RosterEntry:
    id: str
    first_name: str
    last_name: str
    email: str
    lms_user_id: str | None = None
    line: int = 0


def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.strip().lower())


def read_roster(path) -> list[RosterEntry]:
    """Every student in the roster CSV at ``path``; raises :class:`CourseError` listing every
    problem (file, line, column) so one pass fixes the file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CourseError(f"{path}: cannot read the roster ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")            # a spreadsheet's byte-order mark is fine
    except UnicodeDecodeError as exc:
        raise CourseError(f"{path}: not UTF-8 text (byte {exc.start}); save the roster as "
                          f"'CSV UTF-8'") from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise CourseError(f"{path}: the roster is empty") from None
    fields: dict[str, int] = {}
    unknown = []
    for i, name in enumerate(header):
        f = _COLUMNS.get(_key(name))
        if f is None:
            if name.strip():
                unknown.append(name.strip())
            continue
        if f in fields:
            raise CourseError(f"{path}: line 1: two columns give the {f} ({header[fields[f]]!r} "
                              f"and {name!r})")
        fields[f] = i
    missing = [f for f in ("id", "first_name", "last_name", "email") if f not in fields]
    if missing:
        raise CourseError(f"{path}: line 1: no column for {', '.join(missing)} (the header has "
                          f"{', '.join(repr(h) for h in header)}; accepted names include id, "
                          f"first_name, last_name, email)")
    errors, out, seen = [], [], {}
    for line, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        get = {f: (row[i].strip() if i < len(row) else "") for f, i in fields.items()}
        sid = get["id"]
        where = f"{path}: line {line}"
        if not sid:
            errors.append(f"{where}: column {header[fields['id']]!r}: the student id is empty")
            continue
        if not _ID.match(sid):
            errors.append(f"{where}: column {header[fields['id']]!r}: {sid!r} is not a usable "
                          f"id (letters, digits, '.', '_', '@', '-'; no spaces)")
            continue
        if sid in seen:
            errors.append(f"{where}: column {header[fields['id']]!r}: {sid!r} is also on line "
                          f"{seen[sid]}")
            continue
        seen[sid] = line
        for f in ("first_name", "last_name"):
            if not get[f]:
                errors.append(f"{where}: column {header[fields[f]]!r}: empty for {sid}")
        if not _EMAIL.match(get["email"]):
            errors.append(f"{where}: column {header[fields['email']]!r}: "
                          f"{get['email'] or 'empty'!r} is not an email address ({sid})")
        out.append(RosterEntry(sid, get["first_name"], get["last_name"], get["email"],
                               get.get("lms_user_id") or None, line))
    if errors:
        raise CourseError("\n".join(errors))
    if not out:
        raise CourseError(f"{path}: the roster has a header but no students")
    if unknown:
        out_note = ", ".join(repr(u) for u in unknown)
        import warnings
        warnings.warn(f"{path}: columns not used: {out_note}", stacklevel=2)
    return out


@dataclass
class RosterResult:
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    not_on_roster: list[str]       # in the gradebook, not in this roster (left as they are)


def import_roster(root, entries: list[RosterEntry], db_url: str | None = None) -> RosterResult:
    """Add or update each student in the gradebook. Students in the gradebook but not on the
    roster are reported, never deleted (their submissions and grades stay)."""
    res = RosterResult([], [], [], [])
    from nbgrader.api import MissingEntry
    with open_gradebook(root, db_url) as gb:
        for e in entries:
            want = {"first_name": e.first_name, "last_name": e.last_name, "email": e.email,
                    "lms_user_id": e.lms_user_id}
            try:
                st = gb.find_student(e.id)
            except MissingEntry:
                gb.add_student(e.id, **want)
                res.added.append(e.id)
                continue
            if all(getattr(st, k) == v for k, v in want.items()):
                res.unchanged.append(e.id)
            else:
                gb.update_or_create_student(e.id, **want)
                res.updated.append(e.id)
        ids = {e.id for e in entries}
        res.not_on_roster = sorted(s.id for s in gb.students if s.id not in ids)
    return res
