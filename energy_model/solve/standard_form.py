"""Compile a linear pyomo model into the sparse standard form HiGHS takes: A, row bounds, costs, columns.

The same mixed standard form as pyomo's ``LinearStandardFormCompiler(mixed_form=True)``, row for row and
column for column (``tests/test_standard_form.py`` holds them equal), in less time on this model's
expressions (docs/performance.md): the rows are sums of monomials, which one loop reads without
pyomo's general visitor framework or the ``lhs - rhs`` expressions its ``to_bounded_expression``
builds for every two-sided row. A node it does not know (a power, an
``Expr_if``) goes to pyomo's own linear visitor, which also names any nonlinear term.

Layout, as pyomo's compiler: rows in declaration order of the active constraints (``==`` one row of
kind 0; ``<=`` kind 1; ``>=`` kind −1; a two-sided row gives a ``<=`` then a ``>=`` row, each
``row · x ⋚ rhs``); columns grouped by variable component in the order the objective and then the rows
first meet them, each component's members in index order; a fixed variable's terms move to the
right-hand side (a row of fixed variables only stays, empty), and columns that meet no row and no cost
are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import NamedTuple

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.var import ScalarVar, VarData
from pyomo.core.expr import numeric_expr as ne
from pyomo.core.expr.relational_expr import (
    EqualityExpression,
    InequalityExpression,
    RangedExpression,
)
from pyomo.repn.linear import LinearRepnVisitor

from ..errors import SolveError

EQUAL, UPPER, LOWER = 0, 1, -1  # row kinds: row·x == rhs, row·x <= rhs, row·x >= rhs
MONOMIAL = ne.MonomialTermExpression


class Row(NamedTuple):
    """One row of the matrix and the pyomo constraint it comes from."""

    constraint: object
    bound_type: int


@dataclass
class StandardForm:
    """``rows``: kind and source of each row; ``columns``: the pyomo variable of each column."""

    A: sp.csc_matrix
    rhs: np.ndarray
    c: np.ndarray
    offset: float
    rows: list[Row]
    columns: list


class _Collector:
    """Collect ``Σ coef·x + constant`` of linear expressions, numbering columns as pyomo's compiler does.

    Sums of variables and monomials, nearly every term of this model, are read in one loop without a
    call per term; every other node goes through the table of handlers by expression class."""

    def __init__(self):
        self.column_of: dict[int, int] = {}  # id(var data) -> provisional column
        self.variables: list = []
        self._general = LinearRepnVisitor({})
        self.handlers = {
            VarData: self._add, ScalarVar: self._add,
            ne.MonomialTermExpression: self._monomial,
            ne.NegationExpression: self._negation,
            ne.ProductExpression: self._product, ne.DivisionExpression: self._division,
        }
        for cls in (ne.LinearExpression, ne.SumExpression, ne._MutableLinearExpression, ne._MutableSumExpression):
            self.handlers[cls] = self._sum

    def linear(self, expr, coefs: dict[int, float], mult: float = 1.0) -> float:
        """Add the linear terms of ``mult·expr`` to ``coefs`` (column -> coefficient); return its constant."""
        cls = expr.__class__
        if cls in native_numeric_types:
            return mult * expr
        handler = self.handlers.get(cls)
        if handler is None:
            handler = self.handlers[cls] = self._handler_for(expr)
        return handler(expr, coefs, mult)

    def _handler_for(self, expr):
        if isinstance(expr, VarData):
            return self._add
        if not expr.is_potentially_variable():  # parameters, NPV expressions: a constant
            return self._constant
        if expr.is_named_expression_type():
            return self._named
        for base in (ne.MonomialTermExpression, ne.SumExpression, ne.NegationExpression, ne.DivisionExpression,
                     ne.ProductExpression):
            if isinstance(expr, base):
                return self.handlers[base]
        return self._other

    def column(self, var) -> int:
        """The provisional column of a variable; a new component is numbered as a whole."""
        column_of, variables = self.column_of, self.variables
        for member in var.parent_component().values():
            column_of[id(member)] = len(variables)
            variables.append(member)
        return column_of[id(var)]

    def _add(self, var, coefs, coef: float) -> float:
        """``coef·var``: the handler of a variable (``coef`` is the multiplier) and the end of every term."""
        j = self.column_of.get(id(var))
        if j is None:
            j = self.column(var)
        coefs[j] = coefs.get(j, 0.0) + coef
        return 0.0

    def _sum(self, expr, coefs, mult):
        constant = 0.0
        column_of, get = self.column_of, coefs.get
        for arg in expr.args:
            cls = arg.__class__
            if cls is MONOMIAL:
                coef, var = arg._args_
                if coef.__class__ not in native_numeric_types:
                    coef = pyo.value(coef)
                coef = mult * coef
            elif cls is VarData:
                coef, var = mult, arg
            else:
                constant += self.linear(arg, coefs, mult)
                continue
            j = column_of.get(id(var))
            if j is None:
                j = self.column(var)
            coefs[j] = get(j, 0.0) + coef
        return constant

    def _monomial(self, expr, coefs, mult):
        coef, var = expr.args
        if coef.__class__ not in native_numeric_types:
            coef = pyo.value(coef)
        return self._add(var, coefs, mult * coef)

    def _negation(self, expr, coefs, mult):
        return self.linear(expr.args[0], coefs, -mult)

    def _product(self, expr, coefs, mult):
        a, b = expr.args
        if a.__class__ in native_numeric_types or not a.is_potentially_variable():
            return self.linear(b, coefs, mult * pyo.value(a))
        if b.__class__ in native_numeric_types or not b.is_potentially_variable():
            return self.linear(a, coefs, mult * pyo.value(b))
        return self._other(expr, coefs, mult)

    def _division(self, expr, coefs, mult):
        a, b = expr.args
        if b.__class__ in native_numeric_types or not b.is_potentially_variable():
            return self.linear(a, coefs, mult / pyo.value(b))
        return self._other(expr, coefs, mult)

    def _named(self, expr, coefs, mult):
        return self.linear(expr.expr, coefs, mult)

    def _constant(self, expr, coefs, mult):
        return mult * pyo.value(expr)

    def _other(self, expr, coefs, mult):
        """Anything else through pyomo's own linear visitor (which refuses a nonlinear term)."""
        repn = self._general.walk_expression(expr)
        if repn.nonlinear is not None:
            raise SolveError(f"the expression {expr} is not linear; HiGHS is given linear programs only")
        for var_id, coef in repn.linear.items():
            self._add(self._general.var_map[var_id], coefs, mult * repn.multiplier * coef)
        return mult * repn.multiplier * pyo.value(repn.constant)


