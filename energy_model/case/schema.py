"""The input schema: what a case folder may say, in which units, within which ranges.

One pydantic model per technology kind, picked by its ``kind`` field. Canonical units are named in
each field's ``description`` and enforced by :mod:`energy_model.case.units`; capacities are in MW for
energy carriers (MWh) and in t/h for mass carriers (t). Unknown keys are errors, so a typo never
silently falls back to a default. Validation is strict: a boolean is not a number, ``.nan`` and ``.inf``
are not values, and names must be usable in dotted override paths and bus names.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import importlib.util
import math
import re
import typing
from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal, Union, get_args

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import core_schema

from ..constants import (
    FUEL_FIRED,
    GENERATOR,
    HOURS_PER_YEAR,
    LOAD,
    MARKET,
    PLANT,
    RENEWABLE,
    STORE,
    TRANSFER,
)
from .units import apparent_to_real, convert


def quantity(*canonical: str):
    """A float field that also accepts ``"number unit"`` strings in one of ``canonical``."""
    return BeforeValidator(lambda v: v if v is None else convert(v, canonical))


@dataclass(frozen=True)
class CarrierQuantity:
    """A quantity measured in the technology's own carrier: ``energy`` unit for MWh carriers, ``mass`` for t.

    It converts like :func:`quantity` and marks the field, so that the loader can check a unit written
    in the input (``"100 MW"`` on a hydrogen plant) against the carrier's unit. ``names`` lets the field
    also hold a profile name instead of a number.
    """

    energy: str
    mass: str
    names: bool = False

    def convert(self, value):
        if value is None or (self.names and isinstance(value, str) and not _NUMBER_START.match(value)):
            return value
        return convert(value, (self.energy, self.mass))

    def __get_pydantic_core_schema__(self, source, handler):
        return core_schema.no_info_before_validator_function(self.convert, handler(source))


_NUMBER_START = re.compile(r"^\s*[-+]?(\d|\.\d)")


def carrier_quantities(model: type[BaseModel]) -> dict[str, CarrierQuantity]:
    """Fields of ``model`` marked :class:`CarrierQuantity` (also inside ``X | None``)."""

    def find(metadata, annotation):
        for item in metadata:
            if isinstance(item, CarrierQuantity):
                return item
        for arg in typing.get_args(annotation):
            found = find(getattr(arg, "__metadata__", ()), arg)
            if found:
                return found
        return None

    found = {name: find(info.metadata, info.annotation) for name, info in model.model_fields.items()}
    return {name: marker for name, marker in found.items() if marker}


_NAME = re.compile(r"^\w[\w-]*$")


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError("a name may hold letters, digits, '_' and '-' only "
                         "('.' separates override paths, '/' node and carrier in bus names)")
    return name


def _check_tech_name(name: str) -> str:
    if name == "system":
        raise ValueError("'system' is reserved: results use it as the owner of system-wide costs")
    return _check_name(name)


Name = Annotated[str, AfterValidator(_check_name)]
TechName = Annotated[str, AfterValidator(_check_tech_name)]


def _timestamp(value) -> str:
    """A date and time as ``YYYY-MM-DD HH:MM``; YAML may give a string, a date or a datetime."""
    if isinstance(value, (datetime.date, str)):
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError):
            stamp = pd.NaT
        if not pd.isna(stamp) and stamp.tzinfo is None:
            return stamp.strftime("%Y-%m-%d %H:%M")
    raise ValueError("expected a local date and time such as '2030-01-01 00:00'")


Capacity = Annotated[float, CarrierQuantity("MW", "t/h"), Field(ge=0)]

Money = Annotated[float, quantity("CNY"), Field(ge=0)]
CapexPerUnit = Annotated[float, CarrierQuantity("CNY/MW", "CNY*h/t"), Field(ge=0)]
FomPerUnit = Annotated[float, CarrierQuantity("CNY/MW/yr", "CNY*h/t/yr"), Field(ge=0)]
CostPerOutput = Annotated[float, CarrierQuantity("CNY/MWh", "CNY/t"), Field(ge=0)]
CarrierAmount = Annotated[float, CarrierQuantity("MWh", "t"), Field(ge=0)]
CarrierPerYear = Annotated[float, CarrierQuantity("MWh/yr", "t/yr"), Field(ge=0)]
Fraction = Annotated[float, quantity(""), Field(ge=0, le=1)]
Efficiency = Annotated[float, quantity(""), Field(gt=0, le=1)]
Years = Annotated[float, Field(gt=0, le=100)]
Year = Annotated[int, Field(ge=1950, le=2100)]
PriceOrProfile = Annotated[float | str, CarrierQuantity("CNY/MWh", "CNY/t", names=True)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True, strict=True, allow_inf_nan=False)


class TechnologyBase(Strict):
    """Fields every technology has: where it is, how much exists, what more may be built at what cost."""

    kind: str
    node: str = Field(description="node the technology sits at")
    label_zh: str = Field("", description="Chinese name for reports")
    description: str = ""
    group: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")] | None = Field(
        None, description="report group: technologies of a group share a colour family and, among renewables, one "
                          "legend entry in stacked charts (e.g. wind, pv); default: the family's role")
    color: Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")] | None = Field(
        None, description="the technology's own colour in charts ('#1f6fb4'); default: a shade of its group's")
    capacity: Capacity = Field(0.0, description="fixed capacity present in the model year [MW or t/h]; sunk, no capex")
    build_min: Capacity = Field(0.0, description="new capacity that must be in service in the model year [MW or "
                                                 "t/h] (in a pathway: built in that period or earlier, within its "
                                                 "life); pays capex")
    build_max: Capacity | None = Field(0.0, description="upper bound on new capacity in service [MW or t/h]; "
                                                        "0 = not expandable; null = no bound (the cost bounds it)")
    capex: CapexPerUnit = Field(0.0, description="overnight investment [CNY/MW or CNY per t/h]")
    fom: FomPerUnit = Field(0.0, description="fixed O&M on all capacity [CNY/MW/yr]")
    vom: CostPerOutput = Field(0.0, description="variable O&M per unit of main flow [CNY/MWh or CNY/t]")
    life: Years = Field(25.0, description="economic life for the annuity [years]")
    capital_cost: Annotated[float, quantity("CNY/MW/yr"), Field(ge=0)] | None = Field(
        None, description="annualised investment per unit of new capacity [CNY/MW/yr] (PyPSA's capital_cost), "
                          "instead of capex, life and the discount rate")
    discount_rate: Annotated[float, Field(ge=0, le=0.5)] | None = Field(
        None, description="this technology's own rate for its annuity (a project-financed asset); default the "
                          "case's discount_rate")
    commission_year: Year | None = Field(None, description="first year the fixed capacity operates")
    retire_year: Year | None = Field(None, description="first year the fixed capacity no longer operates")
    sources: dict[str, str] = Field(default_factory=dict, description="field -> source of its number")

    @model_validator(mode="after")
    def _check_bounds(self):
        if self.build_max is not None and self.build_min > self.build_max:
            raise ValueError(f"build_min ({self.build_min}) is above build_max ({self.build_max})")
        if self.capital_cost is not None and self.capex > 0:
            raise ValueError("capex and capital_cost are both given: give one (capital_cost is already annualised)")
        if self.capital_cost is not None and self.discount_rate is not None:
            raise ValueError("discount_rate with capital_cost: capital_cost is already an annuity, so the rate would "
                             "be ignored; give capex with discount_rate instead, or drop it (life still sets how "
                             "long a build stays in service)")
        if (self.capex > 0 or self.capital_cost) and not self.model_fields_set & {"build_max", "build_min", "capacity"}:
            raise ValueError(f"capex ({self.capex:g}) or capital_cost is given but no capacity, build_min or "
                             "build_max: the technology can never exist, so its cost means nothing; give build_max "
                             "(the most that may be built)")
        if self.commission_year and self.retire_year and self.retire_year <= self.commission_year:
            raise ValueError(
                f"retire_year ({self.retire_year}) must come after commission_year ({self.commission_year})"
            )
        return self

    ROLES: ClassVar[frozenset[str]] = frozenset()  # what the family does, asked instead of its kind

    def has(self, *roles: str) -> bool:
        """Whether the technology plays any of ``roles`` (constants.GENERATOR, STORE, ...)."""
        return not self.ROLES.isdisjoint(roles)

    def balances(self) -> set[tuple[str, str]]:
        """The (node, carrier) balances the technology enters."""
        return {(self.node, self.carrier)}

    def capex_per_capacity(self) -> float:
        """Investment per unit of new capacity (a family whose other sizes follow capacity adds theirs)."""
        return self.capex

    def build_limit(self) -> float:
        """Upper bound on new capacity in service, from every limit the technology states (inf: none)."""
        return math.inf if self.build_max is None else self.build_max


class Renewable(TechnologyBase):
    """Variable renewable: output up to capacity × hourly capacity factor; the rest is curtailed."""

    kind: Literal["renewable"]
    ROLES: ClassVar[frozenset[str]] = frozenset({GENERATOR, RENEWABLE})
    carrier: str = "electricity"
    profile: str = Field(description="name of a capacity-factor column in timeseries/*.csv")
    fossil: Literal[False] = False
    must_take: bool = Field(False, description="output fixed to the profile (no curtailment): the grid takes it all")


class Thermal(TechnologyBase):
    """Dispatchable fuel-fired unit (one real unit per technology): commitment, ramps, start-ups, optional
    heat extraction (CHP) and an optional flexibility retrofit. Equations: components/thermal.py."""

    kind: Literal["thermal"]
    ROLES: ClassVar[frozenset[str]] = frozenset({GENERATOR, FUEL_FIRED})
    carrier: str = "electricity"
    fuel: str = Field(description="name of a fuel in case.yaml")
    heat_rate: Annotated[float, quantity("t/MWh"), Field(gt=0)] = Field(
        description="fuel per MWh of net output in condensing mode [t fuel/MWh], e.g. '305 gce/kWh'"
    )
    min_load: Fraction = Field(0.0, description="minimum stable output as a share of committed capacity")
    start_cost: Annotated[float, quantity("CNY/MW"), Field(ge=0)] = Field(
        0.0, description="non-fuel cost per MW started up (wear, water, chemicals) [CNY/MW]"
    )
    start_fuel: Annotated[float, quantity("t/MW"), Field(ge=0)] = Field(
        0.0, description="fuel burnt per MW started up [t fuel/MW], e.g. '0.3 tce/MW'"
    )
    ramp_rate: Fraction | None = Field(None, description="max change of output per hour, share of capacity")
    no_load_fuel: Fraction = Field(0.0, description="share of the full-load fuel a committed MW burns at zero "
                                                    "output: fuel = heat_rate x (a x committed + (1 - a) x output)")
    co2_benchmark: Annotated[float, quantity("t/MWh"), Field(ge=0)] | None = Field(
        None, description="free allocation of the national ETS per MWh of output [t CO2/MWh]; used when "
                          "policy.co2_pricing is ets_benchmark")
    min_up_time: Annotated[int, Field(ge=0, le=168)] = Field(0, description="hours a unit stays on once started [h]")
    min_down_time: Annotated[int, Field(ge=0, le=168)] = Field(0, description="hours a unit stays off once shut [h]")
    heat_carrier: str | None = Field(None, description="carrier of extracted heat: makes the unit an extraction CHP")
    heat_max: Annotated[float, Field(gt=0, le=3)] | None = Field(
        None, description="maximum heat extraction per MW of committed capacity [MW heat/MW]"
    )
    power_loss_ratio: Annotated[float, Field(ge=0, le=1)] = Field(
        0.0, description="c_v: electric output lost per MW of heat extracted at constant fuel input"
    )
    back_pressure_ratio: Annotated[float, Field(ge=0, le=5)] = Field(
        0.0, description="c_m: minimum electric output per MW of heat extracted (back-pressure line)"
    )
    retrofit_min_load: Fraction | None = Field(
        None, description="minimum load after a flexibility retrofit; the retrofit is then an investment option"
    )
    retrofit_capex: Annotated[float, quantity("CNY/MW"), Field(ge=0)] = Field(
        0.0, description="retrofit investment per MW of regulating range gained, i.e. per MW of "
                         "(min_load - retrofit_min_load) x capacity [CNY/MW]"
    )
    retrofit_life: Years = Field(15.0, description="economic life of the retrofit [years]")

    def balances(self) -> set[tuple[str, str]]:
        return {(self.node, self.carrier)} | ({(self.node, self.heat_carrier)} if self.heat_carrier else set())

    @model_validator(mode="after")
    def _check_options(self):
        if self.heat_carrier is None and (self.heat_max is not None or self.power_loss_ratio or self.back_pressure_ratio):
            raise ValueError("heat_max, power_loss_ratio and back_pressure_ratio need a heat_carrier")
        if self.heat_carrier is not None and self.heat_max is None:
            raise ValueError(f"heat_carrier '{self.heat_carrier}' needs heat_max (heat per MW committed)")
        if self.heat_carrier is not None and self.heat_carrier == self.carrier:
            raise ValueError("heat_carrier must differ from carrier")
        if self.retrofit_min_load is None and self.model_fields_set & {"retrofit_capex", "retrofit_life"}:
            given = sorted(self.model_fields_set & {"retrofit_capex", "retrofit_life"})
            raise ValueError(f"{' and '.join(given)} without retrofit_min_load: there is no retrofit to cost; give "
                             "retrofit_min_load (the minimum load after the retrofit) or drop them")
        if self.retrofit_min_load is not None and self.retrofit_min_load >= self.min_load:
            raise ValueError(f"retrofit_min_load ({self.retrofit_min_load}) must be below min_load ({self.min_load})")
        return self


class Storage(TechnologyBase):
    """Store with power (``capacity``) and energy (``energy_capacity``) sized separately or at fixed duration."""

    kind: Literal["storage"]
    ROLES: ClassVar[frozenset[str]] = frozenset({STORE})
    carrier: str = "electricity"
    energy_capacity: CarrierAmount = Field(0.0, description="fixed energy capacity [MWh or t]")
    duration: Annotated[float, Field(gt=0)] | None = Field(
        None, description="fixed energy/power ratio [h]; if set, energy follows power"
    )
    build_max_energy: CarrierAmount = 0.0
    capex_energy: Annotated[float, CarrierQuantity("CNY/MWh", "CNY/t"), Field(ge=0)] = Field(
        0.0, description="investment per unit of energy capacity [CNY/MWh]"
    )
    efficiency_charge: Efficiency = 1.0
    efficiency_discharge: Efficiency = 1.0
    standing_loss: Fraction = Field(0.0, description="share of the stored energy lost per hour")
    initial_level: Fraction | None = Field(
        None, description="level at the start of the horizon, share of the energy capacity; omitted: cyclic")
    final_level: Fraction | None = Field(
        None, description="level at least this share of the energy capacity at the end of the horizon")
    vom_charge: CostPerOutput = Field(0.0, description="cost per unit charged [CNY/MWh or CNY/t]")
    min_duration: Annotated[float, Field(gt=0)] | None = Field(
        None, description="energy at least this many hours of power when energy is sized apart [h]")
    max_duration: Annotated[float, Field(gt=0)] | None = Field(
        None, description="energy at most this many hours of power when energy is sized apart [h]")
    charge_capacity: Capacity = Field(0.0, description="a charging rating of its own, fixed [MW or t/h]")
    build_max_charge: Capacity = Field(0.0, description="new charging rating that may be built [MW or t/h]")
    capex_charge: CapexPerUnit = Field(0.0, description="investment per unit of charging rating [CNY/MW]")

    def separate_charge_rating(self) -> bool:
        """Charging limited by a rating of its own (charge_capacity, build_max_charge) rather than by capacity."""
        return bool(self.model_fields_set & {"charge_capacity", "build_max_charge"})

    @model_validator(mode="after")
    def _check_duration(self):
        """With a fixed ``duration`` energy follows power, e = duration·cap: ``capex_energy`` then prices that
        energy (capex + duration·capex_energy per unit of power) and ``build_max_energy`` bounds it
        (cap_new ≤ build_max_energy / duration); a fixed ``energy_capacity`` would contradict it."""
        # as capex without build_max (TechnologyBase): a cost of something that can never be built, unless the
        # bound is written (a scenario that sets it to 0 switches the option off on purpose)
        if self.capex_charge > 0 and "build_max_charge" not in self.model_fields_set:
            raise ValueError(f"capex_charge ({self.capex_charge:g}) but no build_max_charge: no charging rating can "
                             "be built, so its cost means nothing; give build_max_charge")
        if self.duration is None:
            if self.capex_energy > 0 and "build_max_energy" not in self.model_fields_set:
                raise ValueError(f"capex_energy ({self.capex_energy:g}) but no build_max_energy: no energy capacity "
                                 "can be built, so its cost means nothing; give build_max_energy (or a duration, "
                                 "for energy that follows power)")
            if self.min_duration is not None and self.max_duration is not None and self.min_duration > self.max_duration:
                raise ValueError(f"min_duration ({self.min_duration:g} h) is above max_duration ({self.max_duration:g} h)")
            return self
        if self.min_duration is not None or self.max_duration is not None:
            raise ValueError("min_duration or max_duration with a fixed duration: give one or the other")
        if "energy_capacity" in self.model_fields_set:
            raise ValueError(f"energy_capacity ({self.energy_capacity:g}) and duration ({self.duration:g} h) are both "
                             "given: with a fixed duration the energy follows the power (duration x capacity); "
                             "drop energy_capacity, or drop duration to size energy on its own")
        if self.build_min > self.build_limit() * (1 + 1e-9):
            raise ValueError(f"build_min ({self.build_min:g}) at duration {self.duration:g} h needs "
                             f"{self.build_min * self.duration:g} of new energy, above build_max_energy "
                             f"({self.build_max_energy:g})")
        return self

    def capex_per_capacity(self) -> float:
        return self.capex + (self.duration * self.capex_energy if self.duration is not None else 0.0)

    def build_limit(self) -> float:
        if self.duration is not None and "build_max_energy" in self.model_fields_set:
            return min(super().build_limit(), self.build_max_energy / self.duration)
        return super().build_limit()


class Conversion(TechnologyBase):
    """Converts one input carrier into outputs at fixed ratios; capacity is on the input flow.

    Operation: ``must_run`` plants never stop (committed capacity = capacity, so ``min_load`` is an
    always-on floor: steady synthesis); plants with a ``start_cost`` commit capacity hour by hour and run
    between ``min_load`` and all of what is committed (electrolysers). ``ramp_rate`` limits the hourly change.
    """

    kind: Literal["conversion"]
    ROLES: ClassVar[frozenset[str]] = frozenset({PLANT})
    input: str = Field(description="carrier consumed; capacity is measured on this flow")
    outputs: dict[str, float] = Field(
        description="carrier -> units produced per unit of process input (negative: a further input)"
    )
    product: str | None = Field(
        None, description="main output, the one levelised costs and the plan audit are per unit of; needed "
                          "when there are several positive outputs (the others are by-products)")
    input_share: Efficiency = Field(
        1.0, description="share of the process input drawn from `input`; the rest comes from outside the model "
                         "(e.g. the gas part of a hybrid glass furnace). Ratios are per unit of process input, "
                         "so per unit of `input` they are divided by this share")
    min_load: Fraction = Field(0.0, description="minimum input as a share of committed capacity")
    must_run: bool = Field(False, description="never stops: min_load is a floor on capacity in every hour")
    start_cost: Annotated[float, CarrierQuantity("CNY/MW", "CNY*h/t"), Field(ge=0)] = Field(
        0.0, description="cost per unit of capacity started up [CNY/MW or CNY per t/h]")
    ramp_rate: Fraction | None = Field(None, description="max change of input per hour, share of capacity")

    @model_validator(mode="after")
    def _check_operation(self):
        positive = [c for c, ratio in self.outputs.items() if ratio > 0]
        if not positive:
            raise ValueError("outputs must contain at least one positive ratio (a product)")
        if self.product is None and len(positive) > 1:
            raise ValueError(f"several outputs {positive}: name the main one in `product` (the others are by-products)")
        if self.product is None:
            self.product = positive[0]
        elif self.product not in positive:
            raise ValueError(f"product '{self.product}' must be one of the positive outputs {positive}")
        if self.must_run and self.start_cost > 0:
            raise ValueError(f"start_cost ({self.start_cost:g}) on a must_run plant, which never stops, so never pays "
                             "it; drop one of them")
        if self.min_load > 0 and not self.must_run and self.start_cost == 0:
            raise ValueError("min_load without must_run or start_cost does not bind in a linear model: set "
                             "must_run: true for an always-on floor, or a start_cost for a plant that may stop")
        return self

    def balances(self) -> set[tuple[str, str]]:
        return {(self.node, self.input)} | {(self.node, carrier) for carrier in self.outputs}

    def ratio(self, carrier: str) -> float:
        """Units of ``carrier`` out (negative: in) per unit of ``input`` drawn."""
        return self.outputs.get(carrier, 0.0) / self.input_share


class Demand(TechnologyBase):
    """A load or a product off-take.

    Fixed: ``annual`` spread over the hours by ``profile`` (flat if omitted). Flexible: the optimiser
    chooses the hours between ``min_hourly`` and ``max_hourly``, and either delivers ``annual`` in total
    (a quantity to deliver) or takes as much as pays at ``price`` (a product with a sale price).
    """

    kind: Literal["demand"]
    ROLES: ClassVar[frozenset[str]] = frozenset({LOAD})
    carrier: str = "electricity"
    annual: CarrierPerYear | None = Field(None, description="annual quantity [MWh/yr or t/yr], e.g. '5 TWh/yr'")
    profile: str | None = Field(None, description="shape column in timeseries/*.csv; flat if omitted")
    flexible: bool = Field(False, description="hours chosen by the optimiser within the hourly bounds")
    min_hourly: Capacity = Field(0.0, description="flexible: least taken in every hour [MW or t/h]")
    max_hourly: Capacity | None = Field(None, description="flexible: most taken in any hour [MW or t/h]")
    price: PriceOrProfile | None = Field(
        None, description="flexible: sale price per unit taken [CNY/MWh or CNY/t], instead of `annual`")

    @model_validator(mode="after")
    def _check_mode(self):
        if not self.flexible:
            if self.annual is None:
                raise ValueError("a fixed demand needs `annual`")
            extra = [name for name in ("price", "max_hourly") if getattr(self, name) is not None]
            extra += ["min_hourly"] if self.min_hourly else []
            if extra:
                raise ValueError(f"{', '.join(extra)} only apply to a flexible demand (flexible: true)")
            return self
        if (self.annual is None) == (self.price is None):
            raise ValueError("a flexible demand needs exactly one of `annual` (a quantity to deliver) "
                             "and `price` (a sale price)")
        if self.profile is not None:
            raise ValueError("a flexible demand has no profile: its hours are chosen within min/max_hourly")
        if self.max_hourly is not None and self.max_hourly < self.min_hourly:
            raise ValueError(f"max_hourly ({self.max_hourly:g}) is below min_hourly ({self.min_hourly:g})")
        if self.annual is not None:
            if self.max_hourly is not None and self.max_hourly * HOURS_PER_YEAR < self.annual * (1 - 1e-9):
                raise ValueError(f"annual ({self.annual:g}) exceeds max_hourly x 8760 h "
                                 f"({self.max_hourly * HOURS_PER_YEAR:g}): it cannot be delivered")
            if self.min_hourly * HOURS_PER_YEAR > self.annual * (1 + 1e-9):
                raise ValueError(f"min_hourly x 8760 h ({self.min_hourly * HOURS_PER_YEAR:g}) exceeds annual "
                                 f"({self.annual:g})")
        return self


class ExportTranche(Strict):
    share: Annotated[float, Field(gt=0, le=1)] = Field(description="share of the connection capacity")
    discount: Annotated[float, quantity("CNY/MWh"), Field(ge=0)] = Field(
        0.0, description="taken off the export price for energy sold in this tranche [CNY/MWh or CNY/t]")


class Market(TechnologyBase):
    """Trade with the outside (the provincial grid, a product market) through a capacity-limited connection.

    A substation is rated in apparent power: with ``power_factor`` set, ``capacity``, ``import_capacity``,
    ``build_min`` and ``build_max`` may be written in MVA (``"2000 MVA"``) and ``capex``/``fom`` per MVA;
    they are turned into MW (MVA × power factor) at load time, so the model only ever sees real power.
    """

    kind: Literal["market"]
    ROLES: ClassVar[frozenset[str]] = frozenset({MARKET})
    carrier: str = "electricity"
    import_capacity: Capacity | None = Field(None, description="import limit if different from capacity [MW]")
    export_price: PriceOrProfile = Field(0.0, description="revenue per unit sold: a number or a profile name")
    import_price: PriceOrProfile | None = Field(None, description="cost per unit bought; no import if omitted")
    min_annual_export: CarrierPerYear = 0.0
    capacity_charge: Annotated[float, quantity("CNY/MW/yr"), Field(ge=0)] = Field(
        0.0, description="grid charge on the connection capacity, e.g. '48.8 CNY/kW/month' (the capacity-based "
                         "transmission charge of 发改价格〔2025〕1192号), paid on all capacity in service")
    import_surcharge: Annotated[float, CarrierQuantity("CNY/MWh", "CNY/t"), Field(ge=0)] = Field(
        0.0, description="charges on every unit drawn from the grid on top of import_price (system operation, "
                         "funds and surcharges) [CNY/MWh]")
    max_annual_export: CarrierPerYear | None = Field(
        None, description="annual export cap (an export schedule) [MWh/yr or t/yr]; prorated on shorter horizons")
    export_tranches: list[ExportTranche] | None = Field(
        None, description="falling price-volume curve: each tranche takes a share of the connection at the "
                          "export price less its discount; shares sum to 1")
    power_factor: Efficiency | None = Field(
        None, description="real per apparent power of the connection's transformers; MVA figures × it = MW")

    @model_validator(mode="after")
    def _check_trade(self):
        if self.export_tranches is not None:
            total = sum(t.share for t in self.export_tranches)
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"export_tranches: the shares sum to {total:g}; they must sum to 1")
            discounts = [t.discount for t in self.export_tranches]
            if discounts != sorted(discounts):
                raise ValueError("export_tranches: discounts must not fall from one tranche to the next (a "
                                 "price-volume curve falls as more is sold)")
        if self.import_price is None and (self.import_capacity is not None or self.import_surcharge > 0):
            given = [name for name in ("import_capacity", "import_surcharge") if name in self.model_fields_set]
            raise ValueError(f"{' and '.join(given)} without import_price: the connection imports nothing without a "
                             "price, so they would be ignored; give import_price")
        if self.max_annual_export is not None and self.max_annual_export < self.min_annual_export:
            raise ValueError(f"max_annual_export ({self.max_annual_export:g}) is below min_annual_export "
                             f"({self.min_annual_export:g})")
        return self

    @model_validator(mode="before")
    @classmethod
    def _apparent_to_real(cls, raw):
        if not isinstance(raw, dict):
            return raw
        factor = raw.get("power_factor")
        factor = convert(factor, ("",)) if factor is not None else None
        raw = dict(raw)
        for name in ("capacity", "import_capacity", "build_min", "build_max", "capex", "fom"):
            if name in raw and raw[name] is not None:
                try:
                    raw[name] = apparent_to_real(raw[name], factor)
                except ValueError as exc:
                    raise ValueError(f"{name}: {exc}") from None
        return raw


class Link(TechnologyBase):
    """Transfer of one carrier between two nodes."""

    kind: Literal["link"]
    ROLES: ClassVar[frozenset[str]] = frozenset({TRANSFER})
    carrier: str = "electricity"
    capacity_charge: Annotated[float, quantity("CNY/MW/yr"), Field(ge=0)] = Field(
        0.0, description="grid charge on the link's capacity, e.g. '48.8 CNY/kW/month', paid on all capacity")
    to_node: str
    efficiency: Efficiency = 1.0
    bidirectional: bool = True

    def balances(self) -> set[tuple[str, str]]:
        return {(self.node, self.carrier), (self.to_node, self.carrier)}

    @model_validator(mode="after")
    def _check_ends(self):
        if self.to_node == self.node:
            raise ValueError(f"to_node is the link's own node '{self.node}': a link joins two different nodes")
        return self


Technology = Annotated[
    Union[Renewable, Thermal, Storage, Conversion, Demand, Market, Link], Field(discriminator="kind")
]


@functools.cache
def kinds_with(*roles: str) -> tuple[str, ...]:
    """The kinds of the families that play any of ``roles``, for tables that carry kinds (``tech_kind``)."""
    return tuple(cls.model_fields["kind"].annotation.__args__[0] for cls in get_args(get_args(Technology)[0])
                 if not cls.ROLES.isdisjoint(roles))


class Carrier(Strict):
    unit: Literal["MWh", "t"] = Field(description="unit of quantity; flows are per hour")
    label_zh: str = ""
    free_disposal: bool = Field(False, description="surplus may be vented (by-products such as O2, Cl2)")
    excess_cost: Annotated[float, Field(ge=0)] | None = Field(
        None, description="surplus may be sent away at this cost per unit [CNY/MWh or CNY/t] (a priced sink)")
    voll: Annotated[float, Field(gt=0)] | None = Field(
        None, description="value of lost load of this carrier per unit [CNY/MWh or CNY/t]; default policy.voll")
    co2_factor: Annotated[float, Field(ge=0)] = Field(
        0.0, description="t CO2 per unit of the carrier consumed (t/MWh, or t/t for a mass carrier); above 0 the "
                         "carrier is fossil: a conversion consuming it emits, pays the CO2 price and its "
                         "electricity counts as fossil generation")


class Node(Strict):
    label_zh: str = ""
    description: str = ""


class Fuel(Strict):
    price: Annotated[float, quantity("CNY/t"), Field(ge=0)] = Field(description="[CNY/t of fuel]")
    co2_factor: Annotated[float, Field(ge=0)] = Field(description="[t CO2 per t of fuel]")
    fossil: bool = True
    sources: dict[str, str] = Field(default_factory=dict)


class ExtremeDays(Strict):
    """Days kept as their own representative day, named by timeseries column (tsam's extreme periods)."""

    max_value: list[str] = Field(default_factory=list, description="the day holding the column's highest hour")
    min_value: list[str] = Field(default_factory=list, description="the day holding the column's lowest hour")
    max_period: list[str] = Field(default_factory=list, description="the day with the column's highest mean")
    min_period: list[str] = Field(default_factory=list, description="the day with the column's lowest mean")

    def columns(self) -> set[str]:
        return {*self.max_value, *self.min_value, *self.max_period, *self.min_period}

    def count(self) -> int:
        return len(self.max_value) + len(self.min_value) + len(self.max_period) + len(self.min_period)


class RepresentativeDays(Strict):
    """Representative days instead of the chronological year: ``days`` typical days (tsam), extremes included.

    Each day carries the weight of the days it stands for; storage is linked across the year's
    sequence of days (inter-period state of charge), so seasonal stores stay right.
    """

    days: Annotated[int, Field(ge=1)] | None = Field(None, description="number of days; none = every hour")
    extremes: ExtremeDays = Field(default_factory=ExtremeDays)
    method: Literal["hierarchical", "kmeans", "kmedoids", "kmaxoids", "averaging"] = Field(
        "hierarchical", description="tsam clustering method")
    representation: Literal["medoid", "mean", "distribution", "distribution_minmax", "maxoid"] = Field(
        "distribution", description="how a group of days becomes one day (tsam representation)")
    sources: dict[str, str] = Field(default_factory=dict)


class TimeConfig(Strict):
    start: Annotated[str, BeforeValidator(_timestamp)] = Field(description="first snapshot, e.g. '2030-01-01 00:00'")
    hours: Annotated[int, Field(gt=0, le=8784)] = 8760
    resolution: Annotated[int, Field(ge=1, le=24)] = Field(
        1, description="hours per time step: each timeseries row is one step (a PyPSA case at 3-hourly "
                       "snapshots runs as it is); hours must be a multiple")
    representative_days: RepresentativeDays = Field(default_factory=RepresentativeDays)
    sizing_days: Annotated[int, Field(ge=1)] | None = Field(
        None, description="size capacities on this many representative days, then dispatch every hour with "
                          "them fixed (two stages, energy_model.sizing); none = one optimisation")

    @property
    def steps(self) -> int:
        """Time steps of the horizon: its rows in timeseries/."""
        return self.hours // self.resolution

    @model_validator(mode="after")
    def _check_days(self):
        days = self.representative_days.days
        if self.resolution > 1:
            if self.hours % self.resolution:
                raise ValueError(f"hours = {self.hours} is not a multiple of resolution = {self.resolution}")
            if days is not None or self.sizing_days is not None:
                raise ValueError(f"representative days and sizing_days cluster hourly days; with resolution = "
                                 f"{self.resolution} h solve every step (leave both out)")
        if days is not None:
            if self.hours % 24:
                raise ValueError(f"representative days need whole days, but hours = {self.hours} "
                                 "is not a multiple of 24")
            if days > self.hours // 24:
                raise ValueError(f"representative_days.days = {days} exceeds the {self.hours // 24} days "
                                 "of the horizon")
            if days <= self.representative_days.extremes.count():
                raise ValueError(f"representative_days.days = {days} must exceed the "
                                 f"{self.representative_days.extremes.count()} extreme days it includes")
        return self


class HeatSecurity(Strict):
    """Heat-source adequacy with the largest CHP unit out, in every hour of heat demand (model/security.py)."""

    carrier: str = Field("heat", description="the heat carrier whose buses are secured")
    margin: Annotated[float, Field(ge=0, le=1)] = Field(0.0, description="extra share of demand to cover")
    electric_boilers: bool = Field(False, description="count grid-fed electric boilers as firm heat sources")
    nodes: list[str] | None = Field(
        None, description="only the heat buses at these nodes (e.g. the city, not a province's aggregated CHP fleet, "
                          "which no single trip takes out); default every node with heat demand")


class Reserve(Strict):
    """Spinning reserve and a floor of synchronous capacity at every electricity node with committed thermal
    units (model/security.py)."""

    load_share: Fraction = Field(0.0, description="reserve as a share of the node's fixed electricity demand")
    renewable_share: Fraction = Field(0.0, description="further reserve as a share of the node's wind and PV output")
    min_synchronous: Annotated[float, quantity("MW"), Field(ge=0)] = Field(
        0.0, description="committed thermal capacity the node keeps in every hour [MW]")
    nodes: list[str] | None = Field(
        None, description="only these nodes (the control area, e.g. the province, not a base inside it); default "
                          "every node with committed thermal units")


class FirmCapacity(Strict):
    """Firm capacity at a node's peak: the capacity credits of its sources cover the highest fixed electricity
    demand in the peak window with a margin (model/security.py)."""

    node: str
    months: list[Annotated[int, Field(ge=1, le=12)]] = Field(
        default_factory=lambda: [12, 1, 2], description="months of the peak window (default: winter)")
    hours: list[Annotated[int, Field(ge=0, le=23)]] = Field(
        default_factory=lambda: [17, 18, 19, 20], description="clock hours of the peak window (default: evening)")
    margin: Annotated[float, Field(ge=0, le=1)] = Field(0.15, description="reserve margin over the peak demand")
    credits: dict[str, Fraction] = Field(
        description="capacity credit by technology name or kind (thermal, storage, renewable, market, link); a "
                    "market counts with its import capacity; what is not named counts nothing")
    sources: dict[str, str] = Field(default_factory=dict)


class AnnualLimit(Strict):
    """A minimum or maximum annual amount of a carrier produced or consumed (a gas budget, a minimum output),
    by everything at a node or by named technologies; prorated on shorter horizons (model/policy.py)."""

    name: str = Field(description="a name for messages and results")
    carrier: str
    measure: Literal["production", "consumption"] = Field(
        "consumption", description="flows into the carrier's buses (production) or out of them (consumption)")
    node: str | None = Field(None, description="only the buses at this node; default every node")
    techs: list[str] = Field(default_factory=list, description="only these technologies; default all")
    min: Annotated[float, Field(ge=0)] | None = Field(None, description="per year, in the carrier's unit")
    max: Annotated[float, Field(ge=0)] | None = Field(None, description="per year, in the carrier's unit")

    @model_validator(mode="after")
    def _check(self):
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g})")
        return self


