"""Items test understanding, not test-wiseness: guessing by length, position or absolute words
scores no better than chance on the shipped items, and the checks that say so would catch a
set of items that did not.

Also: the shared "ranks 1..n each once" check, the graded/practice overlap check, and the rules
for the book's self-check files (questions per chapter, tasks, no doubled verdict).
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from partnership.book.quizdata import QuizError, keyed_questions, load_quiz
from partnership.cli import main as cli_main
from partnership.learner.assignment import parse_graded
from partnership.learner.schema import (FILE_LIMITS, CueLimits, Keyed, cue_statistics,
                                        is_full_ranking, keyed_items, overlaps, practice_items)

ROOT = Path(__file__).resolve().parents[1]
QUIZ_DIR = ROOT / "book" / "quizzes"


def quiz_records():
    return [r for f in sorted(QUIZ_DIR.glob("*.yml")) for r in keyed_questions(load_quiz(f), f.name)]


# ------------------------------------------------------------------ the shipped items

@pytest.mark.parametrize("name,records", [
    ("practice banks", lambda: keyed_items(practice_items())),
    ("book self-checks", quiz_records),
])
def test_shipped_items_give_guessing_no_edge(name, records):
    stats = cue_statistics(records())
    assert stats.n >= 60, name
    assert stats.problems() == [], f"{name}:\n" + "\n".join(stats.problems())
    # the limits in words: length, position and absolute words beat chance by little or nothing
    assert stats.longest <= 1 / 3 and stats.shortest <= 1 / 3
    best_position = max(stats.share(p) - e for p, e in enumerate(stats.expected))
    assert best_position <= 0.10
    assert stats.absolute_score <= stats.chance + 0.10


def test_each_chapter_self_check_gives_no_edge_on_its_own():
    for f in sorted(QUIZ_DIR.glob("*.yml")):
        stats = cue_statistics(keyed_questions(load_quiz(f), f.name), FILE_LIMITS)
        assert stats.problems() == [], f"{f.name}: {stats.problems()}"


def test_every_chapter_has_a_real_test():
    """At least 8 questions, at least 3 of them asking for more than recall, and every task
    kind (apply, code, order) used somewhere in the book."""
    tasks = set()
    for f in sorted(QUIZ_DIR.glob("*.yml")):
        qs = load_quiz(f).questions
        assert len(qs) >= 8, f.name
        assert sum(q.task != "recall" for q in qs) >= 3, f.name
        tasks |= {q.task for q in qs}
    assert tasks == {"recall", "apply", "code", "order"}


def test_the_8_percent_point_is_tested_once():
    hits = []
    for f in sorted(QUIZ_DIR.glob("*.yml")):
        for q in load_quiz(f).questions:
            text = " ".join([q.prompt] + [o.text for o in q.options])
            if re.search(r"\b(8|30) ?%|\b(8|30) per ?cent|\beight per ?cent|thirty per ?cent",
                         text, re.I):
                hits.append(q.id)
    assert len(hits) == 1, hits


def test_ch03_safeguarding_question_does_not_forewarn_a_possible_abuser():
    q = next(q for q in load_quiz(QUIZ_DIR / "ch03.yml").questions if q.id == "ch03-q3")
    key = q.options[q.key]
    assert "safe" in key.text.lower() and "risk to the child" in key.why
    forewarn = [o for o in q.options if "invite him to make the call" in o.text]
    assert forewarn and not forewarn[0].correct and "where safe" in forewarn[0].why


# ------------------------------------------------------------------ the statistics

def rec(texts, key, ref="x"):
    return Keyed(ref, tuple(texts), key)


def test_statistics_on_a_biased_set():
    long_key = [rec(["short one", "a much longer and careful answer", "brief"], 1)] * 12
    st = cue_statistics(long_key)
    assert st.n == 12 and st.longest == 1 and st.shortest == 0
    assert st.positions == [0, 12, 0] and st.share(1) == 1
    assert st.chance == pytest.approx(1 / 3)
    problems = "\n".join(st.problems())
    assert "longest option in 100%" in problems and "100% of keys are at B" in problems
    assert "times the length" in problems          # mean ratio far above 1.25
    assert len(st.ratio_outliers) == 12            # each item's key > 2x the others


def test_statistics_on_a_fair_set_pass():
    texts = ["option aa", "option bb", "option cc", "option dd"]
    fair = [rec(texts, k % 4) for k in range(40)]
    st = cue_statistics(fair)
    assert st.longest == pytest.approx(0.25)       # a four-way tie: a quarter each time
    assert st.positions == [10, 10, 10, 10] and st.expected == [0.25] * 4
    assert st.problems() == []


def test_absolute_words_strategy():
    # the key never has an absolute word and two of three distractors do
    items = [rec(["you must always do it", "a careful middle answer", "never say that",
                  "another fair answer"], (1 if k % 2 else 3)) for k in range(20)]
    st = cue_statistics(items)
    assert st.absolute_score == pytest.approx(0.5) and st.chance == pytest.approx(0.25)
    assert any("absolute words" in p for p in st.problems())


def test_small_sets_are_shown_not_judged():
    st = cue_statistics([rec(["aaaa", "bbbbb"], 1)] * 3)
    assert st.longest == 1 and st.positions == [0, 3]
    assert st.problems() == []          # shares of three items are shown, not judged
    assert "not judged" in st.lines()[-1]
    # a single item's length ratio is judged whatever the number of items
    st = cue_statistics([rec(["aaaa", "aaaaaaaaaaaaa"], 1)], CueLimits(item_ratio=(0.5, 2)))
    assert st.ratio_outliers and "3.25 times" in st.problems()[0]


def test_widget_items_are_measured_in_the_order_shown():
    from partnership.learner.schema import ChoiceItem, display_order
    for r, it in zip(keyed_items(practice_items()),
                     [i for i in practice_items() if i.type in ("choice", "ranking")]):
        order = display_order(it.id, len(it.options))
        assert r.texts[r.key] == " ".join(it.options[it.correct_index].text.split())
        assert r.key == order.index(it.correct_index)
        if isinstance(it, ChoiceItem):
            assert it.options[it.correct_index].correct


# ------------------------------------------------------------------ the commands

def quiz_file(tmp_path, n=8, biased=False, task="apply", name="ch99.yml"):
    qs = []
    for i in range(1, n + 1):
        key = 1 if biased else i % 4
        opts = []
        for j in range(4):
            text = ("a much longer, careful and qualified answer" if (biased and j == key)
                    else f"answer number {j} here")
            opts.append({"text": text, "correct": j == key,
                         "why": "Because of the reason given in the chapter."})
        qs.append({"id": f"ch99-q{i}", "task": task, "prompt": "Which one fits?",
                   "options": opts})
    import yaml
    p = tmp_path / name
    p.write_text(yaml.safe_dump({"questions": qs}), encoding="utf-8")
    return p


def test_check_quizzes_shipped_prints_statistics(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert cli_main(["check-quizzes"]) == 0
    out = capsys.readouterr().out
    assert "key is the longest option" in out and "keys by position" in out
    assert re.search(r"ch03\.yml: \d+ questions \(recall \d+, apply \d+", out)


def test_check_quizzes_fails_on_a_biased_file(tmp_path, capsys):
    quiz_file(tmp_path, n=12, biased=True)
    assert cli_main(["check-quizzes", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "longest option in 100%" in err and "keys are at B" in err


def test_check_quizzes_wants_eight_questions_and_three_applied(tmp_path, capsys):
    quiz_file(tmp_path, n=5)
    assert cli_main(["check-quizzes", str(tmp_path)]) == 1
    assert "5 questions; a self-check needs at least 8" in capsys.readouterr().err
    quiz_file(tmp_path, n=8, task="recall")
    assert cli_main(["check-quizzes", str(tmp_path)]) == 1
    assert "0 questions ask for more than recall" in capsys.readouterr().err
    quiz_file(tmp_path, n=8)
    assert cli_main(["check-quizzes", str(tmp_path)]) == 0


def test_check_quizzes_refuses_duplicate_ids_across_files(tmp_path, capsys):
    quiz_file(tmp_path, name="ch98.yml")
    quiz_file(tmp_path, name="ch99.yml")
    assert cli_main(["check-quizzes", str(tmp_path)]) == 1
    assert "question ch99-q1, field id: duplicate id" in capsys.readouterr().err


def test_a_why_may_not_repeat_the_verdict(tmp_path):
    p = quiz_file(tmp_path)
    p.write_text(p.read_text().replace("Because of the reason", "Correct. Because of the reason",
                                       1), encoding="utf-8")
    with pytest.raises(QuizError, match=r"question ch99-q1, field options\.0\.why.*'Correct\.'"):
        load_quiz(p)


def test_check_banks_fails_on_a_biased_bank(tmp_path, capsys):
    items = []
    for i in range(12):
        items.append(textwrap.dedent(f"""\
          - id: emp-{900 + i}
            skill: empathy
            type: choice
            client: I feel stuck.
            prompt: Which one?
            options:
              - text: No.
                feedback: Too short to help anyone here.
              - text: You feel stuck, and it has gone on long enough to wear you down.
                correct: true
                feedback: A reflection that adds the feeling beneath.
              - text: Why?
                feedback: A why question can sound blaming.
            source: rogers1957conditions
        """))
    (tmp_path / "bank.yml").write_text("version: 1\nitems:\n" + textwrap.indent(
        "".join(items), "  "), encoding="utf-8")
    assert cli_main(["check-banks", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "cue statistics" in out and "key is the longest option: 100%" in out
    assert "cue: the key is the longest option in 100% of items" in err


def test_check_banks_shipped_passes_and_prints_statistics(capsys):
    assert cli_main(["check-banks"]) == 0
    out = capsys.readouterr().out
    assert "blind guessing scores" in out and "keys by position" in out


# ------------------------------------------------------------------ graded vs practice

GRADED = {"version": 1, "kind": "graded", "lab": "graded-test", "title": "T", "items": [
    {"id": "x-g1", "skill": "mi_reflections", "type": "ranking", "client": "I'm fine.",
     "prompt": "Rank them.",
     "options": [{"text": "How often do you drink, would you say?"},
                 {"text": "Something entirely new that nobody has written before."},
                 {"text": "Ok."}]}]}


def test_overlap_found_on_seven_words_in_a_row():
    practice = [i for i in practice_items() if i.id == "mi-002"]
    key = practice[0].options[practice[0].correct_index].text          # a practice key
    words = key.rstrip(".").split()
    assert len(words) >= 7
    graded = parse_graded({**GRADED, "items": [{**GRADED["items"][0], "options": [
        {"text": "So, " + " ".join(words[:7]) + ", and more besides."},
        {"text": "Something entirely new that nobody has written before."},
        {"text": "Ok."}]}]}).items
    found = overlaps(graded, practice)
    assert len(found) == 1 and "graded item x-g1, options.0.text" in found[0]
    assert "practice item mi-002, options." in found[0]


def test_no_overlap_on_generic_openings_or_new_text():
    graded = parse_graded(GRADED).items
    assert overlaps(graded, practice_items()) == []


def test_shipped_graded_items_do_not_repeat_practice_items(capsys):
    from partnership.grader.bank import load_bank
    files = sorted(str(p) for p in (ROOT / "exercises").glob("*.yml"))
    assert files
    for f in files:
        assert overlaps(load_bank(f).items, practice_items()) == [], f
    assert cli_main(["check-banks", *files]) == 0
    out = capsys.readouterr().out
    assert "graded item(s) in 3 graded file(s)" in out and "0 overlap(s)" in out


def test_check_banks_measures_a_graded_bank_with_keys(tmp_path, capsys):
    """An instructor's graded bank carries keys, so its guessing cues are measured too."""
    import yaml

    from partnership.grader.bank import load_bank
    assert cli_main(["check-banks", str(ROOT / "exercises" / "empathy.yml")]) == 0
    out = capsys.readouterr().out
    n = len(keyed_items(load_bank(ROOT / "exercises" / "empathy.yml").items))
    assert n >= 1 and f"items with a key: {n};" in out
    # the same bank with one choice key made far longer than its options: refused
    it = next(i for i in load_bank(ROOT / "exercises" / "empathy.yml").items
              if i.type == "choice")
    key = next(o.text for o in it.options if o.correct)
    longer = " ".join(key.split()) + " " + "and that is what matters most here " * 8
    path = tmp_path / "long.yml"
    data = yaml.safe_load((ROOT / "exercises" / "empathy.yml").read_text(encoding="utf-8"))
    for item in data["items"]:
        if item["id"] == it.id:
            for o in item["options"]:
                if o.get("correct"):
                    o["text"] = longer
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert cli_main(["check-banks", str(path)]) == 1
    assert f"item {it.id}: the key is" in capsys.readouterr().err


def test_check_banks_reports_an_overlapping_graded_file(tmp_path, capsys):
    import json
    practice = next(i for i in practice_items() if i.id == "emp-001")
    bank = json.loads(json.dumps(GRADED))
    bank["items"][0]["client"] = practice.client            # the same client statement
    (tmp_path / "items.yml").write_text(json.dumps(bank), encoding="utf-8")
    assert cli_main(["check-banks", str(tmp_path / "items.yml")]) == 1
    assert "overlap: graded item x-g1, client: repeats practice item emp-001, client" in \
        capsys.readouterr().err


# ------------------------------------------------------------------ ranks 1..n each once

@pytest.mark.parametrize("ranks,n,ok", [
    ([1, 2, 3], 3, True), ([3, 1, 2], 3, True), ((2, 1), 2, True),
    ([1, 1, 3], 3, False), ([1, 2], 3, False), ([0, 1, 2], 3, False),
    ([True, 2, 3], 3, False), ([1.0, 2, 3], 3, False), ([1, 2, None], 3, False),
    ("123", 3, False), (None, 3, False),
])
def test_is_full_ranking(ranks, n, ok):
    assert is_full_ranking(ranks, n) is ok
