"""The input schema: what a case folder may say, in which units, within which ranges.

One pydantic model per technology kind, picked by its ``kind`` field. Canonical units are named in
each field's ``description`` and enforced by :mod:`energy_model.units`; capacities are in MW for
energy carriers (MWh) and in t/h for mass carriers (t). Unknown keys are errors, so a typo never
silently falls back to a default.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .units import convert


def quantity(*canonical: str):
    """A float field that also accepts ``"number unit"`` strings in one of ``canonical``."""
    return BeforeValidator(lambda v: v if v is None else convert(v, canonical))


Capacity = Annotated[float, quantity("MW", "t/h"), Field(ge=0)]

Money = Annotated[float, quantity("CNY"), Field(ge=0)]
CapexPerUnit = Annotated[float, quantity("CNY/MW", "CNY*h/t"), Field(ge=0)]
FomPerUnit = Annotated[float, quantity("CNY/MW/yr", "CNY*h/t/yr"), Field(ge=0)]
CostPerOutput = Annotated[float, quantity("CNY/MWh", "CNY/t"), Field(ge=0)]
Fraction = Annotated[float, quantity(""), Field(ge=0, le=1)]
Efficiency = Annotated[float, quantity(""), Field(gt=0, le=1)]
Years = Annotated[float, Field(gt=0, le=100)]
Year = Annotated[int, Field(ge=1950, le=2100)]
PriceOrProfile = Annotated[float | str, BeforeValidator(lambda v: v if isinstance(v, str) and not v[:1].isdigit() else convert(v, ("CNY/MWh", "CNY/t")))]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


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
    energy_capacity: Annotated[float, quantity("MWh", "t"), Field(ge=0)] = Field(
        0.0, description="fixed energy capacity [MWh or t]"
    )
    duration: Annotated[float, Field(gt=0)] | None = Field(
        None, description="fixed energy/power ratio [h]; if set, energy follows power"
    )
    build_max_energy: Annotated[float, quantity("MWh", "t"), Field(ge=0)] = 0.0
    capex_energy: Annotated[float, quantity("CNY/MWh", "CNY/t"), Field(ge=0)] = Field(
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
    annual: Annotated[float, quantity("MWh/yr", "t/yr"), Field(ge=0)] = Field(
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
    min_annual_export: Annotated[float, quantity("MWh/yr", "t/yr"), Field(ge=0)] = 0.0


class Link(TechnologyBase):
    """Transfer of one carrier between two nodes."""

    kind: Literal["link"]
    carrier: str = "electricity"
    to_node: str
    efficiency: Efficiency = 1.0
    bidirectional: bool = True


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
    start: str = Field(description="first snapshot, e.g. '2030-01-01 00:00'")
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
    time_limit: Annotated[float, Field(gt=0)] = math.inf
    method: Literal["choose", "simplex", "ipm", "pdlp"] = "choose"
    presolve: Literal["choose", "on", "off"] = "on"
    mip_rel_gap: Annotated[float, Field(ge=0)] = 1e-3
    options: dict[str, float | int | str | bool] = Field(
        default_factory=dict, description="further HiGHS options passed as they are"
    )


class Case(Strict):
    """``case.yaml``: the system a scenario modifies."""

    name: str
    title: str = ""
    title_zh: str = ""
    description: str = ""
    year: Year
    discount_rate: Annotated[float, Field(ge=0, le=0.5)]
    time: TimeConfig
    carriers: dict[str, Carrier]
    nodes: dict[str, Node]
    fuels: dict[str, Fuel] = Field(default_factory=dict)
    policy: Policy = Field(default_factory=Policy)
    solver: SolverConfig = Field(default_factory=SolverConfig)
    default_scenario: str | None = None
    report_language: Literal["zh", "en"] = "zh"
    sources: dict[str, str] = Field(default_factory=dict)


class Scenario(Strict):
    """One entry of ``scenarios.yaml``: a description, an optional parent and dotted-path overrides."""

    description: str
    inherits: str | None = None
    overrides: dict[str, object] = Field(default_factory=dict)
