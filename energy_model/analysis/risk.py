"""A Monte Carlo of a project's NPV over the parameters of its tornado.

Each parameter the tornado swings is drawn from a triangular distribution on (low, base, high) of its range:
capex, electricity prices and product prices as factors on the solved run's cash flows, the WACC as a rate,
and the renewables' capacity factor as a factor whose effect on the NPV is read off the tornado's two
re-solves (piecewise linear through low, base and high). Electricity prices and capacity factor are drawn
through a Gaussian copula with correlation ``price_yield_correlation`` (a windy year sells cheaper).

    NPV_s = NPV(cash flows × capex_s, electricity_s, product_s; wacc_s) + ΔNPV_cf(f_s)

The capacity-factor term is added to the price terms: a first-order sum that leaves out their cross-term
(the price change on the energy a windier year adds), small against either within the tornado's ranges.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from .finance import (
    CAPITAL_ITEMS,
    SCALED_ITEMS,
    SWING_FACTORS,
    ProjectCashFlows,
    income_tax,
    npv,
)

PARAMETERS = ("capex", "electricity_price", "product_price", "wacc", "capacity_factor")


def triangular(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """The triangular distribution's quantiles at ``u`` (a point mass where low = high)."""
    if high <= low:
        return np.full_like(u, mode)
    return stats.triang.ppf(u, (mode - low) / (high - low), loc=low, scale=high - low)


def draws(tornado, samples: int, seed: int, correlation: float) -> dict[str, np.ndarray]:
    """Correlated uniform draws mapped to each swung parameter (``tornado``: schema.Tornado)."""
    rng = np.random.default_rng(seed)
    normal = rng.standard_normal((samples, len(PARAMETERS)))
    price, yield_ = PARAMETERS.index("electricity_price"), PARAMETERS.index("capacity_factor")
    normal[:, yield_] = correlation * normal[:, price] + np.sqrt(1 - correlation**2) * normal[:, yield_]
    uniform = stats.norm.cdf(normal)
    values = {}
    for i, name in enumerate(PARAMETERS):
        swing = getattr(tornado, name)
        if swing is None:
            continue
        values[name] = uniform[:, i] if name == "wacc" else triangular(uniform[:, i], 1 - swing, 1.0, 1 + swing)
    return values


def npv_samples(flows: ProjectCashFlows, tornado, table, risk) -> np.ndarray:
    """NPV of each draw. ``table`` is the tornado (index parameter; setting_low/high, npv_low/high) with the
    capacity-factor re-solves when they were made; without them the capacity factor is held."""
    values = draws(tornado, risk.samples, risk.seed, risk.price_yield_correlation)
    base = npv(flows.wacc, flows.net())
    items = flows.by_tech.sum("tech")  # (item, year), what ProjectCashFlows.scaled multiplies
    names = [str(i) for i in items["item"].values]
    matrix = items.values
    years = matrix.shape[1]
    operating = np.arange(years) >= flows.construction_years
    capital = np.isin(names, CAPITAL_ITEMS)
    ones = np.ones(risk.samples)
    factors = {key: values[name] if name in values else ones for name, key in SWING_FACTORS.items()}
    by_item = np.stack([factors[SCALED_ITEMS[n]] if n in SCALED_ITEMS else ones for n in names], axis=1)  # (s, item)
    pre_tax = by_item @ matrix  # (samples, years)
    profit = pre_tax - (by_item[:, capital] @ matrix[capital]) - np.outer(factors["capex"], flows.depreciation)
    swing = tornado.wacc
    rates = triangular(values["wacc"], max(flows.wacc - swing, 0.0), flows.wacc, flows.wacc + swing) \
        if "wacc" in values else np.full(risk.samples, flows.wacc)
    discount = (1.0 + rates[:, None]) ** -np.arange(years)
    out = np.empty(risk.samples)
    for s in range(risk.samples):
        tax = income_tax(np.where(operating, profit[s], 0.0), flows.tax_rate, flows.loss_carry_forward)
        out[s] = float((pre_tax[s] - tax) @ discount[s])
    if "capacity_factor" in values and "capacity_factor" in table.index:
        row = table.loc["capacity_factor"]
        points = [(row["setting_low"], row["npv_low"]), (1.0, base), (row["setting_high"], row["npv_high"])]
        if all(np.isfinite(p[1]) for p in points):
            x, y = zip(*sorted(points))
            out += np.interp(values["capacity_factor"], x, y) - base
    return out


def summary(samples: np.ndarray) -> dict[str, float]:
    """P90 (exceeded by 90 % of the draws: the 10th percentile), P50, P10 and the chance of a negative NPV."""
    return {"npv_p90": float(np.quantile(samples, 0.10)), "npv_p50": float(np.quantile(samples, 0.50)),
            "npv_p10": float(np.quantile(samples, 0.90)), "npv_probability_negative": float((samples < 0).mean())}
