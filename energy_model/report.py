"""One self-contained HTML report of a run, in Chinese or English, readable offline and printable.

plotly.js is embedded once in the page head and every figure is a bare ``<div>`` drawing with it, so the
file needs no network. Each section is built from the results Dataset and the summary table alone and
is left out when its data does not exist (no storage, no renewables, no electricity bus). Hourly data
is cut to a week, and duration curves thinned, before a figure is built, so a full year renders fast.
"""

from __future__ import annotations

import colorsys
import html
import itertools
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from .analysis import ELECTRICITY, MWH_PER_GWH
from .labels import axis_title, convert, kpi_name, label, tech_names, unit_label

WEEK = pd.Timedelta(days=7)
HOUR = pd.Timedelta(hours=1)
MAX_CURVE_POINTS = 2000
KIND_ORDER = ("thermal", "renewable", "storage", "conversion", "market", "link", "demand")
CONSUMER_KINDS = ("demand", "conversion")
CARD_KPIS = ("total_cost", "curtailment_rate", "non_fossil_share", "co2_mt", "coal_full_load_hours",
             "export_gwh", "unserved_mwh", "mean_marginal_price")
BASE_COLORS = {"coal": "#3a3a3a", "wind": "#1f6fb4", "pv": "#e0b000", "renewable": "#2a9d8f",
               "storage": "#7b3fa0", "conversion": "#2e8b57", "grid": "#c62828", "demand": "#6d4c41",
               "unserved": "#e91e63", "other": "#888888"}
KIND_FAMILIES = {"thermal": "coal", "market": "grid", "link": "grid", "storage": "storage",
                 "conversion": "conversion", "demand": "demand"}
RENEWABLE_WORDS = (("wind", "wind"), ("pv", "pv"), ("solar", "pv"), ("光伏", "pv"), ("风电", "wind"))
PRICE_COLOR = "#111111"
PRICE_DASHES = ("solid", "dash", "dot", "dashdot")  # one per electricity bus
FONT = "'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',Arial,sans-serif"
# The bundle's only CDN address: the default map-data URL of geo traces, which this report never draws.
TOPOJSON_CDN = '"https://cdn.plot.ly/un/"'

CSS = """
body { font-family: %s; color: #222; max-width: 1100px; margin: 0 auto; padding: 1.5rem; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #ddd; padding-bottom: 0.2rem; margin-top: 2rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.meta dt { color: #666; } dl.meta dd { margin: 0; font-family: monospace, %s; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 0.8rem; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 0.8rem; }
.card-label { color: #666; font-size: 0.9rem; }
.card-value { font-size: 1.5rem; font-weight: 600; }
.card-unit { font-size: 0.9rem; font-weight: 400; color: #666; }
table { border-collapse: collapse; width: 100%%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #eee; padding: 0.25rem 0.5rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  section { break-inside: avoid; page-break-inside: avoid; }
  section#kpi_table { break-inside: auto; page-break-inside: auto; }
  .modebar-container { display: none; }
  table { break-inside: auto; } tr { break-inside: avoid; }
}
""" % (FONT, FONT)


@dataclass(frozen=True)
class _Run:
    """What every section needs, worked out once."""

    ds: xr.Dataset
    summary: pd.DataFrame
    lang: str
    names: dict[str, str]
    kinds: dict[str, str]
    colors: dict[str, str]
    power: xr.DataArray | None  # net flow into all electricity buses together [MW], (tech, time)
    weeks: list[tuple[str, pd.Timestamp]]

    def text(self, key: str) -> str:
        return label(key, self.lang)

    def factor(self, unit: str) -> float:
        return convert(1.0, unit, self.lang)[0]

    def ordered(self, techs) -> list[str]:
        """Technologies by kind (base load at the bottom of stacks) and then in Dataset order."""
        rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
        return sorted((str(g) for g in techs), key=lambda g: rank.get(self.kinds[g], len(rank)))


