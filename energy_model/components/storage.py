"""Storage with power and energy capacities (battery, hydrogen tank, heat store).

    soc[g,t] = soc[g,t−1]·(1 − loss)^w_t + w_t·(η_c·ch[g,t] − dis[g,t]/η_d)     (cyclic over the horizon)
    ch[g,t], dis[g,t] ≤ cap[g];   soc[g,t] ≤ e_cap[g]
    e_cap[g] = duration·cap[g]   or   fixed energy + build_energy[g]

Cyclic state of charge means the horizon neither borrows from nor leaves energy to the next year.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..model import ModelBuilder, Term, bus_name

KIND = "storage"


def add(b: ModelBuilder, techs: list[str]) -> None:
    data, m = b.data, b.m
    ones = {g: np.ones(b.n) for g in techs}
    charge = b.dispatch_var("storage_charge", techs, limit=ones)
    discharge = b.dispatch_var("storage_discharge", techs, limit=ones)
    energy_sized = [g for g in techs if data.is_active(g) and data.technologies[g].duration is None
                    and data.technologies[g].build_max_energy > 0]
    m.build_energy = pyo.Var(energy_sized, within=pyo.NonNegativeReals,
                             bounds=lambda _, g: (0.0, data.technologies[g].build_max_energy))
    for g in energy_sized:
        tech = data.technologies[g]
        annuity = data.annuity_factor(g) * tech.capex_energy * data.year_fraction
        b.costs.append(Term("investment", g, m.build_energy, annuity))

    def energy_capacity(g):
        tech = data.technologies[g]
        if tech.duration is not None:
            return tech.duration * b.capacity(g)
        fixed = tech.energy_capacity if data.is_active(g) else 0.0
        return fixed + m.build_energy[g] if g in energy_sized else fixed

    b.storage_energy_capacity = energy_capacity
    level = b.dispatch_var("storage_level", techs, limit=ones, capacity=energy_capacity)
    w = data.weights

    def balance(_, g, t):
        tech = data.technologies[g]
        previous = t - 1 if t else b.n - 1
        retained = (1.0 - tech.standing_loss) ** w[t]
        return level[g, t] == retained * level[g, previous] + w[t] * (
            tech.efficiency_charge * charge[g, t] - discharge[g, t] / tech.efficiency_discharge)

    m.storage_balance = pyo.Constraint(techs, m.T, rule=balance)
    for g in techs:
        tech = data.technologies[g]
        bus = bus_name(tech.node, tech.carrier)
        b.add_flow(bus, g, discharge, 1.0)
        b.add_flow(bus, g, charge, -1.0)
        b.add_cost("variable_om", g, discharge, tech.vom)


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    return {
        "storage_charge": (solution.value(b.m.storage_charge), "MW"),
        "storage_discharge": (solution.value(b.m.storage_discharge), "MW"),
        "storage_level": (solution.value(b.m.storage_level), "MWh"),
    }
