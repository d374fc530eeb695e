"""Dispatchable fuel-fired units with a linearised commitment (committed capacity as a variable).

    p[g,t] ≤ on[g,t] ≤ cap[g]                      min_load[g]·on[g,t] ≤ p[g,t]
    su[g,t] ≥ on[g,t] − on[g,t−1]                  (cyclic over the horizon; start cost per MW started)
    |p[g,t] − p[g,t−1]| ≤ ramp[g]·cap[g]
    fuel[g,t] = heat_rate[g]·p[g,t];  CO2 = co2_factor(fuel)·fuel;  cost = (fuel price + CO2 price)·fuel

Units without a minimum load or start cost get no commitment variables (``on`` would equal ``p``).
Committed capacity as a continuous variable is the relaxation GenX and PyPSA use for expansion runs.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..model import ModelBuilder, bus_name

KIND = "thermal"


def add(b: ModelBuilder, techs: list[str]) -> None:
    data, m = b.data, b.m
    ones = {g: [1.0] * b.n for g in techs}
    output = b.dispatch_var("thermal_output", techs, limit=ones)
    committed = [g for g in techs if data.technologies[g].min_load > 0 or data.technologies[g].start_cost > 0]
    if committed:
        on = b.dispatch_var("thermal_committed", committed, limit=ones)
        m.thermal_startup = pyo.Var(committed, m.T, within=pyo.NonNegativeReals)
        m.thermal_max_committed = pyo.Constraint(committed, m.T, rule=lambda _, g, t: output[g, t] <= on[g, t])
        m.thermal_min_load = pyo.Constraint(
            [g for g in committed if data.technologies[g].min_load > 0], m.T,
            rule=lambda _, g, t: output[g, t] >= data.technologies[g].min_load * on[g, t])
        m.thermal_startup_count = pyo.Constraint(
            committed, m.T, rule=lambda _, g, t: m.thermal_startup[g, t] >= on[g, t] - on[g, t - 1 if t else b.n - 1])
    ramping = [g for g in techs if data.technologies[g].ramp_rate is not None and data.technologies[g].ramp_rate < 1]
    if ramping:
        def ramp_limit(direction):
            def rule(_, g, t):
                change = output[g, t] - output[g, t - 1 if t else b.n - 1]
                return direction * change <= data.technologies[g].ramp_rate * b.capacity(g)
            return rule
        m.thermal_ramp_up = pyo.Constraint(ramping, m.T, rule=ramp_limit(1))
        m.thermal_ramp_down = pyo.Constraint(ramping, m.T, rule=ramp_limit(-1))

    policy = data.case.policy
    for g in techs:
        tech = data.technologies[g]
        fuel = data.case.fuels[tech.fuel]
        b.add_flow(bus_name(tech.node, tech.carrier), g, output)
        b.add_cost("fuel", g, output, fuel.price * tech.heat_rate)
        b.add_cost("co2", g, output, policy.co2_price * fuel.co2_factor * tech.heat_rate)
        b.add_cost("variable_om", g, output, tech.vom)
        b.add_emission(g, output, fuel.co2_factor * tech.heat_rate)
        if g in committed:
            b.add_cost("startup", g, m.thermal_startup, tech.start_cost)


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    data = b.data
    output = solution.value(b.m.thermal_output)
    heat_rate = np.array([[data.technologies[g].heat_rate] for g in techs])
    results = {"fuel_use": (output * heat_rate, "t/h")}
    if hasattr(b.m, "thermal_committed"):
        # a unit without commitment variables is committed exactly as far as it runs
        committed = solution.by_tech(b.m.thermal_committed, techs, fill=output)
        results["committed_capacity"] = (committed, "MW")
        results["startup"] = (solution.by_tech(b.m.thermal_startup, techs), "MW")
    return results
