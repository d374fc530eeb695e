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
