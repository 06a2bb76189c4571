"""``{self-check}``: render a chapter's YAML self-check as static, clickable questions.

Each option is a native ``<details>`` dropdown (sphinx-design): choosing it reveals whether it is
right and why. That needs no kernel and no JavaScript, works with a keyboard and a screen reader,
and states the result in words ("Correct." / "Not quite."), never by colour alone.
"""
from __future__ import annotations

import string
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from partnership.book.quizdata import QuizError, load_quiz

logger = logging.getLogger(__name__)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class SelfCheck(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self):
        rel, path = self.env.relfn2path(self.arguments[0], self.env.docname)
        self.env.note_dependency(rel)
        try:
            quiz = load_quiz(path)
        except QuizError as exc:
            logger.warning("self-check: %s", exc, location=self.get_location())
            return []
        lines: list[str] = []
        for n, q in enumerate(quiz.questions, start=1):
            lines += [f"::::::{{container}} self-check-question", f":name: {q.id}", ""]
            lines += [f"**Question {n}.** {q.prompt.strip()}", ""]
            lines += ["*Choose an answer to see feedback:*", ""]
            for letter, opt in zip(string.ascii_uppercase, q.options):
                verdict = "**Correct.**" if opt.correct else "**Not quite.**"
                lines += [
                    f":::::{{dropdown}} {letter}. {_one_line(opt.text)}",
                    ":class-container: self-check-option",
                    "",
                    f"{verdict} {opt.why.strip()}",
                    ":::::",
                    "",
                ]
            lines += ["::::::", ""]
        container = nodes.container(classes=["self-check"])
        self.state.nested_parse(StringList(lines, source=str(path)), 0, container)
        return [container]


def setup(app):
    app.add_directive("self-check", SelfCheck)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