class SharedLimit(Strict):
    """Markets that reach the grid through one substation: their flows in one direction share its firm
    capacity, every snapshot (model/security.py)."""

    name: str
    technologies: list[str] = Field(min_length=1, description="market technologies whose flows share the limit")
    limit_of: str = Field(description="the market whose capacity is the substation's")
    direction: Literal["export", "import"] = "export"
    firm_share: Fraction = Field(
        1.0, description="share of that capacity left with the largest element out (N-1); 1: no N-1 margin")
    sources: dict[str, str] = Field(default_factory=dict)


class Policy(Strict):
    co2_price: Annotated[float, quantity("CNY/t"), Field(ge=0)] = 0.0
    co2_pricing: Literal["full", "ets_benchmark"] = Field(
        "full", description="full: every tonne pays co2_price; ets_benchmark: as China's ETS charges it, a unit "
                            "pays for its emissions above its co2_benchmark x output (and earns for those below)")
    co2_cap: Annotated[float, quantity("t/yr"), Field(ge=0)] | None = None
    voll: Annotated[float, quantity("CNY/MWh"), Field(gt=0)] = 30000.0
    min_non_fossil_share: Fraction | None = None
    max_curtailment_rate: Fraction | None = None
    heat_security: HeatSecurity | None = Field(
        None, description="N-1 heat-source adequacy; omitted: no such constraint")
    reserve: Reserve | None = Field(None, description="spinning reserve and minimum synchronous capacity")
    annual_limits: list[AnnualLimit] = Field(default_factory=list, description="annual carrier limits")
    firm_capacity: list[FirmCapacity] = Field(
        default_factory=list, description="capacity credits covering a node's peak demand with a margin")
    shared_limits: list[SharedLimit] = Field(
        default_factory=list, description="substations shared by several markets (a direct-supply project's "
                                          "feed-in counted against the base's 500 kV limit)")
    sources: dict[str, str] = Field(default_factory=dict)


