"""A PyPSA network imported as a case solves to PyPSA's own optimum."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from energy_model.cli import app
from energy_model.runner import run

pypsa = pytest.importorskip("pypsa", reason="PyPSA is in the test extra")


def _network(step: int = 1) -> "pypsa.Network":
    # one bus, a day: extendable wind (a daily profile), gas and a 4 h battery against a varying load; with
    # ``step`` > 1 the same day at that many hours per snapshot (snapshot weights = step)
    n = pypsa.Network()
    hours = pd.date_range("2030-01-01", periods=24 // step, freq=f"{step}h")
    n.set_snapshots(hours)
    n.snapshot_weightings.loc[:, :] = float(step)
    x = np.arange(0, 24, step)
    n.add("Carrier", "gas", co2_emissions=0.2, color="#8a5a2b")
    n.add("Bus", "el", carrier="AC")
    wind = 0.5 + 0.45 * np.sin(x / 24 * 2 * np.pi)
    n.add("Generator", "wind", bus="el", p_nom_extendable=True, p_nom_max=500, capital_cost=60.0,
          p_max_pu=pd.Series(wind, index=hours))
    n.add("Generator", "gas", bus="el", carrier="gas", p_nom_extendable=True, capital_cost=20.0, marginal_cost=70.0,
          efficiency=0.5, p_nom_max=1000)
    n.add("StorageUnit", "battery", bus="el", p_nom_extendable=True, p_nom_max=200, capital_cost=30.0, max_hours=4,
          efficiency_store=0.95, efficiency_dispatch=0.95)
    n.add("Load", "demand", bus="el", p_set=pd.Series(100 + 30 * np.cos(x / 24 * 2 * np.pi), index=hours))
    return n


@pytest.mark.parametrize("step", [1, 3])
def test_a_pypsa_network_solves_to_the_same_optimum(tmp_path, step):
    """Hourly, and at 3-hour snapshots as they are (time.resolution: 3, no resampling)."""
    n = _network(step)
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            n.optimize(solver_name="highs", log_to_console=False)
            n.export_to_netcdf(tmp_path / "net.nc")
    finally:
        logging.disable(logging.NOTSET)
    done = CliRunner().invoke(app, ["import", "pypsa", str(tmp_path / "net.nc"), str(tmp_path / "case")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "case" / "IMPORT_REPORT.md").exists()
    ours = run(tmp_path / "case", report=False)
    assert len(ours.dataset["time"]) == 24 // step
    assert ours.dataset.attrs["objective"] == pytest.approx(n.objective, rel=1e-6)
    for g in ("wind", "gas", "battery"):
        assert float(ours.dataset["capacity"].sel(tech=g)) == pytest.approx(float(n.generators.p_nom_opt.get(
            g, n.storage_units.p_nom_opt.get(g))), rel=1e-4, abs=1e-3)
    # the PyPSA carrier's name and colour become the report's group and colour
    assert (ours.dataset["tech_group"].sel(tech="gas").item(), ours.dataset["tech_color"].sel(tech="gas").item()) \
        == ("gas", "#8a5a2b")


def test_an_unreadable_network_is_an_input_error(tmp_path):
    (tmp_path / "net.nc").write_text("not a network")
    done = CliRunner().invoke(app, ["import", "pypsa", str(tmp_path / "net.nc"), str(tmp_path / "case")])
    assert done.exit_code == 2 and "net.nc" in done.output
