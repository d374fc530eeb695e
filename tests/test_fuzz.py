"""A fuzzing harness for cases from strangers: structured mutations of the default case's files (types, ranges,
references, deletions, truncations, encodings, YAML structure) run through the command line on a day.

For every example: exit 0 (the mutation still describes a case, solved), 2 (bad input) or 3 (no solution),
each with its message and never a traceback or an "internal error"; the case folder is not changed; a run that
fails leaves nothing in its output folder. ``make test`` runs a few fixed-seed examples; ``make fuzz`` many
(FUZZ_EXAMPLES) and prints what it found.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from energy_model.cli import EXIT_INPUT, EXIT_SOLVE, app

CASE = Path(__file__).resolve().parents[1] / "inputs" / "shuangliao"
FILES = ["case.yaml", "technologies.yaml", "scenarios.yaml", "plan_targets.yaml", "timeseries/prices.csv",
         "timeseries/capacity_factors.csv", "projects/direct_supply_methanol.yaml"]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
ODD_VALUES = [-1, -1e30, 0, 1e300, float("nan"), "", "abc", "12 parsecs", None, True, [], [1, 2], {}, {"x": 1},
              "2030-13-45", "technologies", "*", "\u0000", "双辽", 10 ** 30]


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def _leaves(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, prefix + (i,))
    yield prefix


def _mutate_yaml(text: str, rng: random.Random) -> str:
    data = yaml.safe_load(text)
    paths = [p for p in _leaves(data) if p]
    if not paths:
        return text + "\n: : :\n"
    path = rng.choice(paths)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if rng.random() < 0.3 and isinstance(parent, dict):
        del parent[path[-1]]  # a deleted field
    else:
        parent[path[-1]] = rng.choice(ODD_VALUES)  # a wrong type, range or reference
    return yaml.safe_dump(data, allow_unicode=True)


def _mutate(case: Path, rng: random.Random, kind: str) -> str:
    name = rng.choice(FILES)
    path = case / name
    raw = path.read_bytes()
    if kind == "value" and name.endswith(".yaml"):
        path.write_text(_mutate_yaml(raw.decode("utf-8"), rng), encoding="utf-8")
    elif kind == "truncate":
        path.write_bytes(raw[: rng.randrange(len(raw))])
    elif kind == "encoding":
        path.write_bytes(raw.decode("utf-8").encode(rng.choice(["utf-16", "gbk", "latin-1"]), errors="replace"))
    elif kind == "structure":
        path.write_text(rng.choice(["- a\n- b\n", "a: [1, 2\n", "a: &x [*x]\n", "{}", "", "x: " + "[" * 300]))
    elif kind == "cell" and name.endswith(".csv"):
        lines = raw.decode("utf-8").splitlines()
        row = rng.randrange(1, len(lines))
        cells = lines[row].split(",")
        cells[rng.randrange(len(cells))] = str(rng.choice(ODD_VALUES))
        lines[row] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n")
    else:
        path.unlink()  # a missing file
    return f"{kind} of {name}"


@settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 12,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32 - 1), kind=st.sampled_from(["value", "truncate", "encoding", "structure", "cell",
                                                                  "delete"]))
def test_a_mutated_case_ends_in_a_message_never_a_traceback(tmp_path_factory, seed, kind):
    work = tmp_path_factory.mktemp("fuzz")
    case = work / "case"
    shutil.copytree(CASE, case)
    what = _mutate(case, random.Random(seed), kind)
    before = _digest(case)
    out = work / "out"
    result = CliRunner().invoke(app, ["run", str(case), "--hours", "24", "--no-report", "--out", str(out)])
    text = result.output
    report = f"{what} (seed {seed}): exit {result.exit_code}\n{text[-2000:]}"
    if os.environ.get("FUZZ_EXAMPLES"):
        print(report.splitlines()[0])
    assert result.exit_code in (0, EXIT_INPUT, EXIT_SOLVE), report
    assert "Traceback" not in text and "internal error" not in text, report
    assert result.exc_info is None or result.exc_info[0] is SystemExit, report
    assert _digest(case) == before, f"the case folder changed: {report}"
    if result.exit_code == EXIT_INPUT:
        assert "case" in text or "--" in text, report  # the message names a file of the case or an option
        assert not out.exists(), report
    if result.exit_code != 0:
        assert not any(p.name.startswith(".out") for p in work.iterdir()), report  # no staging left

