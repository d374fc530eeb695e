"""Fields a modeller writes are never ignored: a store of fixed duration still pays for and is bounded by its
energy, and a fossil plant written as a conversion carries its CO2 into the price, the cap and the shares.

Every optimum below is worked out by hand in its comment; runs go through the same path as a user's."""

from __future__ import annotations

import pytest
import yaml
from micro import HOURS_PER_YEAR, write_case

from energy_model.errors import InputError
from energy_model.runner import run

VOLL = 10000.0


def _battery_case(tmp_path, **battery):
    # Two hours, one node: wind 2 MW in hour 1 and none in hour 2; load 1 MW in each hour.
    # Without storage hour 2 is unserved: 1 MWh at VOLL = 10,000 CNY.
    return write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 2},
        "battery": {"kind": "storage", "duration": 1, "build_max": 10, "life": 1, **battery},
        "load": {"kind": "demand", "annual": 1.0 * HOURS_PER_YEAR},
    }, series={"wind": [1.0, 0.0]})


def test_a_fixed_duration_store_pays_for_its_energy(tmp_path):
    # capex_energy 1e9 CNY/MWh over life 1 at rate 0, for 2 of 8,760 h: 228,311 CNY per MWh of energy, far
    # above the 10,000 CNY of unserved energy it could save: nothing is built and the cost is the VOLL.
    result = run(_battery_case(tmp_path, capex_energy=1.0e9, build_max_energy=0.5))
    assert float(result.dataset["capacity"].sel(tech="battery")) == pytest.approx(0.0, abs=1e-9)
    assert result.dataset.attrs["objective"] == pytest.approx(VOLL)


def test_a_fixed_duration_store_is_bounded_by_its_energy_limit(tmp_path):
    # capex_energy 8,760 CNY/MWh → 2 CNY per MWh of energy over the two hours: worth building, but at most
    # 0.5 MWh (so 0.5 MW at 1 h): 0.5 MWh still unserved (5,000) + 0.5 × 2 = 5,001 CNY.
    result = run(_battery_case(tmp_path, capex_energy=HOURS_PER_YEAR, build_max_energy=0.5))
    ds = result.dataset
    assert float(ds["capacity"].sel(tech="battery")) == pytest.approx(0.5)
    assert float(ds["energy_capacity"].sel(tech="battery")) == pytest.approx(0.5)
    assert ds.attrs["objective"] == pytest.approx(0.5 * VOLL + 0.5 * 2.0)


def test_a_fixed_duration_store_with_its_own_energy_capacity_is_refused(tmp_path):
    case = _battery_case(tmp_path, energy_capacity=5)
    with pytest.raises(InputError) as caught:
        run(case)
    message = str(caught.value)
    assert "technologies.yaml" in message and "battery" in message and "energy_capacity" in message
    assert "duration" in message


def _gas_case(tmp_path, **policy):
    # Load 10 MW for 4 h; wind 10 MW blows in hours 1-2 only. A gas engine (a conversion: gas → 0.4
    # electricity) fills hours 3-4: 20 MWh of power from 50 MWh of gas at 100 CNY/MWh, gas emitting
    # 0.2 t CO2/MWh (10 t) at a CO2 price of 50 CNY/t: 5,000 + 500 = 5,500 CNY.
    folder = write_case(tmp_path / "g", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 10},
        "gas_supply": {"kind": "market", "carrier": "gas", "capacity": 1000, "import_price": 100.0},
        "gas_engine": {"kind": "conversion", "input": "gas", "outputs": {"electricity": 0.4}, "capacity": 100},
        "load": {"kind": "demand", "annual": 10.0 * HOURS_PER_YEAR},
    }, series={"wind": [1.0, 1.0, 0.0, 0.0]}, policy={"voll": VOLL, "co2_price": 50.0, **policy})
    case = yaml.safe_load((folder / "case.yaml").read_text())
    case["carriers"]["gas"] = {"unit": "MWh", "co2_factor": 0.2}
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    return folder


def test_a_conversion_burning_a_fossil_carrier_emits_and_pays_for_its_co2(tmp_path):
    result = run(_gas_case(tmp_path))
    ds = result.dataset
    assert float(ds["co2"].sel(tech="gas_engine").sum()) == pytest.approx(10.0)
    assert ds.attrs["objective"] == pytest.approx(5500.0)
    kpis = result.summary.set_index("kpi")["value"]
    assert kpis["co2_mt"] == pytest.approx(10.0 / 1e6)
    assert kpis["generation_gas_engine"] == pytest.approx(20.0 / 1e3)  # GWh
    assert kpis["non_fossil_share"] == pytest.approx(0.5)


