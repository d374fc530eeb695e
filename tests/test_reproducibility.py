"""The same inputs give the same results, and the metadata says what produced them."""

from __future__ import annotations

import json
import shutil

import xarray as xr
from bad_inputs_harness import VALID

from energy_model.case.config import load_case
from energy_model.results.dataset import read_run_file
from energy_model.runner import VOLATILE_ATTRS, run

RESULT_FILES = ("summary.csv", "technologies.csv", "costs.csv", "hourly_flow.parquet", "hourly_technology.parquet",
                "hourly_bus.parquet")


def stable(attrs: dict) -> dict:
    return {k: v for k, v in attrs.items() if not k.startswith(VOLATILE_ATTRS)}


def test_two_runs_of_the_same_inputs_give_identical_data(tmp_path):
    # two copies of the case in different folders, solved into different folders
    for name in ("a", "b"):
        shutil.copytree(VALID, tmp_path / name)
        run(tmp_path / name, "more_wind", out_dir=tmp_path / f"out_{name}", report=False)
    with xr.open_dataset(tmp_path / "out_a" / "results.nc", engine="h5netcdf") as a, \
            xr.open_dataset(tmp_path / "out_b" / "results.nc", engine="h5netcdf") as b:
        a.attrs, b.attrs = stable(a.attrs), stable(b.attrs)
        xr.testing.assert_identical(a.load(), b.load())  # values bit for bit, coords, attrs
    for name in RESULT_FILES:
        assert (tmp_path / "out_a" / name).read_bytes() == (tmp_path / "out_b" / name).read_bytes(), name
    assert stable(read_run_file(tmp_path / "out_a")) == stable(read_run_file(tmp_path / "out_b"))


def test_metadata_records_inputs_versions_status_and_options(tmp_path):
    result = run(VALID, "more_wind", out_dir=tmp_path / "out", report=False, solver_overrides={"threads": 1})
    attrs = result.dataset.attrs
    assert attrs["inputs_hash"] == load_case(VALID, "more_wind").inputs_hash
    assert attrs["solver_status"] == "optimal" and attrs["solution_optimal"] == 1
    assert attrs["solver_status_detail"] == "Optimal"
    for package in ("python", "pyomo", "highspy", "highs", "numpy", "pandas", "xarray", "energy_model"):
        assert attrs[f"version_{package}"] not in ("", "unknown"), package
    assert json.loads(attrs["solver_options"])["threads"] == 1
    assert json.loads(attrs["run_options"]) == {"hours": None, "days": None, "sizing_days": None,
                                              "solver_overrides": {"threads": 1}}
    assert read_run_file(tmp_path / "out")["inputs_hash"] == attrs["inputs_hash"]


def test_the_inputs_hash_follows_the_inputs_and_the_scenario(tmp_path):
    shutil.copytree(VALID, tmp_path / "c")
    base = load_case(tmp_path / "c").inputs_hash
    assert load_case(tmp_path / "c", "more_wind").inputs_hash != base
    (tmp_path / "c" / "notes.txt").write_text("not an input")
    assert load_case(tmp_path / "c").inputs_hash == base
    series = tmp_path / "c" / "timeseries" / "series.csv"
    series.write_text(series.read_text().replace("0.8,", "0.7,", 1))
    assert load_case(tmp_path / "c").inputs_hash != base
