"""Results of a pathway: the periods' Datasets as one, one period cut back out of it, the summary over years.

``results.nc`` of a pathway holds what a single-year run holds with the periods laid end to end: every
hourly variable along ``time`` (the periods' snapshots in order; the coordinate ``investment_period``
says whose each is; representative days likewise along ``day``), every other variable (capacities, new
capacity, costs, CO2, annual figures) with a leading ``year`` dimension, NaN where a period does not have
it (those periods listed in its ``absent_in_periods`` attribute). ``objective_weight`` (year) holds W_y
and ``period_cost`` (year) the undiscounted cost of each period's modelled horizon, so that the objective
(attrs) = Σ_y W_y · period_cost_y. :func:`view` cuts one period out in the shape of a single-year
Dataset, so every single-year analysis, table and chart works on it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

YEAR = "year"
TIME_PERIOD = "investment_period"  # coordinate along time: the investment period of each snapshot
DAY_PERIOD = "day_investment_period"  # along day (representative days): the period of each original day
ABSENT = "absent_in_periods"  # attribute of a variable some periods do not have (NaN there)


def is_pathway(ds: xr.Dataset) -> bool:
    return YEAR in ds.dims


def years(ds: xr.Dataset) -> list[int]:
    return [int(y) for y in ds[YEAR].values]


def combine(datasets: list[xr.Dataset], years_: list[int], weights: list[float], objective: float) -> xr.Dataset:
    """The periods' single-year Datasets (in order) as one pathway Dataset."""
    buses = list(dict.fromkeys(b for ds in datasets for b in ds["bus"].values))
    parts = []
    for ds, year in zip(datasets, years_):
        ds = _on_buses(ds, buses).assign_coords({TIME_PERIOD: ("time", np.full(ds.sizes["time"], year))})
        if "day" in ds.dims:
            ds = ds.assign_coords({DAY_PERIOD: ("day", np.full(ds.sizes["day"], year))})
        parts.append(ds)
    names = list(dict.fromkeys(v for ds in parts for v in ds.data_vars))
    along = {v: next(("time" if "time" in ds[v].dims else "day" if "day" in ds[v].dims else YEAR)
                     for ds in parts if v in ds) for v in names}
    pieces = []
    for dim in ("time", "day"):
        chosen = [v for v in names if along[v] == dim]
        if chosen:
            pieces.append(xr.concat([ds[[v for v in chosen if v in ds]] for ds in parts], dim=dim, coords="minimal",
                                    compat="override", join="outer"))
    static = [v for v in names if along[v] == YEAR]
    filled = [_with_all(ds, static, parts) for ds in parts]
    pieces.append(xr.concat(filled, dim=pd.Index(years_, name=YEAR), coords="minimal", compat="override",
                            join="outer", fill_value={"cost": 0.0}))
    combined = xr.merge(pieces, compat="override", join="outer", combine_attrs="override")
    combined = combined[names].assign_coords(bus_carrier=("bus", [b.split("/", 1)[1] for b in combined["bus"].values]))
    for v in names:
        absent = [year for ds, year in zip(parts, years_) if v not in ds]
        if absent:  # e.g. no store in service yet: no storage variables in that period
            combined[v].attrs[ABSENT] = absent
    combined.attrs = dict(datasets[-1].attrs)
    combined.attrs["objective"] = objective
    combined["objective_weight"] = (YEAR, np.asarray(weights, dtype=float), {
        "units": "discounted years", "description": "W_y: Σ of 1/(1+r)^(k - base_year) over the years the period "
                                                    "stands for; the objective weighs the period's costs by it"})
    combined["period_cost"] = (YEAR, [float(ds["cost"].sum()) for ds in datasets], {
        "units": "CNY", "description": "undiscounted cost of the period's modelled horizon (a year, or its share)"})
    return combined


def _on_buses(ds: xr.Dataset, buses: list[str]) -> xr.Dataset:
    """``ds`` on the union of the periods' buses: no flow where a period has no such bus, no price."""
    if list(ds["bus"].values) == buses:
        return ds
    fill = {v: (0.0 if v in ("flow", "unserved") else np.nan) for v in ds.data_vars if "bus" in ds[v].dims}
    return ds.drop_vars("bus_carrier").reindex(bus=buses, fill_value=fill)


def _with_all(ds: xr.Dataset, names: list[str], parts: list[xr.Dataset]) -> xr.Dataset:
    """``ds[names]``, a variable it lacks filled in from another period's shape: NaN, or '' for text."""
    ds = ds[[v for v in names if v in ds]]
    for v in names:
        if v not in ds:
            template = next(p[v] for p in parts if v in p)
            ds[v] = xr.full_like(template, "" if template.dtype.kind in "OUS" else np.nan,
                                 dtype=object if template.dtype.kind in "OUS" else float)
    return ds


def view(ds: xr.Dataset, year: int) -> xr.Dataset:
    """Period ``year`` of a pathway Dataset in the shape of a single-year Dataset; variables the period does
    not have are left out, and its ``objective`` is the period's own (undiscounted) cost."""
    part = ds.isel(time=ds[TIME_PERIOD].values == year)
    if "day" in part.dims:
        part = part.isel(day=part[DAY_PERIOD].values == year)
    part = part.sel({YEAR: year}, drop=True)
    part = part.drop_vars([v for v in part.data_vars if year in np.atleast_1d(part[v].attrs.get(ABSENT, []))])
    part.attrs = dict(ds.attrs, objective=float(part["period_cost"]), pathway_objective=float(ds.attrs["objective"]),
                      investment_period=year)
    return part


def final_view(ds: xr.Dataset) -> xr.Dataset:
    """The last period of a pathway (the plan year), or ``ds`` itself for a single-year run."""
    return view(ds, years(ds)[-1]) if is_pathway(ds) else ds


def summary(ds: xr.Dataset, per_year: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """``summary.csv`` of a pathway: ``kpi, value, unit`` and one column per period.

    The per-year columns hold each period's KPIs over its modelled horizon (``total_cost`` its undiscounted
    cost); ``value`` is the pathway's figure: the objective for ``total_cost`` and ``discounted_cost``,
    otherwise the last period's, so that a batch compares a pathway's plan year with single-year runs.
    """
    years_ = list(per_year)
    order = list(dict.fromkeys((k, u) for y in reversed(years_) for k, u in
                               per_year[y][["kpi", "unit"]].itertuples(index=False)))
    table = pd.DataFrame(order, columns=["kpi", "unit"])
    for year in years_:
        values = per_year[year].set_index(["kpi", "unit"])["value"]
        table[str(year)] = [values.get(key, np.nan) for key in order]
    weights = ds["objective_weight"].values
    costs = ds["period_cost"].values
    extra = pd.DataFrame([("discounted_cost", "CNY", *(weights * costs)),
                          ("objective_weight", "discounted years", *weights)],
                         columns=["kpi", "unit", *map(str, years_)])
    table = pd.concat([table.iloc[:1], extra, table.iloc[1:]], ignore_index=True)
    table.insert(1, "value", table[str(years_[-1])])
    objective = float(ds.attrs["objective"])
    table.loc[table["kpi"].isin(["total_cost", "discounted_cost"]), "value"] = objective
    table.loc[table["kpi"] == "objective_weight", "value"] = float(weights.sum())
    return table


def per_year(ds: xr.Dataset, make) -> pd.DataFrame:
    """``make(view)`` of every period, with a ``year`` column first."""
    frames = [make(view(ds, year)).assign(year=year) for year in years(ds)]
    frame = pd.concat(frames, ignore_index=True)
    return frame[["year", *[c for c in frame.columns if c != "year"]]]
