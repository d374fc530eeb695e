"""Monthly figures on representative days are mapped back to the calendar (tsam's cluster order): no month
holds more than capacity × its hours, and the months add up to the year."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from energy_model.analysis.calendar import month_hours, monthly_total
from energy_model.runner import run

CASE = Path(__file__).resolve().parents[1] / "inputs" / "shuangliao"


@pytest.fixture(scope="module")
def twelve_days():
    return run(CASE, "base_2030", days=12, report=False, sizing_days=0)


def test_month_hours_add_up_to_the_weights_and_to_each_months_length(twelve_days):
    ds = twelve_days.dataset
    hours = month_hours(ds)
    assert hours.sum("month").values == pytest.approx(ds["weight"].values)
    days_in_month = pd.DatetimeIndex(hours["month"].values).days_in_month.to_numpy()
    assert hours.sum("time").values == pytest.approx(24.0 * days_in_month)  # every day of the year, once


def test_no_month_holds_more_than_capacity_times_its_hours(twelve_days):
    ds = twelve_days.dataset
    hours = month_hours(ds)
    power = ds["flow"].where(ds["bus_carrier"] == "electricity", 0).clip(min=0).sum("bus")
    energy = monthly_total(power, hours)  # MWh of electricity per tech and month
    capacity = ds["capacity"]
    month_length = hours.sum("time").rename(month="time")
    excess = (energy - capacity * month_length).where(ds["tech_kind"].isin(["thermal", "renewable"]))
    assert float(excess.max()) <= 1e-6 * float(capacity.max()) * 744
    yearly = (power * ds["weight"]).sum("time")
    assert energy.sum("time").values == pytest.approx(yearly.values, rel=1e-9, abs=1e-6)
    assert (energy.sum("tech") > 0).all()  # no month left blank


def test_an_hourly_run_keeps_each_hour_in_its_month():
    time = pd.date_range("2030-01-31 22:00", periods=4, freq="h")
    import xarray as xr
    ds = xr.Dataset(coords={"time": time, "weight": ("time", np.ones(4))})
    hours = month_hours(ds)
    assert hours.values.tolist() == [[1, 0], [1, 0], [0, 1], [0, 1]]
