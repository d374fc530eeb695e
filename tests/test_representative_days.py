"""Representative days: profiles keep their annual energy, periods wrap per day, storage links days."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from micro import seasonal_store_case, write_case

from energy_model.case.config import load_case
from energy_model.errors import InputError
from energy_model.model.data import build_data
from energy_model.runner import run, set_horizon

HOURS_PER_YEAR = 8760
ANNUAL_ENERGY_TOLERANCE = 1e-6  # relative: tsam rescales each representative profile to the annual mean


def test_twelve_days_keep_annual_energy_of_every_profile_of_the_default_case():
    config = load_case("inputs/shuangliao", "base_2030")
    set_horizon(config, days=12)
    data = build_data(config)
    assert len(data.time) == 12 * 24 and data.weights.sum() == pytest.approx(HOURS_PER_YEAR)
    assert len(data.representative.sequence) == 365 and set(data.representative.sequence) == set(range(12))
    for column, values in data.profiles.items():
        original = config.timeseries[column].sum()
        assert np.dot(values, data.weights) == pytest.approx(original, rel=ANNUAL_ENERGY_TOLERANCE), column
    wind = data.profiles["wind_a"]
    assert wind.max() <= config.timeseries["wind_a"].max() + 1e-9  # still a capacity factor


def test_previous_snapshot_wraps_within_each_representative_day():
    config = load_case("inputs/shuangliao", "base_2030")
    set_horizon(config, hours=24 * 28, days=5)
    data = build_data(config)
    previous = data.previous
    first_hours = np.arange(0, len(data.time), 24)
    np.testing.assert_array_equal(previous[first_hours], first_hours + 23)
    others = np.setdiff1d(np.arange(len(data.time)), first_hours)
    np.testing.assert_array_equal(previous[others], others - 1)
    assert data.shift(3)[first_hours[1] + 1] == first_hours[1] + 22


def test_a_seasonal_store_carries_energy_from_one_representative_day_to_another(tmp_path):
    case = seasonal_store_case(tmp_path / "c")
    full = run(case, out_dir=tmp_path / "full", report=False)
    days = run(case, out_dir=tmp_path / "days", report=False, days=2, reference=tmp_path / "full")
    for result in (full, days):
        assert result.dataset.attrs["objective"] == pytest.approx(48_000)
        assert result.dataset["energy_capacity"].sel(tech="store").item() == pytest.approx(480)
    ds = days.dataset
    assert ds.attrs["representative_days"] == 2 and ds.sizes["time"] == 48
    np.testing.assert_array_equal(ds["representative_day"].values, [0, 0, 1, 1])
    np.testing.assert_allclose(ds["storage_day_start_level"].sel(tech="store").values, [0, 240, 480, 240], atol=1e-6)
    np.testing.assert_allclose(ds["weight"].values, 2.0)
    kpis = days.tables["accuracy_kpis"].set_index("kpi")
    assert kpis.loc["total_cost", "relative_difference"] == pytest.approx(0, abs=1e-9)
    assert (tmp_path / "days" / "accuracy_kpis.csv").exists() and (tmp_path / "days" / "accuracy_profiles.csv").exists()


def test_representative_days_need_whole_days_and_fewer_days_than_the_horizon(tmp_path):
    case = seasonal_store_case(tmp_path / "c")
    with pytest.raises(InputError, match="multiple of 24"):
        run(case, report=False, hours=30, days=1)
    with pytest.raises(InputError, match="exceeds the 4 days"):
        run(case, report=False, days=5)


def test_representative_days_of_a_horizon_where_nothing_varies_are_refused_plainly(tmp_path):
    case = write_case(tmp_path / "c", {"load": {"kind": "demand", "annual": 10 * HOURS_PER_YEAR}},
                      series={"flat": [1.0] * 48})
    with pytest.raises(InputError, match="no timeseries column varies"):
        run(case, report=False, days=1)


def test_reference_must_be_a_full_year_run_of_the_same_inputs(tmp_path):
    case = seasonal_store_case(tmp_path / "c")
    run(case, out_dir=tmp_path / "days", report=False, days=2)
    with pytest.raises(InputError, match="representative days itself"):
        run(case, report=False, days=2, reference=tmp_path / "days")
    frame = pd.read_csv(case / "timeseries" / "series.csv")
    frame["wind"] = frame["wind"][::-1].to_numpy()
    frame.to_csv(case / "timeseries" / "series.csv", index=False)
    with pytest.raises(InputError, match="other inputs"):
        run(case, report=False, days=2, reference=tmp_path / "days")


def test_extreme_days_must_name_timeseries_columns(tmp_path):
    case = write_case(tmp_path / "c", {"load": {"kind": "demand", "annual": 10 * HOURS_PER_YEAR}},
                      series={"wind": [1.0] * 48 + [0.0] * 48},
                      time={"start": "2030-01-01 00:00", "hours": 96,
                            "representative_days": {"days": 3, "extremes": {"max_value": ["wnd"]}}})
    with pytest.raises(InputError, match=r"unknown timeseries columns \['wnd'\]"):
        run(case, report=False)


def test_solves_with_different_thread_counts_in_one_process(tmp_path):
    # HiGHS sizes its thread pool at the first solve; the second would end 'Not Set' without a reset
    case = seasonal_store_case(tmp_path / "c")
    for threads in (2, 1):
        assert run(case, report=False, days=2, solver_overrides={"threads": threads}).dataset.attrs[
            "objective"] == pytest.approx(48_000)
