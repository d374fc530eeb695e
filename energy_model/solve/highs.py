"""Hand the pyomo model to HiGHS in memory and bring the solution back as arrays.

:mod:`energy_model.solve.standard_form` turns the model into sparse matrices in one pass; highspy takes
them in one call (no LP file, no constraint-by-constraint handoff, see PERFORMANCE_NOTES.md). Values and
duals come back in column and row order and are mapped to pyomo components with index arrays, never
by looking up variables one at a time in Python loops over the solution.

A solve ends in one of three ways: optimal; stopped early at a limit (time, iterations, solutions)
with a feasible solution, which is returned and marked by ``status`` and ``mip_gap``; or without a
usable solution, raised as :class:`SolveError` whose ``diagnosis`` names the conflicting constraint
families and components when the model is infeasible or unbounded (:mod:`energy_model.solve.diagnosis`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo

from ..case.schema import SolverConfig
from ..errors import SolveError
from ..model.gc_pause import collector_paused
from . import diagnosis
from .standard_form import compile_model

OPTIMAL = "optimal"
# HiGHS statuses that stop the search early; the best solution found so far is still usable
STOPPED_EARLY = {
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kIterationLimit: "iteration_limit",
    highspy.HighsModelStatus.kSolutionLimit: "solution_limit",
    highspy.HighsModelStatus.kInterrupt: "interrupted",
}
_FEASIBLE = 2  # HiGHS solution status: a feasible point


@dataclass
class Solution:
    """Primal values and duals of one solve, addressable by pyomo component."""

    status: str
    objective: float
    col_value: np.ndarray
    row_dual: np.ndarray
    mip_gap: float | None
    timings: dict[str, float]
    status_detail: str = ""  # HiGHS's own words for the status
    _col_of: dict[int, int] = field(repr=False, default_factory=dict)
    _row_of: dict[int, int] = field(repr=False, default_factory=dict)
    capacities: dict[str, float] = field(default_factory=dict)
    _cache: dict[int, np.ndarray] = field(repr=False, default_factory=dict)

    def value(self, var: pyo.Var) -> np.ndarray:
        """Values of an indexed variable: shape (n_first_index,) or (n_first_index, n_snapshots)."""
        if id(var) not in self._cache:
            self._cache[id(var)] = self._values(var)
        return self._cache[id(var)]

    def _values(self, var: pyo.Var) -> np.ndarray:
        data = list(var.values())
        cols = np.fromiter((self._col_of.get(id(v), -1) for v in data), dtype=np.int64, count=len(data))
        values = np.where(cols >= 0, self.col_value[np.maximum(cols, 0)], 0.0)
        missing = np.flatnonzero(cols < 0)
        for i in missing:  # fixed or unused variables never reach the solver
            values[i] = data[i].value or 0.0
        return values.reshape(_shape(var))

    def set_values(self, var: pyo.Var, values: np.ndarray) -> None:
        """Report ``values`` for ``var`` instead of the solver's (an equally optimal point chosen after the solve)."""
        self._cache[id(var)] = np.asarray(values, dtype=float).reshape(_shape(var))

    def by_tech(self, var: pyo.Var, techs: list[str], fill: float | np.ndarray = 0.0) -> np.ndarray:
        """Rows of a (tech, t) variable laid out for ``techs``; techs it does not index get ``fill``."""
        result = np.array(np.broadcast_to(fill, (len(techs), len(var.parent_block().T))), dtype=float)
        if len(var) == 0:  # e.g. imports of a case whose markets all sell only: no index, no dimension
            return result
        first = list(var.index_set().subsets())[0] if var.dim() > 1 else var.index_set()
        row_of = {g: i for i, g in enumerate(first)}
        if row_of:
            values = self.value(var)
            for i, g in enumerate(techs):
                if g in row_of:
                    result[i] = values[row_of[g]]
        return result

    def dual(self, con: pyo.Constraint) -> np.ndarray:
        data = list(con.values())
        rows = np.fromiter((self._row_of.get(id(c), -1) for c in data), dtype=np.int64, count=len(data))
        duals = np.where(rows >= 0, self.row_dual[np.maximum(rows, 0)], 0.0)
        return duals.reshape(_shape(con))

    def capacity(self, tech: str) -> float:
        return self.capacities[tech]

    @property
    def complete(self) -> bool:
        """Proven optimal (within the MIP gap); otherwise the best solution found before a limit."""
        return self.status == OPTIMAL


