"""Snapshots mapped back to the calendar, so that monthly figures are right on representative days too.

On hourly runs snapshot t falls in one month and stands for w_t hours of it. On representative days it stands
for w_t = Δt·N_k hours spread over the N_k original days its representative day k represents (tsam's cluster
order, ``representative_day`` in the results), which fall in several months:

    hours[t, m] = Δt · #{days d in month m : k(d) = k(t)}        Σ_m hours[t, m] = w_t

Monthly energy is then Σ_t x[t]·hours[t, m]; summing the weights alone would put the whole year into the months
that hold a representative day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr


def month_hours(ds: xr.Dataset) -> xr.DataArray:
    """hours[t, m] as a (time, month) array; ``month`` holds each month's first day."""
    time = pd.DatetimeIndex(ds["time"].values)
    weight = ds["weight"].values.astype(float)
    if "representative_day" in ds and "day" in ds.dims:
        days = pd.DatetimeIndex(ds["day"].values)
        representative = ds["representative_day"].values.astype(int)
        first = days.to_period("M").to_timestamp()
        months = pd.DatetimeIndex(sorted(set(first)))
        count = np.zeros((int(representative.max()) + 1, len(months)))
        np.add.at(count, (representative, months.get_indexer(first)), 1.0)
        of_snapshot = _representative_of_snapshot(time, count.shape[0])
        duration = weight / count.sum(axis=1)[of_snapshot]
        values = duration[:, None] * count[of_snapshot]
    else:
        first = time.to_period("M").to_timestamp()
        months = pd.DatetimeIndex(sorted(set(first)))
        values = np.zeros((len(time), len(months)))
        values[np.arange(len(time)), months.get_indexer(first)] = weight
    return xr.DataArray(values, coords={"time": ds["time"].values, "month": months}, dims=("time", "month"))


def _representative_of_snapshot(time: pd.DatetimeIndex, n_representative: int) -> np.ndarray:
    """Representative days are numbered in time order (0 = first): a snapshot's is the rank of its date."""
    dates = time.normalize()
    order = pd.DatetimeIndex(sorted(set(dates)))
    if len(order) != n_representative:
        raise ValueError(f"{len(order)} representative dates in time, {n_representative} in representative_day")
    return order.get_indexer(dates)


def monthly_total(da: xr.DataArray, hours: xr.DataArray) -> xr.DataArray:
    """Energy (or mass) per calendar month of an hourly rate ``da``; the result's ``time`` holds each month's first
    day (``hours`` from :func:`month_hours` of the run's Dataset)."""
    da = da.drop_vars("weight", errors="ignore").fillna(0.0)  # as a sum that skips missing values
    return xr.dot(da, hours, dim="time").rename(month="time")  # a product over time, never (…, time, month)
