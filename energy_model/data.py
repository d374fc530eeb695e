"""Turn a validated configuration into the arrays the model is built from.

Everything time-dependent becomes a numpy array over the snapshots, everything per technology a
number, so the model stage never touches YAML, units or pandas parsing. Snapshot weights (hours each
snapshot stands for in annual sums: costs, energies) are carried from the start: 1 for an hourly year,
the number of days a representative day stands for otherwise.

Snapshots fall into *periods* that wrap around: the whole horizon is one period, each representative
day is one. Every inter-temporal constraint (storage balance, start-ups, ramps) looks back with
:meth:`ModelData.shift`, which stays inside the period, so no family special-cases day boundaries.
When the periods are representative days, ``sequence`` gives the day standing for each original day,
which storage uses to carry energy across days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from .aggregation import RepresentativeYear, representative_days
from .config import ModelConfig
from .finance import annuity_factor
from .schema import TechnologyBase

HOURS_PER_YEAR = 8760.0


@dataclass
class ModelData:
    config: ModelConfig
    time: pd.DatetimeIndex
    weights: np.ndarray  # hours each snapshot stands for in annual sums
    profiles: dict[str, np.ndarray] = field(default_factory=dict)
    period: np.ndarray | None = None  # period of each snapshot (contiguous blocks); None = one period
    representative: RepresentativeYear | None = None  # set when the snapshots are representative days

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

    @cached_property
    def durations(self) -> np.ndarray:
        """Hours each snapshot lasts (for storage and ramps), as opposed to the hours it stands for."""
        return np.ones(len(self.time))

    @cached_property
    def period_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """First snapshot and length of the period each snapshot belongs to."""
        n = len(self.time)
        if self.period is None:
            return np.zeros(n, dtype=np.int64), np.full(n, n, dtype=np.int64)
        starts = np.flatnonzero(np.r_[True, np.diff(self.period) != 0])
        lengths = np.diff(np.r_[starts, n])
        which = np.repeat(np.arange(len(starts)), lengths)
        return starts[which], lengths[which]

    def shift(self, steps: int) -> np.ndarray:
        """Index of the snapshot ``steps`` earlier in the same period, wrapping around within the period."""
        start, length = self.period_bounds
        t = np.arange(len(self.time))
        return start + (t - start - steps) % length

    @cached_property
    def previous(self) -> np.ndarray:
        """The snapshot before each snapshot in its period (cyclic): t−1 for all but a period's first."""
        return self.shift(1)

    @property
    def is_period_start(self) -> np.ndarray:
        start, _ = self.period_bounds
        return start == np.arange(len(self.time))

    def of_kind(self, kind: str) -> list[str]:
        return [name for name, tech in self.technologies.items() if tech.kind == kind]

    def modelled(self, kind: str) -> list[str]:
        """Technologies of ``kind`` that exist in the model year: only these get variables and rows."""
        return [name for name in self.of_kind(kind) if self.is_active(name)]

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
    time_config = config.case.time
    hours = time_config.hours
    frame = config.timeseries.iloc[:hours]
    if time_config.representative_days.days is not None:
        used = {value for tech in config.technologies.values() for value in tech.model_dump().values()
                if isinstance(value, str) and value in frame.columns}
        year = representative_days(frame, time_config.start, time_config.representative_days, used)
        return ModelData(config=config, time=year.time, weights=year.weights, profiles=year.profiles,
                         period=year.period, representative=year)
    time = pd.date_range(time_config.start, periods=hours, freq="h")
    profiles = {column: frame[column].to_numpy(dtype=float) for column in frame.columns}
    return ModelData(config=config, time=time, weights=np.ones(hours), profiles=profiles)