def write_report(ds: xr.Dataset, summary: pd.DataFrame, path: Path, lang: str = "zh", *,
                 winter_start: pd.Timestamp | None = None, summer_start: pd.Timestamp | None = None) -> Path:
    """Write the HTML report of one run to ``path``; the week starts override the default dispatch weeks."""
    label("title", lang)  # rejects an unknown language before any work
    techs = [str(g) for g in ds["tech"].values]
    run = _Run(
        ds=ds, summary=summary, lang=lang, names=tech_names(ds, lang),
        kinds=dict(zip(techs, map(str, ds["tech_kind"].values))), colors=tech_colors(ds),
        power=_electric(ds["flow"]), weeks=dispatch_weeks(ds["time"].to_index(), winter_start, summer_start),
    )
    dispatch = [_dispatch(run, key, start) for key, start in run.weeks] if run.power is not None else []
    sections = [_metadata(run), _kpi_cards(run), _capacity(run), _balance(run), *dispatch,
                _price_duration(run), _load_duration(run), _curtailment(run), _storage(run), _kpi_table(run)]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_page(run, [s for s in sections if s]), encoding="utf-8")
    return path


# ---- data helpers -----------------------------------------------------------------------------------
def _electric_buses(data: xr.Dataset | xr.DataArray) -> list[str]:
    return [str(b) for b, c in zip(data["bus"].values, data["bus_carrier"].values) if c == ELECTRICITY]


def _electric(da: xr.DataArray) -> xr.DataArray | None:
    """``da`` summed over the electricity buses, as analysis.summary does; None without any."""
    buses = _electric_buses(da)
    return da.sel(bus=buses).sum("bus") if buses else None


def dispatch_weeks(time: pd.DatetimeIndex, winter_start=None, summer_start=None) -> list[tuple[str, pd.Timestamp]]:
    """(section key, first hour) of the winter and summer weeks: from the second Monday of January and
    of July unless given, or the first and last week when the horizon misses either; one entry if both
    coincide (a horizon of a week or less)."""
    winter = pd.Timestamp(winter_start) if winter_start is not None else _second_monday(time, 1)
    summer = pd.Timestamp(summer_start) if summer_start is not None else _second_monday(time, 7)
    if winter is None or summer is None:
        weeks = [("dispatch_first", time[0]), ("dispatch_last", max(time[0], time[-1] - WEEK + HOUR))]
    else:
        weeks = [("dispatch_winter", winter), ("dispatch_summer", summer)]
    return weeks if weeks[0][1] != weeks[1][1] else weeks[:1]


def _second_monday(time: pd.DatetimeIndex, month: int) -> pd.Timestamp | None:
    """Start of the week from the second Monday of ``month``, in the first year where it fits the horizon."""
    for year in range(time[0].year, time[-1].year + 1):
        first = pd.Timestamp(year, month, 1, tz=time.tz)
        start = first + pd.Timedelta(days=(7 - first.weekday()) % 7 + 7)
        if start >= time[0] and start + WEEK - HOUR <= time[-1]:
            return start
    return None


def _week(da: xr.DataArray, start: pd.Timestamp) -> xr.DataArray:
    time = da["time"].to_index()
    return da.isel(time=np.flatnonzero((time >= start) & (time < start + WEEK)))


def _week_title(run: _Run, key: str, start: pd.Timestamp) -> str:
    return f"{run.text(key)} ({start:%Y-%m-%d} – {start + WEEK - HOUR:%Y-%m-%d})"


