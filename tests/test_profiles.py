"""Tests of the synthetic time-series generator and of the committed default-case CSVs."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pvlib")
pytest.importorskip("windpowerlib")

from synthetic_weather import generator as profiles  # noqa: E402

TIMESERIES_DIR = Path(__file__).resolve().parents[1] / "inputs" / "shuangliao" / "timeseries"
# Half a unit in the last written digit (plus float slack) per file.
WRITE_TOLERANCE = {"capacity_factors": dict(atol=5.1e-5, rtol=0), "prices": dict(atol=5.1e-3, rtol=0),
                   "weather": dict(atol=5.1e-4, rtol=0), "demand_shapes": dict(atol=0, rtol=1e-7)}


@pytest.fixture(scope="module")
def generated() -> profiles.Profiles:
    return profiles.generate_profiles()


def test_same_seed_gives_identical_frames(generated):
    again = profiles.generate_profiles()
    for key, frame in generated.tables.items():
        pd.testing.assert_frame_equal(frame, again.tables[key], check_exact=True)


def test_other_seed_gives_other_weather(generated):
    other = profiles.synthetic_weather(seed=profiles.DEFAULT_SEED + 1)
    assert not np.allclose(other["wind_a"], profiles.synthetic_weather()["wind_a"])


def test_committed_csvs_match_the_generator(generated):
    committed = profiles.read_profiles(TIMESERIES_DIR)
    for key, frame in generated.tables.items():
        on_disk = committed[key]
        assert list(on_disk.columns) == list(frame.columns), key
        assert (on_disk.index == frame.index).all(), key
        np.testing.assert_allclose(on_disk.to_numpy(), frame.to_numpy(), err_msg=key, **WRITE_TOLERANCE[key])


def test_written_files_round_trip(generated, tmp_path):
    profiles.write_profiles(generated, tmp_path)
    for key, frame in profiles.read_profiles(tmp_path).items():
        np.testing.assert_allclose(frame.to_numpy(), generated.tables[key].to_numpy(), **WRITE_TOLERANCE[key])
    assert "`wind_a`" in (tmp_path / "SOURCES.md").read_text(encoding="utf-8")


def test_time_axis_is_one_non_leap_year(generated):
    index = generated.tables["capacity_factors"].index
    assert len(index) == 8760
    assert index[0] == pd.Timestamp("2030-01-01 00:00") and index[-1] == pd.Timestamp("2030-12-31 23:00")
    assert index.tz is None


@pytest.mark.parametrize("column, target", [("wind_a", 2400), ("wind_b", 2400), ("wind_c", 2400), ("pv", 1460),
                                            ("pv_utility", 1500)])
def test_full_load_hours_hit_targets(generated, column, target):
    assert generated.tables["capacity_factors"][column].sum() == pytest.approx(target, rel=0.01)


def test_capacity_factors_in_unit_interval(generated):
    values = generated.tables["capacity_factors"].to_numpy()
    assert values.min() >= 0 and values.max() <= 1


def test_wind_sites_are_correlated_but_distinct(generated):
    corr = generated.tables["capacity_factors"][["wind_a", "wind_b", "wind_c"]].corr().to_numpy()
    off_diagonal = corr[np.triu_indices(3, k=1)]
    assert (off_diagonal > 0.75).all() and (off_diagonal < 0.95).all()


def test_pv_is_zero_at_night(generated):
    pv = generated.tables["capacity_factors"]["pv"]
    assert (pv[pv.index.hour.isin([0, 1, 2, 3, 21, 22, 23])] == 0).all()


def test_shapes_sum_to_one(generated):
    sums = generated.tables["demand_shapes"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-9)
    assert (generated.tables["demand_shapes"].to_numpy() >= 0).all()


def test_heat_demand_zero_in_july_positive_in_january(generated):
    heat = generated.tables["demand_shapes"]["heat_demand"]
    assert (heat[heat.index.month == 7] == 0).all()
    assert (heat[heat.index.month == 1] > 0).all()
    assert (heat[(heat.index >= "2030-04-06") & (heat.index < "2030-10-20")] == 0).all()


def test_local_load_factor_is_industrial(generated):
    load = generated.tables["demand_shapes"]["local_load"]
    assert 0.75 <= load.mean() / load.max() <= 0.80
    month = load.index.month
    assert load[month == 1].mean() > load[month == 7].mean() > load[month == 5].mean()


def test_export_price_calibration(generated):
    prices = generated.tables["prices"]
    factors = generated.tables["capacity_factors"]
    export = prices["export_price_cny_per_mwh"]
    wind = factors[["wind_a", "wind_b", "wind_c"]].mean(axis=1)
    assert export.mean() == pytest.approx(373.1, abs=0.01)
    assert (export * wind).sum() / wind.sum() == pytest.approx(278.46, abs=0.05)
    assert (export * factors["pv_utility"]).sum() / factors["pv_utility"].sum() == pytest.approx(348.93, abs=0.05)
    assert np.corrcoef(export, factors["wind_a"])[0, 1] < -0.3
    by_hour = export.groupby(export.index.hour).mean()
    assert by_hour.loc[[18, 19]].mean() > by_hour.loc[[2, 3]].mean()


def test_import_price_follows_jilin_tou(generated):
    imports = generated.tables["prices"]["import_price_cny_per_mwh"]
    flat = profiles.IMPORT_FLAT_ENERGY_CNY_PER_MWH + profiles.IMPORT_TD_AND_SURCHARGES_CNY_PER_MWH
    by_hour = imports.groupby(imports.index.hour).first()
    assert by_hour[3] == pytest.approx(0.5 * flat, abs=0.01)
    assert by_hour[12] == pytest.approx(0.5 * flat, abs=0.01)
    assert by_hour[18] == pytest.approx(1.5 * flat, abs=0.01)
    assert by_hour[6] == pytest.approx(flat, abs=0.01)


def test_synthetic_climate_is_shuangliao_like(generated):
    temperature = generated.tables["weather"]["temperature_c"]
    month = temperature.index.month
    assert temperature[month == 1].mean() == pytest.approx(-14, abs=1.5)
    assert temperature[month == 7].mean() == pytest.approx(24, abs=1.5)


@pytest.mark.parametrize("band", profiles.STATISTIC_BANDS, ids=[band[0] for band in profiles.STATISTIC_BANDS])
def test_statistics_within_their_bands(generated, band):
    """Ramps of an aggregated farm, wind-PV complementarity, the seasonal shape and floor-price hours, each
    in the band SOURCES.md states; the committed files are the generator's (test above)."""
    name, _, low, high, _ = band
    assert low <= profiles.statistics(generated.tables)[name] <= high


