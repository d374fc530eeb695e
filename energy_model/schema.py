"""The input schema: what a case folder may say, in which units, within which ranges.

One pydantic model per technology kind, picked by its ``kind`` field. Canonical units are named in
each field's ``description`` and enforced by :mod:`energy_model.units`; capacities are in MW for
energy carriers (MWh) and in t/h for mass carriers (t). Unknown keys are errors, so a typo never
silently falls back to a default. Validation is strict: a boolean is not a number, ``.nan`` and ``.inf``
are not values, and names must be usable in dotted override paths and bus names.
"""

from __future__ import annotations

import datetime
import difflib
import re
import typing
from dataclasses import dataclass
from typing import Annotated, Literal, Union

import pandas as pd
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic_core import core_schema

from .units import convert


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
    capacity: Capacity = Field(0.0, description="fixed capacity present in the model year [MW or t/h]; sunk, no capex")
    build_min: Capacity = Field(0.0, description="new capacity that must be built [MW or t/h]; pays capex")
    build_max: Capacity = Field(0.0, description="upper bound on new capacity [MW or t/h]; 0 = not expandable")
    capex: CapexPerUnit = Field(0.0, description="overnight investment [CNY/MW or CNY per t/h]")
    fom: FomPerUnit = Field(0.0, description="fixed O&M on all capacity [CNY/MW/yr]")
    vom: CostPerOutput = Field(0.0, description="variable O&M per unit of main flow [CNY/MWh or CNY/t]")
    life: Years = Field(25.0, description="economic life for the annuity [years]")
    commission_year: Year | None = Field(None, description="first year the fixed capacity operates")
    retire_year: Year | None = Field(None, description="first year the fixed capacity no longer operates")
    sources: dict[str, str] = Field(default_factory=dict, description="field -> source of its number")

    @model_validator(mode="after")
    def _check_bounds(self):
        if self.build_min > self.build_max:
            raise ValueError(f"build_min ({self.build_min}) is above build_max ({self.build_max})")
        if self.commission_year and self.retire_year and self.retire_year <= self.commission_year:
            raise ValueError(
                f"retire_year ({self.retire_year}) must come after commission_year ({self.commission_year})"
            )
        return self


class Renewable(TechnologyBase):
    """Variable renewable: output up to capacity × hourly capacity factor; the rest is curtailed."""

    kind: Literal["renewable"]
    carrier: str = "electricity"
    profile: str = Field(description="name of a capacity-factor column in timeseries/*.csv")
    fossil: Literal[False] = False


class Thermal(TechnologyBase):
    """Dispatchable fuel-fired unit with a linearised commitment (committed capacity as a variable)."""

    kind: Literal["thermal"]
    carrier: str = "electricity"
    fuel: str = Field(description="name of a fuel in case.yaml")
    heat_rate: Annotated[float, quantity("t/MWh"), Field(gt=0)] = Field(
        description="fuel per MWh of net output [t fuel/MWh], e.g. '305 gce/kWh'"
    )
    min_load: Fraction = Field(0.0, description="minimum stable output as a share of committed capacity")
    start_cost: Annotated[float, quantity("CNY/MW"), Field(ge=0)] = Field(
        0.0, description="cost per MW started up [CNY/MW]"
    )
    ramp_rate: Fraction | None = Field(None, description="max change of output per hour, share of capacity")


class Storage(TechnologyBase):
    """Store with power (``capacity``) and energy (``energy_capacity``) sized separately or at fixed duration."""

    kind: Literal["storage"]
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


class Conversion(TechnologyBase):
    """Converts one input carrier into outputs at fixed ratios; capacity is on the input flow."""

    kind: Literal["conversion"]
    input: str = Field(description="carrier consumed; capacity is measured on this flow")
    outputs: dict[str, float] = Field(
        description="carrier -> units produced per unit of input (negative: a further input)"
    )
    min_load: Fraction = 0.0


class Demand(TechnologyBase):
    """Fixed demand: an annual quantity spread over the hours by a shape profile."""

    kind: Literal["demand"]
    carrier: str = "electricity"
    annual: CarrierPerYear = Field(
        description="annual quantity [MWh/yr or t/yr], e.g. '5 TWh/yr'"
    )
    profile: str | None = Field(None, description="shape column in timeseries/*.csv; flat if omitted")


class Market(TechnologyBase):
    """Trade with the outside (the provincial grid, a product market) through a capacity-limited connection."""

    kind: Literal["market"]
    carrier: str = "electricity"
    import_capacity: Capacity | None = Field(None, description="import limit if different from capacity [MW]")
    export_price: PriceOrProfile = Field(0.0, description="revenue per unit sold: a number or a profile name")
    import_price: PriceOrProfile | None = Field(None, description="cost per unit bought; no import if omitted")
    min_annual_export: CarrierPerYear = 0.0


class Link(TechnologyBase):
    """Transfer of one carrier between two nodes."""

    kind: Literal["link"]
    carrier: str = "electricity"
    to_node: str
    efficiency: Efficiency = 1.0
    bidirectional: bool = True

    @model_validator(mode="after")
    def _check_ends(self):
        if self.to_node == self.node:
            raise ValueError(f"to_node is the link's own node '{self.node}': a link joins two different nodes")
        return self


Technology = Annotated[
    Union[Renewable, Thermal, Storage, Conversion, Demand, Market, Link], Field(discriminator="kind")
]


class Carrier(Strict):
    unit: Literal["MWh", "t"] = Field(description="unit of quantity; flows are per hour")
    label_zh: str = ""
    free_disposal: bool = Field(False, description="surplus may be vented (by-products such as O2, Cl2)")


class Node(Strict):
    label_zh: str = ""
    description: str = ""


class Fuel(Strict):
    price: Annotated[float, quantity("CNY/t"), Field(ge=0)] = Field(description="[CNY/t of fuel]")
    co2_factor: Annotated[float, Field(ge=0)] = Field(description="[t CO2 per t of fuel]")
    fossil: bool = True
    sources: dict[str, str] = Field(default_factory=dict)


class TimeConfig(Strict):
    start: Annotated[str, BeforeValidator(_timestamp)] = Field(description="first snapshot, e.g. '2030-01-01 00:00'")
    hours: Annotated[int, Field(gt=0, le=8784)] = 8760


class Policy(Strict):
    co2_price: Annotated[float, quantity("CNY/t"), Field(ge=0)] = 0.0
    co2_cap: Annotated[float, quantity("t/yr"), Field(ge=0)] | None = None
    voll: Annotated[float, quantity("CNY/MWh"), Field(gt=0)] = 30000.0
    min_non_fossil_share: Fraction | None = None
    max_curtailment_rate: Fraction | None = None
    sources: dict[str, str] = Field(default_factory=dict)


class SolverConfig(Strict):
    threads: Annotated[int, Field(ge=1)] = 1
    time_limit: Annotated[float, Field(gt=0)] | None = Field(None, description="[s]; none if omitted")
    method: Literal["choose", "simplex", "ipm", "pdlp"] = "choose"
    presolve: Literal["choose", "on", "off"] = "on"
    mip_rel_gap: Annotated[float, Field(ge=0)] = 1e-3
    options: dict[str, float | int | str | bool] = Field(
        default_factory=dict, description="further HiGHS options passed as they are"
    )

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
    sources: dict[str, str] = Field(default_factory=dict)


class Scenario(Strict):
    """One entry of ``scenarios.yaml``: a description, an optional parent and dotted-path overrides."""

    description: str
    inherits: Name | None = None
    overrides: dict[str, object] = Field(default_factory=dict)