def _duration_curve(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values sorted high to low against cumulative hours, thinned evenly to ≤ MAX_CURVE_POINTS (ends kept)."""
    order = np.argsort(-values, kind="stable")
    hours, sorted_values = np.cumsum(weights[order]), values[order]
    keep = np.unique(np.linspace(0, len(order) - 1, min(len(order), MAX_CURVE_POINTS)).round().astype(int))
    return hours[keep], sorted_values[keep]


# ---- colours ----------------------------------------------------------------------------------------
def _family(kind: str, tech: str, label_zh: str) -> str:
    """Colour family: coal grey, wind blue, PV gold, storage purple, conversion green, grid red."""
    if kind == "renewable":
        # the id is searched before the Chinese name, which may name both: "风光互补项目（光伏部分）"
        for text in (tech.lower(), label_zh):
            for word, family in RENEWABLE_WORDS:
                if word in text:
                    return family
        return "renewable"
    return KIND_FAMILIES.get(kind, "other")


def _shade(color: str, position: float) -> str:
    """``color`` darker (position 0) to lighter (1), within a window that stays readable."""
    red, green, blue = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    darkest, lightest = max(lightness - 0.2, 0.12), min(lightness + 0.2, 0.85)
    rgb = colorsys.hls_to_rgb(hue, darkest + position * (lightest - darkest), saturation)
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def tech_colors(ds: xr.Dataset) -> dict[str, str]:
    """Each technology in its kind's colour, shades spread evenly over the members of a family in id order:
    neighbours stay distinguishable and a technology keeps its shade in every report of the case."""
    families = {str(g): _family(str(kind), str(g), str(zh))
                for g, kind, zh in zip(ds["tech"].values, ds["tech_kind"].values, ds["tech_label_zh"].values)}
    colors = {}
    for family in set(families.values()):
        members = sorted(g for g, f in families.items() if f == family)
        colors.update({g: _shade(BASE_COLORS[family], (i + 0.5) / len(members)) for i, g in enumerate(members)})
    return colors


# ---- HTML pieces -------------------------------------------------------------------------------------
def _fmt(value: float) -> str:
    """Few digits and thousands separators: readers compare magnitudes, not the solver's precision."""
    if not np.isfinite(value):
        return "–"
    size = abs(value)
    if 0 < size < 0.01:
        return f"{value:.2g}"
    return f"{value:,.{0 if size >= 100 else 1 if size >= 10 else 2}f}"


def _esc(text) -> str:
    return html.escape(str(text))


def _section(key: str, title: str, body: str) -> str:
    return f'<section id="{key}">\n<h2>{_esc(title)}</h2>\n{body}\n</section>\n'


def _figure(fig: go.Figure, div_id: str, height: int = 440) -> str:
    """The figure as a bare div drawing with the page's one plotly.js (fixed id: reproducible files)."""
    fig.update_layout(template="simple_white", font_family=FONT, height=height,
                      margin=dict(l=70, r=30, t=20, b=50), legend=dict(traceorder="normal"))
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    """The plotly.js bundle with its one CDN address (unused map data) pointed at a relative path,
    so the page holds no reference to any server."""
    return get_plotlyjs().replace(TOPOJSON_CDN, '"./topojson/"')


def _page(run: _Run, sections: list[str]) -> str:
    title = run.text("title")
    scenario = run.ds.attrs.get("scenario")
    head_title = f"{title} – {scenario}" if scenario else title
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if run.lang == "zh" else "en"}">\n<head>\n'
            f'<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_esc(head_title)}</title>\n<style>{CSS}</style>\n"
            f'<script type="text/javascript">{_plotly_js()}</script>\n</head>\n<body>\n'
            f"<h1>{_esc(title)}</h1>\n{''.join(sections)}</body>\n</html>\n")


# ---- sections ------------------------------------------------------------------------------------------
def _metadata(run: _Run) -> str:
    attrs, time = run.ds.attrs, run.ds["time"].to_index()
    rows = [("meta.scenario", attrs.get("scenario"))]
    if "objective" in attrs:
        value, unit = convert(float(attrs["objective"]), "CNY", run.lang)
        rows.append(("meta.objective", f"{_fmt(value)} {unit}"))
    rows += [("meta.status", attrs.get("solver_status")), ("meta.inputs_hash", attrs.get("inputs_hash"))]
    hours = float(run.ds["weight"].sum())
    rows.append(("meta.horizon", f"{time[0]:%Y-%m-%d %H:%M} – {time[-1]:%Y-%m-%d %H:%M} "
                                 f"({_fmt(hours)} {unit_label('h', run.lang)})"))
    items = "".join(f"<dt>{_esc(run.text(key))}</dt><dd>{_esc(value)}</dd>" for key, value in rows
                    if value is not None)
    return _section("metadata", run.text("section.metadata"), f'<dl class="meta">{items}</dl>')


