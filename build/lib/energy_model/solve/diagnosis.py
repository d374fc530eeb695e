"""Say why a model has no solution, in the words of the model: constraint families and components.

A small infeasible model gets HiGHS's irreducible infeasible subset (IIS): rows and variable bounds
that cannot all hold, while dropping any one of them leaves the rest feasible. HiGHS finds it with an
elasticity filter that adds one row per LP solve, so its time grows with the size of the conflict,
which on a full year can span every hour (docs/troubleshooting.md). Above ``IIS_MAX_ROWS``
rows, and wherever HiGHS returns no IIS, one elastic re-solve replaces it: every row gets a slack at
unit cost, and the report names the rows the least-violation relaxation must violate and the rows
and bounds that hold against it (non-zero duals and reduced costs). Either way each row and column is
mapped back to the pyomo component that made it and grouped by family (the component name, such as
``market_min_export``) and member (the technology or bus of its first index), so that thousands of
rows read as a few lines. Unserved demand at VOLL keeps every demand balance feasible, so what is left
are the hard constraints: capacities and build limits, minimum loads, minimum exports, policy caps.
An unbounded model gets the variables along which cost falls without limit (HiGHS's primal ray).
"""

from __future__ import annotations

from collections import defaultdict

import highspy
import numpy as np
import scipy.sparse as sp

_LOWER, _UPPER, _BOXED = 2, 3, 4  # HiGHS IisBoundStatus: which side of a bound is in the subset
_TOLERANCE = 1e-6
IIS_MAX_ROWS = 20_000  # about two weeks of the Shuangliao case; above it the elastic re-solve is used
_HOURLY_PREMIUM = 1e-3
_REMEDY = (
    "Unserved demand at VOLL already relaxes every demand balance, so the conflict lies in the hard "
    "constraints above: check the inputs behind them (capacity, build_max, min_load, min_annual_export, "
    "policy limits) and the scenario overrides that set them."
)


def explain_infeasible(highs: highspy.Highs, lp: highspy.HighsLp, columns, rows, options=None) -> str:
    """A readable account of the conflicting constraints of an infeasible model.

    ``options`` (the run's SolverConfig) gives the elastic re-solve the run's threads and time limit.
    """
    iis = _iis(highs) if lp.num_row_ <= IIS_MAX_ROWS else None
    if iis is not None:
        row_items = [(rows[i].constraint, *_bound(lp.row_lower_, lp.row_upper_, i, status))
                     for i, status in zip(iis.row_index_, iis.row_bound_)]
        col_items = [(columns[j], *_bound(lp.col_lower_, lp.col_upper_, j, status))
                     for j, status in zip(iis.col_index_, iis.col_bound_)]
        head = ("HiGHS found an irreducible infeasible subset: these constraints cannot all hold, and "
                "dropping any one of them makes the rest feasible.")
        return _report(head, [("constraints", row_items), ("variable bounds", col_items)])
    hourly = np.fromiter((_locate(row.constraint)[2] is not None for row in rows), bool, len(rows))
    relaxed = _elastic(lp, options, hourly)
    if isinstance(relaxed, str):
        return relaxed
    violation, row_dual, col_dual, row_value, col_value = relaxed
    violated = [(rows[i].constraint, "violated by", f"{abs(violation[i]):.6g}") for i in np.flatnonzero(violation)]
    holding = [(rows[i].constraint, *_active(lp.row_lower_, lp.row_upper_, row_value, i))
               for i in np.flatnonzero((np.abs(row_dual) > _TOLERANCE) & (violation == 0))]
    bounds = [(columns[j], *_active(lp.col_lower_, lp.col_upper_, col_value, j))
              for j in np.flatnonzero(np.abs(col_dual) > _TOLERANCE)]
    why = "the model is too large for HiGHS's IIS search" if lp.num_row_ > IIS_MAX_ROWS else "HiGHS found no IIS"
    head = (f"An elastic re-solve ({why}) lets every row be violated at a unit cost: the least violation "
            "needs the first rows relaxed by the amounts shown; the others hold against it (one of "
            "possibly several ways to restore feasibility).")
    return _report(head, [("must give way", violated), ("constraints holding against it", holding),
                          ("variable bounds holding against it", bounds)])


