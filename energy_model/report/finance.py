"""A project's economics as the reader sees them: the report table, finance.csv and the finance sheet.

The figures are those of :mod:`energy_model.analysis.finance`, read back from the results Dataset; only
labels, layout and the live Excel formulas are added here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..analysis.finance import from_dataset
from .labels import label


def finance_table(ds: xr.Dataset, lang: str) -> pd.DataFrame:
    """Every project's key figures for report.html and results.xlsx (``labels.localize_table`` shows it):
    project, item, value and the unit the value is in."""
    rows = []
    for r in from_dataset(ds):
        name = r.label_zh if lang == "zh" and r.label_zh else r.name
        for key, value in r.metrics.items():
            metric = label(f"metric.{key}", lang, f"{key} ({label('finance.levelised', lang)})")
            if r.units[key] == "year":  # a calendar year, not a quantity to format
                value = f"{value:.0f}" if np.isfinite(value) else "–"
            rows.append((name, metric, value, r.units[key]))
    return pd.DataFrame(rows, columns=["project", "metric", "value", "unit"])


def write_csvs(ds: xr.Dataset, folder) -> None:
    """``finance.csv`` (metrics, real cash flows and the feasibility statement, long form) and, where they exist, ``finance_tornado.csv`` and
    ``finance_sweep.csv``."""
    results = from_dataset(ds)
    if not results:
        return
    rows = []
    for r in results:
        rows += [(r.name, "metric", key, "", value, r.units[key]) for key, value in r.metrics.items()]
        rows += [(r.name, "cashflow", item, int(year), value, "CNY")
                 for item, row in r.cashflows.iterrows() for year, value in row.items()]
        if r.statement is not None:
            rows += [(r.name, "statement", line, int(year), value, "ratio" if line == "dscr" else "CNY")
                     for line, row in r.statement.iterrows() for year, value in row.items()]
    pd.DataFrame(rows, columns=["project", "table", "name", "year", "value", "unit"]).to_csv(
        folder / "finance.csv", index=False)
    tornadoes = [r.tornado.assign(project=r.name) for r in results if r.tornado is not None]
    if tornadoes:
        pd.concat(tornadoes).rename_axis("parameter").reset_index().to_csv(folder / "finance_tornado.csv", index=False)
    sweeps = [r.sweep.assign(project=r.name, levelised_metric=r.sweep_metric) for r in results if r.sweep is not None]
    if sweeps:
        pd.concat(sweeps).to_csv(folder / "finance_sweep.csv", index=False)


def write_files(ds: xr.Dataset, folder, lang: str = "zh") -> None:
    """``finance.csv`` (+ tornado and sweep CSVs) and ``finance.xlsx`` when the run evaluated a project."""
    if "finance_cashflow" not in ds:
        return
    from openpyxl import Workbook

    write_csvs(ds, folder)
    workbook = Workbook()
    workbook.remove(workbook.active)
    write_excel_sheet(workbook, ds, lang=lang)
    workbook.save(folder / "finance.xlsx")


def write_excel_sheet(workbook, ds: xr.Dataset, lang: str = "zh", title: str | None = None):
    """Add one sheet with every project's key figures, yearly cash flows, tornado and sizing sweep to an
    openpyxl ``workbook`` and return it (None if the run evaluated no project).

    Money is in CNY. The net cash flow, NPV and IRR rows are Excel formulas over the cash-flow rows, so a
    reader can change a figure and see the effect; the key figures above them are the model's values.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    results = from_dataset(ds)
    if not results:
        return None
    sheet = workbook.create_sheet(title or label("section.finance", lang))
    bold = Font(bold=True)
    money, share = "#,##0;[Red]-#,##0", "0.00%"
    sheet.column_dimensions["A"].width = 34

    def text(key: str, default: str | None = None) -> str:
        return label(key, lang, default)

    def put(row: int, values: list, font=None, formats: list | None = None) -> None:
        for column, value in enumerate(values, start=1):
            if value is None or (isinstance(value, float) and not np.isfinite(value)):
                continue
            cell = sheet.cell(row=row, column=column, value=value)
            if font:
                cell.font = font
            if formats and column - 1 < len(formats) and formats[column - 1]:
                cell.number_format = formats[column - 1]

    row = 1
    for r in results:
        put(row, [r.label_zh if lang == "zh" and r.label_zh else r.name], Font(bold=True, size=13))
        row += 2
        put(row, [text("finance.metrics"), text("table.value"), text("table.unit")], bold)
        row += 1
        wacc_cell = None
        for key, value in r.metrics.items():
            unit = r.units[key]
            name = text(f"metric.{key}", f"{key} ({text('finance.levelised')})")
            put(row, [name, value, "" if unit in ("fraction", "year") else unit],
                formats=[None, share if unit == "fraction" else ("0" if unit == "year" else "#,##0.00")])
            if key == "wacc":
                wacc_cell = f"B{row}"
            row += 1
        row += 1
        put(row, [text("finance.cashflow_cny")], bold)
        row += 1
        years = list(r.cashflows.columns)
        last = get_column_letter(len(years) + 1)
        put(row, [text("column.item"), *years], bold)
        row += 1
        first_item = row
        for item, values in r.cashflows.drop(index="net").iterrows():
            if np.allclose(values.to_numpy(dtype=float), 0.0):
                continue
            put(row, [text(f"item.{item}", item), *map(float, values)], formats=[None] + [money] * len(years))
            row += 1
        net_row = row
        put(row, [text("item.net")] + [f"=SUM({get_column_letter(c)}{first_item}:{get_column_letter(c)}{row - 1})"
                                       for c in range(2, len(years) + 2)], bold, [None] + [money] * len(years))
        row += 1
        check = text("finance.formula")
        if wacc_cell:  # Excel's NPV discounts its first value; the model's year 0 is not discounted
            put(row, [f"{text('metric.npv')} · {check}", f"=B{net_row}+NPV({wacc_cell},C{net_row}:{last}{net_row})"],
                formats=[None, money])
            row += 1
        put(row, [f"{text('metric.irr')} · {check}", f'=IFERROR(IRR(B{net_row}:{last}{net_row}),"–")'],
            formats=[None, share])
        row += 2
        if r.statement is not None:
            row = _statement_block(sheet, r, row, put, text)
        if r.tornado is not None:
            put(row, [text("section.finance_tornado"), f"{text('finance.setting')} · {text('legend.low')}",
                      f"{text('finance.setting')} · {text('legend.high')}", f"NPV · {text('legend.low')}",
                      f"NPV · {text('legend.high')}"], bold)
            row += 1
            for parameter, values in r.tornado.iterrows():
                put(row, [text(f"tornado.{parameter}", parameter), *map(float, values)],
                    formats=[None, "0.000", "0.000", money, money])
                row += 1
            row += 1
        if r.sweep is not None:
            capacity_columns = [c for c in r.sweep.columns if c.startswith("capacity_")]
            metric = f"{r.sweep_metric} ({r.units.get(r.sweep_metric, '')})" if r.sweep_metric else ""
            put(row, [text("section.finance_sweep")], bold)
            put(row + 1, [*[c.removeprefix("capacity_") for c in capacity_columns], "NPV (CNY)", metric,
                          text("finance.status")], bold)
            row += 2
            for _, point in r.sweep.iterrows():
                mark = text("finance.optimum") if point["optimum"] else ""
                put(row, [float(point[capacity_columns[0]]), *[float(point[c]) for c in capacity_columns[1:]],
                          float(point["npv"]), float(point["levelised"]), f"{point['status']} {mark}".strip()],
                    formats=["#,##0.0"] * len(capacity_columns) + [money, "#,##0.0"])
                row += 1
            row += 1
        row += 1
    return sheet