def _kpi_cards(run: _Run) -> str | None:
    rows = run.summary.set_index("kpi")
    cards = []
    for kpi in (k for k in CARD_KPIS if k in rows.index):
        value, unit = convert(float(rows.at[kpi, "value"]), str(rows.at[kpi, "unit"]), run.lang)
        cards.append(f'<div class="card"><div class="card-label">{_esc(kpi_name(kpi, run.names, run.lang))}</div>'
                     f'<div class="card-value">{_fmt(value)} <span class="card-unit">{_esc(unit)}</span></div></div>')
    return _section("kpis", run.text("section.kpis"), f'<div class="cards">{"".join(cards)}</div>') if cards else None


def _capacity(run: _Run) -> str | None:
    """Capacities in MW only: mass-flow plants (t/h) would make the bars incomparable."""
    ds = run.ds
    shown = (ds["capacity_unit"] == "MW") & (ds["tech_kind"] != "demand") & (ds["capacity"] > 0)
    techs = run.ordered(ds["tech"].values[shown.values])
    if not techs:
        return None
    factor, unit = convert(1.0, "MW", run.lang)
    fig = go.Figure()
    for kind in dict.fromkeys(run.kinds[g] for g in techs):
        group = [g for g in techs if run.kinds[g] == kind]
        fig.add_bar(x=[run.names[g] for g in group], y=ds["capacity"].sel(tech=group).values * factor,
                    customdata=ds["capacity_new"].sel(tech=group).values * factor,
                    marker_color=[run.colors[g] for g in group], name=label(f"kind.{kind}", run.lang, kind),
                    hovertemplate=f"%{{x}}: %{{y:,.1f}} {unit}<br>{run.text('legend.new')}: "
                                  f"%{{customdata:,.1f}} {unit}<extra></extra>")
    fig.update_layout(yaxis_title=axis_title("axis.capacity", "MW", run.lang), xaxis_tickangle=-30)
    return _section("capacity", run.text("section.capacity"), _figure(fig, "fig-capacity"))


def _balance(run: _Run) -> str | None:
    """Energy into (supply) and out of (use) the electricity buses, per technology, over the horizon."""
    if run.power is None:
        return None
    weight = run.ds["weight"]
    factor, unit = convert(1.0, "GWh", run.lang)
    supply = (run.power.clip(min=0) * weight).sum("time") / MWH_PER_GWH * factor
    use = -(run.power.clip(max=0) * weight).sum("time") / MWH_PER_GWH * factor
    unserved = float((_electric(run.ds["unserved"]) * weight).sum()) / MWH_PER_GWH * factor
    sides = [run.text("legend.supply"), run.text("legend.use")]
    fig = go.Figure()
    for g in run.ordered(run.power["tech"].values):
        values = [float(supply.sel(tech=g)), float(use.sel(tech=g))]
        if any(values):
            fig.add_bar(y=sides, x=values, orientation="h", name=run.names[g], marker_color=run.colors[g],
                        hovertemplate=f"%{{x:,.2f}} {unit}")
    if unserved > 0:
        fig.add_bar(y=sides, x=[unserved, 0.0], orientation="h", name=run.text("legend.unserved"),
                    marker_color=BASE_COLORS["unserved"], hovertemplate=f"%{{x:,.2f}} {unit}")
    fig.update_layout(barmode="stack", xaxis_title=axis_title("axis.energy", "GWh", run.lang))
    return _section("balance", run.text("section.balance"), _figure(fig, "fig-balance", height=380))


