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
    GRID_CONNECTION,
    MARKET,
    MWH_PER_GWH,
    NODE_MARK,
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

    generated = generation(ds)
    for g in generated.tech.values:
        rows.append((f"generation_{g}", float(generated.sel(tech=g)), "GWh"))
    rows += supply_rows(ds, generated, np.ones(ds.sizes["tech"], bool))
    if "curtailment_cause" in ds:
        by_cause = _weighted_sum(ds["curtailment_cause"].where(has_role(ds, RENEWABLE), 0)).sum("tech")
        for cause in ds["cause"].values:
            rows.append((f"curtailment_{cause}_gwh", float(by_cause.sel(cause=cause)) / MWH_PER_GWH, "GWh"))
    rows.append(("co2_mt", float(ds["co2"].sum()) / 1e6, "Mt"))

    markets = has_role(ds, MARKET) & (ds["tech_carrier"] == ELECTRICITY)
    export = float(_weighted_sum(ds["export"].where(markets, 0)).sum()) if "export" in ds else 0.0
    imports = float(_weighted_sum(ds["import"].where(markets, 0)).sum()) if "import" in ds else 0.0
    rows.append(("export_gwh", export / MWH_PER_GWH, "GWh"))
    if "export" in ds:
        for g in ds.tech.values[(markets & (ds["capacity"] > 0)).values]:  # a market of no capacity exports nothing
            rows.append((f"export_at_limit_hours_{g}", export_at_limit_hours(ds, str(g)), "h"))
    rows.append(("import_gwh", imports / MWH_PER_GWH, "GWh"))
    rows.append(("unserved_mwh", float(_weighted_sum(ds["unserved"]).sum()), "MWh"))
    rows.append(("mean_marginal_price", _mean_price(ds, ds["bus_carrier"] == ELECTRICITY), "CNY/MWh"))
    rows += node_rows(ds, generated)
    by_category = {str(c): float(ds["cost"].sel(cost_category=c).sum()) for c in ds.cost_category.values}
    revenue = -sum(by_category.get(c, 0.0) for c in REVENUES)
    rows.append(("gross_cost", sum(v for c, v in by_category.items() if c not in REVENUES), "CNY"))
    rows.append(("revenue", revenue, "CNY"))  # export and product sales; total_cost = gross_cost − revenue
    rows += [(f"cost_{category}", value, "CNY") for category, value in by_category.items()]
    rows += thermal_rows(ds)
    return pd.DataFrame(rows, columns=["kpi", "value", "unit"])


def generation(ds: xr.Dataset) -> xr.DataArray:
    """GWh of electricity each generator produced (a plant burning a fossil carrier, e.g. a gas engine, counts)."""
    elec_flow = ds["flow"].where(ds["bus_carrier"] == ELECTRICITY, 0).sum("bus")
    generators = has_role(ds, GENERATOR)
    if "tech_fossil" in ds.coords:
        generators = generators | (has_role(ds, PLANT) & ds["tech_fossil"])
    return _weighted_sum(elec_flow.clip(min=0)).where(generators, drop=True) / MWH_PER_GWH


def supply_rows(ds: xr.Dataset, generated: xr.DataArray, among: np.ndarray, suffix: str = ""
                ) -> list[tuple[str, float, str]]:
    """Curtailment, coal full-load hours and the non-fossil share of the technologies ``among`` (a mask along
    ``tech``), each row's name ending in ``suffix``."""
    among = xr.DataArray(among, coords={"tech": ds["tech"]})
    renewable = has_role(ds, RENEWABLE) & among
    curtailed = float(_weighted_sum(ds["curtailment"].where(renewable, 0)).sum()) if "curtailment" in ds else 0.0
    available = float(_weighted_sum(ds["available"].where(renewable, 0)).sum()) if "available" in ds else 0.0
    coal = has_role(ds, FUEL_FIRED) & (ds["tech_carrier"] == ELECTRICITY) & among
    if "tech_fuel" in ds.coords:
        coal = coal & (ds["tech_fuel"] == COAL)
    coal_gen = float(generated.sel(tech=ds.tech.values[coal.values]).sum()) * MWH_PER_GWH if coal.any() else 0.0
    coal_cap = float(ds["capacity"].where(coal, 0).sum())
    produced = generated.where(among.sel(tech=generated.tech), 0)
    green = float(produced.where(renewable.sel(tech=generated.tech), 0).sum())
    total = float(produced.sum())
    return [(f"curtailment_gwh{suffix}", curtailed / MWH_PER_GWH, "GWh"),
            (f"curtailment_rate{suffix}", curtailed / available if available else 0.0, "fraction"),
            (f"coal_full_load_hours{suffix}", coal_gen / coal_cap if coal_cap else 0.0, "h"),
            (f"non_fossil_share{suffix}", green / total if total else 0.0, "fraction")]


def node_rows(ds: xr.Dataset, generated: xr.DataArray) -> list[tuple[str, float, str]]:
    """The supply figures of each node that generates electricity, named ``<figure>@<node>``, when there is more
    than one (a base inside a province: the base's coal hours are not the province's), with the node's
    generation and its net electricity sent out through markets and links (negative: received)."""
    nodes = sorted(set(map(str, ds["tech_node"].sel(tech=generated.tech).values)))
    if len(nodes) < 2:
        return []
    trade = has_role(ds, *GRID_CONNECTION)
    rows: list[tuple[str, float, str]] = []
    for node in nodes:
        at_node, tag = ds["tech_node"] == node, f"{NODE_MARK}{node}"
        rows.append((f"generation_gwh{tag}", float(generated.where(at_node.sel(tech=generated.tech), 0).sum()), "GWh"))
        rows += supply_rows(ds, generated, at_node.values, tag)
        bus = f"{node}/{ELECTRICITY}"
        sent = -float(_weighted_sum(ds["flow"].sel(bus=bus).where(trade, 0)).sum()) if bus in ds["bus"] else 0.0
        rows.append((f"co2_mt{tag}", float(ds["co2"].where(at_node, 0).sum()) / 1e6, "Mt"))
        rows.append((f"net_export_gwh{tag}", sent / MWH_PER_GWH, "GWh"))
        rows.append((f"mean_marginal_price{tag}", _mean_price(ds, ds["bus"] == bus), "CNY/MWh"))
    return rows


def _mean_price(ds: xr.Dataset, buses: xr.DataArray) -> float:
    """Time-weighted mean of the marginal price over ``buses`` (averaged across them)."""
    price = ds["marginal_price"].where(buses, drop=True)
    return float((price * price["weight"]).sum("time").mean() / float(ds["weight"].sum())) if price.size else np.nan


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
