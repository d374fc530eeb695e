"""Plan targets of a case (``targets.yaml``) and the figures of a run they are checked against.

A target names a *metric* computed here from a results Dataset alone, a sense (``>=``, ``<=``, or
``report`` where the plan sets no figure), a value and a source. Energy and money metrics are annual:
a run over part of a year is scaled by its ``year_fraction``.

Output value (产值) of the power-energy industry is estimated as electricity generated × an on-grid
price per technology (first matching name pattern) + products delivered to demand or sold through
markets × a product price. Both price lists live in ``targets.yaml`` with their sources.
"""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
import xarray as xr
from pydantic import BeforeValidator, Field, model_validator

from .analysis import ELECTRICITY
from .config import InputError, _validate, read_yaml
from .schema import Strict
from .units import convert

TARGETS_FILE = "targets.yaml"
NOT_CONSUMERS = ("storage", "market", "link")  # they shift or trade energy, they do not use it up
GENERATORS = ("renewable", "thermal")

# metric -> (unit a target's value is converted to, display unit of labels.UNITS)
METRICS: dict[str, tuple[str, str]] = {
    "thermal_capacity_mw": ("MW", "MW"),
    "wind_solar_capacity_mw": ("MW", "MW"),
    "new_load_gwh": ("GWh/yr", "GWh"),
    "output_value_cny": ("CNY/yr", "CNY"),
    "curtailment_rate": ("", "fraction"),
    "non_fossil_share": ("", "fraction"),
    "co2_mt": ("Mt/yr", "Mt"),
}


def _in(unit: str):
    return BeforeValidator(lambda v: v if v is None else convert(v, (unit,)))


class Target(Strict):
    metric: Literal[tuple(METRICS)]  # type: ignore[valid-type]
    sense: Literal[">=", "<=", "report"]
    value: float | str | None = Field(None, description="in the metric's unit or as 'number unit'")
    tolerance: Annotated[float, Field(ge=0, lt=1)] = Field(0.0, description="relative slack that still counts as met")
    source: str

    @model_validator(mode="after")
    def _value(self):
        if self.sense == "report":
            if self.value is not None:
                raise ValueError("a 'report' target has no value")
        elif self.value is None:
            raise ValueError(f"a '{self.sense}' target needs a value")
        else:
            self.value = convert(self.value, (METRICS[self.metric][0],))
        return self


class OutputValue(Strict):
    electricity_price: dict[str, Annotated[float, _in("CNY/MWh"), Field(ge=0)]] = Field(
        description="technology-name pattern -> on-grid price [CNY/MWh]; first match wins")
    product_price: dict[str, Annotated[float, _in("CNY/t"), Field(ge=0)]] = Field(
        default_factory=dict, description="carrier -> price [CNY/t]")
    sources: dict[str, str] = Field(default_factory=dict)


class Targets(Strict):
    existing_consumption: Annotated[float, _in("MWh/yr"), Field(ge=0)] = Field(
        description="electricity use before the plan's new loads [MWh/yr]: new load = consumption - this")
    output_value: OutputValue
    targets: dict[str, Target]
    sources: dict[str, str] = Field(default_factory=dict)


def load_targets(case_dir: str | Path) -> Targets | None:
    """The case's targets, or None when it has no ``targets.yaml``."""
    path = Path(case_dir) / TARGETS_FILE
    if not path.exists():
        return None
    problems: list[str] = []
    targets = _validate(Targets, read_yaml(path, problems), path, problems)
    if problems:
        raise InputError(problems)
    return targets


def _annual(da: xr.DataArray, year_fraction: float) -> xr.DataArray:
    """Weighted sum over time, scaled to a year."""
    return (da * da["weight"]).sum("time") / year_fraction


def metrics(ds: xr.Dataset, targets: Targets) -> dict[str, float]:
    """Every metric of :data:`METRICS` for one run (annual where it is a flow)."""
    kinds = ds["tech_kind"]
    year_fraction = float(ds.attrs.get("year_fraction", 1.0))
    elec = ds["flow"].sel(bus=ds["bus"][ds["bus_carrier"] == ELECTRICITY]).sum("bus")
    supply = _annual(elec.clip(min=0), year_fraction)  # MWh/yr per tech
    use = _annual(-elec.clip(max=0), year_fraction).where(~kinds.isin(NOT_CONSUMERS), 0.0)
    generated = supply.where(kinds.isin(GENERATORS), 0.0)
    renewable = float(generated.where(kinds == "renewable", 0.0).sum())
    is_power = ds["tech_carrier"] == ELECTRICITY

    available = float(_annual(ds["available"].where(kinds == "renewable", 0), 1).sum()) if "available" in ds else 0.0
    curtailed = float(_annual(ds["curtailment"].where(kinds == "renewable", 0), 1).sum()) if "curtailment" in ds else 0.0
    return {
        "thermal_capacity_mw": float(ds["capacity"].where(kinds == "thermal", 0).sum()),
        "wind_solar_capacity_mw": float(ds["capacity"].where((kinds == "renewable") & is_power, 0).sum()),
        "new_load_gwh": (float(use.sum()) - targets.existing_consumption) / 1e3,
        "output_value_cny": output_value(ds, generated, targets.output_value, year_fraction),
        "curtailment_rate": curtailed / available if available else 0.0,
        "non_fossil_share": renewable / float(generated.sum()) if float(generated.sum()) else 0.0,
        "co2_mt": float(ds["co2"].sum()) / year_fraction / 1e6,
    }


def output_value(ds: xr.Dataset, generated: xr.DataArray, prices: OutputValue, year_fraction: float) -> float:
    """Annual generation × price by name pattern + annual products delivered × product price [CNY/yr]."""
    value = 0.0
    for tech, mwh in zip(generated["tech"].values, generated.values):
        if mwh > 0:
            price = next((p for pattern, p in prices.electricity_price.items() if fnmatch(str(tech), pattern)), None)
            if price is None:
                raise InputError([f"{TARGETS_FILE}: output_value.electricity_price has no pattern matching "
                                  f"'{tech}', which generates electricity"])
            value += float(mwh) * price
    kinds = ds["tech_kind"]
    for carrier, price in prices.product_price.items():
        buses = ds["bus"][ds["bus_carrier"] == carrier]
        if len(buses) == 0:
            continue
        taken = -ds["flow"].sel(bus=buses).sum("bus").clip(max=0).where(kinds.isin(["demand", "market"]), 0.0)
        value += float(_annual(taken, year_fraction).sum()) * price
    return value


def audit(values: dict[str, float], targets: Targets) -> pd.DataFrame:
    """One row per target: ``target, metric, sense, value, tolerance, actual, met`` (met is None for
    a 'report' target)."""
    rows = []
    for name, target in targets.targets.items():
        actual = values[target.metric]
        met = None
        if target.sense == ">=":
            met = bool(actual >= target.value * (1 - target.tolerance))
        elif target.sense == "<=":
            met = bool(actual <= target.value * (1 + target.tolerance))
        rows.append({"target": name, "metric": target.metric, "sense": target.sense,
                     "value": np.nan if target.value is None else target.value, "tolerance": target.tolerance,
                     "actual": actual, "met": met})
    return pd.DataFrame(rows)
