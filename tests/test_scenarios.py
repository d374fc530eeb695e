"""Scenario semantics: inheritance, precedence, combination with '+', scaling, and clear errors."""

from __future__ import annotations

import pytest
from micro import write_case

from energy_model.case.config import load_case
from energy_model.errors import InputError

WIND = {"kind": "renewable", "profile": "flat", "capacity": 10, "capex": "4000 CNY/kW"}
SCENARIOS = {
    "base": {"description": "base", "overrides": {"technologies.wind.capacity": 20, "policy.co2_price": 50}},
    "more_wind": {"description": "more wind", "inherits": "base", "overrides": {"technologies.wind.capacity": 30}},
    "carbon": {"description": "carbon", "inherits": "base", "overrides": {"policy.co2_price": 200}},
    "double_wind": {"description": "x2 wind", "inherits": "base",
                    "overrides": {"technologies.wind.capacity": {"scale": 2}}},
    "cheap": {"description": "cheap", "overrides": {"technologies.wind.capex": {"scale": 0.5}}},
    "windy": {"description": "windy", "overrides": {"timeseries.flat": {"scale": 0.8}}},
}


@pytest.fixture
def case(tmp_path):
    return write_case(tmp_path / "c", {"wind": WIND}, scenarios=SCENARIOS)


def problems(folder, scenario=None, overrides=None) -> str:
    with pytest.raises(InputError) as info:
        load_case(folder, scenario, overrides)
    return str(info.value)


def test_combination_keeps_each_scenarios_own_changes_over_a_shared_base(case):
    # both inherit 'base'; applying base again for 'carbon' must not undo more_wind's 30 MW
    for name in ("more_wind+carbon", "carbon+more_wind"):
        config = load_case(case, name)
        assert config.technologies["wind"].capacity == 30
        assert config.case.policy.co2_price == 200
    assert load_case(case, "more_wind+carbon").scenario_description == "more wind + carbon"


def test_the_later_scenario_wins_where_two_set_the_same_path(case):
    assert load_case(case, "more_wind+base").technologies["wind"].capacity == 30  # base already applied
    assert load_case(case, "base+more_wind").technologies["wind"].capacity == 30
    assert load_case(case, "more_wind+double_wind").technologies["wind"].capacity == 60  # 30 x 2


def test_scale_multiplies_the_value_so_far(case):
    assert load_case(case, "double_wind").technologies["wind"].capacity == 40  # base's 20 x 2
    assert load_case(case, "cheap").technologies["wind"].capex == pytest.approx(2.0e6)  # "4000 CNY/kW" x 0.5
    assert load_case(case, "cheap", {"technologies.wind.capex": {"scale": 3}}).technologies["wind"].capex \
        == pytest.approx(6.0e6)  # 0.5 x 3 of the case's value
    assert load_case(case, "windy").timeseries["flat"].tolist() == pytest.approx([0.8] * 4)


def test_extra_overrides_win_and_enter_the_hash(case):
    plain = load_case(case, "more_wind")
    swept = load_case(case, "more_wind", {"technologies.wind.capacity": 45})
    assert swept.technologies["wind"].capacity == 45
    assert swept.inputs_hash != plain.inputs_hash
    assert load_case(case, "more_wind", {"technologies.wind.capacity": 45}).inputs_hash == swept.inputs_hash


def test_hash_follows_the_scenario_not_the_rest_of_scenarios_yaml(tmp_path):
    first = write_case(tmp_path / "a", {"wind": WIND}, scenarios=SCENARIOS)
    edited = {**SCENARIOS, "carbon": {**SCENARIOS["carbon"], "overrides": {"policy.co2_price": 300}}}
    second = write_case(tmp_path / "b", {"wind": WIND}, scenarios=edited)
    assert load_case(first, "more_wind").inputs_hash == load_case(second, "more_wind").inputs_hash
    assert load_case(first, "carbon").inputs_hash != load_case(second, "carbon").inputs_hash


def test_bad_overrides_name_their_origin(case):
    assert "no scenario 'carbn' (did you mean 'carbon'?)" in problems(case, "base+carbn")
    message = problems(case, "base", {"technologies.wnd.capacity": 5})
    assert "- overrides: technologies.wnd.capacity: names nothing, 'technologies.wnd' does not exist " \
           "(did you mean 'wind'?)" in message
    assert "- overrides: technologies.wind.capacity = -5: " in problems(case, "base", {"technologies.wind.capacity": -5})
    message = problems(case, "windy", {"timeseries.flta": {"scale": 2}})
    assert "overrides: timeseries.flta: names nothing, no timeseries column 'flta' (did you mean 'flat'?)" in message
    assert "a timeseries column can only be scaled" in problems(case, None, {"timeseries.flat": 0.5})
    assert "cannot scale None" in problems(case, None, {"technologies.wind.retire_year": {"scale": 2}})
    assert "non-negative number" in problems(case, None, {"technologies.wind.capacity": {"scale": "x"}})


def test_a_scaled_capacity_factor_above_one_is_rejected(case):
    assert "must be a capacity factor in [0, 1]" in problems(case, None, {"timeseries.flat": {"scale": 1.5}})
