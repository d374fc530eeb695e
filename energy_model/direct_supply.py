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
import pandas as pd
import pyomo.environ as pyo
import xarray as xr

from .analysis import compliance_table
from .projects import connection_side

RULES = ("min_self_consumption", "min_green_share", "max_feed_in")


def direct_supply_projects(case) -> dict:
    return {name: p for name, p in case.projects.items() if p.direct_supply is not None}


def limits(rules, year: int) -> dict[str, float]:
    """The rules given for a project, with the consumption share in force in ``year``."""
    values = {"min_self_consumption": rules.min_self_consumption, "min_green_share": rules.green_share(year),
              "max_feed_in": rules.max_feed_in}
    return {rule: value for rule, value in values.items() if value is not None}


def add(b) -> None:
    """Constraints for every project whose rules are enforced."""
    data, m = b.data, b.m
    rows = {}
    for name, project in direct_supply_projects(data.case).items():
        if project.direct_supply.enforce:
            t = _expressions(b, project)
            rows.update({(name, rule): _rule(rule, value, t)
                         for rule, value in limits(project.direct_supply, data.year).items()})
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
    renewables = [g for g in project.technologies if techs[g].kind == "renewable" and data.is_active(g)]
    thermal = [g for g in project.technologies if techs[g].kind == "thermal" and data.is_active(g)]

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
    if kind == "market":
        purchase = total(m.market_import, c) if techs[c].import_price is not None else 0.0
        return total(m.market_export, c), purchase
    efficiency = techs[c].efficiency
    backward = (lambda coef=1.0: total(m.link_backward, c, coef)) if techs[c].bidirectional else (lambda coef=1.0: 0.0)
    forward = lambda coef=1.0: total(m.link_forward, c, coef)  # noqa: E731
    return (forward(), backward(efficiency)) if side > 0 else (backward(), forward(efficiency))


# ---- compliance from results ---------------------------------------------------------------------------
def totals(ds: xr.Dataset, config, name: str) -> dict[str, float]:
    """A, G, E, I, O and the derived S and C of project ``name`` from a results Dataset [MWh]."""
    project, techs = config.case.projects[name], config.technologies
    w = ds["weight"]

    def energy(var: str, g: str) -> float:
        return float((ds[var].sel(tech=g) * w).sum()) if var in ds else 0.0

    renewables = [g for g in project.technologies if techs[g].kind == "renewable"]
    thermal = [g for g in project.technologies if techs[g].kind == "thermal"]
    available = sum(energy("available", g) for g in renewables)
    output = available - sum(energy("curtailment", g) for g in renewables)
    other = sum(float((ds["flow"].sel(tech=g).clip(min=0).sum("bus") * w).sum()) for g in thermal)
    c = project.connection
    kind, side = connection_side(project, techs)
    if kind == "market":
        feed_in, purchase = energy("export", c), np.nan_to_num(energy("import", c))
    else:
        forward, backward = energy("link_forward", c), np.nan_to_num(energy("link_backward", c))
        efficiency = techs[c].efficiency
        feed_in, purchase = (forward, efficiency * backward) if side > 0 else (backward, efficiency * forward)
    self_consumed = output - feed_in
    return {"available": available, "output": output, "feed_in": feed_in, "purchase": purchase, "other": other,
            "self_consumed": self_consumed, "consumption": output + other + purchase - feed_in}


def ratios(t: dict[str, float]) -> dict[str, float]:
    """The three ratios of the notice from the totals (NaN where the denominator is zero)."""
    def share(a, b):
        return a / b if b > 0 else np.nan
    return {"min_self_consumption": share(t["self_consumed"], t["available"]),
            "min_green_share": share(t["self_consumed"], t["consumption"]),
            "max_feed_in": share(t["feed_in"], t["available"])}


def compliance(ds: xr.Dataset, config) -> xr.Dataset:
    """Add ``compliance_value`` and ``compliance_limit`` (project × rule) to ``ds``; NaN where a rule is not set."""
    projects = direct_supply_projects(config.case)
    if not projects:
        return ds
    values = np.full((len(projects), len(RULES)), np.nan)
    bounds = np.full_like(values, np.nan)
    for i, (name, project) in enumerate(projects.items()):
        ratio = ratios(totals(ds, config, name))
        for rule, limit in limits(project.direct_supply, config.case.year).items():
            j = RULES.index(rule)
            values[i, j], bounds[i, j] = ratio[rule], limit
    coords = {"ds_project": list(projects), "ds_rule": list(RULES),
              "ds_rule_sense": ("ds_rule", [">=", ">=", "<="]),
              "ds_enforced": ("ds_project", [p.direct_supply.enforce for p in projects.values()])}
    return ds.assign(
        compliance_value=xr.DataArray(values, coords=coords, dims=("ds_project", "ds_rule"),
                                      attrs={"units": "fraction", "description": "ratio of the direct-supply notice"}),
        compliance_limit=xr.DataArray(bounds, coords=coords, dims=("ds_project", "ds_rule"),
                                      attrs={"units": "fraction", "description": "its limit (sense in ds_rule_sense)"}))


def report_table(ds: xr.Dataset, config, lang: str) -> pd.DataFrame:
    """The compliance table for report.html and results.xlsx (``labels.localize_table`` shows it): one row
    per project and rule, the ratio and its limit as fractions, whether it is met, and how it was used."""
    from .labels import label

    rows = []
    for r in compliance_table(ds).itertuples(index=False):
        project = config.case.projects[r.project]
        use = label("rule.enforced" if r.enforced else "rule.reported", lang)
        rows.append((project.label_zh if lang == "zh" and project.label_zh else r.project,
                     label(f"rule.{r.rule}", lang), r.value, r.limit, "fraction", r.met,
                     f"{'≥' if r.sense == '>=' else '≤'} · {use}"))
    return pd.DataFrame(rows, columns=["project", "rule", "value", "limit", "unit", "passed", "note"])
