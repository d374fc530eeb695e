"""Why renewables were curtailed: the export limit, a direct-supply feed-in cap, must-run units, or low load.

The whole curtailment of a renewable in an hour goes to one cause, read off the state of its node in that
hour (the way Chinese curtailment statistics split 通道受限 from 调峰受限), checked in this order:

- ``export_limit``: an export path out of the node runs at its capacity: a market at its export limit, or a
  link at its limit in the direction leaving the node. More export capacity would have taken the surplus.
  A connection of zero export capacity that imports is always full (a project that may not feed in curtails
  for it); one out of service (no capacity either way, e.g. a price-taker market a province node replaces) is
  no path.
- ``feed_in_cap``: no path is full, but the node is a direct-supply project whose annual feed-in cap binds:
  the surplus could leave physically, the rules forbid it.
- ``must_run``: export is not limited and a thermal unit at the node still runs: the units' minimum loads,
  commitment or ramps keep them on (in winter, the CHP units' heat duty).
- ``low_load``: none of these: no thermal unit runs, the stores are full, and the surplus has no use and no
  way out worth taking (no connection, or an export price at or below zero). With spare export capacity and a
  positive price the model exports rather than curtails, so the last two causes show where the base's own
  flexibility, not the grid, is the limit.

The causes add up to ``curtailment``; they are stored as ``curtailment_cause`` (cause × tech × time), which the
report and results.xlsx split monthly. Only a node's own connections are read: curtailment at a node behind a
link whose far end is export-limited counts as a local cause there.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..case.projects import project_node
from ..constants import ELECTRICITY, FUEL_FIRED, MARKET, RENEWABLE, TRANSFER
from .compliance import compliance_table
from .kpis import CURTAILMENT_CAUSES as CAUSES
from .kpis import RELATIVE_TOLERANCE
from .kpis import at_limit as _full


def export_limited(ds: xr.Dataset, config) -> dict[tuple[str, str], np.ndarray]:
    """(node, carrier) -> hours in which an export path out of that node runs at its capacity."""
    full: dict[tuple[str, str], np.ndarray] = {}

    def mark(node: str, carrier: str, hours: np.ndarray):
        key = (node, carrier)
        full[key] = full.get(key, np.zeros(ds.sizes["time"], bool)) | hours

    for g, tech in config.technologies.items():
        capacity = float(ds["capacity"].sel(tech=g))
        if capacity <= 0 and not (tech.has(MARKET) and tech.import_capacity):
            continue  # out of service: no path out of the node
        if tech.has(MARKET) and "export" in ds:
            mark(tech.node, tech.carrier, _full(ds["export"].sel(tech=g).values, capacity))
        elif tech.has(TRANSFER) and "link_forward" in ds:
            mark(tech.node, tech.carrier, _full(ds["link_forward"].sel(tech=g).values, capacity))
            if tech.bidirectional:
                mark(tech.to_node, tech.carrier, _full(np.nan_to_num(ds["link_backward"].sel(tech=g).values), capacity))
    return full


def capped_nodes(ds: xr.Dataset, config) -> set[str]:
    """Nodes of direct-supply projects whose enforced feed-in cap is met with equality."""
    table = compliance_table(ds)
    binding = table[(table["rule"] == "max_feed_in") & table["enforced"]
                    & (table["value"] >= table["limit"] - RELATIVE_TOLERANCE)]
    projects = config.case.projects
    return {project_node(projects[name], config.technologies) for name in binding["project"]}


def thermal_running(ds: xr.Dataset, config) -> dict[str, np.ndarray]:
    """node -> hours in which a thermal unit at that node produces electricity."""
    running: dict[str, np.ndarray] = {}
    for g, tech in config.technologies.items():
        if tech.has(FUEL_FIRED) and tech.carrier == ELECTRICITY:
            output = ds["flow"].sel(tech=g, bus=f"{tech.node}/{tech.carrier}").values
            on = output > RELATIVE_TOLERANCE * max(float(ds["capacity"].sel(tech=g)), 1.0)
            running[tech.node] = running.get(tech.node, np.zeros(len(on), bool)) | on
    return running


def attribute(ds: xr.Dataset, config) -> xr.Dataset:
    """Add ``curtailment_cause`` (cause × tech × time, MW; NaN for other technologies than renewables)."""
    if "curtailment" not in ds:
        return ds
    full, capped, running = export_limited(ds, config), capped_nodes(ds, config), thermal_running(ds, config)
    parts = np.full((len(CAUSES), *ds["curtailment"].shape), np.nan)
    hours = ds.sizes["time"]
    for i, g in enumerate(ds["tech"].values):
        tech = config.technologies[str(g)]
        if not tech.has(RENEWABLE):
            continue
        left = np.ones(hours, bool)
        for j, cause in enumerate(CAUSES):
            if cause == "export_limit":
                hit = full.get((tech.node, tech.carrier), np.zeros(hours, bool))
            elif cause == "feed_in_cap":
                hit = np.full(hours, tech.node in capped)
            elif cause == "must_run":
                hit = running.get(tech.node, np.zeros(hours, bool))
            else:
                hit = np.ones(hours, bool)
            parts[j, i] = np.where(hit & left, ds["curtailment"].values[i], 0.0)
            left &= ~hit
    return ds.assign(curtailment_cause=xr.DataArray(
        parts, coords={"cause": list(CAUSES), "tech": ds["tech"].values, "time": ds["time"].values},
        dims=("cause", "tech", "time"),
        attrs={"units": "MW", "description": "curtailment by cause: export limit, direct-supply feed-in cap, "
                                             "thermal must-run, low load (energy_model/curtailment.py)"}))