# the statement's lines that are formulas over other lines (column L, previous column P); the others are
# the model's values (sales, costs, VAT on them, depreciation, the loan's draws, interest and principal, and
# the income taxes, whose loss carry-forward a formula cannot show compactly)
STATEMENT_FORMULAS = {
    "vat_payable": "=-MAX(0,L{output_vat}-L{input_vat}-L{capex_vat}-P{vat_credit})",
    "vat_credit": "=MAX(0,P{vat_credit}+L{input_vat}+L{capex_vat}-L{output_vat})",
    "surcharges": "=L{vat_payable}*{surcharge}",
    "ebitda": "=L{sales}+L{operating_cost}-L{output_vat}+L{input_vat}+L{surcharges}+L{vat_refund}",
    "profit_before_tax": "=L{ebitda}+L{depreciation}+L{interest}+L{working_capital_interest}",
    "net_profit": "=L{profit_before_tax}+L{income_tax}",
    "loan_balance": "=P{loan_balance}+L{loan_draw}+L{interest_during_construction}+L{principal}",
    "debt_service": "=L{interest}+L{principal}",
    "cfads": "=L{sales}+L{operating_cost}+L{vat_payable}+L{surcharges}+L{vat_refund}+L{income_tax}",
    "dscr": '=IF(L{debt_service}<0,L{cfads}/-L{debt_service},"")',
    "project_pre_tax": "=L{capex}+L{replacement}+L{working_capital}+L{sales}+L{operating_cost}+L{vat_payable}"
                       "+L{surcharges}+L{vat_refund}+L{residual_value}",
    "project_after_tax": "=L{project_pre_tax}+L{adjusted_income_tax}",
    "equity": "=L{capex}+L{loan_draw}+L{replacement}+L{working_capital}+L{working_capital_loan}+L{sales}"
              "+L{operating_cost}+L{vat_payable}+L{surcharges}+L{vat_refund}+L{debt_service}"
              "+L{working_capital_interest}+L{income_tax}+L{residual_value}",
}


