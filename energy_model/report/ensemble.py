"""A weather-year ensemble in one table: the distribution of each KPI over the years, with P90 and P50.

Reads the batch that ``energy-model ensemble`` ran (one run per weather year, one of the case's own year named
``typical``) through :func:`comparison.collect`, and writes ``ensemble.csv`` (every KPI: unit, the typical
year's value, mean, standard deviation, min, P90, P50, P10, max over the weather years) and ``ensemble.html``
(the headline KPIs as box plots over the years with the typical year marked, and the table).

P90 follows the energy-yield convention: the value **exceeded in 90 % of the years**, the 10th percentile
of the years' values; P10 is exceeded in 10 % of them. For a yield, an NPV or an IRR, P90 is the bankers'
conservative case; for a cost or a curtailment rate, P10 is the bad year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .comparison import (
    EXTRA_CSS,
    _display,
    _esc,
    _figure,
    _section,
    _table,
    batch_language,
    collect,
)
from .html import CSS
from .labels import convert, kpi_name, label

TYPICAL = "typical"
GRID_CSS = ".ensemble-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 0.5rem; }"
STATISTICS = ("typical", "mean", "std", "min", "p90", "p50", "p10", "max")
HEADLINE = ("total_cost", "curtailment_rate", "coal_full_load_hours", "export_gwh", "import_gwh", "co2_mt",
            "non_fossil_share", "mean_marginal_price")
HEADLINE_PREFIXES = ("energy_capacity_", "project.")
HEADLINE_PROJECT = ("npv", "irr", "project_irr_after_tax", "project_npv_after_tax", "equity_irr", "dscr_min",
                    "LCOH", "LCOM")


def distribution(kpis: pd.DataFrame, runs: list[str]) -> pd.DataFrame:
    """Per KPI (index) its unit, the typical year's value and the statistics over the weather years."""
    years = [r for r in runs if r != TYPICAL]
    values = kpis[years].astype(float)
    table = pd.DataFrame({"unit": kpis["unit"]})
    table["typical"] = kpis[TYPICAL].astype(float) if TYPICAL in kpis else np.nan
    table["mean"] = values.mean(axis=1)
    table["std"] = values.std(axis=1, ddof=1) if len(years) > 1 else np.nan
    table["min"] = values.min(axis=1)
    table["p90"] = values.quantile(0.10, axis=1)  # exceeded in 90 % of the years
    table["p50"] = values.quantile(0.50, axis=1)
    table["p10"] = values.quantile(0.90, axis=1)  # exceeded in 10 % of the years
    table["max"] = values.max(axis=1)
    table.attrs["years"] = years
    return table


def headline(table: pd.DataFrame) -> list[str]:
    """The KPIs worth a plot: system figures, storage built, a project's returns and costs, and the yield of
    a project's generators (when the run is of a project alone)."""
    names = [str(k) for k in table.index]
    chosen = [k for k in HEADLINE if k in names]
    chosen += [k for k in names if k.startswith("energy_capacity_") and np.nanmax(np.abs(table.loc[k, ["mean"]])) > 0]
    chosen += [k for k in names if k.startswith("project.") and k.rsplit(".", 1)[1] in HEADLINE_PROJECT]
    generation = [k for k in names if k.startswith("generation_")]
    if any(k.startswith("project.") for k in names) and len(generation) <= 6:
        chosen += generation
    varying = table.loc[chosen, ["min", "max"]]
    return [k for k in chosen if np.isfinite(varying.loc[k]).all()]


def write_ensemble(batch_dir: str | Path, lang: str | None = None) -> list[Path]:
    """``ensemble.csv`` and ``ensemble.html`` of an ensemble batch folder; returns the paths."""
    batch_dir = Path(batch_dir)
    c = collect(batch_dir)
    lang = lang or batch_language(c)
    kpis = c.all_kpis
    table = distribution(kpis, c.runs)
    csv_path, html_path = batch_dir / "ensemble.csv", batch_dir / "ensemble.html"
    table.rename_axis("kpi").reset_index().to_csv(csv_path, index=False)
    html_path.write_text(_page(table, kpis, batch_dir.name, lang), encoding="utf-8")
    return [csv_path, html_path]


def _page(table: pd.DataFrame, kpis: pd.DataFrame, batch: str, lang: str) -> str:
    from plotly.offline import get_plotlyjs

    names = {}
    years = table.attrs["years"]
    shown = headline(table)
    varying = [k for k in shown if table.loc[k, "max"] > table.loc[k, "min"]]  # a constant is in the table only
    figures = [_box(table, kpis, k, years, kpi_name(k, names, lang), lang, i) for i, k in enumerate(varying)]
    header = "".join(f"<th>{_esc(h)}</th>" for h in [label("table.kpi", lang), label("table.unit", lang),
                                                     *[label(f"ensemble.{s}", lang) for s in STATISTICS]])
    rows = []
    for kpi in shown:
        unit = str(table.loc[kpi, "unit"])
        cells = [_display(float(table.loc[kpi, s]), unit, lang)[0] for s in STATISTICS]
        rows.append(f"<tr><td>{_esc(kpi_name(kpi, names, lang))}</td><td>{_esc(convert(1.0, unit, lang)[1])}</td>"
                    + "".join(f'<td class="num">{v}</td>' for v in cells) + "</tr>")
    note = label("ensemble.note", lang).format(years=len(years))
    body = (f'<p class="note">{_esc(note)}</p>' + _table(header, rows)
            + '<div class="ensemble-grid">' + "".join(figures) + "</div>")
    title = f"{label('ensemble.title', lang)} – {batch}"
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{_esc(title)}</title>\n<style>{CSS}{EXTRA_CSS}{GRID_CSS}</style>\n"
            f'<script type="text/javascript">{get_plotlyjs()}</script>\n</head>\n<body>\n<h1>{_esc(title)}</h1>\n'
            f"{_section('ensemble', label('ensemble.section', lang), body)}</body>\n</html>\n")


def _box(table: pd.DataFrame, kpis: pd.DataFrame, kpi: str, years: list[str], name: str, lang: str, i: int) -> str:
    """The years' values of one KPI as a box with its points, the typical year as a line."""
    scale, shown_unit = convert(1.0, str(table.loc[kpi, "unit"]), lang)
    values = kpis.loc[kpi, years].astype(float).to_numpy() * scale
    fig = go.Figure(go.Box(y=values, x=[name] * len(values), boxpoints="all", text=years, name=name,
                           marker_color="#1f6fb4", hovertemplate="%{text}: %{y:,.3g}<extra></extra>"))
    typical = float(table.loc[kpi, "typical"]) * scale
    if np.isfinite(typical):
        shown = f"{typical:,.0f}" if abs(typical) >= 100 else f"{typical:.3g}"
        fig.add_hline(y=typical, line_dash="dot", line_color="#e0b000",
                      annotation_text=f"{label('ensemble.typical', lang)} {shown}")
    fig.update_layout(yaxis_title=shown_unit, showlegend=False)
    return _figure(fig, f"fig-ensemble-{i}", 300)