class DirectSupply(Strict):
    """The quantitative rules for a grid-connected green-power direct-supply project (发改能源〔2025〕650号).

    Over the modelled horizon, with available = Σ capacity × capacity factor of the project's renewables
    (curtailed energy included), self-consumed = renewable output − feed-in, consumption = all electricity
    used inside the project (own generation + purchases − feed-in):

        self-consumed ≥ min_self_consumption · available
        self-consumed ≥ min_green_share · consumption
        feed-in       ≤ max_feed_in · available

    A rule left out is neither enforced nor reported. The figures carry their sources in ``sources``.
    """

    enforce: bool | list[Literal["min_self_consumption", "min_green_share", "max_feed_in"]] = Field(
        True, description="impose the rules as constraints (true), only report them (false), or impose those "
                          "listed and report the others")
    min_self_consumption: Fraction | None = Field(
        None, description="self-consumed new energy / available new-energy generation, lower bound")
    min_green_share: Fraction | dict[Year, Fraction] | None = Field(
        None, description="self-consumed new energy / project consumption, lower bound; a mapping "
                          "{year: value} applies the value of the latest year not after the model year")
    max_feed_in: Fraction | None = Field(
        None, description="electricity fed into the public grid / available new-energy generation, upper bound")
    feed_in_allowed: bool = Field(
        True, description="650号 lets surplus feed in only where the provincial spot market runs continuously; "
                          "false forbids feed-in (max_feed_in 0)")
    sources: dict[str, str] = Field(default_factory=dict)

    def enforced(self, rule: str) -> bool:
        """Whether ``rule`` is a constraint (else it is only reported)."""
        return rule in self.enforce if isinstance(self.enforce, list) else self.enforce

    def green_share(self, year: int) -> float | None:
        """The consumption-share floor in force in ``year`` (None before the first year of a mapping)."""
        if not isinstance(self.min_green_share, dict):
            return self.min_green_share
        years = [y for y in self.min_green_share if y <= year]
        return self.min_green_share[max(years)] if years else None