def test_a_fossil_conversion_counts_in_the_non_fossil_share_rule(tmp_path):
    # At least 60 % non-fossil: gas power ≤ 20 × 0.4 / 0.6 = 13.33 MWh, the rest of hours 3-4 unserved:
    # 13.33 MWh from 33.33 MWh of gas at 110 CNY/MWh (fuel and CO2) + 6.67 MWh at VOLL.
    result = run(_gas_case(tmp_path, min_non_fossil_share=0.6))
    gas_power = 20.0 * 0.4 / 0.6
    expected = gas_power / 0.4 * 110.0 + (20.0 - gas_power) * VOLL
    assert result.dataset.attrs["objective"] == pytest.approx(expected)


def test_a_co2_cap_binds_a_fossil_conversion(tmp_path):
    # A cap of 5 t over the 4 h (written per year: 5 × 8760 / 4) halves the gas: 25 MWh of gas, 10 MWh of
    # power; 10 MWh unserved: 25 × 110 + 10 × 10,000.
    result = run(_gas_case(tmp_path, co2_cap=5.0 * HOURS_PER_YEAR / 4))
    assert float(result.dataset["co2"].sum()) == pytest.approx(5.0)
    assert result.dataset.attrs["objective"] == pytest.approx(25 * 110.0 + 10 * VOLL)


def _store_case(tmp_path, wind_cf, **store):
    # load 1 MW in each of two hours, a 1 MW / 2 MWh store, wind of 2 MW on the given profile
    return write_case(tmp_path, {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 2},
        "store": {"kind": "storage", "capacity": 1, "energy_capacity": 2, **store},
        "load": {"kind": "demand", "annual": 1.0 * HOURS_PER_YEAR},
    }, series={"wind": wind_cf})


def test_a_store_may_start_from_a_given_level(tmp_path):
    # no wind: cyclic, the store has nothing to give (2 MWh unserved); starting half full it gives 1 MWh
    assert run(_store_case(tmp_path / "a", [0.0, 0.0])).dataset.attrs["objective"] == pytest.approx(2 * VOLL)
    started = run(_store_case(tmp_path / "b", [0.0, 0.0], initial_level=0.5))
    assert started.dataset.attrs["objective"] == pytest.approx(VOLL)


def test_a_store_must_end_at_its_final_level_and_pays_for_charging(tmp_path):
    # wind in hour 1 only: 1 MWh charged then. Ending at >= 50 % (1 MWh) keeps it: hour 2 is unserved; each MWh
    # charged costs 5 CNY. Without the final level the store serves hour 2 (objective 5, the charging alone).
    free = run(_store_case(tmp_path / "a", [1.0, 0.0], initial_level=0.0, vom_charge=5.0))
    assert free.dataset.attrs["objective"] == pytest.approx(5.0)
    kept = run(_store_case(tmp_path / "b", [1.0, 0.0], initial_level=0.0, final_level=0.5, vom_charge=5.0))
    assert kept.dataset.attrs["objective"] == pytest.approx(VOLL + 5.0)
    assert float(kept.dataset["storage_level"].sel(tech="store").values[-1]) == pytest.approx(1.0)


def test_initial_level_is_refused_on_representative_days(tmp_path):
    case = _store_case(tmp_path, [1.0] * 24 + [0.0] * 24, initial_level=0.5)
    with pytest.raises(InputError, match="chronological"):
        run(case, days=2)


def test_an_annualised_capital_cost_and_a_technology_discount_rate(tmp_path):
    # 2 MW of wind for a 2 MW load over two hours. capital_cost 8,760 CNY/MW/yr: 2 x 8,760 x 2/8,760 = 4 CNY.
    # capex 8,760 CNY/MW over 2 years at the wind's own 10 % (the case's rate is 0): annuity 121/210 of it.
    def case(folder, **wind):
        return write_case(folder, {
            "wind": {"kind": "renewable", "profile": "flat", "build_max": 10, "life": 2, **wind},
            "load": {"kind": "demand", "annual": 2.0 * HOURS_PER_YEAR}}, series={"flat": [1.0, 1.0]})
    assert run(case(tmp_path / "a", capital_cost=8760.0)).dataset.attrs["objective"] == pytest.approx(4.0)
    own_rate = run(case(tmp_path / "b", capex=8760.0, discount_rate=0.1))
    assert own_rate.dataset.attrs["objective"] == pytest.approx(2 * 8760 * 121 / 210 * 2 / 8760)
    with pytest.raises(InputError, match="capital_cost"):
        run(case(tmp_path / "c", capex=1.0, capital_cost=1.0))


def test_an_annual_gas_budget_limits_the_engine(tmp_path):
    # the gas case: 50 MWh of gas wanted in hours 3-4; a budget of 25 MWh (written per year) halves the engine's
    # power to 10 MWh, the other 10 MWh unserved: 25 x 110 + 10 x VOLL
    folder = _gas_case(tmp_path)
    case = yaml.safe_load((folder / "case.yaml").read_text())
    case["policy"]["annual_limits"] = [{"name": "gas_budget", "carrier": "gas", "measure": "consumption",
                                        "max": 25.0 * HOURS_PER_YEAR / 4}]
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    assert run(folder).dataset.attrs["objective"] == pytest.approx(25 * 110.0 + 10 * VOLL)


