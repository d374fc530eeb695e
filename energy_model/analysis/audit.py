"""Plan audit: the plan's figures next to what a run gives, as a table with pass/fail and the numbers.

A case may hold ``plan_targets.yaml``, the one place for the figures runs are checked against, each
written once with its source. Every run audits itself against it (``plan_audit.csv``, the report,
``audit_*`` in results.nc), and a batch comparison sets the checks of its runs side by side
(:mod:`energy_model.report.comparison`). The file has three parts:

- ``loads``: for each plan load, its plants or demands (by name, or every plant making a ``product``) and
  the plan's quantity of their product. The electricity that quantity needs is quantity × the product's
  electricity intensity along its chain (from the plants' ratios,
  :func:`energy_model.analysis.products.electricity_intensity`); what the run gives it is the run's quantity × the
  same intensity. Pass: run ≥ plan (within ``tolerance``).
- ``checks``: ``left relation right``. Relations ``>=``, ``<=``, ``==`` hold within a relative
  ``tolerance``; ``report`` shows the left side alone (the plan sets no figure). Each side, times
  ``scale``, is one measure: ``capacity`` (Σ MW), ``electricity_use`` (Σ net electricity drawn, MWh/yr)
  or ``available_energy`` (Σ available renewable output, MWh/yr) of a selection of technologies (by
  name in ``techs``, or by ``kinds``, optionally only those on ``carrier``, less ``exclude``: a selection
  by kind also takes the technologies a scenario adds); ``plan_electricity`` of a ``load`` (its plan
  quantity × intensity); ``value`` (a plan figure with its unit); or a figure of the whole system:
  ``output_value`` (CNY/yr, below), ``curtailment_rate``, ``non_fossil_share`` (as in summary.csv) and
  ``co2`` (t/yr).
- ``outside`` (optional): nodes that are not the plan's territory, e.g. a province node around the base. Their
  technologies count in no figure: not in selections by kind, the system figures or the output value.
- ``output_value``: the power-energy industry's output value (产值), which the plan does not define,
  estimated as electricity generated × an on-grid price by technology-name pattern (first match) +
  products delivered to demand or sold through markets × a product price.

Every figure is annualised from the modelled horizon, so a one-week run gives yearly numbers.
"""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
import xarray as xr
from pydantic import BeforeValidator, Field, model_validator

from ..case.files import PLAN_TARGETS_FILE
from ..case.schema import Fraction, Strict
from ..case.units import convert
from ..case.validation import load_file
from ..constants import ELECTRICITY, GENERATOR, LOAD, MARKET, PLANT
from ..errors import InputError, UnitError
from ..results.dataset import has_role
from ..results.netcdf import set_units
from .kpis import generation, supply_rows
from .products import electricity_intensity

MWH_PER_GWH = 1e3
# canonical unit of a quantity in the file -> unit shown in the table and factor to it ("": a share)
DISPLAY = {"MW": ("MW", 1.0), "t/h": ("t/h", 1.0), "MWh/yr": ("GWh/yr", 1e-3), "t/yr": ("t/yr", 1.0),
           "CNY": ("CNY", 1.0), "CNY/yr": ("CNY/yr", 1.0), "": ("fraction", 1.0)}
SELECTIONS = {"capacity": "MW", "electricity_use": "MWh/yr", "available_energy": "MWh/yr"}
SYSTEM = {"output_value": "CNY/yr", "curtailment_rate": "", "non_fossil_share": "", "co2": "t/yr"}
REPORT = "report"


def parse(value: float | str) -> tuple[float, str]:
    """A number with a unit as (value in its canonical unit, canonical unit); plain numbers are shares."""
    if isinstance(value, (int, float)):
        return float(value), ""
    for unit in DISPLAY:
        try:
            return convert(value, (unit,)), unit
        except UnitError:
            continue
    raise ValueError(f"'{value}': unit not one of {', '.join(u for u in DISPLAY if u)} (or convertible to one)")


