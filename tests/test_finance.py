"""Investor arithmetic against values worked out by hand, and a project's cash flows from a solved micro case."""

from __future__ import annotations

import numpy as np
import pytest
from micro import write_case

from energy_model.analysis import finance
from energy_model.model.investment import annuity_factor
from energy_model.runner import run

HOURS_PER_YEAR = 8760


def test_annuity_factor():
    # 10 % over 2 years: 0.1 / (1 - 1/1.21) = 0.1 * 1.21 / 0.21 = 121/210
    assert annuity_factor(0.10, 2) == pytest.approx(121 / 210)
    assert annuity_factor(0.0, 4) == pytest.approx(0.25)


def test_npv_discounts_from_the_first_year():
    # -100 + 60/1.1 + 60.5/1.21 = -100 + 54.5454... + 50 = 50/11
    assert finance.npv(0.10, [-100, 60, 60.5]) == pytest.approx(50 / 11)


def test_irr_of_a_simple_cash_flow():
    # -200 + 110/1.1 + 121/1.21 = 0 exactly at 10 %
    assert finance.irr([-200, 110, 121]) == pytest.approx(0.10)
    assert np.isnan(finance.irr([-100, -10, -5]))  # never positive: no rate makes the NPV zero


def test_payback_simple_and_discounted():
    flows = [-100, 30, 30, 30, 30, 30]
    # cumulative -100, -70, -40, -10, +20: paid back in year 4
    assert finance.payback_index(flows) == 4
    # at 10 %: 27.27, 24.79, 22.54, 20.49, 18.63 -> cumulative -4.91 after year 4, +13.72 after year 5
    assert finance.payback_index(flows, 0.10) == 5
    assert np.isnan(finance.payback_index([-100, 10, 10]))


def test_levelised_cost_and_income_tax_with_loss_carry_forward():
    # at 0 %: (100 + 10 + 10) / (0 + 10 + 10) = 6
    assert finance.levelised_cost(0.0, [100, 10, 10], [0, 10, 10]) == pytest.approx(6)
    # a loss of 100 is set against the next profits: 60 -> 0 taxable (40 left), 60 -> 20 taxable
    np.testing.assert_allclose(finance.income_tax(np.array([-100.0, 60.0, 60.0]), 0.25, 5), [0, 0, 5])
    np.testing.assert_allclose(finance.income_tax(np.array([-100.0, 60.0, 60.0]), 0.25, 0), [0, 15, 15])
    # a loss older than the carry-forward period is lost: year 0's loss expires after year 1
    np.testing.assert_allclose(finance.income_tax(np.array([-100.0, 0.0, 60.0]), 0.25, 1), [0, 0, 15])


def wind_project_case(folder, **finance_fields):
    """10 MW of wind at cf 0.5 selling everything at 100 CNY/MWh; 2e7 CNY of capex, no O&M."""
    finance_spec = {"wacc": 0.10, "life": 10, "construction": [1.0], **finance_fields,
                    "levelised": {"LCOE": {"carrier": "electricity", "produced_by": ["wind"]}}}
    return write_case(folder, {
        "wind": {"kind": "renewable", "profile": "half", "build_min": 10, "build_max": 10, "capex": 2e6, "life": 10},
        "grid": {"kind": "market", "capacity": 100, "export_price": 100},
    }, series={"half": [0.5] * 4}, projects={"farm": {"technologies": ["wind", "grid"], "finance": finance_spec}})


def metrics_of(result, project="farm") -> dict:
    return next(r for r in finance.from_dataset(result.dataset) if r.name == project).metrics


def test_cash_flows_npv_irr_and_lcoe_of_a_wind_farm(tmp_path):
    result = run(wind_project_case(tmp_path / "c"), report=False)
    revenue = 5 * HOURS_PER_YEAR * 100  # 43,800 MWh/yr x 100 CNY/MWh = 4.38e6 CNY/yr
    present_value = sum(1.1 ** -i for i in range(1, 11))  # years 1..10 after the construction year
    values = metrics_of(result)
    assert values["capex"] == pytest.approx(2e7)
    assert values["npv"] == pytest.approx(-2e7 + revenue * present_value)
    assert values["LCOE"] == pytest.approx(2e7 / (5 * HOURS_PER_YEAR * present_value))
    table = next(iter(finance.from_dataset(result.dataset))).cashflows
    assert table.loc["electricity_sales", 2031] == pytest.approx(revenue)
    assert table.columns[0] == 2029 and table.columns[-1] == 2039
    # IRR: the rate at which 2e7 = 4.38e6 x annuity present value; check it zeroes the NPV
    assert finance.npv(values["irr"], table.loc["net"].to_numpy()) == pytest.approx(0, abs=1e-3)
    # simple payback: cumulative after n operating years = -2e7 + n x 4.38e6 >= 0 first at n = 5 -> 2029 + 5
    assert values["payback_year"] == 2034


