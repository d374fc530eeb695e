"""Runs without an optimal solution: infeasible and unbounded models get a diagnosis, limits a marked result."""

from __future__ import annotations

import json

import pyomo.environ as pyo
import pytest
import xarray as xr
import yaml
from micro import write_case
from typer.testing import CliRunner

from energy_model.case.schema import SolverConfig
from energy_model.cli import EXIT_SOLVE, app
from energy_model.errors import SolveError
from energy_model.results.dataset import DIAGNOSIS_FILE, read_run_file
from energy_model.runner import run
from energy_model.solve import diagnosis
from energy_model.solve.highs import solve

COAL = {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 100}
WIND = {"kind": "renewable", "profile": "flat", "capacity": 100}


def export_duty_case(folder, min_export: str, **techs):
    """Four hours; a 50 MW grid connection paying 100 CNY/MWh with a minimum annual export."""
    grid = {"kind": "market", "capacity": 50, "export_price": 100, "min_annual_export": min_export}
    return write_case(folder, {**techs, "grid": grid}, series={"flat": [1.0] * 4})


def set_policy(case, **values):
    path = case / "case.yaml"
    data = yaml.safe_load(path.read_text())
    data["policy"].update(values)
    path.write_text(yaml.safe_dump(data))


def test_an_export_duty_only_coal_can_serve_under_a_co2_cap_is_diagnosed(tmp_path):
    # coal costs 0.3 t/MWh x 1000 CNY/t = 300 CNY/MWh > the 100 CNY/MWh export price, so only the duty
    # is exported: 300 GWh/yr x 4/8760 = 136.986 MWh over the four hours
    case = export_duty_case(tmp_path / "c", "300 GWh/yr", coal=COAL)
    out = tmp_path / "out"
    result = run(case, out_dir=out, report=False)
    assert result.dataset["export"].sel(tech="grid").sum().item() == pytest.approx(300e3 * 4 / 8760)
    # the duty emits 136.986 x 0.3 x 2 t CO2/t = 82.2 t; a cap of 100 kt/yr allows 100e3 x 4/8760 = 45.662 t
    set_policy(case, co2_cap="100 kt/yr")
    with pytest.raises(SolveError) as info:
        run(case, out_dir=out, report=False)
    error = info.value
    assert error.status == "infeasible"
    text = error.diagnosis
    for line in ("market_min_export[grid] ≥ 136.986", "policy_co2_cap ≤ 45.6621",
                 "thermal_output[coal] in [0, 100] at 4 snapshots (t = 0..3)",
                 "balance[n/electricity] = 0 at 4 snapshots (t = 0..3)",
                 "components involved: coal, grid, n/electricity"):
        assert line in text
    # the run folder now says why, holds no results, and the earlier complete results are gone
    assert sorted(p.name for p in out.iterdir()) == [DIAGNOSIS_FILE, "highs.log", "run.json"]
    assert text in (out / DIAGNOSIS_FILE).read_text(encoding="utf-8")
    metadata = read_run_file(out)
    assert not metadata["complete"] and metadata["solver_status"] == "infeasible"


def test_a_minimum_export_above_the_connection_is_diagnosed_on_the_console(tmp_path):
    # 500 GWh/yr x 4/8760 = 228.311 MWh to export through 50 MW x 4 h = 200 MWh
    case = export_duty_case(tmp_path / "c", "500 GWh/yr", wind=WIND)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(case), "--out", str(out), "--no-report"])
    assert result.exit_code == EXIT_SOLVE
    assert "error: no solution (infeasible)" in result.output
    assert "market_min_export[grid] ≥ 228.311" in result.output
    assert "market_export[grid] ≤ 50 at 4 snapshots (t = 0..3)" in result.output
    assert f"written to {out}/{DIAGNOSIS_FILE}" in result.output
    assert "Traceback" not in result.output and not (out / "results.nc").exists()


def test_without_an_iis_an_elastic_re_solve_names_the_rows_to_relax(tmp_path, monkeypatch):
    monkeypatch.setattr(diagnosis, "_iis", lambda highs: None)
    case = export_duty_case(tmp_path / "c", "500 GWh/yr", wind=WIND)
    with pytest.raises(SolveError) as info:
        run(case, report=False)
    text = info.value.diagnosis
    assert "elastic re-solve" in text
    assert "market_min_export[grid] violated by 28.3105" in text  # 228.311 - 200
    assert "components involved: grid" in text


