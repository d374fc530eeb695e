"""Conversion plants: one input flow turned into outputs at fixed ratios (electrolyser, synthesis, chlor-alkali).

    in[g,t] ≤ cap[g];   in[g,t] ≥ min_load[g]·cap[g]   (an always-on floor for plants that must run steadily)
    flow to bus (node, c) = ratio[g,c]·in[g,t]   (ratio < 0: a further input, e.g. CO2 into methanol)
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..model import ModelBuilder, bus_name

KIND = "conversion"


def add(b: ModelBuilder, techs: list[str]) -> None:
    data, m = b.data, b.m
    inflow = b.dispatch_var("conversion_input", techs, limit={g: np.ones(b.n) for g in techs})
    floored = [g for g in techs if data.technologies[g].min_load > 0]
    m.conversion_min_load = pyo.Constraint(
        floored, m.T, rule=lambda _, g, t: inflow[g, t] >= data.technologies[g].min_load * b.capacity(g))
    for g in techs:
        tech = data.technologies[g]
        b.add_flow(bus_name(tech.node, tech.input), g, inflow, -1.0)
        for carrier, ratio in tech.outputs.items():
            b.add_flow(bus_name(tech.node, carrier), g, inflow, ratio)
        b.add_cost("variable_om", g, inflow, tech.vom)


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    return {"conversion_input": (solution.value(b.m.conversion_input), "MW or t/h")}
