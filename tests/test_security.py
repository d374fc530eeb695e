"""Heat-source adequacy with the largest CHP unit out (N-1), on micro cases worked out by hand.

Two identical 100 MW CHP units (heat up to 1 MW per committed MW, no power lost to heat), a city heat demand
of 60 MW and an electricity load of 40 MW, one hour. Coal 1,000 CNY/t; fuel = 0.3 t/MWh x (0.1 x committed +
0.9 x output): committing a MW costs 30 CNY, a MWh of power 270 CNY (40 MWh: 10,800 CNY).
"""

from __future__ import annotations

import pytest
import yaml
from micro import HOURS_PER_YEAR, write_case

from energy_model.errors import InputError
from energy_model.runner import run


def _case(tmp_path, security: dict | None, boiler_cost_per_mw: float = 0.0):
    techs = {f"chp{i}": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 100, "min_load": 0.3,
                         "no_load_fuel": 0.1, "heat_carrier": "heat", "heat_max": 1.0} for i in (1, 2)}
    if boiler_cost_per_mw:  # capex over life 1 at rate 0, for 1 h of 8,760: boiler_cost_per_mw per MW built
        techs["boiler"] = {"kind": "thermal", "fuel": "coal", "carrier": "heat", "heat_rate": 0.15,
                           "build_max": 100, "capex": boiler_cost_per_mw * HOURS_PER_YEAR, "life": 1}
    techs["load"] = {"kind": "demand", "annual": 40.0 * HOURS_PER_YEAR}
    techs["city_heat"] = {"kind": "demand", "carrier": "heat", "annual": 60.0 * HOURS_PER_YEAR}
    folder = write_case(tmp_path, techs, series={"flat": [1.0]})
    case = yaml.safe_load((folder / "case.yaml").read_text())
    case["carriers"]["heat"] = {"unit": "MWh"}
    if security is not None:
        case["policy"]["heat_security"] = security
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    return folder


def _committed(result) -> list[float]:
    return list(result.dataset["committed_capacity"].sel(tech=["chp1", "chp2"]).values[:, 0])


def test_without_the_rule_60_mw_committed_carry_the_city(tmp_path):
    # heat ≤ committed: 60 MW committed in all (on one unit or split), 60 x 30 + 10,800 = 12,600.
    result = run(_case(tmp_path, None))
    assert sum(_committed(result)) == pytest.approx(60.0)
    assert result.dataset.attrs["objective"] == pytest.approx(12600.0)


def test_n1_commits_each_unit_for_the_whole_city(tmp_path):
    # With either unit out the other must cover 60 MW: both committed at 60: 120 x 30 + 10,800 = 14,400.
    result = run(_case(tmp_path, {"carrier": "heat"}))
    assert _committed(result) == pytest.approx([60.0, 60.0])
    assert result.dataset.attrs["objective"] == pytest.approx(14400.0)


def test_n1_builds_a_backup_boiler_where_it_is_cheaper(tmp_path):
    # A boiler at 10 CNY/MW counts at its size B: on_i + B ≥ 60 for each unit and on_1 + on_2 ≥ 60 (the demand).
    # Cost 30·(on_1 + on_2) + 10·B with on_1 = on_2 = 60 − B and 120 − 2B ≥ 60 → B = 30, on = 30, 30:
    # 1,800 + 300 + 10,800 = 12,900.
    result = run(_case(tmp_path, {"carrier": "heat"}, boiler_cost_per_mw=10.0))
    assert float(result.dataset["capacity"].sel(tech="boiler")) == pytest.approx(30.0)
    assert _committed(result) == pytest.approx([30.0, 30.0])
    assert result.dataset.attrs["objective"] == pytest.approx(12900.0)


def test_curtailment_is_shared_pro_rata_between_farms_the_model_cannot_tell_apart(tmp_path):
    # Farms of 2 and 1 MW on one profile (cf 1) feed a 1 MW load: 2 MW are curtailed each hour, shared 2:1.
    # A third farm with a variable cost of its own is not in the group: cheaper farms run first, it is curtailed.
    case = write_case(tmp_path / "c", {
        "farm_a": {"kind": "renewable", "profile": "flat", "capacity": 2},
        "farm_b": {"kind": "renewable", "profile": "flat", "capacity": 1},
        "farm_c": {"kind": "renewable", "profile": "flat", "capacity": 1, "vom": 5.0},
        "load": {"kind": "demand", "annual": 1.0 * HOURS_PER_YEAR},
    }, series={"flat": [1.0, 1.0]})
    ds = run(case).dataset
    curtailed = ds["curtailment"].sel(tech=["farm_a", "farm_b", "farm_c"]).sum("time").values
    assert curtailed == pytest.approx([8 / 3, 4 / 3, 2.0])  # two hours
    assert ds.attrs["objective"] == pytest.approx(0.0)


def _reserve_case(tmp_path, reserve):
    # One hour: load 100 MW, wind 60 MW; a 150 MW coal unit (min load 0.2) whose fuel is 30 CNY per committed MW
    # plus 270 CNY per MWh (0.3 t/MWh x (0.1 on + 0.9 p) x 1,000 CNY/t).
    folder = write_case(tmp_path, {
        "wind": {"kind": "renewable", "profile": "flat", "capacity": 60},
        "coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 150, "min_load": 0.2,
                 "no_load_fuel": 0.1},
        "load": {"kind": "demand", "annual": 100.0 * HOURS_PER_YEAR},
    }, series={"flat": [1.0]})
    case = yaml.safe_load((folder / "case.yaml").read_text())
    if reserve is not None:
        case["policy"]["reserve"] = reserve
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    return run(folder)