def _bounds(expr) -> tuple[object, object, object, object]:
    """``(lb, body, ub, other)``: the row is ``lb <= body - other <= ub``, split as pyomo's
    ``ConstraintData.to_bounded_expression`` splits it, without building ``body - other``."""
    cls = expr.__class__
    if cls is RangedExpression:
        lb, body, ub = expr.args
        return lb, body, ub, None
    equality = isinstance(expr, EqualityExpression)
    # (Constraint.Feasible is an inequality too, 0 <= 0: a row without variables, which compile_model drops)
    if not equality and not isinstance(expr, InequalityExpression):
        raise SolveError(f"the constraint {expr} is not an equation or an inequality")
    lhs, rhs = expr.args
    if rhs.__class__ in native_numeric_types or not rhs.is_potentially_variable():
        return (rhs if equality else None), lhs, rhs, None
    if lhs.__class__ in native_numeric_types or not lhs.is_potentially_variable():
        return lhs, rhs, (lhs if equality else None), None
    return (0.0 if equality else None), lhs, 0.0, rhs


def compile_model(model: pyo.ConcreteModel) -> StandardForm:
    """The standard form of the active objective and constraints of ``model``."""
    collector = _Collector()
    linear = collector.linear
    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    if len(objectives) > 1:
        raise SolveError(f"the model has {len(objectives)} active objectives; HiGHS takes one")
    cost: dict[int, float] = {}
    offset = 0.0
    for objective in objectives:  # none: a feasibility problem
        offset = linear(objective.expr, cost)
        if objective.sense == pyo.maximize:  # HiGHS minimises: the costs of a maximisation turn sign
            cost, offset = {j: -v for j, v in cost.items()}, -offset

    rows: list[Row] = []
    rhs: list[float] = []
    entries: list[dict[int, float]] = []  # the coefficients of each row, in row order
    for con in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        if con.expr is None:
            continue
        lb, body, ub, other = _bounds(con.expr)
        if lb is None and ub is None:
            continue
        coefs: dict[int, float] = {}
        constant = linear(body, coefs)
        if other is not None:
            constant += linear(other, coefs, -1.0)
        if lb is not None and lb.__class__ not in native_numeric_types:
            lb = pyo.value(lb)
        if ub is not None and ub.__class__ not in native_numeric_types:
            ub = pyo.value(ub)
        if 0.0 in coefs.values():  # a coefficient that cancelled out
            coefs = {j: v for j, v in coefs.items() if v != 0}
        if not coefs:
            if (lb is None or lb <= constant) and (ub is None or ub >= constant):
                continue
            raise SolveError(f"the constraint {con.name} cannot hold: no variable is left in it and its bounds "
                             f"exclude its constant {constant:g}", "infeasible")
        if lb == ub:
            rows.append(Row(con, EQUAL))
            rhs.append(ub - constant)
            entries.append(coefs)
            continue
        if ub is not None:
            rows.append(Row(con, UPPER))
            rhs.append(ub - constant)
            entries.append(coefs)
        if lb is not None:
            rows.append(Row(con, LOWER))
            rhs.append(lb - constant)
            entries.append(coefs)

    lengths = np.fromiter(map(len, entries), np.int64, len(entries))
    nnz = int(lengths.sum())
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    indices = np.fromiter(chain.from_iterable(entries), np.int64, nnz)
    data = np.fromiter(chain.from_iterable(map(dict.values, entries)), float, nnz)
    n = len(collector.variables)
    matrix = sp.csr_matrix((data, indices, indptr), shape=(len(rows), n)).tocsc()
    costs = np.zeros(n)
    if cost:
        costs[np.fromiter(cost, np.int64, len(cost))] = np.fromiter(cost.values(), float, len(cost))
    rhs = np.asarray(rhs, dtype=float)
    used = (np.diff(matrix.indptr) > 0) | (costs != 0)
    fixed = used & np.fromiter((v.fixed for v in collector.variables), bool, n)
    if fixed.any():  # a fixed variable's terms move to the right-hand side and the constant of the objective
        x = np.array([collector.variables[j].value for j in np.flatnonzero(fixed)], dtype=float)
        offset = offset + costs[fixed] @ x
        rhs = rhs - matrix[:, fixed] @ x
    keep = np.flatnonzero(used & ~fixed)
    return StandardForm(A=matrix[:, keep], rhs=rhs, c=costs[keep], offset=float(offset),
                        rows=rows, columns=[collector.variables[j] for j in keep])
