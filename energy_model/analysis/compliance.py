"""Compliance of direct-supply projects with the 2025 notice, evaluated from the results Dataset.

The totals A, G, E, I, O and the three ratios are those of :mod:`energy_model.model.direct_supply` (its
docstring states them), computed here from the solved flows, whether the rules were enforced or only reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..case.projects import connection_side
from ..constants import FUEL_FIRED, MARKET, RENEWABLE
from ..model.direct_supply import RULES, direct_supply_projects, limits
from .kpis import RELATIVE_TOLERANCE


def totals(ds: xr.Dataset, config, name: str) -> dict[str, float]:
    """A, G, E, I, O and the derived S and C of project ``name`` from a results Dataset [MWh]."""
    project, techs = config.case.projects[name], config.technologies
    w = ds["weight"]

    def energy(var: str, g: str) -> float:
        return float((ds[var].sel(tech=g) * w).sum()) if var in ds else 0.0

    renewables = [g for g in project.technologies if techs[g].has(RENEWABLE)]
    thermal = [g for g in project.technologies if techs[g].has(FUEL_FIRED)]
    available = sum(energy("available", g) for g in renewables)
    output = available - sum(energy("curtailment", g) for g in renewables)
    other = sum(float((ds["flow"].sel(tech=g).clip(min=0).sum("bus") * w).sum()) for g in thermal)
    c = project.connection
    kind, side = connection_side(project, techs)
    if kind == MARKET:
        feed_in, purchase = energy("export", c), np.nan_to_num(energy("import", c))
    else:
        forward, backward = energy("link_forward", c), np.nan_to_num(energy("link_backward", c))
        efficiency = techs[c].efficiency
        feed_in, purchase = (forward, efficiency * backward) if side > 0 else (backward, efficiency * forward)
    self_consumed = output - feed_in
    return {"available": available, "output": output, "feed_in": feed_in, "purchase": purchase, "other": other,
            "self_consumed": self_consumed, "consumption": output + other + purchase - feed_in}


def ratios(t: dict[str, float]) -> dict[str, float]:
    """The three ratios of the notice from the totals (NaN where the denominator is zero)."""
    def share(a, b):
        return a / b if b > 0 else np.nan
    return {"min_self_consumption": share(t["self_consumed"], t["available"]),
            "min_green_share": share(t["self_consumed"], t["consumption"]),
            "max_feed_in": share(t["feed_in"], t["available"])}


def compliance(ds: xr.Dataset, config) -> xr.Dataset:
    """Add ``compliance_value`` and ``compliance_limit`` (project × rule) to ``ds``; NaN where a rule is not set."""
    projects = direct_supply_projects(config.case)
    if not projects:
        return ds
    values = np.full((len(projects), len(RULES)), np.nan)
    bounds = np.full_like(values, np.nan)
    for i, (name, project) in enumerate(projects.items()):
        ratio = ratios(totals(ds, config, name))
        for rule, limit in limits(project.direct_supply, config.case.year).items():
            j = RULES.index(rule)
            values[i, j], bounds[i, j] = ratio[rule], limit
    coords = {"ds_project": list(projects), "ds_rule": list(RULES),
              "ds_rule_sense": ("ds_rule", [">=", ">=", "<="]),
              "ds_enforced": (("ds_project", "ds_rule"), [[p.direct_supply.enforced(rule) for rule in RULES]
                                                          for p in projects.values()])}
    return ds.assign(
        compliance_value=xr.DataArray(values, coords=coords, dims=("ds_project", "ds_rule"),
                                      attrs={"units": "fraction", "description": "ratio of the direct-supply notice"}),
        compliance_limit=xr.DataArray(bounds, coords=coords, dims=("ds_project", "ds_rule"),
                                      attrs={"units": "fraction", "description": "its limit (sense in ds_rule_sense)"}))


def compliance_table(ds: xr.Dataset) -> pd.DataFrame:
    """The direct-supply compliance table: one row per project and rule with value, sense, limit, whether it
    is met (to a relative 1e-6) and whether it was enforced."""
    rows = []
    if "compliance_value" not in ds:
        return pd.DataFrame(columns=["project", "rule", "value", "sense", "limit", "met", "enforced"])
    for project in ds["ds_project"].values:
        for rule, sense in zip(ds["ds_rule"].values, ds["ds_rule_sense"].values):
            limit = float(ds["compliance_limit"].sel(ds_project=project, ds_rule=rule))
            if np.isnan(limit):
                continue
            value = float(ds["compliance_value"].sel(ds_project=project, ds_rule=rule))
            slack = RELATIVE_TOLERANCE * max(abs(limit), 1.0)
            met = value >= limit - slack if sense == ">=" else value <= limit + slack
            enforced = ds["ds_enforced"].sel(ds_project=project)
            enforced = enforced.sel(ds_rule=rule) if "ds_rule" in enforced.dims else enforced  # older results
            rows.append((str(project), str(rule), value, str(sense), limit, bool(met), bool(enforced)))
    return pd.DataFrame(rows, columns=["project", "rule", "value", "sense", "limit", "met", "enforced"])
