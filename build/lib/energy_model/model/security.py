"""Security constraints a planner imposes beyond the energy balance: heat-source adequacy with the largest CHP
unit out (N-1) in every hour of heat demand.

For each heat bus b = (node, carrier) named in ``policy.heat_security`` and each snapshot t with a fixed heat
demand D[b,t] > 0, and for each CHP unit k extracting heat into b:

    Σ_{g ∈ CHP(b), g ≠ k} h_max[g]·on[g,t]  +  Σ_{f ∈ boilers(b)} cap[f]  (+ Σ_{e ∈ electric boilers(b)} r_e·cap[e])
        ≥ (1 + margin)·D[b,t]                                            (heat_security_n1[b, k, t])

CHP heat counts only on committed capacity (a unit that is off gives no heat when another trips); fuel-fired
boilers (thermal units whose carrier is the heat carrier) count at their capacity; electric boilers
(conversions making heat from electricity) count only where ``electric_boilers`` is set, as a grid-fed boiler
is not a firm source in a winter contingency; heat stores are not counted (their level at the hour of a trip
is not assured). With no CHP unit on the bus the rule reads as plain adequacy (k ranges over nothing: one row).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from .builder import ModelBuilder, bus_name
from .components.demand import fixed_part


def add(b: ModelBuilder) -> None:
    spec = b.data.case.policy.heat_security
    rows = {}
    if spec is not None:
        for node in _heat_nodes(b, spec.carrier):
            rows.update(_n1_rows(b, node, spec))
    b.m.heat_security_n1 = pyo.Constraint(list(rows), rule=lambda _, *key: rows[key])


def _heat_nodes(b: ModelBuilder, carrier: str) -> list[str]:
    data = b.data
    return sorted({data.technologies[g].node for g in data.modelled("demand")
                   if data.technologies[g].carrier == carrier})


def _n1_rows(b: ModelBuilder, node: str, spec) -> dict:
    data, m = b.data, b.m
    techs = data.technologies
    at_bus = lambda kind: [g for g in data.modelled(kind) if techs[g].node == node]  # noqa: E731
    demand = sum((fixed_part(b, g) for g in at_bus("demand") if techs[g].carrier == spec.carrier),
                 np.zeros(b.n))
    chp = [g for g in at_bus("thermal") if techs[g].heat_carrier == spec.carrier]  # always committed units
    boilers = pyo.quicksum(b.capacity(g) for g in at_bus("thermal") if techs[g].carrier == spec.carrier)
    if spec.electric_boilers:
        boilers += pyo.quicksum(techs[g].ratio(spec.carrier) * b.capacity(g) for g in at_bus("conversion")
                                if techs[g].ratio(spec.carrier) > 0)
    bus = bus_name(node, spec.carrier)
    hours = [t for t in m.T if demand[t] > 0]
    outages = chp or [None]

    def row(k, t):
        others = pyo.quicksum(techs[g].heat_max * m.thermal_committed[g, t] for g in chp if g != k)
        return others + boilers >= (1.0 + spec.margin) * float(demand[t])

    return {(bus, str(k), t): row(k, t) for k in outages for t in hours}
