"""The HTML report: one offline page per language, sections only where their data exists, and the
accounting behind its flow diagram, unit table and product chart checked on a dataset small enough to
compute by hand (tests/datasets.py)."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from datasets import (
    HOURS,
    synthetic_dataset,
    tiny_dataset,
    without_storage_and_renewables,
)
from micro import write_case
from openpyxl import load_workbook
from plotly.offline import get_plotlyjs

from energy_model.analysis.kpis import summary
from energy_model.case.config import load_case
from energy_model.errors import InputError
from energy_model.report.html import _families, sankey_links, tech_colors, write_report
from energy_model.report.labels import (
    convert,
    kpi_name,
    label,
    localize_table,
    tech_names,
)
from energy_model.report.tables import electric, product_output, thermal_operation
from energy_model.report.weeks import DATA_ID, HourlySeries, dispatch_weeks, quantize
from energy_model.runner import run

PLOTLY_MARKER = "* plotly.js v"  # the bundle's licence header: once per embedded copy
ALL_SECTIONS = ["metadata", "kpis", "capacity", "balance", "sankey", "dispatch_first", "dispatch_last",
                "price_duration", "load_duration", "curtailment", "thermal_week", "storage", "thermal", "products",
                "kpi_table"]
WEEK_SECTIONS = ["dispatch_first", "dispatch_last", "dispatch_winter", "dispatch_summer", "storage", "thermal_week"]


def headings(lang: str, keys: list[str]) -> list[str]:
    """How each section's title opens in the page (a week section's title sits in a span the selector rewrites)."""
    return [f"<h2>{html.escape(label(f'section.{key}', lang))}" if key not in WEEK_SECTIONS else
            f'<h2><span class="week-title" data-default="{html.escape(label(f"section.{key}", lang))}"'
            for key in keys]


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


def test_without_thermal_or_plants_their_sections_are_left_out(dataset, tmp_path):
    kinds = zip(dataset.tech.values, dataset.tech_kind.values)
    keep = [g for g, kind in kinds if kind not in ("thermal", "conversion")]
    ds = dataset.sel(tech=keep)
    page = write_report(ds, summary(ds), tmp_path / "report.html", lang="en").read_text(encoding="utf-8")
    assert not any(h in page for h in headings("en", ["thermal", "products"]))
    assert all(h in page for h in headings("en", ["sankey", "curtailment", "storage"]))


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


def test_colours_follow_the_case_s_groups_and_roles_and_stay_put(dataset):
    families = _families(dataset)  # wind_1, wind_2 in group wind, pv_1 in pv (tests/datasets.py)
    assert (families["wind_1"], families["wind_2"], families["pv_1"]) == ("wind", "wind", "pv")
    assert (families["coal_1"], families["battery"], families["grid"]) == ("coal", "storage", "grid")  # by role
    ungrouped = _families(dataset.drop_vars("tech_group"))
    assert ungrouped["wind_1"] == ungrouped["pv_1"] == "renewable"  # nothing guessed from ids or names
    colors = tech_colors(dataset)
    assert colors == tech_colors(dataset.isel(tech=slice(None, None, -1)))
    assert len(set(colors.values())) == len(colors)
    hydro = dataset.assign_coords(tech_group=("tech", ["hydro"] * dataset.sizes["tech"]),
                                  tech_color=("tech", ["#123456"] + [""] * (dataset.sizes["tech"] - 1)))
    colors = tech_colors(hydro)  # a group the report has no colour for gets one of the palette; own colours win
    assert colors[str(dataset["tech"].values[0])] == "#123456" and len(set(colors.values())) == len(colors)


def test_flow_diagram_links_by_hand():
    ds = tiny_dataset()
    links = {(source, target): value for source, target, value in sankey_links(ds, electric(ds["flow"]))}
    assert links == pytest.approx({
        ("source:wind", "hub"): 210.0, ("source:coal", "hub"): 100.0, ("source:wind", "curtailment"): 40.0,
        ("hub", "use:storage"): 12.0, ("hub", "use:conversion"): 100.0, ("hub", "use:demand"): 180.0,
        ("hub", "use:market"): 18.0, ("use:conversion", "tech:electrolyser"): 100.0,
        ("use:demand", "tech:load"): 180.0,
    })
    into_hub = sum(v for (_, target), v in links.items() if target == "hub")
    assert into_hub == pytest.approx(sum(v for (source, _), v in links.items() if source == "hub"))


def test_flow_diagram_balances_on_the_synthetic_run(dataset):
    """Every MWh that reaches the hub leaves it: the diagram is the bus balance summed over the horizon."""
    power = electric(dataset["flow"])
    links = sankey_links(dataset, power)
    into_hub = sum(v for _, target, v in links if target == "hub")
    out_of_hub = sum(v for source, _, v in links if source == "hub")
    net = float((power.sum("tech") * dataset["weight"]).sum())  # what the synthetic buses leave unbalanced
    assert into_hub - out_of_hub == pytest.approx(net)
    fanned = sum(v for source, _, v in links if source in ("use:demand", "use:conversion"))
    assert fanned == pytest.approx(sum(v for _, target, v in links if target in ("use:demand", "use:conversion")))


def test_thermal_hours_and_starts_by_hand():
    ds = tiny_dataset()
    operation = thermal_operation(ds, electric(ds["flow"]))
    assert list(operation.index) == ["coal"]
    assert operation.loc["coal"].to_dict() == pytest.approx(
        {"full_load_hours": 2.0, "operating_hours": 3.0, "starts": 0.2})
    without_commitment = ds.assign(startup=ds["startup"] * np.nan)
    assert np.isnan(thermal_operation(without_commitment, electric(ds["flow"])).at["coal", "starts"])


def test_product_output_by_hand():
    output = product_output(tiny_dataset())
    assert [str(b) for b in output["bus"].values] == ["n/hydrogen"]
    assert [str(g) for g in output["tech"].values] == ["electrolyser"]
    assert float(output.sum()) == pytest.approx(0.8 * 2 + 0.4 * 1)


def test_tiny_report_shows_hand_computed_figures(tmp_path):
    ds = tiny_dataset()
    page = write_report(ds, summary(ds), tmp_path / "report.html", lang="en").read_text(encoding="utf-8")
    assert all(h in page for h in headings("en", ["sankey", "thermal", "products", "curtailment", "storage"]))
    sankey = json.loads(re.search(r'"fig-sankey",\s*\[\{"link":\{.*?"value":(\[[^\]]*\])', page).group(1))
    assert sorted(sankey) == pytest.approx(sorted(v / 1e3 for v in (210, 100, 40, 12, 100, 180, 18, 100, 180)))


def test_curtailment_is_split_by_cause_where_the_run_has_it(tmp_path):
    ds = tiny_dataset()
    cause = xr.DataArray([[15.0, 0.0], [5.0, 0.0]], dims=("cause", "time"),
                         coords={"cause": ["export_limit", "new_cause"], "time": ds["time"]})
    ds["curtailment_cause"] = cause
    page = write_report(ds, summary(ds), tmp_path / "report.html", lang="zh").read_text(encoding="utf-8")
    shown = json.dumps(label("cause.export_limit", "zh"))  # as plotly writes text into a figure
    assert shown in page and '"new_cause"' in page  # unknown causes show their id
    assert json.dumps(label("group.wind", "zh")) not in page.split('id="curtailment"')[1]  # no per-tech bars


def test_no_curtailment_reads_as_text_not_an_empty_chart(tmp_path):
    ds = tiny_dataset()
    ds["curtailment"] = ds["curtailment"] * 0
    page = write_report(ds, summary(ds), tmp_path / "report.html", lang="en").read_text(encoding="utf-8")
    section = page.split('<section id="curtailment">')[1].split("</section>")[0]
    assert label("note.no_curtailment", "en") in section and "fig-curtailment" not in section


def test_tables_of_other_analyses_get_a_section(dataset, tmp_path):
    audit = pd.DataFrame({"item": ["新增负荷"], "target": [5000.0], "model": [4200.0], "unit": ["GWh"],
                          "passed": [False]})
    tables = {"plan_audit": audit, "finance": pd.DataFrame({"year": [2030], "npv": [1.5e8], "unit": ["CNY"]}),
              "empty": pd.DataFrame()}
    pages = {lang: write_report(dataset, summary(dataset), tmp_path / f"{lang}.html", lang=lang, tables=tables)
             .read_text(encoding="utf-8") for lang in ("zh", "en")}
    assert all(h in pages["zh"] for h in headings("zh", ["plan_audit", "finance"]))
    assert '<section id="empty"' not in pages["zh"]
    assert "<td>未通过</td>" in pages["zh"] and '<td class="num">42.0</td>' in pages["zh"]  # 4,200 GWh = 42 亿千瓦时
    assert "<th>Plan target</th>" in pages["en"] and '<td class="num">4,200</td>' in pages["en"]
    assert "<th>npv</th>" in pages["en"] and '<td class="num">0.15</td>' in pages["en"]  # 1.5e8 CNY = 0.15 bn CNY


def test_localize_table_converts_each_row_in_its_unit():
    frame = pd.DataFrame({"item": ["load", "capacity"], "target": [5000.0, 300.0], "unit": ["GWh", "MW"],
                          "passed": [True, False]})
    zh = localize_table(frame, "zh")
    assert list(zh.columns) == ["项目", "规划目标", "单位", "是否达标"]
    assert zh["规划目标"].tolist() == pytest.approx([50.0, 30.0])
    assert zh["单位"].tolist() == ["亿千瓦时", "万千瓦"] and zh["是否达标"].tolist() == ["通过", "未通过"]
    assert localize_table(frame, "en")["Plan target"].tolist() == [5000.0, 300.0]
    assert frame["target"].tolist() == [5000.0, 300.0]  # the caller's table is left alone


def test_quantized_series_keep_four_significant_digits():
    rng = np.random.default_rng(1)
    for values in (rng.uniform(-660, 660, 500), rng.uniform(0, 0.03, 500), np.zeros(5)):
        scale, stored = quantize(values)
        assert np.abs(stored).max() <= 9999
        assert np.abs(stored * scale - values).max() <= 0.5e-3 * max(np.abs(values).max(), 1e-12) + 1e-15


def test_selectable_weeks_and_their_windows():
    year = pd.date_range("2030-01-01", periods=8760, freq="h")  # a Tuesday
    hourly = HourlySeries(year, [pd.Timestamp("2030-01-14"), pd.Timestamp("2030-07-08")])
    assert hourly.weeks[0] == year[0] and hourly.weeks[1] == pd.Timestamp("2030-01-07")
    assert len(hourly.weeks) == 1 + 51  # the first hour and every Monday with a whole week left
    assert all(w.weekday() == 0 for w in hourly.weeks[1:])
    assert hourly.window(pd.Timestamp("2030-01-14")) == slice(13 * 24, 20 * 24)
    short = HourlySeries(year[:100], [year[0]])
    assert short.weeks == [year[0]] and short.window(year[0]) == slice(0, 100)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_week_figures_draw_from_the_embedded_hours(reports, dataset, lang):
    """The page holds each hourly series once; decoding it gives back the Dataset's values, and every week
    figure names series that exist and comes with a week selector."""
    page = reports[lang]
    block = re.search(rf'<script type="application/json" id="{DATA_ID}">(.*?)</script>', page, re.S).group(1)
    data = json.loads(block)
    assert data["hours"] == list(range(HOURS))
    scale, values = data["series"]["power:coal_1"]
    coal = electric(dataset["flow"]).sel(tech="coal_1").values
    assert np.abs(np.array(values) * scale - coal).max() <= 1e-3 * coal.max()
    assert "power:group:wind" in data["series"]  # wind farms drawn as one family
    for key in ("dispatch_first", "dispatch_last", "storage"):
        assert f'data-figure="fig-{key}"' in page
    for series in set(re.findall(r'"meta":\{"factor":[^,]+,"part":"\w+","series":"([^"]+)"\}', page)):
        assert series in data["series"]


def test_the_case_chooses_the_language_and_lang_overrides_it(tmp_path):
    """A two-hour case solved for real: report.html and results.xlsx follow ``report_language``."""
    technologies = {"wind": {"kind": "renewable", "profile": "flat", "capacity": 10},
                    "load": {"kind": "demand", "annual": 8760.0}}
    case = write_case(tmp_path / "case", technologies, {"flat": [1.0, 1.0]}, report_language="en")
    for lang, folder in ((None, "case_language"), ("zh", "overridden")):
        written = run(case, out_dir=tmp_path / folder, lang=lang).out_dir
        expected = lang or "en"
        page = (written / "report.html").read_text(encoding="utf-8")
        assert f"<h1>{html.escape(label('title', expected))}</h1>" in page
        assert load_workbook(written / "results.xlsx").sheetnames[0] == label("sheet.summary", expected)
    with pytest.raises(InputError, match="report_language"):
        load_case(write_case(tmp_path / "bad", technologies, {"flat": [1.0, 1.0]}, report_language="fr"))


def test_missing_browser_for_images_is_a_clear_error(monkeypatch, tmp_path):
    import plotly.io

    from energy_model.errors import ImageError

    def no_browser(*args, **kwargs):
        raise RuntimeError("no Chrome found")

    monkeypatch.setattr(plotly.io, "write_images", no_browser)
    ds = tiny_dataset()
    with pytest.raises(ImageError, match=r"(?s)no Chrome found.*apt-get install chromium"):
        write_report(ds, summary(ds), tmp_path / "report.html", lang="en", images_dir=tmp_path / "images")
