"""Dispatchable fuel-fired units: commitment, ramps, start-ups, CHP heat extraction, flexibility retrofit.

Every real unit is its own technology. Quantities are MW of the unit's main output; t−1 wraps around
within each period (the horizon, or each representative day). For unit g at snapshot t:

    p   output [thermal_output]        on   committed capacity ≤ cap [thermal_committed, thermal_committed_limit]:
                                            cap·u, u ∈ [0,1] (LP) or {0,1} (--milp)
    h   heat extracted (CHP only) [thermal_heat]    su, sd   capacity started up / shut down
                                                        [thermal_startup, thermal_shutdown]
    R   retrofitted capacity [thermal_retrofit, thermal_retrofit_in_service]         on_R     committed part of it [thermal_committed_retrofit]
    s = p + c_v·h                      condensing-equivalent output: steam flow and fuel follow s
                                                          [thermal_max_output, thermal_min_load]

    on[t] − on[t−1] = su[t] − sd[t]                                       [thermal_transition]
    s ≤ on;  p ≤ cap without commitment   steam capacity; a MW of heat costs c_v MW of power
                                                          [thermal_max_output, thermal_output_limit]
    s ≥ ml·on − (ml − ml_R)·on_R,  on_R ≤ on, on_R ≤ R ≤ cap        minimum stable load (steam flow)
        [thermal_min_load, thermal_retrofit_committed, thermal_retrofit_share, thermal_retrofit_size]
    p ≥ c_m·h,   h ≤ h_max·on        back-pressure line and extraction limit (CHP)
                                                          [thermal_back_pressure, thermal_heat_max]
    on[t] ≥ Σ_{k<UT} su[t−k],   cap − on[t] ≥ Σ_{k<DT} sd[t−k]          minimum up and down times
                                                          [thermal_min_up, thermal_min_down]
    s[t] − s[t−1] ≤ r·(on[t] − su[t]) + max(ml, r)·su[t] − ml·sd[t]     ramp up  (GenX thermal_commit)
                                                          [thermal_ramp_up]
    s[t−1] − s[t] ≤ r·(on[t] − su[t]) − ml·su[t] + max(ml, r)·sd[t]     ramp down   [thermal_ramp_down]
    fuel = heat_rate·(a·on + (1 − a)·s) + start_fuel·su;   CO2 = co2_factor·fuel          [objective]
    cost = fuel price·fuel + CO2 price·(CO2 − B·p) + vom·p + start_cost·su + annuity·retrofit_capex·(ml − ml_R)·R
                                                          [objective]

a (``no_load_fuel``) is the share of the full-load fuel a committed MW burns at zero output, so the heat rate
at part load s/on is heat_rate·(a·on/s + 1 − a): it equals heat_rate at full load and rises as the unit is
turned down, so deep peaking costs fuel. B is the unit's benchmark in the national ETS
(``co2_benchmark``, t CO2/MWh) when the case prices CO2 as the ETS charges it
(``policy.co2_pricing: ets_benchmark``): a unit pays for its emissions above its free allocation B·p (and
earns for those below); with ``full`` pricing (B = 0) it pays for every tonne.

The extraction-condensing region (p, h) is the polygon of oemof.solph's ExtractionTurbineCHP (fuel ∝
p + β·h, back-pressure line p ≥ c_m·h) plus its minimum-steam line; every inequality is homogeneous in
(p, h, on), so committing a share u of the unit shrinks the polygon by u: the relaxation stays exact
for a fully committed unit. Under --milp, u and the retrofit choice z become binary (M = largest buildable size):

    on = cap·u (fixed size),   cap − M(1 − u) ≤ on ≤ M·u (sized)
        [thermal_commitment, thermal_commitment_fixed, thermal_commitment_upper, thermal_commitment_lower]
    R = cap·z (fixed size),    cap − M(1 − z) ≤ R ≤ M·z (sized)
        [thermal_retrofit_choice, thermal_retrofit_choice_fixed, thermal_retrofit_choice_upper,
         thermal_retrofit_choice_lower]

Units with no commitment feature (min load, start cost or fuel, up/down times, heat, retrofit) get no
commitment variables; their ramp limit is

    |p[t] − p[t−1]| ≤ r·cap                                  [thermal_ramp_up_plain, thermal_ramp_down_plain]

With time steps of Δt hours (``time.resolution``) the ramp rate r (per hour) becomes min(1, r·Δt) per step
and the up and down times UT, DT (hours) ⌈UT/Δt⌉ and ⌈DT/Δt⌉ steps.
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from ...errors import InputError
from ..builder import ModelBuilder, bus_name
from ..investment import Kind

KIND = "thermal"


def _retrofit_bounds(data, g) -> tuple[float, float]:
    """A retrofit covers at most the unit's largest capacity in the period."""
    if data.technologies[g].retrofit_min_load is None:
        return (0.0, 0.0)
    return (0.0, data.fixed_capacity(g) + (data.build_bounds(g)[1] if data.is_expandable(g) else 0.0))


