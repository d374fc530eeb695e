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


def add(b) -> None:
    """Constraints for every project whose rules are enforced."""
    data, m = b.data, b.m
    rows = {}
    for name, project in direct_supply_projects(data.case).items():
        rules = {rule: value for rule, value in limits(project.direct_supply, data.year).items()
                 if project.direct_supply.enforced(rule)}
        if rules:
            t = _expressions(b, project)
            rows.update({(name, rule): _rule(rule, value, t) for rule, value in rules.items()})
    m.direct_supply = pyo.Constraint(list(rows), rule=lambda _, name, rule: rows[name, rule])


def _rule(rule: str, value: float, t: dict):
    self_consumed = t["G"] - t["E"]
    if rule == "min_self_consumption":
        return self_consumed >= value * t["A"]
    if rule == "min_green_share":
        return (1 - value) * self_consumed >= value * (t["O"] + t["I"])
    return t["E"] <= value * t["A"]


def _expressions(b, project) -> dict:
    data, m, w = b.data, b.m, b.data.weights
    techs = data.technologies
    renewables = [g for g in project.technologies if techs[g].has(RENEWABLE) and data.is_active(g)]
    thermal = [g for g in project.technologies if techs[g].has(FUEL_FIRED) and data.is_active(g)]

    def total(var, g, coef=1.0):
        return pyo.quicksum(float(coef * w[t]) * var[g, t] for t in m.T)

    available = pyo.quicksum(float(np.dot(w, data.profiles[techs[g].profile])) * b.capacity(g) for g in renewables)
    output = pyo.quicksum(total(m.renewable_output, g) for g in renewables)
    other = pyo.quicksum(total(m.thermal_output, g) for g in thermal)
    feed_in, purchase = _connection_expressions(b, project, total)
    return {"A": available, "G": output, "O": other, "E": feed_in, "I": purchase}


def _connection_expressions(b, project, total):
    m, techs = b.m, b.data.technologies
    c = project.connection
    kind, side = connection_side(project, techs)
    if kind == MARKET:
        purchase = total(m.market_import, c) if techs[c].import_price is not None else 0.0
        return total(m.market_export, c), purchase
    efficiency = techs[c].efficiency
    backward = (lambda coef=1.0: total(m.link_backward, c, coef)) if techs[c].bidirectional else (lambda coef=1.0: 0.0)
    forward = lambda coef=1.0: total(m.link_forward, c, coef)  # noqa: E731
    return (forward(), backward(efficiency)) if side > 0 else (backward(), forward(efficiency))



