"""The grid connection, curtailment by cause, and the direct-supply rules, on cases solved by hand."""

from __future__ import annotations

import numpy as np
import pytest
from micro import write_case

from energy_model.analysis.compliance import compliance_table
from energy_model.case.config import load_case
from energy_model.errors import InputError
from energy_model.runner import run

HOURS_PER_YEAR = 8760


def kpis(result) -> dict[str, float]:
    return result.summary.set_index("kpi")["value"].to_dict()


def hourly(result, name: str, tech: str) -> np.ndarray:
    return result.dataset[name].sel(tech=tech).values


def test_substation_limit_causes_export_curtailment_of_the_right_size(tmp_path):
    # wind 100 MW at cf [1, .5, .2, 0, .8] -> [100, 50, 20, 0, 80]; load 20 MW; the connection is 62.5 MVA at
    # power factor 0.8 = 50 MW. Hour 1: 20 to load, 50 exported (the limit), 30 curtailed because of the grid.
    # Hour 5: the price is -10, so the 60 MW of surplus is curtailed with the connection idle: a local cause.
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 100},
        "load": {"kind": "demand", "annual": 20 * HOURS_PER_YEAR},
        "grid": {"kind": "market", "capacity": "62.5 MVA", "power_factor": 0.8, "export_price": "price",
                 "import_price": 300},
    }, series={"wind": [1.0, 0.5, 0.2, 0.0, 0.8], "price": [100.0, 100.0, 100.0, 100.0, -10.0]})
    result = run(case, report=False)
    assert result.dataset["capacity"].sel(tech="grid").item() == pytest.approx(50)
    np.testing.assert_allclose(hourly(result, "export", "grid"), [50, 30, 0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(caused(result, "export_limit"), [30, 0, 0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(caused(result, "low_load"), [0, 0, 0, 0, 60], atol=1e-6)
    values = kpis(result)
    assert values["curtailment_export_limit_gwh"] * 1e3 == pytest.approx(30)
    assert values["curtailment_low_load_gwh"] * 1e3 == pytest.approx(60)
    assert values["curtailment_gwh"] == pytest.approx(values["curtailment_export_limit_gwh"]
                                                      + values["curtailment_low_load_gwh"])
    assert values["export_at_limit_hours_grid"] == pytest.approx(1)
    # revenue 80 MWh x 100, import 20 MW in hour 4 x 300
    assert values["total_cost"] == pytest.approx(-80 * 100 + 20 * 300)


def caused(result, cause: str, tech: str = "wind") -> np.ndarray:
    return result.dataset["curtailment_cause"].sel(cause=cause, tech=tech).values


def test_curtailment_behind_a_unit_that_must_stay_on_is_must_run(tmp_path):
    # no connection; load 50 MW; wind 100 MW at cf [1, 0]. Hour 2 needs 50 MW of coal, and a start-up is
    # dearer than keeping 50 MW committed, so in hour 1 the unit runs at its 40 % minimum (20 MW): 100 + 20 - 50
    # = 70 MW of wind are curtailed for the unit's sake.
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 100},
        "coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 100, "min_load": 0.4,
                 "start_cost": 1e6},
        "load": {"kind": "demand", "annual": 50 * HOURS_PER_YEAR},
    }, series={"wind": [1.0, 0.0]})
    result = run(case, report=False)
    np.testing.assert_allclose(caused(result, "must_run"), [70, 0], atol=1e-6)
    assert kpis(result)["curtailment_must_run_gwh"] * 1e3 == pytest.approx(70)
    assert kpis(result)["total_cost"] == pytest.approx((20 + 50) * 300)


