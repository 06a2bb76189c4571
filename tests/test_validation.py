"""The one bounded YAML loader (partnership/validation.py) and the loaders that use it.

Bombs, oversize files and bad bytes are refused with a message naming the file, before anything
is built. How fast and how small that refusal is gets measured by benchmarks/bench_yaml.py, not
asserted here.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from partnership.book.quizdata import QuizError, load_quiz
from partnership.cli import main as cli_main
from partnership.learner.assignment import load_graded
from partnership.learner.schema import BankError, load_bank
from partnership.validation import (C_LOADER, MAX_BYTES, MAX_DEPTH, MAX_NODES, DataFileError,
                                    check_expansion, load_yaml, parse_yaml)

ROOT = Path(__file__).resolve().parents[1]


def merge_bomb(levels: int = 8) -> str:
    """Each level merges nine copies of the one before (about 9x the work per level)."""
    lines = ["version: 1", "x0: &a0 {" + ", ".join(f"k{i}: v" for i in range(9)) + "}"]
    for i in range(1, levels + 1):
        refs = ", ".join(f"*a{i - 1}" for _ in range(9))
        lines.append(f"x{i}: &a{i} {{<<: [{refs}], z{i}: v}}")
    return "\n".join(lines) + "\n"


def alias_bomb(levels: int = 9) -> str:
    """'Billion laughs': each list holds nine aliases of the list before."""
    lines = ["version: 1", "a0: &a0 [" + ", ".join("lol" for _ in range(9)) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join(f"*a{i - 1}" for _ in range(9)) + "]")
    return "\n".join(lines) + "\n"


def write(tmp_path, name, data) -> Path:
    p = tmp_path / name
    (p.write_bytes if isinstance(data, bytes) else p.write_text)(data)
    return p


def test_the_c_loader_is_used_where_libyaml_is_installed():
    assert C_LOADER == bool(getattr(yaml, "__with_libyaml__", False))


@pytest.mark.parametrize("bomb", [merge_bomb, alias_bomb], ids=["merge-key", "alias"])
def test_bombs_are_refused_with_a_message_naming_the_file(tmp_path, bomb):
    text = bomb()
    assert len(text) < 1000                  # a few hundred bytes...
    path = write(tmp_path, "bank.yml", text)
    with pytest.raises(DataFileError) as info:
        load_yaml(path)
    msg = str(info.value)
    assert msg.startswith(str(path)) and f"more than {MAX_NODES:,} values" in msg
    assert "alias" in msg and "merge" in msg


def test_a_bomb_is_refused_before_anything_is_built(monkeypatch):
    """The refusal comes from the event count: PyYAML's constructor never runs."""
    def boom(*a, **k):
        raise AssertionError("the document was constructed")
    monkeypatch.setattr(yaml, "load", boom)
    with pytest.raises(DataFileError, match="more than"):
        parse_yaml(merge_bomb(), "x.yml")


def test_the_expansion_count_models_merges_and_aliases():
    # a mapping of two pairs (1 + 4 nodes), merged into a mapping three times
    text = "a: &a {p: 1, q: 2}\nb: {<<: [*a, *a, *a], r: 3}\n"
    # root 1; key a 1; &a 5; key b 1; b's mapping 1 + '<<' 1 + seq 1 + 3*5 + 'r' 1 + '3' 1
    assert check_expansion(text, "x") == 1 + 1 + 5 + 1 + (1 + 1 + 1 + 15 + 1 + 1)
    # a little sharing is fine, and loads as PyYAML would load it
    assert parse_yaml(text, "x") == {"a": {"p": 1, "q": 2}, "b": {"p": 1, "q": 2, "r": 3}}


def test_oversize_file_refused_before_reading(tmp_path):
    path = tmp_path / "huge.yml"
    with path.open("wb") as f:
        f.write(b"items:\n")
        f.write(b"  - x\n" * (MAX_BYTES // 6 + 10))
    with pytest.raises(DataFileError) as info:
        load_yaml(path, what="bank file")
    msg = str(info.value)
    assert msg.startswith(str(path)) and "bank file too big" in msg and f"{MAX_BYTES:,}" in msg


def test_non_utf8_error_names_byte_offset_line_and_column(tmp_path):
    path = write(tmp_path, "latin1.yml", "version: 1\nitems:\n  - id: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(DataFileError) as info:
        load_yaml(path)
    msg = str(info.value)
    offset = len(b"version: 1\nitems:\n  - id: caf")
    assert msg.startswith(str(path)) and "not UTF-8" in msg
    assert f"byte 0xe9 at byte offset {offset}" in msg and "line 3, column 12" in msg


def test_utf16_file_is_named_as_such(tmp_path):
    path = write(tmp_path, "u16.yml", "version: 1\n".encode("utf-16"))
    with pytest.raises(DataFileError, match="UTF-16"):
        load_yaml(path)


def test_utf8_with_bom_loads(tmp_path):
    path = write(tmp_path, "bom.yml", "\ufeffversion: 1\n".encode("utf-8"))
    assert load_yaml(path) == {"version": 1}


def test_deep_nesting_refused(tmp_path):
    path = write(tmp_path, "deep.yml", "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5))
    with pytest.raises(DataFileError, match=f"nested more than {MAX_DEPTH} levels"):
        load_yaml(path)
    # far deeper than the C parser's own stack would like: still a clean refusal
    with pytest.raises(DataFileError, match="nested"):
        parse_yaml("[" * 100_000, "x.yml")


def test_bad_yaml_names_file_line_and_column(tmp_path):
    path = write(tmp_path, "bad.yml", "version: 1\nitems: [a, b\n")
    with pytest.raises(DataFileError) as info:
        load_yaml(path)
    assert str(info.value).startswith(f"{path}: not valid YAML") and "line 3" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError, match="nope.yml: cannot read self-check file"):
        load_yaml(tmp_path / "nope.yml", what="self-check file")


# ------------------------------------------------------------------ every loader uses it

def _graded_bank(path):
    from partnership.grader.bank import load_bank as load_graded_bank
    return load_graded_bank(path)


LOADERS = [(load_bank, BankError), (load_quiz, QuizError), (load_graded, BankError),
           (_graded_bank, BankError)]


@pytest.mark.parametrize("loader,error", LOADERS, ids=["bank", "quiz", "released", "graded"])
@pytest.mark.parametrize("content,expected", [
    (merge_bomb().encode(), "merge key (<<)"),
    ("x: caf\u00e9\n".encode("cp1252"), "byte offset 6"),
    (b"x: [1\n", "not valid YAML"),
], ids=["bomb", "not-utf8", "not-yaml"])
def test_each_loader_refuses_with_the_shared_message(tmp_path, loader, error, content, expected):
    path = write(tmp_path, "data.yml", content)
    with pytest.raises(error) as info:
        loader(path)
    assert str(info.value).startswith(str(path)) and expected in str(info.value)


def test_oversize_bank_is_refused_by_check_banks(tmp_path, capsys):
    path = tmp_path / "big.yml"
    path.write_bytes(b"version: 1\nitems:\n" + b"#" * (MAX_BYTES + 1))
    assert cli_main(["check-banks", str(path)]) == 1
    assert "bank file too big" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check-quizzes", "check-banks"])
def test_commands_give_a_message_not_a_traceback_on_non_utf8(tmp_path, command):
    write(tmp_path, "ch99.yml", "questions:\n  - id: caf\u00e9\n".encode("latin-1"))
    r = subprocess.run([sys.executable, "-m", "partnership.cli", command, str(tmp_path)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "ch99.yml: not UTF-8 text: byte 0xe9 at byte offset" in r.stderr
