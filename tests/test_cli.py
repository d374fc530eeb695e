"""The command line end to end, as a user calls it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr
from micro import write_case

CASE = Path(__file__).resolve().parents[1] / "inputs" / "shuangliao"
REQUIRED_KPIS = {"total_cost", "curtailment_gwh", "curtailment_rate", "coal_full_load_hours", "co2_mt",
                 "non_fossil_share", "export_gwh", "import_gwh", "unserved_mwh", "mean_marginal_price"}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "energy_model.cli", *args], capture_output=True, text=True)


def test_list_shows_scenarios_with_descriptions():
    done = cli("list", str(CASE))
    assert done.returncode == 0
    lines = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert {"base_2030", "keep_units_1_2", "delay_unit6"} <= set(lines)
    assert all(len(line.split()) > 1 for line in lines.values())


def test_help_on_each_command():
    for args in (["--help"], ["run", "--help"], ["list", "--help"]):
        done = cli(*args)
        assert done.returncode == 0 and "Usage" in done.stdout


def test_run_writes_every_result_file(tmp_path):
    case = write_case(tmp_path / "case", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 100},
        "coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 100},
        "load": {"kind": "demand", "annual": 50 * 8760},
    }, series={"wind": [0.9, 0.1, 0.5] * 56})
    out = tmp_path / "out"
    done = cli("run", str(case), "--out", str(out), "--lang", "en")
    assert done.returncode == 0, done.stderr
    for name in ("results.nc", "summary.csv", "technologies.csv", "costs.csv", "hourly_flow.parquet", "report.html",
                 "results.xlsx", "COMPLETE"):
        assert (out / name).exists(), name
    flows = pd.read_parquet(out / "hourly_flow.parquet")
    assert list(flows.columns) == ["flow", "unit"] and set(flows["unit"]) == {"MW"}  # each row in its bus's unit
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["kpi", "value", "unit"]
    tidy = pd.read_csv(out / "kpis.csv", keep_default_na=False).set_index(["kpi", "tech"])  # the same, tidy
    assert tidy.loc[("capacity", "wind"), "value"] == pytest.approx(100.0)
    assert tidy.loc[("total_cost", ""), "value"] == pytest.approx(summary.set_index("kpi").at["total_cost", "value"])
    assert REQUIRED_KPIS | {"capacity_wind", "capacity_coal", "generation_wind", "generation_coal"} <= set(summary.kpi)
    with xr.open_dataset(out / "results.nc") as ds:
        assert all("units" in ds[name].attrs for name in ds.data_vars if ds[name].dtype.kind == "f")
        for key in ("scenario", "inputs_hash", "version_pyomo", "version_highspy", "solver_status", "objective"):
            assert key in ds.attrs
