"""Say why a model has no solution, in the words of the model: constraint families and components.

An infeasible model gets HiGHS's irreducible infeasible subset (IIS): rows and variable bounds that
cannot all hold, while dropping any one of them leaves the rest feasible. Where HiGHS returns none
(an older highspy, or a conflict it cannot isolate), an elastic re-solve gives every row a slack at
unit cost and reports the rows whose slacks the cheapest relaxation needs. Either way each row and
column is mapped back to the pyomo component that made it and grouped by family (the component name,
such as ``market_min_export``) and member (the technology or bus of its first index), so that 337
rows read as two lines. Unserved demand at VOLL keeps every demand balance feasible, so what is left
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
_REMEDY = (
    "Unserved demand at VOLL already relaxes every demand balance, so the conflict lies in the hard "
    "constraints above: check the inputs behind them (capacity, build_max, min_load, min_annual_export, "
    "policy limits) and the scenario overrides that set them."
)


def explain_infeasible(highs: highspy.Highs, lp: highspy.HighsLp, columns, rows) -> str:
    """A readable account of the conflicting constraints of an infeasible model."""
    iis = _iis(highs)
    if iis is not None:
        row_items = [(rows[i].constraint, *_bound(lp.row_lower_, lp.row_upper_, i, status))
                     for i, status in zip(iis.row_index_, iis.row_bound_)]
        col_items = [(columns[j], *_bound(lp.col_lower_, lp.col_upper_, j, status))
                     for j, status in zip(iis.col_index_, iis.col_bound_)]
        head = ("HiGHS found an irreducible infeasible subset: these constraints cannot all hold, and "
                "dropping any one of them makes the rest feasible.")
        return _report(head, row_items, col_items)
    slack = _elastic(lp)
    if slack is None:
        return ("HiGHS found no irreducible infeasible subset, and the model stays infeasible even with every "
                "row relaxed: variable bounds contradict each other (e.g. a minimum above a maximum).")
    row_items = [(rows[i].constraint, "violated by", f"{abs(slack[i]):.6g}") for i in np.flatnonzero(slack)]
    head = ("HiGHS found no irreducible infeasible subset; an elastic re-solve (every row may be violated "
            "at a unit cost) needs these rows relaxed, by the amounts shown (one of possibly several ways).")
    return _report(head, row_items, [])


def explain_unbounded(highs: highspy.Highs, columns) -> str:
    """The variables along which the objective falls without limit."""
    status, has_ray, ray = highs.getPrimalRay()
    if status != highspy.HighsStatus.kOk or not has_ray:
        return "HiGHS reports the model unbounded but gives no ray: look for a revenue without a capacity limit."
    moving = [(columns[j], "grows along the ray", f"{ray[j]:.3g}") for j in np.flatnonzero(np.abs(ray) > _TOLERANCE)]
    head = "Cost falls without limit when these variables grow together (a primal ray):"
    return _report(head, [], moving, remedy="Give them a finite bound: a capacity, build_max or a price.")


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


def _elastic(lp: highspy.HighsLp) -> np.ndarray | None:
    """Row violations of the least-violation relaxation (LP relaxation), or None if even that fails.

    Every row gets a slack pair s⁺, s⁻ ≥ 0: row_lower ≤ a·x + s⁺ − s⁻ ≤ row_upper; minimise Σ(s⁺ + s⁻).
    """
    n, m = lp.num_col_, lp.num_row_
    matrix = sp.csc_matrix((lp.a_matrix_.value_, lp.a_matrix_.index_, lp.a_matrix_.start_), shape=(m, n))
    eye = sp.identity(m, format="csc")
    elastic = sp.hstack([matrix, eye, -eye], format="csc")
    relaxed = highspy.HighsLp()
    relaxed.num_col_, relaxed.num_row_ = n + 2 * m, m
    relaxed.col_cost_ = np.concatenate([np.zeros(n), np.ones(2 * m)])
    relaxed.col_lower_ = np.concatenate([np.asarray(lp.col_lower_, float), np.zeros(2 * m)])
    relaxed.col_upper_ = np.concatenate([np.asarray(lp.col_upper_, float), np.full(2 * m, np.inf)])
    relaxed.row_lower_, relaxed.row_upper_ = np.asarray(lp.row_lower_, float), np.asarray(lp.row_upper_, float)
    relaxed.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    relaxed.a_matrix_.start_, relaxed.a_matrix_.index_ = elastic.indptr, elastic.indices
    relaxed.a_matrix_.value_ = elastic.data
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(relaxed)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    values = np.asarray(highs.getSolution().col_value)
    violation = values[n:n + m] - values[n + m:]
    violation[np.abs(violation) <= _TOLERANCE] = 0.0
    return violation


def _bound(lower, upper, i: int, status: int) -> tuple[str, str]:
    """The side of row or column ``i`` in the subset and its value: ("≤", "2000"), ("in", "[0, 50]")."""
    low, high = float(lower[i]) + 0.0, float(upper[i]) + 0.0  # + 0.0 turns -0 into 0
    if low == high:
        return "=", f"{low:.6g}"
    if int(status) == _BOXED:
        return "in", f"[{low:.6g}, {high:.6g}]"
    return ("≥", f"{low:.6g}") if int(status) == _LOWER else ("≤", f"{high:.6g}")


def _report(head: str, row_items, col_items, remedy: str = _REMEDY) -> str:
    lines = [head, "Values are in model units: MW or t/h per snapshot, totals over the modelled snapshots "
                   "(annual limits prorated to them).", ""]
    members: set[str] = set()
    for title, items in (("constraints", row_items), ("variable bounds", col_items)):
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
    time_set = getattr(component.model(), "T", None)
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