class Measure(Strict):
    measure: Literal["capacity", "electricity_use", "available_energy", "plan_electricity", "value",
                     "output_value", "curtailment_rate", "non_fossil_share", "co2"]
    techs: list[str] = Field(default_factory=list, description="technologies by name")
    kinds: list[str] = Field(default_factory=list, description="or every technology of these kinds")
    carrier: str | None = Field(None, description="with kinds: only technologies on this carrier")
    exclude: list[str] = Field(default_factory=list, description="with kinds: technologies left out")
    load: str | None = Field(None, description="plan_electricity: a load of this file")
    value: float | str | None = Field(None, description="value: e.g. '130 亿CNY/yr'")
    scale: float = 1.0

    @model_validator(mode="after")
    def _check(self):
        given = {name for name in ("techs", "kinds", "carrier", "exclude", "load", "value")
                 if getattr(self, name) not in (None, [])}
        if self.measure in SELECTIONS:
            allowed = {"techs"} if self.techs else {"kinds", "carrier", "exclude"}
            if not (self.techs or self.kinds):
                raise ValueError(f"measure '{self.measure}' needs techs or kinds")
            if self.measure == "capacity" and self.kinds and not self.carrier:
                raise ValueError("capacity by kinds needs a carrier (MW and t/h do not add up)")
        else:
            allowed = {"plan_electricity": {"load"}, "value": {"value"}}.get(self.measure, set())
            if allowed - given:
                raise ValueError(f"measure '{self.measure}' needs {', '.join(sorted(allowed - given))}")
        if given - allowed:
            raise ValueError(f"measure '{self.measure}' takes no {', '.join(sorted(given - allowed))}")
        if self.value is not None:
            parse(self.value)
        return self


class Check(Strict):
    label: str
    label_zh: str
    source: str
    left: Measure
    relation: Literal[">=", "<=", "==", "report"]
    right: Measure | None = None
    tolerance: Fraction = 0.0

    @model_validator(mode="after")
    def _sides(self):
        if (self.relation == REPORT) != (self.right is None):
            raise ValueError("a 'report' check has no right side; the others need one")
        return self


class Load(Strict):
    label: str
    label_zh: str
    source: str
    techs: list[str] = Field(default_factory=list, description="its plants or demands by name")
    product: str | None = Field(None, description="or every plant making this product (one a scenario adds too)")
    plan_quantity: float | str | None = Field(None, description="plan quantity of the techs' product per year")
    tolerance: Fraction = 0.005

    @model_validator(mode="after")
    def _check(self):
        if bool(self.techs) == (self.product is not None):
            raise ValueError("a load names its techs or a product, one of the two")
        if self.plan_quantity is not None:
            parse(self.plan_quantity)
        return self


def _in(unit: str):
    return BeforeValidator(lambda v: convert(v, (unit,)))


class OutputValue(Strict):
    electricity_price: dict[str, Annotated[float, _in("CNY/MWh"), Field(ge=0)]] = Field(
        description="technology-name pattern -> on-grid price [CNY/MWh]; first match wins")
    product_price: dict[str, Annotated[float, _in("CNY/t"), Field(ge=0)]] = Field(
        default_factory=dict, description="carrier -> price [CNY/t]")
    sources: dict[str, str] = Field(default_factory=dict)


class AuditSpec(Strict):
    outside: list[str] = Field(default_factory=list, description="nodes outside the plan's territory")
    loads: dict[str, Load] = Field(default_factory=dict)
    checks: dict[str, Check] = Field(default_factory=dict)
    output_value: OutputValue | None = None


