"""Multi-hour time steps (time.resolution): a case at 3-hour steps runs as it is, with energy, demand, ramps
and storage per step worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from micro import write_case

from energy_model.errors import InputError
from energy_model.runner import run


def three_hourly(tmp_path, technologies, series, **case_fields):
    """A micro case whose timeseries rows are 3 h apart: ``series`` columns of 4 steps = 12 hours."""
    case = write_case(tmp_path / "case", technologies, series={"flat": [1.0] * 4},
                      time={"start": "2030-01-01 00:00", "hours": 12, "resolution": 3}, **case_fields)
    frame = pd.DataFrame(series, index=pd.date_range("2030-01-01", periods=4, freq="3h", name="time"))
    frame.to_csv(case / "timeseries" / "series.csv")
    return case


def test_a_demand_share_per_step_is_power_over_the_step(tmp_path):
    # 2,920 MWh/yr, 1/2920 of it in each of the first steps: 1 MWh per 3-h step = 1/3 MW, bought at 90 CNY/MWh
    shape = [1 / 2920, 2 / 2920, 1 / 2920, 0.0]
    case = three_hourly(tmp_path, {
        "load": {"kind": "demand", "annual": "2920 MWh/yr", "profile": "shape"},
        "grid": {"kind": "market", "capacity": 10, "import_capacity": 10, "import_price": 90.0, "export_price": 0.0},
    }, {"shape": shape, "flat": [1.0] * 4})
    ds = run(case, None, None).dataset
    assert ds["weight"].values.tolist() == [3.0] * 4
    assert (-ds["flow"].sel(tech="load").sum("bus")).values == pytest.approx([1 / 3, 2 / 3, 1 / 3, 0.0])
    assert ds.attrs["objective"] == pytest.approx(90.0 * 4)  # 4 MWh in the 12 hours


def test_a_ramp_rate_counts_the_hours_of_a_step(tmp_path):
    # a 100 MW unit ramping 20 %/h may move 60 MW in a 3-h step: a load of 0, 60, 60, 0 MW is met only so
    # (read per step, 20 MW, it would leave 40 MW unserved)
    mw = [0.0, 60.0, 60.0, 0.0]
    total = sum(m * 3 for m in mw)
    case = three_hourly(tmp_path, {
        "coal": {"kind": "thermal", "fuel": "coal", "capacity": 100, "heat_rate": 0.1, "ramp_rate": 0.2},
        "load": {"kind": "demand", "annual": f"{total * 8760 / 12} MWh/yr", "profile": "shape"},
    }, {"shape": [m * 3 / (total * 8760 / 12) for m in mw], "flat": [1.0] * 4}, policy={"voll": 1e5})
    ds = run(case, None, None).dataset
    assert float(ds["unserved"].sum()) == pytest.approx(0.0, abs=1e-6)
    assert ds["flow"].sel(tech="coal").sum("bus").values == pytest.approx(mw)


def test_a_store_moves_power_times_the_hours_of_a_step(tmp_path):
    # 10 MW of wind in the first 3-h step only, a flat 2 MW load: the store takes 8 MW for 3 h and gives 2 MW for
    # the other 9 h, so it must hold 18 MWh (read per step it would need 6)
    case = three_hourly(tmp_path, {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 10},
        "battery": {"kind": "storage", "build_max": 100, "build_max_energy": 1000, "capex": 1.0, "capex_energy": 1.0,
                    "life": 1, "efficiency_charge": 1.0, "efficiency_discharge": 1.0},
        "load": {"kind": "demand", "annual": f"{2 * 8760} MWh/yr"},
    }, {"wind": [1.0, 0.0, 0.0, 0.0], "flat": [1.0] * 4}, policy={"voll": 1e5})
    ds = run(case, None, None).dataset
    assert float(ds["unserved"].sum()) == pytest.approx(0.0, abs=1e-6)
    assert float(ds["energy_capacity"].sel(tech="battery")) == pytest.approx(18.0)


def test_steps_must_match_the_resolution(tmp_path):
    case = three_hourly(tmp_path, {"grid": {"kind": "market", "capacity": 1, "export_price": 1.0}},
                        {"flat": [1.0] * 4})
    hourly = pd.DataFrame({"other": [1.0] * 12}, index=pd.date_range("2030-01-01", periods=12, freq="h", name="time"))
    hourly.to_csv(case / "timeseries" / "hourly.csv")
    with pytest.raises(InputError, match=r"hourly.csv: timestamps must be 3 h apart \(time.resolution\)"):
        run(case, None, None)
    (case / "timeseries" / "hourly.csv").unlink()
    settings = yaml.safe_load((case / "case.yaml").read_text())
    settings["time"]["sizing_days"] = 1
    (case / "case.yaml").write_text(yaml.safe_dump(settings))
    with pytest.raises(InputError, match="representative days and sizing_days cluster hourly days"):
        run(case, None, None)
