"""Transfer of one carrier between two nodes with losses.

    fwd[g,t], bwd[g,t] ≤ cap[g];   from-bus: −fwd + η·bwd;   to-bus: η·fwd − bwd
                                             [link_forward_limit, link_backward_limit, balance]
"""

from __future__ import annotations

import numpy as np

from ..builder import ModelBuilder, bus_name

KIND = "link"


def add(b: ModelBuilder, techs: list[str]) -> None:
    data = b.data
    ones = {g: np.ones(b.n) for g in techs}
    forward = b.dispatch_var("link_forward", techs, limit=ones)
    reversible = [g for g in techs if data.technologies[g].bidirectional]
    backward = b.dispatch_var("link_backward", reversible, limit=ones)
    for g in techs:
        tech = data.technologies[g]
        origin, destination = bus_name(tech.node, tech.carrier), bus_name(tech.to_node, tech.carrier)
        b.add_flow(origin, g, forward, -1.0)
        b.add_flow(destination, g, forward, tech.efficiency)
        b.add_cost("variable_om", g, forward, tech.vom)
        if g in reversible:
            b.add_flow(destination, g, backward, -1.0)
            b.add_flow(origin, g, backward, tech.efficiency)
            b.add_cost("variable_om", g, backward, tech.vom)


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    return {
        "link_forward": (solution.value(b.m.link_forward), "MW"),
        "link_backward": (solution.by_tech(b.m.link_backward, techs), "MW"),
    }
