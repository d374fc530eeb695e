"""A base inside a province node: each node's figures apart, hand-computed on a micro case, and the shipped
province_2030 scenario (the rest of Jilin as a node) on a short horizon.

Micro case, two hours. Base node n: wind 100 MW at cf 1 then 0, load 20 MW. Province node p: coal 100 MW at
0.3 t/MWh x 1,000 CNY/t = 300 CNY/MWh, load 50 MW. A 50 MW link n -> p, both ways, no losses.
Hour 1: the wind serves n's 20 MW and sends 50 MW to p (the link is full), 30 MW are curtailed, coal is idle.
Hour 2: no wind; coal makes 70 MW, 20 of them for n through the link. Cost 70 x 300 = 21,000.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from micro import HOURS_PER_YEAR, write_case

from energy_model.analysis.audit import from_dataset, load_audit
from energy_model.case.config import load_case
from energy_model.model.build import build_model
from energy_model.model.data import build_data
from energy_model.report.html import write_report
from energy_model.results.dataset import tidy_summary
from energy_model.runner import run, set_horizon

CASE = Path(__file__).resolve().parents[1] / "inputs" / "shuangliao"


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory):
    folder = write_case(tmp_path_factory.mktemp("province"), {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 100},
        "load_n": {"kind": "demand", "annual": 20 * HOURS_PER_YEAR},
        "coal": {"kind": "thermal", "node": "p", "fuel": "coal", "heat_rate": 0.3, "capacity": 100},
        "load_p": {"kind": "demand", "node": "p", "annual": 50 * HOURS_PER_YEAR},
        "tie": {"kind": "link", "to_node": "p", "capacity": 50},
    }, series={"wind": [1.0, 0.0]}, nodes={"n": {"label_zh": "基地"}, "p": {"label_zh": "省网"}})
    return run(folder, report=False)


def _kpis(result) -> dict[str, float]:
    return dict(zip(result.summary["kpi"], result.summary["value"]))


def test_each_node_has_its_own_curtailment_coal_hours_and_exchange(two_nodes):
    kpis = _kpis(two_nodes)
    assert two_nodes.dataset.attrs["objective"] == pytest.approx(21000.0)
    assert kpis["curtailment_rate@n"] == pytest.approx(0.3)
    assert kpis["curtailment_rate@p"] == 0.0  # no renewables at p: nothing to curtail
    assert kpis["coal_full_load_hours@p"] == pytest.approx(0.7)  # 70 MWh / 100 MW
    assert kpis["coal_full_load_hours@n"] == 0.0
    assert kpis["non_fossil_share@n"] == pytest.approx(1.0)
    assert kpis["non_fossil_share@p"] == pytest.approx(0.0)
    assert kpis["net_export_gwh@n"] == pytest.approx((50 - 20) / 1e3)
    assert kpis["net_export_gwh@p"] == pytest.approx(-(50 - 20) / 1e3)
    assert kpis["generation_gwh@n"] + kpis["generation_gwh@p"] == pytest.approx(140 / 1e3)
    # the system figures still count both nodes: 30 of 100 MWh curtailed, 70 of 140 MWh from coal
    assert kpis["curtailment_rate"] == pytest.approx(0.3)
    assert kpis["non_fossil_share"] == pytest.approx(0.5)


def test_the_full_link_is_the_cause_of_the_base_curtailment(two_nodes):
    causes = two_nodes.dataset["curtailment_cause"].sel(tech="wind").sum("time")
    assert float(causes.sel(cause="export_limit")) == pytest.approx(30.0)
    assert float(causes.sum()) == pytest.approx(30.0)


def test_one_node_has_no_node_rows(tmp_path):
    result = run(write_case(tmp_path, {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 10},
        "load": {"kind": "demand", "annual": 5 * HOURS_PER_YEAR}}, series={"wind": [1.0, 0.5]}), report=False)
    assert not [k for k in result.summary["kpi"] if "@" in k]


@pytest.fixture(scope="module")
def province():
    return run(CASE, "province_2030", hours=72, report=False)


def test_the_province_replaces_the_price_taker_market(province):
    ds, config = province.dataset, load_case(CASE, "province_2030")
    assert float(ds["capacity"].sel(tech="grid_500kv")) == 0.0
    assert float(ds["capacity"].sel(tech="tie_shuangliao_jilin")) == pytest.approx(2000.0)
    assert {"shuangliao", "jilin"} <= set(config.case.nodes)
    kpis = _kpis(province)
    # what the base sends out is what the link carries, and the province receives it
    link = (ds["link_forward"].sel(tech="tie_shuangliao_jilin") - ds["link_backward"].sel(
        tech="tie_shuangliao_jilin").fillna(0)) * ds["weight"]
    assert kpis["net_export_gwh@shuangliao"] == pytest.approx(float(link.sum()) / 1e3, rel=1e-6)
    # the province's heat comes out of its CHP fleet and boilers in every hour
    heat = ds["flow"].sel(bus="jilin/heat")
    assert np.abs(heat.sum("tech").values + ds["unserved"].sel(bus="jilin/heat").values).max() < 1e-6
    assert float(ds["unserved"].sum()) == pytest.approx(0.0, abs=1e-6)


def test_the_plan_audit_counts_the_base_only(province):
    config = load_case(CASE, "province_2030")
    spec = load_audit(CASE, config.technologies, config.case.carriers)
    assert spec.outside == ["jilin"]
    kpis = _kpis(province)
    audit = from_dataset(province.dataset).set_index("check")
    assert audit.loc["curtailment", "scenario"] == pytest.approx(kpis["curtailment_rate@shuangliao"])
    co2 = float(province.dataset["co2"].where(province.dataset["tech_node"] == "shuangliao", 0).sum())
    assert audit.loc["co2", "scenario"] == pytest.approx(co2 / float(province.dataset.attrs["year_fraction"]))


@pytest.mark.parametrize("link_mw, base_output", [(200, 35.0), (10, 30.0)])
def test_a_surplus_on_both_sides_of_a_free_link_is_curtailed_pro_rata(tmp_path, link_mw, base_output):
    # 100 MW of wind at cf 1 on each side, loads 20 and 50 MW: 130 of the 200 MW are curtailed at no cost
    # wherever they fall. Shared pro rata, each side makes 35 MW and n sends 15 MW over the link; a 10 MW
    # link lets n make only 20 + 10 = 30 MW, and p the other 40.
    result = run(write_case(tmp_path, {
        "wind_n": {"kind": "renewable", "profile": "wind", "capacity": 100},
        "load_n": {"kind": "demand", "annual": 20 * HOURS_PER_YEAR},
        "wind_p": {"kind": "renewable", "node": "p", "profile": "wind", "capacity": 100},
        "load_p": {"kind": "demand", "node": "p", "annual": 50 * HOURS_PER_YEAR},
        "tie": {"kind": "link", "to_node": "p", "capacity": link_mw},
    }, series={"wind": [1.0]}, nodes={"p": {}}), report=False)
    ds = result.dataset
    made = ds["flow"].sum("bus").sel(tech=["wind_n", "wind_p"]).values[:, 0]
    assert made == pytest.approx([base_output, 70.0 - base_output])
    sent = float(ds["link_forward"].sel(tech="tie")[0] - ds["link_backward"].sel(tech="tie").fillna(0)[0])
    assert sent == pytest.approx(base_output - 20.0)
    residual = ds["flow"].sum("tech") + ds["unserved"]
    assert np.abs(residual.values).max() < 1e-9  # every bus still balances


def test_kpis_csv_names_the_node_of_a_node_figure(two_nodes):
    tidy = tidy_summary(two_nodes.summary, two_nodes.dataset)
    assert tidy.set_index(["kpi", "tech", "carrier", "project", "node", "period"]).index.is_unique
    value = tidy.set_index(["kpi", "tech", "node"])["value"]
    assert value[("curtailment_rate", "", "n")] == pytest.approx(0.3)
    assert value[("coal_full_load_hours", "", "p")] == pytest.approx(0.7)
    assert value[("curtailment_rate", "", "")] == pytest.approx(0.3)  # the system's figure has no node


def test_the_province_keeps_its_reserve_and_the_city_its_heat_n1():
    config = load_case(CASE, "province_2030")
    set_horizon(config, hours=24)
    m = build_model(build_data(config)).m
    assert {bus for bus, _ in m.reserve_spinning} == {"jilin/electricity"}
    assert len(m.reserve_spinning) == 24
    assert {key[0] for key in m.heat_security_n1} == {"shuangliao/heat"}


def test_the_report_names_the_nodes_in_chinese(two_nodes, tmp_path):
    html = write_report(two_nodes.dataset, two_nodes.summary, tmp_path / "report.html", "zh").read_text("utf-8")
    section = html[html.index('section id="nodes"'):]
    section = section[:section.index("</section>")]
    assert "基地" in section and "省网" in section
