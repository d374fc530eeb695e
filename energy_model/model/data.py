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

A pathway has one ModelData per *investment period* (:func:`build_periods`), each with its own
configuration (the period's overrides applied), its snapshots dated in its own year, and its objective
weight; they share the weather year, and representative days are clustered once and repeated in every
period. Capacity built in one period serves the later ones within its life (:mod:`energy_model.model.investment`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from ..case.config import ModelConfig
from ..case.schema import TechnologyBase
from ..case.units import rate_unit
from ..constants import FUEL_FIRED, HOURS_PER_YEAR, PLANT
from ..errors import InputError
from .aggregation import RepresentativeYear, representative_days
from .investment import Kind, Plan, annuity_factor, plan


@dataclass(eq=False)
class ModelData:
    config: ModelConfig
    time: pd.DatetimeIndex
    weights: np.ndarray  # hours each snapshot stands for in annual sums
    profiles: dict[str, np.ndarray] = field(default_factory=dict)
    period: np.ndarray | None = None  # period of each snapshot (contiguous blocks); None = one period
    representative: RepresentativeYear | None = None  # set when the snapshots are representative days
    objective_weight: float = 1.0  # W: discounted years this investment period stands for (a single year: 1)
    periods: list["ModelData"] = field(default_factory=list, repr=False)  # all investment periods; [] = this one
    position: int = 0  # which of them this is
    in_pathway: bool = False  # one of the periods of a pathway (its snapshots moved into its year)
    existing_only: bool = False  # a pathway period in which nothing new is in service (a base year as it stands)
    _plans: dict = field(default_factory=dict, repr=False)

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
        """Hours each snapshot lasts (for storage, ramps and the power of a demand's share), as opposed to the
        hours it stands for (``weights``: more on representative days)."""
        return np.full(len(self.time), float(self.case.time.resolution))

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

    def with_role(self, *roles: str) -> list[str]:
        """Technologies that play any of ``roles`` (constants.GENERATOR, STORE, ...), in or out of service."""
        return [name for name, tech in self.technologies.items() if tech.has(*roles)]

    def modelled_with(self, *roles: str) -> list[str]:
        """Technologies that play any of ``roles`` and exist in the model year."""
        return [name for name in self.with_role(*roles) if self.is_active(name)]

    def modelled(self, kind: str) -> list[str]:
        """Technologies of ``kind`` that exist in the model year: only these get variables and rows."""
        return [name for name in self.of_kind(kind) if self.is_active(name)]

    def amount_unit(self, carrier: str) -> str:
        """The unit a quantity of ``carrier`` is measured in (MWh or t, from case.yaml)."""
        return self.case.carriers[carrier].unit

    def rate_unit(self, carrier: str) -> str:
        """The unit of a flow of ``carrier`` (MW or t/h)."""
        return rate_unit(self.amount_unit(carrier))

    def is_active(self, name: str) -> bool:
        """A technology exists in the model year unless not yet commissioned or already retired."""
        tech = self.technologies[name]
        if tech.commission_year is not None and self.year < tech.commission_year:
            return False
        return tech.retire_year is None or self.year < tech.retire_year

    def build_bounds(self, name: str) -> tuple[float, float]:
        """Bounds on new capacity in service (which pays capex); zero while the technology is inactive."""
        tech = self.technologies[name]
        return (tech.build_min, tech.build_limit()) if self.is_active(name) else (0.0, 0.0)

    def plan(self, kind: Kind, name: str) -> Plan:
        """The builds of ``kind`` of technology ``name`` over all investment periods."""
        key = (kind.name, name)
        if key not in self._plans:
            self._plans[key] = plan(self.periods or [self], kind, name)
        return self._plans[key]

    def is_expandable(self, name: str) -> bool:
        """Whether a decision of the optimiser sets new capacity in service in this period (otherwise it is
        fixed: at build_min in a single year)."""
        return bool(self.plan(BUILD, name).decided(self.position))

    def fixed_capacity(self, name: str) -> float:
        """The part of capacity no decision changes: sunk capacity, plus the builds no decision is left for."""
        if not self.is_active(name):
            return 0.0
        return self.technologies[name].capacity + self.plan(BUILD, name).fixed_in_service(self.position)

    def annuity_factor(self, name: str, life: float | None = None) -> float:
        """Capital recovery factor: the yearly payment per CNY invested over the tech's life (or ``life``)."""
        tech = self.technologies[name]
        rate = tech.discount_rate if tech.discount_rate is not None else self.case.discount_rate
        return annuity_factor(rate, life or tech.life)

    def co2_per_unit(self, name: str) -> float:
        """t CO2 per unit of a conversion's input flow: the CO2 content of each carrier it consumes (its input,
        and any output with a negative ratio) times the amount consumed; 0 for other families, whose
        emissions come from their fuel."""
        tech = self.technologies[name]
        if not tech.has(PLANT):
            return 0.0
        carriers = self.case.carriers
        consumed = {tech.input: 1.0}
        for carrier in tech.outputs:
            if tech.ratio(carrier) < 0:
                consumed[carrier] = consumed.get(carrier, 0.0) - tech.ratio(carrier)
        return sum(carriers[c].co2_factor * amount for c, amount in consumed.items() if c in carriers)

    def is_fossil(self, name: str) -> bool:
        """Burns fossil fuel: a thermal unit on a fossil fuel, or a conversion consuming a carrier with CO2."""
        tech = self.technologies[name]
        if tech.has(FUEL_FIRED):
            return self.case.fuels[tech.fuel].fossil
        return self.co2_per_unit(name) > 0

    def series(self, value: float | str | None) -> np.ndarray:
        """A number or a profile name as an array over the snapshots."""
        if value is None:
            return np.zeros(len(self.time))
        if isinstance(value, str):
            return self.profiles[value]
        return np.full(len(self.time), float(value))


BUILD = Kind("build", "new capacity", bounds=lambda data, g: data.build_bounds(g),
             capex=lambda tech: tech.capex_per_capacity(), life=lambda tech: tech.life,
             annual=lambda tech: tech.capital_cost)


def build_data(config: ModelConfig) -> ModelData:
    """The data of a single-year run (a configuration without a pathway)."""
    time_config = config.case.time
    steps = time_config.steps
    frame = config.timeseries.iloc[:steps]
    if time_config.representative_days.days is not None:
        year = _cluster(config)
        return ModelData(config=config, time=year.time, weights=year.weights, profiles=year.profiles,
                         period=year.period, representative=year)
    time = pd.date_range(time_config.start, periods=steps, freq=f"{time_config.resolution}h")
    profiles = {column: frame[column].to_numpy(dtype=float) for column in frame.columns}
    return ModelData(config=config, time=time, weights=np.full(steps, float(time_config.resolution)),
                     profiles=profiles)


def build_periods(config: ModelConfig) -> list[ModelData]:
    """One ModelData per investment period: the single year, or each period of the pathway.

    A period's snapshots are the weather year's, moved into the period's year by whole days (so that
    time stamps stay unique across periods); its profiles are its own configuration's (which may scale a
    column). Representative days are clustered once on the scenario's series and repeated in every
    period: a period's profile is the clustered one times the period's scaling of that column.
    """
    configs = config.period_configs()
    pathway = config.case.pathway
    weights = pathway.weights(config.case.discount_rate) if pathway is not None else {config.case.year: 1.0}
    clustered = _cluster(config, configs.values()) if config.case.time.representative_days.days else None
    periods = []
    for position, (year, period_config) in enumerate(configs.items()):
        data = build_data(period_config) if clustered is None else _repeat(period_config, clustered, config)
        if pathway is not None:
            data = _move_to_year(data, year)
        existing_only = pathway is not None and pathway.periods[year].existing_only
        periods.append(replace(data, objective_weight=weights[year], position=position, in_pathway=pathway is not None,
                               existing_only=existing_only, _plans={}))
    for data in periods:
        data.periods = periods
    stamps = pd.DatetimeIndex(np.concatenate([data.time.values for data in periods]))
    if not stamps.is_unique:
        raise InputError([f"{config.case_dir / 'case.yaml'}: pathway: the snapshots of two periods overlap (first "
                          f"at {stamps[stamps.duplicated()][0]}); a period's horizon (time.hours from time.start, "
                          f"moved into its year) must end before the next period begins"])
    return periods


def _cluster(config: ModelConfig, configs=()) -> RepresentativeYear:
    """Representative days of the configuration's series, steered by the columns its technologies (and those
    of ``configs``) read."""
    time_config = config.case.time
    frame = config.timeseries.iloc[: time_config.hours]
    used = {value for c in (config, *configs) for tech in c.technologies.values()
            for value in tech.model_dump().values() if isinstance(value, str) and value in frame.columns}
    return representative_days(frame, time_config.start, time_config.representative_days, used)


def _repeat(config: ModelConfig, clustered: RepresentativeYear, clustered_from: ModelConfig) -> ModelData:
    """The clustered days with this configuration's profiles: each column scaled as the configuration
    scales it against the one clustered (a timeseries override is a scale factor)."""
    hours = config.case.time.hours
    frame, base_frame = config.timeseries.iloc[:hours], clustered_from.timeseries.iloc[:hours]
    profiles = {}
    for column, values in clustered.profiles.items():
        base = base_frame[column].to_numpy(dtype=float)
        own = frame[column].to_numpy(dtype=float)
        factor = float(own.sum() / base.sum()) if base.sum() else 1.0
        if not np.allclose(own, factor * base):
            raise InputError([f"timeseries column '{column}' differs between the periods other than by a scale "
                              f"factor; representative days are clustered once for all periods"])
        profiles[column] = values * factor
    year = replace(clustered, profiles=profiles)
    return ModelData(config=config, time=year.time, weights=year.weights, profiles=profiles, period=year.period,
                     representative=year)


def _move_to_year(data: ModelData, year: int) -> ModelData:
    """``data`` with its snapshots (and representative days' dates) moved by whole days into ``year``."""
    first = data.time[0]
    offset = pd.Timestamp(year=year, month=1, day=1) - pd.Timestamp(year=first.year, month=1, day=1)
    representative = data.representative
    if representative is not None:
        representative = replace(representative, time=representative.time + offset,
                                 days=representative.days + offset)
    return replace(data, time=data.time + offset, representative=representative)