class Levelised(Strict):
    """A levelised cost: PV of the net costs of ``cost_of`` / PV of a quantity (finance.py has the formula).

    The quantity is what ``produced_by`` put out of ``carrier`` (LCOH: the electrolyser's hydrogen; its own
    sales are not a credit) or what ``consumed_by`` took of it (the cost of the electricity a plant uses, net
    of any surplus sold). Revenue from other products is a credit.
    """

    carrier: str
    produced_by: list[str] | None = None
    consumed_by: list[str] | None = None
    cost_of: list[str] | None = Field(None, description="technologies whose cash flows count; default: all")

    @model_validator(mode="after")
    def _one_quantity(self):
        if (self.produced_by is None) == (self.consumed_by is None):
            raise ValueError("give exactly one of produced_by and consumed_by")
        return self


class Tornado(Strict):
    """Swings of the NPV tornado: relative for capex, prices and capacity factor, absolute for the WACC."""

    capex: Fraction | None = Field(None, description="± share of all capital spending")
    electricity_price: Fraction | None = Field(None, description="± share of the export and import prices")
    product_price: Fraction | None = Field(None, description="± share of the product prices")
    wacc: Annotated[float, Field(gt=0, le=0.2)] | None = Field(None, description="± percentage points / 100")
    capacity_factor: Fraction | None = Field(
        None, description="± share of the renewables' hourly capacity factors (dispatch re-optimised, sizes kept)")
    sources: dict[str, str] = Field(default_factory=dict)