def _column_bounds(columns: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper bounds (±inf where none) and integrality of the columns, in one pass over them;
    integrality is asked once per domain (most variables share one)."""
    bounds = np.array([v.bounds for v in columns], dtype=float).reshape(len(columns), 2)  # None -> nan
    lower = np.where(np.isnan(bounds[:, 0]), -math.inf, bounds[:, 0])
    upper = np.where(np.isnan(bounds[:, 1]), math.inf, bounds[:, 1])
    integral: dict[int, bool] = {}

    def is_integer(v) -> bool:
        key = id(v.domain)
        if key not in integral:
            integral[key] = v.is_integer()
        return integral[key]

    return lower, upper, np.fromiter(map(is_integer, columns), bool, len(columns))


def _shape(component) -> tuple[int, ...]:
    if len(component) == 0 or component.dim() <= 1:
        return (len(component),)
    return tuple(len(s) for s in component.index_set().subsets())


def solve(model: pyo.ConcreteModel, options: SolverConfig, log_file: str | None = None) -> Solution:
    """Compile, solve with HiGHS, and return a :class:`Solution` or raise :class:`SolveError`."""
    return Persistent(model, options, log_file).run()


class Persistent:
    """A model compiled once and kept in HiGHS, to be solved again after :meth:`fix` changes some columns'
    bounds: HiGHS restarts from the last basis (a warm start), so a sweep over designs pays the build,
    the compilation and most of the simplex work once."""

    def __init__(self, model: pyo.ConcreteModel, options: SolverConfig, log_file: str | None = None):
        t0 = time.perf_counter()
        with collector_paused():
            form = compile_model(model)
        self.columns, self.rows, self.options = form.columns, form.rows, options
        self.lower, self.upper, self.integer = _column_bounds(self.columns)
        kind = np.fromiter((r.bound_type for r in self.rows), np.int8, len(self.rows))
        t1 = time.perf_counter()

        self.highs = highs = highspy.Highs()
        highs.setOptionValue("output_flag", log_file is not None)
        if log_file:
            highs.setOptionValue("log_file", str(log_file))
            highs.setOptionValue("log_to_console", False)
        _set_options(highs, options, has_integers=bool(self.integer.any()))
        self.lp = lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(self.columns), len(self.rows)
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = form.c, self.lower, self.upper
        lp.row_lower_ = np.where(kind <= 0, form.rhs, -math.inf)
        lp.row_upper_ = np.where(kind >= 0, form.rhs, math.inf)
        lp.offset_ = form.offset
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = form.A.indptr, form.A.indices, form.A.data
        if self.integer.any():
            lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                               for i in self.integer]
        highs.passModel(lp)
        self.col_of = {id(v): j for j, v in enumerate(self.columns)}
        self.row_of = {id(r.constraint): i for i, r in enumerate(self.rows)}
        self.timings = {"compile_s": t1 - t0, "handoff_s": time.perf_counter() - t1}

    def fix(self, values: list[tuple[object, float]]) -> None:
        """Fix each pyomo variable of ``values`` ((variable, value) pairs) at its value for the next :meth:`run`;
        a KeyError names a variable the compiled model does not hold (it appears in no row)."""
        cols = np.array([self.col_of[id(var)] for var, _ in values], dtype=np.int32)
        fixed = np.array([value for _, value in values], dtype=float)
        self.lower[cols], self.upper[cols] = fixed, fixed
        self.lp.col_lower_, self.lp.col_upper_ = self.lower, self.upper
        self.highs.changeColsBounds(len(cols), cols, fixed, fixed)

    def run(self) -> Solution:
        """Solve (from the last basis after the first time) and return a :class:`Solution`, or raise
        :class:`SolveError`."""
        highs, integer = self.highs, self.integer
        t2 = time.perf_counter()
        highs.run()
        t3 = time.perf_counter()
        model_status = highs.getModelStatus()
        if model_status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            # presolve can tell only that one of the two holds; without it the solver says which
            presolve = highs.getOptionValue("presolve")[1]
            highs.setOptionValue("presolve", "off")
            highs.run()
            highs.setOptionValue("presolve", presolve)
            model_status = highs.getModelStatus()
            t3 = time.perf_counter()
        status_text = highs.modelStatusToString(model_status)
        info = highs.getInfo()
        solution = highs.getSolution()
        if model_status == highspy.HighsModelStatus.kOptimal and solution.value_valid:
            status = OPTIMAL
        elif model_status in STOPPED_EARLY and solution.value_valid and info.primal_solution_status == _FEASIBLE:
            status = STOPPED_EARLY[model_status]
        else:
            raise _failure(highs, model_status, status_text, self.columns, self.rows, self.lp, self.options)
        mip_gap = None
        objective = float(info.objective_function_value)
        if integer.any():
            mip_gap = float(info.mip_gap)
            t_mip = time.perf_counter()
            solution, objective = _fixed_integer_lp(highs, np.flatnonzero(integer), np.asarray(solution.col_value))
            t3 += time.perf_counter() - t_mip
        duals = np.asarray(solution.row_dual) if solution.dual_valid else np.full(len(self.rows), np.nan)
        return Solution(
            status=status,
            objective=objective,
            col_value=np.asarray(solution.col_value),
            row_dual=duals,
            mip_gap=mip_gap,
            timings={**self.timings, "solve_s": t3 - t2},
            status_detail=status_text,
            _col_of=self.col_of,
            _row_of=self.row_of,
        )


def _failure(highs, model_status, status_text: str, columns, rows, lp, options: SolverConfig) -> SolveError:
    """The error for a solve without a usable solution, with a diagnosis where one can be made."""
    if model_status == highspy.HighsModelStatus.kInfeasible:
        return SolveError("the model is infeasible: its hard constraints cannot all hold", "infeasible",
                          diagnosis.explain_infeasible(highs, lp, columns, rows, options))
    if model_status == highspy.HighsModelStatus.kUnbounded:
        return SolveError("the model is unbounded: some quantity can grow without limit while cost falls",
                          "unbounded", diagnosis.explain_unbounded(highs, columns))
    if model_status in STOPPED_EARLY:
        return SolveError(f"HiGHS stopped ({status_text}) before finding a feasible solution; "
                          f"raise the limit (--time-limit, or the solver options in case.yaml)", STOPPED_EARLY[model_status])
    return SolveError(f"HiGHS ended with status '{status_text}' and no usable solution", "error")


def _fixed_integer_lp(highs: highspy.Highs, integers: np.ndarray, values: np.ndarray):
    """Re-solve with the integer columns fixed at their MIP values, as a pure LP.

    A MIP has no duals; with commitment fixed the LP gives marginal prices (the usual pricing run after
    unit commitment) and the best dispatch for that commitment, never worse than the MIP incumbent.
    """
    fixed = np.round(values[integers])
    highs.changeColsIntegrality(len(integers), integers,
                                np.full(len(integers), highspy.HighsVarType.kContinuous))
    highs.changeColsBounds(len(integers), integers, fixed, fixed)
    highs.setOptionValue("time_limit", math.inf)  # the MIP may have used the whole limit; this LP is small work
    highs.run()
    status_text = highs.modelStatusToString(highs.getModelStatus())
    solution = highs.getSolution()
    if status_text != "Optimal" or not solution.value_valid:
        raise SolveError(f"the LP with commitment fixed ended with status '{status_text}'", "error")
    return solution, float(highs.getInfo().objective_function_value)


def highs_option_values(options: SolverConfig, has_integers: bool) -> dict[str, object]:
    """The HiGHS options a :class:`SolverConfig` stands for (also what the benchmark hands PyPSA)."""
    values: dict[str, object] = {"threads": options.threads, "solver": options.method, "presolve": options.presolve}
    if options.time_limit is not None:
        values["time_limit"] = float(options.time_limit)
    if has_integers:
        values["mip_rel_gap"] = float(options.mip_rel_gap)
    values.update(options.options)
    return values


def _set_options(highs: highspy.Highs, options: SolverConfig, has_integers: bool) -> None:
    # HiGHS keeps one thread pool per process and rejects a solve whose thread count differs from it;
    # runs in one process (tests, batches) may ask for different counts, so start a fresh pool each time.
    highspy.Highs.resetGlobalScheduler(True)
    for name, value in highs_option_values(options, has_integers).items():
        if highs.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            raise SolveError(f"HiGHS refuses option {name} = {value!r}", "error")
