"""The end of a conversation: a MITI-style summary of the learner's turns, what they did to the
client, the transcript, and pictures of it.

Plain Python (the book's page runs this in Pyodide); matplotlib only inside
:func:`summary_figure`, imported when it is called. Every text a learner or a client wrote is
HTML-escaped here, once, wherever HTML is made.

The thresholds are MITI 4.2.1's (via :mod:`partnership.coach.summary`): reflection-to-question
ratio 1:1 fair, 2:1 good; complex reflections 40% of reflections fair, 50% good. MITI codes a
20-minute recording; a short practice conversation is a guide, not a MITI score.
"""
from __future__ import annotations

import html
from collections import Counter
from types import SimpleNamespace

from partnership.coach import describe_code, session_summary
from partnership.coach.summary import COMPLEX_FAIR, COMPLEX_GOOD, RQ_FAIR, RQ_GOOD

__all__ = ["summarise", "summary_lines", "summary_html", "turn_html", "transcript_lines",
           "transcript_markdown", "summary_svg", "summary_figure", "state_words",
           "effect_words", "TAG_WORDS"]

TAG_WORDS = {"change": "change talk", "sustain": "sustain talk", "discord": "discord",
             "elaboration": "elaboration", "brief": "brief answer"}


def esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def summarise(conv) -> dict:
    """The summary of a :class:`~partnership.learner.conversation.engine.Conversation` (JSON
    data): the coach's counts and MITI verdicts for the learner's turns, the client's talk, the
    client's state turn by turn, and what each kind of turn drew."""
    turns = list(conv.turns)
    base = session_summary([SimpleNamespace(code=t.code, subcode=t.subcode, hrq_score=None)
                            for t in turns])
    inputs = Counter(t.subcode or "information" for t in turns if t.code == "therapist_input")
    affirm = sum(1 for t in turns if t.code == "other" and t.subcode == "affirmation")
    moves = Counter(t.move for t in turns)
    tags = Counter(t.tag for t in turns if not t.risk)
    talk = tags["change"] + tags["sustain"]
    drew: dict[str, Counter] = {}
    for t in turns:
        if not t.risk:
            drew.setdefault(t.move, Counter())[t.tag] += 1
    mentioned = next((t.number for t in turns if t.state == "risk"), None)
    risk = conv.client.risk
    asked = None
    if risk is not None:
        asked = next((t.number for t in turns if t.risk and t.reply in risk.asked), None)
    start = {k: round(float(v), 4) for k, v in conv.client.start.items()}
    return {
        "client": conv.client.id, "client_name": conv.client.name, "seed": conv.seed,
        "turns": len(turns), "finished": bool(conv.finished),
        "counts": base["counts"], "subcounts": base["subcounts"],
        "questions": base["questions"], "reflections": base["reflections"],
        "open_questions": base["subcounts"]["open"],
        "closed_questions": base["subcounts"]["closed"],
        "simple_reflections": base["subcounts"]["simple"],
        "complex_reflections": base["subcounts"]["complex"],
        "input": base["counts"]["therapist_input"], "input_kinds": dict(inputs),
        "affirmations": affirm, "other": base["counts"]["other"] - affirm,
        "reflection_to_question": base["reflection_to_question"],
        "complex_share": base["complex_share"],
        "rq_verdict": base["rq_verdict"], "complex_verdict": base["complex_verdict"],
        "thresholds": base["thresholds"],
        "moves": dict(moves),
        "permission_asked": moves["ask_permission"], "autonomy": moves["autonomy"],
        "mi_inconsistent": moves["advice"] + moves["warning"] + moves["confrontation"],
        "client_tags": {t: tags[t] for t in TAG_WORDS},
        "change_talk": tags["change"], "sustain_talk": tags["sustain"],
        "change_share": (tags["change"] / talk) if talk else None,
        "discord_replies": tags["discord"], "brief_replies": tags["brief"],
        "talk_by_turn": [("risk" if t.risk else t.tag) for t in turns],
        "states": [start] + [dict(t.after) for t in turns],
        "drew": {m: dict(c) for m, c in drew.items()},
        "risk": None if risk is None else {"mentioned": mentioned, "asked": asked},
    }


# ---------------------------------------------------------------------------- words

def _ratio(x) -> str:
    if x is None:
        return "no questions or reflections yet"
    if x == float("inf"):
        return "reflections and no questions"
    return f"{x:.2f} : 1"


def _pct(x) -> str:
    return "none yet" if x is None else f"{100 * x:.0f}%"