class Risk(Strict):
    """A Monte Carlo of the NPV over the tornado's parameters, each drawn from a triangular distribution on its
    tornado range (low, base, high), electricity prices and capacity factor correlated through a Gaussian
    copula (a windy year is a cheap one). Formulas in docs/finance.md."""

    samples: Annotated[int, Field(ge=100, le=100_000)] = 2000
    seed: int = 1
    price_yield_correlation: Annotated[float, Field(ge=-0.99, le=0.99)] = Field(
        -0.5, description="correlation of the electricity-price and capacity-factor draws")
    sources: dict[str, str] = Field(default_factory=dict)


class Sweep(Strict):
    """Sizing sweep: ``base`` keeps its optimal size, every other named technology is fixed in turn at each of
    its ratios × base capacity (all combinations), the rest is re-optimised, and the NPV of each design is
    compared with the optimum."""

    base: str = Field(description="technology whose optimal capacity the ratios refer to (e.g. the electrolyser)")
    ratios: dict[str, list[Annotated[float, Field(ge=0)]]] = Field(
        description="technology -> capacities per unit of base capacity, e.g. wind: [1.5, 2, 2.5]")
    sources: dict[str, str] = Field(default_factory=dict)


class Loan(Strict):
    """The long-term loan of a feasibility study: drawn with the construction schedule, interest during
    construction capitalised, repaid from the first operating year (formulas in docs/finance.md)."""

    share: Fraction = Field(0.8, description="debt share of the construction investment (1 - the 资本金 ratio)")
    rate: Annotated[float, Field(ge=0, le=0.3)] = Field(description="yearly interest rate (LPR-based)")
    tenor: Annotated[int, Field(ge=1, le=40)] = Field(
        15, description="years from the first operating year to the last repayment, grace years included")
    grace: Annotated[int, Field(ge=0, le=39)] = Field(1, description="first operating years paying interest only")
    repayment: Literal["equal_principal", "equal_instalment"] = Field(
        "equal_principal", description="等额本金 (equal principal) or 等额本息 (equal instalments)")

    @model_validator(mode="after")
    def _grace_within_tenor(self):
        if self.grace >= self.tenor:
            raise ValueError(f"grace ({self.grace} years) must be shorter than tenor ({self.tenor} years)")
        return self