def test_income_tax_after_straight_line_depreciation(tmp_path):
    result = run(wind_project_case(tmp_path / "c", tax_rate=0.25), report=False)
    revenue, depreciation = 5 * HOURS_PER_YEAR * 100, 2e7 / 10
    after_tax = revenue - 0.25 * (revenue - depreciation)
    assert metrics_of(result)["npv"] == pytest.approx(-2e7 + after_tax * sum(1.1 ** -i for i in range(1, 11)))


def test_a_short_lived_part_is_replaced_and_its_residual_value_returned(tmp_path):
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "half", "build_min": 10, "build_max": 10, "capex": 2e6, "life": 4},
        "grid": {"kind": "market", "capacity": 100, "export_price": 100},
    }, series={"half": [0.5] * 4}, projects={"farm": {"technologies": ["wind", "grid"], "finance": {
        "wacc": 0.0, "life": 10, "construction": [0.5, 0.5]}}})
    table = next(iter(finance.from_dataset(run(case, report=False).dataset))).cashflows
    # capex split over 2028 and 2029; lives start 2030, 2034, 2038: replacements at operating years 4 and 8
    assert table.loc["capex", [2028, 2029]].tolist() == pytest.approx([-1e7, -1e7])
    assert table.loc["replacement"][lambda row: row != 0].index.tolist() == [2034, 2038]
    # the third installment (2038-2041) has 2 of 4 years left when the project ends in 2039
    assert table.loc["residual_value", 2039] == pytest.approx(2e7 * 2 / 4)


def test_tornado_and_sizing_sweep_of_a_wind_farm(tmp_path):
    # every swing moves the NPV = -capex + revenue x PV linearly; the capacity factor is re-solved (0.5 x 1.2 =
    # 0.6 stays below 1) and must give what the price swing gives: both scale the revenue by 1.2
    case = wind_project_case(tmp_path / "c", tornado={"capex": 0.2, "electricity_price": 0.2, "wacc": 0.02,
                                                      "capacity_factor": 0.2},
                             sweep={"base": "grid", "ratios": {"wind": [0.05, 0.2]}})
    result = run(case, report=False, sweep=True)
    farm = next(iter(finance.from_dataset(result.dataset)))
    revenue = 5 * HOURS_PER_YEAR * 100

    def npv(capex=2e7, income=revenue, rate=0.10):
        return -capex + income * sum((1 + rate) ** -i for i in range(1, 11))

    expected = {"capex": (npv(capex=1.6e7), npv(capex=2.4e7)),
                "electricity_price": (npv(income=0.8 * revenue), npv(income=1.2 * revenue)),
                "wacc": (npv(rate=0.08), npv(rate=0.12)),
                "capacity_factor": (npv(income=0.8 * revenue), npv(income=1.2 * revenue))}
    for parameter, (low, high) in expected.items():
        assert farm.tornado.loc[parameter, ["npv_low", "npv_high"]].tolist() == pytest.approx([low, high])
    # the sweep: wind at 0.05 and 0.2 x the 100 MW connection = 5 and 20 MW, next to the optimiser's 10 MW
    sweep = farm.sweep.set_index("capacity_wind")
    assert sweep.loc[10.0, "optimum"] and not sweep.loc[5.0, "optimum"]
    for size in (5.0, 20.0):
        assert sweep.loc[size, "npv"] == pytest.approx(npv(capex=2e6 * size, income=revenue * size / 10))


def test_the_monte_carlo_npv_quantiles_of_a_wind_farm_by_hand(tmp_path):
    # only capex swings (±50 %, triangular on 0.5..1.5): NPV = R - 2e7 x f, so its P90 (exceeded by 90 % of
    # draws) lies at the 90th percentile of f, where the upper tail (1.5 - f)^2 / (2 x 0.5^2) is 0.1
    case = wind_project_case(tmp_path / "c", tornado={"capex": 0.5},
                             risk={"samples": 20000, "seed": 7, "price_yield_correlation": 0.0})
    values = metrics_of(run(case, report=False))
    revenue = 5 * HOURS_PER_YEAR * 100 * sum(1.1 ** -i for i in range(1, 11))  # 26.9e6
    f90 = 1.5 - 0.5 * np.sqrt(0.2)
    # sampling error: the 10th and 50th percentiles of 20,000 draws of f lie within ±0.005 of the true ones
    assert values["npv_p90"] == pytest.approx(revenue - 2e7 * f90, abs=2e7 * 0.005)
    assert values["npv_p50"] == pytest.approx(revenue - 2e7, abs=2e7 * 0.005)
    assert values["npv_p90"] <= values["npv_p50"] <= values["npv_p10"]
    # a loss when f > R / 2e7 = 1.345: the upper tail (1.5 - 1.345)^2 / 0.5 = 4.8 % of the draws
    threshold = revenue / 2e7
    assert values["npv_probability_negative"] == pytest.approx((1.5 - threshold) ** 2 / 0.5, abs=0.005)


