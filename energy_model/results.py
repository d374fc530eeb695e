"""Collect a solution into one xarray Dataset with named dims and units, and write it safely.

Written files: ``results.nc`` (the Dataset), tidy CSVs (``capacity.csv``, ``hourly_<var>.csv`` in long
form, ``costs.csv``), ``summary.csv``. A run folder is filled in a temporary sibling and renamed
into place at the end, so an interrupted run never leaves a half-written folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .components import FAMILIES
from .model import ModelBuilder
from .solve import Solution

COMPLETE_MARKER = "COMPLETE"


def capacities(b: ModelBuilder, solution: Solution) -> dict[str, float]:
    """Installed capacity of every technology in the solution (fixed part + optimal build)."""
    build = dict(zip(b.m.build.keys(), solution.value(b.m.build))) if len(b.m.build) else {}
    return {g: b.data.fixed_capacity(g) + build.get(g, 0.0) for g in b.data.technologies}


def to_dataset(b: ModelBuilder, solution: Solution, metadata: dict) -> xr.Dataset:
    data = b.data
    techs = list(data.technologies)
    buses = b.buses()
    n = b.n
    tech_index = {g: i for i, g in enumerate(techs)}
    bus_index = {bus: i for i, bus in enumerate(buses)}
    units = {c: ("MW" if spec.unit == "MWh" else "t/h") for c, spec in data.case.carriers.items()}

    flow = np.zeros((len(buses), len(techs), n))
    for term in b.flows:
        values = solution.by_tech(term.var, [term.tech])[0]
        flow[bus_index[term.bus], tech_index[term.tech]] += term.coef * values
    for bus, entries in b.fixed_flows.items():
        for tech, values in entries:
            flow[bus_index[bus], tech_index[tech]] += values

    unserved = np.zeros((len(buses), n))
    if b.unserved_buses:
        unserved[[bus_index[x] for x in b.unserved_buses]] = solution.value(b.m.unserved)
    price = solution.dual(b.m.balance) / data.weights[None, :]

    build = dict(zip(b.m.build.keys(), solution.value(b.m.build))) if len(b.m.build) else {}
    energy_build = dict(zip(b.m.build_energy.keys(), solution.value(b.m.build_energy))) \
        if hasattr(b.m, "build_energy") and len(b.m.build_energy) else {}
    energy_capacity = np.full(len(techs), np.nan)
    for g in data.of_kind("storage"):
        tech = data.technologies[g]
        if tech.duration is not None:
            energy_capacity[tech_index[g]] = tech.duration * solution.capacity(g)
        else:
            energy_capacity[tech_index[g]] = (tech.energy_capacity if data.is_active(g) else 0.0) + energy_build.get(g, 0.0)

    coords = {
        "time": data.time,
        "tech": techs,
        "bus": buses,
        "tech_kind": ("tech", [data.technologies[g].kind for g in techs]),
        "tech_node": ("tech", [data.technologies[g].node for g in techs]),
        "tech_carrier": ("tech", [_main_carrier(data.technologies[g]) for g in techs]),
        "tech_label_zh": ("tech", [data.technologies[g].label_zh for g in techs]),
        "bus_carrier": ("bus", [x.split("/", 1)[1] for x in buses]),
        "weight": ("time", data.weights),
    }
    ds = xr.Dataset(coords=coords)
    ds["weight"].attrs["units"] = "h"
    cap_units = [units.get(_main_carrier(data.technologies[g]), "MW") for g in techs]
    ds["capacity"] = ("tech", [solution.capacity(g) for g in techs], {"units": "MW (t/h for mass carriers)"})
    ds["capacity_unit"] = ("tech", cap_units)
    ds["capacity_new"] = ("tech", [build.get(g, 0.0 if data.is_expandable(g) or not data.is_active(g)
                                             else data.technologies[g].build_min) for g in techs],
                          {"units": "MW (t/h for mass carriers)", "description": "new capacity paying capex"})
    ds["energy_capacity"] = ("tech", energy_capacity, {"units": "MWh (t for mass carriers)"})
    ds["flow"] = (("bus", "tech", "time"), flow,
                  {"units": "MW (t/h for mass carriers)", "description": "into the bus (+) or out of it (-)"})
    ds["unserved"] = (("bus", "time"), unserved, {"units": "MW (t/h for mass carriers)"})
    ds["marginal_price"] = (("bus", "time"), price,
                            {"units": "CNY/MWh (CNY/t for mass carriers)", "description": "dual of the bus balance"})

    for kind, family in FAMILIES.items():
        family_techs = data.of_kind(kind)
        if not family_techs:
            continue
        for name, (values, unit) in family.extract(b, solution, family_techs).items():
            full = np.full((len(techs), n), np.nan)
            full[[tech_index[g] for g in family_techs]] = values
            ds[name] = (("tech", "time"), full, {"units": unit})

    categories = sorted({t.category for t in b.costs} | {c for c, _, _ in b.constant_costs})
    cost = np.zeros((len(categories), len(techs) + 1))
    cat_index = {c: i for i, c in enumerate(categories)}
    for term in b.costs:
        values = solution.value(term.var)
        if values.size == 0:
            continue
        if term.tech == "":
            cost[cat_index[term.category], -1] += float(np.sum(values * term.coef))
        elif term.var.dim() == 1:
            cost[cat_index[term.category], tech_index[term.tech]] += float(term.coef) * float(
                values[list(term.var.keys()).index(term.tech)])
        else:
            cost[cat_index[term.category], tech_index[term.tech]] += float(
                np.sum(solution.by_tech(term.var, [term.tech])[0] * term.coef))
    for category, tech, value in b.constant_costs:
        cost[cat_index[category], tech_index[tech]] += value
    ds = ds.assign_coords(cost_category=categories, cost_owner=techs + ["system"])
    ds["cost"] = (("cost_category", "cost_owner"), cost, {"units": "CNY", "description": "over the modelled horizon"})

    co2 = np.zeros(len(techs))
    for term in b.emissions:
        co2[tech_index[term.tech]] += float(np.sum(solution.by_tech(term.var, [term.tech])[0] * term.coef))
    ds["co2"] = ("tech", co2, {"units": "t"})
    ds.attrs.update({k: (str(v) if not isinstance(v, (int, float, str)) else v) for k, v in metadata.items()})
    ds.attrs["objective"] = solution.objective
    ds.attrs["solver_status"] = solution.status
    ds.attrs["year_fraction"] = data.year_fraction
    return ds


def _main_carrier(tech) -> str:
    return getattr(tech, "carrier", None) or getattr(tech, "input")


def write_run(out_dir: Path, ds: xr.Dataset, summary: pd.DataFrame, extra_writers=()) -> Path:
    """Write everything into a temporary folder next to ``out_dir``, then swap it into place."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        encoding = {name: {"compression": "gzip", "compression_opts": 4}
                    for name, var in ds.data_vars.items() if var.dtype.kind == "f" and var.ndim > 1}
        ds.to_netcdf(staging / "results.nc", engine="h5netcdf", encoding=encoding)
        write_tidy_csvs(ds, staging)
        summary.to_csv(staging / "summary.csv", index=False)
        for writer in extra_writers:
            writer(staging)
        (staging / COMPLETE_MARKER).write_text(f"inputs_hash={ds.attrs.get('inputs_hash', '')}\n")
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(out_dir, old)
            os.replace(staging, out_dir)
            shutil.rmtree(old)
        else:
            os.replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def write_tidy_csvs(ds: xr.Dataset, folder: Path) -> None:
    """Long-form CSVs that open in Excel: one row per (tech, time) with the non-zero values."""
    per_tech = [v for v in ds.data_vars if ds[v].dims == ("tech",)]
    ds[per_tech].to_dataframe().to_csv(folder / "technologies.csv")
    costs = ds["cost"].to_dataframe().reset_index()
    costs[costs["cost"] != 0].to_csv(folder / "costs.csv", index=False)
    flows = ds["flow"].to_series()
    flows[flows != 0].rename("flow_mw").to_csv(folder / "hourly_flow.csv")
    hourly = [v for v in ds.data_vars if ds[v].dims == ("tech", "time")]
    frame = ds[hourly].to_dataframe().dropna(how="all")
    frame.to_csv(folder / "hourly_technology.csv")
    ds[["marginal_price", "unserved"]].to_dataframe().to_csv(folder / "hourly_bus.csv")
