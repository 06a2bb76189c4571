"""The conversation lab in JupyterLab (partnership.learner.conversation.widget), driven through
its API: type, send, read the reply, finish, read the summary; restored after a restart (a new
lab object, and a real kernel restart); saving problems shown, never a crash."""
from __future__ import annotations

import base64
import html
import json
import re
import textwrap

import pytest
from conversation_turns import TEN

from partnership.learner.conversation import replay
from partnership.learner.conversation.schema import get_client, shipped_clients
from partnership.learner.conversation.summary import summary_lines
from partnership.learner.conversation.widget import LAB, ConversationLab, GradedConversation
from partnership.learner.store import AnswerStore

TURNS = [
    "It sounds like this has become your way of coping, and part of you is uneasy about what "
    "it's costing you.",
    "What would you like to be different?",
    "You're torn: life feels impossible without it, and yet you're not happy with how much "
    "it's become.",
    "Is that every day?",
    "On the one hand it helps you cope, and on the other you're worried about where it's "
    "heading.",
]


def _say(lab, text):
    lab.text.value = text
    lab.send.click()
    return lab.conversation.turns[-1]


def test_type_send_read_finish_and_summary(tmp_path):
    lab = ConversationLab(path=tmp_path / "answers.json", seed=5)
    lab.choose("marek-alcohol")
    assert "Marek" in lab.about.value and "practice nurse" in lab.about.value
    assert "speaks first" in lab.latest.value
    for k, text in enumerate(TURNS, 1):
        turn = _say(lab, text)
        assert lab.text.value == ""                          # cleared for the next turn
        assert len(lab.conversation.turns) == k
        assert re.sub("&#x27;", "'", turn.reply) and \
            turn.reply.replace("'", "&#x27;") in lab.latest.value
        assert "partnership-live" in lab.latest._dom_classes   # the stable live region
        assert f"Turn {k}: the coach coded yours as" in lab.latest.value
        assert lab.transcript.value.count("class='convo-turn'") == k + 1   # the opening too
    assert "Turns so far: 5. Aim for about 10" in lab.progress.value
    lab.finish.click()
    s = lab.summary_data
    assert s["turns"] == 5 and s["finished"] and s["client"] == "marek-alcohol"
    assert (s["questions"], s["reflections"]) == (2, 3)
    assert "Reflections per question: 1.50 : 1 (fair" in lab.summary.value
    assert lab.plot.value.startswith("<img alt='Reflections per question")
    assert lab.figure is not None and len(lab.figure.axes) == 3
    assert lab.send.disabled and lab.text.disabled and lab.finish.disabled
    link = re.search(r"download='([^']+)' href='data:text/markdown;charset=utf-8;base64,"
                     r"([^']+)'", lab.download.value)
    assert link and link.group(1).startswith("conversation-marek-alcohol-")
    text = base64.b64decode(link.group(2)).decode("utf-8")
    assert text.count("- You: ") == 5 and "## Summary" in text and TURNS[1] in text
    saved = AnswerStore(tmp_path / "answers.json").latest(LAB, "marek-alcohol")
    assert saved["answer"]["finished"] is True and len(saved["answer"]["turns"]) == 5
    assert saved["score"] is None


def test_codes_after_each_reply_or_only_at_the_end(tmp_path):
    lab = ConversationLab(path=tmp_path / "a.json", seed=1)
    lab.choose("kayleigh-smoking")
    lab.codes.value = False
    _say(lab, TURNS[0])
    _say(lab, TURNS[1])
    assert "class='convo-code'" not in lab.transcript.value
    assert "the coach coded" not in lab.latest.value
    lab.finish.click()
    assert lab.transcript.value.count("class='convo-code'") == 2     # shown at the end


def test_restored_after_a_restart_and_carries_on_as_if_never_stopped(tmp_path):
    p = tmp_path / "answers.json"
    lab = ConversationLab(path=p, seed=11)
    lab.choose("reece-probation")
    for text in TURNS[:3]:
        _say(lab, text)
    again = ConversationLab(path=p)                       # a new kernel: no seed given
    assert again.picker.value == "reece-probation"
    assert [t.to_dict() for t in again.conversation.turns] == \
        [t.to_dict() for t in lab.conversation.turns]
    assert "Restored your conversation with Reece" in again.latest.value
    for text in TURNS[3:]:
        _say(again, text)
    whole = replay(get_client("reece-probation"), TURNS, seed=11)
    assert [t.reply for t in again.conversation.turns] == [t.reply for t in whole.turns]
    # a finished conversation comes back finished, with its summary
    again.finish.click()
    third = ConversationLab(path=p)
    assert third.conversation.finished and third.summary_data["turns"] == 5
    assert "Your summary" in third.summary.value and third.send.disabled