def test_a_farm_is_smoother_than_one_of_its_turbine_groups(generated):
    weather = profiles.synthetic_weather()
    curve = profiles.turbine_power_curve()
    density = profiles.hub_air_density(weather["temperature_c"].to_numpy())
    scale = profiles.calibrate_wind(weather)[2]["speed_scale"]["wind_a"]
    group = profiles.wind_capacity_factor(scale * weather["wind_a/0"].to_numpy(), density, curve)
    farm = generated.tables["capacity_factors"]["wind_a"].to_numpy()
    assert np.diff(farm).std() < 0.8 * np.diff(group).std()


def test_committed_weather_years_match_the_generator(generated):
    """w01 as shipped is the generator's first member; the members vary from year to year like real years:
    annual wind yield by 4-10 % (1 sigma) around the reference year's, PV by less."""
    member = profiles.generate_profiles(profiles.DEFAULT_SEED + 1, generated.calibration)
    shipped = pd.read_parquet(TIMESERIES_DIR / "weather_years" / "w01" / "profiles.parquet")
    np.testing.assert_allclose(shipped["wind_a"].to_numpy(), member.tables["capacity_factors"]["wind_a"].to_numpy())
    np.testing.assert_allclose(shipped["export_price_cny_per_mwh"].to_numpy(),
                               member.tables["prices"]["export_price_cny_per_mwh"].to_numpy())
    assert "import_price_cny_per_mwh" not in shipped  # not weather-driven: the case's own column stays
    years = sorted((TIMESERIES_DIR / "weather_years").glob("w*/profiles.parquet"))
    assert len(years) == profiles.WEATHER_YEARS
    wind = np.array([pd.read_parquet(p)[["wind_a", "wind_b", "wind_c"]].mean(axis=1).sum() for p in years])
    pv = np.array([pd.read_parquet(p)["pv_utility"].sum() for p in years])
    assert 0.04 < wind.std() / wind.mean() < 0.10 and pv.std() / pv.mean() < wind.std() / wind.mean()
    assert abs(wind.mean() / 2400 - 1) < 0.05