def load_audit(case_dir: str | Path, technologies: dict, carriers) -> AuditSpec | None:
    """Read and check ``plan_targets.yaml`` of a case against its technologies (None if it has none)."""
    path = Path(case_dir) / PLAN_TARGETS_FILE
    if not path.exists():
        return None
    spec = load_file(path, AuditSpec)
    problems = []
    for key, load in spec.loads.items():
        problems += [f"{path}: loads.{key}: unknown technology '{g}'" for g in load.techs if g not in technologies]
        made = {_product(technologies[g]) for g in load.techs if g in technologies}
        if len(made) > 1:
            problems.append(f"{path}: loads.{key}: its techs make different products {sorted(made)}")
        if load.product is not None and not _load_techs(load, technologies):
            problems.append(f"{path}: loads.{key}.product: no plant makes '{load.product}'")
    for key, check in spec.checks.items():
        for side in ("left", "right"):
            m, where = getattr(check, side), f"{path}: checks.{key}.{side}"
            if m is None:
                continue
            problems += [f"{where}: unknown technology '{g}'" for g in m.techs + m.exclude if g not in technologies]
            if m.carrier is not None and m.carrier not in carriers:
                problems.append(f"{where}.carrier: unknown carrier '{m.carrier}'")
            if m.load is not None and m.load not in spec.loads:
                problems.append(f"{where}.load: unknown load '{m.load}' (loads: {', '.join(spec.loads)})")
            if m.load in spec.loads and spec.loads[m.load].plan_quantity is None:
                problems.append(f"{where}.load: load '{m.load}' has no plan_quantity")
            if m.measure == "output_value" and spec.output_value is None:
                problems.append(f"{where}: measure 'output_value' needs the file's output_value prices")
        if check.right is not None and unit_of(check.left) != unit_of(check.right):
            problems.append(f"{path}: checks.{key}: left is in '{unit_of(check.left)}', right in "
                            f"'{unit_of(check.right)}' (a plain number is a share: write a value's unit, "
                            f"e.g. '2660 MW')")
    if spec.output_value is not None:
        problems += [f"{path}: output_value.electricity_price: no pattern matches '{g}', which generates "
                     f"electricity" for g, tech in technologies.items() if _generator(tech)
                     and tech.node not in spec.outside and _price(g, spec.output_value) is None]
    if problems:
        raise InputError(problems)
    return spec


def unit_of(m: Measure) -> str:
    """The canonical unit of a measure's value ("" for a share)."""
    if m.measure == "value":
        return parse(m.value)[1]
    return {**SELECTIONS, **SYSTEM, "plan_electricity": "MWh/yr"}[m.measure]


def _product(tech) -> str:
    return tech.product if tech.has(PLANT) else getattr(tech, "carrier", ELECTRICITY)


def _load_techs(load: Load, technologies: dict) -> list[str]:
    if load.techs:
        return load.techs
    return [g for g, t in technologies.items() if t.has(PLANT) and t.product == load.product]


def _load_product(load: Load, technologies: dict) -> str:
    return load.product or _product(technologies[load.techs[0]])


def _generator(tech) -> bool:
    return tech.has(GENERATOR) and tech.carrier == ELECTRICITY  # its electricity counts in the output value


def _price(tech: str, prices: OutputValue) -> float | None:
    return next((p for pattern, p in prices.electricity_price.items() if fnmatch(tech, pattern)), None)


COLUMNS = ["check", "group", "label", "label_zh", "source", "scenario", "relation", "plan", "unit", "tolerance",
           "passed", "plan_quantity", "scenario_quantity", "quantity_unit"]


def audit(ds: xr.Dataset, technologies: dict, spec: AuditSpec) -> pd.DataFrame:
    """The audit table: one row per load and per check (``passed`` is NaN where the plan gives no figure)."""
    intensity = electricity_intensity(technologies)
    rows = []
    for key, load in spec.loads.items():
        product = _load_product(load, technologies)
        e = intensity.get(product, 0.0)
        made = float(ds["annual_output"].sel(tech=_load_techs(load, technologies)).sum())
        plan = parse(load.plan_quantity)[0] if load.plan_quantity is not None else np.nan
        passed = made >= plan * (1 - load.tolerance) if np.isfinite(plan) else np.nan
        shown_unit = "MWh/yr" if product == ELECTRICITY else "t/yr"
        rows.append([key, "load", load.label, load.label_zh, load.source, made * e / MWH_PER_GWH, ">=",
                     plan * e / MWH_PER_GWH, "GWh/yr", load.tolerance, passed, plan, made, shown_unit])
    measure = _Measurer(ds, technologies, spec, intensity)
    for key, check in spec.checks.items():
        left = measure(check.left)
        right = measure(check.right) if check.right is not None else np.nan
        shown, factor = DISPLAY[unit_of(check.left)]
        passed = np.nan if check.right is None else _holds(left, check.relation, right, check.tolerance)
        rows.append([key, "check", check.label, check.label_zh, check.source, left * factor, check.relation,
                     right * factor, shown, check.tolerance, passed, np.nan, np.nan, ""])
    return pd.DataFrame(rows, columns=COLUMNS)