def test_substation_upgrade_is_built_in_mva_at_its_cost(tmp_path):
    # 20 MW of wind surplus every hour at 100 CNY/MWh; the upgrade costs 30 CNY per MW-hour of horizon per
    # MVA, i.e. 30/0.8 = 37.5 per MW: worth building up to the surplus, 20 MW = 25 MVA.
    capex = 30 * HOURS_PER_YEAR  # CNY per MVA, life 1, rate 0 -> 30 CNY per MVA and hour
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "flat", "capacity": 60},
        "load": {"kind": "demand", "annual": 20 * HOURS_PER_YEAR},
        "grid": {"kind": "market", "capacity": 20, "power_factor": 0.8, "build_max": "100 MVA",
                 "capex": f"{capex} CNY/MVA", "life": 1, "export_price": 100},
    }, series={"flat": [1.0] * 3})
    result = run(case, report=False)
    assert result.dataset["capacity_new"].sel(tech="grid").item() == pytest.approx(20)
    assert kpis(result)["total_cost"] == pytest.approx(-3 * 40 * 100 + 3 * 20 * 37.5)


def test_mva_without_power_factor_is_an_input_error(tmp_path):
    case = write_case(tmp_path / "c", {"grid": {"kind": "market", "capacity": "100 MVA"}})
    with pytest.raises(InputError, match="grid.*capacity: '100 MVA' is apparent power: set power_factor"):
        load_case(case)


RULES = {"min_self_consumption": None, "min_green_share": None}


def direct_supply_case(folder, max_feed_in: float, enforce: bool = True, **rules):
    # wind 100 MW at cf [1, 0, 1, 0]: 200 MWh available; load 30 MW flat: 120 MWh; export at 100, import at 200
    project = {"technologies": ["wind", "load", "grid"], "connection": "grid",
               "direct_supply": {"enforce": enforce, "max_feed_in": max_feed_in, **rules}}
    return write_case(folder, {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 100},
        "load": {"kind": "demand", "annual": 30 * HOURS_PER_YEAR},
        "grid": {"kind": "market", "capacity": 100, "export_price": 100, "import_price": 200},
    }, series={"wind": [1.0, 0.0, 1.0, 0.0]}, projects={"site": project})


def compliance(result) -> dict[str, tuple[float, bool]]:
    table = compliance_table(result.dataset)
    return {row.rule: (row.value, row.met) for row in table.itertuples()}


def test_on_grid_cap_binds_and_curtails(tmp_path):
    # free, the site would export 70 MW in hours 1 and 3 (140 MWh = 70 % of 200). The cap allows 20 % = 40 MWh,
    # so 100 MWh are curtailed with the connection far from its limit: caused by the cap.
    result = run(direct_supply_case(tmp_path / "c", max_feed_in=0.2), report=False)
    assert hourly(result, "export", "grid").sum() == pytest.approx(40)
    assert kpis(result)["curtailment_feed_in_cap_gwh"] * 1e3 == pytest.approx(100)
    assert kpis(result)["curtailment_export_limit_gwh"] == pytest.approx(0)
    assert kpis(result)["total_cost"] == pytest.approx(2 * 30 * 200 - 40 * 100)
    value, met = compliance(result)["max_feed_in"]
    assert value == pytest.approx(0.2) and met


def test_on_grid_cap_that_does_not_bind_changes_nothing(tmp_path):
    result = run(direct_supply_case(tmp_path / "c", max_feed_in=0.8), report=False)
    assert hourly(result, "export", "grid").sum() == pytest.approx(140)
    assert kpis(result)["curtailment_gwh"] == pytest.approx(0)
    assert kpis(result)["total_cost"] == pytest.approx(2 * 30 * 200 - 140 * 100)
    assert compliance(result)["max_feed_in"] == (pytest.approx(0.7), True)


def test_rules_only_reported_when_not_enforced(tmp_path):
    # self-consumed 60 of 200 available (30 %) and of 120 consumed (50 %); feed-in 140/200 = 70 %
    case = direct_supply_case(tmp_path / "c", max_feed_in=0.2, enforce=False, min_self_consumption=0.6,
                              min_green_share={2025: 0.3, 2030: 0.35})
    result = run(case, report=False)
    assert compliance(result) == {"min_self_consumption": (pytest.approx(0.3), False),
                                  "min_green_share": (pytest.approx(0.5), True),
                                  "max_feed_in": (pytest.approx(0.7), False)}
    assert kpis(result)["curtailment_gwh"] == pytest.approx(0)


