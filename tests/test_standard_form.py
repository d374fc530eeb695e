"""The model's own standard-form compiler gives pyomo's matrix exactly, and refuses what is not a linear program."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from energy_model.case.config import load_case
from energy_model.case.schema import SolverConfig
from energy_model.errors import SolveError
from energy_model.model.build import build
from energy_model.model.data import build_periods
from energy_model.runner import set_horizon
from energy_model.solve.highs import solve
from energy_model.solve.standard_form import EQUAL, LOWER, UPPER, compile_model

CASE = Path(__file__).resolve().parents[1] / "inputs" / "shuangliao"


def _assert_same_as_pyomo(model: pyo.ConcreteModel) -> None:
    ours = compile_model(model)
    theirs = LinearStandardFormCompiler().write(model, mixed_form=True)
    assert [v.name for v in ours.columns] == [v.name for v in theirs.columns]
    assert [(r.constraint.name, r.bound_type) for r in ours.rows] == \
        [(r.constraint.name, r.bound_type) for r in theirs.rows]
    difference = ours.A != theirs.A.tocsc()
    assert difference.nnz == 0
    np.testing.assert_array_equal(ours.rhs, np.asarray(theirs.rhs, dtype=float))
    np.testing.assert_array_equal(ours.c, theirs.c.toarray().ravel())
    assert ours.offset == float(theirs.c_offset[0])


def _small_model() -> pyo.ConcreteModel:
    """Every kind of node and row the compiler distinguishes, on four variables."""
    m = pyo.ConcreteModel()
    m.I = pyo.Set(initialize=[0, 1, 2])
    m.x = pyo.Var(m.I, bounds=(0, 10))
    m.y = pyo.Var(bounds=(-5, 5))
    m.unused = pyo.Var()  # in no row and no cost: no column
    m.z = pyo.Var(m.I)
    m.z[1].fix(2.5)  # a fixed variable is a constant
    m.p = pyo.Param(initialize=4.0, mutable=True)
    m.e = pyo.Expression(expr=2 * m.x[0] - m.y + 1)  # a named expression
    m.obj = pyo.Objective(expr=3 * m.x[0] + m.p * m.y - m.z[1] + 7 + m.e, sense=pyo.maximize)
    m.eq = pyo.Constraint(expr=m.x[0] + m.x[1] == m.y + 3)  # variables on both sides
    m.le = pyo.Constraint(expr=m.x[2] - 2 <= 2 * m.z[0])
    m.ge = pyo.Constraint(expr=5 >= -(m.x[1] + m.z[1]))  # negation around a sum holding a fixed variable
    m.range = pyo.Constraint(expr=pyo.inequality(-1, m.x[0] / 2 - m.z[2] * m.p, 8))  # two rows
    m.scaled = pyo.Constraint(expr=3 * (m.x[1] + 2 * m.y) + m.e >= 0)
    m.cancel = pyo.Constraint(expr=m.x[0] - m.x[0] + m.y <= 4)  # a coefficient that cancels out
    m.only_fixed = pyo.Constraint(expr=m.z[1] <= 3)  # an empty row: 0 <= 3 - 2.5
    m.indexed = pyo.Constraint(m.I, rule=lambda m, i: sum(m.x[j] for j in m.I if j != i) >= i)
    m.one = pyo.Param(initialize=1.0, mutable=True)
    m.power = pyo.Constraint(expr=2 * m.x[1] ** m.one + m.y <= 6)  # x^1: a node left to pyomo's linear visitor
    m.feasible = pyo.Constraint(m.I, rule=lambda m, i: pyo.Constraint.Feasible if i else m.x[i] <= 9)
    return m


def test_small_model_compiles_as_pyomo_does():
    _assert_same_as_pyomo(_small_model())


def test_row_kinds_and_bounds_of_small_model():
    form = compile_model(_small_model())
    kinds = {(r.constraint.name, r.bound_type): form.rhs[i] for i, r in enumerate(form.rows)}
    assert kinds[("eq", EQUAL)] == 3.0  # x0 + x1 - y == 3
    assert kinds[("range", UPPER)] == 8.0 and kinds[("range", LOWER)] == -1.0
    assert kinds[("ge", UPPER)] == 5.0 + 2.5  # -(x1 + 2.5) <= 5
    assert kinds[("only_fixed", UPPER)] == 0.5
    assert "unused" not in {v.name for v in form.columns}
    # maximise: HiGHS minimises the negated objective, constant 7 - 2.5 + 1 included
    assert form.offset == -(7 - 2.5 + 1)


@pytest.mark.parametrize("scenario", ["province_2030", "base_2030", "direct_supply_methanol", "pathway_2025_2030"])
def test_shipped_scenarios_compile_as_pyomo_does(scenario):
    config = load_case(CASE, scenario)
    set_horizon(config, 48, 0, sizing_days=0)
    periods = build_periods(config)
    _assert_same_as_pyomo(build(periods, pathway=config.case.pathway is not None).m)


def test_infeasible_constant_row_is_named():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.obj = pyo.Objective(expr=m.x)
    m.impossible = pyo.Constraint(expr=m.x - m.x >= 1)
    with pytest.raises(SolveError, match="impossible"):
        compile_model(m)


def test_nonlinear_term_is_refused():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.y = pyo.Var(bounds=(0, 1))
    m.obj = pyo.Objective(expr=m.x)
    m.product = pyo.Constraint(expr=m.x * m.y >= 0.5)
    with pytest.raises(SolveError, match="not linear"):
        compile_model(m)


def test_solution_of_small_model_by_hand():
    # min x + 2y  s.t.  x + y >= 3, x <= 2 (bound), y <= 5  ->  x = 2, y = 1, cost 4
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 2))
    m.y = pyo.Var(bounds=(0, 5))
    m.obj = pyo.Objective(expr=m.x + 2 * m.y)
    m.need = pyo.Constraint(expr=m.x + m.y >= 3)
    solution = solve(m, SolverConfig())
    assert solution.objective == pytest.approx(4.0)
    assert solution.value(m.x)[0] == pytest.approx(2.0) and solution.value(m.y)[0] == pytest.approx(1.0)
    assert solution.dual(m.need)[0] == pytest.approx(2.0)