# retrofitted MW, paying retrofit_capex per MW of regulating range gained: capex per MW = retrofit_capex·(ml − ml_R)
RETROFIT = Kind("thermal_retrofit", "retrofitted capacity", bounds=_retrofit_bounds,
                capex=lambda tech: tech.retrofit_capex * (tech.min_load - tech.retrofit_min_load)
                if tech.retrofit_min_load is not None else 0.0, life=lambda tech: tech.retrofit_life)


def committed_units(data, techs: list[str]) -> list[str]:
    """The units that get commitment variables (thermal_committed): active, with a commitment feature."""
    return [g for g in techs if data.is_active(g) and _needs_commitment(data.technologies[g])]


def _needs_commitment(tech) -> bool:
    return bool(tech.min_load > 0 or tech.start_cost > 0 or tech.start_fuel > 0 or tech.min_up_time > 1
                or tech.min_down_time > 1 or tech.heat_carrier or tech.retrofit_min_load is not None
                or tech.no_load_fuel > 0)


def add(b: ModelBuilder, techs: list[str]) -> None:
    data, m, n = b.data, b.m, b.n
    spec = {g: data.technologies[g] for g in techs}
    ones = {g: np.ones(n) for g in techs}
    committed = committed_units(data, techs)
    # steam ≤ on ≤ cap already bounds committed units' output: no second limit row for them
    output = b.dispatch_var("thermal_output", techs, limit={g: ones[g] for g in techs if g not in committed})
    chp = [g for g in committed if spec[g].heat_carrier]
    retrofit = [g for g in committed if spec[g].retrofit_min_load is not None]
    heat = b.dispatch_var("thermal_heat", chp)
    on = b.dispatch_var("thermal_committed", committed, limit=ones)
    m.thermal_startup = pyo.Var(committed, m.T, within=pyo.NonNegativeReals)
    m.thermal_shutdown = pyo.Var(committed, m.T, within=pyo.NonNegativeReals)
    su, sd = m.thermal_startup, m.thermal_shutdown
    cv = {g: spec[g].power_loss_ratio for g in chp}
    ml = {g: spec[g].min_load for g in committed}
    cap_max = {g: data.fixed_capacity(g) + (data.build_bounds(g)[1] if data.is_expandable(g) else 0.0)
               for g in committed}

    previous, period_length = data.previous.tolist(), data.period_bounds[1].tolist()

    def prev(t):
        return previous[t]

    def steam(g, t):
        return output[g, t] + cv[g] * heat[g, t] if g in cv else output[g, t]

    m.thermal_transition = pyo.Constraint(
        committed, m.T, rule=lambda _, g, t: on[g, t] - on[g, prev(t)] == su[g, t] - sd[g, t])
    m.thermal_max_output = pyo.Constraint(committed, m.T, rule=lambda _, g, t: steam(g, t) <= on[g, t])

    # flexibility retrofit: R MW of the unit run down to ml_R (an investment kept within its life); on_R is its
    # committed part
    retro = b.invest(RETROFIT, retrofit)
    m.thermal_committed_retrofit = pyo.Var(retrofit, m.T, within=pyo.NonNegativeReals)
    on_r = m.thermal_committed_retrofit
    depth = {g: ml[g] - spec[g].retrofit_min_load for g in retrofit}
    m.thermal_retrofit_size = pyo.Constraint(
        [g for g in retrofit if data.is_expandable(g) and not isinstance(retro[g], float)],
        rule=lambda _, g: retro[g] <= b.capacity(g))
    m.thermal_retrofit_committed = pyo.Constraint(retrofit, m.T, rule=lambda _, g, t: on_r[g, t] <= on[g, t])
    m.thermal_retrofit_share = pyo.Constraint(retrofit, m.T, rule=lambda _, g, t: on_r[g, t] <= retro[g])

    def min_load(_, g, t):
        floor = ml[g] * on[g, t] - (depth[g] * on_r[g, t] if g in depth else 0.0)
        return steam(g, t) >= floor

    m.thermal_min_load = pyo.Constraint([g for g in committed if ml[g] > 0], m.T, rule=min_load)
    m.thermal_back_pressure = pyo.Constraint(
        [g for g in chp if spec[g].back_pressure_ratio > 0], m.T,
        rule=lambda _, g, t: output[g, t] >= spec[g].back_pressure_ratio * heat[g, t])
    m.thermal_heat_max = pyo.Constraint(chp, m.T, rule=lambda _, g, t: heat[g, t] <= spec[g].heat_max * on[g, t])

    def window(t, hours):
        """t and the snapshots before it, ``hours`` in all (following prev, so it wraps as commitment does)."""
        steps = [t]
        while len(steps) < min(hours, period_length[t]):
            steps.append(prev(steps[-1]))
        return steps

    step = data.case.time.resolution  # min up and down times are in hours, the windows in steps
    up = {g: math.ceil(spec[g].min_up_time / step) for g in committed if spec[g].min_up_time > step}
    down = {g: math.ceil(spec[g].min_down_time / step) for g in committed if spec[g].min_down_time > step}
    m.thermal_min_up = pyo.Constraint(list(up), m.T, rule=lambda _, g, t: on[g, t] >= pyo.quicksum(
        su[g, k] for k in window(t, up[g])))
    m.thermal_min_down = pyo.Constraint(list(down), m.T, rule=lambda _, g, t: b.capacity(g) - on[g, t] >= pyo.quicksum(
        sd[g, k] for k in window(t, down[g])))

    _add_ramps(b, techs, spec, committed, steam, prev)
    if data.case.solver.milp:
        unbounded = [g for g in committed if math.isinf(cap_max[g])]
        if unbounded:
            raise InputError([f"technologies.{g}: binary commitment (--milp) needs a finite build_max for its "
                              "big-M; give one or solve the LP" for g in unbounded])
        _make_binary(b, "thermal_commitment", on, committed, cap_max, indexed_by_time=True)
        _make_binary(b, "thermal_retrofit_choice", retro, retrofit, cap_max, indexed_by_time=False)

    policy = data.case.policy
    for g in techs:
        tech = spec[g]
        fuel = data.case.fuels[tech.fuel]
        fuel_cost, co2_cost = fuel.price, policy.co2_price * fuel.co2_factor
        flows = [(var, fuel_per_unit) for var, fuel_per_unit in fuel_terms(tech, g in committed)
                 if fuel_per_unit > 0 and (var != "heat" or g in cv)]
        b.add_flow(bus_name(tech.node, tech.carrier), g, output)
        if g in cv:
            b.add_flow(bus_name(tech.node, tech.heat_carrier), g, heat)
        variables = {"output": output, "heat": heat, "committed": on, "startup": su}
        for name, fuel_per_unit in flows:
            var = variables[name]
            b.add_cost("fuel", g, var, fuel_cost * fuel_per_unit)
            b.add_cost("co2", g, var, co2_cost * fuel_per_unit)
            b.add_emission(g, var, fuel.co2_factor * fuel_per_unit)
        allocation = free_allocation(tech, policy)
        if allocation > 0:
            b.add_cost("co2", g, output, -policy.co2_price * allocation)
        b.add_cost("variable_om", g, output, tech.vom)
        if g in committed and tech.start_cost > 0:
            b.add_cost("startup", g, su, tech.start_cost)


