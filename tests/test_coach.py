"""Tests for the reflection coach (partnership.coach) and its CLI commands."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnership.cli import main as cli_main
from partnership.coach import (CoachResult, analyse, describe, describe_code, plot_session,
                               predict, session_summary)
from partnership.coach import metrics
from partnership.coach.model import MODEL_PATH
from fresh_python import modules_after

REPO = Path(__file__).resolve().parents[1]
CODES = {"question", "reflection", "therapist_input", "other"}
SUBCODES = {None, "open", "closed", "simple", "complex", "information", "advice",
            "negotiation", "options", "affirmation", "reassurance", "confrontation",
            "self-disclosure"}


def check_result(r):
    assert isinstance(r, CoachResult)
    assert r.coded
    assert r.code in CODES
    assert r.subcode in SUBCODES
    assert 0.0 <= r.confidence <= 1.0
    assert set(r.probabilities) == CODES
    assert abs(sum(r.probabilities.values()) - 1.0) < 1e-6
    assert r.confidence == pytest.approx(r.probabilities[r.code])
    assert isinstance(r.feedback, str) and r.feedback.strip()
    assert isinstance(r.hrq_score, int) and 1 <= r.hrq_score <= 5
    assert isinstance(r.roadblocks, list) and all(isinstance(b, str) for b in r.roadblocks)


# --- the API on clear examples -------------------------------------------------------------

CLIENT = ("I keep telling myself I'll cut down, but after a long shift a few drinks is the only "
          "thing that helps me switch off.")


def test_model_file_is_shipped_and_small():
    assert MODEL_PATH.is_file()
    assert MODEL_PATH.stat().st_size < 2_000_000


def test_open_question():
    r = analyse("What would you like to be different about your drinking?", CLIENT)
    check_result(r)
    assert (r.code, r.subcode) == ("question", "open")
    assert r.source == "model"


def test_closed_question():
    r = analyse("Do you drink every day?", CLIENT)
    assert (r.code, r.subcode) == ("question", "closed")
    assert "closed question" in r.feedback
    assert r.hrq_score == 2


def test_question_subcode_after_discourse_markers():
    """Open/closed follows how the question sentence opens, not fillers before it."""
    r = analyse("Okay. So what would you like to be different?", CLIENT)
    assert (r.code, r.subcode) == ("question", "open")
    r = analyse("Okay. Yeah. Do you smoke at work?", CLIENT)
    assert (r.code, r.subcode) == ("question", "closed")


def test_question_features_skip_discourse_markers():
    from partnership.coach.features import question_feats, normalise, sentences
    q = question_feats(sentences(normalise("Okay. Um, so how is that going?")))
    assert q["ql1:how"] == 1.0 and q["qlk:wh"] == 1.0 and q["nq:1"] == 1.0


def test_simple_reflection():
    r = analyse("So you're worried you'll lose your job.",
                "I'm worried I'll lose my job if this carries on.")
    assert (r.code, r.subcode) == ("reflection", "simple")
    assert r.hrq_score == 3
    assert "feeling" in r.feedback or "meaning" in r.feedback


def test_complex_reflection():
    r = analyse("Part of you enjoys the nights out, and part of you is scared of what they are "
                "doing to your health.",
                "I love going out with my mates, but I keep waking up feeling awful and my "
                "doctor is on at me about my liver.")
    assert (r.code, r.subcode) == ("reflection", "complex")
    assert r.hrq_score in (4, 5)


def test_advice():
    r = analyse("You should stop drinking before your shifts. I recommend you join a support "
                "group.", CLIENT)
    assert r.code == "therapist_input"
    assert r.subcode == "advice"
    assert "advice" in r.roadblocks
    assert r.hrq_score == 1


def test_reassurance_and_why_roadblocks():
    assert "reassurance" in analyse("Don't worry, it will be fine.", CLIENT).roadblocks
    assert "why-question" in analyse("Why don't you just stop?", CLIENT).roadblocks
    assert "warning" in analyse("If you don't stop, you'll lose your job.", CLIENT).roadblocks


@pytest.mark.parametrize("response, statement_form", [
    ("So you want to protect him, but without pushing him further away?", True),
    ("You're worried about your job?", True),
    ("Okay. So it feels like one more demand?", True),
    ("Do you want to protect him?", False),
    ("What worries you most?", False),
    ("You want to stop, or cut down?", False),
    ("You're worried about your job.", False),
])
def test_rising_tone_reflections_get_specific_advice(response, statement_form):
    """A statement with a question mark: whatever the code, the learner hears about tone."""
    from partnership.coach.feedback import RISING_TONE, statement_with_question_mark
    assert statement_with_question_mark(response) is statement_form
    r = analyse(response, CLIENT)
    check_result(r)
    mentions = RISING_TONE in r.feedback or "You wrote it with a question mark" in r.feedback
    assert mentions is (statement_form and r.code in ("question", "reflection"))


def test_feedback_says_how_sure():
    r = analyse("Do you drink every day?", CLIENT)
    assert "sure" in r.feedback
    assert f"{round(100 * r.confidence)}%" in r.feedback


def check_empty(r):
    """Nothing written: no code, no score, a prompt to write something."""
    assert isinstance(r, CoachResult) and not r.coded
    assert r.code is None and r.subcode is None and r.hrq_score is None
    assert r.probabilities == {} and r.confidence == 0.0 and r.roadblocks == []
    assert "haven't written anything" in r.feedback
    assert describe_code(r.code, r.subcode) == "no code (nothing written)"
    assert describe(r).startswith("No code: nothing was written")


@pytest.mark.parametrize("empty", ["", " ", "\n\t  ", "\u200b\x00", None])
def test_empty_input_gets_no_code_and_no_score(empty):
    check_empty(analyse(empty, CLIENT))  # type: ignore[arg-type]


def test_no_client_and_non_string_input():
    check_result(analyse("Tell me more about that."))
    check_result(analyse(123, client=None))  # type: ignore[arg-type]


# --- any text: property-based --------------------------------------------------------------

texts = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(categories=["So", "Cs", "Cc", "Zs", "Mn"],
                                   exclude_characters="\ud800"), max_size=60),
    st.sampled_from(["", " ", "\n\t", "😀😀🙏", "<b>hi</b>", "<script>alert('x')</script>",
                     "¿Por qué bebes tanto?", "Warum trinkst du so viel?", "你为什么喝这么多酒？",
                     "لماذا تشرب كثيرا؟", "&amp; &lt;", "?" * 50, "a" * 5000]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(response=texts, client=texts)
def test_any_text_gives_a_valid_result(response, client):
    from partnership.coach.features import normalise
    r = analyse(response, client)
    check_result(r) if normalise(response) else check_empty(r)


@settings(max_examples=60, deadline=None)
@given(inner=st.text(max_size=40), where=st.sampled_from(["response", "client", "both"]))
def test_html_is_never_echoed_unescaped(inner, where):
    tag = f"<img src=x onerror=alert(1)>{inner}<script>evil()</script>"
    client = f"I feel sad about my mum. {tag} I'm worried I let her down." if where != "response" \
        else "I'm worried I let my mum down."
    response = tag if where != "client" else "So you feel you let her down."
    r = analyse(response, client)
    check_result(r)
    # plain text: no markup from the inputs, and nothing escaped (that happens where HTML is
    # made, in the labs' widget and the book page)
    assert "<script" not in r.feedback.lower()
    assert "<img" not in r.feedback.lower()
    assert "&lt;" not in r.feedback and "&amp;" not in r.feedback


def test_very_long_input():
    big = ("I feel stuck <div>and</div> tired. " * 3000)[:100_000]
    check_result(analyse(big, big))


def test_other_language_is_flagged():
    r = analyse("¿Por qué sigues bebiendo si te hace daño?", "Bebo demasiado los fines de semana.")
    check_result(r)
    assert "English" in r.feedback


# --- session summary -----------------------------------------------------------------------

def fake(code, subcode=None):
    return CoachResult(code=code, subcode=subcode, confidence=0.9,
                       probabilities={c: (0.9 if c == code else 0.1 / 3) for c in CODES},
                       feedback="x", hrq_score=3)


def test_session_summary_good():
    results = ([fake("reflection", "complex")] * 5 + [fake("reflection", "simple")] * 5
               + [fake("question", "open")] * 5)
    s = session_summary(results)
    assert s["reflection_to_question"] == 2.0
    assert s["rq_verdict"] == "good"
    assert s["complex_share"] == 0.5
    assert s["complex_verdict"] == "good"
    assert s["counts"]["reflection"] == 10 and s["counts"]["question"] == 5


def test_session_summary_fair_and_below():
    s = session_summary([fake("reflection", "complex")] * 2 + [fake("reflection", "simple")] * 3
                        + [fake("question", "closed")] * 5)
    assert s["reflection_to_question"] == 1.0 and s["rq_verdict"] == "fair"
    assert s["complex_share"] == pytest.approx(0.4) and s["complex_verdict"] == "fair"
    s = session_summary([fake("reflection", "simple")] * 3 + [fake("question", "closed")] * 4)
    assert s["rq_verdict"] == "below fair" and s["complex_verdict"] == "below fair"


def test_session_summary_edge_cases():
    s = session_summary([])
    assert s["reflection_to_question"] is None and s["rq_verdict"] is None
    assert s["complex_share"] is None and s["complex_verdict"] is None
    s = session_summary([fake("reflection", "simple")])
    assert s["reflection_to_question"] == float("inf") and s["rq_verdict"] == "good"
    # an answer with nothing written has no code and does not count
    s = session_summary([fake("reflection", "simple"), analyse("  ", CLIENT)])
    assert s["n"] == 1 and s["mean_hrq"] == 3


def test_plot_session_returns_figure():
    from matplotlib.figure import Figure
    results = [analyse("Do you drink?", CLIENT), analyse("So you drink to switch off.", CLIENT)]
    fig = plot_session(session_summary(results))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    assert isinstance(plot_session(session_summary([])), Figure)


def test_plain_python_model_matches_numpy():
    """The plain-Python reader and scorer give what NumPy gives from the same .npz file: one
    view for transcribed speech, the average of the typed and shared views for typed text."""
    np = pytest.importorskip("numpy")
    from partnership.coach.features import N_FEATURES, featurize
    from partnership.coach.model import load_model
    model = load_model()
    assert model.typed_offset == N_FEATURES
    with np.load(MODEL_PATH, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    cols = arrays["cols"].astype(np.int64)
    assert list(model.cols) == cols.tolist()
    lookup = {int(c): i for i, c in enumerate(cols)}

    def numpy_probs(f, name):
        keys = [k for k in f if k in lookup]
        idx = [lookup[k] for k in keys]
        v = np.asarray([f[k] for k in keys], dtype=np.float64)
        W = arrays[f"{name}_W"].astype(np.float64) * arrays[f"{name}_scale"][:, None]
        z = W[:, idx] @ v + arrays[f"{name}_b"]
        if z.shape[0] == 1:
            return np.array([1 - 1 / (1 + np.exp(-z[0])), 1 / (1 + np.exp(-z[0]))])
        p = np.exp(z - z.max())
        return p / p.sum()

    cases = [("So you're worried about your job.", CLIENT), ("What brings you here?", ""),
             ("You should stop drinking.", "I drink too much."), ("Mm-hmm.", "Yeah."),
             ("It sounds like " + "part of you wants change " * 60, CLIENT)]
    for response, client in cases:
        for typed in (False, True):
            f = featurize(response, client, typed=typed)
            assert any(k >= N_FEATURES for k in f) is typed
            got = model.predict(f)
            shared = {k: v for k, v in f.items() if k < N_FEATURES}
            for name in model.heads:
                want = numpy_probs(f, name)
                if typed:
                    want = (want + numpy_probs(shared, name)) / 2
                assert list(got[name].values()) == pytest.approx(want.tolist(), abs=1e-5), name


def test_model_reader_rejects_bad_files(tmp_path):
    import zipfile
    from partnership.coach.model import ModelFileError, load_model
    no_cols = tmp_path / "no_cols.npz"
    with zipfile.ZipFile(MODEL_PATH) as src, zipfile.ZipFile(no_cols, "w") as dst:
        for info in src.infolist():
            if info.filename != "cols.npy":
                dst.writestr(info.filename, src.read(info))
    with pytest.raises(ModelFileError, match="no 'cols'"):
        load_model(no_cols)
    bad = tmp_path / "bad.npz"
    with zipfile.ZipFile(MODEL_PATH) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            raw = src.read(info)
            if info.filename == "main_W.npy":
                raw = raw[:6] + b"\x09" + raw[7:]  # an unknown .npy format version
            dst.writestr(info.filename, raw)
    with pytest.raises(ModelFileError, match="main_W: .npy format version 9"):
        load_model(bad)
    no_main = tmp_path / "no_main.npz"
    with zipfile.ZipFile(MODEL_PATH) as src, zipfile.ZipFile(no_main, "w") as dst:
        for info in src.infolist():
            if not info.filename.startswith("main_"):
                dst.writestr(info.filename, src.read(info))
    with pytest.raises(ModelFileError, match="no 'main' head"):
        load_model(no_main)


def test_coaching_needs_no_numpy():
    """Loading the model and coding an answer import neither NumPy nor anything heavier."""
    code = ("from partnership.coach import analyse\n"
            "r = analyse('So you are worried.', 'I might lose my job.')\n"
            "assert r.source == 'model', r")
    assert modules_after(code, ("numpy", "sklearn", "matplotlib", "scipy")) == []


def test_import_is_light():
    assert modules_after("import partnership.coach", ("sklearn", "matplotlib", "scipy")) == []


# --- metrics and coach-eval ----------------------------------------------------------------

def test_kappa_by_hand():
    # 2x2: po = 0.7; marginals true (0.5, 0.5), pred (0.6, 0.4): pe = 0.5 -> kappa 0.4
    t = ["a"] * 5 + ["b"] * 5
    p = ["a", "a", "a", "a", "b", "a", "a", "b", "b", "b"]
    assert metrics.cohen_kappa(t, p) == pytest.approx(0.4)
    f = metrics.f1_scores(t, p, ["a", "b"])
    assert f["a"] == pytest.approx(2 * 4 / (2 * 4 + 2 + 1))
    assert metrics.cohen_kappa([], []) is None


ROWS = [  # made-up utterances, in AnnoMI's format
    ("client", "I've been drinking more since I lost my job.", "n/a", "", ""),
    ("therapist", "What would you like to be different?", "question", "open", ""),
    ("client", "I want to sleep properly again.", "n/a", "", ""),
    ("therapist", "Do you drink every night?", "question", "closed", ""),
    ("client", "Most nights, yes, and I hate how I feel in the morning.", "n/a", "", ""),
    ("therapist", "So you drink most nights and you hate the mornings.", "reflection", "",
     "simple"),
    ("client", "My kids have started to notice.", "n/a", "", ""),
    ("therapist", "You're worried about what your drinking is teaching your children.",
     "reflection", "", "complex"),
    ("client", "What can I do about the cravings?", "n/a", "", ""),
    ("therapist", "You should try going for a walk when the cravings start.",
     "therapist_input", "", ""),
    ("client", "Okay.", "n/a", "", ""),
    ("therapist", "Hello, thanks for coming in today.", "other", "", ""),
]


def write_csv(path: Path, full: bool, labels=None):
    cols = ["transcript_id", "mi_quality", "video_title", "video_url", "topic", "utterance_id",
            "interlocutor", "timestamp", "utterance_text"]
    if full:
        cols += ["annotator_id", "therapist_input_exists", "therapist_input_subtype",
                 "reflection_exists", "reflection_subtype", "question_exists",
                 "question_subtype"]
    cols += ["main_therapist_behaviour", "client_talk_type"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for i, (who, text, main, q, r) in enumerate(ROWS):
            if labels is not None and who == "therapist":
                main = labels[i]
            row = {"transcript_id": "900", "mi_quality": "high", "video_title": "made up",
                   "video_url": "", "topic": "reducing alcohol consumption",
                   "utterance_id": str(i), "interlocutor": who, "timestamp": "00:00:00",
                   "utterance_text": text, "main_therapist_behaviour": main,
                   "client_talk_type": "neutral" if who == "client" else "n/a"}
            if full:
                row.update({"annotator_id": "0", "question_subtype": q, "reflection_subtype": r,
                            "question_exists": str(bool(q)), "reflection_exists": str(bool(r)),
                            "therapist_input_exists": str(main == "therapist_input"),
                            "therapist_input_subtype": "advice" if main == "therapist_input"
                            else ""})
            w.writerow(row)


def coach_eval_json(path, capsys):
    assert cli_main(["coach-eval", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_coach_eval_full_csv(tmp_path, capsys):
    f = tmp_path / "mini-full.csv"
    write_csv(f, full=True)
    res = coach_eval_json(f, capsys)
    assert {"kappa", "macro_f1", "f1", "question_kappa", "reflection_kappa"} <= set(res)
    assert set(res["f1"]) == CODES
    assert res["n"] == 6
    # the exact kappa, computed by hand from the coach's own codes for these rows
    ther = [(ROWS[i], ROWS[i - 1][1]) for i in range(len(ROWS)) if ROWS[i][0] == "therapist"]
    # a CSV holds transcribed speech: coach-eval reads it with typed=False, and so must we
    preds = [predict(row[1], client, typed=False).code for row, client in ther]
    truth = [row[2] for row, _ in ther]
    assert res["kappa"] == pytest.approx(metrics.cohen_kappa(truth, preds, sorted(CODES)))
    assert res["question_n"] == 2 and res["reflection_n"] == 2
    assert res["question_kappa"] is not None and res["reflection_kappa"] is not None


def test_coach_eval_known_kappa(tmp_path, capsys):
    """Relabel the made-up rows so that the expected kappa is known in closed form."""
    ther_idx = [i for i, r in enumerate(ROWS) if r[0] == "therapist"]
    preds = {i: predict(ROWS[i][1], ROWS[i - 1][1], typed=False).code for i in ther_idx}
    # experts agree with the coach on all but one utterance, which they code differently
    labels = dict(preds)
    first = ther_idx[0]
    labels[first] = "other" if preds[first] != "other" else "question"
    f = tmp_path / "mini-simple.csv"
    write_csv(f, full=False, labels=labels)
    res = coach_eval_json(f, capsys)
    # by hand: n = 6, 5 agreements, po = 5/6; pe from the two marginals
    t = [labels[i] for i in ther_idx]
    p = [preds[i] for i in ther_idx]
    n = len(t)
    pe = sum((t.count(c) / n) * (p.count(c) / n) for c in CODES)
    expected = (5 / 6 - pe) / (1 - pe)
    assert res["kappa"] == pytest.approx(expected)
    assert res["question_kappa"] is None and res["reflection_kappa"] is None


def test_coach_eval_text_and_errors(tmp_path, capsys):
    f = tmp_path / "mini.csv"
    write_csv(f, full=True)
    assert cli_main(["coach-eval", str(f)]) == 0
    out = capsys.readouterr().out
    assert "Cohen's kappa" in out and "Open vs closed" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert cli_main(["coach-eval", str(bad)]) == 2
    assert cli_main(["coach-eval", str(tmp_path / "missing.csv")]) == 2


def test_cli_coach(capsys):
    assert cli_main(["coach", "I'm worried I'll lose my job.", "Do you drink every day?"]) == 0
    out = capsys.readouterr().out
    assert "Code: closed question" in out
    assert "HRQ" in out and "sure" in out
    assert cli_main(["coach", "", "So you feel stuck.", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["code"] == "reflection" and 1 <= res["hrq_score"] <= 5


def test_cli_coach_subprocess():
    out = subprocess.run([sys.executable, "-m", "partnership.cli", "coach",
                          "I can't stop thinking about it.", "So it's on your mind a lot."],
                         capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert out.startswith("Code: ")


# --- the coach among the experts (partnership.coach.raters) ---------------------------------

def test_raters_compare_pairs_and_coach():
    from partnership.coach import raters
    labels = sorted(CODES)
    cycle = ["question", "reflection", "therapist_input", "other"]
    a = [cycle[i % 4] for i in range(40)]
    c = [("other" if x == "reflection" else x) for x in a]  # C never codes a reflection
    codings = {("t", str(i)): {"A": a[i], "B": a[i], "C": c[i]} for i in range(40)}
    x = metrics.cohen_kappa(a, c, labels)
    res = raters.compare(codings, {k: v["A"] for k, v in codings.items()}, labels)
    assert res["utterances"] == 40 and res["annotators"] == 3
    pk = res["expert_pairs"]["kappa"]
    assert pk["n"] == 3 and pk["max"] == pytest.approx(1.0) and pk["min"] == pytest.approx(x)
    assert pk["mean"] == pytest.approx((1 + 2 * x) / 3)
    pf = res["expert_pairs"]["reflection_f1"]
    assert pf["min"] == 0.0 and pf["max"] == pytest.approx(1.0)
    # each expert vs the others' majority: ties (A or B vs a split B/C or A/C) are skipped
    assert res["expert_vs_others"]["n"] == 30 * 3 + 10
    assert res["expert_vs_others"]["reflection_f1"] == 0.0
    ck = res["coach_vs_expert"]["kappa"]
    assert ck["n"] == 3 and ck["mean"] == pytest.approx((2 + x) / 3)
    # too few shared utterances: nothing to compare, and single codings are ignored
    few = {k: v for k, v in list(codings.items())[:raters.MIN_SHARED - 1]}
    assert raters.compare(few, None, labels) is None
    assert raters.compare({("t", "0"): {"A": "other"}}, None, labels) is None
    assert raters.describe(None) == []


def test_coach_eval_places_coach_among_experts(tmp_path, capsys):
    """A full file where three annotators coded every utterance of four transcripts."""
    ther = [(i, r) for i, r in enumerate(ROWS) if r[0] == "therapist"]
    path = tmp_path / "multi-full.csv"
    cols = ["transcript_id", "utterance_id", "interlocutor", "utterance_text", "annotator_id",
            "main_therapist_behaviour", "question_subtype", "reflection_subtype"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for t in range(4):
            for ann in ("1", "2", "3"):
                for i, (who, text, main, q, r) in enumerate(ROWS):
                    if ann == "3" and main == "reflection":
                        main = "other"
                    w.writerow({"transcript_id": str(t), "utterance_id": str(i),
                                "interlocutor": who, "utterance_text": text,
                                "annotator_id": ann, "main_therapist_behaviour": main,
                                "question_subtype": q, "reflection_subtype": r})
    res = coach_eval_json(path, capsys)
    labels = sorted(CODES)
    truth1 = [r[2] for _, r in ther] * 4
    truth3 = [("other" if x == "reflection" else x) for x in truth1]
    preds = [predict(r[1], ROWS[i - 1][1], typed=False).code for i, r in ther] * 4
    rs = res["raters"]
    assert rs["utterances"] == 24 and rs["annotators"] == 3
    x = metrics.cohen_kappa(truth1, truth3, labels)
    assert rs["expert_pairs"]["kappa"]["mean"] == pytest.approx((1 + 2 * x) / 3)
    vs = [metrics.cohen_kappa(t, preds, labels) for t in (truth1, truth1, truth3)]
    assert rs["coach_vs_expert"]["kappa"]["mean"] == pytest.approx(sum(vs) / 3)
    assert cli_main(["coach-eval", str(path)]) == 0
    assert "expert vs expert (3 pairs)" in capsys.readouterr().out


@pytest.mark.parametrize("response, affirming", [
    ("That took real courage.", True),
    ("You've worked so hard to get here.", True),
    ("You're a really caring dad.", True),
    ("Three weeks without a drink is a real achievement.", True),
    # ("You're really determined to make this work." is left out: after this client's words it
    # reads as MITI's Affirm of a strength, and as a reflection after change talk)
    ("It sounds like that took courage.", False),            # framed as a reflection
    ("Did that take courage?", False),
    ("Congratulations on the new job.", False),               # a pleasantry, not an Affirm
])
def test_affirmations_are_coded_other_with_their_own_feedback(response, affirming):
    from partnership.coach.rules import is_affirmation
    assert is_affirmation(response) is affirming
    r = analyse(response, CLIENT)
    check_result(r)
    if affirming:
        assert (r.code, r.subcode) == ("other", "affirmation")
        assert "affirmation" in r.feedback and "specific and genuine" in r.feedback
    else:
        assert r.subcode != "affirmation"


@pytest.mark.parametrize("response, fact", [
    ("Most people sleep worse for a few nights after cutting down.", True),
    ("Caffeine stays in the body for around six hours.", True),
    ("Eight pints is roughly twenty units of alcohol.", True),
    ("You usually drink more at weekends.", False),      # about the client: a reflection
    ("I often see this with new parents.", False),       # the speaker's own view
    ("Most nights.", False),                              # too short to be a stated fact
    ("Does caffeine stay in the body for hours?", False),
])
def test_plain_facts_are_information(response, fact):
    from partnership.coach.features import normalise
    from partnership.coach.rules import input_cue, is_plain_fact
    assert is_plain_fact(normalise(response)) is fact
    if fact:
        assert input_cue(response) == "information"
        r = analyse(response, CLIENT)
        assert (r.code, r.subcode) == ("therapist_input", "information")


def test_a_roadblock_outweighs_thanks_or_praise():
    """Praise or thanks that comes with advice is coded as the advice, roadblock named."""
    r = analyse("Well done for cutting down, but you should stop completely.", CLIENT)
    assert (r.code, r.subcode) == ("therapist_input", "advice")
    assert "advice" in r.roadblocks and "roadblock" in r.feedback
    r = analyse("Well done for cutting down.", CLIENT)
    assert (r.code, r.subcode) == ("other", "affirmation")


@pytest.mark.parametrize("response, client, deeper", [
    ("You drink most nights.", "I drink most nights.", False),
    ("You're scared your kids will notice.", "My kids have started to notice.", True),
    ("Part of you wants to stop, and part of you needs the break it gives you.", CLIENT, True),
    ("Being there for your family matters to you.", "I want to be around for my kids.", True),
])
def test_reflection_depth_cues(response, client, deeper):
    from partnership.coach.rules import adds_meaning, adjust_reflection
    assert adds_meaning(response, client) is deeper
    base = {"simple": 0.5, "complex": 0.5}
    nudged = adjust_reflection(base, response, client)
    assert (nudged["complex"] > 0.5) is deeper
    assert nudged["simple"] + nudged["complex"] == pytest.approx(1.0)


@pytest.mark.parametrize("response", [
    "This shows you have a drinking problem.",          # judgement, not praise
    "You don't have any self-control around drink.",
    "You're a drinker who hates being told what to do.",
    "You're more worried than angry.",                  # a complex reflection
    "You're someone who drinks to cope.",
    "It's wise to keep to 14 units a week.",            # information
    "Okay, so it sounds like that took courage.",       # framed as a reflection
])
def test_judgements_and_reflections_are_not_affirmations(response):
    from partnership.coach.rules import is_affirmation
    assert not is_affirmation(response)
    assert analyse(response, CLIENT).subcode != "affirmation"


@pytest.mark.parametrize("response", [
    "It sounds like you could use some support.",
    "You feel most people don't understand.",
    "You're worried your study is suffering.",
    "You think you could manage a dry week.",
    "You realize it's something you shouldn't have done.",
])
def test_reflection_frames_never_trigger_input_cues(response):
    from partnership.coach.rules import input_cue, roadblocks
    assert input_cue(response) is None
    assert "advice" not in roadblocks(response)


@pytest.mark.parametrize("response, client", [
    ("You feel tired.", "I am tired."),
    ("You want to cut down.", "I want to cut back."),
    ("That has been hard for you.", "It has been hard."),
    ("You've been dry for a while.", "I have been dry for a while."),
    ("You feel lonely.", ""),                           # nothing to compare with
])
def test_near_echoes_do_not_count_as_adding_meaning(response, client):
    from partnership.coach.rules import adds_meaning
    assert not adds_meaning(response, client)


# Cues added in session 3 after reading held out 2's errors (see the model card), each with the
# near-miss it must not catch.
@pytest.mark.parametrize("response, kind", [
    ("My suggestion would be to split the night with your partner.", "advice"),
    ("I'd really encourage you to see your doctor before stopping.", "advice"),
    ("It might be worth asking your manager about day shifts.", "advice"),
    ("Ask for a meeting with the pastoral team.", "advice"),
    ("Make sure you eat something before the evening shift.", "advice"),
    ("Stopping suddenly can bring on dizziness and low mood.", "information"),
    ("Sleep problems are very common after a move like that.", "information"),
    ("There's a walking group, a lunch club and a phone befriending service; any of those "
     "might suit.", "options"),
    ("It sounds like it might be worth asking your manager.", None),   # a reflection frame
    ("Tell me more about the night shifts.", None),                     # an open question
    ("You keep a close eye on every dose.", None),                      # no imperative
    ("So you know it's normal.", None),                                 # reflects the client
])
def test_more_written_input_cues(response, kind):
    from partnership.coach.rules import input_cue
    assert input_cue(response) == kind


@pytest.mark.parametrize("response, affirming", [
    ("You've put a lot of work into getting well.", True),
    ("You've kept going through one of the hardest losses anyone can face.", True),
    ("You've been incredibly devoted to her.", True),
    ("It's clear you want to be in charge of your health, and that's a strength.", True),
    ("Even as fed up as you are, you still came in today, and that matters.", True),
    ("Getting yourself to that coffee morning was an achievement.", True),
    ("You took a big step going to that meeting.", True),
    ("You took a big step back from your friends after the move.", False),
    ("You've been so stressed since the move.", False),
    ("You've kept it to yourself for a long time.", False),
    ("You've kept your drinking hidden from your family.", False),
    ("You've already tried to stop twice.", False),
    ("Being there for your kids is what matters to you.", False),
])
def test_more_affirmations(response, affirming):
    from partnership.coach.rules import is_affirmation
    assert is_affirmation(response) is affirming


@pytest.mark.parametrize("response", [
    "Sorry about the noise outside, they're digging up the road.",
    "Let me grab you a glass of water before we start.",
])
def test_apologies_and_hospitality_are_other(response):
    r = analyse(response, CLIENT)
    assert (r.code, r.subcode) == ("other", None)


@pytest.mark.parametrize("response, code, subcode", [
    ("I'm curious what goes through your mind on those nights.", "question", "open"),
    ("I wonder whether you've told anyone at work.", "question", "closed"),
    ("Hi, thanks for coming in. Grab a seat wherever you like.", "other", None),
    ("Take your time, there's no rush.", "other", None),
    ("Your pharmacist can do a free blood pressure check.", "therapist_input", "information"),
    ("Over time the body gets used to the same dose. That's not a sign you're doing anything "
     "wrong.", "therapist_input", "information"),
    ("That took courage, and you could try the same thing with your dad.",
     "therapist_input", "advice"),                                # advice outweighs praise
    ("You went ahead and told him, which is more than a lot of people manage.",
     "other", "affirmation"),                                     # praise, not information
])
def test_statement_questions_logistics_and_services(response, code, subcode):
    r = analyse(response, CLIENT)
    check_result(r)
    assert (r.code, r.subcode) == (code, subcode)


def test_cues_leave_near_misses_to_the_model():
    from partnership.coach.rules import is_pleasantry, is_statement_question
    # a suggestion put as wondering is not a question
    assert not is_statement_question("I wonder what it'd be like if you kept a diary.")
    # thanks followed by a reflection is not small talk
    assert not is_pleasantry("Thanks for coming in. It sounds like it has been a hard week.")
    assert is_pleasantry("Hi, thanks for coming in. Grab a seat wherever you like.")


# A helper probed the cues with sentences written to trip them (session 3). Each sentence below
# was misread by a cue; each pattern got a general guard (reported speech, risks and fears,
# the client's own world, costs that undo praise, open requests). None of these may fire a cue.
@pytest.mark.parametrize("response", [
    "You could lose your licence.",
    "You're scared you could lose the kids.",
    "You could barely get out of bed this morning.",
    "You know you should cut down, but you're not ready.",
    "The doctor said you should cut down, and you felt told off.",
    "Your sister keeps telling you that you should leave him.",
    "You try to keep it together for the kids.",
    "Your kids are the best thing that ever happened to you.",
    "Everyone says why don't you just stop, like it's easy.",
    "Try harder, your dad says, and it makes you want to give up.",
    "Avoid sugar, they told you, as if it were simple.",
    "It's exhausting. Stop, start, stop again.",
    "Let's see how it goes, that's your plan.",
    "In your family, drinking every day is normal.",
    "Nothing about this is normal for you.",
    "A lot of people depend on you.",
    "People often let you down.",
    "Your studies are suffering because of the drinking.",
    "You've read the research and it scares you.",
    "Your GP can prescribe something, but you don't want tablets.",
    "The team can't see you for six weeks, and that feels too long.",
    "That's a lot of change in 2 weeks.",
    "You've been so patient with him, and nothing has changed.",
    "You were open with your partner and she walked out.",
    "You've kept going back to him even though he hurts you.",
    "You're the one who always has to clean up the mess.",
    "It's clear that you don't want to be here.",
    "You're really good at hiding it.",
    "You clearly want to stop, and you're also scared.",
    "Sorry, so you moved out before the baby came.",
    "Thanks to the kids, you get up every morning.",
    "You can't sleep, or eat, or think straight.",
    "There are a few things you're not ready to give up.",
    "I wonder if part of you is tired of fighting.",
    "Nobody has been in your shoes.",
])
def test_cues_do_not_fire_on_reflections_that_look_like_them(response):
    from partnership.coach.rules import (input_cue, is_affirmation, is_pleasantry,
                                         is_statement_question)
    assert input_cue(response) is None
    assert not is_affirmation(response)
    assert not is_pleasantry(response)
    assert not is_statement_question(response)


@pytest.mark.parametrize("response, kind", [
    ("Maybe you could have a word with your manager.", "advice"),
    ("It's important to take the tablets at the same time each day.", "advice"),
    ("A good first step would be to write down when you drink.", "advice"),
    ("Be kind to yourself this week.", "advice"),
    ("Consider keeping a sleep diary for a week.", "advice"),
    ("Research on work stress suggests that never switching off makes recovery harder.",
     "information"),
    ("Smoking increases your risk of a second heart attack.", "information"),
    ("The stop smoking service offers free patches for twelve weeks.", "information"),
])
def test_plain_input_the_cues_now_catch(response, kind):
    from partnership.coach.rules import input_cue
    assert input_cue(response) == kind


def test_open_requests_are_questions_and_praise_by_comparison_is_an_affirmation():
    for text in ("Tell me about the research you've been reading.", "Tell me about your studies."):
        assert analyse(text, CLIENT).code == "question"
    r = analyse("Most people would have given up by now.", CLIENT)
    assert (r.code, r.subcode) == ("other", "affirmation")
    r = analyse("You should be really proud of yourself.", CLIENT)
    assert (r.code, r.subcode) == ("other", "affirmation")
    assert "advice" not in r.roadblocks


def test_the_learned_affirmation_head_finds_praise_the_phrase_list_does_not_know():
    from partnership.coach.rules import is_affirmation
    client = "I finally rang the debt helpline on Monday. I was shaking the whole time."
    text = "Ringing them while you were shaking took real nerve."
    assert not is_affirmation(text)                      # no phrase in the list...
    r = analyse(text, client)
    assert (r.code, r.subcode) == ("other", "affirmation")   # ...the head knows it
    assert r.subcode_probabilities["affirmation"] > 0.5
    for plain in ("Mm-hmm.", "Thanks for telling me.", "You rang them on Monday."):
        assert analyse(plain, client).subcode != "affirmation", plain


def test_coach_eval_reads_a_transcript_as_speech_and_a_yaml_file_as_typed(tmp_path, monkeypatch):
    """AnnoMI-format CSV rows are transcribed speech (no typed-only features); coded YAML
    responses are typed, as learners' are."""
    import partnership.coach.features as features
    from partnership.commands.coach_eval import evaluate
    seen = []
    real = features.featurize
    monkeypatch.setattr(features, "featurize",
                        lambda r, c="", typed=True: seen.append(typed) or real(r, c, typed))
    csv_file = tmp_path / "t.csv"
    csv_file.write_text("transcript_id,utterance_id,interlocutor,utterance_text,"
                        "main_therapist_behaviour\n1,0,client,I drink too much.,n/a\n"
                        "1,1,therapist,You drink more than you'd like.,reflection\n")
    evaluate(csv_file)
    assert seen == [False]
    yml = tmp_path / "t.yml"
    yml.write_text("items:\n  - {id: a, client: I drink too much., "
                   "response: You drink more than you'd like., code: reflection}\n")
    seen.clear()
    evaluate(yml)
    assert seen == [True]


# From a code review of session 3's changes: each was misread by a cue or the affirmation head.
@pytest.mark.parametrize("response, code, subcode", [
    ("Apologies, but research shows that cutting down lowers blood pressure.",
     "therapist_input", "information"),                       # not small talk
    ("You've been so consistent at skipping your tablets.", None, None),   # no praise
    ("Your commitment to the bottle shows.", None, None),
    ("You have been very committed to drinking.", None, None),
    ("You've worked so hard, and you're not giving up.", "other", "affirmation"),
    ("That took real courage, and it hasn't been easy.", "other", "affirmation"),
    ("Talk to me about your weekends.", "question", "open"),  # a request, not advice
])
def test_review_fixes(response, code, subcode):
    r = analyse(response, "I have been drinking more since the move.")
    if code is None:
        assert r.subcode != "affirmation"
    else:
        assert (r.code, r.subcode) == (code, subcode)
