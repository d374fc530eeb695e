"""Storage with power and energy capacities (battery, hydrogen tank, heat store).

    soc[g,t] = soc[g,t−1]·(1 − loss)^Δt + Δt·(η_c·ch[g,t] − dis[g,t]/η_d)     (cyclic within each period)
                                                                             [storage_balance]
    ch[g,t] ≤ cap[g] (or its own rating), dis[g,t] ≤ cap[g];   soc[g,t] ≤ e_cap[g]
                        [storage_charge_limit, storage_discharge_limit, storage_level_limit, build_charge]
    min_duration·cap[g] ≤ e_cap[g] ≤ max_duration·cap[g]     (energy sized apart)
                                                             [storage_min_duration, storage_max_duration]
    e_cap[g] = duration·cap[g]   or   fixed energy + new energy in service  [build_energy, build_energy_in_service]

With a fixed duration the energy is priced and bounded through the power it follows: the build pays
capex + duration·capex_energy and cap_new ≤ build_max_energy / duration (schema.Storage).

Cyclic state of charge means the horizon neither borrows from nor leaves energy to the next year. A store
with ``initial_level`` i starts the horizon from i·e_cap instead, and one with ``final_level`` f ends it at
f·e_cap or above; both need a chronological horizon (not representative days):

    soc[g,t0] = (1 − loss)^Δt·i·e_cap[g] + Δt·(η_c·ch[g,t0] − dis[g,t0]/η_d)          [storage_balance]
    soc[g,T] ≥ f·e_cap[g]                                                           [storage_final_level]

Charging costs vom_charge per unit charged.

On representative days the level is linked across the year (Kotzur et al. 2018, Applied Energy 213,
the "inter-period" formulation that PyPSA and Calliope also use): ``soc[g,t]`` becomes the level
*relative to the start of its representative day* (starting from 0, any sign), and ``start[g,d]``
the absolute level at the start of each original day d, which represents by day k(d):

    start[g,d+1] = start[g,d]·(1 − loss)^24 + soc[g, last hour of k(d)]        (cyclic over the year)
                                                                             [storage_day_link]
    hi[g,k] ≥ soc[g,t] ≥ lo[g,k]  for t in day k            [storage_day_high_def, storage_day_low_def]
    start[g,d] + hi[g,k(d)] ≤ e_cap[g];   start[g,d]·(1 − loss)^24 + lo[g,k(d)] ≥ 0
                                                             [storage_day_max, storage_day_min]

so a hydrogen tank can fill in windy weeks and empty in calm ones even though each is represented by
a few typical days. With no standing loss the bounds are exact; with loss they are conservative.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ...errors import InputError
from ..builder import ModelBuilder, bus_name
from ..investment import Kind

KIND = "storage"
# a store's energy capacity, sized on its own where it has no fixed duration
ENERGY = Kind("build_energy", "new energy capacity", capex=lambda tech: tech.capex_energy, life=lambda tech: tech.life,
              bounds=lambda data, g: (0.0, data.technologies[g].build_max_energy
                                      if data.technologies[g].duration is None else 0.0))
# a charging rating of its own (a charger sized apart from the discharge rating cap)
CHARGE = Kind("build_charge", "new charging capacity", capex=lambda tech: tech.capex_charge,
              life=lambda tech: tech.life, bounds=lambda data, g: (0.0, data.technologies[g].build_max_charge))


def add(b: ModelBuilder, techs: list[str]) -> None:
    data, m = b.data, b.m
    ones = {g: np.ones(b.n) for g in techs}
    rated = [g for g in techs if data.technologies[g].separate_charge_rating()]
    charge_built = b.invest(CHARGE, rated)

    def charge_capacity(g):
        if g not in charge_built:
            return b.capacity(g)
        fixed = data.technologies[g].charge_capacity if data.is_active(g) else 0.0
        return fixed + charge_built[g]

    charge = b.dispatch_var("storage_charge", techs, limit=ones, capacity=charge_capacity)
    discharge = b.dispatch_var("storage_discharge", techs, limit=ones)
    energy_built = b.invest(ENERGY, techs)

    def energy_capacity(g):
        tech = data.technologies[g]
        if tech.duration is not None:
            return tech.duration * b.capacity(g)
        fixed = tech.energy_capacity if data.is_active(g) else 0.0
        return fixed + energy_built[g]

    b.storage_energy_capacity = energy_capacity
    linked = data.representative is not None
    if linked:
        level = pyo.Var(techs, m.T, within=pyo.Reals)
        m.storage_level = level
    else:
        level = b.dispatch_var("storage_level", techs, limit=ones, capacity=energy_capacity)
    duration = data.durations
    previous = data.previous.tolist()
    opens_period = data.is_period_start.tolist() if linked else [False] * b.n
    fixed_ends = [g for g in techs if data.technologies[g].initial_level is not None
                  or data.technologies[g].final_level is not None]
    if linked and fixed_ends:
        raise InputError([f"technologies.{g}: initial_level and final_level need a chronological horizon; on "
                          "representative days a store's level is linked across the year (cyclic)" for g in fixed_ends])

    def balance(_, g, t):
        tech = data.technologies[g]
        retained = (1.0 - tech.standing_loss) ** float(duration[t])
        if t == 0 and tech.initial_level is not None:
            carried = retained * tech.initial_level * energy_capacity(g)
        else:
            carried = 0.0 if opens_period[t] else retained * level[g, previous[t]]
        return level[g, t] == carried + float(duration[t]) * (
            tech.efficiency_charge * charge[g, t] - discharge[g, t] / tech.efficiency_discharge)

    m.storage_balance = pyo.Constraint(techs, m.T, rule=balance)
    spec = data.technologies
    m.storage_min_duration = pyo.Constraint([g for g in techs if spec[g].min_duration is not None], rule=lambda _, g: (
        b.holds(energy_capacity(g) >= spec[g].min_duration * b.capacity(g), f"technologies.{g}: min_duration")))
    m.storage_max_duration = pyo.Constraint([g for g in techs if spec[g].max_duration is not None], rule=lambda _, g: (
        b.holds(energy_capacity(g) <= spec[g].max_duration * b.capacity(g), f"technologies.{g}: max_duration")))
    ending = [g for g in techs if data.technologies[g].final_level is not None]
    m.storage_final_level = pyo.Constraint(ending, rule=lambda _, g: (
        level[g, b.n - 1] >= data.technologies[g].final_level * energy_capacity(g)))
    if linked:
        _link_days(b, techs, level, energy_capacity)
    for g in techs:
        tech = data.technologies[g]
        bus = bus_name(tech.node, tech.carrier)
        b.add_flow(bus, g, discharge, 1.0)
        b.add_flow(bus, g, charge, -1.0)
        b.add_cost("variable_om", g, discharge, tech.vom)
        if tech.vom_charge > 0:
            b.add_cost("variable_om", g, charge, tech.vom_charge)


def _link_days(b: ModelBuilder, techs: list[str], level: pyo.Var, energy_capacity) -> None:
    """Absolute level at the start of every original day, carried through the sequence of days."""
    data, m = b.data, b.m
    sequence = data.representative.sequence.tolist()
    start, length = data.period_bounds
    days = sorted(set(data.period.tolist()))
    last = {k: int(start[data.period == k][0] + length[data.period == k][0] - 1) for k in days}
    hours = {k: float(data.durations[data.period == k].sum()) for k in days}
    members = {k: np.flatnonzero(data.period == k).tolist() for k in days}
    m.storage_days = pyo.Set(initialize=range(len(sequence)), ordered=True)
    m.storage_periods = pyo.Set(initialize=days, ordered=True)
    m.storage_day_start = pyo.Var(techs, m.storage_days, within=pyo.NonNegativeReals)
    m.storage_day_high = pyo.Var(techs, m.storage_periods, within=pyo.Reals)
    m.storage_day_low = pyo.Var(techs, m.storage_periods, within=pyo.Reals)
    day_start, high, low = m.storage_day_start, m.storage_day_high, m.storage_day_low

    def decay(g, k):
        return (1.0 - data.technologies[g].standing_loss) ** hours[k]

    n_days = len(sequence)
    m.storage_day_link = pyo.Constraint(techs, m.storage_days, rule=lambda _, g, d: day_start[g, (d + 1) % n_days] == (
        decay(g, sequence[d]) * day_start[g, d] + level[g, last[sequence[d]]]))
    pairs = [(g, t) for g in techs for k in days for t in members[k]]
    m.storage_day_high_def = pyo.Constraint(pairs, rule=lambda _, g, t: high[g, int(data.period[t])] >= level[g, t])
    m.storage_day_low_def = pyo.Constraint(pairs, rule=lambda _, g, t: low[g, int(data.period[t])] <= level[g, t])
    m.storage_day_max = pyo.Constraint(techs, m.storage_days, rule=lambda _, g, d: (
        day_start[g, d] + high[g, sequence[d]] <= energy_capacity(g)))
    m.storage_day_min = pyo.Constraint(techs, m.storage_days, rule=lambda _, g, d: (
        decay(g, sequence[d]) * day_start[g, d] + low[g, sequence[d]] >= 0))


def absolute_level(b: ModelBuilder, solution, techs: list[str]) -> np.ndarray:
    """Level in MWh at every snapshot; on linked representative days, that of the day's own date."""
    level = solution.value(b.m.storage_level)
    data = b.data
    if data.representative is None:
        return level
    day_start = solution.value(b.m.storage_day_start)
    own_day = _own_days(data)
    start, _ = data.period_bounds
    hours_in = np.arange(b.n) - start + 1
    loss = np.array([[data.technologies[g].standing_loss] for g in techs])
    return day_start[:, own_day[data.period]] * (1.0 - loss) ** hours_in[None, :] + level


def _own_days(data) -> np.ndarray:
    """For each representative day, the original day whose date it carries."""
    days = data.representative.days
    dates = data.time[data.is_period_start].normalize()
    return np.searchsorted(days, dates)


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    data = b.data
    rate = [data.rate_unit(data.technologies[g].carrier) for g in techs]
    amount = [data.amount_unit(data.technologies[g].carrier) for g in techs]
    results = {
        "storage_charge": (solution.value(b.m.storage_charge), rate),
        "storage_discharge": (solution.value(b.m.storage_discharge), rate),
        "storage_level": (absolute_level(b, solution, techs), amount),
    }
    if data.representative is not None:
        results["storage_day_start_level"] = (solution.value(b.m.storage_day_start), amount, ("tech", "day"))
    rated = [data.technologies[g].separate_charge_rating() for g in techs]
    if any(rated):  # the charging rating where a store has one of its own (else its capacity)
        results["charge_capacity"] = (np.array([
            (data.technologies[g].charge_capacity if data.is_active(g) else 0.0) + b.in_service_value(CHARGE, g, solution)
            if own else solution.capacity(g) for g, own in zip(techs, rated)]), rate, ("tech",))
    return results
