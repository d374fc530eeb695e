"""Compliance of direct-supply projects with the 2025 notice, evaluated from the results Dataset.

The totals A, G, E, I, O and the three ratios are computed by the functions of
:mod:`energy_model.model.direct_supply` that build the constraints (its docstring states them), here on the
solved flows, whether the rules were enforced or only reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..constants import ELECTRICITY
from ..model import direct_supply
from ..model.direct_supply import RULES, direct_supply_projects, limits
from .kpis import RELATIVE_TOLERANCE


def totals(ds: xr.Dataset, config, name: str) -> dict[str, float]:
    """A, G, O, E, I, S and C of project ``name`` [MWh]: :func:`energy_model.model.direct_supply.totals`, the
    function that builds the constraints, evaluated on the solved flows. A connection's flow in the Dataset
    is its net flow at the node in each hour, as its meter reads it."""
    techs, w = config.technologies, ds["weight"]

    def weighted(values: xr.DataArray) -> float:
        return float(np.nansum((values * w).values))

    def output(g: str) -> float:
        buses = [b for b in map(str, ds["bus"].values) if b.endswith(f"/{ELECTRICITY}")]
        return weighted(ds["flow"].sel(tech=g, bus=buses).clip(min=0).sum("bus"))

    def exchange(c: str, bus: str) -> tuple[float, float]:
        if bus not in ds["bus"]:
            return 0.0, 0.0
        flow = ds["flow"].sel(tech=c, bus=bus)
        return weighted(-flow.clip(max=0)), weighted(flow.clip(min=0))

    def available(g: str) -> float:
        return weighted(ds["available"].sel(tech=g)) if "available" in ds else 0.0

    return direct_supply.totals(config.case.projects[name], techs, output, exchange, available)


def compliance(ds: xr.Dataset, config) -> xr.Dataset:
    """Add ``compliance_value`` and ``compliance_limit`` (project × rule) to ``ds``; NaN where a rule is not set."""
    projects = direct_supply_projects(config.case)
    if not projects:
        return ds
    values = np.full((len(projects), len(RULES)), np.nan)
    bounds = np.full_like(values, np.nan)
    for i, (name, project) in enumerate(projects.items()):
        t = totals(ds, config, name)
        for rule, limit in limits(project.direct_supply, config.case.year).items():
            j = RULES.index(rule)
            values[i, j], bounds[i, j] = direct_supply.ratio(rule, t), limit
    coords = {"ds_project": list(projects), "ds_rule": list(RULES),
              "ds_rule_sense": ("ds_rule", [direct_supply.RATIOS[rule][2] for rule in RULES]),
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
