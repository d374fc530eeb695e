"""Green hydrogen under a matching rule, and its carbon intensity, on a micro case worked out by hand.

Four hours. A 10 MW electrolyser runs flat out (must-run), 50 MWh per t of hydrogen: 0.8 t over the horizon.
A 20 MW wind farm blows in hours 1-2 only, selling its surplus at 1 CNY/MWh; the grid sells the rest at
300 CNY/MWh. Grid factor 0.5 t/MWh.
"""

from __future__ import annotations

import pytest
import yaml
from micro import HOURS_PER_YEAR, write_case

from energy_model.runner import run


def _case(tmp_path, rule: str):
    folder = write_case(tmp_path, {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 20},
        "grid": {"kind": "market", "capacity": 100, "import_price": 300.0, "export_price": 1.0},
        "electrolyser": {"kind": "conversion", "input": "electricity", "outputs": {"hydrogen": 0.02},
                         "capacity": 10, "min_load": 1.0, "must_run": True},
        "h2_use": {"kind": "demand", "carrier": "hydrogen", "annual": 0.2 * HOURS_PER_YEAR},
    }, series={"wind": [1.0, 1.0, 0.0, 0.0]})
    case = yaml.safe_load((folder / "case.yaml").read_text())
    case["certification"] = {"rule": rule, "grid_emission_factor": 0.5}
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    return folder


@pytest.mark.parametrize("rule, share, intensity", [
    # hourly: hours 1-2 matched (20 of 40 MWh); 20 MWh from the grid x 0.5 t = 10 t CO2 / 0.8 t H2 = 12.5 kg/kg
    ("hourly", 0.5, 12.5),
    # annual: 40 MWh of wind output (20 used, 20 sold) against 40 MWh used: all matched, no CO2
    ("annual", 1.0, 0.0),
])
def test_the_matching_rule_decides_what_is_green(tmp_path, rule, share, intensity):
    kpis = run(_case(tmp_path, rule)).summary.set_index("kpi")
    assert kpis.at["h2_certified_green_share", "value"] == pytest.approx(share)
    assert rule in kpis.at["h2_certified_green_share", "unit"]
    assert kpis.at["h2_kg_co2_per_kg", "value"] == pytest.approx(intensity)
    assert kpis.at["h2_electrolytic", "value"] == pytest.approx(0.8)
    assert kpis.at["h2_meets_china_low_carbon", "value"] == (1.0 if intensity <= 14.51 else 0.0)
    assert kpis.at["h2_meets_eu_rfnbo", "value"] == (1.0 if intensity <= 3.38 else 0.0)

def test_monthly_matching_sits_between_hourly_and_annual(tmp_path):
    # all four hours fall in one month: monthly matching equals annual matching here
    kpis = run(_case(tmp_path, "monthly")).summary.set_index("kpi")
    assert kpis.at["h2_certified_green_share", "value"] == pytest.approx(1.0)


def test_a_required_hourly_share_makes_the_plant_run_on_the_wind(tmp_path):
    # the same plant, free to shift: 0.8 t of hydrogen over the horizon (flexible use), 10 MW, more at
    # 2,000 CNY/kW. Unconstrained it runs 10 MW in each hour: 20 MWh on wind (hours 1-2) and 20 MWh from the grid
    # (share 0.5), since 10 MW more would cost 10 x 2e6 x 4/8,760 = 9,132 CNY against 20 MWh x 299 = 5,980 saved.
    # Demanding 75 % hourly, 30 of the 40 MWh must come in hours 1-2: 15 MW, the cheapest way there
    folder = write_case(tmp_path / "c", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 20},
        "grid": {"kind": "market", "capacity": 100, "import_price": 300.0, "export_price": 1.0},
        "electrolyser": {"kind": "conversion", "input": "electricity", "outputs": {"hydrogen": 0.02},
                         "capacity": 10, "build_max": 30, "capex": "2000 CNY/kW", "life": 1},
        "h2_use": {"kind": "demand", "carrier": "hydrogen", "annual": 0.2 * HOURS_PER_YEAR, "flexible": True},
    }, series={"wind": [1.0, 1.0, 0.0, 0.0]})
    case = yaml.safe_load((folder / "case.yaml").read_text())
    case["certification"] = {"rule": "hourly", "grid_emission_factor": 0.5}
    case["policy"]["voll"] = 1e6  # the hydrogen must be made (a shortfall costs the policy VOLL)
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    free = run(folder, report=False)
    case["certification"]["min_green_share"] = 0.75
    (folder / "case.yaml").write_text(yaml.safe_dump(case))
    required = run(folder, report=False)
    share = {name: r.summary.set_index("kpi").at["h2_certified_green_share", "value"]
             for name, r in (("free", free), ("required", required))}
    assert share == {"free": pytest.approx(0.5), "required": pytest.approx(0.75)}
    assert float(free.dataset["capacity"].sel(tech="electrolyser")) == pytest.approx(10.0)
    assert float(required.dataset["capacity"].sel(tech="electrolyser")) == pytest.approx(15.0)
