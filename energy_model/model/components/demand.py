"""Loads and product off-takes.

Fixed demand: an annual quantity spread over the hours by a shape that sums to one over a year.

    d[g,t] = annual[g] · shape[g,t]      (flat: annual / 8760)                   [balance]

Flexible demand: the optimiser chooses the hours. The hourly minimum is a fixed withdrawal (so the bus
may fall short of it at the value of lost load, like any fixed demand); above it a variable x[g,t]:

    d[g,t] = min_hourly[g] + x[g,t],     0 ≤ x[g,t] ≤ max_hourly[g] − min_hourly[g]   [demand_flexible]
    quantity to deliver:  Σ_t w_t·d[g,t] + short[g] = annual[g] · (share of the year modelled)
                          [demand_annual, demand_shortfall]
                          cost VOLL·short[g]   (an annual quantity that cannot be made is reported, not infeasible)
    sale price:           revenue Σ_t w_t·price[g,t]·d[g,t]  (a negative cost: takes as much as pays)
                          [objective]
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ...constants import HOURS_PER_YEAR
from ..builder import ModelBuilder, Term, bus_name

KIND = "demand"


def fixed_part(b: ModelBuilder, g: str) -> np.ndarray:
    """The withdrawal no decision changes: the whole profile of a fixed demand, the minimum of a flexible one."""
    data = b.data
    tech = data.technologies[g]
    if not data.is_active(g):
        return np.zeros(b.n)
    if tech.flexible:
        return np.full(b.n, tech.min_hourly)
    # a shape is the share of the year's quantity in each step; the flat default is per hour
    per_hour = data.profiles[tech.profile] / data.durations if tech.profile else np.full(b.n, 1.0 / HOURS_PER_YEAR)
    return tech.annual * per_hour


def add(b: ModelBuilder, techs: list[str]) -> None:
    data, m = b.data, b.m
    spec = data.technologies
    flexible = [g for g in techs if spec[g].flexible and data.is_active(g)]

    def bounds(_, g, t):
        top = spec[g].max_hourly
        return (0.0, None if top is None else top - spec[g].min_hourly)

    extra = m.demand_flexible = pyo.Var(flexible, m.T, within=pyo.NonNegativeReals, bounds=bounds)
    quantity = [g for g in flexible if spec[g].annual is not None]
    m.demand_shortfall = pyo.Var(quantity, within=pyo.NonNegativeReals)
    w = data.weights
    m.demand_annual = pyo.Constraint(quantity, rule=lambda _, g: pyo.quicksum(
        w[t] * extra[g, t] for t in m.T) + float(w.sum()) * spec[g].min_hourly + m.demand_shortfall[g]
        == spec[g].annual * data.year_fraction)
    for g in quantity:
        b.costs.append(Term("unserved", g, m.demand_shortfall, data.case.policy.voll))
    for g in techs:
        tech = spec[g]
        bus = bus_name(tech.node, tech.carrier)
        b.add_fixed_flow(bus, g, -fixed_part(b, g))
        if g in flexible:
            b.add_flow(bus, g, extra, -1.0)
        if g in flexible and tech.price is not None:
            price = data.series(tech.price)
            b.add_cost("product_revenue", g, extra, -price)
            b.add_constant_cost("product_revenue", g, -float(np.sum(w * price)) * tech.min_hourly)


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    demand = np.vstack([fixed_part(b, g) for g in techs])
    if len(b.m.demand_flexible):  # an empty variable has no dimension to lay out
        demand += solution.by_tech(b.m.demand_flexible, techs)
    return {"demand": (demand, [b.data.rate_unit(b.data.technologies[g].carrier) for g in techs])}
