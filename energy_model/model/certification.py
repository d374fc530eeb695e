"""Certified green hydrogen as a constraint (``certification.min_green_share``).

The case's certification rule (analysis/certification.py reports it) can also be imposed: with E[t] the
electricity the electrolysers use and R[t] the output of the named renewable assets (MW), w_t the snapshot
weights and P the periods of the rule (each snapshot, each calendar month, or the horizon):

    m[P] ≤ Σ_{t∈P} w_t·E[t],    m[P] ≤ Σ_{t∈P} w_t·R[t]          (m[P] ≥ 0: what P can certify)
    Σ_P m[P] ≥ x·Σ_t w_t·E[t]                                       (certification_min_green_share)

so that at least the share x of the electrolysers' electricity is matched as the rule counts it: a project
that must deliver certifiable hydrogen (the EU RFNBO's hourly matching, say) sizes its renewables and stores
for it. Monthly matching needs a chronological horizon (on representative days the months are only known
after the solve).
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..constants import ELECTRICITY, PLANT, RENEWABLE
from ..errors import InputError

HYDROGEN = "hydrogen"


def electrolysers(technologies: dict) -> list[str]:
    """Conversions that make hydrogen from electricity."""
    return [g for g, t in technologies.items() if t.has(PLANT) and t.product == HYDROGEN
            and (t.input == ELECTRICITY or t.ratio(ELECTRICITY) < 0)]


def assets(technologies: dict, spec, plants: list[str]) -> list[str]:
    """The renewables whose output is matched: the named ones, else every renewable at the plants' nodes."""
    nodes = {technologies[g].node for g in plants}
    return spec.assets if spec.assets is not None else [
        g for g, t in technologies.items() if t.has(RENEWABLE) and t.node in nodes]


def add(b) -> None:
    data, m = b.data, b.m
    spec = data.case.certification
    if spec is None or spec.min_green_share is None:
        return
    techs = data.technologies
    plants = [g for g in electrolysers(techs) if data.is_active(g)]
    if not plants:
        return
    matched_by = [g for g in assets(techs, spec, plants) if data.is_active(g)]
    if spec.rule == "monthly" and data.representative is not None:
        raise InputError(["certification.min_green_share: monthly matching as a constraint needs a chronological "
                          "horizon; use the hourly or annual rule on representative days"])
    w = data.weights

    def use(t):
        return pyo.quicksum(b.flow_expr(g, t, carrier=ELECTRICITY, sign=-1) for g in plants)

    def supply(t):
        return pyo.quicksum(b.flow_expr(g, t, carrier=ELECTRICITY) for g in matched_by) if matched_by else 0.0

    if spec.rule == "hourly":
        periods = {t: [t] for t in m.T}
    elif spec.rule == "monthly":
        periods = {}
        for t, month in zip(m.T, data.time.month):
            periods.setdefault(int(month), []).append(t)
    else:
        periods = {0: list(m.T)}
    m.certification_matched = pyo.Var(list(periods), within=pyo.NonNegativeReals)
    m.certification_use = pyo.Constraint(list(periods), rule=lambda _, p: m.certification_matched[p] <= pyo.quicksum(
        float(w[t]) * use(t) for t in periods[p]))
    m.certification_supply = pyo.Constraint(list(periods), rule=lambda _, p: (
        m.certification_matched[p] <= pyo.quicksum(float(w[t]) * supply(t) for t in periods[p])))
    m.certification_min_green_share = pyo.Constraint(expr=pyo.quicksum(
        m.certification_matched[p] for p in periods) >= spec.min_green_share * pyo.quicksum(
        float(w[t]) * use(t) for t in m.T))
