"""Turn a validated configuration into the arrays the model is built from.

Everything time-dependent becomes a numpy array over the snapshots, everything per technology a
number, so the model stage never touches YAML, units or pandas parsing. Snapshot weights (hours each
snapshot stands for) are carried from the start: 1 for an hourly year, the cluster size for
representative days.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .config import ModelConfig
from .finance import annuity_factor
from .schema import TechnologyBase

HOURS_PER_YEAR = 8760.0


@dataclass
class ModelData:
    config: ModelConfig
    time: pd.DatetimeIndex
    weights: np.ndarray  # hours each snapshot stands for
    profiles: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def case(self):
        return self.config.case

    @property
    def technologies(self) -> dict[str, TechnologyBase]:
        return self.config.technologies

    @property
    def year(self) -> int:
        return self.case.year

    @property
    def year_fraction(self) -> float:
        """Share of a year the snapshots cover: annual costs and limits are prorated by it."""
        return float(self.weights.sum()) / HOURS_PER_YEAR

    def of_kind(self, kind: str) -> list[str]:
        return [name for name, tech in self.technologies.items() if tech.kind == kind]

    def is_active(self, name: str) -> bool:
        """A technology exists in the model year unless not yet commissioned or already retired."""
        tech = self.technologies[name]
        if tech.commission_year is not None and self.year < tech.commission_year:
            return False
        return tech.retire_year is None or self.year < tech.retire_year

    def build_bounds(self, name: str) -> tuple[float, float]:
        """Bounds on new capacity (which pays capex); zero while the technology is inactive."""
        tech = self.technologies[name]
        return (tech.build_min, tech.build_max) if self.is_active(name) else (0.0, 0.0)

    def is_expandable(self, name: str) -> bool:
        """Whether the optimiser chooses the new capacity (otherwise it is fixed at build_min)."""
        low, high = self.build_bounds(name)
        return high > low

    def fixed_capacity(self, name: str) -> float:
        """The part of capacity no decision changes: sunk capacity, plus the build if it is forced."""
        if not self.is_active(name):
            return 0.0
        tech = self.technologies[name]
        return tech.capacity + (0.0 if self.is_expandable(name) else tech.build_min)

    def annuity_factor(self, name: str, life: float | None = None) -> float:
        """Capital recovery factor: the yearly payment per CNY invested over the tech's life (or ``life``)."""
        return annuity_factor(self.case.discount_rate, life or self.technologies[name].life)

    def series(self, value: float | str | None) -> np.ndarray:
        """A number or a profile name as an array over the snapshots."""
        if value is None:
            return np.zeros(len(self.time))
        if isinstance(value, str):
            return self.profiles[value]
        return np.full(len(self.time), float(value))


def build_data(config: ModelConfig) -> ModelData:
    hours = config.case.time.hours
    time = pd.date_range(config.case.time.start, periods=hours, freq="h")
    frame = config.timeseries.iloc[:hours]
    profiles = {column: frame[column].to_numpy(dtype=float) for column in frame.columns}
    return ModelData(config=config, time=time, weights=np.ones(hours), profiles=profiles)