def state_words(numbers: dict) -> str:
    """The client's state in words (never numbers or colour alone)."""
    c, d, o = numbers["change"], numbers["discord"], numbers["openness"]
    lean = "leaning towards change" if c >= 0.6 else "in two minds" if c >= 0.35 else \
        "leaning against change"
    disc = "no discord" if d < 0.2 else "some discord" if d < 0.45 else "strong discord"
    op = "guarded" if o < 0.35 else "open" if o < 0.65 else "very open"
    return f"{lean}, {disc}, {op}"


def effect_words(before: dict, after: dict) -> str:
    """How a turn moved the client: "discord down, openness up" (or "no change")."""
    names = {"change": "leaning to change", "discord": "discord", "openness": "openness"}
    out = []
    for k, name in names.items():
        delta = after[k] - before[k]
        if abs(delta) >= 0.005:
            out.append(f"{name} {'up' if delta > 0 else 'down'}")
    return ", ".join(out) or "no change"


def _drew_line(move_label: str, counts: dict) -> str:
    parts = [f"{TAG_WORDS[t]} {n}" for t, n in sorted(counts.items(), key=lambda x: -x[1])]
    return f"{move_label}: {', '.join(parts)}"


def summary_lines(s: dict) -> list[str]:
    """The summary as plain text lines (screen readers, the download, the grader's notes)."""
    from partnership.learner.conversation.engine import MOVES
    lines = [
        f"Conversation with {s['client_name']}: {s['turns']} turn"
        f"{'' if s['turns'] == 1 else 's'} of yours.",
        f"Reflections per question: {_ratio(s['reflection_to_question'])} "
        f"({s['rq_verdict'] or 'nothing to judge yet'}; MITI 4.2.1: fair {RQ_FAIR:g}:1, "
        f"good {RQ_GOOD:g}:1).",
        f"Complex reflections: {_pct(s['complex_share'])} of your reflections "
        f"({s['complex_verdict'] or 'nothing to judge yet'}; MITI 4.2.1: fair "
        f"{100 * COMPLEX_FAIR:.0f}%, good {100 * COMPLEX_GOOD:.0f}%).",
        f"Questions: {s['questions']} ({s['open_questions']} open, {s['closed_questions']} "
        f"closed). Reflections: {s['reflections']} ({s['simple_reflections']} simple, "
        f"{s['complex_reflections']} complex). Input (information or advice): {s['input']}"
        + (f" ({', '.join(f'{v} {k}' for k, v in sorted(s['input_kinds'].items()))})"
           if s["input_kinds"] else "")
        + f". Affirmations: {s['affirmations']}. Other: {s['other']}.",
    ]
    extra = []
    if s["permission_asked"]:
        extra.append(f"you asked permission before giving information {s['permission_asked']} "
                     f"time{'s' if s['permission_asked'] > 1 else ''}")
    if s["autonomy"]:
        extra.append(f"you emphasised the client's choice {s['autonomy']} "
                     f"time{'s' if s['autonomy'] > 1 else ''}")
    if s["mi_inconsistent"]:
        extra.append(f"{s['mi_inconsistent']} turn{'s' if s['mi_inconsistent'] > 1 else ''} "
                     f"gave advice, a warning or a challenge without permission")
    if extra:
        lines.append("Also: " + "; ".join(extra) + ".")
    ct, st = s["change_talk"], s["sustain_talk"]
    lines.append(
        f"{s['client_name']}'s talk about change: {ct} change talk, {st} sustain talk"
        + (f" ({_pct(s['change_share'])} change talk)" if s["change_share"] is not None
           else "") + f"; {s['discord_replies']} repl{'y' if s['discord_replies'] == 1 else 'ies'}"
        f" with discord; {s['brief_replies']} brief answer"
        f"{'' if s['brief_replies'] == 1 else 's'}.")
    lines.append(f"At the start {s['client_name']} was {state_words(s['states'][0])}; at the "
                 f"end, {state_words(s['states'][-1])}.")
    if s["drew"]:
        lines.append("What your turns drew: " + "; ".join(
            _drew_line(MOVES[move].label, counts)
            for move, counts in sorted(s["drew"].items(), key=lambda x: -sum(x[1].values())))
            + ".")
    r = s.get("risk")
    if r and r["mentioned"]:
        if r["asked"]:
            lines.append(f"Risk: {s['client_name']} mentioned thoughts of not wanting to be "
                         f"here at turn {r['mentioned']}, and you asked about it directly at "
                         f"turn {r['asked']}.")
        else:
            lines.append(f"Risk: {s['client_name']} mentioned thoughts of not wanting to be "
                         f"here at turn {r['mentioned']}, and the conversation moved on without "
                         f"asking about it directly. In practice, ask.")
    return lines


def summary_html(s: dict) -> str:
    """The summary as HTML (every text escaped)."""
    lines = summary_lines(s)
    head, rest = lines[0], lines[1:]
    return (f"<div class='convo-summary'><p><strong>{esc(head)}</strong></p><ul>"
            + "".join(f"<li>{esc(x)}</li>" for x in rest) + "</ul>"
            "<p><em>A practice guide, not a MITI coding: MITI codes a 20-minute recording, and "
            "the codes come from the reflection coach, which can be wrong.</em></p></div>")