def test_a_risk_section_needs_a_tornado(tmp_path):
    from energy_model.errors import InputError

    with pytest.raises(InputError, match="finance.risk: draws from the tornado's ranges"):
        run(wind_project_case(tmp_path / "c", risk={"samples": 500}), report=False)


def supply_project_case(folder, finance_fields=None, direct_supply=None):
    """10 MW of wind at cf 0.5 feeding a flat 2 MW load on the project node; the surplus sold at 100 CNY/MWh."""
    project = {"technologies": ["wind", "load", "grid"], "connection": "grid",
               "finance": {"wacc": 0.0, "life": 1, "construction": [1.0], "prices": {"electricity": 300.0},
                           **(finance_fields or {})}}
    if direct_supply is not None:
        project["direct_supply"] = direct_supply
    return write_case(folder, {
        "wind": {"kind": "renewable", "profile": "half", "capacity": 10},
        "load": {"kind": "demand", "annual": f"{2 * HOURS_PER_YEAR} MWh/yr"},
        "grid": {"kind": "market", "capacity": 100, "export_price": 100.0},
    }, series={"half": [0.5] * 4}, projects={"farm": {**project}})


def test_a_contract_share_and_green_certificates_in_the_cash_flows(tmp_path):
    # 2 MW x 8,760 h delivered: half under contract at 500, half at the 300 merchant price -> 400 CNY/MWh
    case = supply_project_case(tmp_path / "a", {"contracts": {"electricity": {"share": 0.5, "price": 500.0}},
                                                "green_certificates": "10 CNY/MWh"},
                               direct_supply={"enforce": False})
    table = next(iter(finance.from_dataset(run(case, report=False).dataset))).cashflows
    delivered = 2 * HOURS_PER_YEAR
    assert table.loc["product_revenue"].max() == pytest.approx(400.0 * delivered)
    # self-consumed new energy = wind output 5 MW - feed-in 3 MW = the 2 MW load, at 10 CNY/MWh
    assert table.loc["green_certificates"].max() == pytest.approx(10.0 * delivered)


def test_no_feed_in_where_the_spot_market_does_not_run(tmp_path):
    case = supply_project_case(tmp_path / "a", direct_supply={"feed_in_allowed": False})
    ds = run(case, report=False).dataset
    assert float(ds["export"].sel(tech="grid").sum()) == pytest.approx(0.0, abs=1e-6)
    assert float(ds["compliance_limit"].sel(ds_project="farm", ds_rule="max_feed_in")) == 0.0
    assert float(ds["curtailment"].sel(tech="wind").sum()) == pytest.approx(3.0 * 4)  # 3 MW surplus, 4 hours


def test_rules_enforced_one_by_one(tmp_path):
    # 5 MW available against a 2 MW load: self-consumption is at most 40 %, below a 90 % floor. Imposing the
    # feed-in cap alone (10 % of 5 MW = 0.5 MW) curtails the rest and reports the breached floor
    from energy_model.analysis.compliance import compliance_table

    rules = {"min_self_consumption": 0.9, "max_feed_in": 0.1}
    ds = run(supply_project_case(tmp_path / "a", direct_supply={**rules, "enforce": ["max_feed_in"]}),
             report=False).dataset
    table = compliance_table(ds).set_index("rule")
    assert table.loc["min_self_consumption", ["value", "met", "enforced"]].tolist() == [pytest.approx(0.4), False, False]
    assert table.loc["max_feed_in", ["value", "met", "enforced"]].tolist() == [pytest.approx(0.1), True, True]
    from energy_model.errors import SolveError

    with pytest.raises(SolveError):  # imposing the floor too cannot hold
        run(supply_project_case(tmp_path / "b", direct_supply=rules), report=False)


def test_a_warm_started_sweep_gives_the_rows_of_designs_built_one_by_one():
    # the methanol project alone over a week: storage, electrolysis, synthesis and the direct-supply rules;
    # each design re-solved from the last basis must give what building it afresh gives
    from energy_model.case.config import load_case
    from energy_model.case.projects import project_alone
    from energy_model.investor import sweep
    from energy_model.runner import set_horizon

    name, scenario = "powerchina_methanol", "direct_supply_methanol"
    config = project_alone(load_case("inputs/shuangliao", scenario), name)
    set_horizon(config, hours=168)
    ds = run("inputs/shuangliao", scenario, project=name, hours=168, report=False).dataset
    warm, metric = sweep(ds, config, name, warm=True)
    cold, _ = sweep(ds, config, name, warm=False)
    assert len(warm) == 13 and metric  # the optimiser's design and the 4 x 3 swept ones
    assert warm["status"].tolist() == cold["status"].tolist()
    solved = warm["status"] == "optimal"
    np.testing.assert_allclose(warm.loc[solved, "npv"], cold.loc[solved, "npv"], rtol=1e-6)
    np.testing.assert_allclose(warm.loc[solved, "levelised"], cold.loc[solved, "levelised"], rtol=1e-6)
