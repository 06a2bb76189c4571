"""Ten learner turns of several kinds (complex and simple reflections, open and closed
questions, an affirmation, permission, information, unasked advice), so a conversation's
summary has something in every count; the widget test and the book's browser test hold
the same conversation."""

TEN = [
    "It sounds like this has become your way of coping, and part of you is uneasy about what "
    "it's costing you.",
    "What would you like to be different?",
    "Is that every day?",
    "You're not sure.",
    "You've been really honest with me about something that isn't easy to talk about.",
    "Would it be OK if I shared some information about that?",
    "Most people who make a change like this find the first fortnight the hardest.",
    "You should try a different approach.",
    "Part of you is ready for something to change, even though letting go of the old way "
    "feels risky.",
    "What matters most to you in all this?",
]
