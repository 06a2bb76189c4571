"""Self-check files: a malformed one fails with a message that names file, question and field."""
from __future__ import annotations

import pytest

from partnership.book.quizdata import QuizError, load_quiz

GOOD_OPTIONS = """
      - text: "Right"
        correct: true
        why: "Because this is the right one."
      - text: "Wrong"
        why: "Because this one misses the point."
"""


def write(tmp_path, body):
    p = tmp_path / "ch99.yml"
    p.write_text(body, encoding="utf-8")
    return p


def test_valid_file_loads(tmp_path):
    quiz = load_quiz(write(tmp_path, f"questions:\n  - id: ch99-q1\n    prompt: A question?\n    options:{GOOD_OPTIONS}"))
    assert [o.correct for o in quiz.questions[0].options] == [True, False]


@pytest.mark.parametrize("body, expected", [
    ("questions:\n  - id: ch99-q1\n    prompt: A question?\n    options:\n      - text: A\n        why: Because it is wrong here.\n      - text: B\n        why: Because it is also wrong.\n",
     "question ch99-q1, field options: Value error, exactly one option must be correct, found 0"),
    (f"questions:\n  - id: ch99-q2\n    prompt: ''\n    options:{GOOD_OPTIONS}", "question ch99-q2, field prompt"),
    (f"questions:\n  - id: ch99-q3\n    prompt: A question?\n    colour: red\n    options:{GOOD_OPTIONS}", "question ch99-q3, field colour"),
    ("questions:\n  - id: ch99-q4\n    prompt: A question?\n    options:\n      - text: A\n        correct: true\n        why: short\n      - text: B\n        why: Because it is also wrong.\n",
     "question ch99-q4, field options.0.why"),
    ("questions: [\n", "not valid YAML"),
])
def test_errors_name_file_question_and_field(tmp_path, body, expected):
    path = write(tmp_path, body)
    with pytest.raises(QuizError) as info:
        load_quiz(path)
    msg = str(info.value)
    assert str(path) in msg
    assert expected in msg


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(QuizError, match="cannot read self-check file"):
        load_quiz(tmp_path / "nope.yml")


def _sphinx_build(tmp_path, quiz_body):
    """Build a one-page Sphinx project that uses the {self-check} directive."""
    from sphinx.application import Sphinx
    import io

    src = tmp_path / "src"
    (src / "quizzes").mkdir(parents=True)
    (src / "conf.py").write_text(
        "extensions = ['myst_parser', 'sphinx_design', 'partnership.book.selfcheck']\n"
        "myst_enable_extensions = ['colon_fence']\n", encoding="utf-8")
    (src / "index.md").write_text("# Page\n\n```{self-check} quizzes/q.yml\n```\n", encoding="utf-8")
    (src / "quizzes" / "q.yml").write_text(quiz_body, encoding="utf-8")
    warnings = io.StringIO()
    app = Sphinx(str(src), str(src), str(tmp_path / "out"), str(tmp_path / "doctrees"), "html",
                 status=None, warning=warnings, freshenv=True)
    app.build()
    return (tmp_path / "out" / "index.html"), warnings.getvalue()


def test_directive_renders_each_option_with_its_feedback(tmp_path):
    html, warnings = _sphinx_build(tmp_path, f"questions:\n  - id: ch99-q1\n    prompt: Which one?\n    options:{GOOD_OPTIONS}")
    assert warnings == ""
    page = html.read_text(encoding="utf-8")
    assert page.count("self-check-option") == 2
    assert "A. Right" in page and "<strong>Correct.</strong> Because this is the right one." in page
    assert "B. Wrong" in page and "<strong>Not quite.</strong> Because this one misses the point." in page


def test_directive_warns_with_file_question_and_field(tmp_path):
    _, warnings = _sphinx_build(tmp_path, "questions:\n  - id: ch99-q7\n    prompt: Which one?\n    options: []\n")
    assert "q.yml: question ch99-q7, field options" in warnings
