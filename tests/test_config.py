"""Input loading: units, overrides and clear errors that name the file, the field and the problem."""

from __future__ import annotations

import subprocess
import sys

import pytest
from micro import write_case

from energy_model.case.config import load_case
from energy_model.errors import InputError

WIND = {"kind": "renewable", "profile": "flat", "capacity": 10}


def problems(folder, scenario=None) -> str:
    with pytest.raises(InputError) as info:
        load_case(folder, scenario)
    return str(info.value)


def test_units_are_converted_at_load_time(tmp_path):
    case = write_case(tmp_path / "c", {"wind": {**WIND, "capacity": "1 万千瓦", "capex": "4000 CNY/kW",
                                                "fom": "60 CNY/kW/yr"}})
    wind = load_case(case).technologies["wind"]
    assert (wind.capacity, wind.capex, wind.fom) == (10.0, 4.0e6, 6.0e4)


def test_unknown_field_names_file_field_and_suggests(tmp_path):
    case = write_case(tmp_path / "c", {"wind": {**WIND, "capacty": 5}})
    message = problems(case)
    assert "technologies.yaml" in message and "wind.capacty" in message and "did you mean 'capacity'" in message


def test_wrong_unit_and_negative_value_are_both_reported(tmp_path):
    case = write_case(tmp_path / "c", {"wind": {**WIND, "capex": "5 kg"}, "other": {**WIND, "capacity": -1}})
    message = problems(case)
    assert "wind.capex" in message and "cannot be converted" in message
    assert "other.capacity" in message and "greater than or equal to 0" in message


def test_unknown_references_are_reported_with_suggestions(tmp_path):
    case = write_case(tmp_path / "c", {"wind": {**WIND, "node": "m", "profile": "flta"}})
    message = problems(case)
    assert "wind.node = 'm': unknown node" in message
    assert "wind.profile = 'flta': unknown timeseries column (did you mean 'flat'?)" in message


def test_retirement_before_commissioning_is_rejected(tmp_path):
    case = write_case(tmp_path / "c", {"wind": {**WIND, "commission_year": 2030, "retire_year": 2020}})
    assert "retire_year (2020) must come after commission_year (2030)" in problems(case)


def test_scenarios_inherit_and_the_child_wins(tmp_path):
    scenarios = {
        "parent": {"description": "p", "overrides": {"technologies.wind.capacity": 20, "policy.co2_price": 50}},
        "child": {"description": "c", "inherits": "parent", "overrides": {"technologies.wind.capacity": 30}},
    }
    case = write_case(tmp_path / "c", {"wind": WIND}, scenarios=scenarios)
    config = load_case(case, "child")
    assert config.technologies["wind"].capacity == 30
    assert config.case.policy.co2_price == 50
    assert load_case(case, "parent").technologies["wind"].capacity == 20


def test_override_that_names_nothing_is_an_error(tmp_path):
    scenarios = {"bad": {"description": "typo", "overrides": {"technologies.wnd.capacity": 20}}}
    case = write_case(tmp_path / "c", {"wind": WIND}, scenarios=scenarios)
    message = problems(case, "bad")
    assert "scenarios.yaml" in message and "'technologies.wnd' does not exist (did you mean 'wind'?)" in message


def test_inheritance_cycle_and_unknown_scenario(tmp_path):
    scenarios = {"a": {"description": "a", "inherits": "b"}, "b": {"description": "b", "inherits": "a"}}
    case = write_case(tmp_path / "c", {"wind": WIND}, scenarios=scenarios)
    assert "cycle" in problems(case, "a")
    assert "no scenario 'c'" in problems(case, "c")


def test_missing_values_in_timeseries_are_reported(tmp_path):
    case = write_case(tmp_path / "c", {"wind": WIND}, series={"flat": [1.0, float("nan"), 1.0]})
    assert "column 'flat' has 1 missing, infinite or non-numeric values" in problems(case)


def test_capacity_factor_outside_unit_interval(tmp_path):
    case = write_case(tmp_path / "c", {"wind": WIND}, series={"flat": [1.0, 1.5]})
    assert "must be a capacity factor in [0, 1]" in problems(case)


def test_cli_reports_bad_input_without_traceback(tmp_path):
    case = write_case(tmp_path / "c", {"wind": {**WIND, "capacty": 5}})
    done = subprocess.run([sys.executable, "-m", "energy_model.cli", "run", str(case), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "did you mean 'capacity'" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()