def turn_html(turn, client_name: str, show_code: bool = True) -> str:
    """One exchange: the learner's words, the client's reply and, if asked for, the coach's code
    of the learner's turn and what it did to the client."""
    parts = [f"<div class='convo-turn' data-turn='{turn.number}'>",
             f"<p class='convo-you'><strong>You:</strong> {esc(turn.learner)}</p>",
             f"<p class='convo-client'><strong>{esc(client_name)}:</strong> "
             f"{esc(turn.reply)}</p>"]
    if show_code:
        parts.append(f"<p class='convo-code'>{esc(code_line(turn, client_name))}</p>")
    parts.append("</div>")
    return "".join(parts)


def code_line(turn, client_name: str) -> str:
    code = describe_code(turn.code, turn.subcode)
    move = turn.move_label
    what = "the risk thread" if turn.risk else TAG_WORDS[turn.tag]
    text = f"Turn {turn.number}: the coach coded yours as {code}"
    if move != "other" and move not in code:
        text += f" (in the conversation: {move})"
    return (text + f". {client_name} answered with {what}; "
            + f"{effect_words(turn.before, turn.after)}.")


def transcript_lines(conv, codes: bool = True) -> list[str]:
    """The conversation as plain text lines."""
    name = conv.client.name
    out = [f"{name}: {conv.client.opening}"]
    for t in conv.turns:
        out.append(f"You: {t.learner}")
        out.append(f"{name}: {t.reply}")
        if codes:
            out.append(f"  [{code_line(t, name)}]")
    return out


def transcript_markdown(conv, summary: dict | None = None) -> str:
    """The transcript and summary as a Markdown file (the lab's download)."""
    c = conv.client
    out = [f"# Practice conversation with {c.name}", "", f"*{c.title}.* {c.role}", "",
           "A simulated client in the course's conversation lab (education, not therapy).", "",
           "## Transcript", ""]
    out += [f"- {ln}" if not ln.startswith("  [") else f"  - {ln.strip()[1:-1]}"
            for ln in transcript_lines(conv)]
    if summary is not None:
        out += ["", "## Summary", ""] + [f"- {ln}" for ln in summary_lines(summary)]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- pictures

_VERDICT_COLOUR = {"good": "#2e7d32", "fair": "#9a6700", "below fair": "#c62828",
                   None: "#8c959f"}