def test_switching_clients_keeps_each_unfinished_conversation(tmp_path):
    p = tmp_path / "answers.json"
    lab = ConversationLab(path=p, seed=2)
    lab.choose("walter-carer")
    _say(lab, TURNS[0])
    lab.choose("anjali-exams")                  # a fresh conversation with Anjali
    assert lab.conversation.client.id == "anjali-exams" and lab.conversation.turns == []
    _say(lab, TURNS[1])
    lab.choose("walter-carer")                  # back to Walter, where we left off
    assert len(lab.conversation.turns) == 1 and lab.conversation.turns[0].learner == TURNS[0]
    lab.start.click()                           # a new conversation with Walter
    assert lab.conversation.turns == []
    records = {a["answer"]["id"] for a in AnswerStore(p).attempts(LAB)}
    assert len(records) == 2                    # the new one is saved at its first turn
    _say(lab, TURNS[2])
    assert len({a["answer"]["id"] for a in AnswerStore(p).attempts(LAB)}) == 3


def test_nothing_to_send_and_text_shown_as_typed(tmp_path):
    lab = ConversationLab(path=tmp_path / "a.json", seed=1)
    lab.text.value = "   "
    lab.send.click()
    assert lab.conversation.turns == []
    assert "Write something to say to the client first." in lab.latest.value
    _say(lab, "<img src=x onerror=alert(1)> So you're <b>unsure</b> & tired.")
    for value in (lab.transcript.value, lab.latest.value):
        assert "<img src=x" not in value and "<b>unsure" not in value
    assert "&lt;img src=x onerror=alert(1)&gt; So you&#x27;re &lt;b&gt;unsure&lt;/b&gt; " \
        "&amp; tired." in lab.transcript.value
    assert "<img src=x" in AnswerStore(tmp_path / "a.json").attempts(LAB)[-1]["answer"][
        "turns"][0]["learner"]                                    # saved as typed


