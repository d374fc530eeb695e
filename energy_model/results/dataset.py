"""Collect a solution into one xarray Dataset with named dims and units, and write it safely.

Written files: ``results.nc`` (the Dataset in CF form, see :mod:`.netcdf`), tidy CSVs (``capacity.csv``, ``hourly_<var>.csv`` in long
form, ``costs.csv``), ``summary.csv``, ``run.json`` (status and metadata) and, last, the ``COMPLETE``
marker. A run folder is filled in a hidden staging sibling and renamed into place at the end
(:class:`RunFolder`), so a run that is interrupted or killed leaves the previous complete folder or
none, never a half-written one. A run without a solution leaves ``diagnosis.txt`` and ``run.json``
and no results.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..case.schema import kinds_with
from ..case.units import rate_unit
from ..constants import ELECTRICITY, NODE_MARK, STORE
from ..errors import InputError
from ..model.builder import ModelBuilder
from ..model.components import FAMILIES
from ..model.components.storage import ENERGY
from ..model.data import BUILD
from ..solve.highs import Solution
from .netcdf import set_units, to_cf

COMPLETE_MARKER = "COMPLETE"
RUN_FILE = "run.json"
DIAGNOSIS_FILE = "diagnosis.txt"
_STAGING = ".partial-"


def capacities(b: ModelBuilder, solution: Solution) -> dict[str, float]:
    """Installed capacity of every technology in the period of ``b``: existing + new capacity in service."""
    data = b.data
    return {g: (tech.capacity if data.is_active(g) else 0.0) + b.in_service_value(BUILD, g, solution)
            for g, tech in data.technologies.items()}


def built(b: ModelBuilder, solution: Solution) -> dict[str, float]:
    """New capacity built in the period of ``b`` (in service there and later, within its life)."""
    data, p = b.data, b.data.position
    values = dict(zip(b.m.build.keys(), solution.value(b.m.build))) if len(b.m.build) else {}
    result = {}
    for g in data.technologies:
        plan = data.plan(BUILD, g)
        result[g] = plan.fixed[p] if plan.fixed is not None else values.get(g, 0.0)
    return result


def to_dataset(b: ModelBuilder, solution: Solution, metadata: dict) -> xr.Dataset:
    data = b.data
    techs = list(data.technologies)
    buses = b.buses()
    n = b.n
    tech_index = {g: i for i, g in enumerate(techs)}
    bus_index = {bus: i for i, bus in enumerate(buses)}
    amount = {c: spec.unit for c, spec in data.case.carriers.items()}
    units = {c: rate_unit(unit) for c, unit in amount.items()}
    bus_amount = [amount[x.split("/", 1)[1]] for x in buses]
    stores = set(data.with_role(STORE))

    for kind, family in FAMILIES.items():  # a family's choice among equal optima, before any result is read
        if hasattr(family, "settle") and data.modelled(kind):
            family.settle(b, solution, data.modelled(kind))
    flow = np.zeros((len(buses), len(techs), n))
    for term in b.flows:
        values = solution.by_tech(term.var, [term.tech])[0]
        flow[bus_index[term.bus], tech_index[term.tech]] += term.coef * values
    for bus, entries in b.fixed_flows.items():
        for tech, values in entries:
            if bus in bus_index:  # else zero throughout
                flow[bus_index[bus], tech_index[tech]] += values

    unserved = np.zeros((len(buses), n))
    if b.unserved_buses:
        unserved[[bus_index[x] for x in b.unserved_buses]] = solution.value(b.m.unserved)
    price = solution.dual(b.m.balance) / (data.weights * data.objective_weight)[None, :]

    energy_capacity = np.full(len(techs), np.nan)
    for g in stores:
        tech = data.technologies[g]
        if tech.duration is not None:
            energy_capacity[tech_index[g]] = tech.duration * solution.capacity(g)
        else:
            energy_capacity[tech_index[g]] = (tech.energy_capacity if data.is_active(g) else 0.0) \
                + b.in_service_value(ENERGY, g, solution)

    coords = {
        "time": data.time,
        "tech": techs,
        "bus": buses,
        "tech_kind": ("tech", [data.technologies[g].kind for g in techs]),
        "tech_node": ("tech", [data.technologies[g].node for g in techs]),
        "tech_carrier": ("tech", [_main_carrier(data.technologies[g]) for g in techs]),
        "tech_fuel": ("tech", [getattr(data.technologies[g], "fuel", "") for g in techs]),
        "tech_fossil": ("tech", [data.is_fossil(g) for g in techs]),
        "tech_label_zh": ("tech", [data.technologies[g].label_zh for g in techs]),
        "tech_group": ("tech", [data.technologies[g].group or "" for g in techs]),
        "tech_color": ("tech", [data.technologies[g].color or "" for g in techs]),
        "bus_carrier": ("bus", [x.split("/", 1)[1] for x in buses]),
        "bus_unit": ("bus", bus_amount),
        "weight": ("time", data.weights),
    }
    ds = xr.Dataset(coords=coords)
    ds["weight"].attrs.update(units="h", long_name="hours each time step stands for")
    cap_units = [units.get(_main_carrier(data.technologies[g]), "MW") for g in techs]
    ds["capacity"] = ("tech", [solution.capacity(g) for g in techs], {"long_name": "installed capacity"})
    ds["capacity_unit"] = ("tech", cap_units, {"long_name": "unit of capacity (a flow of the main carrier)"})
    ds["capacity_new"] = ("tech", [b.in_service_value(BUILD, g, solution) for g in techs],
                          {"long_name": "new capacity in service", "description": "new capacity paying capex"})
    ds.attrs["binding_build_max"] = json.dumps(_binding_build_max(data, ds["capacity_new"].values, techs))
    ds.attrs["node_labels_zh"] = json.dumps({node: spec.label_zh for node, spec in data.case.nodes.items()},
                                            ensure_ascii=False)
    capacities_ = ["capacity", "capacity_new"]
    if data.in_pathway:
        built_now = built(b, solution)
        ds["capacity_built"] = ("tech", [built_now[g] for g in techs], {
            "long_name": "new capacity built", "description": "new capacity built in this investment period"})
        capacities_.append("capacity_built")
    for name in capacities_:
        ds = set_units(ds, name, cap_units, "capacity_unit")
    ds["energy_capacity"] = ("tech", energy_capacity, {"long_name": "energy capacity of a store"})
    ds = set_units(ds, "energy_capacity", [amount[data.technologies[g].carrier] if g in stores else "" for g in techs],
                   "energy_capacity_unit")
    ds["flow"] = (("bus", "tech", "time"), flow,
                  {"long_name": "flow into the bus", "description": "into the bus (+) or out of it (-)"})
    ds["unserved"] = (("bus", "time"), unserved, {"long_name": "demand not served"})
    ds["marginal_price"] = (("bus", "time"), price,
                            {"long_name": "marginal price", "description": "dual of the bus balance"})
    for name in ("flow", "unserved"):
        ds = set_units(ds, name, [rate_unit(u) for u in bus_amount], "bus_rate_unit")
    ds = set_units(ds, "marginal_price", [f"CNY/{u}" for u in bus_amount], "bus_price_unit")

    if data.representative is not None:
        ds = ds.assign_coords(day=data.representative.days)
        ds["representative_day"] = ("day", data.representative.sequence,
                                    {"description": "which representative day (0 = first in time) stands for the day"})
    for kind, family in FAMILIES.items():
        family_techs = data.modelled(kind)
        if not family_techs:
            continue
        for name, (values, unit, *dims) in family.extract(b, solution, family_techs).items():
            # a family result is hourly (tech, time), one number per technology (tech,), or names its dims;
            # its unit is one string, or one per technology where it follows the technology's carriers
            dims = dims[0] if dims else ("tech", "time")[: values.ndim]
            full = np.full((len(techs),) + values.shape[1:], np.nan)
            full[[tech_index[g] for g in family_techs]] = values
            full[[tech_index[g] for g in data.of_kind(kind) if g not in family_techs]] = 0.0  # not in service
            ds[name] = (dims, full, {"long_name": getattr(family, "LONG_NAMES", {}).get(name, name.replace("_", " "))})
            per_tech = dict(zip(family_techs, [unit] * len(family_techs) if isinstance(unit, str) else unit))
            ds = set_units(ds, name, [per_tech.get(g, "") for g in techs], f"{name}_unit")

    categories = sorted({t.category for t in b.costs} | {c for c, _, _ in b.constant_costs})
    cost = np.zeros((len(categories), len(techs) + 1))
    cat_index = {c: i for i, c in enumerate(categories)}
    for term in b.costs:
        values = solution.value(term.var)
        if values.size == 0:
            continue
        if term.tech == "":  # a system term on one bus (unserved, excess)
            cost[cat_index[term.category], -1] += float(np.sum(solution.by_tech(term.var, [term.bus])[0] * term.coef))
        elif term.var.dim() == 1:
            cost[cat_index[term.category], tech_index[term.tech]] += float(term.coef) * float(
                values[list(term.var.keys()).index(term.tech)])
        else:
            cost[cat_index[term.category], tech_index[term.tech]] += float(
                np.sum(solution.by_tech(term.var, [term.tech])[0] * term.coef))
    for category, tech, value in b.constant_costs:
        cost[cat_index[category], tech_index[tech]] += value
    ds = ds.assign_coords(cost_category=categories, cost_owner=techs + ["system"])
    ds["cost"] = (("cost_category", "cost_owner"), cost,
                  {"units": "CNY", "long_name": "cost by category and owner", "description": "over the modelled horizon"})

    co2 = np.zeros(len(techs))
    for term in b.emissions:
        co2[tech_index[term.tech]] += float(np.sum(solution.by_tech(term.var, [term.tech])[0] * term.coef))
    ds["co2"] = ("tech", co2, {"units": "t", "long_name": "CO2 emitted"})
    ds.attrs.update({k: (str(v) if not isinstance(v, (int, float, str)) else v) for k, v in metadata.items()})
    ds.attrs["objective"] = solution.objective
    ds.attrs["solver_status"] = solution.status
    ds.attrs["year_fraction"] = data.year_fraction
    return ds


def has_role(ds: xr.Dataset, *roles: str) -> xr.DataArray:
    """Along ``tech``: whether each technology plays any of ``roles`` (constants.GENERATOR, STORE, ...), as its
    family declares them (schema.kinds_with); code downstream asks this, never a kind."""
    return ds["tech_kind"].isin(kinds_with(*roles))


def carrier_units(ds: xr.Dataset) -> dict[str, str]:
    """Carrier → the unit its amounts are measured in (MWh, t): from the buses of the run, and for a carrier
    without a bus (or a Dataset without ``bus_unit``) from the capacity unit of a technology on it."""
    units = {str(c): ("t" if u == "t/h" else "MWh") for c, u in zip(ds["tech_carrier"].values,
                                                                    ds["capacity_unit"].values)} \
        if "capacity_unit" in ds else {}
    units[ELECTRICITY] = "MWh"
    if "bus_unit" in ds.coords:
        units.update(zip(map(str, ds["bus_carrier"].values), map(str, ds["bus_unit"].values)))
    return units


def _binding_build_max(data, new: np.ndarray, techs: list[str]) -> dict[str, float]:
    """Technologies the optimiser built up to their build_max (a bound that decides the result, so a user
    should know it holds), with that bound."""
    binding = {}
    for g, value in zip(techs, new):
        low, high = data.build_bounds(g)
        if data.is_expandable(g) and high > low and value >= high * (1 - 1e-6):
            binding[g] = float(high)
    return binding


def _main_carrier(tech) -> str:
    return getattr(tech, "carrier", None) or getattr(tech, "input")


class RunFolder:
    """An output folder filled in a hidden staging sibling and swapped into place by :meth:`commit`.

    The swap is two renames (``out_dir`` → ``.<name>.old``, staging → ``out_dir``), as a directory cannot
    be replaced in one step everywhere; a run killed between them leaves the old results in
    ``.<name>.old``, which the next run of the same folder puts back or removes. Staging folders of
    processes that no longer exist are removed too. Two runs must not write one folder at once.
    """

    def __init__(self, out_dir: str | Path, keep: tuple[Path, ...] = ()):
        self.out_dir = Path(out_dir) if Path(out_dir).name else Path(out_dir).resolve()  # "." has no name
        refuse_foreign(self.out_dir, keep)
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self._recover()
        prefix = f".{self.out_dir.name}{_STAGING}{os.getpid()}-"
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=self.out_dir.parent))
        self.committed = False

    def commit(self) -> Path:
        """Swap the staging folder into place; returns ``out_dir``."""
        old = self._old()
        if self.out_dir.exists():
            if old.exists():
                shutil.rmtree(old)
            os.replace(self.out_dir, old)
        os.replace(self.path, self.out_dir)
        self.committed = True
        shutil.rmtree(old, ignore_errors=True)
        return self.out_dir

    def discard(self) -> None:
        if not self.committed:
            shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> "RunFolder":
        return self

    def __exit__(self, *exc) -> None:
        self.discard()

    def _old(self) -> Path:
        return self.out_dir.with_name(f".{self.out_dir.name}.old")

    def _recover(self) -> None:
        """Undo what a killed run left: a half-done swap, staging folders of dead processes."""
        old = self._old()
        if old.exists():
            if self.out_dir.exists():
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(old, self.out_dir)
        for staging in self.out_dir.parent.glob(f".{self.out_dir.name}{_STAGING}*"):
            pid = staging.name[len(f".{self.out_dir.name}{_STAGING}"):].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(staging, ignore_errors=True)


def refuse_foreign(out_dir: Path, keep: tuple[Path, ...] = ()) -> None:
    """Refuse an output folder whose replacement would delete what this tool did not write: a file, a
    folder holding anything but an earlier run (its ``run.json``), or a folder holding one of ``keep``
    (the case folder)."""
    out_dir = Path(out_dir).resolve()
    for path in keep:
        path = Path(path).resolve()
        if path == out_dir or out_dir in path.parents:
            raise InputError([f"--out {out_dir}: it holds the case folder {path}; write results elsewhere"])
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise InputError([f"--out {out_dir}: a file of that name exists; choose a folder"])
    if any(out_dir.iterdir()) and not (out_dir / RUN_FILE).is_file():
        raise InputError([f"--out {out_dir}: the folder holds files that are not the results of a run of this "
                          "tool, and a run replaces its folder whole; choose a new or empty folder"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def write_run(out_dir: Path, ds: xr.Dataset, summary: pd.DataFrame, extra_writers=()) -> Path:
    """Write everything into a staging folder next to ``out_dir``, then swap it into place."""
    with RunFolder(out_dir) as folder:
        write_results(folder.path, ds, summary, extra_writers)
        return folder.commit()


def write_results(folder: Path, ds: xr.Dataset, summary: pd.DataFrame, extra_writers=(), hourly_csv: bool = False
                  ) -> None:
    """All result files of a solved run into ``folder``; the ``COMPLETE`` marker goes last."""
    cf = to_cf(ds)
    encoding = {name: {"compression": "gzip", "compression_opts": 4}
                for name, var in cf.data_vars.items() if var.dtype.kind == "f" and var.ndim > 1}
    cf.to_netcdf(folder / "results.nc", engine="h5netcdf", encoding=encoding)
    write_tidy_tables(ds, folder, hourly_csv)
    summary.to_csv(folder / "summary.csv", index=False)
    tidy_summary(summary, ds).to_csv(folder / "kpis.csv", index=False)
    for writer in extra_writers:
        writer(folder)
    write_run_file(folder, {**ds.attrs, "complete": True})
    (folder / COMPLETE_MARKER).write_text(f"inputs_hash={ds.attrs.get('inputs_hash', '')}\n")


def tidy_summary(summary: pd.DataFrame, ds: xr.Dataset) -> pd.DataFrame:
    """``kpis.csv``: summary.csv in tidy form for machines, one row per figure and what it is of: ``kpi, tech,
    carrier, project, node, period, value, unit`` (``capacity_wind_a`` → kpi capacity, tech wind_a;
    ``project.x.npv`` → kpi npv, project x; ``coal_full_load_hours@jilin`` → node jilin; a pathway's periods
    as rows)."""
    techs = sorted(map(str, ds["tech"].values), key=len, reverse=True)
    carriers = sorted(set(map(str, ds["bus_carrier"].values)), key=len, reverse=True)
    periods = [c for c in summary.columns if str(c).isdigit()]
    rows = []
    for _, row in summary.iterrows():
        kpi, tech, carrier, project, node = str(row["kpi"]), "", "", "", ""
        if NODE_MARK in kpi:  # a node's figure (analysis/kpis.node_rows)
            kpi, node = kpi.rsplit(NODE_MARK, 1)
        elif kpi.startswith("project.") and kpi.count(".") >= 2:
            project, kpi = kpi.removeprefix("project.").rsplit(".", 1)
        else:
            tech = next((g for g in techs if kpi.endswith(f"_{g}") and len(kpi) > len(g) + 1), "")
            carrier = "" if tech else next((c for c in carriers if kpi.endswith(f"_{c}")), "")
            kpi = kpi.removesuffix(f"_{tech or carrier}") if tech or carrier else kpi
        for period in periods or [""]:
            rows.append((kpi, tech, carrier, project, node, period, row[period] if period else row["value"],
                         row["unit"]))
    return pd.DataFrame(rows, columns=["kpi", "tech", "carrier", "project", "node", "period", "value", "unit"])


def write_failure(folder: Path, status: str, message: str, diagnosis: str, metadata: dict) -> None:
    """What a run without a solution leaves: ``diagnosis.txt`` and ``run.json``, no results, no marker."""
    text = f"status: {status}\n{message}\n"
    if diagnosis:
        text += f"\n{diagnosis}"
    (folder / DIAGNOSIS_FILE).write_text(text, encoding="utf-8")
    write_run_file(folder, {**metadata, "complete": False, "solver_status": status, "message": message})


def write_run_file(folder: Path, metadata: dict) -> None:
    (folder / RUN_FILE).write_text(json.dumps(_plain(metadata), indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")


def read_run_file(folder: Path) -> dict:
    """The status and metadata of a run folder; ``complete`` is True only with the marker present."""
    folder = Path(folder)
    metadata = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
    metadata["complete"] = bool(metadata.get("complete")) and (folder / COMPLETE_MARKER).exists()
    return metadata


def _plain(metadata: dict) -> dict:
    return {k: (v.item() if isinstance(v, np.generic) else v if isinstance(v, (int, float, str, bool)) else str(v))
            for k, v in metadata.items()}


def write_tidy_tables(ds: xr.Dataset, folder: Path, hourly_csv: bool = False) -> None:
    """Long-form tables: per technology and costs as CSV (they open in Excel); the hourly ones, one row per
    (tech, time) with the non-zero values, as Parquet (a year of them is about 100 MB of CSV and takes most
    of the writing time), and as CSV too with ``hourly_csv``. A pathway's per-technology figures and costs
    have one row per year and technology."""
    per_tech = [v for v in ds.data_vars if ds[v].dims in (("tech",), ("year", "tech"))]
    ds[per_tech].to_dataframe().to_csv(folder / "technologies.csv")
    costs = ds["cost"].to_dataframe().reset_index()
    costs[costs["cost"] != 0].to_csv(folder / "costs.csv", index=False)
    flows = ds["flow"].to_series()
    hourly = [v for v in ds.data_vars if ds[v].dims == ("tech", "time")]
    flows = flows[flows != 0].to_frame()
    rate = {"MWh": "MW", "t": "t/h"}  # a flow is a rate of the bus's carrier
    units = {str(b): rate.get(str(u), f"{u}/h") for b, u in zip(ds["bus"].values, ds["bus_unit"].values)}
    flows["unit"] = flows.index.get_level_values("bus").map(units)
    tables = {"hourly_flow": flows,
              "hourly_technology": ds[hourly].to_dataframe().dropna(how="all"),
              "hourly_bus": ds[["marginal_price", "unserved"]].to_dataframe()}
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet")
        if hourly_csv:
            frame.to_csv(folder / f"{name}.csv")
