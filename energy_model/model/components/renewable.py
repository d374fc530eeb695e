"""Variable renewables (wind, PV): output ≤ capacity × capacity factor; the remainder is curtailment.

    0 ≤ p[g,t] ≤ cf[g,t] · cap[g]          [renewable_output, renewable_output_limit]
    curtailment[g,t] = cf[g,t]·cap[g] − p[g,t]                     [renewable_output]
    must-take farms:  p[g,t] = cf[g,t]·cap[g]   (a bound where cap is fixed)   [renewable_must_take]

Farms that the model cannot tell apart (same node, carrier, profile and variable cost, in the same projects)
can share a curtailed hour in any proportion at the same cost; the LP's vertex puts it all on one of them.
The results report the optimum that shares it pro rata to availability, as grid operators do among farms of
a section: p[g,t] = P[G,t]·cf[g,t]·cap[g] / Σ_{g'∈G} cf[g',t]·cap[g'] for the group G of g (settle).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..builder import ModelBuilder, bus_name

KIND = "renewable"


def add(b: ModelBuilder, techs: list[str]) -> None:
    data = b.data
    cf = {g: data.profiles[data.technologies[g].profile] for g in techs}
    output = b.dispatch_var("renewable_output", techs, limit=cf)
    must_take = [g for g in techs if data.technologies[g].must_take]
    for g in (g for g in must_take if not data.is_expandable(g)):  # fixed size: the bounds meet
        for t in b.m.T:
            output[g, t].setlb(float(cf[g][t]) * b.capacity(g))
    b.m.renewable_must_take = pyo.Constraint(
        [g for g in must_take if data.is_expandable(g)], b.m.T,
        rule=lambda _, g, t: output[g, t] == float(cf[g][t]) * b.capacity(g))
    for g in techs:
        tech = data.technologies[g]
        b.add_flow(bus_name(tech.node, tech.carrier), g, output)
        b.add_cost("variable_om", g, output, tech.vom)


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    data = b.data
    output = solution.value(b.m.renewable_output)
    capacity = np.array([solution.capacity(g) for g in techs])
    cf = np.vstack([data.profiles[data.technologies[g].profile] for g in techs])
    available = cf * capacity[:, None]
    return {
        "available": (available, "MW"),
        "curtailment": (np.maximum(available - output, 0.0), "MW"),
    }


def settle(b: ModelBuilder, solution, techs: list[str]) -> None:
    """Spread each group's output over its farms in proportion to their available output (an equally optimal
    solution: the group's total in every hour, and so every balance, cost and constraint, is unchanged)."""
    data, var = b.data, b.m.renewable_output
    if not len(var):
        return
    rows = {g: i for i, g in enumerate(list(var.index_set().subsets())[0])}
    output = solution.value(var).copy()
    groups: dict[tuple, list[str]] = {}
    for g in techs:
        if g in rows:
            groups.setdefault(_interchangeable(data, g), []).append(g)
    for members in (m for m in groups.values() if len(m) > 1):
        index = [rows[g] for g in members]
        available = np.vstack([data.profiles[data.technologies[g].profile] * solution.capacity(g) for g in members])
        total_available = available.sum(axis=0)
        share = np.divide(available, total_available, out=np.zeros_like(available), where=total_available > 0)
        output[index] = output[index].sum(axis=0) * share
    solution.set_values(var, output)


def _interchangeable(data, g: str) -> tuple:
    tech = data.technologies[g]
    projects = tuple(sorted(name for name, p in data.case.projects.items() if g in p.technologies))
    return tech.node, tech.carrier, tech.profile, tech.vom, projects
