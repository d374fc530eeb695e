"""Property-based input checks: whatever a planner writes, the loader answers with InputError or a case
that builds and solves (or fails to solve with SolveError), never with another exception.

Inputs are the valid case of tests/bad_inputs/ with random edits: fields set to numbers, unit strings,
text, lists, mappings or nothing, fields removed, scenario overrides aimed anywhere, CSV cells and
timestamps replaced, whole files replaced by arbitrary text. The examples are derandomised so CI is
reproducible; ``HYPOTHESIS_PROFILE=explore`` runs many more, randomly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import yaml
from bad_inputs_harness import VALID
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from energy_model.case import schema
from energy_model.case.config import load_case
from energy_model.errors import InputError, SolveError
from energy_model.runner import run

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=2000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TECH_FIELDS = sorted({name for cls in schema.TechnologyBase.__subclasses__() for name in cls.model_fields})
CASE_PATHS = ["name", "year", "discount_rate", "time", "time.start", "time.hours", "carriers",
              "carriers.electricity", "carriers.electricity.unit", "carriers.hydrogen.free_disposal", "nodes",
              "nodes.n", "nodes.x", "fuels.coal", "fuels.coal.price", "fuels.coal.co2_factor", "policy",
              "policy.co2_cap", "policy.voll", "policy.min_non_fossil_share", "policy.max_curtailment_rate",
              "solver.threads", "solver.time_limit", "solver.method", "solver.options", "default_scenario"]
UNIT_STRINGS = ["5 MW", "1 万千瓦", "3995 CNY/kW", "10 t/h", "5 kg", "x MW", "", " ", "1e400 MW", "-3 MWh/yr",
                "50 %", "5 USD", "305 gce/kWh", "1 kt/yr", "2030", "2030-01-01", "n", "m", "electricity",
                "hydrogen", "coal", "wind", "load", "price", "renewable", "demand", "1/0 MW", "5 MW/MW"]
NUMBERS = st.one_of(st.integers(-10, 10), st.integers(-(10**12), 10**12), st.floats(), st.booleans(), st.none())
PLAUSIBLE = st.one_of(st.floats(0, 1), st.integers(0, 300), st.sampled_from(["5 MW", "0.5", "1 kt/yr", "n", "m"]))
VALUES = st.one_of(PLAUSIBLE, PLAUSIBLE, NUMBERS, st.sampled_from(UNIT_STRINGS), st.text(max_size=8),
                   st.lists(st.integers(0, 3), max_size=2), st.dictionaries(st.sampled_from(["a", "n", "hydrogen"]),
                                                                            NUMBERS, max_size=2))
TECHS = list(yaml.safe_load((VALID / "technologies.yaml").read_text()))
CELLS = st.one_of(st.floats(), st.sampled_from(["", "x", "1e999", "-1", "0.5"]), st.integers(-5, 5))


def edit(data: dict, dotted: str, value, delete: bool = False) -> None:
    """Set or delete a dotted path, creating missing mappings on the way."""
    *parents, last = dotted.split(".")
    for key in parents:
        if not isinstance(data.get(key), dict):
            data[key] = {}
        data = data[key]
    if delete:
        data.pop(last, None)
    else:
        data[last] = value


tech_edits = st.lists(st.tuples(st.sampled_from(TECHS + ["new"]), st.sampled_from(TECH_FIELDS + ["kind", "capacty"]),
                                VALUES, st.booleans()), min_size=1, max_size=2)
case_edits = st.lists(st.tuples(st.sampled_from(CASE_PATHS), VALUES, st.booleans()), max_size=2)
override_edits = st.dictionaries(
    st.one_of(st.sampled_from([f"technologies.{t}.{f}" for t in TECHS for f in ("capacity", "build_max", "kind")]),
              st.sampled_from([f"{p}" for p in CASE_PATHS]), st.text(max_size=10)),
    VALUES, max_size=2)
csv_edits = st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["time", "wind", "load", "price"]), CELLS),
                     max_size=2)


def solves_or_fails_cleanly(folder: Path, scenario: str | None) -> None:
    try:
        load_case(folder, scenario)
    except InputError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        event("input error")
        return
    try:
        result = run(folder, scenario, report=False)
    except SolveError:
        event("no solution")
        return
    event("solved")
    assert result.dataset.attrs["solver_status"] == "optimal"


@given(tech_edits, case_edits, override_edits, csv_edits)
def test_edited_cases_load_or_fail_with_input_error(techs, case, overrides, cells):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "case"
        shutil.copytree(VALID, folder)
        technologies = yaml.safe_load((folder / "technologies.yaml").read_text())
        for name, field, value, delete in techs:
            edit(technologies, f"{name}.{field}", value, delete)
        (folder / "technologies.yaml").write_text(yaml.safe_dump(technologies, allow_unicode=True))
        data = yaml.safe_load((folder / "case.yaml").read_text())
        for path, value, delete in case:
            edit(data, path, value, delete)
        (folder / "case.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
        scenarios = yaml.safe_load((folder / "scenarios.yaml").read_text())
        scenarios["more_wind"]["overrides"] = overrides
        (folder / "scenarios.yaml").write_text(yaml.safe_dump(scenarios, allow_unicode=True))
        frame = pd.read_csv(folder / "timeseries" / "series.csv", dtype=str)
        for row, column, value in cells:
            frame.loc[row, column] = str(value)
        frame.to_csv(folder / "timeseries" / "series.csv", index=False)
        solves_or_fails_cleanly(folder, "more_wind")


@given(st.sampled_from(["case.yaml", "technologies.yaml", "scenarios.yaml", "timeseries/series.csv"]),
       st.text(max_size=200))
def test_any_text_in_any_input_file_loads_or_fails_with_input_error(name, text):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "case"
        shutil.copytree(VALID, folder)
        (folder / name).write_text(text, encoding="utf-8")
        solves_or_fails_cleanly(folder, None)


@given(st.binary(max_size=64))
def test_bytes_that_are_not_utf8_fail_with_input_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "case"
        shutil.copytree(VALID, folder)
        (folder / "technologies.yaml").write_bytes(data)
        solves_or_fails_cleanly(folder, None)
