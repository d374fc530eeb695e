"""``results.nc`` as the CF conventions want it: one unit per variable, UDUNITS unit strings, a long_name
on every variable, and the file read back into the Dataset the run returned.

In memory a variable whose unit follows its elements (``flow`` is MW on an electricity bus and t/h on a
hydrogen bus) says so with ``units_along``: the name of a coordinate or variable along one of its dims
that holds each element's unit. :func:`to_cf` writes such a variable as one variable per unit, each
masked to its elements (NaN elsewhere, which compresses to almost nothing): the part in energy units
keeps the name (``flow`` in MW holds the electricity and heat buses), the others have their unit in it
(``flow__t_per_h`` holds the hydrogen buses), and each part names the variable it is part of
(``part_of``). :func:`from_cf` puts the parts together again, so
``from_cf(to_cf(ds))`` equals ``ds``.

Currency is not a UDUNITS unit: money is written ``CNY``, ``CNY/(MW h)`` and so on, which parse as UDUNITS
once ``CNY`` is read as a count.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import xarray as xr

CONVENTIONS = "CF-1.10"
UNITS_ALONG = "units_along"  # attr: the coordinate or variable that holds each element's unit
PART_OF = "part_of"  # attr of a written part: the variable it is part of
_SEPARATOR = "__"

# unit strings of the model → UDUNITS: "MWh" is a symbol UDUNITS does not know (it reads "MW h")
_UDUNITS = {"MWh": "MW h", "GWh": "GW h", "TWh": "TW h", "kWh": "kW h", "fraction": "1", "ratio": "1"}
_TOKEN = re.compile(r"[A-Za-z]+")
_ENERGY = re.compile(r"[kMGT]?W")  # a unit of energy or power: its part keeps the variable's name


def set_units(ds: xr.Dataset, name: str, units: list[str], coord: str, dim: str | None = None) -> xr.Dataset:
    """Give ``ds[name]`` its unit: a ``units`` attr where all its elements share one, else ``units_along``
    naming ``coord``, added as a coordinate along ``dim`` (default: the variable's first) that holds each
    element's unit (empty where an element has none) unless a variable of that name is there already."""
    distinct = sorted({u for u in units if u})
    if len(distinct) <= 1:
        ds[name].attrs["units"] = distinct[0] if distinct else "1"
        ds[name].attrs.pop(UNITS_ALONG, None)
        return ds
    if coord not in ds.variables:
        ds = ds.assign_coords({coord: (dim or ds[name].dims[0], np.array(units, dtype=str))})
    ds[name].attrs[UNITS_ALONG] = coord
    ds[name].attrs.pop("units", None)
    return ds


def udunits(unit: str) -> str:
    """A unit string of the model in UDUNITS syntax: ``CNY/MWh`` → ``CNY/(MW h)``, ``t/h`` stays."""
    def token(match: re.Match) -> str:
        word = match.group(0)
        return _UDUNITS.get(word, word)

    numerator, _, denominator = unit.partition("/")
    numerator = _TOKEN.sub(token, numerator)
    if not denominator:
        return numerator
    denominator = _TOKEN.sub(token, denominator)
    return f"{numerator}/({denominator})" if " " in denominator else f"{numerator}/{denominator}"


def to_cf(ds: xr.Dataset) -> xr.Dataset:
    """The Dataset as written to results.nc (see the module docstring)."""
    out = ds.copy()
    for name in list(ds.data_vars):
        var = ds[name]
        along = var.attrs.get(UNITS_ALONG)
        if along is None:
            continue
        units = ds[along]
        (dim,) = units.dims
        parts = sorted((u for u in dict.fromkeys(map(str, units.values)) if u), key=lambda u: not _ENERGY.search(u))
        out = out.drop_vars(name)
        for i, unit in enumerate(parts):
            part_name = name if i == 0 else f"{name}{_SEPARATOR}{_slug(unit)}"
            mine = (units == unit) | (units == "") if i == 0 else units == unit  # unitless elements (zeros) go first
            part = var.where(mine)  # a split variable is a float: NaN off its elements
            attrs = {k: v for k, v in var.attrs.items() if k != UNITS_ALONG}
            part.attrs = {**attrs, "units": unit, PART_OF: name, UNITS_ALONG: along}
            out[part_name] = part
    for name, var in out.variables.items():
        attrs = var.attrs
        if "units" in attrs and var.dtype.kind in "fiu":
            attrs["units"] = udunits(str(attrs["units"]))
        elif var.dtype.kind in "fiu" and name not in out.dims and "units" not in attrs:
            attrs["units"] = "1"
        attrs.setdefault("long_name", str(name).replace("_", " "))
    if "time" in out.variables:
        out["time"].attrs.update({"standard_name": "time", "long_name": "start of the time step"})
    out.attrs["Conventions"] = CONVENTIONS
    out.attrs.setdefault("title", f"energy_model results: {ds.attrs.get('case', '')} {ds.attrs.get('scenario', '')}"
                         .strip())
    out.attrs.setdefault("source", "energy_model (pyomo + HiGHS capacity and dispatch optimisation)")
    return out


def from_cf(ds: xr.Dataset) -> xr.Dataset:
    """The Dataset of a run from its results.nc contents: the parts of every split variable put together."""
    out = ds.copy()
    parts: dict[str, list[str]] = {}
    for name, var in ds.data_vars.items():
        if PART_OF in var.attrs:
            parts.setdefault(str(var.attrs[PART_OF]), []).append(name)
    for whole, names in parts.items():
        merged = ds[names[0]]
        for name in names[1:]:
            merged = merged.combine_first(ds[name])
        merged.attrs = {k: v for k, v in ds[names[0]].attrs.items() if k not in ("units", PART_OF)}
        out = out.drop_vars(names)
        out[whole] = merged
    return out


def open_results(path: str | Path) -> xr.Dataset:
    """A run's results.nc, loaded and closed, as the Dataset the run returned."""
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return from_cf(ds.load())


def _slug(unit: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", unit.replace("/", "_per_")).strip("_")
