"""Plan audit: the plan's figures next to what a scenario gives, as a table with pass/fail and the numbers.

A case may hold ``plan_audit.yaml`` with two parts:

- ``loads``: for each plan load, its plants or demands and the plan's quantity of their product. The
  electricity that quantity needs is quantity × the product's electricity intensity along its chain
  (from the plants' ratios, :func:`energy_model.products.electricity_intensity`); what the scenario gives
  it is the scenario's quantity × the same intensity. Pass: scenario ≥ plan (within ``tolerance``).
- ``checks``: ``left relation right`` between two measures, each one of
  ``capacity`` (Σ MW of ``techs`` in the model year), ``electricity_use`` (Σ net electricity drawn by
  ``techs``, GWh/yr), ``available_energy`` (Σ available renewable output of ``techs``, GWh/yr),
  ``plan_electricity`` (``quantity`` of ``carrier`` × its intensity, GWh/yr) or ``value`` (a number with
  its unit); each times ``scale``. Relations ``>=``, ``<=``, ``==`` hold within a relative ``tolerance``.

Every figure is annualised from the modelled horizon, so a one-week run gives yearly numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr
from pydantic import Field, TypeAdapter, ValidationError, model_validator

from .analysis import ELECTRICITY
from .config import InputError, _describe, read_yaml
from .labels import label
from .products import electricity_intensity
from .schema import Fraction, Strict
from .units import UnitError, convert

AUDIT_FILE = "plan_audit.yaml"
MWH_PER_GWH = 1e3
# canonical unit of a quantity in the file -> unit shown in the table and factor to it
DISPLAY = {"MW": ("MW", 1.0), "t/h": ("t/h", 1.0), "MWh/yr": ("GWh/yr", 1e-3), "t/yr": ("t/yr", 1.0),
           "CNY": ("CNY", 1.0), "CNY/yr": ("CNY/yr", 1.0)}
MEASURE_UNIT = {"capacity": "MW", "electricity_use": "MWh/yr", "available_energy": "MWh/yr",
                "plan_electricity": "MWh/yr"}


def parse(value: float | str) -> tuple[float, str]:
    """A number with a unit as (value in its canonical unit, canonical unit); plain numbers stay unit-free."""
    if isinstance(value, (int, float)):
        return float(value), ""
    for unit in DISPLAY:
        try:
            return convert(value, (unit,)), unit
        except UnitError:
            continue
    raise ValueError(f"'{value}': unit not one of {', '.join(DISPLAY)} (or convertible to one)")


class Measure(Strict):
    measure: Literal["capacity", "electricity_use", "available_energy", "plan_electricity", "value"]
    techs: list[str] = Field(default_factory=list)
    carrier: str | None = None
    quantity: float | str | None = Field(None, description="plan_electricity: e.g. '40 kt/yr'")
    value: float | str | None = Field(None, description="value: e.g. '130 亿CNY/yr'")
    scale: float = 1.0

    @model_validator(mode="after")
    def _check(self):
        needs = {"capacity": ["techs"], "electricity_use": ["techs"], "available_energy": ["techs"],
                 "plan_electricity": ["carrier", "quantity"], "value": ["value"]}[self.measure]
        missing = [name for name in needs if not getattr(self, name)]
        if missing:
            raise ValueError(f"measure '{self.measure}' needs {', '.join(missing)}")
        for name in ("quantity", "value"):
            if getattr(self, name) is not None:
                parse(getattr(self, name))
        return self


class Check(Strict):
    label: str
    label_zh: str
    source: str
    left: Measure
    relation: Literal[">=", "<=", "=="]
    right: Measure
    tolerance: Fraction = 0.0


class Load(Strict):
    label: str
    label_zh: str
    source: str
    techs: list[str] = Field(min_length=1)
    plan_quantity: float | str | None = Field(None, description="plan quantity of the techs' product per year")
    tolerance: Fraction = 0.005

    @model_validator(mode="after")
    def _check(self):
        if self.plan_quantity is not None:
            parse(self.plan_quantity)
        return self


class AuditSpec(Strict):
    loads: dict[str, Load] = Field(default_factory=dict)
    checks: dict[str, Check] = Field(default_factory=dict)


def load_audit(case_dir: str | Path, technologies: dict, carriers) -> AuditSpec | None:
    """Read and check ``plan_audit.yaml`` of a case (None if the case has none)."""
    path = Path(case_dir) / AUDIT_FILE
    if not path.exists():
        return None
    try:
        spec = TypeAdapter(AuditSpec).validate_python(read_yaml(path))
    except ValidationError as exc:
        raise InputError(_describe(exc, path)) from None
    problems = []
    named = [(f"loads.{k}", load.techs) for k, load in spec.loads.items()]
    named += [(f"checks.{k}.{side}", getattr(check, side).techs) for k, check in spec.checks.items()
              for side in ("left", "right")]
    for where, techs in named:
        problems += [f"{path}: {where}: unknown technology '{g}'" for g in techs if g not in technologies]
    for k, check in spec.checks.items():
        for side in ("left", "right"):
            carrier = getattr(check, side).carrier
            if carrier is not None and carrier not in carriers:
                problems.append(f"{path}: checks.{k}.{side}.carrier: unknown carrier '{carrier}'")
    for k, load in spec.loads.items():
        made = {_product(technologies[g]) for g in load.techs if g in technologies}
        if len(made) > 1:
            problems.append(f"{path}: loads.{k}: its techs make different products {sorted(made)}")
    if problems:
        raise InputError(problems)
    return spec


def _product(tech) -> str:
    return tech.product if tech.kind == "conversion" else getattr(tech, "carrier", ELECTRICITY)


COLUMNS = ["check", "group", "label", "label_zh", "source", "scenario", "relation", "plan", "unit", "tolerance",
           "passed", "plan_quantity", "scenario_quantity", "quantity_unit"]


def audit(ds: xr.Dataset, technologies: dict, spec: AuditSpec) -> pd.DataFrame:
    """The audit table: one row per load and per check (``passed`` is NaN where the plan gives no figure)."""
    year = float(ds.attrs["year_fraction"])
    intensity = electricity_intensity(technologies)
    rows = []
    for key, load in spec.loads.items():
        product = _product(technologies[load.techs[0]])
        e = intensity.get(product, 0.0)
        made = float(ds["annual_output"].sel(tech=load.techs).sum())
        plan, unit = parse(load.plan_quantity) if load.plan_quantity is not None else (np.nan, "")
        passed = made >= plan * (1 - load.tolerance) if np.isfinite(plan) else np.nan
        shown_unit = "MWh/yr" if product == ELECTRICITY else "t/yr"
        rows.append([key, "load", load.label, load.label_zh, load.source, made * e / MWH_PER_GWH, ">=",
                     plan * e / MWH_PER_GWH, "GWh/yr", load.tolerance, passed, plan, made, shown_unit])
    for key, check in spec.checks.items():
        (left, unit), (right, right_unit) = (_measure(ds, m, intensity, year) for m in (check.left, check.right))
        if unit != right_unit:
            raise InputError([f"{AUDIT_FILE}: checks.{key}: left is in '{unit}', right in '{right_unit}'"])
        shown, factor = DISPLAY.get(unit, (unit, 1.0))
        rows.append([key, "check", check.label, check.label_zh, check.source, left * factor, check.relation,
                     right * factor, shown, check.tolerance, _holds(left, check.relation, right, check.tolerance),
                     np.nan, np.nan, ""])
    return pd.DataFrame(rows, columns=COLUMNS)


def _measure(ds: xr.Dataset, m: Measure, intensity: dict, year: float) -> tuple[float, str]:
    if m.measure == "value":
        value, unit = parse(m.value)
    elif m.measure == "capacity":
        value, unit = float(ds["capacity"].sel(tech=m.techs).sum()), "MW"
    elif m.measure == "electricity_use":
        value, unit = float(ds["annual_electricity"].sel(tech=m.techs).sum()), "MWh/yr"
    elif m.measure == "available_energy":
        available = (ds["available"].sel(tech=m.techs) * ds["weight"]).sum()
        value, unit = float(available) / year, "MWh/yr"
    else:
        quantity, _ = parse(m.quantity)
        value, unit = quantity * intensity.get(m.carrier, 0.0), "MWh/yr"
    return value * m.scale, unit


def _holds(left: float, relation: str, right: float, tolerance: float) -> bool:
    slack = tolerance * abs(right)
    if relation == ">=":
        return left >= right - slack
    if relation == "<=":
        return left <= right + slack
    return abs(left - right) <= slack


NUMERIC = ("scenario", "plan", "tolerance", "passed", "plan_quantity", "scenario_quantity")


def to_dataset(ds: xr.Dataset, table: pd.DataFrame) -> xr.Dataset:
    """The audit table as variables along an ``audit`` dimension (strings and numbers), for results.nc."""
    ds = ds.assign_coords(audit=table["check"].astype(str).tolist())
    for column in COLUMNS[1:]:
        if column in NUMERIC:
            values = pd.to_numeric(table[column].astype(object).where(table[column].notna()), errors="coerce")
            ds[f"audit_{column}"] = ("audit", values.to_numpy(dtype=float))
        else:
            ds[f"audit_{column}"] = ("audit", table[column].astype(str).to_numpy())
    ds["audit_passed"].attrs["description"] = "1 pass, 0 fail, NaN where the plan gives no figure"
    return ds


def from_dataset(ds: xr.Dataset) -> pd.DataFrame | None:
    """The audit table back from a results Dataset (None if the run had no audit)."""
    if "audit" not in ds.dims:
        return None
    frame = pd.DataFrame({column: ds[f"audit_{column}"].values for column in COLUMNS[1:]})
    frame.insert(0, "check", [str(x) for x in ds["audit"].values])
    return frame


def display_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The audit for the report and results.xlsx (``labels.localize_table`` converts units and headers):
    the check in ``lang``, its source, scenario and plan values, and pass/fail or "no plan figure"."""
    frame = pd.DataFrame({
        "check": table["label_zh" if lang == "zh" else "label"],
        "source": table["source"],
        "scenario": table["scenario"].astype(float),
        "relation": table["relation"],
        "plan": table["plan"].astype(float),
        "unit": table["unit"],
    })
    frame["passed"] = [label("audit.none", lang) if pd.isna(x) else bool(x) for x in table["passed"]]
    return frame
