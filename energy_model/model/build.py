"""Assemble the optimisation model: every family adds its part, then policy and the direct-supply rules, then
balances and objective; in a pathway once per investment period, each on its own block."""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from . import certification, direct_supply, policy, security
from .builder import ModelBuilder
from .components import FAMILIES
from .data import ModelData
from .gc_pause import collector_paused


@dataclass
class Model:
    """The model of a run: ``m`` to solve and one builder per investment period (one for a single year)."""

    m: pyo.ConcreteModel
    periods: list[ModelBuilder]

    @property
    def pathway(self) -> bool:
        return self.periods[0].m is not self.m


def build_model(data: ModelData) -> ModelBuilder:
    """The model of a single year (``data`` without a pathway): its one builder, ``m`` the whole model."""
    return build([data]).periods[0]


def build(periods: list[ModelData], pathway: bool = False) -> Model:
    """One builder per investment period; with ``pathway`` each on the block ``period[year]`` of one model,
    whose objective is Σ_y W_y · (costs of period y)."""
    with collector_paused():  # millions of objects, none of them garbage yet
        m = pyo.ConcreteModel(name=periods[0].case.name) if pathway else None
        if pathway:
            m.period = pyo.Block([data.year for data in periods])
        builders: list[ModelBuilder] = []
        for data in periods:
            builder = ModelBuilder(data, m.period[data.year] if pathway else None, earlier=builders)
            for kind, family in FAMILIES.items():
                techs = data.modelled(kind)
                if techs:
                    family.add(builder, techs)
            policy.add(builder)
            security.add(builder)
            direct_supply.add(builder)
            certification.add(builder)
            builder.finish(objective=not pathway)
            builders.append(builder)
        if pathway:
            m.objective = pyo.Objective(expr=pyo.quicksum(
                b.objective_expr(b.data.objective_weight) for b in builders), sense=pyo.minimize)
    return Model(m if pathway else builders[0].m, builders)