def explain_unbounded(highs: highspy.Highs, columns) -> str:
    """The variables along which the objective falls without limit."""
    status, has_ray, ray = highs.getPrimalRay()
    if status != highspy.HighsStatus.kOk or not has_ray:
        return "HiGHS reports the model unbounded but gives no ray: look for a revenue without a capacity limit."
    moving = [(columns[j], "grows along the ray", f"{ray[j]:.3g}") for j in np.flatnonzero(np.abs(ray) > _TOLERANCE)]
    head = "Cost falls without limit when these variables grow together (a primal ray):"
    return _report(head, [("variables", moving)], remedy="Give them a finite bound: a capacity, build_max or a price.")


def _iis(highs: highspy.Highs):
    if not hasattr(highs, "getIis"):
        return None
    highs.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyFromLp))
    try:
        status, iis = highs.getIis()
    except RuntimeError:
        return None
    if status != highspy.HighsStatus.kOk or not iis.valid_ or not (len(iis.row_index_) or len(iis.col_index_)):
        return None
    return iis


def _elastic(lp: highspy.HighsLp, options=None, hourly: np.ndarray | None = None):
    """The least-violation relaxation (of the LP relaxation), or a sentence saying why there is none.

    Each row gets the slacks it can use: row_lower ≤ a·x + s⁺ − s⁻ ≤ row_upper with s⁺ only where
    there is a lower bound and s⁻ only where there is an upper one; minimise Σ(s⁺ + s⁻), with slacks of
    ``hourly`` rows a little dearer, so that of two equal relaxations an annual limit (a duty, a cap)
    gives way rather than the physics of one hour. Returns the
    row violations, row duals, reduced costs of the original columns, row activities and column values.
    """
    n, m = lp.num_col_, lp.num_row_
    lower, upper = np.asarray(lp.row_lower_, float), np.asarray(lp.row_upper_, float)
    matrix = sp.csc_matrix((lp.a_matrix_.value_, lp.a_matrix_.index_, lp.a_matrix_.start_), shape=(m, n))
    up, down = np.flatnonzero(np.isfinite(lower)), np.flatnonzero(np.isfinite(upper))
    slack_up = sp.csc_matrix((np.ones(len(up)), (up, np.arange(len(up)))), shape=(m, len(up)))
    slack_down = sp.csc_matrix((-np.ones(len(down)), (down, np.arange(len(down)))), shape=(m, len(down)))
    elastic = sp.hstack([matrix, slack_up, slack_down], format="csc")
    k = len(up) + len(down)
    relaxed = highspy.HighsLp()
    relaxed.num_col_, relaxed.num_row_ = n + k, m
    cost = 1.0 + _HOURLY_PREMIUM * (hourly if hourly is not None else np.zeros(m))
    relaxed.col_cost_ = np.concatenate([np.zeros(n), cost[up], cost[down]])
    relaxed.col_lower_ = np.concatenate([np.asarray(lp.col_lower_, float), np.zeros(k)])
    relaxed.col_upper_ = np.concatenate([np.asarray(lp.col_upper_, float), np.full(k, np.inf)])
    relaxed.row_lower_, relaxed.row_upper_ = lower, upper
    relaxed.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    relaxed.a_matrix_.start_, relaxed.a_matrix_.index_ = elastic.indptr, elastic.indices
    relaxed.a_matrix_.value_ = elastic.data
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    if options is not None:
        highs.setOptionValue("threads", options.threads)
        if options.time_limit is not None:
            highs.setOptionValue("time_limit", float(options.time_limit))
    highs.passModel(relaxed)
    highs.run()
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kTimeLimit:
        return "The elastic re-solve that would name the conflicting constraints hit the time limit."
    if status != highspy.HighsModelStatus.kOptimal:
        return ("The model stays infeasible even with every row relaxed: variable bounds contradict each "
                "other (e.g. a minimum above a maximum).")
    solution = highs.getSolution()
    values = np.asarray(solution.col_value)
    violation = np.zeros(m)
    np.add.at(violation, up, values[n:n + len(up)])
    np.add.at(violation, down, -values[n + len(up):])
    violation[np.abs(violation) <= _TOLERANCE] = 0.0
    row_value = np.asarray(solution.row_value) - violation  # a·x alone, without the slacks
    return violation, np.asarray(solution.row_dual), np.asarray(solution.col_dual)[:n], row_value, values[:n]


