"""The conversation lab in JupyterLab (partnership.learner.conversation.widget), driven through
its API: type, send, read the reply, finish, read the summary; restored after a restart (a new
lab object, and a real kernel restart); saving problems shown, never a crash."""
from __future__ import annotations

import base64
import json
import re
import textwrap

import pytest

from partnership.learner.conversation import replay
from partnership.learner.conversation.schema import get_client
from partnership.learner.conversation.widget import LAB, ConversationLab
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
        assert "role='status' aria-live='polite'" in lab.latest.value
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