@pytest.mark.parametrize("reserve, committed, cost", [
    (None, 40.0, 12000.0),  # wind 60, coal 40 MW committed and run: 1,200 + 10,800
    # 10 % of load + 20 % of wind = 22 MW of headroom: on = 62 (curtailing wind would cost more): 1,860 + 10,800
    ({"load_share": 0.1, "renewable_share": 0.2}, 62.0, 12660.0),
    # 80 MW kept synchronous: 2,400 + 10,800
    ({"load_share": 0.1, "renewable_share": 0.2, "min_synchronous": 80}, 80.0, 13200.0),
])
def test_spinning_reserve_and_synchronous_floor(tmp_path, reserve, committed, cost):
    result = _reserve_case(tmp_path, reserve)
    assert float(result.dataset["committed_capacity"].sel(tech="coal").sum()) == pytest.approx(committed)
    assert result.dataset.attrs["objective"] == pytest.approx(cost)


def test_markets_behind_one_substation_share_its_firm_capacity(tmp_path):
    # two farms of 10 MW at full output, each with its own market at 100 CNY/MWh, both behind a 12 MW
    # substation with 75 % firm (N-1): together they may export 9 MW, the rest is curtailed
    from micro import write_case

    from energy_model.runner import run

    def case(folder, limits):
        return write_case(folder, {
            "farm_a": {"kind": "renewable", "profile": "flat", "capacity": 10},
            "farm_b": {"kind": "renewable", "profile": "flat", "capacity": 10},
            "grid_a": {"kind": "market", "capacity": 12, "export_price": 100.0},
            "grid_b": {"kind": "market", "capacity": 10, "export_price": 100.0},
        }, policy={"shared_limits": limits})
    free = run(case(tmp_path / "a", []), report=False).dataset
    assert float(free["export"].sum("tech").isel(time=0)) == pytest.approx(20.0)
    shared = run(case(tmp_path / "b", [{"name": "substation", "technologies": ["grid_a", "grid_b"],
                                        "limit_of": "grid_a", "firm_share": 0.75}]), report=False).dataset
    assert float(shared["export"].sum("tech").isel(time=0)) == pytest.approx(9.0)


def test_firm_capacity_covers_the_winter_evening_peak(tmp_path):
    # a 100 MW evening load in January; wind (credit 0.1) is free but unreliable, a gas unit (credit 0.9) costs
    # capex: with a 15 % margin the credits must reach 115 MW: 0.9 x gas + 0.1 x 200 MW of wind >= 115 -> gas >= 105.6
    from micro import write_case

    from energy_model.runner import run

    load = [0.0] * 17 + [100.0] * 4 + [0.0] * 3
    case = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 200},
        "gas": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "build_max": 500, "capex": "100 CNY/kW",
                "life": 20},
        "load": {"kind": "demand", "annual": f"{sum(load) * 8760 / 24} MWh/yr", "profile": "shape"},
    }, series={"wind": [1.0] * 24, "shape": [x / (sum(load) * 365) for x in load]},
        policy={"voll": 1e5, "firm_capacity": [{"node": "n", "months": [1], "hours": [17, 18, 19, 20],
                                                 "margin": 0.15, "credits": {"thermal": 0.9, "wind": 0.1}}]})
    ds = run(case, report=False).dataset
    assert float(ds["capacity"].sel(tech="gas")) == pytest.approx((115 - 20) / 0.9)


def test_n1_applies_only_at_the_nodes_named(tmp_path):
    # The rule named for another node leaves this city's heat to the plain balance: 12,600 as without it.
    folder = _case(tmp_path, {"carrier": "heat", "nodes": ["elsewhere"]})
    case = yaml.safe_load((folder / "case.yaml").read_text())
    case["nodes"]["elsewhere"] = {}
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    assert run(folder).dataset.attrs["objective"] == pytest.approx(12600.0)
    case["policy"]["heat_security"]["nodes"] = ["n"]
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    assert run(folder).dataset.attrs["objective"] == pytest.approx(14400.0)


def test_n1_at_an_unknown_node_is_refused(tmp_path):
    with pytest.raises(InputError, match="heat_security.nodes: unknown node"):
        run(_case(tmp_path, {"carrier": "heat", "nodes": ["nowhere"]}))


def test_reserve_applies_only_at_the_nodes_named(tmp_path):
    # The 10 % + 20 % reserve named for another node leaves this one unreserved: 12,000 as without the rule.
    reserve = {"load_share": 0.1, "renewable_share": 0.2, "nodes": ["elsewhere"]}
    folder = tmp_path / "case"
    write_case(folder, {
        "wind": {"kind": "renewable", "profile": "flat", "capacity": 60},
        "coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 150, "min_load": 0.2,
                 "no_load_fuel": 0.1},
        "load": {"kind": "demand", "annual": 100.0 * HOURS_PER_YEAR},
    }, series={"flat": [1.0]}, nodes={"elsewhere": {}}, policy={"reserve": reserve})
    assert run(folder).dataset.attrs["objective"] == pytest.approx(12000.0)
    case = yaml.safe_load((folder / "case.yaml").read_text())
    case["policy"]["reserve"]["nodes"] = ["n"]
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    assert run(folder).dataset.attrs["objective"] == pytest.approx(12660.0)
    case["policy"]["reserve"]["nodes"] = ["nowhere"]
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    with pytest.raises(InputError, match="reserve.nodes: unknown node"):
        run(folder)