def _active(lower, upper, value, i: int) -> tuple[str, str]:
    """The bound that row or column ``i`` sits at in a solution."""
    low, high = float(lower[i]) + 0.0, float(upper[i]) + 0.0
    if low == high:
        return "=", f"{low:.6g}"
    if abs(value[i] - low) <= abs(value[i] - high):
        return "≥", f"{low:.6g}"
    return "≤", f"{high:.6g}"


def _bound(lower, upper, i: int, status: int) -> tuple[str, str]:
    """The side of row or column ``i`` in the subset and its value: ("≤", "2000"), ("in", "[0, 50]")."""
    low, high = float(lower[i]) + 0.0, float(upper[i]) + 0.0  # + 0.0 turns -0 into 0
    if low == high:
        return "=", f"{low:.6g}"
    if int(status) == _BOXED:
        return "in", f"[{low:.6g}, {high:.6g}]"
    return ("≥", f"{low:.6g}") if int(status) == _LOWER else ("≤", f"{high:.6g}")


def _report(head: str, sections: list[tuple[str, list]], remedy: str = _REMEDY) -> str:
    lines = [head, "Values are in model units: MW or t/h per snapshot, totals over the modelled snapshots "
                   "(annual limits prorated to them).", ""]
    members: set[str] = set()
    for title, items in sections:
        if not items:
            continue
        lines.append(f"{title}:")
        for text, member in _group(items):
            lines.append(f"  {text}")
            members.update(member)
        lines.append("")
    if members:
        lines += [f"components involved: {', '.join(sorted(members))}", ""]
    lines.append(remedy)
    return "\n".join(lines) + "\n"


def _group(items) -> list[tuple[str, list[str]]]:
    """One line per (family, member, side): how many snapshots, which, and the bound values."""
    groups: dict[tuple, list] = defaultdict(list)
    for data, side, value in items:
        family, member, snapshot = _locate(data)
        groups[(family, member, side)].append((snapshot, value))
    lines = []
    for (family, member, side), entries in sorted(groups.items()):
        name = f"{family}[{', '.join(member)}]" if member else family
        snapshots = sorted(t for t, _ in entries if t is not None)
        values = sorted({v for _, v in entries}, key=_numeric)
        shown = values[0] if len(values) == 1 else f"{values[0]} .. {values[-1]}"
        when = f" at {len(snapshots)} snapshot{'s' if len(snapshots) > 1 else ''} ({_span(snapshots)})" \
            if snapshots else ""
        lines.append((f"{name} {side} {shown}{when}", list(member)))
    return lines


def _locate(data) -> tuple[str, tuple[str, ...], int | None]:
    """Family name, member labels and snapshot of one row or column (snapshot: the ``T`` index, if any)."""
    component = data.parent_component()
    index = data.index()
    index = index if isinstance(index, tuple) else (() if index is None else (index,))
    time_set = getattr(component.parent_block(), "T", None)
    subsets = list(component.index_set().subsets()) if component.is_indexed() else []
    if subsets and time_set is not None and subsets[-1] is time_set:
        return component.name, tuple(str(i) for i in index[:-1]), int(index[-1])
    return component.name, tuple(str(i) for i in index), None


def _span(snapshots: list[int]) -> str:
    if len(snapshots) == 1:
        return f"t = {snapshots[0]}"
    contiguous = snapshots[-1] - snapshots[0] + 1 == len(snapshots)
    return f"t = {snapshots[0]}..{snapshots[-1]}" + ("" if contiguous else ", not all")


def _numeric(text: str) -> float:
    try:
        return float(text.strip("[").split(",")[0])
    except ValueError:
        return 0.0
