"""Thermal units and heat: commitment, ramps, start-ups, extraction CHP, retrofit, LP vs MILP; hand-computed.

Coal in these cases: heat_rate 0.3 t/MWh at 1,000 CNY/t = 300 CNY/MWh, no CO2 price; VOLL 10,000 CNY/MWh.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from micro import write_case

from energy_model.case.config import load_case
from energy_model.model.data import build_data
from energy_model.runner import run

H = 8760
CASE = Path(__file__).resolve().parents[1] / "inputs" / "shuangliao"
COAL = {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 100}


def shape(values) -> list[float]:
    """An hourly MW profile as a demand shape for annual = 8760 MWh (so shape x annual = the MW)."""
    return [v / H for v in values]


def solve(case, milp=False):
    return run(case, report=False, solver_overrides={"milp": milp})


def series(result, name, tech):
    return result.dataset[name].sel(tech=tech).values


def test_a_minimum_load_floor_forces_curtailment(tmp_path):
    # Hour 0 (no wind, load 100) needs the whole unit; a prohibitive start cost keeps all 100 MW committed,
    # so in hours 1-2 it cannot go below 50 MW: wind [0, 100, 50] serves only load - 50 = 10 each hour.
    techs = {
        "coal": {**COAL, "min_load": 0.5, "start_cost": 1e6},
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 100},
        "load": {"kind": "demand", "annual": H, "profile": "load"},
    }
    data = {"wind": [0.0, 1.0, 0.5], "load": shape([100, 60, 60])}
    floored = solve(write_case(tmp_path / "floor", techs, data))
    np.testing.assert_allclose(series(floored, "committed_capacity", "coal"), 100, atol=1e-6)
    np.testing.assert_allclose(series(floored, "curtailment", "wind"), [0, 90, 40], atol=1e-6)
    assert floored.dataset.attrs["objective"] == pytest.approx((100 + 50 + 50) * 300)
    np.testing.assert_allclose(series(floored, "min_output", "coal"), 50, atol=1e-6)
    # without the floor the only curtailment is the 40 MW wind surplus of hour 1
    free = solve(write_case(tmp_path / "free", {**techs, "coal": {**COAL, "start_cost": 1e6}}, data))
    assert float(free.dataset["curtailment"].sum()) == pytest.approx(40)
    assert free.dataset.attrs["objective"] == pytest.approx((100 + 0 + 10) * 300)


@pytest.mark.parametrize("capex_per_mw, retrofitted", [(876_000, 100.0), (8_760_000, 0.0)])
def test_flexibility_retrofit_is_bought_when_the_fuel_it_saves_pays_for_it(tmp_path, capex_per_mw, retrofitted):
    # The floored case above with a retrofit from 50 % to 30 %: hours 1-2 burn 20 MWh less each (12,000 CNY).
    # Cost over the 3 h horizon: capex x 20 MW of range x 3/8760 (life 1 yr, no discount) = 6,000 or 60,000.
    case = write_case(tmp_path / "c", {
        "coal": {**COAL, "min_load": 0.5, "start_cost": 1e6, "retrofit_min_load": 0.3,
                 "retrofit_capex": capex_per_mw, "retrofit_life": 1},
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 100},
        "load": {"kind": "demand", "annual": H, "profile": "load"},
    }, {"wind": [0.0, 1.0, 0.5], "load": shape([100, 60, 60])})
    result = solve(case)
    assert series(result, "retrofit_capacity", "coal") == pytest.approx(retrofitted)
    expected = 60_000 - 12_000 + 6_000 if retrofitted else 60_000
    assert result.dataset.attrs["objective"] == pytest.approx(expected)


def test_a_ramp_limit_forces_storage_use(tmp_path):
    # Load [50, 50, 50, 100]; coal ramps 20 MW/h (cyclic). Alone it reaches 70 MW in hour 3: 30 MWh unserved.
    # With a lossless battery coal spreads the 250 MWh; hour 3 takes at most 82.5 MW from coal
    # (p0 = p2 = p3 - 20, p1 = p0 - 20, sum 250), so the battery gives at least 17.5 MW there.
    techs = {"coal": {**COAL, "ramp_rate": 0.2}, "load": {"kind": "demand", "annual": H, "profile": "load"}}
    data = {"load": shape([50, 50, 50, 100])}
    alone = solve(write_case(tmp_path / "alone", techs, data))
    assert alone.summary.set_index("kpi").at["unserved_mwh", "value"] == pytest.approx(30)
    assert alone.dataset.attrs["objective"] == pytest.approx(220 * 300 + 30 * 10_000)
    battery = {"kind": "storage", "capacity": 100, "energy_capacity": 200}
    stored = solve(write_case(tmp_path / "stored", {**techs, "battery": battery}, data))
    assert stored.summary.set_index("kpi").at["unserved_mwh", "value"] == pytest.approx(0, abs=1e-6)
    assert stored.dataset.attrs["objective"] == pytest.approx(250 * 300)
    assert series(stored, "storage_discharge", "battery")[3] >= 17.5 - 1e-6
    output = stored.dataset["flow"].sel(bus="n/electricity", tech="coal").values
    assert np.abs(np.diff(np.r_[output, output[0]])).max() <= 20 + 1e-6


@pytest.mark.parametrize("start_cost, night_commitment, cost", [(500, 100.0, 176_000), (300, 0.0, 166_000)])
def test_a_start_up_cost_keeps_the_unit_on_overnight(tmp_path, start_cost, night_commitment, cost):
    # Day (4 h): load 100 served by coal (300 < grid price 1,000). Night (4 h): load 40, grid price 100.
    # Staying on at the 50 MW minimum costs 50 x 300 - 10 x 100 (export) = 14,000/h; off, importing
    # 40 MW costs 4,000/h: 40,000 saved over the night against a restart of 100 MW x start_cost.
    # Committing x MW at night costs 4,000 + 100x per hour (linear), so the LP is all or nothing as well.
    price = [1000, 1000, 100, 100, 100, 100, 1000, 1000]
    case = write_case(tmp_path / "c", {
        "coal": {**COAL, "min_load": 0.5, "start_cost": start_cost},
        "grid": {"kind": "market", "capacity": 100, "export_price": "price", "import_price": "price"},
        "load": {"kind": "demand", "annual": H, "profile": "load"},
    }, {"price": price, "load": shape([100, 100, 40, 40, 40, 40, 100, 100])})
    for milp in (False, True):
        result = solve(case, milp)
        np.testing.assert_allclose(series(result, "committed_capacity", "coal")[2:6], night_commitment, atol=1e-6)
        assert result.dataset.attrs["objective"] == pytest.approx(cost)
        starts = result.summary.set_index("kpi").at["starts_coal", "value"]
        assert starts == pytest.approx(0 if night_commitment else 1)


def test_the_extraction_region_of_a_chp_unit(tmp_path):
    # 100 MW extraction unit: c_v 0.15, c_m 0.5, heat_max 0.8, min load 0.3. Heat [60, 80, 60], power load
    # [20, 20, 100], surplus power sold at 0.
    #  h 0: back-pressure line p >= 0.5 x 60 = 30 (the steam floor 0.3 x 75 - 9 is lower): p = 30, fuel 0.3 x 39
    #  h 1: heat 80 needs the whole unit committed (80 / 0.8); p >= 40: p = 40, fuel 0.3 x 52
    #  h 2: p + 0.15 x 60 <= 100 caps power at 91: 9 MWh unserved (giving up heat would free only 0.15 MW/MW)
    case = write_case(tmp_path / "c", {
        "chp": {**COAL, "min_load": 0.3, "heat_carrier": "heat", "heat_max": 0.8, "power_loss_ratio": 0.15,
                "back_pressure_ratio": 0.5},
        "grid": {"kind": "market", "capacity": 200, "export_price": 0},
        "load": {"kind": "demand", "annual": H, "profile": "load"},
        "heat_load": {"kind": "demand", "carrier": "heat", "annual": H, "profile": "heat"},
    }, {"load": shape([20, 20, 100]), "heat": shape([60, 80, 60])}, carriers={"heat": {"unit": "MWh"}})
    result = solve(case)
    np.testing.assert_allclose(result.dataset["flow"].sel(bus="n/electricity", tech="chp").values, [30, 40, 91],
                               atol=1e-6)
    np.testing.assert_allclose(series(result, "heat_output", "chp"), [60, 80, 60], atol=1e-6)
    np.testing.assert_allclose(series(result, "fuel_use", "chp"), [0.3 * 39, 0.3 * 52, 0.3 * 100], atol=1e-6)
    np.testing.assert_allclose(series(result, "min_output", "chp"), [30, 40, 30], atol=1e-6)
    assert result.dataset.attrs["objective"] == pytest.approx((11.7 + 15.6 + 30) * 1000 + 9 * 10_000)


def _durations(on: np.ndarray) -> tuple[list[int], list[int]]:
    """Lengths of the on and off runs of a cyclic 0/1 series."""
    shift = int(np.flatnonzero(on != on[0])[0]) if (on != on[0]).any() else 0
    rolled = np.roll(on, -shift)
    edges = np.flatnonzero(np.diff(np.r_[rolled, 1 - rolled[-1]]) != 0)
    lengths = np.diff(np.r_[-1, edges])
    states = rolled[edges]
    return [int(n) for n, s in zip(lengths, states) if s], [int(n) for n, s in zip(lengths, states) if not s]


@pytest.mark.parametrize("up, down, milp_cost, lp_cost", [
    (0, 0, 168_000, 144_000),   # MILP: off in each 2 h valley, importing 30 MW (15,000/h) beats 60 MW at the floor
    (3, 0, 174_000, 144_000),   # on-runs of 3 h: on for one valley hour (18,000) before each peak
    (3, 3, 180_000, 156_000),   # a 2 h valley is shorter than the minimum down time: always on
])
def test_lp_relaxation_bounds_the_milp_which_respects_min_up_and_down_times(tmp_path, up, down, milp_cost, lp_cost):
    # Load [30, 30, 90, 90] twice; coal 300 CNY/MWh, 60 % minimum load; imports 500; surplus sold at 0.
    # The LP commits x MW in the valleys and y in the peaks. Free, or with min up 3 h (x >= y - x): y = 90,
    # x = 30-50 serves the valleys from coal: 4 x 30 x 300 + 4 x 90 x 300 = 144,000. Min down 3 h asks
    # 100 - y >= y - x; the valley floor 0.6 x then costs, so y drops to 75 (15 MW imported at peak):
    # per cycle 2 x (75 x 300 + 15 x 500) + 2 x 0.6 x 50 x 300 = 78,000, twice = 156,000.
    case = write_case(tmp_path / "c", {
        "coal": {**COAL, "min_load": 0.6, "min_up_time": up, "min_down_time": down},
        "grid": {"kind": "market", "capacity": 100, "export_price": 0, "import_price": 500},
        "load": {"kind": "demand", "annual": H, "profile": "load"},
    }, {"load": shape([30, 30, 90, 90] * 2)})
    lp, milp = solve(case), solve(case, milp=True)
    assert lp.dataset.attrs["objective"] == pytest.approx(lp_cost)
    assert milp.dataset.attrs["objective"] == pytest.approx(milp_cost)
    assert lp.dataset.attrs["objective"] <= milp.dataset.attrs["objective"]
    on = np.round(series(milp, "committed_capacity", "coal") / 100).astype(int)
    np.testing.assert_allclose(series(milp, "committed_capacity", "coal"), on * 100, atol=1e-6)
    runs_on, runs_off = _durations(on)
    assert all(n >= up for n in runs_on) and all(n >= down for n in runs_off)
    assert milp.dataset.attrs["mip_gap"] <= 1e-3


def test_unit_dates_are_inputs_and_the_date_scenarios_behave():
    def capacity(scenario):
        data = build_data(load_case(CASE, scenario))
        return {g: data.fixed_capacity(g) for g in ("coal_unit1", "coal_unit2", "coal_unit6")}, data

    base, data = capacity("base_2030")
    assert base == {"coal_unit1": 0.0, "coal_unit2": 0.0, "coal_unit6": 660.0}
    assert data.build_bounds("coal_unit7") == (0.0, 0.0)  # the plan only prepares it
    assert capacity("market_expansion")[1].build_bounds("coal_unit7") == (0.0, 660.0)
    assert capacity("keep_units_1_2")[0] == {"coal_unit1": 330.0, "coal_unit2": 330.0, "coal_unit6": 660.0}
    assert capacity("delay_unit6")[0] == {"coal_unit1": 0.0, "coal_unit2": 0.0, "coal_unit6": 0.0}


def test_heat_decoupling_lowers_winter_curtailment_on_the_default_case():
    # First two weeks of January with 3,000 MW at the Guoneng 800 MW site (the plan-only base curtails nothing
    # then): with an electric boiler and heat storage allowed, the CHP units need not run for heat on windy
    # nights (the heat-security rule still keeps enough of them committed, or a peak boiler built). Measured
    # when written: 18.3 GWh curtailed with them (347 MW boiler, 317 MW store) against 30.0 GWh without.
    hours = 336
    more_wind = {"technologies.wind_guoneng_800.build_min": 3000, "technologies.wind_guoneng_800.build_max": 3000}
    allowed = run(CASE, "heat_decoupling", hours=hours, report=False, overrides=more_wind)
    barred = run(CASE, "base_2030", hours=hours, report=False, overrides=more_wind)
    curtailed = {name: r.summary.set_index("kpi").at["curtailment_gwh", "value"]
                 for name, r in (("allowed", allowed), ("barred", barred))}
    assert curtailed["allowed"] < 0.75 * curtailed["barred"]
    assert allowed.dataset.attrs["objective"] <= barred.dataset.attrs["objective"]
    built = allowed.dataset["capacity"].sel(tech=["electric_boiler", "heat_storage"]).values
    assert built.sum() > 0


def test_bad_thermal_options_name_the_field_and_the_problem(tmp_path):
    from energy_model.errors import InputError

    def problems(techs, folder):
        with pytest.raises(InputError) as info:
            load_case(write_case(tmp_path / folder, techs))
        return str(info.value)

    message = problems({"deep": {**COAL, "min_load": 0.3, "retrofit_min_load": 0.4},
                        "loose": {**COAL, "power_loss_ratio": 0.15}}, "schema")
    assert "deep" in message and "retrofit_min_load (0.4) must be below min_load (0.3)" in message
    assert "loose" in message and "need a heat_carrier" in message
    message = problems({"chp": {**COAL, "heat_carrier": "steam", "heat_max": 1.0}}, "reference")
    assert "chp.heat_carrier = 'steam': unknown heat carrier" in message