def test_a_file_that_cannot_be_written_is_shown_and_the_conversation_goes_on(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    lab = ConversationLab(path=blocker / "answers.json", seed=1)
    _say(lab, TURNS[0])
    _say(lab, TURNS[1])
    assert len(lab.conversation.turns) == 2
    assert "could not be saved" in lab.notice.value and "role='alert'" in lab.notice.value


def test_a_damaged_or_unknown_saved_record_starts_afresh(tmp_path):
    p = tmp_path / "answers.json"
    store = AnswerStore(p)
    store.record(LAB, "someone-gone", {"client": "someone-gone", "turns": []}, None, 0.0)
    store.record(LAB, "marek-alcohol", "not a record", None, 0.0)
    lab = ConversationLab(path=p, seed=1)
    assert lab.conversation.turns == [] and lab.conversation.client.id == lab.picker.value
    store.record(LAB, "marek-alcohol", {"client": "marek-alcohol", "seed": 1,
                                        "turns": [{"learner": TURNS[0], "reply": "edited"},
                                                  17]}, None, 0.0)
    lab = ConversationLab(path=p)
    assert lab.conversation.client.id == "marek-alcohol"
    assert len(lab.conversation.turns) == 1 and lab.conversation.turns[0].reply != "edited"
    assert "replies may read differently now" in lab.latest.value


@pytest.mark.slow
def test_restored_after_a_real_kernel_restart(tmp_path):
    """The notebook's own call, in a real kernel: three turns, the kernel restarted, the lab
    opened again; the same conversation is on screen and carries on."""
    from jupyter_client.manager import start_new_kernel

    def run(kc, code):
        out = []
        kc.execute(textwrap.dedent(code))
        while True:
            msg = kc.get_iopub_msg(timeout=120)
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                raise AssertionError("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(out)

    first = f"""
        from partnership.learner.conversation.widget import conversation_lab
        import json
        lab = conversation_lab()
        lab.choose("shona-parent")
        for t in {TURNS[:3]!r}:
            lab.text.value = t; lab.send.click()
        print(json.dumps([t.reply for t in lab.conversation.turns]))
    """
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        before = json.loads(run(kc, first).strip().splitlines()[-1])
        km.restart_kernel(now=True)
        kc.wait_for_ready(timeout=60)
        after = run(kc, """
            from partnership.learner.conversation.widget import conversation_lab
            import json
            lab = conversation_lab()
            print(lab.conversation.client.id)
            print(json.dumps([t.reply for t in lab.conversation.turns]))
            lab.text.value = "What matters most to you in all this?"; lab.send.click()
            print(len(lab.conversation.turns))
        """).strip().splitlines()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert after[0] == "shona-parent"
    assert json.loads(after[1]) == before and len(before) == 3
    assert after[2] == "4"
    assert (tmp_path / "my.partnership-answers.json").exists()



@pytest.mark.parametrize("cid", [c.id for c in shipped_clients()])
def test_ten_turns_with_every_client_and_a_summary_with_every_figure(tmp_path, cid):
    """The issue's "done when", in the JupyterLab lab: ten turns with each client, what each
    turn did shown after the reply, and a summary with every figure the issue lists, saved,
    restored by a new lab (a restarted kernel) and downloadable."""
    p = tmp_path / "answers.json"
    lab = ConversationLab(path=p, seed=3)
    lab.choose(cid)
    name = get_client(cid).name
    for k, text in enumerate(TEN, 1):
        turn = _say(lab, text)
        assert turn.reply and f"Turn {k}: the coach coded yours as" in lab.latest.value
        assert f"{name} answered with" in lab.latest.value          # what the turn did
    assert "Turns so far: 10. You can carry on or finish." in lab.progress.value
    lab.finish.click()
    s = lab.summary_data
    assert s["turns"] == 10
    want = replay(get_client(cid), TEN, seed=3).finish()
    assert s == want                                       # the same engine, the same figures
    assert (s["open_questions"], s["closed_questions"]) == (2, 2)   # asking permission too
    assert s["simple_reflections"] >= 1 and s["complex_reflections"] >= 2
    assert s["input"] >= 1 and s["affirmations"] == 1
    text = " ".join(summary_lines(s))
    for words in ("Reflections per question:", "MITI 4.2.1: fair 1:1, good 2:1",
                  "Complex reflections:", "MITI 4.2.1: fair 40%, good 50%",
                  "Questions: 4 (2 open, 2 closed)", "simple", "complex", "Input (information "
                  "or advice):", "Affirmations: 1", f"{name}'s talk about change:",
                  "change talk", "sustain talk"):
        assert words in text, words
    if s["change_share"] is not None:
        assert f"({100 * s['change_share']:.0f}% change talk)" in text
    summary = html.unescape(lab.summary.value)
    for line in summary_lines(s):
        assert line in summary, line
    assert lab.figure is not None and len(lab.figure.axes) == 3       # the matplotlib plot
    assert lab.plot.value.startswith("<img alt=")
    link = re.search(r"href='data:text/markdown;charset=utf-8;base64,([^']+)'",
                     lab.download.value)
    md = base64.b64decode(link.group(1)).decode("utf-8")
    assert md.count("- You: ") == 10 and "## Summary" in md            # the transcript too
    saved = AnswerStore(p).latest(LAB, cid)["answer"]
    assert saved["finished"] and len(saved["turns"]) == 10
    again = ConversationLab(path=p)                        # restarted: summary restored
    assert again.conversation.client.id == cid and again.summary_data == s
    assert html.unescape(again.summary.value) == summary and again.plot.value


def test_a_graded_conversation_names_the_book_s_pages_on_risk(tmp_path):
    """A graded notebook holds no links to the book, so its risk note names the pages; the
    practice lab's notebook links them at its top."""
    client = get_client("walter-carer")
    turns = [TURNS[0], TURNS[2], TURNS[4], TURNS[0], TURNS[2], TURNS[4], TURNS[0], TURNS[2]]
    store = AnswerStore(tmp_path / "a.json")
    view = GradedConversation("graded-talk", "c-g1", client, 8, 0, store)
    for text in turns:
        _say(view, text)
        if any(t.state == "risk" for t in view.conversation.turns):
            break
    assert any(t.state == "risk" for t in view.conversation.turns)
    note = html.unescape(view.risk.value)
    assert "role='note'" in view.risk.value and "ask about it directly" in note
    assert "Talking about suicide risk and safety planning" in note
    assert "Where to get help".lower() in note.lower() and "top of this notebook" not in note
    lab = ConversationLab(path=tmp_path / "b.json", seed=0)
    lab.choose("walter-carer")
    for text in turns:
        _say(lab, text)
        if any(t.state == "risk" for t in lab.conversation.turns):
            break
    assert "linked at the top of this notebook" in html.unescape(lab.risk.value)


def test_in_the_browser_the_plot_is_svg_and_the_answers_can_be_downloaded(tmp_path,
                                                                          monkeypatch):
    """The book's in-browser labs have no matplotlib: the summary's picture is the SVG the
    book's page draws. The answers file, with the conversation, can be downloaded as in the
    other labs, and loaded into another lab."""
    import importlib.util

    from partnership.learner.conversation import widget as mod
    real = importlib.util.find_spec
    monkeypatch.setattr(mod.importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    p = tmp_path / "answers.json"
    lab = ConversationLab(path=p, seed=4)
    lab.choose("robin-diabetes")
    for text in TURNS[:3]:
        _say(lab, text)
        link = re.search(r"href='data:application/json;base64,([^']+)'",
                         lab.transfer.link.value)
        saved = json.loads(base64.b64decode(link.group(1)))
        assert [a["answer"]["turns"][-1]["learner"] for a in saved["attempts"]][-1] == text
    lab.finish.click()
    assert lab.figure is None and lab.plot.value.startswith("<svg")
    assert "role='img'" in lab.plot.value and "<title" in lab.plot.value
    # loaded into a lab in another browser (a fresh answers file): the conversation opens
    other = ConversationLab(path=tmp_path / "elsewhere.json", seed=1)
    import datetime
    data = p.read_bytes()
    other.transfer.picker.value = ({"name": "answers.json", "type": "application/json",
                                    "size": len(data), "content": memoryview(data),
                                    "last_modified": datetime.datetime.now()},)
    assert other.conversation.client.id == "robin-diabetes"
    assert [t.learner for t in other.conversation.turns] == TURNS[:3]
    assert other.conversation.finished and "Your summary" in other.summary.value
