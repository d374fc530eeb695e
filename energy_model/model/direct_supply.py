"""Green-power direct supply (绿电直连): the notice's rules as constraints on a project, and its compliance table.

For a project P (schema.Project with ``direct_supply``) with renewables R at its node and the one connection c to
the public grid, totals over the horizon (w_t = snapshot weights):

    A = Σ_t w_t·Σ_{g∈R} cf[g,t]·cap[g]       available new-energy generation (curtailed energy included)
    G = Σ_t w_t·Σ_{g∈R} p[g,t]                new-energy output
    E, I = Σ_t w_t·feed-in[t], Σ_t w_t·purchase[t]   through c, measured at the project node
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

from ..case.projects import connection_side
from ..constants import FUEL_FIRED, MARKET, RENEWABLE

RULES = ("min_self_consumption", "min_green_share", "max_feed_in")


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


def totals(project, techs: dict, energy, available) -> dict:
    """A, G, O, E, I and the derived S, C of ``project``, from ``energy(variable, g, coef)`` (Σ_t w_t·coef·x[g,t]
    of the family variable, e.g. ``market_export``) and ``available(g)`` (Σ_t w_t·cf·cap): pyomo expressions
    when the model is built (the constraints), numbers from a solved Dataset (the compliance table)."""
    renewables = [g for g in project.technologies if techs[g].has(RENEWABLE)]
    thermal = [g for g in project.technologies if techs[g].has(FUEL_FIRED)]
    t = {"A": sum(available(g) for g in renewables),
         "G": sum(energy("renewable_output", g) for g in renewables),
         "O": sum(energy("thermal_output", g) for g in thermal)}
    c = project.connection
    kind, side = connection_side(project, techs)
    if kind == MARKET:
        t["E"] = energy("market_export", c)
        t["I"] = energy("market_import", c) if techs[c].import_price is not None else 0.0
    else:
        efficiency = techs[c].efficiency
        forward = lambda coef=1.0: energy("link_forward", c, coef)  # noqa: E731
        backward = (lambda coef=1.0: energy("link_backward", c, coef)) if techs[c].bidirectional \
            else (lambda coef=1.0: 0.0)
        t["E"], t["I"] = (forward(), backward(efficiency)) if side > 0 else (backward(), forward(efficiency))
    t["S"] = t["G"] - t["E"]
    t["C"] = t["G"] + t["O"] + t["I"] - t["E"]
    return t


def _model_terms(b):
    """``energy`` and ``available`` of :func:`totals` as pyomo expressions (0 for a technology not in service)."""
    data, m, w = b.data, b.m, b.data.weights

    def energy(name: str, g: str, coef: float = 1.0):
        var = getattr(m, name)
        if not data.is_active(g) or (g, m.T.first()) not in var:
            return 0.0
        return pyo.quicksum(float(coef * w[t]) * var[g, t] for t in m.T)

    def available(g: str):
        if not data.is_active(g):
            return 0.0
        return float(np.dot(w, data.profiles[data.technologies[g].profile])) * b.capacity(g)

    return energy, available
