"""Errors are blamed on the file that holds the value: a project file, or case.yaml's default_scenario."""

from __future__ import annotations

import pytest
import yaml
from micro import write_case

from energy_model.case.config import load_case
from energy_model.errors import InputError


def _case_with_project(tmp_path, capacity):
    case = write_case(tmp_path, {"wind": {"kind": "renewable", "profile": "flat", "capacity": 1}},
                      scenarios={"with_project": {"description": "d", "include": ["projects/p.yaml"]}})
    (case / "projects").mkdir()
    (case / "projects" / "p.yaml").write_text(yaml.safe_dump({"technologies": {
        "p_wind": {"kind": "renewable", "node": "n", "profile": "flat", "capacity": capacity}}}))
    return case


def test_an_error_in_a_project_file_names_that_file(tmp_path):
    case = _case_with_project(tmp_path, -5)
    with pytest.raises(InputError) as caught:
        load_case(case, "with_project")
    lines = caught.value.problems
    assert len(lines) == 1 and "projects/p.yaml" in lines[0] and "p_wind.capacity" in lines[0]
    assert "technologies.yaml" not in lines[0]


def test_a_bad_default_scenario_is_blamed_on_case_yaml(tmp_path):
    case = write_case(tmp_path, {"wind": {"kind": "renewable", "profile": "flat", "capacity": 1}},
                      scenarios={"base": {"description": "d"}}, default_scenario="bsae")
    with pytest.raises(InputError) as caught:
        load_case(case)
    assert "case.yaml" in str(caught.value) and "default_scenario" in str(caught.value)
    assert "did you mean" in str(caught.value) and "base" in str(caught.value)


def test_a_bad_value_in_a_late_sweep_point_stops_the_sweep_before_any_solve(tmp_path):
    from energy_model.batch import load_sweep

    case = write_case(tmp_path / "case", {"wind": {"kind": "renewable", "profile": "flat", "capacity": 1}})
    sweep = tmp_path / "case" / "sweeps" / "s.yaml"
    sweep.parent.mkdir()
    sweep.write_text(yaml.safe_dump({"parameters": {"technologies.wind.capacity": [1, 2, -3]}}))
    with pytest.raises(InputError) as caught:
        load_sweep(sweep, case)
    assert len(caught.value.problems) == 1 and "s_003" in caught.value.problems[0]


def test_a_sweep_naming_no_scenario_is_blamed_on_the_sweep_file(tmp_path):
    from energy_model.batch import load_sweep

    case = write_case(tmp_path / "case", {"wind": {"kind": "renewable", "profile": "flat", "capacity": 1}},
                      scenarios={"base": {"description": "d"}})
    sweep = tmp_path / "case" / "sweeps" / "s.yaml"
    sweep.parent.mkdir()
    sweep.write_text(yaml.safe_dump({"scenario": "bsae", "parameters": {"technologies.wind.capacity": [1, 2]}}))
    with pytest.raises(InputError) as caught:
        load_sweep(sweep, case)
    assert str(sweep) in caught.value.problems[0] and "bsae" in caught.value.problems[0]
