"""Security constraints a planner imposes beyond the energy balance: heat-source adequacy with the largest CHP
unit out (N-1) in every hour of heat demand; spinning reserve and a floor of synchronous capacity.

For each heat bus b = (node, carrier) named in ``policy.heat_security`` (at its ``nodes``, default all) and
each snapshot t with a fixed heat demand D[b,t] > 0, and for each CHP unit k extracting heat into b:

    Σ_{g ∈ CHP(b), g ≠ k} h_max[g]·on[g,t]  +  Σ_{f ∈ boilers(b)} cap[f]  (+ Σ_{e ∈ electric boilers(b)} r_e·cap[e])
        ≥ (1 + margin)·D[b,t]                                            (heat_security_n1[b, k, t])

CHP heat counts only on committed capacity (a unit that is off gives no heat when another trips); fuel-fired
boilers (thermal units whose carrier is the heat carrier) count at their capacity; electric boilers
(conversions making heat from electricity) count only where ``electric_boilers`` is set, as a grid-fed boiler
is not a firm source in a winter contingency; heat stores are not counted (their level at the hour of a trip
is not assured). With no CHP unit on the bus the rule reads as plain adequacy (k ranges over nothing: one row).

Reserve (``policy.reserve``), at each electricity node n with committed thermal units U(n) (of its ``nodes``,
default all), every snapshot t:

    Σ_{g∈U(n)} (on[g,t] − s[g,t]) ≥ a·D[n,t] + b·Σ_{r∈R(n)} p[r,t]        (reserve_spinning[n, t])
    Σ_{g∈U(n)} on[g,t] ≥ M                                               (reserve_synchronous[n, t])

with s the steam-equivalent output (p + c_v·h), D the fixed electricity demand, R the wind and PV farms,
a = load_share, b = renewable_share, M = min_synchronous. Only committed (synchronised) units count.

Shared substation limits (``policy.shared_limits``), for each limit L over markets M(L) and every snapshot t:

    Σ_{g∈M(L)} x[g,t] ≤ f·cap[limit_of]                                   (security_shared_limit[L, t])

with x the export (or import) of each market and f the firm share left with the largest element out.

Firm capacity (``policy.firm_capacity``), at node n over the peak window W (months × clock hours):

    Σ_g c_g·cap[g] ≥ (1 + margin)·max_{t∈W} D[n,t]                       (security_firm_capacity[n])

with c_g the capacity credit of each source at n (by name, else by kind; a market with its import capacity)
and D the fixed electricity demand at n.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..constants import ELECTRICITY, FUEL_FIRED, LOAD, MARKET, PLANT, RENEWABLE
from ..errors import InputError
from .builder import ModelBuilder, bus_name
from .components.demand import fixed_part
from .components.thermal import committed_units


def add(b: ModelBuilder) -> None:
    """Every security constraint family the case switches on (each is empty where it is off)."""
    _add_heat_n1(b)
    _add_reserve(b)
    _add_shared_limits(b)
    _add_firm_capacity(b)


def _add_firm_capacity(b: ModelBuilder) -> None:
    """Σ_g c_g·cap[g] ≥ (1 + margin)·max_{t∈W} D[n,t]: sources credited at a node's peak."""
    m, data = b.m, b.data
    rows = {}
    for spec in data.case.policy.firm_capacity:
        if spec.node not in data.case.nodes:
            raise InputError([f"policy.firm_capacity: unknown node '{spec.node}'"])
        window = np.isin(data.time.month, spec.months) & np.isin(data.time.hour, spec.hours)
        demand = sum((fixed_part(b, g) for g in data.modelled_with(LOAD)
                      if data.technologies[g].node == spec.node and data.technologies[g].carrier == ELECTRICITY),
                     np.zeros(b.n))
        if not window.any():
            continue
        peak = float(demand[window].max())
        terms = []
        for g, tech in data.technologies.items():
            credit = spec.credits.get(g, spec.credits.get(tech.kind))
            if credit and data.is_active(g) and tech.node == spec.node and not tech.has(LOAD):
                limit = getattr(tech, "import_capacity", None)
                terms.append(credit * (b.capacity(g) if limit is None else limit))
        rows[spec.node] = b.holds(pyo.quicksum(terms) >= (1 + spec.margin) * peak if terms else 0.0 >= peak * (
            1 + spec.margin), f"policy.firm_capacity.{spec.node}: the credited sources cannot cover the peak")
    m.security_firm_capacity = pyo.Constraint(list(rows), rule=lambda _, n: rows[n])


