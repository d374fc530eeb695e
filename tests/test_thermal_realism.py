"""Part-load fuel and ETS benchmark pricing of thermal units, against optima worked out by hand.

Coal of write_case: 1,000 CNY/t, 2 t CO2/t; heat rate 0.3 t/MWh; no CO2 price unless set."""

from __future__ import annotations

import pytest
from micro import HOURS_PER_YEAR, write_case

from energy_model.runner import run


def _case(tmp_path, loads_mw: list[float], policy: dict | None = None, **unit):
    annual = 100.0 * HOURS_PER_YEAR  # the hourly load is annual x shape
    return write_case(tmp_path, {
        "coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 100, **unit},
        "load": {"kind": "demand", "profile": "shape", "annual": annual},
    }, series={"shape": [x / annual for x in loads_mw]}, **({"policy": policy} if policy else {}))


def test_at_full_load_the_no_load_term_changes_nothing(tmp_path):
    # 50 MW on a unit with min_load 0.5: the cheapest commitment is on = 50, fully loaded:
    # 0.3 x (0.2 x 50 + 0.8 x 50) = 15 t, the plain heat rate; 15,000 CNY.
    result = run(_case(tmp_path, [50.0], min_load=0.5, no_load_fuel=0.2))
    assert float(result.dataset["fuel_use"].sel(tech="coal").sum()) == pytest.approx(15.0)
    assert result.dataset.attrs["objective"] == pytest.approx(15000.0)


def test_a_unit_kept_committed_at_part_load_burns_its_no_load_fuel(tmp_path):
    # Load 100 MW, then 20 MW. min_down_time 2 on a 2-hour horizon (which wraps) forbids any shut-down, so
    # on = 100 in both hours and hour 2 runs at 20 % (min_load 0.2): fuel 0.3 x (0.2 x 100 + 0.8 x 20) = 10.8 t,
    # against 6 t at the plain heat rate; hour 1: 30 t. Cost 40.8 t x 1,000.
    result = run(_case(tmp_path, [100.0, 20.0], min_load=0.2, min_down_time=2, no_load_fuel=0.2))
    assert result.dataset["fuel_use"].sel(tech="coal").values == pytest.approx([30.0, 10.8])
    assert result.dataset.attrs["objective"] == pytest.approx(40800.0)


def test_ets_pricing_charges_only_emissions_above_the_free_allocation(tmp_path):
    # 50 MW for one hour: 15 t of coal, 30 t CO2; benchmark 0.5 t/MWh → 25 t free; CO2 price 100 CNY/t.
    # Full pricing: 15,000 + 3,000; ETS pricing: 15,000 + 100 x (30 − 25) = 15,500. Emissions are 30 t either way.
    full = run(_case(tmp_path / "full", [50.0], {"co2_price": 100.0}, co2_benchmark=0.5))
    assert full.dataset.attrs["objective"] == pytest.approx(18000.0)
    ets = run(_case(tmp_path / "ets", [50.0], {"co2_price": 100.0, "co2_pricing": "ets_benchmark"}, co2_benchmark=0.5))
    assert ets.dataset.attrs["objective"] == pytest.approx(15500.0)
    assert float(ets.dataset["co2"].sum()) == pytest.approx(30.0)
