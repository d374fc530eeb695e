"""plan_targets.yaml: one file for the plan's figures, read by every run's audit (and so by the batch
comparison); selections by kind take what a scenario adds; mistakes are named with file and field."""

from __future__ import annotations

import pytest
import yaml
from micro import write_case

from energy_model.analysis import audit
from energy_model.case.config import list_scenarios, load_case
from energy_model.errors import InputError
from energy_model.runner import run

HOURS_PER_YEAR = 8760
# two loads (60 MW new, 10 MW existing) on 4 h; 20 MW wind at cf 1, coal the rest
TECHS = {
    "wind": {"kind": "renewable", "profile": "flat", "capacity": 20},
    "coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 100},
    "load": {"kind": "demand", "annual": 60 * HOURS_PER_YEAR},
    "old_load": {"kind": "demand", "annual": 10 * HOURS_PER_YEAR},
}


def check(left: dict, relation: str, right: dict | None = None, **fields) -> dict:
    return {"label": "x", "label_zh": "x", "source": "test", "left": left, "relation": relation,
            **({"right": right} if right else {}), **fields}


def value(text: object) -> dict:
    return {"measure": "value", "value": text}


def write(folder, plan: dict):
    case = write_case(folder, TECHS)
    (case / "plan_targets.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    return case


def test_measures_select_by_kind_and_carrier_less_exclusions(tmp_path):
    case = write(tmp_path / "c", {
        "checks": {
            "new_load": check({"measure": "electricity_use", "kinds": ["demand"], "exclude": ["old_load"]}, ">=",
                              value("500 GWh/yr")),
            "wind_solar": check({"measure": "capacity", "kinds": ["renewable"], "carrier": "electricity"}, "==",
                                value("21 MW"), tolerance=0.05),
            "value": check({"measure": "output_value"}, "<=", value("1.5 亿CNY/yr")),
            "curtailment": check({"measure": "curtailment_rate"}, "<=", value("10 %")),
        },
        "output_value": {"electricity_price": {"coal": "300 CNY/MWh", "wind": "0.2 CNY/kWh"}},
    })
    table = audit.from_dataset(run(case, report=False).dataset).set_index("check")
    # 60 MW x 8760 h; 20 MW within 5 % of 21; (50 MW coal x 300 + 20 MW wind x 200) CNY/MWh x 8760 h
    assert table.loc["new_load", "scenario"] == pytest.approx(525.6) and table.loc["new_load", "unit"] == "GWh/yr"
    assert table.loc["wind_solar", "scenario"] == 20 and table.loc["wind_solar", "passed"] == 1
    assert table.loc["value", "scenario"] == pytest.approx((50 * 300 + 20 * 200) * HOURS_PER_YEAR)
    assert table.loc["value", "passed"] == 0  # 1.66e8 > 1.5e8
    assert table.loc["curtailment", "plan"] == pytest.approx(0.1) and table.loc["curtailment", "unit"] == "fraction"


@pytest.mark.parametrize("plan, message", [
    ({"checks": {"a": check({"measure": "capacity", "techs": ["coal"]}, ">=", value(2660))}},
     "checks.a: left is in 'MW', right in ''"),
    ({"checks": {"a": check({"measure": "capacity", "techs": ["cole"]}, ">=", value("1 MW"))}},
     "checks.a.left: unknown technology 'cole'"),
    ({"checks": {"a": check({"measure": "capacity", "kinds": ["thermal"]}, ">=", value("1 MW"))}},
     "capacity by kinds needs a carrier"),
    ({"checks": {"a": check({"measure": "co2", "techs": ["coal"]}, "report")}}, "measure 'co2' takes no techs"),
    ({"checks": {"a": check({"measure": "co2"}, ">=")}}, "a 'report' check has no right side"),
    ({"checks": {"a": check({"measure": "plan_electricity", "load": "nope"}, "report")}}, "unknown load 'nope'"),
    ({"checks": {"a": check({"measure": "output_value"}, "report")}}, "needs the file's output_value prices"),
    ({"checks": {}, "output_value": {"electricity_price": {"coal*": 300}}},
     "output_value.electricity_price: no pattern matches 'wind'"),
    ({"loads": {"l": {"label": "x", "label_zh": "x", "source": "test", "product": "naho"}}},
     "loads.l.product: no plant makes 'naho'"),
    ({"loads": {"l": {"label": "x", "label_zh": "x", "source": "test", "product": "x", "techs": ["coal"]}}},
     "a load names its techs or a product"),
    ({"checks": {"a": {**check({"measure": "co2"}, "report"), "relaton": ">="}}},
     "plan_targets.yaml: checks.a.relaton = '>=': unknown field (did you mean 'relation'?)"),
])
def test_mistakes_in_the_plan_targets_are_named_before_the_solve(tmp_path, plan, message):
    case = write(tmp_path / "c", plan)
    with pytest.raises(InputError) as info:
        run(case, report=False)
    assert message in str(info.value)


def test_a_load_by_product_takes_the_plant_a_scenario_moves_to_a_direct_supply_project(tmp_path):
    # direct_supply_chlor_alkali replaces chlor_alkali_200kt by its own plant dsc_electrolysis
    result = run("inputs/shuangliao", "direct_supply_chlor_alkali", days=3, report=False)
    table = audit.from_dataset(result.dataset).set_index("check")
    assert table.loc["chlor_alkali", "scenario_quantity"] == pytest.approx(500_000, rel=1e-6)
    assert table.loc["chlor_alkali", "passed"] == 1


def test_every_scenario_of_the_default_case_is_audited_against_the_one_file():
    case = "inputs/shuangliao"
    for scenario in list_scenarios(case):
        config = load_case(case, scenario)
        spec = audit.load_audit(case, config.technologies, config.case.carriers)
        assert {"thermal_capacity", "wind_solar_capacity", "new_load", "output_value_130", "output_value_50",
                "curtailment"} <= set(spec.checks), scenario
