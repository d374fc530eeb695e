"""Fixed demand: an annual quantity spread over the hours by a shape that sums to one over a year.

    withdrawal[g,t] = annual[g] · shape[g,t]      (flat: annual / 8760)
"""

from __future__ import annotations

import numpy as np

from ..data import HOURS_PER_YEAR
from ..model import ModelBuilder, bus_name

KIND = "demand"


def hourly(b: ModelBuilder, g: str) -> np.ndarray:
    data = b.data
    tech = data.technologies[g]
    if not data.is_active(g):
        return np.zeros(b.n)
    shape = data.profiles[tech.profile] if tech.profile else np.full(b.n, 1.0 / HOURS_PER_YEAR)
    return tech.annual * shape


def add(b: ModelBuilder, techs: list[str]) -> None:
    for g in techs:
        tech = b.data.technologies[g]
        b.add_fixed_flow(bus_name(tech.node, tech.carrier), g, -hourly(b, g))


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    return {"demand": (np.vstack([hourly(b, g) for g in techs]), "MW or t/h")}
