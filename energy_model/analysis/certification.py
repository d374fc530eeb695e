"""Green hydrogen you can certify: the share of the electrolysers' electricity matched by named renewable
assets under the case's rule, and the carbon intensity of the hydrogen they make.

With E[t] the electricity the electrolysers (conversions whose product is hydrogen, drawing electricity) use,
R[t] the output of the named renewable assets, both in MWh per snapshot (weight w_t), and P the periods of
the rule (each hour, each calendar month, or the whole horizon):

    matched = Σ_P min(Σ_{t∈P} w_t·E[t], Σ_{t∈P} w_t·R[t])            green share = matched / Σ_t w_t·E[t]
    CO2 = (Σ_t w_t·E[t] − matched) · grid_emission_factor            intensity = CO2 / electrolytic H2 [kg/kg]

Hydrogen made as a by-product (chlor-alkali) is never green and is reported on its own. The intensity is set
against T/CAB 0078-2020 (clean and renewable ≤ 4.9, low-carbon ≤ 14.51 kg CO2e/kg H2) and the EU RFNBO
threshold (≈ 3.38: a 70 % saving on 94 g CO2e/MJ × 120 MJ/kg); it counts the electricity's emissions only
(no other life-cycle terms). On representative days the months are mapped back to the calendar
(analysis/calendar.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..constants import PLANT
from ..model.certification import HYDROGEN, assets, electrolysers
from .calendar import month_hours

THRESHOLDS = {"eu_rfnbo": 3.38, "china_clean": 4.9, "china_low_carbon": 14.51}  # kg CO2e per kg H2


LONG_NAMES = {"h2_certified_green_share": "certified green share of electrolytic hydrogen",
              "h2_kg_co2_per_kg": "kg CO2 per kg of electrolytic hydrogen",
              "h2_electrolytic_t": "electrolytic hydrogen made", "h2_by_product_t": "by-product hydrogen made"}

def add_results(ds: xr.Dataset, config) -> xr.Dataset:
    """``ds`` with the scalars h2_certified_green_share, h2_kg_co2_per_kg, h2_electrolytic_t and h2_by_product_t
    (their attrs name the rule), where the case asks for certification."""
    spec, techs = config.case.certification, config.technologies
    plants = [g for g in electrolysers(techs) if g in ds["tech"].values]
    if spec is None or not plants or "electricity_use" not in ds:
        return ds
    matched_by = assets(techs, spec, plants)
    rate = ds["electricity_use"].sel(tech=plants).sum("tech")  # MW
    supply = (ds["available"] - ds["curtailment"]).sel(tech=matched_by).sum("tech") if matched_by else 0.0 * rate
    w = ds["weight"]
    if spec.rule == "monthly":  # the hours each snapshot stands for in each calendar month
        hours = month_hours(ds)
        used, produced = xr.dot(rate, hours, dim="time").values, xr.dot(supply, hours, dim="time").values
    else:  # each snapshot is an hour (on representative days, the same hour of N days)
        used, produced = (rate * w).values, (supply * w).values
        if spec.rule == "annual":
            used, produced = used.sum(keepdims=True), produced.sum(keepdims=True)
    matched = float(np.minimum(used, produced).sum())
    total = float(used.sum())
    made = float((ds["product_output"].sel(tech=plants).sum("tech") * w).sum())
    by_product = _by_product_hydrogen(ds, techs, plants)
    co2 = (total - matched) * spec.grid_emission_factor
    attrs = {"rule": spec.rule, "grid_emission_factor_t_per_mwh": spec.grid_emission_factor}
    values = {"h2_certified_green_share": (matched / total if total > 0 else np.nan, "fraction"),
              "h2_kg_co2_per_kg": (co2 / made if made > 0 else np.nan, "kg/kg"),
              "h2_electrolytic_t": (made, "t"), "h2_by_product_t": (by_product, "t")}
    for name, (value, unit) in values.items():
        ds[name] = xr.DataArray(value, attrs={"units": unit, "long_name": LONG_NAMES[name], **attrs})
    return ds


def _by_product_hydrogen(ds: xr.Dataset, techs: dict, plants: list[str]) -> float:
    """Hydrogen delivered into hydrogen buses by plants whose main product is something else."""
    others = [g for g in map(str, ds["tech"].values) if g not in plants and techs[g].has(PLANT)
              and techs[g].ratio(HYDROGEN) > 0]
    if not others:
        return 0.0
    hydrogen = ds["bus_carrier"] == HYDROGEN
    return float((ds["flow"].sel(tech=others).where(hydrogen, 0).clip(min=0).sum(("bus", "tech")) * ds["weight"]).sum())


def summary_rows(ds: xr.Dataset) -> pd.DataFrame:
    """KPI rows: certified green share (its rule in the unit), kg CO2 per kg H2, and the class it earns."""
    if "h2_certified_green_share" not in ds:
        return pd.DataFrame(columns=["kpi", "value", "unit"])
    rule = ds["h2_certified_green_share"].attrs["rule"]
    intensity = float(ds["h2_kg_co2_per_kg"])
    rows = [("h2_certified_green_share", float(ds["h2_certified_green_share"]), f"fraction ({rule} matching)"),
            ("h2_kg_co2_per_kg", intensity, "kg CO2/kg H2"),
            ("h2_electrolytic", float(ds["h2_electrolytic_t"]), "t"),
            ("h2_by_product", float(ds["h2_by_product_t"]), "t")]
    rows += [(f"h2_meets_{name}", float(intensity <= limit) if np.isfinite(intensity) else np.nan,
              f"1 = at most {limit} kg CO2/kg H2") for name, limit in THRESHOLDS.items()]
    return pd.DataFrame(rows, columns=["kpi", "value", "unit"])