class _Measurer:
    """The measures of one run: ``measurer(m)`` -> value × scale in :func:`unit_of` ``m``."""

    def __init__(self, ds: xr.Dataset, technologies: dict, spec: AuditSpec, intensity: dict[str, float]):
        self.ds, self.technologies, self.spec, self.intensity = ds, technologies, spec, intensity
        self.year = float(ds.attrs["year_fraction"])
        self.inside = ~ds["tech_node"].isin(spec.outside).values  # along tech: the plan's territory
        self._kpis: pd.Series | None = None

    def __call__(self, m: Measure) -> float:
        ds = self.ds
        if m.measure == "capacity":
            value = float(ds["capacity"].sel(tech=self.select(m)).sum())
        elif m.measure == "electricity_use":
            value = float(ds["annual_electricity"].sel(tech=self.select(m)).sum())
        elif m.measure == "available_energy":
            value = float((ds["available"].sel(tech=self.select(m)) * ds["weight"]).sum()) / self.year
        elif m.measure == "value":
            value = parse(m.value)[0]
        elif m.measure == "plan_electricity":
            load = self.spec.loads[m.load]
            value = parse(load.plan_quantity)[0] * self.intensity.get(_load_product(load, self.technologies), 0.0)
        elif m.measure == "output_value":
            value = output_value(ds.isel(tech=self.inside), self.spec.output_value)
        elif m.measure == "co2":
            value = float(ds["co2"].isel(tech=self.inside).sum()) / self.year
        else:
            value = self.kpi(m.measure)
        return value * m.scale

    def select(self, m: Measure) -> list[str]:
        if m.techs:
            return m.techs
        carrier = {g: getattr(t, "carrier", None) or getattr(t, "input", None) for g, t in self.technologies.items()}
        return [g for g, t in self.technologies.items() if t.kind in m.kinds and g not in m.exclude
                and (m.carrier is None or carrier[g] == m.carrier) and t.node not in self.spec.outside]

    def kpi(self, name: str) -> float:
        """A key figure as summary.csv has it (the same definition as the report's), over the plan's territory."""
        if self._kpis is None:
            self._kpis = pd.Series(dict((kpi, value) for kpi, value, _ in supply_rows(
                self.ds, generation(self.ds), self.inside)))
        return float(self._kpis[name])


def output_value(ds: xr.Dataset, prices: OutputValue) -> float:
    """Annual generation × price by name pattern + annual products delivered × product price [CNY/yr]."""
    year = float(ds.attrs["year_fraction"])
    elec = ds["flow"].sel(bus=ds["bus"][ds["bus_carrier"] == ELECTRICITY]).sum("bus")
    generated = ((elec.clip(min=0) * ds["weight"]).sum("time") / year).where(has_role(ds, GENERATOR), 0.0)
    value = 0.0
    for tech, mwh in zip(generated["tech"].values, generated.values):
        if mwh > 0:
            value += float(mwh) * _price(str(tech), prices)
    for carrier, price in prices.product_price.items():
        buses = ds["bus"][ds["bus_carrier"] == carrier]
        if len(buses) == 0:
            continue
        taken = -ds["flow"].sel(bus=buses).sum("bus").clip(max=0).where(has_role(ds, LOAD, MARKET), 0.0)
        value += float((taken * ds["weight"]).sum()) / year * price
    return value


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
    ds["audit_passed"].attrs.update(units="1", description="1 pass, 0 fail, NaN where the plan gives no figure")
    ds["audit_tolerance"].attrs.update(units="1", description="relative slack of the check")
    for column in ("scenario", "plan"):
        ds = set_units(ds, f"audit_{column}", list(ds["audit_unit"].values), "audit_unit")
    for column in ("scenario_quantity", "plan_quantity"):
        ds = set_units(ds, f"audit_{column}", list(ds["audit_quantity_unit"].values), "audit_quantity_unit")
    return ds


def from_dataset(ds: xr.Dataset) -> pd.DataFrame | None:
    """The audit table back from a results Dataset (None if the run had no audit)."""
    if "audit" not in ds.dims:
        return None
    frame = pd.DataFrame({column: ds[f"audit_{column}"].values for column in COLUMNS[1:]})
    frame.insert(0, "check", [str(x) for x in ds["audit"].values])
    return frame