def _add_shared_limits(b: ModelBuilder) -> None:
    """Σ_{g∈M(L)} x[g,t] ≤ f·cap[limit_of]: markets sharing one substation's firm capacity."""
    m, data = b.m, b.data
    limits = data.case.policy.shared_limits
    problems = [f"policy.shared_limits.{limit.name}: '{g}' is not a market technology"
                for limit in limits for g in [*limit.technologies, limit.limit_of]
                if g not in data.technologies or not data.technologies[g].has(MARKET)]
    if problems:
        raise InputError(problems)
    rows = {}
    for limit in limits:
        flow = m.market_export if limit.direction == "export" else m.market_import
        active = [g for g in limit.technologies if data.is_active(g) and (g, m.T.first()) in flow]
        for t in m.T:
            rows[limit.name, t] = b.holds(pyo.quicksum(flow[g, t] for g in active) <= limit.firm_share * b.capacity(
                limit.limit_of), f"policy.shared_limits.{limit.name}")
    m.security_shared_limit = pyo.Constraint(list(rows), rule=lambda _, name, t: rows[name, t])


def _add_heat_n1(b: ModelBuilder) -> None:
    spec = b.data.case.policy.heat_security
    rows = {}
    if spec is not None:
        for node in _named(b, "heat_security", spec.nodes, _heat_nodes(b, spec.carrier)):
            rows.update(_n1_rows(b, node, spec))
    b.m.heat_security_n1 = pyo.Constraint(list(rows), rule=lambda _, *key: rows[key])


def _add_reserve(b: ModelBuilder) -> None:
    spec, data, m = b.data.case.policy.reserve, b.data, b.m
    spinning, synchronous = {}, {}
    if spec is not None:
        techs = data.technologies
        committed = committed_units(data, data.modelled_with(FUEL_FIRED))
        for node in _named(b, "reserve", spec.nodes, sorted({techs[g].node for g in committed})):
            units = [g for g in committed if techs[g].node == node and techs[g].carrier == ELECTRICITY]
            if not units:
                continue
            demand = sum((fixed_part(b, g) for g in data.modelled_with(LOAD)
                          if techs[g].node == node and techs[g].carrier == ELECTRICITY), np.zeros(b.n))
            farms = [g for g in data.modelled_with(RENEWABLE) if techs[g].node == node]
            bus = bus_name(node, ELECTRICITY)
            for t in m.T:
                on = pyo.quicksum(m.thermal_committed[g, t] for g in units)
                steam = pyo.quicksum(m.thermal_output[g, t] + techs[g].power_loss_ratio * _heat(m, g, t) for g in units)
                need = spec.load_share * float(demand[t]) + spec.renewable_share * pyo.quicksum(
                    b.flow_expr(g, t, bus=bus) for g in farms)
                if spec.load_share > 0 or (spec.renewable_share > 0 and farms):
                    spinning[bus, t] = on - steam >= need
                if spec.min_synchronous > 0:
                    synchronous[bus, t] = on >= spec.min_synchronous
    m.reserve_spinning = pyo.Constraint(list(spinning), rule=lambda _, *key: spinning[key])
    m.reserve_synchronous = pyo.Constraint(list(synchronous), rule=lambda _, *key: synchronous[key])


def _named(b: ModelBuilder, rule: str, named: list[str] | None, nodes: list[str]) -> list[str]:
    """The ``nodes`` a rule applies to: those its ``nodes`` field names (all where it names none)."""
    unknown = sorted(set(named or []) - set(b.data.case.nodes))
    if unknown:
        raise InputError([f"policy.{rule}.nodes: unknown node(s) {', '.join(unknown)}"])
    return [node for node in nodes if named is None or node in named]


def _heat(m, g, t):
    return m.thermal_heat[g, t] if (g, t) in m.thermal_heat else 0.0


def _heat_nodes(b: ModelBuilder, carrier: str) -> list[str]:
    data = b.data
    return sorted({data.technologies[g].node for g in data.modelled_with(LOAD)
                   if data.technologies[g].carrier == carrier})


def _n1_rows(b: ModelBuilder, node: str, spec) -> dict:
    data, m = b.data, b.m
    techs = data.technologies
    at_bus = lambda role: [g for g in data.modelled_with(role) if techs[g].node == node]  # noqa: E731
    demand = sum((fixed_part(b, g) for g in at_bus(LOAD) if techs[g].carrier == spec.carrier),
                 np.zeros(b.n))
    chp = [g for g in at_bus(FUEL_FIRED) if techs[g].heat_carrier == spec.carrier]  # always committed units
    boilers = pyo.quicksum(b.capacity(g) for g in at_bus(FUEL_FIRED) if techs[g].carrier == spec.carrier)
    if spec.electric_boilers:
        boilers += pyo.quicksum(techs[g].ratio(spec.carrier) * b.capacity(g) for g in at_bus(PLANT)
                                if techs[g].ratio(spec.carrier) > 0)
    bus = bus_name(node, spec.carrier)
    hours = [t for t in m.T if demand[t] > 0]
    outages = chp or [None]

    def row(k, t):
        others = pyo.quicksum(techs[g].heat_max * m.thermal_committed[g, t] for g in chp if g != k)
        return others + boilers >= (1.0 + spec.margin) * float(demand[t])

    return {(bus, str(k), t): row(k, t) for k in outages for t in hours}
