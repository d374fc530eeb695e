"""Evaluate every project with a ``finance`` section: cash flows, key figures, NPV tornado, sizing sweep.

The tornado moves one input at a time to the ends of its range. Capital, prices and the WACC act on the cash
flows of the solved run with its dispatch held: re-optimising dispatch at other prices could only do better,
so the price bars are a conservative bound. The capacity factor changes what the plant can run on, so it is
re-solved with every size kept. The sizing sweep fixes the swept technologies at each combination of their
ratios to the base technology's optimal capacity, lets the optimiser choose the rest and dispatch, and
compares the NPV of each design with the optimiser's own (marked). The optimiser minimises annualised cost
before tax at the case's discount rate, the NPV adds the construction schedule, tax and the project's WACC,
so a neighbouring design may show a slightly higher NPV. Both re-solve the project on its own,
which gives its optimum only when it is separable from the rest of the case (its connection is a market):
otherwise they are left out and the run says why. The sweep builds the project once and re-solves each
design from the last basis (a warm start); it still solves the project once per design, so it runs only
when asked for (``energy-model run --sweep``).
"""

from __future__ import annotations

import itertools
import logging

import numpy as np
import pandas as pd
import xarray as xr

from .analysis import feasibility, finance, risk
from .case.projects import is_separable, standalone
from .constants import STORE
from .errors import SolveError
from .model.build import build_model
from .model.data import build_data
from .results.dataset import capacities, to_dataset
from .solve.highs import Persistent, solve

log = logging.getLogger(__name__)


def evaluate(ds: xr.Dataset, config, sweep: bool = False) -> xr.Dataset:
    """``ds`` with the finance variables of every project that has a finance section; the sizing sweeps
    (one re-solve per design) only when ``sweep`` is asked for."""
    results = [_project(ds, config, name, sweep) for name, p in config.case.projects.items() if p.finance is not None]
    return ds.merge(finance.to_dataset(results)) if results else ds


def _project(ds: xr.Dataset, config, name: str, with_sweep: bool) -> finance.ProjectFinance:
    project = config.case.projects[name]
    flows = finance.cash_flows(ds, config, name)
    metrics = finance.metrics(flows)
    units = {k: finance.METRIC_UNITS.get(k) or flows.levelised_units[k] for k in metrics}
    result = finance.ProjectFinance(name=name, label_zh=project.label_zh, cashflows=flows.table(),
                                    metrics=metrics, units=units)
    rules = project.finance.feasibility
    if rules is not None:
        table = feasibility.statement(feasibility.streams_of(flows, ds, config, name), rules,
                                      project.finance.tax_rate, project.finance.loss_carry_forward)
        table.columns = flows.years
        result.statement = table
        result.rules = {"wacc": flows.wacc, "equity_rate": flows.wacc if rules.equity_rate is None else rules.equity_rate,
                        "surcharge": rules.vat.surcharge if rules.vat is not None else 0.0}
        result.metrics.update(feasibility.metrics(table, flows.wacc, rules.equity_rate))
        result.units.update(finance.FEASIBILITY_METRIC_UNITS)
    separable = is_separable(config.case, config.technologies, name)
    needs_solo = project.finance.sweep or (project.finance.tornado and project.finance.tornado.capacity_factor)
    if not separable and needs_solo:
        log.warning("project %s shares a balance with the rest of the case: its capacity-factor sensitivity "
                    "and sizing sweep need it on its own and are left out", name)
    if project.finance.tornado is not None:
        result.tornado = tornado(ds, config, name, flows, separable)
        if project.finance.risk is not None:
            result.risk_samples = risk.npv_samples(flows, project.finance.tornado, result.tornado,
                                                   project.finance.risk)
            result.metrics.update(risk.summary(result.risk_samples))
            result.units.update(finance.RISK_METRIC_UNITS)
    if with_sweep and project.finance.sweep is not None and separable:
        result.sweep, result.sweep_metric = sweep(ds, config, name)
    return result


def tornado(ds: xr.Dataset, config, name: str, flows: finance.ProjectCashFlows, separable: bool) -> pd.DataFrame:
    """NPV at the low and high end of each parameter's range (index: parameter)."""
    spec = config.case.projects[name].finance.tornado
    rows = {}
    for parameter in ("capex", "electricity_price", "product_price"):
        swing = getattr(spec, parameter)
        if swing is not None:
            key = finance.SWING_FACTORS[parameter]
            rows[parameter] = [1 - swing, 1 + swing] + [
                finance.npv(flows.wacc, flows.scaled(**{key: f}).net()) for f in (1 - swing, 1 + swing)]
    if spec.wacc is not None:
        rates = [max(flows.wacc - spec.wacc, 0.0), flows.wacc + spec.wacc]
        rows["wacc"] = rates + [finance.npv(rate, flows.net()) for rate in rates]
    if spec.capacity_factor is not None and separable:
        factors = [1 - spec.capacity_factor, 1 + spec.capacity_factor]
        rows["capacity_factor"] = factors + [_npv_at_capacity_factor(ds, config, name, f) for f in factors]
    return pd.DataFrame.from_dict(rows, orient="index", columns=["setting_low", "setting_high", "npv_low", "npv_high"])


