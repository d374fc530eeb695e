"""``results.xlsx``: the run's tables for Excel users, in the report's language and display units.

Sheets, each where the run has its data: summary, capacities, monthly electricity by technology,
monthly curtailment, thermal units, monthly products, then one sheet per table of other analyses
(plan audit, finance). Every column header names its unit; cells keep full precision and show a
thousands-separated format, so the numbers stay usable in formulas.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..case.schema import kinds_with
from ..constants import LOAD, MWH_PER_GWH, RENEWABLE
from ..results.dataset import carrier_units, has_role
from .labels import convert, label, localize_table, tech_names, unit_label
from .tables import (
    electric,
    localized_summary,
    month_labels,
    monthly_curtailment_by_cause,
    monthly_total,
    product_output,
    thermal_operation,
)

LOAD_KINDS = kinds_with(LOAD)
HEADER_FILL = PatternFill("solid", fgColor="DDE5EE")
NUMBER_FORMAT = "#,##0.00"
MAX_WIDTH = 48
SHEET_NAME_LIMIT = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def write_excel(ds: xr.Dataset, summary: pd.DataFrame, path: Path, lang: str = "zh",
                tables: Mapping[str, pd.DataFrame] | None = None) -> Path:
    """Write ``results.xlsx`` of one run; ``tables`` are other analyses' tables by name."""
    label("title", lang)  # rejects an unknown language before any work
    sheets = {
        "sheet.summary": summary_sheet(summary, ds, lang),
        "sheet.capacities": capacity_sheet(ds, lang),
        "sheet.monthly_energy": monthly_energy_sheet(ds, lang),
        "sheet.monthly_curtailment": curtailment_sheet(ds, lang),
        "sheet.thermal": thermal_sheet(ds, lang),
        "sheet.products": products_sheet(ds, lang),
    }
    named = {label(key, lang): frame for key, frame in sheets.items() if frame is not None and not frame.empty}
    for name, frame in (tables or {}).items():
        if not frame.empty:
            named[label(f"section.{name}", lang, name)] = localize_table(frame, lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for title, frame in named.items():
            sheet = _sheet_name(title)
            frame.to_excel(writer, sheet_name=sheet, index=False)
            _format(writer.sheets[sheet], frame)
    return path


def _sheet_name(title: str) -> str:
    return SHEET_NAME_FORBIDDEN.sub("_", title)[:SHEET_NAME_LIMIT]


def _header(key: str, unit: str | None, lang: str) -> str:
    return f"{label(key, lang)} ({unit_label(unit, lang)})" if unit else label(key, lang)


def summary_sheet(summary: pd.DataFrame, ds: xr.Dataset, lang: str) -> pd.DataFrame:
    """The KPIs in display units; a pathway's summary also one column per period (the year as header)."""
    table = localized_summary(summary, ds, lang)[["name", "value", "unit", "kpi"]]
    table.columns = [label(k, lang) for k in ("table.kpi", "table.value", "table.unit", "excel.kpi_id")]
    for year in (column for column in summary.columns if column.isdigit()):
        table.insert(len(table.columns) - 1, year,
                     localized_summary(summary.assign(value=summary[year]), ds, lang)["value"].values)
    return table


def capacity_sheet(ds: xr.Dataset, lang: str) -> pd.DataFrame:
    """One row per technology (loads excluded: they have no capacity); power and storage energy in
    separate columns per unit, so that no column mixes MW with t/h."""
    names = tech_names(ds, lang)
    rows = []
    for i, g in enumerate(map(str, ds["tech"].values)):
        kind = str(ds["tech_kind"].values[i])
        if kind in LOAD_KINDS:
            continue
        carrier = str(ds["tech_carrier"].values[i])
        power_unit = str(ds["capacity_unit"].values[i])
        energy_unit = "MWh" if power_unit == "MW" else "t"
        row = {label("excel.tech", lang): g, label("excel.name", lang): names[g],
               label("excel.kind", lang): label(f"kind.{kind}", lang, kind),
               label("excel.node", lang): str(ds["tech_node"].values[i]),
               label("excel.carrier", lang): label(f"carrier.{carrier}", lang, carrier)}
        for key, variable, unit in (("excel.capacity", "capacity", power_unit),
                                    ("excel.capacity_new", "capacity_new", power_unit),
                                    ("excel.energy_capacity", "energy_capacity", energy_unit)):
            value = float(ds[variable].values[i])
            if np.isfinite(value):
                row[_header(key, unit, lang)] = convert(value, unit, lang)[0]
        rows.append(row)
    return pd.DataFrame(rows)


def _monthly_frame(columns: dict[str, np.ndarray], index: list[str], first: str, lang: str) -> pd.DataFrame:
    """Months as rows, the given columns, and a total row."""
    frame = pd.DataFrame(columns, index=index)
    frame.loc[label("excel.total", lang)] = frame.sum()
    return frame.rename_axis(first).reset_index()


def monthly_energy_sheet(ds: xr.Dataset, lang: str) -> pd.DataFrame | None:
    """Net electricity of every technology per month (+ supplied to the buses, − taken from them)."""
    power = electric(ds["flow"])
    if power is None:
        return None
    factor, unit = convert(1.0 / MWH_PER_GWH, "GWh", lang)
    energy = monthly_total(power, ds)
    names = tech_names(ds, lang)
    columns = {f"{names[str(g)]} ({unit})": energy.sel(tech=g).values * factor
               for g in energy["tech"].values if energy.sel(tech=g).any()}
    unserved = monthly_total(electric(ds["unserved"]), ds)
    if unserved.any():
        columns[f"{label('legend.unserved', lang)} ({unit})"] = unserved.values * factor
    first = f"{label('excel.month', lang)} ({label('excel.net_note', lang)})"
    return _monthly_frame(columns, month_labels(energy), first, lang)


def curtailment_sheet(ds: xr.Dataset, lang: str) -> pd.DataFrame | None:
    """Curtailment per month by renewable technology, and by cause where the run splits it."""
    renewables = list(map(str, ds["tech"].values[has_role(ds, RENEWABLE).values]))
    if "curtailment" not in ds or not renewables:
        return None
    factor, unit = convert(1.0 / MWH_PER_GWH, "GWh", lang)
    curtailed = monthly_total(ds["curtailment"].sel(tech=renewables), ds)
    names = tech_names(ds, lang)
    columns = {f"{names[g]} ({unit})": curtailed.sel(tech=g).values * factor for g in renewables}
    by_cause = monthly_curtailment_by_cause(ds)
    if by_cause is not None:
        for c in map(str, by_cause["cause"].values):
            columns[f"{label(f'cause.{c}', lang, c)} ({unit})"] = by_cause.sel(cause=c).values * factor
    return _monthly_frame(columns, month_labels(curtailed), label("excel.month", lang), lang)


def thermal_sheet(ds: xr.Dataset, lang: str) -> pd.DataFrame | None:
    power = electric(ds["flow"])
    operation = thermal_operation(ds, power) if power is not None else pd.DataFrame()
    if operation.empty:
        return None
    names = tech_names(ds, lang)
    return pd.DataFrame({
        label("excel.tech", lang): operation.index,
        label("excel.name", lang): [names[g] for g in operation.index],
        _header("legend.full_load_hours", "h", lang): operation["full_load_hours"].values,
        _header("legend.operating_hours", "h", lang): operation["operating_hours"].values,
        _header("legend.starts", "starts", lang): operation["starts"].values,
    })


def products_sheet(ds: xr.Dataset, lang: str) -> pd.DataFrame | None:
    """Monthly output of each conversion plant on each product carrier, in t (or GWh for energy carriers)."""
    output = product_output(ds)
    if output is None:
        return None
    units, names = carrier_units(ds), tech_names(ds, lang)
    columns = {}
    for bus in map(str, output["bus"].values):
        carrier = bus.split("/", 1)[1]
        unit, scale = ("GWh", 1 / MWH_PER_GWH) if units.get(carrier) == "MWh" else ("t", 1.0)
        factor, shown = convert(scale, unit, lang)
        for g in map(str, output["tech"].values):
            values = output.sel(bus=bus, tech=g).values
            if values.any():
                columns[f"{names[g]} · {label(f'carrier.{carrier}', lang, carrier)} ({shown})"] = values * factor
    return _monthly_frame(columns, month_labels(output), label("excel.month", lang), lang)


def _format(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """Bold shaded wrapped header, frozen first row and column, number format, widths from content."""
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    for index, column in enumerate(frame.columns, 1):
        letter = get_column_letter(index)
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        if numeric:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = NUMBER_FORMAT
        texts = [str(column)] + [f"{v:,.2f}" if numeric else str(v) for v in frame[column].head(200)]
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(10, max(map(_display_width, texts)) + 2))


def _display_width(text: str) -> int:
    """Characters as Excel columns count them: a CJK character takes two."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)
