"""Assemble the optimisation model: every family adds its part, then policy and the direct-supply rules, then
balances and objective."""

from __future__ import annotations

from . import direct_supply, policy
from .components import FAMILIES
from .data import ModelData
from .model import ModelBuilder


def build_model(data: ModelData) -> ModelBuilder:
    builder = ModelBuilder(data)
    for kind, family in FAMILIES.items():
        techs = data.modelled(kind)
        if techs:
            family.add(builder, techs)
    policy.add(builder)
    direct_supply.add(builder)
    builder.finish()
    return builder