def _npv_at_capacity_factor(ds: xr.Dataset, config, name: str, factor: float) -> float:
    techs = config.technologies
    members = config.case.projects[name].technologies
    sizes = {g: float(ds["capacity_new"].sel(tech=g)) for g in members}
    energy = {g: float(ds["energy_capacity"].sel(tech=g)) for g in members
              if techs[g].has(STORE) and techs[g].duration is None}
    sub = standalone(config, name, sizes=sizes, fixed_energy=energy, profile_scale=factor)
    try:
        solved = _solve(sub)
    except SolveError as exc:
        log.warning("project %s at capacity factor x%.2f: %s", name, factor, exc)
        return float("nan")
    flows = finance.cash_flows(solved, sub, name, capital=(ds, config))
    return finance.npv(flows.wacc, flows.net())


def sweep(ds: xr.Dataset, config, name: str, warm: bool = True) -> tuple[pd.DataFrame, str]:
    """One row per design (the optimiser's first): capacities, NPV, the first levelised cost, status. With
    ``warm`` the project is built once and each design re-solved from the last basis (:class:`_Designs`);
    without, every design is built and solved afresh (the two give the same rows)."""
    project = config.case.projects[name]
    spec, techs = project.finance.sweep, config.technologies
    metric = next(iter(project.finance.levelised), "")
    base = float(ds["capacity"].sel(tech=spec.base))
    shown = [spec.base, *spec.ratios]
    optimum = finance.metrics(finance.cash_flows(ds, config, name))
    rows = [{**{f"capacity_{g}": float(ds["capacity"].sel(tech=g)) for g in shown}, "npv": optimum["npv"],
             "levelised": optimum.get(metric, np.nan), "optimum": True, "status": "optimal"}]
    base_sizes = {spec.base: float(ds["capacity_new"].sel(tech=spec.base))}
    designs = _Designs(config, name, base_sizes, list(spec.ratios)) if warm else None
    for combination in itertools.product(*spec.ratios.values()):
        targets = dict(zip(spec.ratios, (ratio * base for ratio in combination)))
        sizes = {**base_sizes, **{g: max(target - techs[g].capacity, 0.0) for g, target in targets.items()}}
        row = {f"capacity_{g}": techs[g].capacity + sizes[g] for g in shown}
        try:
            sub = standalone(config, name, sizes=sizes)
            solved = designs.solve(sizes, sub) if designs is not None else _solve(sub)
            values = finance.metrics(finance.cash_flows(solved, sub, name))
            row.update(npv=values["npv"], levelised=values.get(metric, np.nan), status="optimal")
        except SolveError as exc:  # e.g. more wind than the 60 % self-consumption rule lets the plant absorb
            row.update(npv=np.nan, levelised=np.nan, status=exc.status)
        rows.append({**row, "optimum": False})
    return pd.DataFrame(rows), metric


class _Designs:
    """The project alone, built and compiled once with the swept technologies' sizes free; each design fixes
    them as column bounds and HiGHS re-solves from the last basis. The optimum is that of the design built
    on its own (a size fixed by bounds or written as a number is the same LP); a design a bound cannot set
    (a swept technology with no build column, or a binary commitment model) is built on its own."""

    def __init__(self, config, name: str, base_sizes: dict[str, float], swept: list[str]):
        self.swept = swept
        model_config = standalone(config, name, sizes=base_sizes)
        self.builder = build_model(build_data(model_config))
        self.lp = None if model_config.case.solver.milp else Persistent(self.builder.m, model_config.case.solver)

    def solve(self, sizes: dict[str, float], sub) -> xr.Dataset:
        build = self.builder.m.build
        if self.lp is None or any(g not in build for g in self.swept):
            return _solve(sub)
        try:
            self.lp.fix([(build[g], sizes[g]) for g in self.swept])
        except KeyError:
            return _solve(sub)
        solution = self.lp.run()
        solution.capacities = capacities(self.builder, solution)
        return to_dataset(self.builder, solution, {"scenario": sub.scenario})


def _solve(config) -> xr.Dataset:
    """Solve a configuration and return its results Dataset (no files)."""
    builder = build_model(build_data(config))
    solution = solve(builder.m, config.case.solver)
    solution.capacities = capacities(builder, solution)
    return to_dataset(builder, solution, {"scenario": config.scenario})
