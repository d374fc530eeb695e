"""Small cases whose optimum is computed by hand in each test."""

from __future__ import annotations

import numpy as np
import pytest
from micro import write_case

from energy_model.runner import run

HOURS_PER_YEAR = 8760


def kpis(result) -> dict[str, float]:
    return result.summary.set_index("kpi")["value"].to_dict()


def test_wind_with_coal_backup_curtails_the_surplus_and_prices_at_coal_cost(tmp_path):
    # load 60 MW; wind 100 MW at cf [1, 0, .5, .2] gives [100, 0, 50, 20]; coal at 0.3 t/MWh x 1000 CNY/t = 300 CNY/MWh
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 100},
        "coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 100},
        "load": {"kind": "demand", "annual": 60 * HOURS_PER_YEAR},
    }, series={"wind": [1.0, 0.0, 0.5, 0.2]})
    result = run(case, report=False)
    values = kpis(result)
    coal_mwh = 0 + 60 + 10 + 40
    assert values["total_cost"] == pytest.approx(coal_mwh * 300)
    assert values["curtailment_gwh"] * 1e3 == pytest.approx(40)
    assert values["curtailment_rate"] == pytest.approx(40 / 170)
    assert values["co2_mt"] * 1e6 == pytest.approx(coal_mwh * 0.3 * 2.0)
    price = result.dataset["marginal_price"].sel(bus="n/electricity").values
    np.testing.assert_allclose(price, [0, 300, 300, 300], atol=1e-6)


def test_screening_curve_sizes_base_and_peak_units(tmp_path):
    # load [10, 5, 5, 5] MW. Per MW and horizon hour: peaker 10 CNY fixed + 100 CNY/MWh, base 50 + 20.
    # The bottom 5 MW runs every hour (base: 70 < 110), the top 5 MW one hour in four (peaker: 35 < 55).
    shape = np.array([10, 5, 5, 5]) / HOURS_PER_YEAR
    case = write_case(tmp_path / "c", {
        "peaker": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.1, "build_max": 100,
                   "capex": 10 * HOURS_PER_YEAR, "life": 1},
        "base": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.02, "build_max": 100,
                 "capex": 50 * HOURS_PER_YEAR, "life": 1},
        "load": {"kind": "demand", "annual": HOURS_PER_YEAR, "profile": "load"},
    }, series={"load": list(shape)})
    result = run(case, report=False)
    capacity = result.dataset["capacity"].to_series()
    assert capacity["base"] == pytest.approx(5)
    assert capacity["peaker"] == pytest.approx(5)
    assert kpis(result)["total_cost"] == pytest.approx(5 * 50 * 4 + 5 * 20 * 4 + 5 * 10 * 4 + 5 * 100 * 1)


def test_battery_arbitrage_across_two_prices(tmp_path):
    # buy 10 MWh at 100, store 9 (eta_c 0.9), sell 9 * 0.9 = 8.1 MWh at 500 -> profit 3050
    case = write_case(tmp_path / "c", {
        "battery": {"kind": "storage", "capacity": 10, "energy_capacity": 10,
                    "efficiency_charge": 0.9, "efficiency_discharge": 0.9},
        "grid": {"kind": "market", "capacity": 100, "export_price": "price", "import_price": "price"},
    }, series={"price": [100.0, 500.0]})
    result = run(case, report=False)
    assert kpis(result)["total_cost"] == pytest.approx(-3050)
    level = result.dataset["storage_level"].sel(tech="battery").values
    assert level.max() == pytest.approx(9) and level.min() == pytest.approx(0)


def test_unserved_energy_is_priced_at_voll(tmp_path):
    case = write_case(tmp_path / "c", {"load": {"kind": "demand", "annual": 10 * HOURS_PER_YEAR}},
                      series={"flat": [1.0] * 3})
    values = kpis(run(case, report=False))
    assert values["unserved_mwh"] == pytest.approx(30)
    assert values["total_cost"] == pytest.approx(30 * 10000)


def test_electrolyser_converts_wind_to_hydrogen_at_its_ratio(tmp_path):
    # 1 t/h of hydrogen at 55 MWh/t needs 55 MW; wind 100 MW at cf 1 curtails 45 MW each hour
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "flat", "capacity": 100},
        "electrolyser": {"kind": "conversion", "input": "electricity", "outputs": {"hydrogen": 1 / 55},
                         "capacity": 80},
        "h2_load": {"kind": "demand", "carrier": "hydrogen", "annual": HOURS_PER_YEAR},
    }, series={"flat": [1.0] * 4})
    result = run(case, report=False)
    values = kpis(result)
    assert values["curtailment_gwh"] * 1e3 == pytest.approx(4 * 45)
    assert values["unserved_mwh"] == pytest.approx(0)
    hydrogen = result.dataset["flow"].sel(bus="n/hydrogen", tech="electrolyser").values
    np.testing.assert_allclose(hydrogen, 1.0)


def test_minimum_non_fossil_share_forces_wind_investment(tmp_path):
    # load 10 MW; coal is cheaper than wind's capex, but half the energy must be non-fossil: wind cf 0.5 -> 10 MW
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "half", "build_max": 100, "capex": 1000 * HOURS_PER_YEAR, "life": 1},
        "coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.1, "capacity": 20},
        "load": {"kind": "demand", "annual": 10 * HOURS_PER_YEAR},
    }, series={"half": [0.5] * 4}, policy={"voll": 10000.0, "min_non_fossil_share": 0.5})
    result = run(case, report=False)
    values = kpis(result)
    assert result.dataset["capacity"].sel(tech="wind").item() == pytest.approx(10)
    assert values["non_fossil_share"] == pytest.approx(0.5)


def test_a_connection_never_buys_and_sells_in_the_same_hour_for_profit(tmp_path):
    # export price 500 above the import tariff 300: a naive LP would buy and sell 100 MW for 20,000 CNY
    case = write_case(tmp_path / "c", {
        "grid": {"kind": "market", "capacity": 100, "export_price": 500, "import_price": 300},
    }, series={"flat": [1.0]})
    result = run(case, report=False)
    assert kpis(result)["total_cost"] == pytest.approx(0)


def test_runs_with_different_thread_counts_follow_each_other(tmp_path):
    # HiGHS sizes one thread pool per process at its first run; a later run with another count must still solve
    case = write_case(tmp_path / "c", {"load": {"kind": "demand", "annual": 10 * HOURS_PER_YEAR}},
                      series={"flat": [1.0] * 2})
    for threads in (1, 2, 1):
        assert kpis(run(case, report=False, solver_overrides={"threads": threads}))["unserved_mwh"] == pytest.approx(20)