def fuel_terms(tech, committed: bool) -> list[tuple[str, float]]:
    """Fuel per unit of each variable: output and heat (through the steam flow), committed capacity (the
    no-load part) and start-ups. Without commitment a unit has no no-load term: it is a plain heat rate."""
    a = tech.no_load_fuel if committed else 0.0
    incremental = tech.heat_rate * (1.0 - a)
    return [("output", incremental), ("heat", incremental * tech.power_loss_ratio), ("committed", tech.heat_rate * a),
            ("startup", tech.start_fuel if committed else 0.0)]


def free_allocation(tech, policy) -> float:
    """t CO2 per MWh of output allocated free under the ETS (0 where the case charges every tonne)."""
    if policy.co2_pricing != "ets_benchmark" or tech.co2_benchmark is None:
        return 0.0
    return tech.co2_benchmark


def _add_ramps(b: ModelBuilder, techs, spec, committed, steam, prev) -> None:
    m = b.m
    su, sd, on = m.thermal_startup, m.thermal_shutdown, m.thermal_committed
    ramping = [g for g in techs if b.data.is_active(g) and spec[g].ramp_rate is not None and spec[g].ramp_rate < 1]
    with_commitment = [g for g in ramping if g in set(committed)]
    plain = [g for g in ramping if g not in set(committed)]

    durations = b.data.durations  # a ramp rate is per hour; a step of Δt hours allows Δt times as much

    def committed_rule(direction):
        def rule(_, g, t):
            r, ml = min(1.0, spec[g].ramp_rate * float(durations[t])), spec[g].min_load
            steady = r * (on[g, t] - su[g, t])
            if direction > 0:
                return steam(g, t) - steam(g, prev(t)) <= steady + max(ml, r) * su[g, t] - ml * sd[g, t]
            return steam(g, prev(t)) - steam(g, t) <= steady - ml * su[g, t] + max(ml, r) * sd[g, t]
        return rule

    def plain_rule(direction):
        def rule(_, g, t):
            change = m.thermal_output[g, t] - m.thermal_output[g, prev(t)]
            return direction * change <= min(1.0, spec[g].ramp_rate * float(durations[t])) * b.capacity(g)
        return rule

    m.thermal_ramp_up = pyo.Constraint(with_commitment, m.T, rule=committed_rule(1))
    m.thermal_ramp_down = pyo.Constraint(with_commitment, m.T, rule=committed_rule(-1))
    m.thermal_ramp_up_plain = pyo.Constraint(plain, m.T, rule=plain_rule(1))
    m.thermal_ramp_down_plain = pyo.Constraint(plain, m.T, rule=plain_rule(-1))


