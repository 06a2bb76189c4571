"""``{self-check}``: a chapter's YAML self-check as a short test with a score.

The page works in two layers:

- **Without JavaScript** (and before the script runs) each option is a native ``<details>``
  dropdown (sphinx-design): opening it reveals whether it is right and why. That needs no
  kernel, works with a keyboard and a screen reader, and states the result in words
  ("Correct." / "Not quite."), never by colour alone.
- **With JavaScript** (``book/_static/selfcheck.js``) each question becomes a group of radio
  buttons and a "Check answer" button: the reader chooses first, then sees the verdict and the
  reason for *their* choice, and only then may open the other options' explanations. A running
  score for the chapter sits above and below the questions. Answers are kept in the tab's
  ``sessionStorage`` only (nothing is sent anywhere, and closing the tab forgets them).

The options are shown in the order written, so authors spread the keys across positions
themselves; ``partnership check-quizzes`` measures that (and the other guessing cues).
"""
from __future__ import annotations

import string

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from partnership.book.quizdata import QuizError, load_quiz

logger = logging.getLogger(__name__)

JS_FILE = "selfcheck.js"       # in book/_static
CSS_FILE = "selfcheck.css"


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
        self.env.metadata[self.env.docname]["self_check"] = True
        lines: list[str] = []
        for n, q in enumerate(quiz.questions, start=1):
            lines += [f"::::::{{container}} self-check-question", f":name: {q.id}", ""]
            lines += [":::::{container} self-check-prompt", "",
                      f"**Question {n}.** {q.prompt.strip()}", ":::::", ""]
            lines += [":::::{container} self-check-instruction", "",
                      "*Open an option to see whether it is right, and why:*", ":::::", ""]
            for letter, opt in zip(string.ascii_uppercase, q.options):
                verdict = "**Correct.**" if opt.correct else "**Not quite.**"
                classes = "self-check-option" + (" self-check-key" if opt.correct else "")
                lines += [
                    f":::::{{dropdown}} {letter}. {_one_line(opt.text)}",
                    f":class-container: {classes}",
                    "",
                    f"{verdict} {opt.why.strip()}",
                    ":::::",
                    "",
                ]
            lines += ["::::::", ""]
        container = nodes.container(classes=["self-check"])
        container["ids"].append(f"self-check-{self.env.new_serialno('self-check')}")
        self.state.nested_parse(StringList(lines, source=str(path)), 0, container)
        return [container]


def add_assets(app, pagename, templatename, context, doctree):
    """Load the script and its styles only on pages that have a self-check."""
    if app.env.metadata.get(pagename, {}).get("self_check"):
        app.add_js_file(JS_FILE, loading_method="defer")
        app.add_css_file(CSS_FILE)


def setup(app):
    app.add_directive("self-check", SelfCheck)
    app.connect("html-page-context", add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
