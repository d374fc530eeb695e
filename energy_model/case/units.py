"""Quantities with units in input files, converted once at load time.

Inputs may write a number in the field's canonical unit (``660``) or a string with an explicit unit
(``"66 万千瓦"``, ``"3995 CNY/kW"``, ``"26.37 亿CNY"``, ``"40 kt/yr"``). Converting here, and only here,
keeps the model itself unit-free: every array downstream is in the canonical units of DESIGN.md
(MW, MWh, t, h, CNY, years).
"""

from __future__ import annotations

import re

from ..errors import UnitError

# Each unit symbol -> (factor to the base unit, base dimension). Base units: CNY, MWh, t, h, yr.
_UNITS: dict[str, tuple[float, str]] = {
    "CNY": (1.0, "CNY"), "元": (1.0, "CNY"), "万元": (1e4, "CNY"), "亿元": (1e8, "CNY"),
    "万CNY": (1e4, "CNY"), "亿CNY": (1e8, "CNY"), "MCNY": (1e6, "CNY"), "bnCNY": (1e9, "CNY"),
    "kWh": (1e-3, "MWh"), "MWh": (1.0, "MWh"), "GWh": (1e3, "MWh"), "TWh": (1e6, "MWh"),
    "万千瓦时": (10.0, "MWh"), "亿千瓦时": (1e5, "MWh"),
    "kW": (1e-3, "MWh/h"), "MW": (1.0, "MWh/h"), "GW": (1e3, "MWh/h"), "万千瓦": (10.0, "MWh/h"),
    # apparent power is its own dimension: it becomes MW only through a power factor (schema.Market)
    "kVA": (1e-3, "MVA"), "MVA": (1.0, "MVA"), "GVA": (1e3, "MVA"), "万千伏安": (10.0, "MVA"),
    "g": (1e-6, "t"), "kg": (1e-3, "t"), "t": (1.0, "t"), "kt": (1e3, "t"), "Mt": (1e6, "t"),
    "万t": (1e4, "t"), "万吨": (1e4, "t"), "吨": (1.0, "t"),
    "gce": (1e-6, "t"), "kgce": (1e-3, "t"), "tce": (1.0, "t"),
    "h": (1.0, "h"), "yr": (1.0, "yr"), "a": (1.0, "yr"), "month": (1.0 / 12.0, "yr"),
    "%": (0.01, ""),
}
_TOKEN = re.compile(r"([*/])?\s*([^*/\s]+)")
_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def rate_unit(amount: str) -> str:
    """The unit of a flow of a carrier measured in ``amount``: MWh → MW, t → t/h."""
    return {"MWh": "MW", "t": "t/h"}.get(amount, f"{amount}/h")


def _dimension(unit: str) -> tuple[float, dict[str, int]]:
    """Factor and dimension exponents of a unit string such as ``CNY/kW/yr`` or ``CNY*h/t``."""
    factor, dims = 1.0, {}
    if not unit:
        return factor, dims
    for op, symbol in _TOKEN.findall(unit):
        if symbol not in _UNITS:
            raise UnitError(f"unknown unit '{symbol}' in '{unit}'")
        f, base = _UNITS[symbol]
        sign = -1 if op == "/" else 1
        factor *= f**sign
        for part_op, part in _TOKEN.findall(base):
            part_sign = sign * (-1 if part_op == "/" else 1)
            dims[part] = dims.get(part, 0) + part_sign
    return factor, {k: v for k, v in dims.items() if v}


def convert(value: object, canonical: tuple[str, ...]) -> float:
    """Return ``value`` in whichever of the ``canonical`` units matches its dimension.

    Plain numbers are taken to be in the canonical unit already.
    """
    if isinstance(value, bool):
        raise UnitError("expected a number, got a boolean")
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        raise UnitError(f"expected a number or a 'number unit' string, got {type(value).__name__}")
    match = _QUANTITY.match(value)
    if not match:
        raise UnitError(f"'{value}' is not a number followed by a unit")
    number, unit = float(match.group(1)), match.group(2)
    if not unit:  # a quoted plain number, e.g. "660", is in the canonical unit like 660
        return number
    target = matching_unit(value, canonical)
    return number * _dimension(unit)[0] / _dimension(target)[0]


def matching_unit(value: object, canonical: tuple[str, ...]) -> str | None:
    """Which of the ``canonical`` units a ``"number unit"`` string is written in; None for plain numbers.

    This tells a capacity in MW from one in t/h, so it can be checked against its carrier's unit.
    """
    match = _QUANTITY.match(value) if isinstance(value, str) else None
    if not match or not match.group(2):
        return None
    unit = match.group(2)
    dims = _dimension(unit)[1]
    for target in canonical:
        if dims == _dimension(target)[1]:
            return target
    expected = " or ".join(canonical) if any(canonical) else "a plain number"
    raise UnitError(f"unit '{unit}' cannot be converted to {expected}")


def apparent_to_real(value: object, power_factor: float | None) -> object:
    """``value`` with apparent power (MVA) in its unit turned into real power (MW) at ``power_factor``.

    ``"2000 MVA"`` at 0.95 becomes 1900.0 (MW) and ``"405 CNY/kVA"`` becomes 426,316 (CNY/MW): each MVA
    carries ``power_factor`` MW. Values without MVA, and values this module cannot parse, pass unchanged
    (the field's own validation reports the latter).
    """
    if not isinstance(value, str):
        return value
    match = _QUANTITY.match(value)
    if not match:
        return value
    try:
        factor, dims = _dimension(match.group(2))
    except UnitError:
        return value
    exponent = dims.get("MVA", 0)
    if not exponent:
        return value
    if power_factor is None:
        raise UnitError(f"'{value}' is apparent power: set power_factor to turn MVA into MW")
    return float(match.group(1)) * factor * power_factor**exponent