def test_self_consumption_rule_makes_the_site_store_its_surplus(tmp_path):
    # with a lossless 40 MW / 40 MWh battery the site can use 60 + 2 x 30 = 120 of its 200 MWh itself (hours 2
    # and 4 from the store) and may feed in at most 40: 60 % self-consumption needs exactly that.
    case = direct_supply_case(tmp_path / "c", max_feed_in=0.2, min_self_consumption=0.6)
    text = (case / "technologies.yaml").read_text()
    (case / "technologies.yaml").write_text(text + "battery: {kind: storage, node: n, capacity: 40, "
                                                   "energy_capacity: 40}\n")
    import yaml
    raw = yaml.safe_load((case / "case.yaml").read_text())
    raw["projects"]["site"]["technologies"].append("battery")
    (case / "case.yaml").write_text(yaml.safe_dump(raw))
    result = run(case, report=False)
    assert compliance(result)["min_self_consumption"] == (pytest.approx(0.6), True)
    assert hourly(result, "import", "grid").sum() == pytest.approx(0)
    assert kpis(result)["total_cost"] == pytest.approx(-40 * 100)


def test_project_references_are_checked(tmp_path):
    case = direct_supply_case(tmp_path / "c", max_feed_in=0.2)
    import yaml
    raw = yaml.safe_load((case / "case.yaml").read_text())
    raw["projects"]["site"]["technologies"] = ["wind", "lod", "grid"]
    (case / "case.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(InputError, match="projects.site.technologies: unknown technology 'lod'"):
        load_case(case)


def test_on_grid_cap_on_a_project_behind_a_link(tmp_path):
    # the same site as above on its own node, tied by a lossless 100 MW link (ending at the site, so its
    # backward flow is the feed-in) to the public node where the market is
    project = {"technologies": ["wind", "load", "tie"], "connection": "tie",
               "direct_supply": {"max_feed_in": 0.2}}
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 100, "node": "site"},
        "load": {"kind": "demand", "annual": 30 * HOURS_PER_YEAR, "node": "site"},
        "tie": {"kind": "link", "capacity": 100, "node": "n", "to_node": "site"},
        "grid": {"kind": "market", "capacity": 100, "export_price": 100, "import_price": 200},
    }, series={"wind": [1.0, 0.0, 1.0, 0.0]}, nodes={"n": {}, "site": {}}, projects={"site": project})
    result = run(case, report=False)
    assert hourly(result, "link_backward", "tie").sum() == pytest.approx(40)
    assert kpis(result)["total_cost"] == pytest.approx(2 * 30 * 200 - 40 * 100)
    assert compliance(result)["max_feed_in"] == (pytest.approx(0.2), True)
    assert kpis(result)["curtailment_feed_in_cap_gwh"] * 1e3 == pytest.approx(100)


def test_a_sweep_design_the_rules_cannot_hold_is_reported_infeasible(tmp_path):
    # 50 MW of wind at cf [1, 0, 1, 0] and a 30 MW load: 60 of 100 MWh self-consumed, exactly the 60 % rule.
    # Four times the wind (200 MW) can still only use 60 MWh on site: 15 % of 400, so that design is infeasible.
    project = {"technologies": ["wind", "load", "grid"], "connection": "grid",
               "direct_supply": {"min_self_consumption": 0.6},
               "finance": {"wacc": 0.1, "life": 10, "sweep": {"base": "grid", "ratios": {"wind": [0.5, 2.0]}}}}
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "wind", "build_min": 50, "build_max": 50, "capex": 1e6},
        "load": {"kind": "demand", "annual": 30 * HOURS_PER_YEAR},
        "grid": {"kind": "market", "capacity": 100, "export_price": 100, "import_price": 200},
    }, series={"wind": [1.0, 0.0, 1.0, 0.0]}, projects={"site": project})
    result = run(case, report=False, sweep=True)
    assert compliance(result)["min_self_consumption"] == (pytest.approx(0.6), True)
    from energy_model.analysis.finance import from_dataset
    sweep = from_dataset(result.dataset)[0].sweep.set_index("capacity_wind")
    assert sweep.loc[200.0, "status"] == "infeasible" and np.isnan(sweep.loc[200.0, "npv"])
    assert sweep.loc[50.0, "status"].tolist() == ["optimal", "optimal"]  # the optimiser's design and its twin
