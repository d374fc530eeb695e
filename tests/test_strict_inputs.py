"""Inputs that would silently mean nothing are refused, and a bound that decides the optimum is reported."""

from __future__ import annotations

import json

import pytest
from micro import HOURS_PER_YEAR, write_case

from energy_model.errors import InputError
from energy_model.runner import run


def test_capex_without_any_build_bound_is_refused(tmp_path):
    case = write_case(tmp_path, {"wind": {"kind": "renewable", "profile": "flat", "capex": 5000.0},
                                 "load": {"kind": "demand", "annual": HOURS_PER_YEAR}})
    with pytest.raises(InputError) as caught:
        run(case)
    assert "wind" in str(caught.value) and "capex" in str(caught.value) and "build_max" in str(caught.value)


def test_a_binding_build_max_is_reported_in_the_results(tmp_path):
    # near-free wind (capex 1 CNY/MW, spare 2) for a 10 MW load: all 4 MW of wind it may build, then 6 of spare
    case = write_case(tmp_path, {"wind": {"kind": "renewable", "profile": "flat", "capex": 1.0, "build_max": 4},
                                 "spare": {"kind": "renewable", "profile": "flat", "capex": 2.0, "build_max": 100},
                                 "load": {"kind": "demand", "annual": 10 * HOURS_PER_YEAR}})
    result = run(case, out_dir=tmp_path / "out", report=False)
    binding = json.loads(result.dataset.attrs["binding_build_max"])
    assert binding == {"wind": 4.0}  # spare builds 6 of its 100 MW: not at its bound
    assert json.loads(json.loads((tmp_path / "out" / "run.json").read_text())["binding_build_max"]) == binding


def test_the_python_api_runs_a_case_and_returns_the_dataset(tmp_path):
    import energy_model as em

    case = write_case(tmp_path, {"wind": {"kind": "renewable", "profile": "flat", "capacity": 2},
                                 "load": {"kind": "demand", "annual": HOURS_PER_YEAR}})
    result = em.run(case)
    assert float(result.dataset["capacity"].sel(tech="wind")) == 2.0
    assert em.load_case(case).case.name == "micro"
    with pytest.raises(em.InputError):
        em.load_case(tmp_path / "nowhere")


def test_build_max_null_leaves_the_cost_to_bound_the_build(tmp_path):
    # wind at 1 CNY/MW over the horizon (capex 8,760 at life 1) for a 7 MW load: 7 MW built, no bound binding
    case = write_case(tmp_path, {"wind": {"kind": "renewable", "profile": "flat", "capex": float(HOURS_PER_YEAR),
                                          "life": 1, "build_max": None},
                                 "load": {"kind": "demand", "annual": 7 * HOURS_PER_YEAR}}, series={"flat": [1.0]})
    result = run(case)
    assert float(result.dataset["capacity"].sel(tech="wind")) == pytest.approx(7.0)
    assert result.dataset.attrs["objective"] == pytest.approx(7.0)
    assert json.loads(result.dataset.attrs["binding_build_max"]) == {}


def test_an_unbounded_unit_under_binary_commitment_is_refused(tmp_path):
    case = write_case(tmp_path, {"coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "min_load": 0.4,
                                          "capex": 1.0, "build_max": None},
                                 "load": {"kind": "demand", "annual": HOURS_PER_YEAR}}, series={"flat": [1.0]})
    with pytest.raises(InputError, match="finite build_max"):
        run(case, solver_overrides={"milp": True})
