"""The HTML report: one offline page per language, sections only where their data exists."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from plotly.offline import get_plotlyjs

from energy_model.analysis import summary
from energy_model.labels import convert, kpi_name, label, tech_names
from energy_model.report import _family, dispatch_weeks, tech_colors, write_report

PLOTLY_MARKER = "* plotly.js v"  # the bundle's licence header: once per embedded copy
HOURS = 3 * 7 * 24
SL, CL = "shuangliao", "changling"
# tech -> (kind, node, main carrier, Chinese name)
TECHS = {
    "wind_1": ("renewable", SL, "electricity", "双辽风电一期"),
    "wind_2": ("renewable", SL, "electricity", "双辽风电二期"),
    "pv_1": ("renewable", SL, "electricity", "双辽光伏"),
    "coal_1": ("thermal", SL, "electricity", "双辽电厂"),
    "battery": ("storage", SL, "electricity", "电化学储能"),
    "h2_tank": ("storage", SL, "hydrogen", "储氢罐"),
    "electrolyser": ("conversion", SL, "electricity", "电解水制氢"),
    "load_sl": ("demand", SL, "electricity", "双辽负荷"),
    "load_cl": ("demand", CL, "electricity", "长岭负荷"),
    "h2_offtake": ("demand", SL, "hydrogen", "氢气需求"),
    "grid": ("market", SL, "electricity", "500千伏外送"),
    "line_1": ("link", SL, "electricity", "双辽—长岭线路"),
}
BUSES = [f"{SL}/electricity", f"{SL}/hydrogen", f"{CL}/electricity"]
CAPACITY = {"wind_1": 800.0, "wind_2": 500.0, "pv_1": 600.0, "coal_1": 660.0, "battery": 200.0, "h2_tank": 5.0,
            "electrolyser": 300.0, "grid": 1000.0, "line_1": 150.0}


def synthetic_dataset(hours: int = HOURS, start: str = "2030-01-01") -> xr.Dataset:
    """A results Dataset shaped like results.to_dataset: every kind, two electricity buses, one hydrogen bus."""
    rng = np.random.default_rng(0)
    techs = list(TECHS)
    time = pd.date_range(start, periods=hours, freq="h")
    hour_of_day = time.hour.to_numpy()
    index = {g: i for i, g in enumerate(techs)}
    bus = {b: i for i, b in enumerate(BUSES)}
    per_tech = {name: np.full((len(techs), hours), np.nan) for name in (
        "available", "curtailment", "fuel_use", "committed_capacity", "startup", "storage_charge",
        "storage_discharge", "storage_level", "conversion_input", "demand", "export", "import",
        "link_forward", "link_backward")}
    flow = np.zeros((len(BUSES), len(techs), hours))

    def put(name, g, values, bus_name=None, coef=1.0):
        per_tech[name][index[g]] = values
        if bus_name:
            flow[bus[bus_name], index[g]] += coef * values

    elec, h2, elec_cl = BUSES
    for g, cf in (("wind_1", rng.uniform(0, 1, hours)), ("wind_2", rng.uniform(0, 1, hours)),
                  ("pv_1", np.clip(np.sin((hour_of_day - 6) / 12 * np.pi), 0, None))):
        available = CAPACITY[g] * cf
        curtailed = available * rng.uniform(0, 0.2, hours)
        put("available", g, available)
        put("curtailment", g, curtailed)
        flow[bus[elec], index[g]] += available - curtailed
    coal = rng.uniform(0.4, 1.0, hours) * CAPACITY["coal_1"]
    put("fuel_use", "coal_1", coal * 0.3)
    put("committed_capacity", "coal_1", np.full(hours, CAPACITY["coal_1"]))
    put("startup", "coal_1", np.zeros(hours))
    flow[bus[elec], index["coal_1"]] += coal
    for g, bus_name, energy in (("battery", elec, 800.0), ("h2_tank", h2, 50.0)):
        charging = hour_of_day < 12
        put("storage_charge", g, np.where(charging, CAPACITY[g] * 0.5, 0.0), bus_name, -1.0)
        put("storage_discharge", g, np.where(charging, 0.0, CAPACITY[g] * 0.5), bus_name)
        put("storage_level", g, energy * np.where(charging, hour_of_day / 12, (24 - hour_of_day) / 12))
    electrolysis = rng.uniform(0.3, 1.0, hours) * CAPACITY["electrolyser"]
    put("conversion_input", "electrolyser", electrolysis, elec, -1.0)
    flow[bus[h2], index["electrolyser"]] += 0.02 * electrolysis
    for g, bus_name, mean in (("load_sl", elec, 400.0), ("load_cl", elec_cl, 120.0), ("h2_offtake", h2, 5.0)):
        put("demand", g, mean * rng.uniform(0.8, 1.2, hours), bus_name, -1.0)
    put("export", "grid", rng.uniform(0, 800, hours), elec, -1.0)
    put("import", "grid", np.where(hour_of_day == 3, 50.0, 0.0), elec)
    forward = rng.uniform(0, CAPACITY["line_1"], hours)
    put("link_forward", "line_1", forward, elec, -1.0)
    put("link_backward", "line_1", np.zeros(hours))
    flow[bus[elec_cl], index["line_1"]] += 0.98 * forward

    categories = ["co2", "export_revenue", "fixed_om", "fuel", "import", "investment", "startup", "unserved",
                  "variable_om"]
    ds = xr.Dataset(coords={
        "time": time, "tech": techs, "bus": BUSES,
        "tech_kind": ("tech", [TECHS[g][0] for g in techs]),
        "tech_node": ("tech", [TECHS[g][1] for g in techs]),
        "tech_carrier": ("tech", [TECHS[g][2] for g in techs]),
        "tech_label_zh": ("tech", [TECHS[g][3] for g in techs]),
        "bus_carrier": ("bus", [b.split("/", 1)[1] for b in BUSES]),
        "weight": ("time", np.ones(hours)),
        "cost_category": categories, "cost_owner": techs + ["system"],
    })
    ds["capacity"] = ("tech", [CAPACITY.get(g, 0.0) for g in techs])
    ds["capacity_unit"] = ("tech", ["t/h" if TECHS[g][2] == "hydrogen" else "MW" for g in techs])
    ds["capacity_new"] = ("tech", [CAPACITY.get(g, 0.0) / 2 for g in techs])
    ds["energy_capacity"] = ("tech", [{"battery": 800.0, "h2_tank": 50.0}.get(g, np.nan) for g in techs])
    ds["flow"] = (("bus", "tech", "time"), flow)
    ds["unserved"] = (("bus", "time"), np.zeros((len(BUSES), hours)))
    ds["marginal_price"] = (("bus", "time"), rng.uniform(0, 400, (len(BUSES), hours)))
    ds["cost"] = (("cost_category", "cost_owner"), rng.uniform(0, 1e8, (len(categories), len(techs) + 1)))
    ds["co2"] = ("tech", [float(coal.sum() * 0.3 * 2.6) if g == "coal_1" else 0.0 for g in techs])
    for name, values in per_tech.items():
        ds[name] = (("tech", "time"), values)
    ds.attrs.update(scenario="base_2030", objective=float(ds["cost"].sum()), solver_status="optimal",
                    inputs_hash="0123abcd", year_fraction=hours / 8760)
    return ds


def without_storage_and_renewables(ds: xr.Dataset) -> xr.Dataset:
    """What to_dataset writes for a case with neither: no such techs and no such variables."""
    keep = [g for g, kind in zip(ds.tech.values, ds.tech_kind.values) if kind not in ("storage", "renewable")]
    return ds.sel(tech=keep).drop_vars(["available", "curtailment", "storage_charge", "storage_discharge",
                                        "storage_level"])


ALL_SECTIONS = ["metadata", "kpis", "capacity", "balance", "dispatch_first", "dispatch_last", "price_duration",
                "load_duration", "curtailment", "storage", "kpi_table"]


def headings(lang: str, keys: list[str]) -> list[str]:
    return [f"<h2>{html.escape(label(f'section.{key}', lang))}" for key in keys]


@pytest.fixture(scope="module")
def dataset() -> xr.Dataset:
    return synthetic_dataset()


@pytest.fixture(scope="module")
def reports(dataset, tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("report")
    table = summary(dataset)
    paths = {lang: write_report(dataset, table, folder / f"report_{lang}.html", lang=lang) for lang in ("zh", "en")}
    assert all(p.exists() for p in paths.values())
    return {lang: p.read_text(encoding="utf-8") for lang, p in paths.items()}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_is_offline_with_plotly_once(reports, lang):
    assert get_plotlyjs().count(PLOTLY_MARKER) == 1
    page = reports[lang]
    assert page.count(PLOTLY_MARKER) == 1
    assert "cdn.plot.ly" not in page
    assert "<script src=" not in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_section_is_there_in_its_language(reports, lang):
    page = reports[lang]
    assert f"<h1>{html.escape(label('title', lang))}</h1>" in page
    for heading in headings(lang, ALL_SECTIONS):
        assert heading in page
    assert page.count("<section") == len(ALL_SECTIONS)


def test_languages_differ(reports):
    for key in ["title"] + [f"section.{s}" for s in ALL_SECTIONS]:
        assert label(key, "zh") != label(key, "en")
    assert label("section.capacity", "zh") not in reports["en"]
    assert label("section.capacity", "en") not in reports["zh"]
    assert "万千瓦" in reports["zh"] and "亿千瓦时" in reports["zh"] and "亿元" in reports["zh"]
    assert "GWh" in reports["en"] and "万千瓦" not in reports["en"]


def test_without_storage_or_renewables_sections_are_left_out(dataset, tmp_path):
    ds = without_storage_and_renewables(dataset)
    for lang in ("zh", "en"):
        page = write_report(ds, summary(ds), tmp_path / f"{lang}.html", lang=lang).read_text(encoding="utf-8")
        present = [s for s in ALL_SECTIONS if s not in ("curtailment", "storage")]
        assert all(h in page for h in headings(lang, present))
        assert not any(h in page for h in headings(lang, ["curtailment", "storage"]))


def test_every_kpi_and_technology_has_a_name(dataset):
    table = summary(dataset)
    for lang in ("zh", "en"):
        names = tech_names(dataset, lang)
        assert all(kpi_name(kpi, names, lang) != kpi for kpi in table["kpi"])
    assert tech_names(dataset, "zh")["wind_1"] == "双辽风电一期"
    assert tech_names(dataset, "en")["wind_1"] == "wind_1"


def test_dispatch_weeks():
    year = pd.date_range("2030-01-01", periods=8760, freq="h")
    assert dispatch_weeks(year) == [("dispatch_winter", pd.Timestamp("2030-01-14")),
                                    ("dispatch_summer", pd.Timestamp("2030-07-08"))]
    three_weeks = pd.date_range("2030-01-01", periods=HOURS, freq="h")  # holds the winter week only
    assert dispatch_weeks(three_weeks) == [("dispatch_first", pd.Timestamp("2030-01-01")),
                                           ("dispatch_last", pd.Timestamp("2030-01-15"))]
    assert dispatch_weeks(year, summer_start="2030-08-05")[1] == ("dispatch_summer", pd.Timestamp("2030-08-05"))
    assert len(dispatch_weeks(pd.date_range("2030-03-01", periods=100, freq="h"))) == 1


def test_units_are_converted_not_relabelled():
    assert convert(10.0, "MW", "zh") == pytest.approx((1.0, "万千瓦"))
    assert convert(100.0, "GWh", "zh") == pytest.approx((1.0, "亿千瓦时"))
    assert convert(1e8, "CNY", "zh") == pytest.approx((1.0, "亿元"))
    assert convert(10.0, "MW", "en") == (10.0, "MW")
    with pytest.raises(ValueError):
        label("title", "fr")


def test_colours_follow_kind_and_stay_put(dataset):
    assert _family("renewable", "pv_hybrid_100", "30万千瓦风光互补项目（光伏部分）") == "pv"
    assert _family("renewable", "wind_hybrid_200", "30万千瓦风光互补项目（风电部分）") == "wind"
    assert _family("renewable", "site_3", "规划风电场区") == "wind"
    assert _family("thermal", "coal_unit1", "双辽电厂1号机组") == "coal"
    colors = tech_colors(dataset)
    assert colors == tech_colors(dataset.isel(tech=slice(None, None, -1)))
    assert len(set(colors.values())) == len(colors)
