"""The book's self-check questions, kept as data (one YAML file per chapter).

A question has a prompt and two to five options; exactly one option is correct and every option
says *why* it is right or wrong, so a reader who picks a wrong answer still learns something.
The page prints the verdict ("Correct." / "Not quite.") itself, so a ``why`` must not start with
one. ``task`` says what a question asks the reader to do (recall, apply a concept to a new case,
code an utterance, put steps in order), so ``partnership check-quizzes`` can see that a chapter
tests understanding and not only memory.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from partnership.validation import error_location, load_yaml, require_unique_ids


class QuizError(ValueError):
    """A self-check file that cannot be used; the message names the file, question and field."""


#: Openings that repeat the verdict the page already prints ("Correct. Correct.").
_VERDICT = re.compile(r"^\s*(correct|incorrect|right|wrong|yes|no|not quite|not so|exactly|"
                      r"true|false)\b\s*[.,:;!\u2014-]", re.I)
#: What a question asks the reader to do.
TASKS = {"recall": "recall a fact or definition",
         "apply": "apply a concept to a new case",
         "code": "code an utterance (name what kind of response it is)",
         "order": "put steps in order"}


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1)
    correct: bool = False
    why: str = Field(min_length=10)

    @field_validator("why")
    @classmethod
    def _no_verdict(cls, why):
        m = _VERDICT.match(why)
        if m:
            raise ValueError(f"starts with a verdict ({m.group(0).strip()!r}); the page adds "
                             "'Correct.' or 'Not quite.' itself, so begin with the reason")
        return why


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    prompt: str = Field(min_length=5)
    task: Literal["recall", "apply", "code", "order"] = "recall"
    options: list[Option] = Field(min_length=2, max_length=5)

    @property
    def key(self) -> int:
        """Index of the correct option."""
        return next(i for i, o in enumerate(self.options) if o.correct)

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
    data = load_yaml(path, QuizError, "self-check file")
    try:
        return Quiz.model_validate(data)
    except ValidationError as exc:
        msgs = [f"{path}: {error_location(data, e['loc'], 'questions', 'question')}: {e['msg']}" for e in exc.errors()]
        raise QuizError("\n".join(msgs)) from exc


def keyed_questions(quiz: Quiz, name: str = "") -> list:
    """The questions as :class:`partnership.learner.schema.Keyed` records for the cue
    statistics, in the order the page shows the options (as written)."""
    from partnership.learner.schema import keyed
    prefix = f"{name}: " if name else ""
    return [keyed(f"{prefix}question {q.id}", [o.text for o in q.options], q.key)
            for q in quiz.questions]