def _make_binary(b: ModelBuilder, name: str, var: pyo.Var, techs: list[str], cap_max: dict, indexed_by_time: bool):
    """Tie ``var`` (MW) to a binary: var = cap·x exactly, written with big-M where the size is a decision."""
    m, data = b.m, b.data
    index = (techs, m.T) if indexed_by_time else (techs,)
    binary = pyo.Var(*index, within=pyo.Binary)
    m.add_component(name, binary)
    fixed = [g for g in techs if not data.is_expandable(g)]
    sized = [g for g in techs if data.is_expandable(g)]

    def key(g, t):
        return (g, *t) if t else g

    def fixed_rule(_, g, *t):
        return var[key(g, t)] == data.fixed_capacity(g) * binary[key(g, t)]

    def upper_rule(_, g, *t):
        return var[key(g, t)] <= cap_max[g] * binary[key(g, t)]

    def lower_rule(_, g, *t):
        return var[key(g, t)] >= b.capacity(g) - cap_max[g] * (1 - binary[key(g, t)])

    extra = (m.T,) if indexed_by_time else ()
    m.add_component(f"{name}_fixed", pyo.Constraint(fixed, *extra, rule=fixed_rule))
    m.add_component(f"{name}_upper", pyo.Constraint(sized, *extra, rule=upper_rule))
    m.add_component(f"{name}_lower", pyo.Constraint(sized, *extra, rule=lower_rule))


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    data, m = b.data, b.m
    spec = [data.technologies[g] for g in techs]
    output = solution.value(m.thermal_output)
    heat = solution.by_tech(m.thermal_heat, techs)
    committed = solution.by_tech(m.thermal_committed, techs, fill=output)
    startup = solution.by_tech(m.thermal_startup, techs)
    on_retrofit = solution.by_tech(m.thermal_committed_retrofit, techs)
    column = lambda values: np.array(values, dtype=float)[:, None]  # noqa: E731
    cv = column([t.power_loss_ratio for t in spec])
    with_commitment = set(committed_units(data, techs))
    terms = [dict(fuel_terms(t, g in with_commitment)) for g, t in zip(techs, spec)]
    fuel = (column([x["output"] for x in terms]) * output + column([x["heat"] for x in terms]) * heat
            + column([x["committed"] for x in terms]) * committed + column([x["startup"] for x in terms]) * startup)
    depth = column([t.min_load - t.retrofit_min_load if t.retrofit_min_load is not None else 0.0 for t in spec])
    floor = np.maximum(column([t.min_load for t in spec]) * committed - depth * on_retrofit - cv * heat,
                       column([t.back_pressure_ratio for t in spec]) * heat)
    retrofit = {g: b.in_service_value(RETROFIT, g, solution) for g in techs}
    return {
        "fuel_use": (fuel, "t/h"),
        "heat_output": (heat, [data.rate_unit(t.heat_carrier) if t.heat_carrier else "MW" for t in spec]),
        "committed_capacity": (committed, "MW"),
        "startup": (startup, "MW"),
        "min_output": (np.maximum(floor, 0.0), "MW"),
        "retrofit_capacity": (np.array([retrofit.get(g, 0.0) for g in techs]), "MW"),
    }
