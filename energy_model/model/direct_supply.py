"""Green-power direct supply (绿电直连): the notice's rules as constraints on a project, and its compliance table.

For a project P (schema.Project with ``direct_supply``) with renewables R at its node and the one connection c to
the public grid, totals over the horizon (w_t = snapshot weights):

    A = Σ_t w_t·Σ_{g∈R} cf[g,t]·cap[g]       available new-energy generation (curtailed energy included)
    G = Σ_t w_t·Σ_{g∈R} p[g,t]                new-energy output
    E, I = Σ_t w_t·feed-in[t], Σ_t w_t·purchase[t]   through c, measured at the project node (what c takes
                                               out of the node's electricity bus, and puts into it)
    O = Σ_t w_t·Σ_{thermal g∈P} p[g,t]       other own generation
    self-consumed S = G − E                    consumption C = G + O + I − E

    S ≥ a·A          (min_self_consumption)
    S ≥ s·C   ⇔   (1 − s)·(G − E) ≥ s·(O + I)      (min_green_share, the value in force in the model year)
    E ≤ f·A          (max_feed_in)

Feed-in counts as new energy (it is G, not O, that the project exports): the conservative reading.
The ratios are the same whether the horizon is a year or a week, so no proration is needed. The compliance
table evaluates the same totals from the results, whether the rules were enforced or only reported.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..case.projects import project_node
from ..constants import ELECTRICITY, FUEL_FIRED, RENEWABLE


def direct_supply_projects(case) -> dict:
    return {name: p for name, p in case.projects.items() if p.direct_supply is not None}


def limits(rules, year: int) -> dict[str, float]:
    """The rules given for a project, with the consumption share in force in ``year``."""
    values = {"min_self_consumption": rules.min_self_consumption, "min_green_share": rules.green_share(year),
              "max_feed_in": rules.max_feed_in if rules.feed_in_allowed else 0.0}
    return {rule: value for rule, value in values.items() if value is not None}


# each rule as numerator / denominator of the totals, and its sense: the constraint is num − value·den ≷ 0
# and the compliance table's value num / den, so that what is imposed and what is reported are one formula
RATIOS = {"min_self_consumption": ("S", "A", ">="), "min_green_share": ("S", "C", ">="), "max_feed_in": ("E", "A", "<=")}
RULES = tuple(RATIOS)


def add(b) -> None:
    """Constraints for every project whose rules are enforced."""
    data, m = b.data, b.m
    rows = {}
    for name, project in direct_supply_projects(data.case).items():
        rules = {rule: value for rule, value in limits(project.direct_supply, data.year).items()
                 if project.direct_supply.enforced(rule)}
        if rules:
            t = totals(project, data.technologies, *_model_terms(b))
            rows.update({(name, rule): _rule(rule, value, t) for rule, value in rules.items()})
    m.direct_supply = pyo.Constraint(list(rows), rule=lambda _, name, rule: rows[name, rule])


def _rule(rule: str, value: float, t: dict):
    numerator, denominator, sense = RATIOS[rule]
    gap = t[numerator] - value * t[denominator]
    return gap >= 0 if sense == ">=" else gap <= 0


def ratio(rule: str, t: dict) -> float:
    """The value of ``rule`` for solved totals (NaN where its denominator is zero)."""
    numerator, denominator, _ = RATIOS[rule]
    return t[numerator] / t[denominator] if t[denominator] > 0 else float("nan")


def totals(project, techs: dict, output, exchange, available) -> dict:
    """A, G, O, E, I and the derived S, C of ``project``, from ``output(g)`` (Σ_t w_t·electricity g puts into
    the grid), ``exchange(c, bus)`` (Σ_t w_t·what the connection c takes out of ``bus``, and puts into it)
    and ``available(g)`` (Σ_t w_t·cf·cap): pyomo expressions when the model is built (the constraints),
    numbers from a solved Dataset (the compliance table)."""
    renewables = [g for g in project.technologies if techs[g].has(RENEWABLE)]
    thermal = [g for g in project.technologies if techs[g].has(FUEL_FIRED)]
    t = {"A": sum(available(g) for g in renewables), "G": sum(output(g) for g in renewables),
         "O": sum(output(g) for g in thermal)}
    t["E"], t["I"] = exchange(project.connection, f"{project_node(project, techs)}/{ELECTRICITY}")
    t["S"] = t["G"] - t["E"]
    t["C"] = t["G"] + t["O"] + t["I"] - t["E"]
    return t


def _model_terms(b):
    """``output``, ``exchange`` and ``available`` of :func:`totals` as pyomo expressions, read from the flows
    the families registered (0 for a technology not in service)."""
    data, w = b.data, b.data.weights

    def output(g: str):
        return b.weighted_flow(g, carrier=ELECTRICITY)

    def exchange(c: str, bus: str):
        return b.weighted_flow(c, bus=bus, sign=-1), b.weighted_flow(c, bus=bus)

    def available(g: str):
        if not data.is_active(g):
            return 0.0
        return float(np.dot(w, data.profiles[data.technologies[g].profile])) * b.capacity(g)

    return output, exchange, available
