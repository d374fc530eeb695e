"""Tables of a run that both the report and results.xlsx show, computed from the results Dataset alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..analysis import calendar
from ..analysis.audit import REPORT
from ..analysis.compliance import compliance_table
from ..constants import ELECTRICITY, FUEL_FIRED, PLANT
from ..results.dataset import has_role
from .labels import convert, kpi_name, label, tech_names

# optional results variable: curtailment [MW] over a ``cause`` dimension and ``time`` (others are summed)
CURTAILMENT_CAUSE = "curtailment_cause"
# a unit counts as operating in an hour when it produces more than this share of its capacity
OPERATING_SHARE = 0.01


def electric_buses(data: xr.Dataset | xr.DataArray) -> list[str]:
    return [str(b) for b, c in zip(data["bus"].values, data["bus_carrier"].values) if c == ELECTRICITY]


def electric(da: xr.DataArray) -> xr.DataArray | None:
    """``da`` summed over the electricity buses, as analysis.summary does; None without any."""
    buses = electric_buses(da)
    return da.sel(bus=buses).sum("bus") if buses else None


def total(da: xr.DataArray) -> xr.DataArray:
    """Energy over the horizon: hourly values times the hours each snapshot stands for."""
    return (da * da["weight"]).sum("time")


def monthly_total(da: xr.DataArray, ds: xr.Dataset) -> xr.DataArray:
    """Energy (or mass) per calendar month of a rate from ``ds``, right on representative days too
    (:mod:`energy_model.analysis.calendar`); the time coordinate holds each month's first day."""
    return calendar.monthly_total(da, calendar.month_hours(ds))


def month_labels(da: xr.DataArray) -> list[str]:
    return [f"{t:%Y-%m}" for t in da["time"].to_index()]


def monthly_curtailment_by_cause(ds: xr.Dataset) -> xr.DataArray | None:
    """Curtailment per (cause, month) where the run splits it by cause; None otherwise."""
    if CURTAILMENT_CAUSE not in ds:
        return None
    cause = ds[CURTAILMENT_CAUSE]
    return monthly_total(cause.sum([d for d in cause.dims if d not in ("cause", "time")]), ds)


def thermal_operation(ds: xr.Dataset, power: xr.DataArray) -> pd.DataFrame:
    """Per thermal unit with capacity: full-load hours, operating hours (output above OPERATING_SHARE of
    capacity) and start-ups counted in whole units (MW started / capacity; NaN without commitment)."""
    units = list(map(str, ds["tech"].values[(has_role(ds, FUEL_FIRED) & (ds["capacity"] > 0)).values]))
    if not units:
        return pd.DataFrame(columns=["full_load_hours", "operating_hours", "starts"])
    capacity = ds["capacity"].sel(tech=units)
    output = power.sel(tech=units).clip(min=0)
    frame = pd.DataFrame({
        "full_load_hours": (total(output) / capacity).values,
        "operating_hours": total(output > OPERATING_SHARE * capacity).values,
        "starts": (total(ds["startup"].sel(tech=units)) / capacity).values if "startup" in ds else np.nan,
    }, index=units)
    if "startup" in ds:
        frame.loc[ds["startup"].sel(tech=units).isnull().all("time").values, "starts"] = np.nan
    return frame


def product_output(ds: xr.Dataset) -> xr.DataArray | None:
    """Monthly output of the conversion plants on every non-electricity bus, (bus, tech, month); None without."""
    plants = list(map(str, ds["tech"].values[has_role(ds, PLANT).values]))
    buses = [str(b) for b, c in zip(ds["bus"].values, ds["bus_carrier"].values) if c != ELECTRICITY]
    if not plants or not buses:
        return None
    output = monthly_total(ds["flow"].sel(bus=buses, tech=plants).clip(min=0), ds)
    produced = (output.sum("time") > 0).any("bus")
    if not produced.any():
        return None
    output = output.isel(tech=np.flatnonzero(produced.values))
    return output.isel(bus=np.flatnonzero((output.sum(["tech", "time"]) > 0).values))


def kpi_unit(kpi: str, unit: str, ds: xr.Dataset) -> str:
    """The summary's 'MWh or t' for a store, resolved from the store's own capacity unit."""
    tech = kpi.removeprefix("energy_capacity_")
    if unit == "MWh or t" and tech in ds["tech"].values:
        return "MWh" if ds["capacity_unit"].sel(tech=tech).item() == "MW" else "t"
    return unit


def localized_summary(summary: pd.DataFrame, ds: xr.Dataset, lang: str) -> pd.DataFrame:
    """The KPI table in display units, with readable names: (kpi id, name, value, unit)."""
    names = tech_names(ds, lang)
    rows = []
    for kpi, value, unit in summary[["kpi", "value", "unit"]].itertuples(index=False):
        shown, shown_unit = convert(float(value), kpi_unit(str(kpi), str(unit), ds), lang)
        rows.append((str(kpi), kpi_name(str(kpi), names, lang), shown, shown_unit))
    return pd.DataFrame(rows, columns=["kpi", "name", "value", "unit"])


def compliance_display(ds: xr.Dataset, config, lang: str) -> pd.DataFrame:
    """The compliance table for report.html and results.xlsx (``labels.localize_table`` shows it): one row
    per project and rule, the ratio and its limit as fractions, whether it is met, and how it was used."""
    rows = []
    for r in compliance_table(ds).itertuples(index=False):
        project = config.case.projects[r.project]
        use = label("rule.enforced" if r.enforced else "rule.reported", lang)
        rows.append((project.label_zh if lang == "zh" and project.label_zh else r.project,
                     label(f"rule.{r.rule}", lang), r.value, r.limit, "fraction", r.met,
                     f"{'≥' if r.sense == '>=' else '≤'} · {use}"))
    return pd.DataFrame(rows, columns=["project", "rule", "value", "limit", "unit", "passed", "note"])


def audit_display(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The audit for the report and results.xlsx (``labels.localize_table`` converts units and headers):
    the check in ``lang``, its source, scenario and plan values, and pass/fail or "no plan figure"."""
    frame = pd.DataFrame({
        "check": table["label_zh" if lang == "zh" else "label"],
        "source": table["source"],
        "scenario": table["scenario"].astype(float),
        "relation": table["relation"].where(table["relation"] != REPORT, ""),
        "plan": table["plan"].astype(float),
        "unit": table["unit"],
    })
    frame["passed"] = [label("audit.none", lang) if pd.isna(x) else bool(x) for x in table["passed"]]
    return frame