def _area(x, y, name: str, color: str, stack: str, unit: str, show: bool) -> go.Scatter:
    return go.Scatter(x=x, y=y, name=name, stackgroup=stack, mode="lines", line=dict(width=0.5, color=color),
                      fillcolor=color, legendgroup=name, showlegend=show, hovertemplate=f"%{{y:,.1f}} {unit}")


def _dispatch(run: _Run, key: str, start: pd.Timestamp) -> str | None:
    """Stacked supply above zero, use (demand, charging, export, electrolysers) below, price on the right."""
    power = _week(run.power, start)
    if not power.sizes["time"]:
        return None
    factor, unit = convert(1.0, "MW", run.lang)
    x = power["time"].values
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for g in run.ordered(power["tech"].values):
        values = power.sel(tech=g).values * factor
        parts = [(stack, part) for stack, part in (("supply", values.clip(min=0)), ("use", values.clip(max=0)))
                 if part.any()]
        for i, (stack, part) in enumerate(parts):
            fig.add_trace(_area(x, part, run.names[g], run.colors[g], stack, unit, i == 0), secondary_y=False)
    unserved = _week(_electric(run.ds["unserved"]), start).values * factor
    if unserved.any():
        fig.add_trace(_area(x, unserved, run.text("legend.unserved"), BASE_COLORS["unserved"], "supply", unit, True),
                      secondary_y=False)
    buses = _electric_buses(run.ds)
    price_unit = unit_label("CNY/MWh", run.lang)
    for bus, dash in zip(buses, itertools.cycle(PRICE_DASHES)):
        name = run.text("legend.price") + (f" {bus.split('/', 1)[0]}" if len(buses) > 1 else "")
        price = _week(run.ds["marginal_price"].sel(bus=bus), start).values * run.factor("CNY/MWh")
        fig.add_trace(go.Scatter(x=x, y=price, name=name, mode="lines",
                                 line=dict(color=PRICE_COLOR, width=1.2, dash=dash),
                                 hovertemplate=f"%{{y:,.1f}} {price_unit}"), secondary_y=True)
    fig.update_xaxes(tickformat="%m-%d", hoverformat="%Y-%m-%d %H:%M")
    fig.update_yaxes(title_text=axis_title("axis.power", "MW", run.lang), secondary_y=False)
    fig.update_yaxes(title_text=axis_title("axis.price", "CNY/MWh", run.lang), secondary_y=True, showgrid=False)
    return _section(key, _week_title(run, f"section.{key}", start), _figure(fig, f"fig-{key}", height=520))


def _price_duration(run: _Run) -> str | None:
    buses = _electric_buses(run.ds)
    if not buses:
        return None
    weights = run.ds["weight"].values
    fig = go.Figure()
    for bus in buses:
        hours, price = _duration_curve(run.ds["marginal_price"].sel(bus=bus).values * run.factor("CNY/MWh"), weights)
        fig.add_scatter(x=hours, y=price, mode="lines", name=bus.split("/", 1)[0], showlegend=len(buses) > 1)
    fig.update_layout(xaxis_title=axis_title("axis.duration", "h", run.lang),
                      yaxis_title=axis_title("axis.price", "CNY/MWh", run.lang))
    return _section("price_duration", run.text("section.price_duration"), _figure(fig, "fig-price-duration", 380))


def _load_duration(run: _Run) -> str | None:
    """Load = electricity taken by demand and conversion plants (electrolysers are most of the base's load)."""
    if run.power is None:
        return None
    consumers = [g for g in run.power["tech"].values if run.kinds[str(g)] in CONSUMER_KINDS]
    load = -run.power.sel(tech=consumers).clip(max=0).sum("tech").values
    if not load.any():
        return None
    hours, values = _duration_curve(load * run.factor("MW"), run.ds["weight"].values)
    fig = go.Figure(go.Scatter(x=hours, y=values, mode="lines", name=run.text("legend.load"),
                               line=dict(color=BASE_COLORS["demand"])))
    fig.update_layout(xaxis_title=axis_title("axis.duration", "h", run.lang),
                      yaxis_title=axis_title("axis.load", "MW", run.lang))
    return _section("load_duration", run.text("section.load_duration"), _figure(fig, "fig-load-duration", 380))


