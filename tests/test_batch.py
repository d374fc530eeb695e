"""Batch runs: a broken scenario among good ones, skipping unchanged runs, sweeps, the Dask path, and the
comparison with its plan-target table. Objectives are computed by hand on a four-hour micro case."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from micro import write_case
from openpyxl import load_workbook

import energy_model
from energy_model.batch import RunOptions, load_sweep, run_batch, scenario_runs
from energy_model.errors import InputError
from energy_model.report.comparison import collect

HOURS_PER_YEAR = 8760
# load 60 MW for 4 h; wind at cf 1 covers W MW of it, coal (0.3 t/MWh x 1000 CNY/t = 300 CNY/MWh) the rest
TECHS = {
    "wind": {"kind": "renewable", "profile": "flat", "capacity": 0},
    "coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 100},
    "load": {"kind": "demand", "annual": 60 * HOURS_PER_YEAR},
}
SCENARIOS = {
    "no_wind": {"description": "coal only"},
    "some_wind": {"description": "20 MW wind", "overrides": {"technologies.wind.capacity": 20}},
    "broken": {"description": "a typo", "overrides": {"technologies.wnd.capacity": 20}},
    "dear_coal": {"description": "coal x2", "overrides": {"fuels.coal.price": {"scale": 2}}},
}
def check(left: dict, relation: str, value: object = None) -> dict:
    right = {} if value is None else {"right": {"measure": "value", "value": value}}
    return {"label": "x", "label_zh": "x", "source": "test", "left": left, "relation": relation, **right}


PLAN_TARGETS = {
    "checks": {
        "thermal": {**check({"measure": "capacity", "techs": ["coal"]}, ">=", "100 MW"), "label": "Thermal capacity"},
        "wind": check({"measure": "capacity", "kinds": ["renewable"], "carrier": "electricity"}, ">=", "25 MW"),
        "new_load": check({"measure": "electricity_use", "kinds": ["demand"]}, ">=", "20 GWh/yr"),
        "value": check({"measure": "output_value"}, ">=", "1.5 亿CNY/yr"),
        "co2": check({"measure": "co2"}, "report"),
    },
    "output_value": {"electricity_price": {"coal*": 300, "wind*": 200}},
}


# a subprocess started in another folder imports the package under test, not another installed copy
PACKAGE_ENV = {**os.environ, "PYTHONPATH": str(Path(energy_model.__file__).resolve().parents[1])}


def coal_cost(wind_mw: float, price: float = 1000.0) -> float:
    return 4 * (60 - wind_mw) * 0.3 * price


@pytest.fixture
def case(tmp_path):
    folder = write_case(tmp_path / "case", TECHS, scenarios=SCENARIOS)
    (folder / "plan_targets.yaml").write_text(yaml.safe_dump(PLAN_TARGETS, allow_unicode=True), encoding="utf-8")
    return folder


def rows(index: pd.DataFrame) -> dict[str, dict]:
    return index.set_index("name").to_dict("index")


def test_a_broken_scenario_is_recorded_and_the_others_finish(case, tmp_path):
    out = tmp_path / "batch"
    done = subprocess.run([sys.executable, "-m", "energy_model.cli", "scenarios", str(case), "--out", str(out),
                           "--workers", "2", "--no-report"], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert "failed: broken: invalid input" in done.stderr
    index = rows(pd.read_csv(out / "index.csv"))
    # the order of scenarios.yaml (written sorted by write_case), not the order the runs finished in
    assert list(index) == ["broken", "dear_coal", "no_wind", "some_wind"]
    assert index["no_wind"]["objective"] == pytest.approx(coal_cost(0))
    assert index["some_wind"]["objective"] == pytest.approx(coal_cost(20))
    assert index["dear_coal"]["objective"] == pytest.approx(coal_cost(0, 2000))
    assert {name: row["status"] for name, row in index.items()} == \
        {"no_wind": "ok", "some_wind": "ok", "broken": "failed", "dear_coal": "ok"}
    assert "scenarios.yaml: broken.overrides.technologies.wnd.capacity: names nothing" in index["broken"]["error"]
    assert pd.isna(index["broken"]["objective"]) and index["broken"]["wall_s"] >= 0
    assert all(row["wall_s"] > 0 and row["solver_status"] == "optimal"
               for name, row in index.items() if name != "broken")
    assert (out / "errors" / "broken.txt").exists() and not (out / "broken").exists()
    assert all((out / name / "COMPLETE").exists() for name in ("no_wind", "some_wind", "dear_coal"))


def test_rerun_skips_unchanged_runs_and_reruns_what_changed(case, tmp_path):
    out = tmp_path / "batch"
    specs = scenario_runs(case, ["no_wind", "some_wind"])
    options = RunOptions(hours=4, report=False)
    first = rows(run_batch(specs, out, options, workers=1, progress=False, compare=False))
    again = rows(run_batch(specs, out, options, workers=1, progress=False, compare=False))
    assert all(row["skipped"] for row in again.values())
    assert again["some_wind"]["finished"] == first["some_wind"]["finished"]

    changed = {**SCENARIOS, "some_wind": {"description": "30 MW", "overrides": {"technologies.wind.capacity": 30}}}
    (case / "scenarios.yaml").write_text(yaml.safe_dump(changed))
    third = rows(run_batch(specs, out, options, workers=1, progress=False, compare=False))
    assert third["no_wind"]["skipped"] and not third["some_wind"]["skipped"]
    assert third["some_wind"]["objective"] == pytest.approx(coal_cost(30))

    plan = copy.deepcopy(PLAN_TARGETS)
    plan["checks"]["wind"]["right"]["value"] = "30 MW"  # a changed plan figure changes every run's audit
    (case / "plan_targets.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    fourth = rows(run_batch(specs, out, options, workers=1, progress=False, compare=False))
    assert not any(row["skipped"] for row in fourth.values())

    shorter = rows(run_batch(specs, out, RunOptions(hours=2, report=False), workers=1, progress=False, compare=False))
    assert not any(row["skipped"] for row in shorter.values())  # the horizon is part of the run key
    forced = rows(run_batch(specs, out, RunOptions(hours=2, report=False), workers=1, force=True, progress=False,
                            compare=False))
    assert not any(row["skipped"] for row in forced.values())


def test_representative_days_go_through_the_batch_and_into_its_run_key(tmp_path):
    # wind at cf 0.5 on day one and 1 on day two. Representative days keep every profile's energy and
    # 20 MW of wind never exceeds the load, so one day standing for both gives the 48-hour objective:
    # coal (60 x 48 - 20 x 36) MWh x 300 CNY/MWh. Every hour: sized on one day first (nothing to size here)
    case = write_case(tmp_path / "case", TECHS, series={"flat": [0.5] * 24 + [1.0] * 24}, scenarios=SCENARIOS,
                      time={"sizing_days": 1})
    out = tmp_path / "results" / "scenarios_d1"  # by default a shortened batch has its own folder
    done = subprocess.run([sys.executable, "-m", "energy_model.cli", "scenarios", str(case), "-s", "no_wind",
                           "-s", "some_wind", "--days", "1", "--workers", "1", "--no-report", "--lang", "en"],
                          capture_output=True, text=True, cwd=tmp_path, env=PACKAGE_ENV)
    assert done.returncode == 0, done.stderr
    index = rows(pd.read_csv(out / "index.csv"))
    assert {name: row["days"] for name, row in index.items()} == {"no_wind": 1, "some_wind": 1}
    assert index["some_wind"]["objective"] == pytest.approx((60 * 48 - 20 * 36) * 300)
    c = collect(out)
    # hours stood for, snapshots, representative days, days capacities were sized on (none: one optimisation)
    assert c.horizon["some_wind"].tolist() == [48, 24, 1, 0]
    assert "1 representative days for 48 h" in (out / "comparison.html").read_text(encoding="utf-8")
    table = pd.read_csv(out / "comparison.csv").set_index(["section", "item"])
    assert table.loc[("horizon", "representative_days"), "no_wind"] == 1

    specs = scenario_runs(case, ["no_wind", "some_wind"])
    again = rows(run_batch(specs, out, RunOptions(days=1, report=False), workers=1, progress=False, compare=False))
    assert all(row["skipped"] for row in again.values())
    hourly = rows(run_batch(specs, out, RunOptions(days=0, report=False, lang="en"), workers=1, progress=False))
    assert not any(row["skipped"] for row in hourly.values())  # the days are part of the run key
    assert {name: row["days"] for name, row in hourly.items()} == {"no_wind": 0, "some_wind": 0}
    assert hourly["some_wind"]["objective"] == pytest.approx((60 * 48 - 20 * 36) * 300)
    assert collect(out).horizon["some_wind"].tolist() == [48, 48, 0, 1]
    assert "48 h, sized on 1 representative days" in (out / "comparison.html").read_text(encoding="utf-8")
    joint = rows(run_batch(specs, out, RunOptions(days=0, sizing_days=0, report=False), workers=1, progress=False,
                           compare=False))
    assert not any(row["skipped"] for row in joint.values())  # so is the way capacities are sized
    assert {name: row["sizing_days"] for name, row in joint.items()} == {"no_wind": 0, "some_wind": 0}
    assert joint["some_wind"]["objective"] == pytest.approx((60 * 48 - 20 * 36) * 300)
    assert collect(out).horizon["some_wind"].tolist() == [48, 48, 0, 0]


def test_sweep_runs_the_cartesian_product(case, tmp_path):
    sweeps = case / "sweeps"
    sweeps.mkdir()
    (sweeps / "grid.yaml").write_text(yaml.safe_dump({
        "description": "wind x coal price", "scenario": "no_wind",
        "parameters": {"technologies.wind.capacity": [0, 30], "fuels.coal.price": [{"scale": 1}, {"scale": 2}]}},
        sort_keys=False))
    sweep = load_sweep(sweeps / "grid.yaml")
    assert [run.name for run in sweep.runs] == ["grid_001", "grid_002", "grid_003", "grid_004"]
    index = rows(run_batch(sweep.runs, tmp_path / "grid", RunOptions(report=False), workers=1, progress=False,
                           compare=False))
    expected = {"grid_001": coal_cost(0), "grid_002": coal_cost(0, 2000), "grid_003": coal_cost(30),
                "grid_004": coal_cost(30, 2000)}
    assert {name: row["objective"] for name, row in index.items()} == pytest.approx(expected)
    assert index["grid_004"]["technologies.wind.capacity"] == 30 and index["grid_004"]["fuels.coal.price"] == "x2"


def test_sweep_with_a_bad_path_fails_before_any_run(case):
    bad = case / "bad.yaml"
    bad.write_text(yaml.safe_dump({"parameters": {"technologies.wnd.capacity": [1, 2]}}))
    with pytest.raises(InputError, match=r"bad.yaml, point bad_001: technologies.wnd.capacity: names nothing"):
        load_sweep(bad, case_dir=case)
    bad.write_text(yaml.safe_dump({"parameters": {"technologies.wind.capacity": []}, "scenaro": "x"}))
    with pytest.raises(InputError, match="(?s)unknown field .scenaro.*non-empty list"):
        load_sweep(bad, case_dir=case)


def test_dask_path_on_a_local_cluster_with_two_workers(case, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        index = rows(run_batch(scenario_runs(case), tmp_path / "dask", RunOptions(report=False),
                               scheduler=cluster.scheduler_address, progress=False, compare=False))
    assert index["some_wind"]["objective"] == pytest.approx(coal_cost(20))
    assert index["dear_coal"]["objective"] == pytest.approx(coal_cost(0, 2000))
    assert index["broken"]["status"] == "failed" and "names nothing" in index["broken"]["error"]


def test_comparison_tables_and_plan_targets(case, tmp_path):
    out = tmp_path / "batch"
    run_batch(scenario_runs(case), out, RunOptions(report=False, lang="en"), workers=1, progress=False)
    c = collect(out)
    assert c.runs == ["dear_coal", "no_wind", "some_wind"]
    assert c.capacity.loc["wind", "some_wind"] == 20 and c.capacity.loc["coal", "no_wind"] == 100
    assert c.generation.loc["coal", "some_wind"] == pytest.approx(4 * 40 / 1e3)  # GWh over the 4 hours
    assert c.kpis.loc["total_cost", "dear_coal"] == pytest.approx(coal_cost(0, 2000))
    # the run's figures, annual: load 60 MW -> 525.6 GWh/yr; (40 MW coal x 300 + 20 MW wind x 200) CNY/MWh
    # x 8760 h = 1.4016e8 CNY/yr; 60 MW coal x 0.3 t/MWh x 2 t CO2/t x 8760 h
    assert c.actual.loc["new_load", "some_wind"] == pytest.approx(525.6)
    assert c.actual.loc["value", "some_wind"] == pytest.approx((40 * 300 + 20 * 200) * HOURS_PER_YEAR)
    assert c.actual.loc["co2", "no_wind"] == pytest.approx(60 * 0.3 * 2.0 * HOURS_PER_YEAR)
    assert c.plans.loc["value", "no_wind"] == pytest.approx(1.5e8) and pd.isna(c.plans.loc["co2", "no_wind"])
    assert c.targets.loc["co2", "unit"] == "t/yr" and c.targets.loc["new_load", "unit"] == "GWh/yr"
    met = c.met.to_dict("index")
    assert met["thermal"] == {"dear_coal": True, "no_wind": True, "some_wind": True}
    assert met["wind"] == {"dear_coal": False, "no_wind": False, "some_wind": False}
    assert met["value"] == {"dear_coal": True, "no_wind": True, "some_wind": False}  # 1.577e8, 1.577e8, 1.40e8
    assert met["co2"]["no_wind"] is None

    table = pd.read_csv(out / "comparison.csv")
    assert set(table["section"]) == {"horizon", "kpi", "capacity", "generation", "target", "target_plan",
                                     "target_met"}
    assert list(table.columns[3:]) == c.runs
    book = load_workbook(out / "comparison.xlsx", read_only=True)
    assert book.sheetnames == ["runs", "targets", "kpis", "capacity (MW, t per h)", "generation (GWh)"]
    page = (out / "comparison.html").read_text(encoding="utf-8")
    for section in ("runs", "targets", "kpis", "capacity", "generation", "objective"):
        assert f'<section id="{section}">' in page
    assert "Thermal capacity ≥ 100 MW" in page and "broken" in page and "names nothing" in page
    targets = pd.read_excel(out / "comparison.xlsx", sheet_name="targets")
    assert len(targets) == 3 * 5 and not targets.set_index(["run", "check"]).loc[("some_wind", "wind"), "met"]
    assert "Totals over the modelled horizon (4 h)" in page


def test_a_batch_of_a_missing_case_folder_is_an_input_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "energy_model.cli", "scenarios", str(tmp_path / "nowhere"),
                           "--no-report"], capture_output=True, text=True, cwd=tmp_path, env=PACKAGE_ENV)
    assert done.returncode == 2
    assert f"{tmp_path / 'nowhere'}: case folder not found" in done.stderr
    assert not (tmp_path / "results").exists()
