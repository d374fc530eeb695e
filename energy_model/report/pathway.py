"""The pathway charts of report.html: capacity, generation, and annual cost with CO2, one bar per period.

Each takes the pathway Dataset (:mod:`energy_model.results.pathway`) and the report's technology groups
(key, name, colour, members), so that a technology has the colour and legend entry it has in every
other chart of the page.
"""

from __future__ import annotations

import itertools

import pandas as pd
import plotly.graph_objects as go
import xarray as xr
from plotly.subplots import make_subplots

from ..constants import GENERATOR, MWH_PER_GWH, STORE
from ..results.dataset import has_role
from ..results.pathway import TIME_PERIOD, years
from .labels import axis_title, convert, kpi_name, label
from .tables import electric

MIX_ROLES = (GENERATOR, STORE)  # capacity that stacks into "installed capacity"
COST_COLORS = ("#1f6fb4", "#7fb3e0", "#3a3a3a", "#9e9e9e", "#6d4c41", "#e0b000", "#c62828", "#2e8b57", "#e91e63",
               "#7b3fa0")
CO2_COLOR = "#111111"
# the KPIs of the per-year table in report.html and results.xlsx, in this order
TABLE_KPIS = ("total_cost", "discounted_cost", "objective_weight", "co2_mt", "non_fossil_share", "curtailment_rate",
              "coal_full_load_hours", "export_gwh", "import_gwh", "unserved_mwh", "mean_marginal_price")


def _periods(ds: xr.Dataset) -> list[str]:
    return [str(y) for y in years(ds)]


def capacity_figure(ds: xr.Dataset, groups, lang: str) -> go.Figure | None:
    """Generation and storage capacity in service in each period [MW], stacked by technology."""
    capacity = ds["capacity"].where((ds["capacity_unit"] == "MW") & has_role(ds, *MIX_ROLES), 0.0)
    return _stacked(ds, capacity, groups, "MW", "axis.capacity", ",.1f", lang)


def generation_figure(ds: xr.Dataset, groups, lang: str) -> go.Figure | None:
    """Electricity generated in each period over its modelled horizon [GWh], stacked by technology."""
    power = electric(ds["flow"])
    if power is None:
        return None
    energy = (power.clip(min=0) * ds["weight"]).groupby(ds[TIME_PERIOD]).sum("time") / MWH_PER_GWH
    generating = set(str(g) for g in ds["tech"].values[has_role(ds, GENERATOR).values])
    groups = [(key, name, color, [g for g in members if g in generating]) for key, name, color, members in groups]
    return _stacked(ds, energy, groups, "GWh", "axis.energy", ",.2f", lang)


def _stacked(ds: xr.Dataset, values: xr.DataArray, groups, base_unit: str, axis: str, digits: str,
             lang: str) -> go.Figure | None:
    """Bars of ``values`` (tech × period) per period, one stacked trace per technology group with any value."""
    factor, unit = convert(1.0, base_unit, lang)
    fig = go.Figure()
    for _, name, color, members in groups:
        if not members:
            continue
        total = values.sel(tech=members).sum("tech").values * factor
        if total.any():
            fig.add_bar(x=_periods(ds), y=total, name=name, marker_color=color,
                        hovertemplate=f"%{{x}}: %{{y:{digits}}} {unit}<extra>{name}</extra>")
    if not fig.data:
        return None
    return fig.update_layout(barmode="stack", xaxis_title=label("axis.period", lang), xaxis_type="category",
                             yaxis_title=axis_title(axis, base_unit, lang))


def cost_figure(ds: xr.Dataset, lang: str) -> go.Figure:
    """Each period's undiscounted cost by category (revenues below zero) with its net, and CO2 on the right."""
    factor, unit = convert(1.0, "CNY", lang)
    co2_factor, co2_unit = convert(1.0, "Mt", lang)
    x = _periods(ds)
    by_category = ds["cost"].sum("cost_owner")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for category, color in zip(ds["cost_category"].values, itertools.cycle(COST_COLORS)):
        values = by_category.sel(cost_category=category).values * factor
        if values.any():
            name = label(f"cost.{category}", lang, default=str(category))
            fig.add_trace(go.Bar(x=x, y=values, name=name, marker_color=color,
                                 hovertemplate=f"%{{x}}: %{{y:,.2f}} {unit}<extra>{name}</extra>"), secondary_y=False)
    net = ds["period_cost"].values * factor
    fig.add_trace(go.Scatter(x=x, y=net, name=label("legend.net_cost", lang), mode="markers",
                             marker=dict(symbol="diamond", size=11, color="#ffffff", line=dict(width=2, color="#000")),
                             hovertemplate=f"%{{x}}: %{{y:,.2f}} {unit}"), secondary_y=False)
    co2 = ds["co2"].sum("tech").values / 1e6 * co2_factor
    fig.add_trace(go.Scatter(x=x, y=co2, name=label("legend.co2", lang), mode="lines+markers",
                             line=dict(color=CO2_COLOR, width=2), hovertemplate=f"%{{x}}: %{{y:,.2f}} {co2_unit}"),
                  secondary_y=True)
    fig.update_layout(barmode="relative", xaxis_title=label("axis.period", lang), xaxis_type="category")
    fig.update_yaxes(title_text=axis_title("axis.annual_cost", "CNY", lang), secondary_y=False)
    fig.update_yaxes(title_text=axis_title("axis.co2", "Mt", lang), secondary_y=True, rangemode="tozero",
                     tickmode="auto", showgrid=False)
    return fig


def pathway_table(summary_: pd.DataFrame, names, lang: str) -> pd.DataFrame:
    """The per-year table of the main KPIs for report.html and results.xlsx (shown via labels.localize_table)."""
    rows = summary_.set_index("kpi").loc[[k for k in TABLE_KPIS if k in set(summary_["kpi"])]]
    years_ = [c for c in summary_.columns if c.isdigit()]
    frame = pd.DataFrame({"item": [kpi_name(k, names, lang) for k in rows.index], "unit": rows["unit"].values})
    for year in years_:
        frame[year] = rows[year].values
    return frame
