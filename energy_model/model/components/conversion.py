"""Conversion plants: one input flow turned into outputs at fixed ratios (electrolyser, synthesis, chlor-alkali,
carbide and glass furnaces).

    in[g,t] ≤ cap[g]                                                            [conversion_input_limit]
    flow to bus (node, c) = ratio[g,c]·in[g,t],  ratio = outputs[c] / input_share   (< 0: a further input)
                                                                                [balance]
    must-run (steady synthesis):   in[g,t] ≥ min_load[g]·cap[g]  (always-on floor)  [conversion_floor]
    committed (start_cost > 0):    min_load[g]·on[g,t] ≤ in[g,t] ≤ on[g,t] ≤ cap[g]
                                   [conversion_min_load, conversion_max_committed, conversion_committed_limit]
    start-ups:                     su[g,t] ≥ on[g,t] − on[g,t−1];  cost start_cost[g]·su[g,t]
                                   [conversion_startup_count, objective]
    ramp:                          |in[g,t] − in[g,t−1]| ≤ ramp_rate[g]·cap[g]·Δt
                                   [conversion_ramp_up, conversion_ramp_down]
    CO2:                           co2[g,t] = Σ_c co2_factor[c]·consumed[g,c]·in[g,t]   (fossil carriers c
                                   consumed: the input, and outputs of negative ratio), priced at the CO2
                                   price and counted in the CO2 cap and the fossil share   [objective]
    t−1 wraps around within each period (the horizon, or each representative day).

Committed capacity is continuous (the linearised commitment of thermal units): a plant that may stop
pays its start cost per MW brought back, which is what makes ``min_load`` bind. Plants that can never
run (inactive or of zero size) get no variables.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ...constants import ELECTRICITY
from ..builder import ModelBuilder, bus_name

KIND = "conversion"


def live(b: ModelBuilder, techs: list[str]) -> list[str]:
    """Plants that may run in the model year: active, with capacity or room to build it."""
    data = b.data
    return [g for g in techs if data.is_expandable(g) or data.fixed_capacity(g) > 0]


def add(b: ModelBuilder, techs: list[str]) -> None:
    data, m = b.data, b.m
    previous = data.previous.tolist()
    techs = live(b, techs)
    spec = data.technologies
    inflow = b.dispatch_var("conversion_input", techs, limit={g: np.ones(b.n) for g in techs})

    floored = [g for g in techs if spec[g].must_run and spec[g].min_load > 0]
    for g in (g for g in floored if not data.is_expandable(g)):  # a bound, not a row
        for t in m.T:
            inflow[g, t].setlb(spec[g].min_load * b.capacity(g))
    m.conversion_floor = pyo.Constraint(
        [g for g in floored if data.is_expandable(g)], m.T,
        rule=lambda _, g, t: inflow[g, t] >= spec[g].min_load * b.capacity(g))

    committed = [g for g in techs if spec[g].start_cost > 0 and not spec[g].must_run]
    on = b.dispatch_var("conversion_committed", committed, limit={g: np.ones(b.n) for g in committed})
    m.conversion_startup = pyo.Var(committed, m.T, within=pyo.NonNegativeReals)
    m.conversion_max_committed = pyo.Constraint(committed, m.T, rule=lambda _, g, t: inflow[g, t] <= on[g, t])
    m.conversion_min_load = pyo.Constraint(
        [g for g in committed if spec[g].min_load > 0], m.T,
        rule=lambda _, g, t: inflow[g, t] >= spec[g].min_load * on[g, t])
    m.conversion_startup_count = pyo.Constraint(
        committed, m.T, rule=lambda _, g, t: m.conversion_startup[g, t] >= on[g, t] - on[g, previous[t]])

    # a must-run plant moves within [min_load, 1]·cap: a ramp at least that wide can never bind
    ramping = [g for g in techs if spec[g].ramp_rate is not None
               and spec[g].ramp_rate < (1 - spec[g].min_load if spec[g].must_run else 1)]

    def ramp(direction):
        return lambda _, g, t: direction * (inflow[g, t] - inflow[g, previous[t]]) <= \
            spec[g].ramp_rate * float(data.durations[t]) * b.capacity(g)

    m.conversion_ramp_up = pyo.Constraint(ramping, m.T, rule=ramp(1))
    m.conversion_ramp_down = pyo.Constraint(ramping, m.T, rule=ramp(-1))

    for g in techs:
        tech = spec[g]
        b.add_flow(bus_name(tech.node, tech.input), g, inflow, -1.0)
        for carrier in tech.outputs:
            b.add_flow(bus_name(tech.node, carrier), g, inflow, tech.ratio(carrier))
        b.add_cost("variable_om", g, inflow, tech.vom)
        co2 = data.co2_per_unit(g)
        if co2 > 0:
            b.add_emission(g, inflow, co2)
            b.add_cost("co2", g, inflow, data.case.policy.co2_price * co2)
        if g in committed:
            b.add_cost("startup", g, m.conversion_startup, tech.start_cost)


def electricity_per_input(tech) -> float:
    """Electricity drawn per unit of input: the input itself if it is electricity, plus electricity taken
    as a further input (a negative output ratio), less any electricity produced."""
    return float(tech.input == ELECTRICITY) - tech.ratio(ELECTRICITY)


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    spec = b.data.technologies
    inflow = solution.by_tech(b.m.conversion_input, techs) if len(b.m.conversion_input) else np.zeros((len(techs), b.n))
    product = np.array([[spec[g].ratio(spec[g].product)] for g in techs])
    electricity = np.array([[electricity_per_input(spec[g])] for g in techs])
    input_unit = [b.data.rate_unit(spec[g].input) for g in techs]
    results = {
        "conversion_input": (inflow, input_unit),
        "product_output": (inflow * product, [b.data.rate_unit(spec[g].product) for g in techs]),
        "electricity_use": (inflow * electricity, "MW"),
    }
    if len(b.m.conversion_committed):
        results["conversion_committed"] = (solution.by_tech(b.m.conversion_committed, techs, fill=inflow), input_unit)
    return results