def _curtailment(run: _Run) -> str | None:
    renewables = [g for g in run.ordered(run.ds["tech"].values) if run.kinds[g] == "renewable"]
    if "curtailment" not in run.ds or not renewables:
        return None
    hourly = (run.ds["curtailment"].sel(tech=renewables) * run.ds["weight"]).drop_vars("weight")
    monthly = hourly.resample(time="MS").sum() / MWH_PER_GWH * run.factor("GWh")
    months = [f"{t:%Y-%m}" for t in monthly["time"].to_index()]
    unit = unit_label("GWh", run.lang)
    fig = go.Figure()
    for g in renewables:
        fig.add_bar(x=months, y=monthly.sel(tech=g).values, name=run.names[g], marker_color=run.colors[g],
                    hovertemplate=f"%{{y:,.2f}} {unit}")
    fig.update_layout(barmode="stack", xaxis_title=run.text("axis.month"), xaxis_type="category",
                      yaxis_title=axis_title("kpi.curtailment_gwh", "GWh", run.lang))
    return _section("curtailment", run.text("section.curtailment"), _figure(fig, "fig-curtailment", 380))


def _storage(run: _Run) -> str | None:
    """State of charge in % of each store's energy capacity, so batteries and hydrogen tanks share an axis."""
    if "storage_level" not in run.ds:
        return None
    energy = run.ds["energy_capacity"]
    stores = [g for g in run.ordered(run.ds["tech"].values)
              if run.kinds[g] == "storage" and float(energy.sel(tech=g)) > 0]
    if not stores:
        return None
    start = run.weeks[0][1]
    soc = _week(run.ds["storage_level"].sel(tech=stores), start) / energy.sel(tech=stores) * run.factor("fraction")
    unit = unit_label("fraction", run.lang)
    fig = go.Figure()
    for g in stores:
        fig.add_scatter(x=soc["time"].values, y=soc.sel(tech=g).values, mode="lines", name=run.names[g],
                        line=dict(color=run.colors[g]), hovertemplate=f"%{{y:,.1f}} {unit}")
    fig.update_xaxes(tickformat="%m-%d", hoverformat="%Y-%m-%d %H:%M")
    fig.update_layout(yaxis_title=axis_title("axis.soc", "fraction", run.lang),
                      yaxis_range=[0, 1.02 * run.factor("fraction")])
    return _section("storage", _week_title(run, "section.storage", start), _figure(fig, "fig-storage", 380))


def _kpi_unit(kpi: str, unit: str, ds: xr.Dataset) -> str:
    """The summary's 'MWh or t' for a store, resolved from the store's own capacity unit."""
    tech = kpi.removeprefix("energy_capacity_")
    if unit == "MWh or t" and tech in ds["tech"].values:
        return "MWh" if ds["capacity_unit"].sel(tech=tech).item() == "MW" else "t"
    return unit


def _kpi_table(run: _Run) -> str | None:
    if run.summary.empty:
        return None
    rows = []
    for kpi, value, unit in run.summary[["kpi", "value", "unit"]].itertuples(index=False):
        shown, shown_unit = convert(float(value), _kpi_unit(str(kpi), str(unit), run.ds), run.lang)
        rows.append(f"<tr><td>{_esc(kpi_name(str(kpi), run.names, run.lang))}</td>"
                    f'<td class="num">{_fmt(shown)}</td><td>{_esc(shown_unit)}</td></tr>')
    head = "".join(f"<th>{_esc(run.text(k))}</th>" for k in ("table.kpi", "table.value", "table.unit"))
    return _section("kpi_table", run.text("section.kpi_table"),
                    f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
