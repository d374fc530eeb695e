"""System-wide policy constraints: a CO2 cap, a minimum non-fossil share, a maximum curtailment rate.

    Σ_t CO2[t] ≤ cap · (share of the year modelled)
    Σ_t w_t·Σ_renewable p ≥ share · Σ_t w_t·(Σ_renewable p + Σ_fossil thermal p + Σ_fossil conversion r_el·in)
    Σ_t w_t·Σ_renewable p ≥ (1 − max rate) · Σ_g cap[g]·Σ_t w_t·cf[g,t]
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..constants import ELECTRICITY
from .builder import ModelBuilder
from .components.conversion import live


def add(b: ModelBuilder) -> None:
    m, data, policy = b.m, b.data, b.data.case.policy
    w = data.weights
    if policy.co2_cap is not None:
        m.policy_co2_cap = pyo.Constraint(expr=b.total_expr(b.emissions) <= policy.co2_cap * data.year_fraction)

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