class Vat(Strict):
    """Value-added tax of a feasibility study. Prices and costs in the case include VAT, as Chinese tariffs
    are quoted; the VAT a stream carries is value × rate/(1 + rate)."""

    rate: Fraction = Field(0.13, description="VAT on sales of electricity and products")
    product_rates: dict[str, Fraction] = Field(
        default_factory=dict, description="carrier -> VAT rate where it differs from ``rate`` (heat 9 %)")
    input_rate: Fraction = Field(
        0.13, description="VAT credited on purchased energy, feedstock, variable O&M and grid charges")
    capex_share: Fraction = Field(
        0.10, description="share of the capital spending that is creditable input VAT (equipment 13 %, works 9 %)")
    surcharge: Fraction = Field(0.12, description="city-construction and education surcharges, share of VAT paid")
    certificate_rate: Fraction = Field(0.06, description="VAT on green-certificate sales (a service)")
    refund: Fraction = Field(0.0, description="share of the VAT on electricity sales refunded at once (即征即退)")
    refund_technologies: list[str] = Field(
        default_factory=list, description="generators whose share of the project's electricity the refund covers")


class Degradation(Strict):
    """Yearly loss of a technology's yield (a generator's output, a converter's efficiency), optionally reset
    by replacing the worn part (an electrolyser's stacks) every ``reset_every`` years."""

    rate: Annotated[float, Field(ge=0, le=0.2)] = Field(description="share lost per operating year")
    reset_every: Annotated[int, Field(ge=1, le=50)] | None = Field(
        None, description="operating years between replacements of the worn part; none: never replaced")
    replacement_share: Fraction = Field(
        0.0, description="share of the technology's capital spent at each replacement (0 when fom provides for it)")


