"""An export schedule (annual cap) and a falling price-volume curve on a market, against optima by hand.

One node, a 10 MW wind farm at cf 1 for two hours and no load; a 10 MW connection sells at 100 CNY/MWh."""

from __future__ import annotations

import pytest
from micro import HOURS_PER_YEAR, write_case

from energy_model.errors import InputError
from energy_model.runner import run


def _case(tmp_path, **grid):
    return write_case(tmp_path, {
        "wind": {"kind": "renewable", "profile": "flat", "capacity": 10},
        "grid": {"kind": "market", "capacity": 10, "export_price": 100.0, **grid},
    }, series={"flat": [1.0, 1.0]})


TRANCHES = [{"share": 0.5, "discount": 0.0}, {"share": 0.5, "discount": 60.0}]


def test_a_falling_price_volume_curve(tmp_path):
    # each hour 5 MWh at 100 and 5 MWh at 40: 700 CNY an hour, 1,400 in all.
    assert run(_case(tmp_path, export_tranches=TRANCHES)).dataset.attrs["objective"] == pytest.approx(-1400.0)


def test_an_annual_export_cap_takes_the_best_tranches_first(tmp_path):
    # 12 MWh over the two hours (written per year): the two 5 MWh tranches at 100, then 2 MWh at 40: 1,080 CNY.
    result = run(_case(tmp_path, export_tranches=TRANCHES, max_annual_export=12.0 * HOURS_PER_YEAR / 2))
    assert result.dataset.attrs["objective"] == pytest.approx(-1080.0)
    assert float(result.dataset["export"].sum()) == pytest.approx(12.0)


@pytest.mark.parametrize("grid, words", [
    ({"export_tranches": [{"share": 0.5, "discount": 0.0}]}, "sum to 0.5"),
    ({"export_tranches": [{"share": 0.5, "discount": 50.0}, {"share": 0.5, "discount": 10.0}]}, "must not fall"),
    ({"min_annual_export": 100.0, "max_annual_export": 50.0}, "below min_annual_export"),
])
def test_inconsistent_market_options_are_refused(tmp_path, grid, words):
    with pytest.raises(InputError) as caught:
        run(_case(tmp_path, **grid))
    assert words in str(caught.value) and "technologies.yaml" in str(caught.value)


def _carrier_case(tmp_path, **electricity):
    folder = write_case(tmp_path, {
        "wind": {"kind": "renewable", "profile": "flat", "capacity": 10},
        "load": {"kind": "demand", "annual": 4.0 * HOURS_PER_YEAR},
        "h2_use": {"kind": "demand", "carrier": "hydrogen", "annual": 1.0 * HOURS_PER_YEAR},
    }, series={"flat": [1.0, 1.0]})
    import yaml
    case = yaml.safe_load((folder / "case.yaml").read_text())
    case["carriers"]["electricity"].update(electricity)
    case["carriers"]["hydrogen"]["voll"] = 500.0
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    return folder


def test_a_priced_sink_and_a_carrier_value_of_lost_load(tmp_path):
    # 10 MW of wind for a 4 MW load: 6 MW must go somewhere. Without a sink the wind is curtailed (free); a
    # must-take farm would have to pay the sink. Hydrogen has no supply: 1 t/h unserved at its own 500 CNY/t.
    result = run(_carrier_case(tmp_path / "a"))
    assert result.dataset.attrs["objective"] == pytest.approx(2 * 500.0)
    import yaml
    case = _carrier_case(tmp_path / "b", excess_cost=3.0)
    techs = yaml.safe_load((case / "technologies.yaml").read_text())
    techs["wind"]["must_take"] = True
    (case / "technologies.yaml").write_text(yaml.safe_dump(techs))
    # the must-take farm's 6 MW surplus leaves through the priced sink: 2 h x 6 MWh x 3 CNY + 1,000
    assert run(case).dataset.attrs["objective"] == pytest.approx(36.0 + 1000.0)


def test_a_capacity_charge_sizes_the_connection(tmp_path):
    # wind 10 MW at cf 1 then 0.5; a connection of k MW (no capex) sells at 100 CNY/MWh: each of the first 5 MW
    # carries 2 MWh (200 CNY), the next 5 carry 1 MWh (100). Without a charge k = 10: -1,500. A charge of 150 CNY
    # per MW over the two hours (657,000 CNY/MW/yr = 54.75 CNY/kW/month) stops at k = 5: -1,000 + 750 = -250.
    def case(folder, **grid):
        return write_case(folder, {
            "wind": {"kind": "renewable", "profile": "wind", "capacity": 10},
            "grid": {"kind": "market", "build_max": 20, "export_price": 100.0, **grid},
        }, series={"wind": [1.0, 0.5]})
    free = run(case(tmp_path / "a"))
    assert float(free.dataset["capacity"].sel(tech="grid")) >= 10.0 - 1e-6  # free: any k of 10 or more
    assert free.dataset.attrs["objective"] == pytest.approx(-1500.0)
    charged = run(case(tmp_path / "b", capacity_charge="54.75 CNY/kW/month"))
    assert float(charged.dataset["capacity"].sel(tech="grid")) == pytest.approx(5.0)
    assert charged.dataset.attrs["objective"] == pytest.approx(-250.0)
    assert float(charged.dataset["cost"].sel(cost_category="grid_charge").sum()) == pytest.approx(750.0)