def _statement_block(sheet, r, row: int, put, text) -> int:
    """The feasibility statement with its formulas, the rates they use and the returns as formulas; returns
    the next free row."""
    import re

    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold, money = Font(bold=True), "#,##0;[Red]-#,##0"
    put(row, [text("finance.statement")], bold)
    row += 1
    rates = {}
    for key in ("wacc", "equity_rate", "surcharge"):
        put(row, [text(f"rule.{key}", key), r.rules.get(key)], formats=[None, "0.00%"])
        rates[key] = f"$B${row}"
        row += 1
    years = list(r.statement.columns)
    put(row, [text("column.item"), *years], bold)
    row += 1
    rows = {line: row + i for i, line in enumerate(r.statement.index)}
    for line, values in r.statement.iterrows():
        cells = []
        for c in range(len(years)):
            column, previous = get_column_letter(c + 2), get_column_letter(c + 1)
            formula = STATEMENT_FORMULAS.get(line)
            if formula is None:
                value = float(values.iloc[c])
                cells.append(value if np.isfinite(value) else None)
                continue
            if c == 0:  # nothing carried into the first year
                formula = re.sub(r"[+-]?P\{\w+\}", "", formula).replace("(0,,", "(0,").replace("(0,+", "(0,")
            formula = re.sub(r"L\{(\w+)\}", lambda m: f"{column}{rows[m.group(1)]}", formula)
            formula = re.sub(r"P\{(\w+)\}", lambda m: f"{previous}{rows[m.group(1)]}", formula)
            cells.append(formula.replace("{surcharge}", rates["surcharge"]))
        put(rows[line], [text(f"line.{line}", line), *cells],
            formats=[None] + ["0.00" if line == "dscr" else money] * len(years))
    row += len(rows) + 1
    last = get_column_letter(len(years) + 1)
    check = text("finance.formula")
    for key, line, rate in (("project_irr_pre_tax", "project_pre_tax", None),
                            ("project_irr_after_tax", "project_after_tax", None),
                            ("project_npv_after_tax", "project_after_tax", "wacc"), ("equity_irr", "equity", None),
                            ("equity_npv", "equity", "equity_rate"), ("dscr_min", "dscr", "min")):
        span = f"B{rows[line]}:{last}{rows[line]}"
        if rate is None:
            formula, style = f'=IFERROR(IRR({span}),"–")', "0.00%"
        elif rate == "min":
            formula, style = f"=MIN({span})", "0.00"
        else:
            formula, style = f"=B{rows[line]}+NPV({rates[rate]},C{rows[line]}:{last}{rows[line]})", money
        put(row, [f"{text(f'metric.{key}')} · {check}", formula], formats=[None, style])
        row += 1
    return row + 1