def summary_svg(s: dict) -> str:
    """Three small panels as SVG (for the book's page, where there is no matplotlib): reflections
    per question and the complex share against the MITI lines, and the client's leaning to
    change and discord over the turns. Titled and described for screen readers."""
    w, h, top, bottom = 660, 230, 40, 190
    plot_h = bottom - top

    def y_of(v, vmax):
        return bottom - plot_h * max(0.0, min(v, vmax)) / vmax

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {w} {h}' role='img' "
             f"aria-labelledby='convo-svg-title convo-svg-desc' class='convo-svg' "
             f"width='100%' style='max-width:{w}px'>",
             "<title id='convo-svg-title'>Your conversation against the MITI thresholds</title>",
             f"<desc id='convo-svg-desc'>{esc(' '.join(summary_lines(s)[1:3]))} "
             f"{esc(summary_lines(s)[-1] if s['turns'] else '')}</desc>",
             "<style>text{font:12px sans-serif;fill:#24292f}</style>",
             f"<rect width='{w}' height='{h}' fill='#ffffff'/>"]

    def bar_panel(x0, title, value, vmax, fair, good, label, verdict, unit=""):
        parts.append(f"<text x='{x0 + 75}' y='18' text-anchor='middle'>{esc(title)}</text>")
        parts.append(f"<text x='{x0 + 75}' y='32' text-anchor='middle'>{esc(label)} "
                     f"({esc(verdict or 'n/a')})</text>")
        parts.append(f"<line x1='{x0 + 20}' y1='{bottom}' x2='{x0 + 130}' y2='{bottom}' "
                     f"stroke='#57606a'/>")
        if value is not None:
            yv = y_of(value, vmax)
            parts.append(f"<rect x='{x0 + 55}' y='{yv:.1f}' width='40' "
                         f"height='{bottom - yv:.1f}' fill='{_VERDICT_COLOUR.get(verdict)}'/>")
        for v, name, dash in ((fair, "fair", "4 3"), (good, "good", "")):
            yl = y_of(v, vmax)
            parts.append(f"<line x1='{x0 + 20}' y1='{yl:.1f}' x2='{x0 + 130}' y2='{yl:.1f}' "
                         f"stroke='#24292f' stroke-dasharray='{dash}'/>")
            parts.append(f"<text x='{x0 + 132}' y='{yl + 4:.1f}'>{name} {v:g}{unit}</text>")

    ratio = s["reflection_to_question"]
    bar_panel(0, "Reflections per question", None if ratio is None else min(ratio, 4.0), 4.0,
              RQ_FAIR, RQ_GOOD, _ratio(ratio), s["rq_verdict"])
    share = s["complex_share"]
    bar_panel(200, "Complex reflections", None if share is None else 100 * share, 100.0,
              100 * COMPLEX_FAIR, 100 * COMPLEX_GOOD, _pct(share), s["complex_verdict"], "%")
    # the client over the turns
    x0, x1 = 430, 640
    parts.append(f"<text x='{(x0 + x1) / 2}' y='18' text-anchor='middle'>"
                 f"{esc(s['client_name'])} over the turns</text>")
    parts.append(f"<line x1='{x0}' y1='{bottom}' x2='{x1}' y2='{bottom}' stroke='#57606a'/>")
    states = s["states"]
    n = max(1, len(states) - 1)

    def pts(key):
        return " ".join(f"{x0 + (x1 - x0) * i / n:.1f},{y_of(st[key], 1.0):.1f}"
                        for i, st in enumerate(states))
    parts.append(f"<polyline points='{pts('change')}' fill='none' stroke='#2e7d32' "
                 f"stroke-width='2'/>")
    parts.append(f"<polyline points='{pts('discord')}' fill='none' stroke='#c62828' "
                 f"stroke-width='2' stroke-dasharray='5 3'/>")
    parts.append(f"<text x='{x0}' y='{bottom + 16}'>solid: leaning to change</text>")
    parts.append(f"<text x='{x0}' y='{bottom + 30}'>dashed: discord</text>")
    letters = {"change": "C", "sustain": "S", "discord": "D", "elaboration": "E", "brief": "B",
               "risk": "!"}
    for i, tag in enumerate(s["talk_by_turn"], 1):
        parts.append(f"<text x='{x0 + (x1 - x0) * i / n:.1f}' y='34' text-anchor='middle'>"
                     f"{letters.get(tag, '?')}</text>")
    parts.append("</svg>")
    return "".join(parts)


def summary_figure(s: dict):
    """The same three panels with matplotlib (the JupyterLab lab). Returns a Figure, made
    without pyplot (no global state)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 3.4), layout="constrained")
    ax1, ax2, ax3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 2]})
    for ax, value, vmax, fair, good, title, label, verdict, unit in (
            (ax1, s["reflection_to_question"], 4.0, RQ_FAIR, RQ_GOOD,
             "Reflections per question", _ratio(s["reflection_to_question"]), s["rq_verdict"],
             ":1"),
            (ax2, None if s["complex_share"] is None else 100 * s["complex_share"], 100.0,
             100 * COMPLEX_FAIR, 100 * COMPLEX_GOOD, "Complex reflections",
             _pct(s["complex_share"]), s["complex_verdict"], "%")):
        shown = 0.0 if value is None else min(value, vmax)
        ax.bar([0], [shown], width=0.5, color=_VERDICT_COLOUR.get(verdict))
        ax.axhline(fair, ls="--", color="#24292f", label=f"fair ({fair:g}{unit})")
        ax.axhline(good, ls="-", color="#24292f", label=f"good ({good:g}{unit})")
        ax.set_xlim(-1, 1)
        ax.set_ylim(0, vmax * 1.05)
        ax.set_xticks([])
        ax.set_title(f"{title}\n{label} ({verdict or 'n/a'})", fontsize=10)
        ax.legend(loc="upper right", fontsize=8)
    xs = list(range(len(s["states"])))
    ax3.plot(xs, [st["change"] for st in s["states"]], "-o", color="#2e7d32",
             label="leaning to change")
    ax3.plot(xs, [st["discord"] for st in s["states"]], "--s", color="#c62828",
             label="discord")
    letters = {"change": "C", "sustain": "S", "discord": "D", "elaboration": "E", "brief": "B",
               "risk": "!"}
    for i, tag in enumerate(s["talk_by_turn"], 1):
        ax3.annotate(letters.get(tag, "?"), (i, 1.04), ha="center", fontsize=9)
    ax3.set_ylim(-0.02, 1.12)
    ax3.set_xlabel("your turn (0 = the start)")
    ax3.set_title(f"{s['client_name']} over the turns (C change talk, S sustain, D discord, "
                  f"E elaboration, B brief)", fontsize=9)
    ax3.legend(loc="lower left", fontsize=8)
    fig.suptitle(f"Your conversation with {s['client_name']}: {s['turns']} turns", fontsize=11)
    return fig
