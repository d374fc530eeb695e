"""System-wide policy constraints: a CO2 cap, a minimum non-fossil share, a maximum curtailment rate.

    Σ_t CO2[t] ≤ cap · (share of the year modelled)
    Σ_t w_t·Σ_renewable p ≥ share · Σ_t w_t·(Σ_renewable p + Σ_fossil p)        (policy_non_fossil_share)
    Σ_t w_t·Σ_renewable p ≥ (1 − max rate) · Σ_g cap[g]·Σ_t w_t·cf[g,t]             (policy_max_curtailment)

p is the electricity a technology puts into the grid (ModelBuilder.flow_expr); fossil ones are the
fuel-fired units on a fossil fuel and the plants that burn a carrier with CO2 (a gas engine).
    min·f ≤ Σ_t w_t·Σ_{flows of the limit} ±flow[t] ≤ max·f     (policy_annual_limit[name, bound]; f: share of
                                                              the year; + into the carrier's buses for
                                                              production, − out of them for consumption)
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..constants import ELECTRICITY, FUEL_FIRED, PLANT, RENEWABLE
from ..errors import InputError
from .builder import ModelBuilder


def add(b: ModelBuilder) -> None:
    m, data, policy = b.m, b.data, b.data.case.policy
    w = data.weights
    if policy.co2_cap is not None:
        m.policy_co2_cap = pyo.Constraint(expr=b.total_expr(b.emissions) <= policy.co2_cap * data.year_fraction)
    _add_annual_limits(b)

    if policy.min_non_fossil_share is None and policy.max_curtailment_rate is None:
        return
    renewables = data.modelled_with(RENEWABLE)
    green = _generation(b, renewables)
    if policy.min_non_fossil_share is not None:
        # fuel-fired units and plants that burn a fossil carrier (a gas engine written as a conversion)
        fossil = _generation(b, [g for g in data.modelled_with(FUEL_FIRED, PLANT) if data.is_fossil(g)])
        share = policy.min_non_fossil_share
        m.policy_non_fossil_share = pyo.Constraint(expr=b.holds(
            (1 - share) * green >= share * fossil, "policy.min_non_fossil_share"))
    if policy.max_curtailment_rate is not None and renewables:
        available = pyo.quicksum(
            float(np.dot(w, data.profiles[data.technologies[g].profile])) * b.capacity(g) for g in renewables)
        m.policy_max_curtailment = pyo.Constraint(expr=green >= (1 - policy.max_curtailment_rate) * available)


def _generation(b: ModelBuilder, techs: list[str]):
    """Σ_t w_t · electricity the technologies put into the grid (a heat-only boiler puts none)."""
    return pyo.quicksum(b.weighted_flow(g, carrier=ELECTRICITY) for g in techs)


def _add_annual_limits(b: ModelBuilder) -> None:
    m, data, w = b.m, b.data, b.data.weights
    rows = {}
    for limit in data.case.policy.annual_limits:
        unknown = [f"technology {g}" for g in limit.techs if g not in data.technologies]
        if limit.carrier not in data.case.carriers:
            unknown.append(f"carrier {limit.carrier}")
        if limit.node is not None and limit.node not in data.case.nodes:
            unknown.append(f"node {limit.node}")
        if unknown:
            raise InputError([f"policy.annual_limits.{limit.name}: unknown {', '.join(unknown)}"])
        sign = 1.0 if limit.measure == "production" else -1.0

        def matches(bus: str, tech: str) -> bool:
            node, carrier = bus.split("/", 1)
            return carrier == limit.carrier and limit.node in (None, node) and (not limit.techs or tech in limit.techs)

        terms = [t for t in b.flows if matches(t.bus, t.tech) and sign * float(np.mean(t.coef)) > 0]
        amount = pyo.quicksum(float(w[t]) * sign * b.term_expr(term, t) for term in terms for t in m.T)
        fixed = sum(float(np.dot(w, np.clip(sign * values, 0, None))) for bus, entries in b.fixed_flows.items()
                    for tech, values in entries if matches(bus, tech))
        for bound, value in (("min", limit.min), ("max", limit.max)):
            if value is not None:
                target = value * data.year_fraction
                rows[limit.name, bound] = amount + fixed >= target if bound == "min" else amount + fixed <= target
    m.policy_annual_limit = pyo.Constraint(list(rows), rule=lambda _, name, bound: rows[name, bound])
