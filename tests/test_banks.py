"""Scenario banks: the shipped banks are valid and sufficient; malformed banks fail clearly."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from partnership.learner.schema import (BANK_DIR, SKILLS, BankError, ChoiceItem, FreeTextItem,
                                     bank_files, count_by_skill, load_bank, load_banks,
                                     practice_items)
from partnership.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[1]


def bib_keys() -> set[str]:
    text = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    return set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", text))


# ------------------------------------------------------------------ the shipped banks

def test_shipped_banks_are_valid():
    items, errors = load_banks()
    assert errors == []
    assert len(items) >= 80


def test_at_least_twelve_items_per_skill():
    counts = count_by_skill(practice_items())
    for skill in SKILLS:
        assert counts[skill] >= 12, f"{skill}: only {counts[skill]} items"


def test_every_item_type_is_used():
    types = {i.type for i in practice_items()}
    assert types == {"choice", "ranking", "categorize", "free_text"}


def test_sources_exist_in_bibliography():
    keys = bib_keys()
    assert keys, "no keys parsed from references.bib"
    for item in practice_items():
        for key in item.source:
            assert key in keys, f"{item.id}: source {key!r} is not in book/references.bib"


def test_ids_are_stable_prefixed_and_unique():
    prefix = {"empathy": "emp-", "mi_reflections": "mi-", "boundaries": "bnd-",
              "alliance": "all-", "ruptures": "rup-", "confidentiality": "conf-"}
    ids = [i.id for i in practice_items()]
    assert len(ids) == len(set(ids))
    for item in practice_items():
        assert item.id.startswith(prefix[item.skill]), item.id


def test_shipped_banks_are_practice_banks():
    for f in bank_files():
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        assert data.get("kind", "practice") == "practice", f"{f.name} is not a practice bank"


def test_confidentiality_items_carry_caveats():
    for item in practice_items("confidentiality"):
        text = (item.caveat or "").lower()
        assert "jurisdiction" in text or "local law" in text, item.id


def test_choice_answers_are_not_always_in_one_position():
    positions = {i.correct_index for i in practice_items() if isinstance(i, ChoiceItem)}
    assert len(positions) >= 3


def test_free_text_model_answers_are_not_questions():
    for item in practice_items():
        if isinstance(item, FreeTextItem) and item.target == "reflection":
            for a in item.model_answers:
                assert not a.rstrip().endswith("?"), f"{item.id}: {a}"


def test_format_doc_exists_and_names_every_type():
    doc = (BANK_DIR / "FORMAT.md").read_text(encoding="utf-8")
    for t in ("choice", "ranking", "categorize", "free_text"):
        assert f"type: {t}" in doc


def test_format_doc_examples_are_valid(tmp_path):
    """Every YAML example item in FORMAT.md passes the schema."""
    doc = (BANK_DIR / "FORMAT.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    examples = [b for b in blocks if b.lstrip().startswith("- id:")]
    assert len(examples) == 4
    for b in examples:
        f = tmp_path / "ex.yml"
        f.write_text("version: 1\nitems:\n" + b, encoding="utf-8")
        load_bank(f)


@pytest.mark.skipif(not (ROOT.parent / "shared" / "tools" / "originality-check").exists(),
                    reason="shared/tools not available")
def test_banks_are_original():
    out = subprocess.run([sys.executable, str(ROOT.parent / "shared" / "tools" /
                                              "originality-check"), str(ROOT)],
                         capture_output=True, text=True).stdout
    mine = [line for line in out.splitlines()
            if "partnership/learner/banks" in line or "notebooks/" in line]
    assert mine == []


# ------------------------------------------------------------------ schema errors

GOOD = {
    "choice": """
      - id: emp-901
        skill: empathy
        type: choice
        client: I feel stuck.
        prompt: Which one?
        options:
          - text: You feel stuck.
            correct: true
            feedback: A simple reflection of what was said.
          - text: Cheer up.
            feedback: Reassurance that dismisses the feeling.
        source: rogers1957conditions
    """,
    "ranking": """
      - id: emp-902
        skill: empathy
        type: ranking
        client: I feel stuck.
        prompt: Rank them.
        options:
          - {text: a, rank: 2, feedback: second best of the three}
          - {text: b, rank: 1, feedback: the best of the three}
          - {text: c, rank: 3, feedback: the worst of the three}
        source: [carkhuff1969helping]
    """,
    "categorize": """
      - id: mi-903
        skill: mi_reflections
        type: categorize
        prompt: Sort them.
        categories: [{id: open, label: Open}, {id: closed, label: Closed}]
        statements:
          - {text: "What brings you here?", category: open, feedback: invites a story}
          - {text: "Are you ok?", category: closed, feedback: yes or no answer}
        source: miller2013mi
    """,
    "free_text": """
      - id: mi-904
        skill: mi_reflections
        type: free_text
        client: I feel stuck.
        prompt: Write a reflection.
        model_answers: [You feel stuck.]
        feedback: A reflection is a statement, not a question.
        source: miller2013mi
    """,
}


def write_bank(tmp_path, items_yaml: str, header: str = "version: 1\nitems:\n",
               name: str = "bank.yml") -> Path:
    f = tmp_path / name
    f.write_text(header + textwrap.dedent(items_yaml), encoding="utf-8")
    return f


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_good_examples_load(tmp_path, kind):
    bank = load_bank(write_bank(tmp_path, GOOD[kind]))
    assert bank.items[0].type == kind


def _err(tmp_path, text, **kw) -> str:
    with pytest.raises(BankError) as exc:
        load_bank(write_bank(tmp_path, text, **kw))
    return str(exc.value)


# (base item, replacement (old, new), item id, field expected in the message)
BAD = [
    ("choice", ("correct: true", "correct: false"), "emp-901", "options"),
    ("choice", ("feedback: Reassurance that dismisses the feeling.", "feedback: no"),
     "emp-901", "options.1.feedback"),
    ("choice", ("source: rogers1957conditions", "source: []"), "emp-901", "source"),
    ("choice", ("        client: I feel stuck.\n", ""), "emp-901", "client"),
    ("choice", ("prompt: Which one?", "prompt: Which one?\n        colour: red"),
     "emp-901", "colour"),
    ("choice", ("skill: empathy", "skill: kindness"), "emp-901", "skill"),
    ("choice", ("id: emp-901", "id: Emp 901"), "Emp 901", "id"),
    ("choice", ("type: choice", "type: essay"), "emp-901", "type"),
    ("ranking", ("rank: 3", "rank: 2"), "emp-902", "options.rank"),
    ("categorize", ("category: closed", "category: shut"), "mi-903", "statements.1.category"),
    ("categorize", ("{id: closed, label: Closed}", "{id: open, label: Closed}"), "mi-903",
     "categories"),
    ("free_text", ("model_answers: [You feel stuck.]", "model_answers: []"), "mi-904",
     "model_answers"),
    ("free_text", ("skill: mi_reflections", "skill: confidentiality"), "mi-904", "caveat"),
]


@pytest.mark.parametrize("base,change,item_id,field", BAD,
                         ids=[f"{b[0]}-{b[3]}" for b in BAD])
def test_malformed_item_names_file_item_and_field(tmp_path, base, change, item_id, field):
    old, new = change
    text = GOOD[base]
    assert old in text
    msg = _err(tmp_path, text.replace(old, new, 1))
    assert "bank.yml" in msg
    assert f"item {item_id}" in msg
    assert f"field {field}" in msg


def test_duplicate_ids_in_one_file(tmp_path):
    msg = _err(tmp_path, GOOD["choice"] + GOOD["choice"])
    assert "bank.yml" in msg and "duplicate item id 'emp-901'" in msg and "field items" in msg


def test_duplicate_ids_across_files(tmp_path):
    write_bank(tmp_path, GOOD["choice"], name="a.yml")
    write_bank(tmp_path, GOOD["choice"], name="b.yml")
    items, errors = load_banks([tmp_path])
    assert len(items) == 1
    assert len(errors) == 1 and "b.yml" in errors[0] and "item emp-901" in errors[0] \
        and "field id" in errors[0]


def test_bad_yaml_names_file(tmp_path):
    f = tmp_path / "broken.yml"
    f.write_text("version: 1\nitems:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(BankError, match="broken.yml: not valid YAML"):
        load_bank(f)


def test_missing_file_names_file(tmp_path):
    with pytest.raises(BankError, match="nothere.yml: cannot read"):
        load_bank(tmp_path / "nothere.yml")


def test_bad_header(tmp_path):
    msg = _err(tmp_path, GOOD["choice"], header="version: 2\nitems:\n")
    assert "bank.yml" in msg and "field version" in msg
    msg = _err(tmp_path, "", header="version: 1\nitems: []\n")
    assert "field items" in msg


def test_graded_bank_refused_inside_package(tmp_path, monkeypatch):
    import partnership.learner.schema as bs
    write_bank(tmp_path, GOOD["choice"], header="version: 1\nkind: graded\nitems:\n")
    items, errors = load_banks([tmp_path])          # outside the package: fine
    assert errors == [] and len(items) == 1
    monkeypatch.setattr(bs, "BANK_DIR", tmp_path)   # pretend the folder is the package's
    items, errors = bs.load_banks([tmp_path])
    assert items == [] and "graded banks must not ship" in errors[0]


# ------------------------------------------------------------------ the command

def test_check_banks_shipped(capsys):
    assert cli_main(["check-banks"]) == 0
    out = capsys.readouterr().out
    for skill in SKILLS:
        m = re.search(rf"^\s+{skill}\s+(\d+)$", out, re.M)
        assert m and int(m.group(1)) >= 12, out


def test_check_banks_own_files(tmp_path, capsys):
    write_bank(tmp_path, GOOD["choice"] + GOOD["free_text"])
    assert cli_main(["check-banks", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 valid item(s)" in out and re.search(r"empathy\s+1", out)
    assert cli_main(["check-banks", str(tmp_path), "--min-per-skill", "2"]) == 1


def test_check_banks_fails_on_error(tmp_path, capsys):
    write_bank(tmp_path, GOOD["choice"].replace("correct: true", "correct: false"))
    assert cli_main(["check-banks", str(tmp_path / "bank.yml")]) == 1
    err = capsys.readouterr().err
    assert "item emp-901, field options" in err


def test_check_banks_no_files(tmp_path, capsys):
    assert cli_main(["check-banks", str(tmp_path)]) == 1
    assert "no bank files" in capsys.readouterr().err


def test_check_banks_console_script():
    r = subprocess.run([sys.executable, "-m", "partnership.cli", "check-banks"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "empathy" in r.stdout


def test_practice_items_follow_an_edited_bank_in_a_running_session(tmp_path, monkeypatch):
    """The cache is keyed on the bank files' names, sizes and times: an instructor's edit (or a
    new or removed file) shows at the next call, without restarting the kernel."""
    import shutil

    import partnership.learner.items as items_mod
    import partnership.learner.schema as bs
    for f in bank_files():
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.setattr(items_mod, "BANK_DIR", tmp_path)
    monkeypatch.setattr(bs, "BANK_DIR", tmp_path)
    monkeypatch.setattr(items_mod, "_CACHE", {})
    first = practice_items("empathy")[0]
    assert practice_items("empathy")[0] is first            # cached while nothing changes
    bank = tmp_path / "empathy.yml"
    text = bank.read_text(encoding="utf-8")
    assert first.prompt in text
    bank.write_text(text.replace(first.prompt, "Which response is the most empathic one here?",
                                 1), encoding="utf-8")
    assert practice_items("empathy")[0].prompt == "Which response is the most empathic one here?"
    write_bank(tmp_path, GOOD["choice"], name="empathy-extra.yml")
    assert "emp-901" in {i.id for i in practice_items("empathy")}
    (tmp_path / "empathy-extra.yml").unlink()
    assert "emp-901" not in {i.id for i in practice_items("empathy")}
    bank.write_text(text.replace("skill: empathy", "skill: kindness", 1), encoding="utf-8")
    with pytest.raises(BankError, match="empathy.yml"):
        practice_items("empathy")


def test_without_yaml_banks_the_validated_bundle_is_read(tmp_path, monkeypatch):
    """The in-browser labs have no YAML files and no pydantic: they read the JSON bundle the
    build wrote from the same banks, and get the same items."""
    import partnership.learner.items as items_mod
    want = practice_items()
    items_mod.write_bundle(tmp_path / "practice.json", want, {})
    monkeypatch.setattr(items_mod, "BANK_DIR", tmp_path)
    monkeypatch.setattr(items_mod, "BUNDLE", tmp_path / "practice.json")
    monkeypatch.setattr(items_mod, "_CACHE", {})
    assert practice_items() == want
    data = json.loads((tmp_path / "practice.json").read_text())
    data["items"][0]["colour"] = "red"
    (tmp_path / "practice.json").write_text(json.dumps(data))
    with pytest.raises(BankError, match=f"item {want[0].id}, field colour"):
        practice_items()