def test_an_unbounded_model_names_the_variables_that_grow():
    m = pyo.ConcreteModel()
    m.T = pyo.Set(initialize=range(2))
    m.sale = pyo.Var(m.T, within=pyo.NonNegativeReals)
    m.floor = pyo.Constraint(m.T, rule=lambda m, t: m.sale[t] >= 1)
    m.objective = pyo.Objective(expr=-m.sale[0] - m.sale[1])
    with pytest.raises(SolveError) as info:
        solve(m, SolverConfig())
    assert info.value.status == "unbounded"
    assert "sale" in info.value.diagnosis and "primal ray" in info.value.diagnosis


def knapsack() -> pyo.ConcreteModel:
    weights = [int(w) for w in (23, 31, 29, 44, 53, 38, 63, 85, 89, 82, 47, 51, 34, 71, 66, 27, 92, 58, 41, 77)] * 3
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(len(weights)), within=pyo.Binary)
    m.weight = pyo.Constraint(expr=sum(w * m.x[i] for i, w in enumerate(weights)) <= sum(weights) // 2 + 0.5)
    m.odd = pyo.Constraint(expr=sum((i % 3) * w * m.x[i] for i, w in enumerate(weights)) <= sum(weights) // 3 + 0.5)
    m.objective = pyo.Objective(expr=-sum((w + i % 7 - 3) * m.x[i] for i, w in enumerate(weights)))
    return m


def test_a_solve_stopped_at_a_limit_returns_its_best_solution_and_gap():
    optimal = solve(knapsack(), SolverConfig(mip_rel_gap=0.0))
    stopped = solve(knapsack(), SolverConfig(mip_rel_gap=0.0, options={"mip_max_improving_sols": 1}))
    assert optimal.status == "optimal" and optimal.complete
    assert stopped.status == "solution_limit" and not stopped.complete
    assert stopped.objective >= optimal.objective  # minimising: the first solution is no better
    assert stopped.mip_gap > 0


def test_a_run_stopped_at_the_time_limit_is_marked_in_results_and_on_the_console(tmp_path, monkeypatch):
    import energy_model.runner as run_module

    def stopped_solve(*args, **kwargs):  # what HiGHS returns when the limit strikes after a first solution
        solution = solve(*args, **kwargs)
        solution.status, solution.status_detail = "time_limit", "Time limit reached"
        return solution

    monkeypatch.setattr(run_module, "solve", stopped_solve)
    case = export_duty_case(tmp_path / "c", "0 GWh/yr", wind=WIND)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(case), "--out", str(out), "--no-report", "--time-limit", "30"])
    assert result.exit_code == 0
    assert "case: time_limit" in result.output
    assert "WARNING: NOT OPTIMAL: the solver stopped early (Time limit reached)" in result.output
    with xr.open_dataset(out / "results.nc", engine="h5netcdf") as ds:
        assert ds.attrs["solver_status"] == "time_limit" and ds.attrs["solution_optimal"] == 0
        assert json.loads(ds.attrs["solver_options"])["time_limit"] == 30
    assert read_run_file(out)["complete"]  # the folder is complete; the solution is not optimal


def test_limits_from_the_command_line_reach_the_solver_and_the_metadata(tmp_path, monkeypatch):
    import energy_model.solve.highs as solve_module

    seen = {}
    original = solve_module._set_options

    def spy(highs, options, has_integers):
        original(highs, options, has_integers)
        seen.update({name: highs.getOptionValue(name)[1] for name in ("time_limit", "threads")})

    monkeypatch.setattr(solve_module, "_set_options", spy)
    case = export_duty_case(tmp_path / "c", "0 GWh/yr", wind=WIND)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(case), "--out", str(out), "--no-report",
                                      "--time-limit", "12.5", "--mip-gap", "0.02", "--threads", "1"])
    assert result.exit_code == 0, result.output
    assert seen == {"time_limit": 12.5, "threads": 1}
    with xr.open_dataset(out / "results.nc", engine="h5netcdf") as ds:
        options = json.loads(ds.attrs["solver_options"])
        assert (options["time_limit"], options["mip_rel_gap"], options["threads"]) == (12.5, 0.02, 1)
        assert json.loads(ds.attrs["run_options"])["solver_overrides"] == {
            "time_limit": 12.5, "mip_rel_gap": 0.02, "threads": 1}
