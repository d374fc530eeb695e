"""Size on representative days, then dispatch every hour: the two-stage run of a full year.

One optimisation of sizes and hourly dispatch over 8,760 h is a large LP whose few sizing columns touch
every hour, which slows HiGHS's dual simplex by one to two orders of magnitude against the same LP with
the sizes fixed (docs/performance.md). So, as long-term planning tools hand
their build plan to an hourly production-cost run (PLEXOS LT → ST, GenX → PowerSimulations), a case
may set ``time.sizing_days: K``:

1. sizes: the case on K representative days (tsam, the case's clustering settings, storage linked
   across the year), solved for capacities and dispatch;
2. dispatch: the full hourly horizon with every sizing variable fixed at stage 1's values, solved
   for operation, prices and costs. Everything reported comes from this stage.

Without annual rules the result is a feasible plan for the full year, so its cost is an upper bound on the
one-piece optimum (its gap for the default case is measured in docs/performance.md). An annual ratio that
binds a project's sizes (the direct-supply rules: self-consumption and feed-in shares of the year's
available output) can hold on the representative days and fail on the full year; stage 2 is then solved
again with those projects' sizes free (:func:`rule_bound`), a small joint problem beside the fixed rest.
``--sizing-days 0`` (or ``sizing_days: null``) solves sizes and dispatch in one optimisation.
"""

from __future__ import annotations

import copy
import math

from .case.config import ModelConfig
from .errors import SolveError
from .model.build import build_model
from .model.builder import ModelBuilder
from .model.data import build_data
from .solve.highs import solve


def applies(config: ModelConfig) -> bool:
    """Two stages only where they differ from one: a single year's hourly horizon of whole days, longer than
    K days (a pathway is solved in one piece, usually on representative days already)."""
    time = config.case.time
    days = time.sizing_days
    return bool(days) and config.periods is None and time.representative_days.days is None \
        and time.hours % 24 == 0 and time.hours // 24 > days


def size_on_representative_days(config: ModelConfig) -> tuple[dict[str, dict], float]:
    """Stage 1: the sizing variables' values (by variable name, then index) and that stage's objective."""
    staged = copy.deepcopy(config)
    staged.case.time.representative_days.days = staged.case.time.sizing_days
    builder = build_model(build_data(staged))
    try:
        solution = solve(builder.m, staged.case.solver)
    except SolveError as exc:
        raise SolveError(f"sizing on {staged.case.time.sizing_days} representative days: {exc}",
                         exc.status, exc.diagnosis) from None
    sizes = {var.name: dict(zip(var.keys(), solution.value(var).ravel().tolist()))
             for var in builder.builds.values()}
    return sizes, solution.objective


def rule_bound(config: ModelConfig) -> set[str]:
    """Technologies of projects whose direct-supply rules are enforced: annual ratios over the year's output,
    which sizes chosen on representative days can miss."""
    return {g for project in config.case.projects.values() if project.direct_supply is not None
            and any(project.direct_supply.enforced(rule) for rule in ("min_self_consumption", "min_green_share"))
            for g in project.technologies}


def free_sizes(builder: ModelBuilder, techs: set[str]) -> None:
    """Undo :func:`fix_sizes` for ``techs``: stage 2 sizes them with the hourly dispatch."""
    for var in builder.builds.values():
        for key, data in var.items():
            if key in techs:
                data.unfix()


def fix_sizes(builder: ModelBuilder, sizes: dict[str, dict]) -> None:
    """Stage 2: fix every sizing variable at stage 1's value, clipped to its own bounds against round-off."""
    for var in builder.builds.values():
        values = sizes[var.name]
        for key, data in var.items():
            low = -math.inf if data.lb is None else data.lb
            high = math.inf if data.ub is None else data.ub
            data.fix(min(max(values[key], low), high))
