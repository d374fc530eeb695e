"""The core of the LP: capacities, the carrier balances, the objective.

Component families (``energy_model.components``) do not write balances or the objective themselves;
they *register* terms with the :class:`ModelBuilder`:

- ``add_flow(bus, tech, var, coef)``: ``coef·var[tech, t]`` enters the balance of ``bus`` at every t
  (positive = supply to the bus, negative = withdrawal);
- ``add_fixed_flow(bus, tech, values)``: a fixed hourly flow (a demand profile);
- ``add_cost(category, tech, var, coef)`` and ``add_constant_cost``: linear cost terms;
- ``add_emission(tech, var, rate)``: CO2 per unit of a variable;
- ``invest(kind, techs)``: new capacity of some kind (a store's energy, a retrofit) that periods build
  and keep within its life, with its annuities (:mod:`energy_model.model.investment`).

The builder then writes, for every bus b (a node × carrier) and snapshot t,

    Σ_terms coef·x[tech, t] + Σ fixed flows + unserved[b, t] = 0          (≥ for free-disposal carriers)

and the objective Σ costs (annualised investment prorated to the horizon + Σ_t w_t·operating costs).
Because every term is registered once, the same registry evaluates flows, costs and emissions from
the solution, so results can never disagree with the objective.

One builder is one investment period. A pathway (:func:`energy_model.model.build.build_model`) puts each
period's builder on its own block ``period[y]`` of one model; capacity in period y is

    cap[g,y] = existing[g,y] + Σ_{y' ≤ y, y' + life > y} build[g,y']     (existing: commission/retire years)

and the objective is Σ_y W_y·(annual costs of period y), W_y the period's discounted years
(:class:`energy_model.case.schema.Pathway`). The annual costs of y include the annuity and fixed O&M of every
build in service in y, so a build's investment counts annuity × Σ of the weights of the periods it
serves. A single year is the one-period case with W = 1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ..errors import InputError
from .data import BUILD, ModelData
from .investment import Kind


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
    """One investment period: its part of the pyomo model (``m``: the whole model, or the period's block in a
    pathway) and the registries that families fill."""

    def __init__(self, data: ModelData, block: pyo.Block | None = None, earlier: list["ModelBuilder"] = ()):
        self.data = data
        self.n = len(data.time)
        self.m = m = block if block is not None else pyo.ConcreteModel(name=data.case.name)
        self.earlier = list(earlier)  # the builders of the periods before this one
        m.T = pyo.Set(initialize=range(self.n), ordered=True)
        self.flows: list[Term] = []
        self._by_tech: dict[str, list[Term]] = defaultdict(list)  # flows by technology, for flow_expr
        self._indexed = 0
        self.fixed_flows: dict[str, list[tuple[str, np.ndarray]]] = defaultdict(list)
        self.costs: list[Term] = []
        self.constant_costs: list[tuple[str, str, float]] = []
        self.emissions: list[Term] = []
        self.unserved_buses: list[str] = []
        self.builds: dict[str, pyo.Var] = {}  # kind -> this period's build variables
        self.in_service: dict[str, dict[str, tuple[float, list]]] = {}  # kind -> tech -> (number, variables)
        active = [g for g in data.technologies if data.is_active(g)]
        self.invest(BUILD, active)
        self._add_fixed_om(active)

    # ---- capacities -------------------------------------------------------------------------------
    @staticmethod
    def holds(relation, what: str):
        """``relation`` as a constraint; when both sides are numbers (every size fixed) it is no constraint if
        it holds, and an input error naming ``what`` if it cannot."""
        if isinstance(relation, bool):
            if not relation:
                raise InputError([f"{what} cannot hold with the sizes fixed as they are"])
            return pyo.Constraint.Feasible
        return relation

    def capacity(self, tech: str):
        """Capacity of ``tech`` in this period: a number, or ``fixed + builds`` when the optimiser sizes it."""
        fixed = self.data.fixed_capacity(tech)
        if not self.data.is_expandable(tech):
            return fixed
        return fixed + self._sum(self.in_service[BUILD.name][tech][1])

    @staticmethod
    def _sum(variables: list):
        return variables[0] if len(variables) == 1 else pyo.quicksum(variables)

    def invest(self, kind: Kind, techs: list[str]) -> dict[str, object]:
        """New ``kind`` in service in this period per technology (a number, or an expression of the build
        variables of this and earlier periods), with its bounds and annuities: see :mod:`energy_model.model.investment`.

        This period's build variables are ``m.<kind.name>[tech]``; each build in service here costs
        annuity(life) × capex × build × (share of the year modelled), category ``investment``.
        """
        data, m, p = self.data, self.m, self.data.position
        plans = {g: data.plan(kind, g) for g in techs}
        var = pyo.Var([g for g in techs if plans[g].variable[p]], within=pyo.NonNegativeReals,
                      bounds=lambda _, g: plans[g].own_bounds(p))
        m.add_component(kind.name, var)
        self.builds[kind.name] = var
        periods, builders = data.periods or [data], [*self.earlier, self]
        served = {}
        for g in techs:
            plan = plans[g]
            number = plan.fixed_in_service(p)
            variables = [builders[q].builds[kind.name][g] for q in plan.decided(p)]
            served[g] = (number, variables)
            for q in plan.serving[p]:
                tech = periods[q].technologies[g]
                annual = kind.annual(tech)
                annuity = (annual if annual is not None else
                           data.annuity_factor(g, kind.life(tech)) * kind.capex(tech)) * data.year_fraction
                if plan.variable[q]:
                    self.costs.append(Term("investment", g, builders[q].builds[kind.name], annuity))
                elif plan.fixed is not None:
                    self.add_constant_cost("investment", g, annuity * plan.fixed[q])
        self.in_service[kind.name] = served
        rows = [g for g in techs if plans[g].needs_row(p)]
        m.add_component(f"{kind.name}_in_service", pyo.Constraint(rows, rule=lambda _, g: (
            plans[g].bounds[p][0], self._sum(served[g][1]),
            None if math.isinf(plans[g].bounds[p][1]) else plans[g].bounds[p][1])))
        return {g: self._amount(number, variables) for g, (number, variables) in served.items()}

    def _amount(self, number: float, variables: list):
        """``number + Σ variables`` as a number where there are no variables, else as an expression."""
        if not variables:
            return number
        return number + self._sum(variables) if number else self._sum(variables)

    def in_service_value(self, kind: Kind, tech: str, solution) -> float:
        """The amount of ``kind`` in service in this period for ``tech`` in ``solution`` (0 if never built)."""
        number, variables = self.in_service.get(kind.name, {}).get(tech, (0.0, []))
        for v in variables:
            builds = v.parent_component()
            number += float(solution.value(builds)[list(builds.keys()).index(tech)])
        return number

    def _add_fixed_om(self, techs: list[str]):
        """Costs per unit of all capacity in service, fixed O&M and a connection's grid charge: a constant on
        what is fixed, a term on each build variable."""
        data = self.data
        builders = [*self.earlier, self]
        for g in techs:
            tech = data.technologies[g]
            for category, rate in (("fixed_om", tech.fom), ("grid_charge", getattr(tech, "capacity_charge", 0.0))):
                if category != "fixed_om" and not rate:
                    continue
                per_unit = rate * data.year_fraction
                self.add_constant_cost(category, g, per_unit * data.fixed_capacity(g))
                for q in data.plan(BUILD, g).decided(data.position):
                    self.costs.append(Term(category, g, builders[q].builds[BUILD.name], per_unit))

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

    # ---- expressions ------------------------------------------------------------------------------
    @staticmethod
    def term_expr(term: Term, t: int):
        """The term's value at snapshot t, as a pyomo expression."""
        coef = term.coef[t] if isinstance(term.coef, np.ndarray) else term.coef
        return float(coef) * term.var[term.tech, t]

    def flow_expr(self, tech: str, t: int, carrier: str | None = None, bus: str | None = None, sign: int = 1):
        """What ``tech`` puts into (``sign`` +1) or takes out of (−1) the buses of ``carrier`` (or the one ``bus``)
        at snapshot t, from the flows its family registered: a generator's output, a plant's electricity use,
        a connection's feed-in. Constraints that span families (policy, security, direct supply) read
        technologies through this, never through a family's variables."""
        parts = [sign * self.term_expr(term, t) for term in self._flow_terms(tech, carrier, bus)
                 if sign * float(term.coef[t] if isinstance(term.coef, np.ndarray) else term.coef) > 0]
        return pyo.quicksum(parts) if parts else 0.0

    def weighted_flow(self, tech: str, carrier: str | None = None, bus: str | None = None, sign: int = 1):
        """Σ_t w_t · :meth:`flow_expr` over the horizon (0 for a technology not in service)."""
        if not self.data.is_active(tech):
            return 0.0
        w = self.data.weights
        return pyo.quicksum(float(w[t]) * self.flow_expr(tech, t, carrier, bus, sign) for t in self.m.T)

    def _flow_terms(self, tech: str, carrier: str | None, bus: str | None) -> list[Term]:
        for term in self.flows[self._indexed:]:  # flows registered since the last call
            self._by_tech[term.tech].append(term)
        self._indexed = len(self.flows)
        return [term for term in self._by_tech.get(tech, ()) if (bus is None or term.bus == bus)
                and (carrier is None or term.bus.split("/", 1)[1] == carrier)]

    def total_expr(self, terms: list[Term]):
        """Σ over snapshots of time-indexed terms, e.g. annual emissions for a CO2 cap."""
        return pyo.quicksum((self.term_expr(term, t) for term in terms for t in self.m.T))

    # ---- assembly -----------------------------------------------------------------------------------
    def buses(self) -> list[str]:
        """The buses something flows through (a zero demand whose plant is not in service is no row)."""
        fixed = {bus for bus, entries in self.fixed_flows.items() if any(values.any() for _, values in entries)}
        return sorted({term.bus for term in self.flows} | fixed)

    def finish(self, objective: bool = True):
        """Write balances and unserved energy once every family has registered, and (unless the period is
        part of a pathway, whose objective weighs all periods) the objective."""
        m, data = self.m, self.data
        buses = self.buses()
        by_bus: dict[str, list[Term]] = defaultdict(list)
        for term in self.flows:
            by_bus[term.bus].append(term)
        fixed = {b: sum((v for _, v in self.fixed_flows[b]), np.zeros(self.n)) for b in buses}
        self.unserved_buses = [b for b in buses if (fixed[b] < 0).any()]
        m.unserved = pyo.Var(self.unserved_buses, m.T, within=pyo.NonNegativeReals)
        carriers = data.case.carriers
        for b in self.unserved_buses:  # a carrier's own value of lost load, else the policy's
            voll = carriers[b.split("/", 1)[1]].voll
            self.costs.append(Term("unserved", "", m.unserved, data.weights * (
                data.case.policy.voll if voll is None else voll), bus=b))
        free_disposal = {b for b in buses if carriers[b.split("/", 1)[1]].free_disposal}
        priced = [b for b in buses if carriers[b.split("/", 1)[1]].excess_cost is not None]
        m.excess = pyo.Var(priced, m.T, within=pyo.NonNegativeReals)  # surplus sent away at a price
        for b in priced:
            self.costs.append(Term("excess", "", m.excess, data.weights * carriers[b.split("/", 1)[1]].excess_cost,
                                   bus=b))
        unserved, excess = set(self.unserved_buses), set(priced)

        def balance(_, b, t):
            lhs = pyo.quicksum((self.term_expr(term, t) for term in by_bus[b]))
            if b in unserved:
                lhs = lhs + m.unserved[b, t]
            if b in excess:
                lhs = lhs - m.excess[b, t]
            rhs = -float(fixed[b][t])
            return lhs >= rhs if b in free_disposal else lhs == rhs

        m.balance = pyo.Constraint(buses, m.T, rule=balance)
        self.fixed_by_bus = fixed
        if objective:
            m.objective = pyo.Objective(expr=self.objective_expr(), sense=pyo.minimize)
        return m

    def objective_expr(self, weight: float = 1.0):
        """``weight`` × Σ cost terms, with the terms on the same variable (fuel, CO2, O&M of one output)
        merged first."""
        scalar: dict[tuple[int, str], list] = {}
        hourly: dict[tuple[int, str], list] = {}
        for term in self.costs:
            if term.var.dim() == 1:
                entry = scalar.setdefault((id(term.var), term.tech), [term.var, 0.0])
                entry[1] += float(term.coef)
            else:  # bus-indexed system terms (unserved, excess) have tech "" and their bus as index
                index = term.bus if term.tech == "" else term.tech
                entry = hourly.setdefault((id(term.var), index), [term.var, np.zeros(self.n)])
                entry[1] = entry[1] + term.coef
        parts = [weight * coef * var[tech] for (_, tech), (var, coef) in scalar.items() if coef]
        for (_, index), (var, coef) in hourly.items():
            coef = (weight * coef).tolist()
            parts.extend(c * var[index, t] for t, c in enumerate(coef) if c != 0.0)
        constant = weight * sum(value for _, _, value in self.constant_costs)
        return pyo.quicksum(parts) + constant
