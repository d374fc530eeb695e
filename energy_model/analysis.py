"""Key figures of a run, computed from the results Dataset alone (so they work on any results.nc)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

ELECTRICITY = "electricity"
MWH_PER_GWH = 1e3


def _weighted_sum(da: xr.DataArray) -> xr.DataArray:
    return (da * da["weight"]).sum("time")


def summary(ds: xr.Dataset) -> pd.DataFrame:
    """The KPI table: ``kpi, value, unit``."""
    rows: list[tuple[str, float, str]] = [("total_cost", float(ds.attrs["objective"]), "CNY")]
    kinds = ds["tech_kind"]
    for g in ds.tech.values:
        rows.append((f"capacity_{g}", float(ds["capacity"].sel(tech=g)), str(ds["capacity_unit"].sel(tech=g).item())))
    for g in ds.tech.values:
        if ds["tech_kind"].sel(tech=g) == "storage":
            rows.append((f"energy_capacity_{g}", float(ds["energy_capacity"].sel(tech=g)), "MWh or t"))

    elec = ds["bus_carrier"] == ELECTRICITY
    elec_flow = ds["flow"].where(elec, 0).sum("bus")
    generators = kinds.isin(["renewable", "thermal"])
    generation = _weighted_sum(elec_flow.clip(min=0)).where(generators, drop=True) / MWH_PER_GWH
    for g in generation.tech.values:
        rows.append((f"generation_{g}", float(generation.sel(tech=g)), "GWh"))

    renewable = kinds == "renewable"
    curtailed = float(_weighted_sum(ds["curtailment"].where(renewable, 0)).sum()) if "curtailment" in ds else 0.0
    available = float(_weighted_sum(ds["available"].where(renewable, 0)).sum()) if "available" in ds else 0.0
    rows.append(("curtailment_gwh", curtailed / MWH_PER_GWH, "GWh"))
    rows.append(("curtailment_rate", curtailed / available if available else 0.0, "fraction"))

    thermal = (kinds == "thermal").values
    thermal_gen = float(generation.sel(tech=ds.tech.values[thermal]).sum()) * MWH_PER_GWH if thermal.any() else 0.0
    thermal_cap = float(ds["capacity"].where(kinds == "thermal", 0).sum())
    rows.append(("coal_full_load_hours", thermal_gen / thermal_cap if thermal_cap else 0.0, "h"))
    rows.append(("co2_mt", float(ds["co2"].sum()) / 1e6, "Mt"))
    green = float(generation.where(generation.tech_kind == "renewable", 0).sum())
    total = float(generation.sum())
    rows.append(("non_fossil_share", green / total if total else 0.0, "fraction"))

    markets = (kinds == "market") & (ds["tech_carrier"] == ELECTRICITY)
    export = float(_weighted_sum(ds["export"].where(markets, 0)).sum()) if "export" in ds else 0.0
    imports = float(_weighted_sum(ds["import"].where(markets, 0)).sum()) if "import" in ds else 0.0
    rows.append(("export_gwh", export / MWH_PER_GWH, "GWh"))
    rows.append(("import_gwh", imports / MWH_PER_GWH, "GWh"))
    rows.append(("unserved_mwh", float(_weighted_sum(ds["unserved"]).sum()), "MWh"))
    price = ds["marginal_price"].where(elec, drop=True)
    mean_price = float((price * price["weight"]).sum("time").mean() / float(ds["weight"].sum())) if price.size else np.nan
    rows.append(("mean_marginal_price", mean_price, "CNY/MWh"))
    for category in ds.cost_category.values:
        rows.append((f"cost_{category}", float(ds["cost"].sel(cost_category=category).sum()), "CNY"))
    return pd.DataFrame(rows, columns=["kpi", "value", "unit"])
