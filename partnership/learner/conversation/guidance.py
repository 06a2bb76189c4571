"""Words shared by the JupyterLab lab and the book's page: how the lab works, and the practice
note shown when a client mentions thoughts of suicide (plain text; escaped where shown)."""
from __future__ import annotations

__all__ = ["RISK_READING", "risk_note", "reading_titles", "HOW_IT_WORKS", "GOAL_TURNS"]

#: The conversation lab's aim: ten turns (more are allowed).
GOAL_TURNS = 10

#: Where the book says more, for the risk note: (document, title, section anchor or "").
#: Change it here only: the book's page reads this list (and warns if a page is missing).
RISK_READING = [
    ("book/ch12-suicide-safety-planning", "Talking about suicide risk and safety planning: "
     "asking directly and calmly", "asking-directly-and-calmly"),
    ("book/learner-guide", "Learner guide: where to get help", "where-to-get-help"),
]

HOW_IT_WORKS = (
    "Hold a conversation with a simulated client: write what you would say, send it, and read "
    "the reply. Aim for about ten turns, then finish to see a summary of your turns against "
    "the MITI thresholds and what they did to the client. The client is a small program, not "
    "a person or an AI model: the reflection coach codes each of your turns (question, "
    "reflection, information or advice...), and that code moves the client's state: how much "
    "they lean towards change, how much discord there is between you, and how open they are. "
    "Reflections and open questions tend to draw the client out; advice nobody asked for tends "
    "to draw push-back. The coach can be wrong, so treat its codes as prompts, not verdicts.")


def risk_note(name: str) -> str:
    """The practice note shown once a client has mentioned thoughts of suicide."""
    return (
        f"Practice note: {name} has just said something that may mean thoughts of suicide. "
        f"In a real conversation, do not move on: ask about it directly and calmly (for "
        f"example, \u201cAre you having thoughts of ending your life?\u201d), listen to the "
        f"answer, and follow your service's procedure and your supervisor's advice. Research "
        f"has found that asking does not put the idea into someone's head (Dazzi et al., "
        f"2014). This is a simulation: if it touches something in your own life, the learner "
        f"guide's \u201cWhere to get help\u201d section lists where to turn.")


def reading_titles() -> str:
    """The risk note's reading, by title (where the book's pages cannot be linked, e.g. in a
    graded notebook): “Talking about suicide risk...” and “Learner guide: ...”."""
    return " and ".join(f"\u201c{title}\u201d" for _doc, title, _anchor in RISK_READING)
