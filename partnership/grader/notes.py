"""What the grader writes into an autograded notebook, as HTML: an item's material with the
student's answer in words, and, for the person marking a written answer, the notes (rubric, model
answer, the reflection coach's suggestion).

Outputs meant for the grader only carry ``metadata.partnership.audience = "grader"``; the feedback
filter (:mod:`partnership.grader.feedback`) removes them, so a student never sees a rubric, a model
answer or the coach's suggestion beside the instructor's mark.
"""
from __future__ import annotations

import html

from partnership.learner.assignment import material_html

__all__ = ["answer_html", "grader_notes_html", "GRADER", "STUDENT", "output"]

GRADER, STUDENT = "grader", "student"


def _esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def output(html_text: str, plain: str, audience: str = STUDENT) -> dict:
    """A display_data output for nbformat, tagged with who may see it."""
    return {"output_type": "display_data",
            "data": {"text/html": html_text, "text/plain": plain},
            "metadata": {"partnership": {"audience": audience}}}


def answer_html(released_item, item, answer, present: bool) -> str:
    """The item's material and the student's saved answer in words. Option texts, never letters:
    the student saw the options shuffled, so a letter would not match what they saw."""
    body = material_html(released_item)
    if item.type not in ("choice", "ranking", "categorize"):
        return body
    if not present:
        said = "none (no answers file was submitted)"
    elif answer is None:
        said = "none (not answered)"
    else:
        try:
            if item.type == "choice":
                said = f"&ldquo;{_esc(item.options[answer].text)}&rdquo;"
            elif item.type == "ranking":
                order = sorted(range(len(answer)), key=lambda i: answer[i])
                said = "<ol>" + "".join(f"<li>{_esc(item.options[i].text)}</li>"
                                        for i in order) + "</ol>"
            else:
                labels = {c.id: c.label for c in item.categories}
                said = "<ol>" + "".join(
                    f"<li>{_esc(labels.get(c, 'not sorted') if isinstance(c, str) else 'not sorted')}"
                    f": {_esc(st.text)}</li>" for st, c in zip(item.statements, answer)) + "</ol>"
        except (TypeError, IndexError, KeyError):
            said = "an answer that does not fit this item"
    return body + f"<div><strong>Your saved answer:</strong> {said}</div>"


def _coach_lines(item, text: str) -> list[str]:
    from partnership.coach import analyse, describe
    r = analyse(text, item.client or "")
    lines = [f"Coach's suggested code: {describe(r)}"]
    if r.coded:
        lines.append(f"Coach's feedback: {r.feedback}")
    return lines


def grader_notes_html(item, answer_text: str | None) -> str:
    """Notes for the person marking a written item: the rubric, the model answer and, for items
    with ``coach: true``, the coach's code and HRQ-style suggestion. A suggestion, not a mark."""
    text = (answer_text or "").strip()
    lines = []
    if item.coach:
        if not text:
            lines.append("Coach: no written answer to read.")
        else:
            try:
                lines += _coach_lines(item, text)
            except Exception as exc:      # the notes must never stop grading
                lines.append(f"Coach: could not read this answer ({type(exc).__name__}).")
    parts = ["<div class='partnership-grader-notes' style='border-left:4px solid #9a6700;"
             "padding-left:0.6em'>",
             f"<p><strong>Notes for the grader on {_esc(item.id)}</strong> (not shown to the "
             f"student; a suggestion, not a mark: you decide).</p>"]
    parts += [f"<p>{_esc(ln)}</p>" for ln in lines]
    parts.append(f"<p><strong>Rubric ({item.points:g} points)</strong></p>"
                 f"<pre>{_esc(item.rubric.strip())}</pre>")
    parts.append(f"<p><strong>Model answer:</strong> {_esc(item.model_answer)}</p></div>")
    return "".join(parts)
