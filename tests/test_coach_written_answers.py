"""Written answers as learners really type them (issue 14): the code, the score and the advice
an MI trainer would give, through the coach, the labs, the command line and the grader's notes.

The examples quoted in the issue are here word for word: each was misread before.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from partnership.cli import main as cli_main
from partnership.coach import MAX_CHARS, analyse, describe, describe_code, predict
from partnership.coach.feedback import GENERIC_REFLECTION, suggest_reflection
from partnership.learner.labs import render_feedback
from partnership.learner.schema import BankError, parse_bank, practice_items
from partnership.learner.scoring import score

REPO = Path(__file__).resolve().parents[1]
PRAISE = re.compile(r"well done|good foundation|nice\b|heart of accurate empathy|"
                    r"shows you are listening", re.I)
ABUSE = ("I keep saying I'll leave him, and then he's sweet for a week and I think maybe it'll "
         "be different this time.")
NURSE = ("I've done four night shifts in a row and I cried in the car park. I can't keep doing "
         "this.")


# --- typed text: the question mark does not decide -------------------------------------------

@pytest.mark.parametrize("response, code, subcode", [
    ("how many are you taking a day", "question", "closed"),
    ("what do you think she means when she says you've changed", "question", "open"),
    ("what do you think she means when she says youve changed", "question", "open"),
    ("How long have you been drinking like that?", "question", "closed"),
    ("How many days a week do you drink?", "question", "closed"),
    ("how often do you go out after work", "question", "closed"),
    ("do you drink every day", "question", "closed"),
    ("can you tell me more about what happened", "question", "open"),
    ("Would you like to join a gym?", "question", "closed"),
    ("Can I share something about burnout? It's very common in nursing and it isn't a sign "
     "that you're failing.", "therapist_input", "information"),
    ("you need to tell her, the longer you leave it the worse it'll get", "therapist_input",
     "advice"),
    ("It sounds like you need to take some time off", "therapist_input", "advice"),
    ("He's abusive and you need to leave him now.", "therapist_input", "advice"),
    ("Your bloods came back normal.", "therapist_input", "information"),
    ("Don't worry, I'm sure you'll make the right decision", "other", "reassurance"),
    ("wow, you turned up to your appointments, do you want a medal", "other", "confrontation"),
    ("I used to drink a lot too, so I get it.", "other", "self-disclosure"),
    ("You keep saying you'll leave him.", "reflection", "simple"),
])
def test_issue_examples_get_the_trainers_code(response, code, subcode):
    r = analyse(response, ABUSE)
    assert (r.code, r.subcode) == (code, subcode), describe(r)


@pytest.mark.parametrize("advice", [
    "might be an idea to keep them by the kettle", "why not just leave them by your toothbrush",
    "how about you put them next to the kettle", "what about trying a pill box",
    "just try putting them by the kettle", "its worth a try using a pill organiser",
    "get a pill box, it really helps", "tell her how you feel"])
def test_plain_typed_advice_is_advice(advice):
    r = analyse(advice, "I keep forgetting my tablets and my blood pressure goes up.")
    assert (r.code, r.subcode) == ("therapist_input", "advice"), describe(r)


@pytest.mark.parametrize("not_advice, code", [
    ("Take your time.", "other"), ("leave it with me, I'll look into it", "other"),
    ("Tell me more about that.", "question"), ("So you keep forgetting them.", "reflection")])
def test_imperative_cues_leave_small_talk_requests_and_reflections_alone(not_advice, code):
    assert analyse(not_advice, "I keep forgetting my tablets.").code == code


@pytest.mark.parametrize("tidy", [
    "How many cigarettes do you smoke a day?", "What worries you most about going back?",
    "Do you want to stop?", "So you're worried about your job.",
    "You should cut down before the baby comes.", "That took real courage."])
def test_typing_noise_does_not_change_the_code(tidy):
    """Lower case, no question mark, no apostrophes, no full stop: the same code."""
    noisy = re.sub(r"[?.']", "", tidy.lower())
    assert predict(noisy, NURSE).code == predict(tidy, NURSE).code


def test_typed_contractions_are_read_as_contractions():
    from partnership.coach.features import normalise
    assert normalise("dont worry, youre fine") == "don't worry, you're fine"
    assert normalise("we were well") == "we were well"  # real words are left alone


# --- never praise harm -----------------------------------------------------------------------

@pytest.mark.parametrize("response, move", [
    ("He's abusive and you need to leave him now.", "tells the client what to do"),
    ("you need to tell her, the longer you leave it the worse it'll get",
     "tells the client what to do"),
    ("It sounds like you need to take some time off", "advice"),
    ("Don't worry, I'm sure you'll make the right decision", "reassurance"),
    ("wow, you turned up to your appointments, do you want a medal", "sarcastic"),
    ("I used to drink a lot too, so I get it.", "self-disclosure"),
    ("You're an alcoholic, you're in denial.", "label"),
    # found by the conversation lab's audit: the client heard this as listening
    ("You're just making excuses.", "judges the client"),
    ("come on, you're kidding yourself", "judges the client"),
    ("be honest with yourself, you don't really want to change", "judges the client"),
])
def test_harm_is_named_never_praised_and_a_better_response_shown(response, move):
    r = analyse(response, ABUSE)
    assert r.code not in ("reflection",) and r.subcode != "affirmation", describe(r)
    assert not PRAISE.search(r.feedback), r.feedback
    assert move in r.feedback, r.feedback
    assert "'It sounds like you" in r.feedback  # a better response, from the client's words
    assert r.hrq_score == 1


@pytest.mark.parametrize("reflection", [
    "So you feel people think you make excuses.",
    "It sounds like you worry people will think it is just an excuse.",
    "He says you're being lazy."])
def test_someone_elses_judgement_said_back_is_not_a_judgement(reflection):
    r = analyse(reflection, ABUSE)
    assert "judging" not in r.roadblocks and r.code == "reflection", describe(r)


def test_a_reflection_mixed_with_a_roadblock_scores_2_without_praise():
    r = analyse("You're scared to leave, but it'll all work out.", ABUSE)
    assert r.code == "reflection" and "reassurance" in r.roadblocks
    assert r.hrq_score == 2
    assert not PRAISE.search(r.feedback)
    assert "reassures the client" in r.feedback


def test_reported_fears_are_not_warnings():
    """"You're worried you'll lose your job" reflects a fear: no warning roadblock."""
    assert analyse("You're worried you'll lose your job.", NURSE).roadblocks == []
    assert "warning" in analyse("You'll lose your job if you keep this up.", NURSE).roadblocks


# --- suggested reflections -------------------------------------------------------------------

def _client_statements() -> list[str]:
    import yaml
    found = {it.client for it in practice_items() if it.client}
    for f in sorted((REPO / "tests" / "data").glob("coach_written_*.yml")) + sorted(
            (REPO / "scripts" / "coach_typed").glob("*.yml")):
        for it in yaml.safe_load(f.read_text(encoding="utf-8"))["items"]:
            if it.get("client"):
                found.add(it["client"])
    return sorted(found)


def test_suggested_reflections_are_whole_sentences_about_the_client():
    """For every client statement the course holds: "It sounds like you...", a whole clause in
    which the client speaks of themselves, with no fragment, ellipsis or "I"/"my" left over,
    and the coach itself codes it as a reflection."""
    clients = _client_statements()
    assert len(clients) > 150
    generic = 0
    for client in clients:
        s = suggest_reflection(client)
        if s == GENERIC_REFLECTION:
            generic += 1
            continue
        assert s.startswith("It sounds like you") and s.endswith("."), (client, s)
        assert "..." not in s and ".." not in s, (client, s)
        body = s[len("It sounds like "):]
        words = re.findall(r"[a-z']+", body.lower())
        assert not {"i", "i'm", "i've", "my", "me", "myself"} & set(words), (client, s)
        assert words[0] in ("you", "you're", "you've", "you'd", "you'll"), (client, s)
        assert 3 <= len(words) <= 18, (client, s)
        assert predict(s, client).code == "reflection", (client, s)
    assert generic < len(clients) / 3


@pytest.mark.parametrize("client, want", [
    # the last sentence is someone else's words: reflect the client, not the partner
    ("I know I should cut down, but after a long shift a drink is the only thing that helps "
     "me switch off. My partner says I'm drinking every night now.",
     "It sounds like you know you should cut down."),
    # never a fragment cut from the middle of a sentence
    ("I only drink at weekends. Okay, Thursday too. But that's normal at my work, everyone "
     "goes out after the Thursday meeting.", "It sounds like you only drink at weekends."),
    ("My partner says I'm drinking every night now.", GENERIC_REFLECTION),
    ("", None),
])
def test_suggestion_templates(client, want):
    assert suggest_reflection(client) == want


def test_suggestions_come_from_the_items_model_answers():
    r = analyse("Do you want to go back to college?", "Everyone says I should go back.",
                examples=["Would it help to talk it through?", "You want this to be your choice."])
    assert "'You want this to be your choice.'" in r.feedback
    assert "Would it help to talk it through?" in r.feedback  # an open question offered too


# --- edges: empty and very long input --------------------------------------------------------

def test_a_directive_late_in_a_long_answer_is_read():
    """The whole bounded prefix is read: "You should..." at character 684 is seen."""
    opening = "It sounds like this has been a really hard few weeks for you at work. " * 12
    text = opening[:684] + " You should just tell your manager you need a break."
    assert len(opening[:684]) == 684
    assert "advice" in analyse(text, NURSE).roadblocks


def test_very_long_input_is_read_up_to_max_chars_with_a_note():
    paste = "You feel tired and stuck. " * 216  # 5,616 characters
    r = analyse(paste + " You should quit.", NURSE)
    assert r.truncated and r.coded
    assert r.note and r.feedback.startswith(r.note)
    assert f"the first {MAX_CHARS:,}" in r.note and "5,633 characters" in r.note
    assert "advice" not in r.roadblocks  # what comes after the bound is not read
    assert "read the first 4,000 characters only" in describe(r)


def test_cli_empty_input_exits_non_zero_with_a_prompt(capsys):
    assert cli_main(["coach", "I might lose my job.", "  "]) == 1
    out = capsys.readouterr()
    assert out.out == "" and "haven't written anything" in out.err
    assert cli_main(["coach", "I might lose my job.", "", "--json"]) == 1
    res = json.loads(capsys.readouterr().out)
    assert res["code"] is None and res["hrq_score"] is None
    assert res["description"] == "no code (nothing written)"


def test_cli_long_input_says_what_was_read(capsys):
    assert cli_main(["coach", "I might lose my job.", "You feel stuck. " * 400]) == 0
    out = capsys.readouterr().out
    assert "the coach read only the first 4,000" in out


def test_cli_names_harm(capsys):
    assert cli_main(["coach", ABUSE, "He's abusive and you need to leave him now."]) == 0
    out = capsys.readouterr().out
    assert "Code: therapist input (advice)" in out and "Roadblocks: ordering" in out


# --- the rules fallback ----------------------------------------------------------------------

def test_rules_fallback_when_the_model_cannot_load(no_model, tmp_path, capsys):
    r = analyse("Do you drink every day?", NURSE)
    assert no_model.get_model() is None and no_model.load_error()
    assert r.source == "rules" and r.code == "question"
    assert "could not be loaded" in r.feedback and "rules" in r.feedback
    assert analyse("So you're worn out.", NURSE).code == "reflection"
    assert not analyse("", NURSE).coded
    yml = tmp_path / "mine.yml"
    yml.write_text("items:\n  - {id: a, client: I feel stuck., response: So you feel stuck., "
                   "code: reflection}\n")
    assert cli_main(["coach-eval", str(yml), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["model"].startswith("rules (")


# --- the labs: scored on what the task asks for ----------------------------------------------

def _mi(item_id):
    return {i.id: i for i in practice_items("mi_reflections")}[item_id]


def test_labs_open_question_task_never_accepts_a_closed_one():
    r = score(_mi("mi-018"), "Would you like to join a gym?")
    assert r.verdict != "Correct" and r.score == 0.5
    assert "reads your response as a closed question" in r.lines[0]
    assert "asks for an open question" in r.lines[0]
    assert score(_mi("mi-018"), "what's got you thinking about the gym again").correct


def test_labs_complex_reflection_task_never_accepts_a_simple_one():
    r = score(_mi("mi-017"), "You keep saying you'll leave him.")
    assert r.verdict != "Correct" and r.score == 0.5
    assert "a simple reflection" in r.lines[0] and "a complex reflection" in r.lines[0]


def test_labs_harm_scores_zero_and_is_named():
    r = score(_mi("mi-017"), "He's abusive and you need to leave him now.")
    assert r.score == 0 and r.verdict == "Not quite"
    assert not any(PRAISE.search(x) for x in r.lines)
    assert any("tells the client what to do" in x for x in r.lines)


def test_labs_no_roadblock_task():
    assert score(_mi("mi-019"), "Don't worry, I'm sure you'll be fine.").score == 0
    assert score(_mi("mi-019"), "you're dreading monday and scared everyone will know").correct


def test_labs_long_paste_is_not_correct_and_says_what_was_read():
    r = score(_mi("mi-014"), "x" * 5600)
    assert not r.correct
    assert r.lines[0].startswith("Your response is long (5,600 characters)")


def test_labs_feedback_is_escaped_exactly_once():
    item = parse_bank({"version": 1, "items": [{
        "id": "t-amp", "skill": "mi_reflections", "type": "free_text",
        "client": "I work nights & weekends & I'm worn out.", "prompt": "Write a reflection.",
        "source": "miller2013mi", "model_answers": ["Nights & weekends have worn you out."],
        "feedback": "Say back the strain & the tiredness."}]}, "t").items[0]
    r = score(item, "Tell me more about work & home.")
    assert any("&" in x for x in r.lines) and not any("&amp;" in x for x in r.lines)
    out = render_feedback(r)
    assert "&amp;" in out and "&amp;amp;" not in out and "& " not in out


def test_bank_kind_must_fit_the_target():
    bad = {"id": "mi-999", "skill": "mi_reflections", "type": "free_text", "client": "Hmm.",
           "prompt": "Write a question.", "source": "miller2013mi", "target": "question",
           "kind": "simple", "model_answers": ["What else?"], "feedback": "Ask openly, please."}
    with pytest.raises(BankError, match=r"item mi-999, field kind: 'simple' does not fit "
                                        r"target 'question' \(allowed: open, closed\)"):
        parse_bank({"version": 1, "items": [bad]}, "bank.yml")
    with pytest.raises(BankError, match=r"field kind: 'open' does not fit target 'any'"):
        parse_bank({"version": 1, "items": [dict(bad, target="any", kind="open")]}, "bank.yml")


# --- the grader's notes ----------------------------------------------------------------------

def test_describe_code_serves_every_caller():
    assert describe_code("question", "open") == "open question"
    assert describe_code("therapist_input", "advice") == "therapist input (advice)"
    assert describe_code("other", "self-disclosure") == "other (self-disclosure)"
    assert describe_code(None, None) == "no code (nothing written)"


def test_grader_notes_name_harm_never_praise_and_say_what_was_read():
    """The grader's notes show the coach's own code and feedback: harm named, never praised, and
    a long answer read up to the bound with the note (the notes pass the whole answer)."""
    import html

    from partnership.grader.bank import parse_bank as parse_graded
    from partnership.grader.notes import grader_notes_html
    item = parse_graded({"version": 1, "kind": "graded", "assignment": "t", "lab": "graded-t",
                         "title": "T", "items": [{
                             "id": "t-w1", "skill": "mi_reflections", "type": "written",
                             "points": 4, "client": ABUSE, "prompt": "Write a reflection.",
                             "model_answer": "The good weeks keep your hope alive.",
                             "rubric": "4: a complex reflection.", "coach": True}]},
                        "t.yml").item("t-w1")
    for answer, want in (("He's abusive and you need to leave him now.",
                          "therapist input (advice)"),
                         ("I used to drink a lot too, so I get it.", "other (self-disclosure)"),
                         ("Don't worry, I'm sure you'll make the right decision",
                          "other (reassurance)")):
        notes = html.unescape(grader_notes_html(item, answer))
        assert f"Coach's suggested code: {want}" in notes, notes
        assert not PRAISE.search(notes), notes
    long = html.unescape(grader_notes_html(item, "You feel stuck. " * 400))
    assert "the coach read only the first 4,000" in long
    assert "Coach: no written answer to read." in grader_notes_html(item, "   ")
