"""Why renewables were curtailed: the export limit, a direct-supply feed-in cap, or must-run units and low load.

The whole curtailment of a renewable in an hour goes to one cause, read off the state of the export paths out
of its node in that hour (the way Chinese curtailment statistics split 通道受限 from 调峰受限):

- ``grid``: an export path out of the node runs at its capacity: a market at its export limit, or a link at
  its limit in the direction leaving the node. More export capacity would have taken the surplus.
- ``feed_in_cap``: no path is full, but the node is a direct-supply project whose annual feed-in cap binds:
  the surplus could leave physically, the rules forbid it.
- ``local`` (must-run / low load): otherwise. The surplus has no use on the spot (low load, full stores,
  thermal units at their minimum loads) and cannot or should not leave: no connection, or an export price at
  or below zero. With spare export capacity and a positive price the model exports rather than curtails, so
  hours in this class show where the base's own flexibility, not the grid, is the limit.

The three add up to ``curtailment``. Only a node's own connections are read: curtailment at a node behind a
link whose far end is export-limited counts as ``local`` there. A connection of zero export capacity is
always full (a project that may not feed in curtails for the grid's sake).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .analysis import CURTAILMENT_CAUSES as CAUSES
from .analysis import RELATIVE_TOLERANCE, compliance_table
from .analysis import at_limit as _full
from .projects import project_node


def export_limited(ds: xr.Dataset, config) -> dict[tuple[str, str], np.ndarray]:
    """(node, carrier) -> hours in which an export path out of that node runs at its capacity."""
    full: dict[tuple[str, str], np.ndarray] = {}

    def mark(node: str, carrier: str, hours: np.ndarray):
        key = (node, carrier)
        full[key] = full.get(key, np.zeros(ds.sizes["time"], bool)) | hours

    for g, tech in config.technologies.items():
        capacity = float(ds["capacity"].sel(tech=g))
        if tech.kind == "market" and "export" in ds:
            mark(tech.node, tech.carrier, _full(ds["export"].sel(tech=g).values, capacity))
        elif tech.kind == "link" and "link_forward" in ds:
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


def attribute(ds: xr.Dataset, config) -> xr.Dataset:
    """Add ``curtailment_<cause>`` (tech × time, MW) for each cause to ``ds``."""
    if "curtailment" not in ds:
        return ds
    full = export_limited(ds, config)
    capped = capped_nodes(ds, config)
    parts = {cause: np.full(ds["curtailment"].shape, np.nan) for cause in CAUSES}
    for i, g in enumerate(ds["tech"].values):
        tech = config.technologies[str(g)]
        if tech.kind != "renewable":
            continue
        curtailed = ds["curtailment"].values[i]
        grid = full.get((tech.node, tech.carrier), np.zeros(len(curtailed), bool))
        cap = np.full(len(curtailed), tech.node in capped) & ~grid
        parts["grid"][i] = np.where(grid, curtailed, 0.0)
        parts["feed_in_cap"][i] = np.where(cap, curtailed, 0.0)
        parts["local"][i] = np.where(grid | cap, 0.0, curtailed)
    descriptions = {"grid": "curtailed while an export path of the node was at its limit",
                    "feed_in_cap": "curtailed because the direct-supply feed-in cap binds",
                    "local": "curtailed with export not limited: must-run units, low load, full stores"}
    return ds.assign({f"curtailment_{cause}": (("tech", "time"), parts[cause],
                                               {"units": "MW", "description": descriptions[cause]})
                      for cause in CAUSES})
