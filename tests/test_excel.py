"""results.xlsx: the expected sheets and headers with units, in both languages, with values that match
the summary and the hand-computed tiny run."""

from __future__ import annotations

import pandas as pd
import pytest
from datasets import synthetic_dataset, tiny_dataset
from openpyxl import load_workbook

from energy_model.analysis.kpis import summary
from energy_model.report.excel import NUMBER_FORMAT, write_excel
from energy_model.report.labels import label

SHEETS = ["summary", "capacities", "monthly_energy", "monthly_curtailment", "thermal", "products"]


def sheet_names(lang: str, keys: list[str]) -> list[str]:
    return [label(f"sheet.{key}", lang) for key in keys]


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    ds = synthetic_dataset()
    folder = tmp_path_factory.mktemp("excel")
    audit = pd.DataFrame({"item": ["新增负荷"], "target": [5000.0], "model": [4200.0], "unit": ["GWh"],
                          "passed": [False]})
    paths = {lang: write_excel(ds, summary(ds), folder / f"results_{lang}.xlsx", lang=lang,
                               tables={"plan_audit": audit}) for lang in ("zh", "en")}
    return ds, {lang: load_workbook(path) for lang, path in paths.items()}


def headers(sheet) -> list[str]:
    return [cell.value for cell in sheet[1]]


def column(sheet, header: str) -> list:
    index = headers(sheet).index(header)
    return [row[index] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_expected_sheets_in_order(workbooks, lang):
    _, books = workbooks
    assert books[lang].sheetnames == sheet_names(lang, SHEETS) + [label("section.plan_audit", lang)]


def test_headers_name_their_units(workbooks):
    _, books = workbooks
    zh, en = books["zh"], books["en"]
    assert headers(zh["概要"]) == ["指标", "数值", "单位", "指标编号"]
    assert {"装机容量 (万千瓦)", "装机容量 (吨/小时)", "储能容量 (万千瓦时)", "储能容量 (吨)"} <= set(headers(zh["装机容量"]))
    assert {"Capacity (MW)", "of which new (MW)", "Storage energy (MWh)"} <= set(headers(en["Capacities"]))
    assert headers(en["Monthly energy"])[0] == "Month (positive: supplied to the grid, negative: taken from it)"
    assert "coal_1 (GWh)" in headers(en["Monthly energy"]) and "双辽电厂 (亿千瓦时)" in headers(zh["月度电量"])
    assert headers(en["Thermal units"]) == ["Technology id", "Name", "Full-load hours (h)", "Operating hours (h)",
                                            "Start-ups (starts)"]
    assert headers(zh["规划目标核查"]) == ["项目", "规划目标", "模型结果", "单位", "是否达标"]
    assert list(zh["规划目标核查"].iter_rows(min_row=2, values_only=True)) == [("新增负荷", 50, 42, "亿千瓦时", "未通过")]


def test_values_are_converted_and_add_up(workbooks):
    ds, books = workbooks
    zh, en = books["zh"], books["en"]
    capacities = dict(zip(column(zh["装机容量"], "技术编号"), column(zh["装机容量"], "装机容量 (万千瓦)")))
    assert capacities["wind_1"] == pytest.approx(80.0)  # 800 MW
    assert "load_sl" not in capacities  # loads have no capacity
    generation = summary(ds).set_index("kpi").at["generation_coal_1", "value"]  # GWh
    coal = column(en["Monthly energy"], "coal_1 (GWh)")
    assert coal[-1] == pytest.approx(generation) and coal[-1] == pytest.approx(sum(coal[:-1]))
    assert column(zh["月度电量"], "双辽电厂 (亿千瓦时)")[-1] == pytest.approx(generation / 100)
    curtailed = column(en["Monthly curtailment"], "wind_1 (GWh)")[-1]
    assert curtailed == pytest.approx(float(ds["curtailment"].sel(tech="wind_1").sum()) / 1e3)


def test_cells_are_formatted(workbooks):
    _, books = workbooks
    sheet = books["en"]["Capacities"]
    assert sheet.freeze_panes == "B2" and sheet["A1"].font.bold
    index = headers(sheet).index("Capacity (MW)") + 1
    assert sheet.cell(row=2, column=index).number_format == NUMBER_FORMAT


def test_tiny_run_by_hand(tmp_path):
    """Hand-computed figures of tests/datasets.py: hydrogen 2.0 t, coal 0.2 starts and 2 full-load hours."""
    ds = tiny_dataset()
    book = load_workbook(write_excel(ds, summary(ds), tmp_path / "results.xlsx", lang="en"))
    assert book.sheetnames == sheet_names("en", SHEETS)
    assert column(book["Products"], "electrolyser · Hydrogen (t)") == pytest.approx([2.0, 2.0])  # March, total
    thermal = book["Thermal units"]
    assert [column(thermal, h)[0] for h in ("Full-load hours (h)", "Operating hours (h)", "Start-ups (starts)")] \
        == pytest.approx([2.0, 3.0, 0.2])
    energy = book["Monthly energy"]
    assert column(energy, "battery (GWh)")[-1] == pytest.approx(-0.012)  # storage losses