class Feasibility(Strict):
    """Finance as a Chinese feasibility study (可研) sets it out: nominal cash flows, debt, VAT, income tax
    holidays, depreciation with salvage, working capital, degradation; project (全投资) and equity (资本金)
    returns and the DSCR. Every rule is switchable; docs/finance.md gives the formulas."""

    inflation: Annotated[float, Field(ge=-0.05, le=0.2)] = Field(
        0.0, description="yearly escalation of capital and O&M costs; 0: constant prices")
    price_escalation: Annotated[float, Field(ge=-0.1, le=0.2)] = Field(
        0.0, description="yearly escalation of energy and product prices (sales and purchases)")
    loan: Loan | None = Field(None, description="none: all equity")
    vat: Vat | None = Field(None, description="none: no VAT (prices and costs taken as net of VAT)")
    tax_exempt_years: Annotated[int, Field(ge=0, le=10)] = Field(
        0, description="first operating years free of income tax (三免: 3)")
    tax_half_years: Annotated[int, Field(ge=0, le=10)] = Field(
        0, description="following years at half the income-tax rate (三减半: 3)")
    depreciation_years: Annotated[int, Field(ge=1, le=50)] | None = Field(
        None, description="straight-line years of the initial fixed assets; default: the project's life")
    salvage: Fraction = Field(0.05, description="residual share of the initial fixed assets")
    working_capital: Annotated[float, Field(ge=0, le=2)] = Field(
        0.0, description="working capital as a share of the first operating year's cash costs")
    working_capital_equity: Fraction = Field(0.3, description="share of the working capital paid by equity")
    working_capital_rate: Annotated[float, Field(ge=0, le=0.3)] = Field(
        0.0, description="interest on the working-capital loan (1-year LPR based)")
    degradation: dict[str, Degradation] = Field(default_factory=dict, description="technology -> degradation")
    equity_rate: Annotated[float, Field(ge=0, le=0.5)] | None = Field(
        None, description="discount rate of the equity NPV; default: the project's wacc")
    sources: dict[str, str] = Field(default_factory=dict)


class Contract(Strict):
    """Offtake under contract: ``share`` of a product sold at ``price``, the rest at the merchant price in
    ``Finance.prices``."""

    share: Fraction
    price: Annotated[float, quantity("CNY/t", "CNY/MWh"), Field(ge=0)]


class Finance(Strict):
    """Investor view of a project: real cash flows over its life, discounted at ``wacc``."""

    wacc: Annotated[float, Field(ge=0, le=0.5)] | None = Field(None, description="default: the case discount rate")
    life: Years | None = Field(None, description="years of operation; default: the longest life of its technologies")
    construction: list[Fraction] = Field(
        default_factory=lambda: [1.0], description="share of capex spent in each year before operation starts")
    tax_rate: Fraction = Field(0.0, description="income tax on profit after straight-line depreciation")
    loss_carry_forward: Annotated[int, Field(ge=0, le=30)] = Field(
        0, description="years a tax loss may be set against later profits")
    prices: dict[str, Annotated[float, quantity("CNY/t", "CNY/MWh"), Field(ge=0)]] = Field(
        default_factory=dict, description="carrier -> price received for what the project's demands take of it")
    contracts: dict[str, Contract] = Field(
        default_factory=dict, description="carrier -> offtake contract (share at a contract price, the rest merchant)")
    green_certificates: Annotated[float, quantity("CNY/MWh"), Field(ge=0)] = Field(
        0.0, description="revenue per MWh of self-consumed new energy (green certificates, GEC), CNY/MWh")
    levelised: dict[str, Levelised] = Field(default_factory=dict, description="name (LCOH, LCOM, ...) -> definition")
    tornado: Tornado | None = None
    risk: Risk | None = Field(None, description="Monte Carlo of the NPV over the tornado's ranges (needs tornado)")
    sweep: Sweep | None = None
    feasibility: Feasibility | None = Field(
        None, description="feasibility-study finance (debt, VAT, tax holidays, equity IRR, DSCR) beside the real view")
    sources: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _schedule_sums_to_one(self):
        if abs(sum(self.construction) - 1.0) > 1e-6:
            raise ValueError(f"construction shares sum to {sum(self.construction):g}, not 1")
        return self


class Project(Strict):
    """A named set of technologies evaluated as one investment; with ``direct_supply``, a green-power
    direct-supply project: its own node behind the one ``connection`` to the public grid."""

    label_zh: str = ""
    description: str = ""
    technologies: list[str] = Field(min_length=1)
    connection: str | None = Field(None, description="the market or link joining the project to the public grid")
    direct_supply: DirectSupply | None = None
    finance: Finance | None = None

    @model_validator(mode="after")
    def _direct_supply_needs_connection(self):
        if self.direct_supply is not None and self.connection is None:
            raise ValueError("a direct-supply project needs its connection (a market or link technology)")
        if self.connection is not None and self.connection not in self.technologies:
            raise ValueError(f"connection '{self.connection}' must be one of the project's technologies")
        return self


