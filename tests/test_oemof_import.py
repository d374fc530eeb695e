"""An oemof-solph energy system (oemof's basic single-node example: wind and PV, a gas plant fed by a gas
source, a battery, a demand and an excess sink) becomes a case folder that solves to oemof's own optimum."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from energy_model.case.oemof_import import from_energy_system
from energy_model.cli import app
from energy_model.errors import InputError
from energy_model.runner import run

solph = pytest.importorskip("oemof.solph")
HOURS = 24


def _energy_system(battery_investment: bool = True):
    x = np.arange(HOURS)
    index = pd.date_range("2030-01-01", periods=HOURS, freq="h")
    es = solph.EnergySystem(timeindex=index, infer_last_interval=True)
    el, gas = solph.Bus(label="electricity"), solph.Bus(label="gas")
    es.add(el, gas)
    es.add(solph.components.Source(label="wind", outputs={el: solph.Flow(
        maximum=0.5 + 0.4 * np.sin(x / 24 * 2 * np.pi), variable_costs=0.5,
        nominal_capacity=solph.Investment(ep_costs=50.0, maximum=300))}))
    es.add(solph.components.Source(label="pv", outputs={el: solph.Flow(
        fix=0.8 * np.clip(np.sin((x - 6) / 12 * np.pi), 0, None), nominal_capacity=40)}))
    es.add(solph.components.Source(label="gas_supply", outputs={gas: solph.Flow(variable_costs=30.0)}))
    es.add(solph.components.Sink(label="demand", inputs={el: solph.Flow(
        fix=80 + 20 * np.cos(x / 24 * 2 * np.pi), nominal_capacity=1.0)}))
    es.add(solph.components.Sink(label="excess", inputs={el: solph.Flow()}))
    es.add(solph.components.Converter(label="gas_plant", inputs={gas: solph.Flow()}, outputs={el: solph.Flow(
        nominal_capacity=100, variable_costs=2.0)}, conversion_factors={el: 0.5}))
    energy = solph.Investment(ep_costs=5.0, maximum=200) if battery_investment else 60.0
    es.add(solph.components.GenericStorage(
        label="battery", inputs={el: solph.Flow(nominal_capacity=20)}, outputs={el: solph.Flow(nominal_capacity=20)},
        nominal_capacity=energy, loss_rate=0.001, inflow_conversion_factor=0.95, outflow_conversion_factor=0.95))
    return es


def _oemof_optimum(es) -> float:
    import pyomo.environ as pyo

    model = solph.Model(es)
    for name in ("dual", "rc"):  # oemof keeps None placeholders that pyomo's HiGHS interface trips over
        if getattr(model, name, 0) is None:
            delattr(model, name)
    result = pyo.SolverFactory("appsi_highs").solve(model)
    assert str(result.solver.termination_condition) == "optimal"
    return float(model.objective())


@pytest.mark.parametrize("battery_investment", [True, False])
def test_an_oemof_energy_system_solves_to_oemof_s_optimum(tmp_path, battery_investment):
    case = from_energy_system(_energy_system(battery_investment), tmp_path / "case", name="basic")
    assert (case / "IMPORT_REPORT.md").read_text().count("- nothing") == 1  # everything carried over
    ours = run(case, report=False)
    assert ours.dataset.attrs["objective"] == pytest.approx(_oemof_optimum(_energy_system(battery_investment)),
                                                            rel=1e-6)
    assert float(ours.dataset["unserved"].sum()) == pytest.approx(0.0, abs=1e-6)


def test_what_cannot_be_carried_over_is_reported(tmp_path):
    es = _energy_system()
    el = next(node for node in es.nodes if node.label == "electricity")
    es.add(solph.components.Source(label="ramped", outputs={el: solph.Flow(
        nominal_capacity=10, variable_costs=1.0, positive_gradient_limit=0.1)}))
    case = from_energy_system(es, tmp_path / "case")
    assert "source ramped: positive_gradient_limit" in (case / "IMPORT_REPORT.md").read_text()
    with pytest.raises(InputError, match="not empty"):
        from_energy_system(es, case)


def test_the_script_that_builds_a_system_imports_from_the_command_line(tmp_path):
    script = tmp_path / "basic.py"
    script.write_text("import sys\n"
                      f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
                      "from test_oemof_import import _energy_system\n"
                      "energy_system = _energy_system()\n")
    done = CliRunner().invoke(app, ["import", "oemof", str(script), str(tmp_path / "case")])
    assert done.exit_code == 0, done.output
    assert run(tmp_path / "case", report=False).dataset.attrs["objective"] == pytest.approx(
        _oemof_optimum(_energy_system()), rel=1e-6)
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('no system today')\n")
    bad = CliRunner().invoke(app, ["import", "oemof", str(broken), str(tmp_path / "other")])
    assert bad.exit_code == 2 and "no system today" in bad.output and "Traceback" not in bad.output