def test_a_minimum_annual_production_forces_output(tmp_path):
    # the engine makes 20 MWh for hours 3-4; at least 30 MWh (written per year) forces 10 more in hours 1-2,
    # the wind curtailed for it: 30 / 0.4 = 75 MWh of gas at 110 CNY/MWh (fuel and CO2) = 8,250
    folder = _gas_case(tmp_path)
    case = yaml.safe_load((folder / "case.yaml").read_text())
    case["policy"]["annual_limits"] = [{"name": "engine_min", "carrier": "electricity", "measure": "production",
                                        "techs": ["gas_engine"], "min": 30.0 * HOURS_PER_YEAR / 4}]
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    assert run(folder).dataset.attrs["objective"] == pytest.approx(75 * 110.0)


def test_a_must_take_farm_is_never_curtailed(tmp_path):
    # 3 MW of wind (cf 1) for a 1 MW load behind a market that pays -10 CNY/MWh for exports (the grid charges
    # for taking it): a normal farm curtails 2 MW, a must-take farm exports them at 20 CNY an hour, two hours
    def case(folder, **wind):
        return write_case(folder, {
            "wind": {"kind": "renewable", "profile": "flat", "capacity": 3, **wind},
            "grid": {"kind": "market", "capacity": 10, "export_price": -10.0},
            "load": {"kind": "demand", "annual": 1.0 * HOURS_PER_YEAR}}, series={"flat": [1.0, 1.0]})
    assert run(case(tmp_path / "a")).dataset.attrs["objective"] == pytest.approx(0.0)
    taken = run(case(tmp_path / "b", must_take=True))
    assert taken.dataset.attrs["objective"] == pytest.approx(40.0)
    assert float(taken.dataset["curtailment"].sel(tech="wind").sum()) == pytest.approx(0.0)


def test_a_charging_rating_of_its_own_limits_charging(tmp_path):
    # wind 2 MW in hour 1 only, load 1 MW each hour, a 1 MW / 2 MWh store: with a 0.5 MW charger only 0.5 MWh
    # reaches hour 2 (0.5 MWh unserved at VOLL)
    open_ = run(_store_case(tmp_path / "a", [1.0, 0.0]))
    assert open_.dataset.attrs["objective"] == pytest.approx(0.0)
    limited = run(_store_case(tmp_path / "b", [1.0, 0.0], charge_capacity=0.5))
    assert limited.dataset.attrs["objective"] == pytest.approx(0.5 * VOLL)


def test_an_energy_to_power_ratio_bound(tmp_path):
    # a 1 MW store whose energy is sized at 2 CNY per MWh over the two hours (capex_energy 8,760, life 1): 1 MWh
    # is all hour 2 needs (2 CNY), but at least 4 h of its 1 MW must be bought (8 CNY)
    def case(folder, **store):
        return write_case(folder, {
            "wind": {"kind": "renewable", "profile": "wind", "capacity": 2},
            "store": {"kind": "storage", "capacity": 1, "build_max_energy": 10, "capex_energy": HOURS_PER_YEAR,
                      "life": 1, **store},
            "load": {"kind": "demand", "annual": 1.0 * HOURS_PER_YEAR}}, series={"wind": [1.0, 0.0]})
    assert run(case(tmp_path / "a")).dataset.attrs["objective"] == pytest.approx(2.0)
    assert run(case(tmp_path / "b", min_duration=4)).dataset.attrs["objective"] == pytest.approx(8.0)
    with pytest.raises(InputError, match="min_duration"):
        run(case(tmp_path / "c", min_duration=4, max_duration=2))


def test_an_annual_limit_on_unknown_names_says_which(tmp_path):
    folder = _gas_case(tmp_path)
    case = yaml.safe_load((folder / "case.yaml").read_text())
    case["policy"]["annual_limits"] = [{"name": "x", "carrier": "steam", "techs": ["nope"], "max": 1.0}]
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    with pytest.raises(InputError, match="unknown technology nope, carrier steam"):
        run(folder)


def test_duration_bounds_on_a_store_whose_sizes_are_all_fixed(tmp_path):
    # a 10 MW / 40 MWh store with nothing to build: 2 h <= 4 h <= 5 h holds (no constraint), 5 h <= 4 h cannot
    def case(folder, low):
        return write_case(folder, {
            "store": {"kind": "storage", "capacity": 10, "energy_capacity": 40, "min_duration": low, "max_duration": 5},
            "grid": {"kind": "market", "capacity": 10, "export_price": 1.0},
        })
    assert run(case(tmp_path / "a", 2), report=False).dataset.attrs["solver_status"] == "optimal"
    with pytest.raises(InputError, match="technologies.store: min_duration cannot hold with the sizes fixed"):
        run(case(tmp_path / "b", 4.5), report=False)
