"""System-wide policy constraints: a CO2 cap, a minimum non-fossil share, a maximum curtailment rate.

    Σ_t CO2[t] ≤ cap · (share of the year modelled)
    Σ_t w_t·Σ_renewable p ≥ share · Σ_t w_t·(Σ_renewable p + Σ_fossil thermal p + Σ_fossil conversion r_el·in)
    Σ_t w_t·Σ_renewable p ≥ (1 − max rate) · Σ_g cap[g]·Σ_t w_t·cf[g,t]
    min·f ≤ Σ_t w_t·Σ_{flows of the limit} ±flow[t] ≤ max·f     (policy_annual_limit[name, bound]; f: share of
                                                              the year; + into the carrier's buses for
                                                              production, − out of them for consumption)
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..constants import ELECTRICITY
from ..errors import InputError
from .builder import ModelBuilder
from .components.conversion import live


def add(b: ModelBuilder) -> None:
    m, data, policy = b.m, b.data, b.data.case.policy
    w = data.weights
    if policy.co2_cap is not None:
        m.policy_co2_cap = pyo.Constraint(expr=b.total_expr(b.emissions) <= policy.co2_cap * data.year_fraction)
    _add_annual_limits(b)

    renewables = data.modelled("renewable")
    if policy.min_non_fossil_share is None and policy.max_curtailment_rate is None:
        return
    green = pyo.quicksum((w[t] * m.renewable_output[g, t] for g in renewables for t in m.T)) \
        if renewables else 0.0
    if policy.min_non_fossil_share is not None:
        fossil_units = [g for g in data.modelled("thermal") if data.case.fuels[data.technologies[g].fuel].fossil
                        and data.technologies[g].carrier == "electricity"]  # heat-only boilers make no power
        fossil = pyo.quicksum((w[t] * m.thermal_output[g, t] for g in fossil_units for t in m.T))
        fossil += _fossil_conversion_power(b)
        share = policy.min_non_fossil_share
        m.policy_non_fossil_share = pyo.Constraint(expr=(1 - share) * green >= share * fossil)
    if policy.max_curtailment_rate is not None and renewables:
        available = pyo.quicksum(
            float(np.dot(w, data.profiles[data.technologies[g].profile])) * b.capacity(g) for g in renewables)
        m.policy_max_curtailment = pyo.Constraint(expr=green >= (1 - policy.max_curtailment_rate) * available)


def _fossil_conversion_power(b: ModelBuilder):
    """Electricity made by conversions that burn a fossil carrier (a gas engine written as a conversion)."""
    m, data, w = b.m, b.data, b.data.weights
    plants = [g for g in live(b, data.modelled("conversion"))
              if data.is_fossil(g) and data.technologies[g].ratio(ELECTRICITY) > 0]
    return pyo.quicksum((w[t] * data.technologies[g].ratio(ELECTRICITY) * m.conversion_input[g, t]
                         for g in plants for t in m.T))


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
