"""Weather years: a case's other years of weather, the ensemble over them and its P90/P50."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from micro import write_case
from typer.testing import CliRunner

from energy_model.batch import design_overrides
from energy_model.case.config import load_case
from energy_model.cli import app
from energy_model.errors import InputError
from energy_model.runner import run

CASE = Path(__file__).resolve().parents[1] / "inputs" / "shuangliao"
YEARS = {"y1": 0.30, "y2": 0.50, "y3": 0.40, "y4": 0.20}  # wind capacity factor of each weather year


def test_a_weather_year_replaces_the_columns_it_holds():
    typical = load_case(CASE, "base_2030")
    year = load_case(CASE, "base_2030", {"weather_year": "w03"})
    shipped = pd.read_parquet(CASE / "timeseries" / "weather_years" / "w03" / "profiles.parquet")
    np.testing.assert_array_equal(year.timeseries["wind_a"].to_numpy(), shipped["wind_a"].to_numpy())
    assert not np.allclose(year.timeseries["wind_a"], typical.timeseries["wind_a"])
    np.testing.assert_array_equal(year.timeseries["import_price_cny_per_mwh"],  # not weather-driven: kept
                                  typical.timeseries["import_price_cny_per_mwh"])
    assert year.inputs_hash != typical.inputs_hash
    with pytest.raises(InputError, match=r"weather_year = 'w99': no folder .* the case has w01, w02"):
        load_case(CASE, "base_2030", {"weather_year": "w99"})


def ensemble_case(tmp_path):
    """Wind (expandable, 1e5 CNY/MW/yr) and a market at 100 CNY/MWh; four weather years of flat wind."""
    case = write_case(tmp_path / "case", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 10, "build_max": 100, "capex": "1 CNY/kW",
                 "life": 1},
        "grid": {"kind": "market", "capacity": 1000, "export_price": 100.0},
    }, series={"wind": [0.35] * 24}, time={"start": "2030-01-01 00:00", "hours": 24})
    for name, factor in YEARS.items():
        folder = case / "timeseries" / "weather_years" / name
        folder.mkdir(parents=True)
        pd.DataFrame({"time": pd.date_range("2030-01-01", periods=24, freq="h").strftime("%Y-%m-%d %H:%M"),
                      "wind": [factor] * 24}).to_csv(folder / "profiles.csv", index=False)
    return case


def test_the_ensemble_gives_each_kpi_over_the_years_with_p90_below_p50(tmp_path):
    case = ensemble_case(tmp_path)
    out = tmp_path / "ens"
    result = CliRunner().invoke(app, ["ensemble", str(case), "--out", str(out), "--no-report", "--workers", "1"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "ensemble.csv").set_index("kpi")
    # every year builds all 100 MW more (1 CNY/kW is nothing against 100 CNY/MWh): 110 MW x cf x 24 h
    generation = np.array([110 * f * 24 / 1000 for f in YEARS.values()])  # GWh
    row = table.loc["generation_wind"]
    assert row["typical"] == pytest.approx(110 * 0.35 * 24 / 1000)
    assert row["p90"] == pytest.approx(np.quantile(generation, 0.1))  # exceeded in 90 % of the years
    assert row["p50"] == pytest.approx(np.median(generation))
    assert row["p90"] <= row["p50"] <= row["p10"] and row["min"] <= row["p90"]
    assert (out / "ensemble.html").is_file() and (out / "comparison.csv").is_file()
    assert set(pd.read_csv(out / "index.csv")["weather_year"]) == {"typical", *YEARS}


def test_an_ensemble_can_hold_a_design_through_the_years(tmp_path):
    case = ensemble_case(tmp_path)
    sized = run(case, None, tmp_path / "sized", report=False, overrides={
        "technologies.grid.export_price": 1e-3}).dataset  # sells at nothing: builds nothing new
    assert float(sized["capacity_new"].sel(tech="wind")) == pytest.approx(0.0)
    held = design_overrides(tmp_path / "sized", load_case(case, None))
    assert held == {"technologies.wind.build_min": 0.0, "technologies.wind.build_max": 0.0}
    out = tmp_path / "ens"
    result = CliRunner().invoke(app, ["ensemble", str(case), "--out", str(out), "--no-report", "--workers", "1",
                                      "--design-from", str(tmp_path / "sized"), "--years", "y1,y2"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "ensemble.csv").set_index("kpi")
    assert table.loc["capacity_wind", ["typical", "min", "max"]].tolist() == pytest.approx([10.0] * 3)
    bad = CliRunner().invoke(app, ["ensemble", str(case), "--years", "y9", "--out", str(tmp_path / "x")])
    assert bad.exit_code != 0 and "y9 not among the case's weather years (y1, y2, y3, y4)" in bad.output
