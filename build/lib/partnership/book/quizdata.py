"""The book's static self-check questions, kept as data (one YAML file per chapter).

A question has a prompt and two to five options; exactly one option is correct and every option
says *why* it is right or wrong, so a reader who picks a wrong answer still learns something.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from partnership.validation import error_location, require_unique_ids


class QuizError(ValueError):
    """A self-check file that cannot be used; the message names the file, question and field."""


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1)
    correct: bool = False
    why: str = Field(min_length=10)


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    prompt: str = Field(min_length=5)
    options: list[Option] = Field(min_length=2, max_length=5)

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options):
        n = sum(o.correct for o in options)
        if n != 1:
            raise ValueError(f"exactly one option must be correct, found {n}")
        return options


class Quiz(BaseModel):
    model_config = ConfigDict(extra="forbid")
    questions: list[Question] = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def _unique_ids(cls, qs):
        return require_unique_ids(qs, "question")


def load_quiz(path: str | Path) -> Quiz:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QuizError(f"{path}: cannot read self-check file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise QuizError(f"{path}: not valid YAML ({exc})") from exc
    try:
        return Quiz.model_validate(data)
    except ValidationError as exc:
        msgs = [f"{path}: {error_location(data, e['loc'], 'questions', 'question')}: {e['msg']}" for e in exc.errors()]
        raise QuizError("\n".join(msgs)) from exc
