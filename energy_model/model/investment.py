"""New capacity over investment periods: what each period builds, what stays in service, what it costs.

One mechanism serves every kind of investment (power capacity, a store's energy capacity, a flexibility
retrofit); a single-year run is its one-period case. For technology g and periods p (years Y_p, in order):

    build[g,p] ≥ 0                              new capacity built in period p (0 while g is inactive)
    serves(q, p)  ⇔  q ≤ p,  Y_p < Y_q + life_q,  g active in q and in p
    N[g,p] = Σ_{q serves p} build[g,q]          new capacity in service in period p
    lo_p ≤ N[g,p] ≤ hi_p                         wherever g is active (lo, hi: the period's build_min, build_max;
                                                 0, 0 in a period declared ``existing_only``)

So ``build_min``/``build_max`` bound the new capacity *in service* in a period, as in a single year: a plan
project of 800 MW "by 2030" reads the same in a pathway, and a site potential of 1,000 MW is never
exceeded by adding up the periods' builds. Where lo_p = hi_p in every active period no decision is left:
the builds follow one by one (build[p] = lo_p − what earlier builds still serve p), and a negative one
means a build would have to be undone, an input error. Otherwise every active period with hi_p > 0 gets a
variable; its own bounds carry lo_p, hi_p when it alone serves the period, a row N[g,p] ∈ [lo_p, hi_p]
does where earlier builds serve too.

A build of period q costs its annuity (capex_q, life_q) in every period it serves, each counted with that
period's objective weight (see :class:`energy_model.case.schema.Pathway`): within the horizon only, as in PyPSA.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ..errors import InputError

RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Kind:
    """What is invested in: the name of its build variables, the period's bounds on the amount in service
    (given the period's data and the technology name), and the capex and life of a build from the tech."""

    name: str
    label: str  # what it is, for messages: "new capacity", "new energy capacity", ...
    bounds: Callable[[object, str], tuple[float, float]]
    capex: Callable[[object], float]
    life: Callable[[object], float]
    # an annualised cost per unit (CNY/unit/yr, PyPSA's capital_cost) where the tech gives one instead of capex
    annual: Callable[[object], float | None] = lambda tech: None


@dataclass(frozen=True)
class Plan:
    """The builds of one technology of one kind over the investment periods."""

    years: tuple[int, ...]
    bounds: tuple[tuple[float, float], ...]  # (lo, hi) of the amount in service; (0, 0) where inactive
    serving: tuple[tuple[int, ...], ...]  # the periods whose builds are in service in each period
    variable: tuple[bool, ...]  # periods with a build variable
    fixed: tuple[float, ...] | None  # the builds, where no decision is left

    def decided(self, p: int) -> list[int]:
        """The periods whose build variables serve period p."""
        return [q for q in self.serving[p] if self.variable[q]]

    def fixed_in_service(self, p: int) -> float:
        return sum(self.fixed[q] for q in self.serving[p]) if self.fixed is not None else 0.0

    def own_bounds(self, p: int) -> tuple[float, float | None]:
        """Bounds of period p's build variable: the period's own bounds where it alone serves the period
        (None for no upper bound, as pyomo writes it)."""
        low, high = self.bounds[p]
        high = None if math.isinf(high) else high
        return (low, high) if self.decided(p) == [p] else (0.0, high)

    def needs_row(self, p: int) -> bool:
        decided = self.decided(p)
        return bool(decided) and decided != [p]


def plan(periods: list, kind: Kind, name: str) -> Plan:
    """The build plan of technology ``name`` over ``periods`` (ModelData, in order)."""
    active = [data.is_active(name) for data in periods]
    years = [data.year for data in periods]
    life = [kind.life(data.technologies[name]) for data in periods]
    bounds = [tuple(float(b) for b in kind.bounds(data, name)) if on and not data.existing_only else (0.0, 0.0)
              for data, on in zip(periods, active)]
    serving = [tuple(q for q in range(p + 1) if active[q] and active[p] and years[p] < years[q] + life[q])
               for p in range(len(periods))]
    if all(low == high for low, high in bounds):
        builds: list[float] = []
        for p, (low, _) in enumerate(bounds):
            carried = sum(builds[q] for q in serving[p] if q < p)
            if active[p] and low < carried - RELATIVE_TOLERANCE * max(carried, 1.0):
                built = ", ".join(str(years[q]) for q in serving[p] if q < p and builds[q] > 0)
                raise InputError([f"technologies.{name}: {kind.label} in service in {years[p]} is fixed at {low:g}, "
                                  f"but {carried:g} built in {built} is still within its life; a build cannot be "
                                  f"undone: raise the bounds of {years[p]}, shorten the life or retire the "
                                  f"technology (retire_year)"])
            builds.append(max(low - carried, 0.0) if active[p] else 0.0)
        return Plan(tuple(years), tuple(bounds), tuple(serving), (False,) * len(periods), tuple(builds))
    variable = tuple(on and high > 0 for on, (_, high) in zip(active, bounds))
    return Plan(tuple(years), tuple(bounds), tuple(serving), variable, None)


def annuity_factor(rate: float, years: float) -> float:
    """Yearly payment per unit invested, repaid over ``years`` at ``rate`` (1/years at rate 0)."""
    return 1.0 / years if rate == 0 else rate / (1.0 - (1.0 + rate) ** -years)
