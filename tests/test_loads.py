"""Loads and product chains: small cases whose optimum, levelised cost and balances are worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from micro import write_case

from energy_model.case.config import load_case
from energy_model.errors import InputError
from energy_model.runner import run

HOURS_PER_YEAR = 8760
WIND_HIGH_LOW = {"wind": [1.0, 1.0, 0.0, 0.0]}


def kpis(result) -> dict[str, float]:
    return result.summary.set_index("kpi")["value"].to_dict()


def per_horizon(cost: float, hours: int) -> float:
    """Capex [CNY per unit] that costs ``cost`` over a horizon of ``hours`` (discount rate 0, life 1 yr)."""
    return cost * HOURS_PER_YEAR / hours


def assert_buses_balance(ds):
    """Σ flows + unserved = 0 in every hour on every bus; ≥ 0 (surplus vented) on free-disposal buses."""
    residual = ds["flow"].sum("tech") + ds["unserved"]
    for bus in ds["bus"].values:
        values = residual.sel(bus=bus).values
        if str(bus).endswith(("/chlorine",)):
            assert values.min() >= -1e-6
        else:
            np.testing.assert_allclose(values, 0.0, atol=1e-6, err_msg=str(bus))


def test_electrolyser_tank_and_steady_methanol_on_two_level_wind(tmp_path):
    # Methanol runs steadily at 1 t/h H2 (must-run floor 100 %): 4 t H2 over 4 h. Wind is 150 MW in hours
    # 1-2 and nothing in hours 3-4; grid electricity costs 500 CNY/MWh. Per horizon: electrolyser 200 CNY/MW,
    # tank 1,000 CNY/t. Flat 50 MW: 50·200 + 2 h·50 MWh·500 = 60,000. Store instead: 100 MW makes 2 t/h in the
    # wind hours, 2 t go into the tank and come out in hours 3-4: 100·200 + 2·1,000 = 22,000 (cheaper per t moved:
    # 6,000 < 25,000). Electricity in the wind hours is curtailed, so its price is 0 and LCOH = 20,000 / 4 t.
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 150},
        "grid": {"kind": "market", "capacity": 0, "import_capacity": 1000, "import_price": 500},
        "electrolyser": {"kind": "conversion", "input": "electricity", "outputs": {"hydrogen": 0.02},
                         "build_max": 1000, "capex": per_horizon(200, 4), "life": 1},
        "tank": {"kind": "storage", "carrier": "hydrogen", "build_max": 10, "build_max_energy": 100,
                 "capex_energy": per_horizon(1000, 4), "life": 1},
        "methanol_plant": {"kind": "conversion", "input": "hydrogen", "outputs": {"methanol": 5.0}, "capacity": 1,
                           "must_run": True, "min_load": 1.0, "ramp_rate": 0.0},
        "methanol_offtake": {"kind": "demand", "carrier": "methanol", "flexible": True,
                             "annual": 5 * HOURS_PER_YEAR},
    }, series=WIND_HIGH_LOW, carriers={"methanol": {"unit": "t"}})
    result = run(case, report=False)
    ds = result.dataset
    assert kpis(result)["total_cost"] == pytest.approx(22_000)
    assert ds["capacity"].sel(tech="electrolyser").item() == pytest.approx(100)
    assert ds["energy_capacity"].sel(tech="tank").item() == pytest.approx(2)
    np.testing.assert_allclose(ds["storage_level"].sel(tech="tank").values, [1, 2, 1, 0], atol=1e-6)
    np.testing.assert_allclose(ds["product_output"].sel(tech="electrolyser").values, [2, 2, 0, 0], atol=1e-6)
    np.testing.assert_allclose(ds["electricity_use"].sel(tech="electrolyser").values, [100, 100, 0, 0], atol=1e-6)
    lcoh = ds["product_levelised_cost"].sel(product="hydrogen")
    assert float(lcoh.sel(cost_part="investment")) == pytest.approx(5_000)
    assert float(lcoh.sel(cost_part="electricity")) == pytest.approx(0, abs=1e-6)
    assert kpis(result)["levelised_cost_hydrogen_per_kg"] == pytest.approx(5.0)
    assert float(ds["product_green_share"].sel(product="hydrogen")) == pytest.approx(1.0)
    assert float(ds["product_green_share"].sel(product="methanol")) == pytest.approx(1.0)
    assert float(ds["product_delivered"].sel(product="methanol")) == pytest.approx(5 * HOURS_PER_YEAR)
    assert_buses_balance(ds)


def test_chlor_alkali_by_product_hydrogen_reduces_electrolyser_output(tmp_path):
    # Chlor-alkali runs at 10 MW: 5 t/h NaOH, 4.43 t/h Cl2 (vented) and 0.125 t/h H2. Hydrogen demand 1 t/h:
    # the electrolyser (50 MWh/t) makes only 0.875 t/h, i.e. draws 43.75 MW instead of 50. Grid power 100 CNY/MWh:
    # hydrogen's price is 100·50 = 5,000 CNY/t, so the caustic soda costs (10·100 − 0.125·5,000) / 5 = 75 CNY/t.
    case = write_case(tmp_path / "c", {
        "grid": {"kind": "market", "capacity": 0, "import_capacity": 1000, "import_price": 100},
        "chlor_alkali": {"kind": "conversion", "input": "electricity", "capacity": 10, "must_run": True,
                         "min_load": 1.0, "outputs": {"naoh": 0.5, "chlorine": 0.443, "hydrogen": 0.0125},
                         "product": "naoh"},
        "naoh_offtake": {"kind": "demand", "carrier": "naoh", "flexible": True, "annual": 5 * HOURS_PER_YEAR},
        "electrolyser": {"kind": "conversion", "input": "electricity", "outputs": {"hydrogen": 0.02}, "capacity": 100},
        "h2_load": {"kind": "demand", "carrier": "hydrogen", "annual": HOURS_PER_YEAR},
    }, series={"flat": [1.0] * 3},
        carriers={"naoh": {"unit": "t"}, "chlorine": {"unit": "t", "free_disposal": True}})
    ds = run(case, report=False).dataset
    np.testing.assert_allclose(ds["flow"].sel(bus="n/hydrogen", tech="electrolyser").values, 0.875, atol=1e-6)
    np.testing.assert_allclose(ds["flow"].sel(bus="n/hydrogen", tech="chlor_alkali").values, 0.125, atol=1e-6)
    np.testing.assert_allclose(ds["electricity_use"].sel(tech="electrolyser").values, 43.75, atol=1e-6)
    assert ds["tech_product"].sel(tech="chlor_alkali").item() == "naoh"
    naoh = ds["levelised_cost"].sel(tech="chlor_alkali")
    assert float(naoh.sel(cost_part="electricity")) == pytest.approx(200)
    assert float(naoh.sel(cost_part="by_product_credit")) == pytest.approx(-125)
    assert float(naoh.sum()) == pytest.approx(75)
    assert_buses_balance(ds)


def test_flexible_demand_delivers_its_annual_quantity_exactly_in_the_cheapest_hours(tmp_path):
    # 15 MWh over 4 h, at most 5 MW an hour; wind 10 MW in hours 1 and 3 only, grid 100 CNY/MWh:
    # 5 + 5 from wind, the last 5 MWh from the grid -> cost 500 and exactly 15 MWh delivered.
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 10},
        "grid": {"kind": "market", "capacity": 0, "import_capacity": 100, "import_price": 100},
        "flex": {"kind": "demand", "flexible": True, "annual": 15 / 4 * HOURS_PER_YEAR, "max_hourly": 5},
    }, series={"wind": [1.0, 0.0, 1.0, 0.0]})
    result = run(case, report=False)
    demand = result.dataset["demand"].sel(tech="flex").values
    assert demand.sum() == pytest.approx(15)
    assert demand[0] == pytest.approx(5) and demand[2] == pytest.approx(5)
    assert kpis(result)["total_cost"] == pytest.approx(500)


def test_a_product_with_a_sale_price_takes_what_pays(tmp_path):
    # Sold at 60 CNY/MWh, at most 8 MW: worth taking the free wind (10 MW in hours 1 and 3), not the grid at 100.
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 10},
        "grid": {"kind": "market", "capacity": 0, "import_capacity": 100, "import_price": 100},
        "sales": {"kind": "demand", "flexible": True, "price": 60, "max_hourly": 8},
    }, series={"wind": [1.0, 0.0, 1.0, 0.0]})
    result = run(case, report=False)
    np.testing.assert_allclose(result.dataset["demand"].sel(tech="sales").values, [8, 0, 8, 0], atol=1e-6)
    assert kpis(result)["total_cost"] == pytest.approx(-16 * 60)


def test_an_annual_quantity_that_cannot_be_made_is_short_at_voll_not_infeasible(tmp_path):
    # 1 t/h of capacity, 4 t asked for 2 h: 2 t short at VOLL 10,000 CNY/t
    case = write_case(tmp_path / "c", {
        "grid": {"kind": "market", "capacity": 0, "import_capacity": 100, "import_price": 0},
        "electrolyser": {"kind": "conversion", "input": "electricity", "outputs": {"hydrogen": 0.02}, "capacity": 50},
        "h2": {"kind": "demand", "carrier": "hydrogen", "flexible": True, "annual": 2 * HOURS_PER_YEAR},
    }, series={"flat": [1.0] * 2})
    result = run(case, report=False)
    assert kpis(result)["total_cost"] == pytest.approx(2 * 10_000)
    assert float(result.dataset["product_delivered"].sel(product="hydrogen")) == pytest.approx(HOURS_PER_YEAR)


def test_electrolyser_commitment_min_load_start_cost_and_ramp(tmp_path):
    # Wind 100 MW except 30 MW in hour 2; hydrogen sells at 5,000 CNY/t = 100 CNY per MWh of input; grid 300.
    # Hour 2, input y on committed x: y ≥ 0.5·x, restart cost 15·(100 − x) in hour 3, and the ramp of
    # 60 MW/h keeps y ≥ 40. Cost of hour 2 = −100·y + 300·(y − 30) + 15·(100 − x) with x ≤ 2·y:
    # 170·y − 7,500 is least at y = 40, x = 80 (−700; staying fully committed at y = 50 costs +1,000).
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 100},
        "grid": {"kind": "market", "capacity": 0, "import_capacity": 100, "import_price": 300},
        "electrolyser": {"kind": "conversion", "input": "electricity", "outputs": {"hydrogen": 0.02}, "capacity": 100,
                         "min_load": 0.5, "start_cost": 15, "ramp_rate": 0.6},
        "h2_sales": {"kind": "demand", "carrier": "hydrogen", "flexible": True, "price": 5000},
    }, series={"wind": [1.0, 0.3, 1.0, 1.0]})
    result = run(case, report=False)
    ds = result.dataset
    np.testing.assert_allclose(ds["conversion_input"].sel(tech="electrolyser").values, [100, 40, 100, 100], atol=1e-6)
    np.testing.assert_allclose(ds["conversion_committed"].sel(tech="electrolyser").values, [100, 80, 100, 100],
                               atol=1e-6)
    assert float(ds["cost"].sel(cost_category="startup", cost_owner="electrolyser")) == pytest.approx(300)
    assert kpis(result)["total_cost"] == pytest.approx(-30_000 - 700)


@pytest.mark.parametrize("spec, message", [
    ({"kind": "demand", "flexible": True}, "exactly one of `annual`"),
    ({"kind": "demand", "annual": 10, "max_hourly": 2}, "only apply to a flexible demand"),
    ({"kind": "demand", "flexible": True, "annual": 100 * HOURS_PER_YEAR, "max_hourly": 2}, "cannot be delivered"),
    ({"kind": "conversion", "input": "electricity", "outputs": {"hydrogen": 0.02}, "min_load": 0.3},
     "does not bind in a linear model"),
    ({"kind": "conversion", "input": "electricity", "outputs": {"hydrogen": 0.02}, "product": "electricity"},
     "must be one of the positive outputs"),
    ({"kind": "conversion", "input": "hydrogen", "outputs": {"electricity": 15.0, "hydrogen": 0.1}},
     "name the main one in `product`"),
])
def test_bad_load_inputs_are_reported_with_their_field(tmp_path, spec, message):
    case = write_case(tmp_path / "c", {"x": spec})
    with pytest.raises(InputError) as info:
        load_case(case)
    assert "technologies.yaml: x" in str(info.value) and message in str(info.value)


def test_default_case_delivers_every_annual_target_and_audits_the_plan(tmp_path):
    result = run("inputs/shuangliao", "base_2030", out_dir=tmp_path / "out", hours=48, lang="en")
    ds = result.dataset
    residual = ds["flow"].sum("tech") + ds["unserved"]
    free = [str(b) for b in ds["bus"].values if str(b).endswith("/chlorine")]
    np.testing.assert_allclose(residual.drop_sel(bus=free).values, 0.0, atol=1e-5)
    assert float(residual.sel(bus=free).min()) >= -1e-6
    assert float(ds["unserved"].sum()) == pytest.approx(0, abs=1e-6)
    config = load_case("inputs/shuangliao", "base_2030")
    for g, tech in config.technologies.items():
        if tech.kind == "demand" and tech.flexible and tech.annual:
            assert float(ds["annual_output"].sel(tech=g)) == pytest.approx(tech.annual, rel=1e-6), g
    made = ds["product_made"].to_series()
    assert made["naoh"] == pytest.approx(500_000, rel=1e-6) and made["methanol"] == pytest.approx(49_000, rel=1e-6)
    audit = (tmp_path / "out" / "plan_audit.csv").read_text()
    assert "methane_vs_xuhe_wind" in audit and "new_load" in audit
    table = result.dataset["audit_passed"].to_series()
    assert table["chlor_alkali"] == 1 and table["methane_vs_xuhe_wind"] == 0
    assert np.isnan(table["data_centre"]) and np.isnan(table["co2"])
    # new load: every plant and load but the local load and the existing chlor-alkali (plan_targets.yaml)
    new = [g for g, t in config.technologies.items() if t.kind in ("conversion", "demand")
           and g not in ("local_load", "chlor_alkali_existing")]
    figures = result.dataset["audit_scenario"].to_series()
    assert figures["new_load"] == pytest.approx(float(ds["annual_electricity"].sel(tech=new).sum()) / 1e3)
    assert figures["thermal_capacity"] == pytest.approx(float(ds["capacity"].sel(
        tech=[f"coal_unit{i}" for i in range(1, 8)]).sum()))
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    for section in ("products", "product_economics", "levelised_cost", "plan_audit"):
        assert f'<section id="{section}"' in page
    assert "Caustic soda" in page and "Capex annuity" in page and "no plan figure" in page
    assert "plan_audit" in result.tables and (tmp_path / "out" / "results.xlsx").exists()


def test_electricity_intensity_follows_the_chain_as_the_case_readme_computes_it():
    # README: 49 kt methanol -> 9.555 kt H2 x 55 MWh/t + 0.25 MWh/t = 0.5378 TWh; 40 kt methane -> 1.112 TWh;
    # NaOH 2.35 MWh/t; glass 0.95 MWh/t x 50 % electric; the electrolyser 1 / 0.018182 t/MWh
    from energy_model.analysis.products import electricity_intensity

    intensity = electricity_intensity(load_case("inputs/shuangliao", "base_2030").technologies)
    assert intensity["hydrogen"] == pytest.approx(55.0, rel=1e-4)
    assert 49_000 * intensity["methanol"] / 1e6 == pytest.approx(0.5378, rel=1e-3)
    assert 40_000 * intensity["methane"] / 1e6 == pytest.approx(1.112, rel=1e-3)
    assert intensity["naoh"] == pytest.approx(2.35, rel=1e-5)
    assert intensity["glass"] == pytest.approx(0.475, rel=1e-5)
    assert intensity["ammonia"] == pytest.approx(55.0 / 5.6497 + 1.0, rel=1e-4)
