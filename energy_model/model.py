"""The core of the LP: capacities, the carrier balances, the objective.

Component families (``energy_model.components``) do not write balances or the objective themselves;
they *register* terms with the :class:`ModelBuilder`:

- ``add_flow(bus, tech, var, coef)``: ``coef·var[tech, t]`` enters the balance of ``bus`` at every t
  (positive = supply to the bus, negative = withdrawal);
- ``add_fixed_flow(bus, tech, values)``: a fixed hourly flow (a demand profile);
- ``add_cost(category, tech, var, coef)`` and ``add_constant_cost``: linear cost terms;
- ``add_emission(tech, var, rate)``: CO2 per unit of a variable;
- ``add_sizing(var)``: a variable that sizes an asset (MW, MWh, t/h built): fixed when capacities come
  from an earlier solve (:mod:`energy_model.sizing`).

The builder then writes, for every bus b (a node × carrier) and snapshot t,

    Σ_terms coef·x[tech, t] + Σ fixed flows + unserved[b, t] = 0          (≥ for free-disposal carriers)

and the objective Σ costs (annualised investment prorated to the horizon + Σ_t w_t·operating costs).
Because every term is registered once, the same registry evaluates flows, costs and emissions from
the solution, so results can never disagree with the objective.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from .data import ModelData


def bus_name(node: str, carrier: str) -> str:
    return f"{node}/{carrier}"


@dataclass
class Term:
    """One registered linear term: ``coef · var[tech, (t)]`` (coef is a scalar or an array over t)."""

    category: str
    tech: str
    var: pyo.Var | None
    coef: np.ndarray | float
    bus: str | None = None


class ModelBuilder:
    """Holds the pyomo model and the registries that families fill."""

    def __init__(self, data: ModelData):
        self.data = data
        self.n = len(data.time)
        self.m = m = pyo.ConcreteModel(name=data.case.name)
        m.T = pyo.Set(initialize=range(self.n), ordered=True)
        self.flows: list[Term] = []
        self.fixed_flows: dict[str, list[tuple[str, np.ndarray]]] = defaultdict(list)
        self.costs: list[Term] = []
        self.constant_costs: list[tuple[str, str, float]] = []
        self.emissions: list[Term] = []
        self.unserved_buses: list[str] = []
        self.sizing: list[pyo.Var] = []
        expandable = [g for g in data.technologies if data.is_expandable(g)]
        m.build = pyo.Var(expandable, within=pyo.NonNegativeReals, bounds=lambda _, g: data.build_bounds(g))
        self.add_sizing(m.build)
        self._add_investment_costs()

    # ---- capacities -------------------------------------------------------------------------------
    def capacity(self, tech: str):
        """Capacity of ``tech``: a number, or ``fixed + build[tech]`` when the optimiser sizes it."""
        fixed = self.data.fixed_capacity(tech)
        return fixed + self.m.build[tech] if self.data.is_expandable(tech) else fixed

    def dispatch_var(self, name: str, techs: list[str], limit: dict[str, np.ndarray] | None = None,
                     capacity=None) -> pyo.Var:
        """A non-negative (tech, t) variable, ≤ limit[tech][t] · capacity(tech) for the techs ``limit`` names.

        Where the capacity is a number the limit becomes a variable bound (no row: cheaper to build and
        to solve); only optimiser-sized capacities need constraint rows.
        """
        capacity = capacity or self.capacity
        limit = limit or {}
        m = self.m
        caps = {g: capacity(g) for g in techs if g in limit}
        fixed = {g for g, cap in caps.items() if isinstance(cap, (int, float))}
        upper = {g: (np.asarray(limit[g], dtype=float) * caps[g]).tolist() for g in fixed}

        def bounds(_, g, t):
            return (0.0, upper[g][t] if g in upper else None)

        var = pyo.Var(techs, m.T, within=pyo.NonNegativeReals, bounds=bounds)
        m.add_component(name, var)
        sized = [g for g in caps if g not in fixed]
        if sized:
            m.add_component(f"{name}_limit", pyo.Constraint(
                sized, m.T, rule=lambda _, g, t: var[g, t] <= float(limit[g][t]) * caps[g]))
        return var

    def _add_investment_costs(self):
        data = self.data
        for g, tech in data.technologies.items():
            if not data.is_active(g):
                continue
            annuity = data.annuity_factor(g) * tech.capex * data.year_fraction
            fom = tech.fom * data.year_fraction
            forced_build = 0.0 if data.is_expandable(g) else tech.build_min
            self.add_constant_cost("investment", g, annuity * forced_build)
            self.add_constant_cost("fixed_om", g, fom * (tech.capacity + forced_build))
            if data.is_expandable(g):
                self.costs.append(Term("investment", g, self.m.build, annuity))
                self.costs.append(Term("fixed_om", g, self.m.build, fom))

    # ---- registries ---------------------------------------------------------------------------------
    def add_flow(self, bus: str, tech: str, var: pyo.Var, coef: float | np.ndarray = 1.0):
        self.flows.append(Term("flow", tech, var, coef, bus))

    def add_fixed_flow(self, bus: str, tech: str, values: np.ndarray):
        self.fixed_flows[bus].append((tech, np.asarray(values, dtype=float)))

    def add_cost(self, category: str, tech: str, var: pyo.Var, coef_per_unit: float | np.ndarray):
        """An operating cost per unit of ``var[tech, t]``; weighted by snapshot hours here."""
        self.costs.append(Term(category, tech, var, self.data.weights * coef_per_unit))

    def add_constant_cost(self, category: str, tech: str, value: float):
        if value:
            self.constant_costs.append((category, tech, float(value)))

    def add_emission(self, tech: str, var: pyo.Var, rate: float | np.ndarray):
        """CO2 [t] per unit of ``var[tech, t]`` (per MWh of output for a power plant)."""
        self.emissions.append(Term("co2", tech, var, self.data.weights * rate))

    def add_sizing(self, var: pyo.Var):
        self.sizing.append(var)

    # ---- expressions ------------------------------------------------------------------------------
    @staticmethod
    def term_expr(term: Term, t: int):
        """The term's value at snapshot t, as a pyomo expression."""
        coef = term.coef[t] if isinstance(term.coef, np.ndarray) else term.coef
        return float(coef) * term.var[term.tech, t]

    def total_expr(self, terms: list[Term]):
        """Σ over snapshots of time-indexed terms, e.g. annual emissions for a CO2 cap."""
        return pyo.quicksum((self.term_expr(term, t) for term in terms for t in self.m.T))

    # ---- assembly -----------------------------------------------------------------------------------
    def buses(self) -> list[str]:
        return sorted({term.bus for term in self.flows} | set(self.fixed_flows))

    def finish(self):
        """Write balances, unserved energy and the objective once every family has registered."""
        m, data = self.m, self.data
        buses = self.buses()
        by_bus: dict[str, list[Term]] = defaultdict(list)
        for term in self.flows:
            by_bus[term.bus].append(term)
        fixed = {b: sum((v for _, v in self.fixed_flows[b]), np.zeros(self.n)) for b in buses}
        self.unserved_buses = [b for b in buses if (fixed[b] < 0).any()]
        m.unserved = pyo.Var(self.unserved_buses, m.T, within=pyo.NonNegativeReals)
        voll = data.case.policy.voll
        self.costs.append(Term("unserved", "", m.unserved, data.weights * voll))
        free_disposal = {b for b in buses if data.case.carriers[b.split("/", 1)[1]].free_disposal}
        unserved = set(self.unserved_buses)

        def balance(_, b, t):
            lhs = pyo.quicksum((self.term_expr(term, t) for term in by_bus[b]))
            if b in unserved:
                lhs = lhs + m.unserved[b, t]
            rhs = -float(fixed[b][t])
            return lhs >= rhs if b in free_disposal else lhs == rhs

        m.balance = pyo.Constraint(buses, m.T, rule=balance)
        self.fixed_by_bus = fixed
        m.objective = pyo.Objective(expr=self._objective_expr(), sense=pyo.minimize)
        return m

    def _objective_expr(self):
        """Σ cost terms, with the terms on the same variable (fuel, CO2, O&M of one output) merged first."""
        scalar: dict[tuple[int, str], list] = {}
        hourly: dict[tuple[int, str], list] = {}
        for term in self.costs:
            if term.var.dim() == 1:
                entry = scalar.setdefault((id(term.var), term.tech), [term.var, 0.0])
                entry[1] += float(term.coef)
            else:
                entry = hourly.setdefault((id(term.var), term.tech), [term.var, np.zeros(self.n)])
                entry[1] = entry[1] + term.coef
        parts = [coef * var[tech] for (_, tech), (var, coef) in scalar.items() if coef]
        for (_, tech), (var, coef) in hourly.items():
            if tech == "":  # bus-indexed (unserved)
                parts.extend(c * var[b, t] for b in self.unserved_buses for t, c in enumerate(coef.tolist()))
            else:
                parts.extend(c * var[tech, t] for t, c in enumerate(coef.tolist()) if c != 0.0)
        constant = sum(value for _, _, value in self.constant_costs)
        return pyo.quicksum(parts) + constant
