"""Key figures of a run, computed from the results Dataset alone (so they work on any results.nc)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..constants import (
    COAL,
    ELECTRICITY,
    FUEL_FIRED,
    GENERATOR,
    MARKET,
    MWH_PER_GWH,
    PLANT,
    RENEWABLE,
    STORE,
)
from ..results.dataset import carrier_units, has_role

CURTAILMENT_CAUSES = ("export_limit", "feed_in_cap", "must_run", "low_load")  # see curtailment.py
REVENUES = ("export_revenue", "product_revenue")  # cost categories that are income (negative costs)
RELATIVE_TOLERANCE = 1e-6  # a flow within this share of its capacity counts as at its limit


def _weighted_sum(da: xr.DataArray) -> xr.DataArray:
    return (da * da["weight"]).sum("time")


def at_limit(flow: np.ndarray, capacity: float) -> np.ndarray:
    """Hours a flow runs at its capacity (a zero capacity is always full: nothing more can pass)."""
    return flow >= capacity - RELATIVE_TOLERANCE * max(capacity, 1.0)


def export_at_limit_hours(ds: xr.Dataset, market: str) -> float:
    """Hours in which ``market`` (e.g. the 500 kV connection) exports at its capacity."""
    full = at_limit(ds["export"].sel(tech=market).values, float(ds["capacity"].sel(tech=market)))
    return float(np.dot(full, ds["weight"].values))


def summary(ds: xr.Dataset) -> pd.DataFrame:
    """The KPI table: ``kpi, value, unit``."""
    rows: list[tuple[str, float, str]] = [("total_cost", float(ds.attrs["objective"]), "CNY")]
    for g in ds.tech.values:
        rows.append((f"capacity_{g}", float(ds["capacity"].sel(tech=g)), str(ds["capacity_unit"].sel(tech=g).item())))
    amount = carrier_units(ds)
    for g in ds.tech.values[has_role(ds, STORE).values]:
        unit = amount.get(str(ds["tech_carrier"].sel(tech=g).item()), "MWh")
        rows.append((f"energy_capacity_{g}", float(ds["energy_capacity"].sel(tech=g)), unit))

    elec = ds["bus_carrier"] == ELECTRICITY
    elec_flow = ds["flow"].where(elec, 0).sum("bus")
    generators = has_role(ds, GENERATOR)
    if "tech_fossil" in ds.coords:  # a plant burning a fossil carrier generates too (a gas engine)
        generators = generators | (has_role(ds, PLANT) & ds["tech_fossil"])
    generation = _weighted_sum(elec_flow.clip(min=0)).where(generators, drop=True) / MWH_PER_GWH
    for g in generation.tech.values:
        rows.append((f"generation_{g}", float(generation.sel(tech=g)), "GWh"))

    renewable = has_role(ds, RENEWABLE)
    curtailed = float(_weighted_sum(ds["curtailment"].where(renewable, 0)).sum()) if "curtailment" in ds else 0.0
    available = float(_weighted_sum(ds["available"].where(renewable, 0)).sum()) if "available" in ds else 0.0
    rows.append(("curtailment_gwh", curtailed / MWH_PER_GWH, "GWh"))
    rows.append(("curtailment_rate", curtailed / available if available else 0.0, "fraction"))
    if "curtailment_cause" in ds:
        by_cause = _weighted_sum(ds["curtailment_cause"].where(renewable, 0)).sum("tech")
        for cause in ds["cause"].values:
            rows.append((f"curtailment_{cause}_gwh", float(by_cause.sel(cause=cause)) / MWH_PER_GWH, "GWh"))

    coal = has_role(ds, FUEL_FIRED) & (ds["tech_carrier"] == ELECTRICITY)
    if "tech_fuel" in ds.coords:
        coal = coal & (ds["tech_fuel"] == COAL)
    coal_gen = float(generation.sel(tech=ds.tech.values[coal.values]).sum()) * MWH_PER_GWH if coal.any() else 0.0
    coal_cap = float(ds["capacity"].where(coal, 0).sum())
    rows.append(("coal_full_load_hours", coal_gen / coal_cap if coal_cap else 0.0, "h"))
    rows.append(("co2_mt", float(ds["co2"].sum()) / 1e6, "Mt"))
    green = float(generation.where(renewable.sel(tech=generation.tech), 0).sum())
    total = float(generation.sum())
    rows.append(("non_fossil_share", green / total if total else 0.0, "fraction"))

    markets = has_role(ds, MARKET) & (ds["tech_carrier"] == ELECTRICITY)
    export = float(_weighted_sum(ds["export"].where(markets, 0)).sum()) if "export" in ds else 0.0
    imports = float(_weighted_sum(ds["import"].where(markets, 0)).sum()) if "import" in ds else 0.0
    rows.append(("export_gwh", export / MWH_PER_GWH, "GWh"))
    if "export" in ds:
        for g in ds.tech.values[markets.values]:
            rows.append((f"export_at_limit_hours_{g}", export_at_limit_hours(ds, str(g)), "h"))
    rows.append(("import_gwh", imports / MWH_PER_GWH, "GWh"))
    rows.append(("unserved_mwh", float(_weighted_sum(ds["unserved"]).sum()), "MWh"))
    price = ds["marginal_price"].where(elec, drop=True)
    mean_price = float((price * price["weight"]).sum("time").mean() / float(ds["weight"].sum())) if price.size else np.nan
    rows.append(("mean_marginal_price", mean_price, "CNY/MWh"))
    by_category = {str(c): float(ds["cost"].sel(cost_category=c).sum()) for c in ds.cost_category.values}
    revenue = -sum(by_category.get(c, 0.0) for c in REVENUES)
    rows.append(("gross_cost", sum(v for c, v in by_category.items() if c not in REVENUES), "CNY"))
    rows.append(("revenue", revenue, "CNY"))  # export and product sales; total_cost = gross_cost − revenue
    rows += [(f"cost_{category}", value, "CNY") for category, value in by_category.items()]
    rows += thermal_rows(ds)
    return pd.DataFrame(rows, columns=["kpi", "value", "unit"])


def thermal_rows(ds: xr.Dataset) -> list[tuple[str, float, str]]:
    """Per-unit operation of thermal units (full-load hours on the main output, starts, heat, fuel, CO2,
    retrofit) and the fuel burnt per fuel (coal counted in t of standard coal, as its heat rate is)."""
    if "fuel_use" not in ds:
        return []
    rows: list[tuple[str, float, str]] = []
    units = ds.tech.values[(has_role(ds, FUEL_FIRED) & (ds["capacity"] > 0)).values]
    for g in units:
        capacity = float(ds["capacity"].sel(tech=g))
        main = ds["flow"].sel(tech=g).where(ds["bus_carrier"] == ds["tech_carrier"].sel(tech=g), 0).sum("bus")
        rows.append((f"full_load_hours_{g}", float(_weighted_sum(main.clip(min=0))) / capacity, "h"))
        if "startup" in ds:
            rows.append((f"starts_{g}", float(_weighted_sum(ds["startup"].sel(tech=g))) / capacity, "starts"))
        heat = float(_weighted_sum(ds["heat_output"].sel(tech=g).fillna(0))) if "heat_output" in ds else 0.0
        if heat > 0:
            rows.append((f"heat_output_{g}", heat / MWH_PER_GWH, "GWh"))
        rows.append((f"fuel_use_{g}", float(_weighted_sum(ds["fuel_use"].sel(tech=g))), "t"))
        rows.append((f"co2_{g}", float(ds["co2"].sel(tech=g)), "t"))
        if "retrofit_capacity" in ds and float(ds["retrofit_capacity"].sel(tech=g)) > 0:
            rows.append((f"retrofit_{g}", float(ds["retrofit_capacity"].sel(tech=g)), "MW"))
    if "tech_fuel" in ds.coords:
        for fuel in sorted({str(ds["tech_fuel"].sel(tech=g).item()) for g in units}):
            burnt = sum(float(_weighted_sum(ds["fuel_use"].sel(tech=g))) for g in units
                        if ds["tech_fuel"].sel(tech=g) == fuel)
            rows.append((f"fuel_{fuel}", burnt, "t"))
    return rows