class SolverConfig(Strict):
    threads: Annotated[int, Field(ge=1)] = 1
    time_limit: Annotated[float, Field(gt=0)] | None = Field(None, description="[s]; none if omitted")
    method: Literal["choose", "simplex", "ipm", "hipo", "pdlp"] = Field(
        "choose", description="HiGHS's solver option; hipo (its new interior point) needs the highspy-extras "
                              "package (pip install 'energy-model[hipo]')")
    presolve: Literal["choose", "on", "off"] = "on"
    milp: bool = Field(False, description="exact binary unit commitment (a MIP) instead of its linear relaxation")
    mip_rel_gap: Annotated[float, Field(ge=0)] = Field(1e-3, description="relative MIP gap at which HiGHS stops")
    options: dict[str, float | int | str | bool] = Field(
        default_factory=dict, description="further HiGHS options passed as they are"
    )
    sources: dict[str, str] = Field(default_factory=dict, description="why these settings (measurements)")

    @field_validator("method")
    @classmethod
    def _check_method_available(cls, method: str) -> str:
        if method == "hipo" and importlib.util.find_spec("highspy_extras") is None:
            raise ValueError("method hipo needs the highspy-extras package, of the same version as highspy: "
                             "pip install 'energy-model[hipo]'")
        return method

    @field_validator("options")
    @classmethod
    def _check_highs_options(cls, options: dict) -> dict:
        """An option HiGHS does not know, or a value it refuses, is an input error, not a silent no-op."""
        if not options:
            return options
        import highspy

        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        problems = []
        for name, value in options.items():
            if highs.getOptionType(name)[0] != highspy.HighsStatus.kOk:
                close = difflib.get_close_matches(name, dir(highs.getOptions()), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(f"HiGHS has no option '{name}'{hint}")
            elif highs.setOptionValue(name, value) != highspy.HighsStatus.kOk:
                problems.append(f"HiGHS refuses {name} = {value!r} (wrong type or out of range)")
        if problems:
            raise ValueError("; ".join(problems))
        return options


# what a period of a pathway may not change: the horizon, the solver and the pathway are one for all periods
PATHWAY_WIDE = ("year", "time", "discount_rate", "solver", "pathway", "name", "default_scenario", "report_language")


class PathwayPeriod(Strict):
    """One investment period of a pathway: what differs in that year from the resolved case and scenario."""

    overrides: dict[str, object] = Field(
        default_factory=dict, description="dotted paths as in scenarios.yaml, applied after the scenario's")
    existing_only: bool = Field(
        False, description="only existing capacity (the 'capacity' fields) serves: nothing new of any kind is in "
                           "service, whatever build_min says (the system of a base year as it stands)")
    sources: dict[str, str] = Field(default_factory=dict, description="override path -> source of its number")


class Pathway(Strict):
    """Several investment periods optimised together with perfect foresight.

    Period y stands for the calendar years from y to the next period's year − 1 (the last one to
    ``end_year``); its objective weight is W_y = Σ over those years k of 1/(1 + r)^(k − base_year), r the
    case's discount rate. Every annual cost of period y (operation, and the annuities and fixed O&M of the
    capacity in service in y) counts W_y times: PyPSA's multi-investment convention
    (investment_period_weightings.objective, docs/user-guide/optimization/weightings.md).
    """

    base_year: Year = Field(description="costs are discounted to the start of this year")
    end_year: Year = Field(description="last calendar year the last period stands for")
    periods: dict[Year, PathwayPeriod | None] = Field(
        min_length=1, description="investment years, ascending, each with its own overrides")
    sources: dict[str, str] = Field(default_factory=dict)

    @field_validator("periods")
    @classmethod
    def _empty_is_no_change(cls, periods: dict) -> dict:
        return {year: period or PathwayPeriod() for year, period in periods.items()}

    @model_validator(mode="after")
    def _check_years(self):
        years = list(self.periods)
        if years != sorted(years):
            raise ValueError(f"periods must be listed in ascending years, got {years}")
        if self.base_year > years[0]:
            raise ValueError(f"base_year {self.base_year} is after the first period {years[0]}")
        if self.end_year < years[-1]:
            raise ValueError(f"end_year {self.end_year} is before the last period {years[-1]}")
        return self

    def years_represented(self) -> dict[int, list[int]]:
        """The calendar years each period stands for."""
        years = list(self.periods)
        ends = [following - 1 for following in years[1:]] + [self.end_year]
        return {year: list(range(year, end + 1)) for year, end in zip(years, ends)}

    def weights(self, discount_rate: float) -> dict[int, float]:
        """W_y: the discount factors of the calendar years period y stands for, summed."""
        return {year: sum((1.0 + discount_rate) ** -(k - self.base_year) for k in calendar)
                for year, calendar in self.years_represented().items()}


class Certification(Strict):
    """When electrolytic hydrogen is green: its electricity matched by named renewable assets, hour by hour,
    month by month or over the year; what is not matched carries the grid's emission factor
    (analysis/certification.py)."""

    rule: Literal["hourly", "monthly", "annual"] = Field(
        "hourly", description="period within which the renewable output must match the electrolysers' use")
    grid_emission_factor: Annotated[float, quantity("t/MWh"), Field(ge=0)] = Field(
        description="t CO2 per MWh of electricity not matched by the assets")
    assets: list[str] | None = Field(
        None, description="renewable technologies whose output is matched; default: every renewable at the "
                          "electrolysers' node")
    min_green_share: Fraction | None = Field(
        None, description="impose at least this certified share of the electrolysers' electricity under the rule "
                          "(model/certification.py); none: only report it")
    sources: dict[str, str] = Field(default_factory=dict)


class Case(Strict):
    """``case.yaml``: the system a scenario modifies."""

    name: str
    title: str = ""
    title_zh: str = ""
    description: str = ""
    year: Year
    discount_rate: Annotated[float, Field(ge=0, le=0.5)]
    time: TimeConfig
    carriers: dict[Name, Carrier]
    nodes: dict[Name, Node]
    fuels: dict[Name, Fuel] = Field(default_factory=dict)
    policy: Policy = Field(default_factory=Policy)
    solver: SolverConfig = Field(default_factory=SolverConfig)
    default_scenario: str | None = None
    report_language: Literal["zh", "en"] = "zh"
    projects: dict[str, Project] = Field(default_factory=dict, description="investments evaluated on their own")
    weather_year: str | None = Field(
        None, description="a folder of timeseries/weather_years whose columns replace the case's own (another "
                          "year's weather for the same profiles); none: timeseries/ as it is")
    pathway: Pathway | None = Field(None, description="several investment periods in one optimisation")
    certification: Certification | None = Field(
        None, description="the rule under which electrolytic hydrogen counts as green, and its carbon intensity")
    sources: dict[str, str] = Field(default_factory=dict)


class Scenario(Strict):
    """One entry of ``scenarios.yaml``: a description, an optional parent, files whose entries it adds
    (a project's nodes, technologies and definition) and dotted-path overrides."""

    description: str
    inherits: Name | None = None
    include: list[str] = Field(default_factory=list, description="YAML files in the case folder merged in first")
    overrides: dict[str, object] = Field(default_factory=dict)
