"""Variable renewables (wind, PV): output ≤ capacity × capacity factor; the remainder is curtailment.

    0 ≤ p[g,t] ≤ cf[g,t] · cap[g]          curtailment[g,t] = cf[g,t]·cap[g] − p[g,t]
"""

from __future__ import annotations

import numpy as np

from ..builder import ModelBuilder, bus_name

KIND = "renewable"


def add(b: ModelBuilder, techs: list[str]) -> None:
    data = b.data
    cf = {g: data.profiles[data.technologies[g].profile] for g in techs}
    output = b.dispatch_var("renewable_output", techs, limit=cf)
    for g in techs:
        tech = data.technologies[g]
        b.add_flow(bus_name(tech.node, tech.carrier), g, output)
        b.add_cost("variable_om", g, output, tech.vom)


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    data = b.data
    output = solution.value(b.m.renewable_output)
    capacity = np.array([solution.capacity(g) for g in techs])
    cf = np.vstack([data.profiles[data.technologies[g].profile] for g in techs])
    available = cf * capacity[:, None]
    return {
        "available": (available, "MW"),
        "curtailment": (np.maximum(available - output, 0.0), "MW"),
    }
