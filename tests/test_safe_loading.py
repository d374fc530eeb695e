"""Case files from strangers: alias bombs, deep nesting, huge files and byte-order marks end in a message that
names the file, quickly and without a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from micro import write_case

from energy_model.case.files import YAML_MAX_BYTES, read_yaml
from energy_model.errors import InputError

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9))  # 10^10 values from under 1 KB


def _problems(path) -> str:
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    return str(caught.value)


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(BOMB)
    assert path.stat().st_size < 1024
    message = _problems(path)  # refused while counting: building the 10^10 values would exhaust memory
    assert str(path) in message and "aliases expand" in message and len(message) < 300


def test_deep_nesting_is_refused(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text("a: " + "[" * 500 + "]" * 500 + "\n")
    message = _problems(path)
    assert str(path) in message and "nested" in message


def test_shared_aliases_that_stay_small_are_fine(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text("base: &b {x: 1, y: 2}\none: *b\ntwo: {<<: *b, y: 3}\n")
    assert read_yaml(path) == {"base": {"x": 1, "y": 2}, "one": {"x": 1, "y": 2}, "two": {"x": 1, "y": 3}}


def test_a_huge_file_is_refused_unread(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_bytes(b"a: 1\n" + b"#" * (YAML_MAX_BYTES + 1))
    assert "at most" in _problems(path)


def test_a_yaml_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_yaml(path) == {"a": 1}


def test_the_command_line_reports_a_bomb_in_a_case_file(tmp_path):
    case = write_case(tmp_path / "c", {"wind": {"kind": "renewable", "profile": "flat", "capacity": 1}})
    (case / "scenarios.yaml").write_text(BOMB)
    done = subprocess.run([sys.executable, "-m", "energy_model.cli", "run", str(case), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "scenarios.yaml" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_a_recursive_alias_is_refused(tmp_path):
    # found by the fuzzing harness (tests/test_fuzz.py): a sequence that contains itself
    path = tmp_path / "case.yaml"
    for text in ("a: &x [*x]\n", "a: &x {b: *x}\n", "a: &x [1, [2, *x]]\n"):
        path.write_text(text)
        assert "recursive" in _problems(path)
