"""One self-contained HTML report of a run, in Chinese or English, readable offline and printable.

plotly.js is embedded once in the page head and every figure is a bare ``<div>`` drawing with it, so the
file needs no network. Each section is built from the results Dataset, the summary table and the named
tables of other analyses (plan audit, finance), and is left out when its data does not exist (no
storage, no renewables, no thermal units, no such table). Week figures draw from hourly series embedded
once (``report_weeks``), so any week of a full year can be chosen in the page; duration curves are
thinned before a figure is built, so a full year renders fast.

Optional results the report shows where a run has them:
- ``curtailment_cause``: curtailment [MW] over a ``cause`` dimension and ``time`` (other dimensions are
  summed); the monthly curtailment is then split by cause, labelled ``cause.<name>`` in ``labels.py``.
- ``tables``: ``{name: DataFrame}`` such as ``plan_audit`` or ``finance``; each is one section titled
  ``section.<name>``, shown through ``labels.localize_table`` (a ``unit`` column converts its row).
- ``finance_*``, ``tornado_*``, ``sweep_*`` (finance.to_dataset): per project a cash-flow chart, the NPV
  tornado and, where the run made one, the sizing sweep.
"""

from __future__ import annotations

import colorsys
import html
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from ..analysis import finance
from ..analysis.products import COST_PARTS, KG_PER_T, product_table
from ..case.schema import kinds_with
from ..constants import (
    ELECTRICITY,
    FUEL_FIRED,
    GENERATOR,
    LOAD,
    MARKET,
    MWH_PER_GWH,
    NODE_MARK,
    PLANT,
    RENEWABLE,
    STORE,
    TRANSFER,
)
from ..errors import ImageError
from ..results.dataset import carrier_units, has_role
from ..results.pathway import years as pathway_years
from . import pathway as report_pathway
from .labels import (
    axis_title,
    convert,
    kpi_name,
    label,
    localize_table,
    tech_names,
    unit_label,
)
from .tables import (
    electric,
    electric_buses,
    localized_summary,
    month_labels,
    monthly_curtailment_by_cause,
    monthly_total,
    product_output,
    thermal_operation,
    total,
)
from .weeks import DATA_ID, SCRIPT, HourlySeries, dispatch_weeks, week_label

MAX_CURVE_POINTS = 2000
COST_PART_COLORS = ("#1f6fb4", "#7fb3e0", "#9e9e9e", "#e0b000", "#2e8b57", "#c62828")  # by COST_PARTS
# stacks from base load up, and the legend in that order: families ranked by the first role they play
ROLE_ORDER = (FUEL_FIRED, RENEWABLE, GENERATOR, STORE, PLANT, MARKET, TRANSFER, LOAD)
KIND_ORDER = tuple(dict.fromkeys(kind for role in ROLE_ORDER for kind in kinds_with(role)))
RENEWABLE_KINDS, STORE_KINDS, FUEL_FIRED_KINDS = kinds_with(RENEWABLE), kinds_with(STORE), kinds_with(FUEL_FIRED)
CONSUMER_KINDS = kinds_with(LOAD, PLANT)  # uses of electricity the flow diagram splits into their technologies
NET_FLOW_KINDS = kinds_with(STORE, TRANSFER)  # charged or sent, then given back: the diagram shows the net
CARD_KPIS = ("total_cost", "curtailment_rate", "non_fossil_share", "co2_mt", "coal_full_load_hours",
             "export_gwh", "unserved_mwh", "mean_marginal_price")
BASE_COLORS = {"coal": "#3a3a3a", "wind": "#1f6fb4", "pv": "#e0b000", "renewable": "#2a9d8f",
               "storage": "#7b3fa0", "conversion": "#2e8b57", "grid": "#c62828", "demand": "#6d4c41",
               "unserved": "#e91e63", "other": "#888888", "hub": "#9e9e9e", "curtailment": "#b0bec5"}
ROLE_FAMILIES = {FUEL_FIRED: "coal", MARKET: "grid", TRANSFER: "grid", STORE: "storage", PLANT: "conversion",
                 LOAD: "demand"}  # colour family of the technologies that play the role
# each kind's colour family: that of the first of its roles in ROLE_FAMILIES
KIND_FAMILY = {kind: family for role, family in reversed(ROLE_FAMILIES.items()) for kind in kinds_with(role)}
GROUP_PALETTE = ("#00897b", "#8d6e63", "#5c6bc0", "#c0ca33", "#f4511e", "#26c6da")  # groups a case adds
PRICE_COLOR = "#111111"
HEAT_COLOR = "#e07b00"
FLOOR_COLOR = "#00bcd4"  # bright: the floor line runs inside the dark thermal area
PRICE_DASHES = ("solid", "dash", "dot", "dashdot")  # one per electricity bus
CAUSE_COLORS = ("#c62828", "#3a3a3a", "#6d4c41", "#1f6fb4", "#888888")
SOLVER_NOISE_MW = 1e-6  # flows smaller than this are the solver's tolerance, not energy
IMAGE_SIZE = (1280, 720)  # 16:9 slides
IMAGE_SCALE = 2
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
label.week { font-size: 0.9rem; color: #444; } label.week select { font: inherit; margin-left: 0.4rem; }
table { border-collapse: collapse; width: 100%%; font-size: 0.9rem; }
div.wide { overflow-x: auto; } div.wide td, div.wide th { white-space: nowrap; }
th, td { border-bottom: 1px solid #eee; padding: 0.25rem 0.5rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  section { break-inside: avoid; page-break-inside: avoid; }
  section.table { break-inside: auto; page-break-inside: auto; }
  .modebar-container, label.week { display: none; }
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
    families: dict[str, str]
    colors: dict[str, str]
    power: xr.DataArray | None  # net flow into all electricity buses together [MW], (tech, time)
    weeks: list[tuple[str, pd.Timestamp]]
    hourly: HourlySeries
    pathway: xr.Dataset | None = None  # all periods of a pathway (``ds`` is then its last period)

    def text(self, key: str) -> str:
        return label(key, self.lang)

    def factor(self, unit: str) -> float:
        return convert(1.0, unit, self.lang)[0]

    def ordered(self, techs) -> list[str]:
        """Technologies by kind (base load at the bottom of stacks) and then in Dataset order."""
        rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
        return sorted((str(g) for g in techs), key=lambda g: rank.get(self.kinds[g], len(rank)))

    def family_color(self, family: str) -> str:
        return _base_color(family, self.families.values())

    def groups(self, techs) -> list[tuple[str, str, str, list[str]]]:
        """(key, name, colour, members) of the stacked charts: renewables one entry per colour family, since
        a family's projects share the weather and would only crowd the legend (the capacity chart, the KPI
        table and results.xlsx keep them apart); every other technology on its own; in kind order."""
        groups: dict[str, tuple[str, str, list[str]]] = {}
        for g in self.ordered(techs):
            if self.kinds[g] in RENEWABLE_KINDS:
                family = self.families[g]
                entry = groups.setdefault(f"group:{family}", (label(f"group.{family}", self.lang, family),
                                                              self.family_color(family), []))
                entry[2].append(g)
            else:
                groups[g] = (self.names[g], self.colors[g], [g])
        return [(key, name, color, members) for key, (name, color, members) in groups.items()]


@dataclass
class Section:
    """One part of the page: a title, at most one figure, and HTML below it."""

    key: str
    title: str
    figure: go.Figure | None = None
    height: int = 380
    body: str = ""
    week: pd.Timestamp | None = None  # the figure shows this week and gets a selector over all weeks
    chosen_title: str | None = None  # the title once another week is chosen (where the title names the week)
    classes: list[str] = field(default_factory=list)


def write_report(ds: xr.Dataset, summary: pd.DataFrame, path: Path, lang: str = "zh", *,
                 tables: Mapping[str, pd.DataFrame] | None = None, images_dir: Path | None = None,
                 winter_start: pd.Timestamp | None = None, summer_start: pd.Timestamp | None = None,
                 pathway: xr.Dataset | None = None) -> Path:
    """Write the HTML report of one run to ``path``, and PNGs of its charts to ``images_dir`` when given.
    ``tables`` are other analyses' tables by name; the week starts override the default dispatch weeks.
    For a pathway, ``pathway`` is its Dataset (:mod:`energy_model.results.pathway`) and ``ds`` its last period: the
    page opens with the charts over the periods, and the sections after them show that last period."""
    label("title", lang)  # rejects an unknown language before any work
    techs = [str(g) for g in ds["tech"].values]
    time = ds["time"].to_index()
    weeks = dispatch_weeks(time, winter_start, summer_start)
    run = _Run(
        ds=ds, summary=summary, lang=lang, names=tech_names(ds, lang),
        kinds=dict(zip(techs, map(str, ds["tech_kind"].values))), families=_families(ds), colors=tech_colors(ds),
        power=_denoised(electric(ds["flow"])), weeks=weeks, hourly=HourlySeries(time, [start for _, start in weeks]),
        pathway=pathway,
    )
    dispatch = [_dispatch(run, key, start) for key, start in run.weeks] if run.power is not None else []
    sections = [_metadata(run), *_pathway(run), _kpi_cards(run), _nodes(run), _capacity(run), _balance(run),
                _sankey(run), *dispatch,
                _price_duration(run), _load_duration(run), _curtailment(run), _thermal_week(run), _storage(run),
                _thermal(run),
                _products(run), _product_economics(run), _levelised_cost(run),
                *(_table(run, name, frame) for name, frame in (tables or {}).items()),
                *_finance(run), _kpi_table(run)]
    sections = [s for s in sections if s]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_page(run, sections), encoding="utf-8")
    if images_dir is not None:
        write_images(sections, Path(images_dir))
    return path


def _duration_curve(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values sorted high to low against cumulative hours, thinned evenly to ≤ MAX_CURVE_POINTS (ends kept)."""
    order = np.argsort(-values, kind="stable")
    hours, sorted_values = np.cumsum(weights[order]), values[order]
    keep = np.unique(np.linspace(0, len(order) - 1, min(len(order), MAX_CURVE_POINTS)).round().astype(int))
    return hours[keep], sorted_values[keep]


def _denoised(power: xr.DataArray | None) -> xr.DataArray | None:
    """Flows within the solver's tolerance of zero set to zero, so that an electrolyser does not appear as
    a supplier for its 1e-13 MW."""
    return power.where(abs(power) > SOLVER_NOISE_MW, 0.0) if power is not None else None


# ---- colours ----------------------------------------------------------------------------------------
def _base_color(family: str, families) -> str:
    """A colour family's colour: BASE_COLORS, else (a group the case names, e.g. hydro) one of GROUP_PALETTE,
    in the sorted order of the case's such groups among ``families``, so that it is the same in every report."""
    if family in BASE_COLORS:
        return BASE_COLORS[family]
    others = sorted(set(families) - set(BASE_COLORS))
    return GROUP_PALETTE[others.index(family) % len(GROUP_PALETTE)]


def _shade(color: str, position: float) -> str:
    """``color`` darker (position 0) to lighter (1), within a window that stays readable."""
    red, green, blue = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    darkest, lightest = max(lightness - 0.2, 0.12), min(lightness + 0.2, 0.85)
    rgb = colorsys.hls_to_rgb(hue, darkest + position * (lightest - darkest), saturation)
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def _translucent(color: str, alpha: float = 0.4) -> str:
    return "rgba({}, {}, {}, {})".format(*(int(color[i:i + 2], 16) for i in (1, 3, 5)), alpha)


def tech_colors(ds: xr.Dataset) -> dict[str, str]:
    """Each technology in its own ``color`` where the case gives one, else in its group's colour, shades
    spread evenly over the members of a group in id order: neighbours stay distinguishable and a technology
    keeps its shade in every report of the case."""
    families = _families(ds)
    own = dict(zip(map(str, ds["tech"].values), map(str, ds["tech_color"].values))) if "tech_color" in ds.coords else {}
    colors = {}
    for family in set(families.values()):
        members = sorted(g for g, f in families.items() if f == family)
        base = _base_color(family, families.values())
        colors.update({g: _shade(base, (i + 0.5) / len(members)) for i, g in enumerate(members)})
    return {g: own.get(g) or color for g, color in colors.items()}


def _families(ds: xr.Dataset) -> dict[str, str]:
    """Each technology's colour family: its ``group`` from the case, else its family's role (renewables
    without a group are one family, 'renewable')."""
    groups = map(str, ds["tech_group"].values) if "tech_group" in ds.coords else [""] * ds.sizes["tech"]
    return {str(g): group or ("renewable" if str(kind) in RENEWABLE_KINDS else KIND_FAMILY.get(str(kind), "other"))
            for g, kind, group in zip(ds["tech"].values, ds["tech_kind"].values, groups)}


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


def _cell(value) -> str:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return f'<td class="num">{_fmt(float(value))}</td>'
    return f"<td>{_esc('' if pd.isna(value) else value)}</td>"


def _html_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _layout(fig: go.Figure, height: int) -> go.Figure:
    return fig.update_layout(template="simple_white", font_family=FONT, height=height,
                             margin=dict(l=70, r=30, t=20, b=50), legend=dict(traceorder="normal"))


def _render(run: _Run, section: Section) -> str:
    """The section as HTML; its figure a bare div drawing with the page's one plotly.js (fixed id)."""
    title = _esc(section.title)
    controls = ""
    if section.week is not None:
        chosen = _esc(section.chosen_title or section.title)
        title = (f'<span class="week-title" data-default="{title}" data-chosen="{chosen}">{title}</span> '
                 f'(<span class="week-range">{week_label(section.week)}</span>)')
        controls = (f'<label class="week">{_esc(run.text("week.select"))}<select class="week-select" '
                    f'data-figure="fig-{section.key}">{run.hourly.options(section.week)}</select></label>\n')
    figure = ""
    if section.figure is not None:
        fig = _layout(go.Figure(section.figure), section.height)
        for trace in fig.data:
            if trace.meta:  # drawn in the browser from the page's hourly data: not stored twice
                trace.update(x=[], y=[])
        figure = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig-{section.key}",
                             config={"displaylogo": False, "responsive": True})
    classes = f' class="{" ".join(section.classes)}"' if section.classes else ""
    return (f'<section id="{section.key}"{classes}>\n<h2>{title}</h2>\n{controls}{figure}'
            f"{section.body}\n</section>\n")


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    """The plotly.js bundle with its one CDN address (unused map data) pointed at a relative path,
    so the page holds no reference to any server."""
    return get_plotlyjs().replace(TOPOJSON_CDN, '"./topojson/"')


def _page(run: _Run, sections: list[Section]) -> str:
    title = run.text("title")
    scenario = run.ds.attrs.get("scenario")
    head_title = f"{title} – {scenario}" if scenario else title
    weekly = ""
    if any(s.week is not None for s in sections):
        weekly = (f'<script type="application/json" id="{DATA_ID}">{run.hourly.to_json()}</script>\n'
                  f"<script>{SCRIPT}</script>\n")
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if run.lang == "zh" else "en"}">\n<head>\n'
            f'<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_esc(head_title)}</title>\n<style>{CSS}</style>\n"
            f'<script type="text/javascript">{_plotly_js()}</script>\n</head>\n<body>\n'
            f"<h1>{_esc(title)}</h1>\n{''.join(_render(run, s) for s in sections)}{weekly}</body>\n</html>\n")


def write_images(sections: list[Section], folder: Path) -> list[Path]:
    """One PNG per chart, titled and sized for a 16:9 slide, numbered in page order. kaleido draws them
    with the system's Chromium (Debian's ``chromium`` package), so no browser is downloaded."""
    import plotly.io as pio

    charts = [s for s in sections if s.figure is not None]
    figures = [_layout(go.Figure(s.figure), IMAGE_SIZE[1]).update_layout(
        title_text=s.title if s.week is None else f"{s.title} ({week_label(s.week)})",
        margin_t=60) for s in charts]
    paths = [folder / f"{i:02d}_{s.key}.png" for i, s in enumerate(charts, 1)]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        pio.write_images(figures, paths, width=IMAGE_SIZE[0], height=IMAGE_SIZE[1], scale=IMAGE_SCALE)
    except Exception as exc:  # kaleido reports a missing browser or package in several exception types
        raise ImageError(f"could not write the PNG images to {folder}: {exc}\nPNG export needs the 'images' "
                         "extra (pip install 'energy-model[images]') and Chromium (apt-get install chromium)") \
            from exc
    return paths


# ---- sections ------------------------------------------------------------------------------------------
def _metadata(run: _Run) -> Section:
    attrs, time = run.ds.attrs, run.ds["time"].to_index()
    rows = [("meta.scenario", attrs.get("scenario"))]
    objective = (run.pathway if run.pathway is not None else run.ds).attrs.get("objective")
    if objective is not None:
        value, unit = convert(float(objective), "CNY", run.lang)
        rows.append(("meta.objective", f"{_fmt(value)} {unit}"))
    rows += [("meta.status", attrs.get("solver_status")), ("meta.inputs_hash", attrs.get("inputs_hash"))]
    if run.pathway is not None:
        periods = ", ".join(str(y) for y in pathway_years(run.pathway))
        rows.append(("meta.pathway", f"{periods} ({run.text('meta.pathway_detail')} {time[0].year})"))
    hours = float(run.ds["weight"].sum())
    rows.append(("meta.horizon", f"{time[0]:%Y-%m-%d %H:%M} – {time[-1]:%Y-%m-%d %H:%M} "
                                 f"({_fmt(hours)} {unit_label('h', run.lang)})"))
    if attrs.get("sizing_days"):
        rows.append(("meta.sizing", run.text("meta.sizing_detail").format(days=int(attrs["sizing_days"]))))
    items = "".join(f"<dt>{_esc(run.text(key))}</dt><dd>{_esc(value)}</dd>" for key, value in rows
                    if value is not None)
    return Section("metadata", run.text("section.metadata"), body=f'<dl class="meta">{items}</dl>')


def _kpi_cards(run: _Run) -> Section | None:
    rows = run.summary.set_index("kpi")
    cards = []
    for kpi in (k for k in CARD_KPIS if k in rows.index):
        value, unit = convert(float(rows.at[kpi, "value"]), str(rows.at[kpi, "unit"]), run.lang)
        # a pathway's summary value is its discounted total; the other cards show the last period
        name = run.text("kpi.pathway_total_cost") if run.pathway is not None and kpi == "total_cost" \
            else kpi_name(kpi, run.names, run.lang)
        cards.append(f'<div class="card"><div class="card-label">{_esc(name)}</div>'
                     f'<div class="card-value">{_fmt(value)} <span class="card-unit">{_esc(unit)}</span></div></div>')
    if not cards:
        return None
    return Section("kpis", run.text("section.kpis"), body=f'<div class="cards">{"".join(cards)}</div>')


def _nodes(run: _Run) -> Section | None:
    """Each node's own figures side by side (summary rows ``<figure>@<node>``): a base inside a province node
    is read apart from the province around it."""
    rows = run.summary[run.summary["kpi"].str.contains(NODE_MARK, regex=False)]
    if rows.empty:
        return None
    parts = rows["kpi"].str.rsplit(NODE_MARK, n=1)
    nodes = parts.str[1]
    table: dict[str, dict[str, str]] = {}
    for figure, node, value, unit in zip(parts.str[0], nodes, rows["value"], rows["unit"]):
        shown, shown_unit = convert(float(value), str(unit), run.lang)
        name = f"{kpi_name(figure, run.names, run.lang)} ({shown_unit})" if shown_unit else kpi_name(
            figure, run.names, run.lang)
        table.setdefault(name, {})[node] = _fmt(shown)
    frame = pd.DataFrame.from_dict(table, orient="index").rename_axis(run.text("table.node_figure")).reset_index()
    labels = json.loads(run.ds.attrs.get("node_labels_zh", "{}")) if run.lang == "zh" else {}
    frame = frame.rename(columns={node: labels.get(node) or node for node in nodes.unique()})
    return Section("nodes", run.text("section.nodes"), body=_html_table(frame), classes=["table"])


def _pathway(run: _Run) -> list[Section]:
    """Over the periods of a pathway: capacity, generation, and annual cost with CO2."""
    if run.pathway is None:
        return []
    ds = run.pathway
    groups = run.groups(ds["tech"].values)
    figures = [("pathway_capacity", report_pathway.capacity_figure(ds, groups, run.lang)),
               ("pathway_generation", report_pathway.generation_figure(ds, groups, run.lang)),
               ("pathway_cost", report_pathway.cost_figure(ds, run.lang))]
    return [Section(key, run.text(f"section.{key}"), figure, height=420) for key, figure in figures if figure]


def _capacity(run: _Run) -> Section | None:
    """Capacities in MW only (mass-flow plants in t/h would make the bars incomparable), as horizontal bars
    so that long project names stay readable."""
    ds = run.ds
    shown = (ds["capacity_unit"] == "MW") & ~has_role(ds, LOAD) & (ds["capacity"] > 0)
    techs = run.ordered(ds["tech"].values[shown.values])
    if not techs:
        return None
    factor, unit = convert(1.0, "MW", run.lang)
    fig = go.Figure()
    for kind in dict.fromkeys(run.kinds[g] for g in techs):
        group = [g for g in techs if run.kinds[g] == kind]
        fig.add_bar(y=[run.names[g] for g in group], x=ds["capacity"].sel(tech=group).values * factor,
                    customdata=ds["capacity_new"].sel(tech=group).values * factor, orientation="h",
                    marker_color=[run.colors[g] for g in group], name=label(f"kind.{kind}", run.lang, kind),
                    hovertemplate=f"%{{y}}: %{{x:,.1f}} {unit}<br>{run.text('legend.new')}: "
                                  f"%{{customdata:,.1f}} {unit}<extra></extra>")
    fig.update_layout(xaxis_title=axis_title("axis.capacity", "MW", run.lang), yaxis_autorange="reversed",
                      yaxis_type="category")
    return Section("capacity", run.text("section.capacity"), fig, height=140 + 22 * len(techs))


def _balance(run: _Run) -> Section | None:
    """Energy into (supply) and out of (use) the electricity buses, per technology, over the horizon."""
    if run.power is None:
        return None
    factor, unit = convert(1.0, "GWh", run.lang)
    supply = total(run.power.clip(min=0)) / MWH_PER_GWH * factor
    use = -total(run.power.clip(max=0)) / MWH_PER_GWH * factor
    unserved = float(total(electric(run.ds["unserved"]))) / MWH_PER_GWH * factor
    sides = [run.text("legend.supply"), run.text("legend.use")]
    fig = go.Figure()
    for _, name, color, members in run.groups(run.power["tech"].values):
        values = [float(supply.sel(tech=members).sum()), float(use.sel(tech=members).sum())]
        if any(values):
            fig.add_bar(y=sides, x=values, orientation="h", name=name, marker_color=color,
                        hovertemplate=f"%{{x:,.2f}} {unit}")
    if unserved > 0:
        fig.add_bar(y=sides, x=[unserved, 0.0], orientation="h", name=run.text("legend.unserved"),
                    marker_color=BASE_COLORS["unserved"], hovertemplate=f"%{{x:,.2f}} {unit}")
    fig.update_layout(barmode="stack", xaxis_title=axis_title("axis.energy", "GWh", run.lang))
    return Section("balance", run.text("section.balance"), fig)


def sankey_links(ds: xr.Dataset, power: xr.DataArray) -> list[tuple[str, str, float]]:
    """(from, to, MWh) of the electricity flow diagram. Node ids: ``source:<family>`` (generation by colour
    family, imports, unserved energy), ``hub``, ``use:<kind>`` (loads, plants, export, storage and line
    losses), ``tech:<id>`` (the loads and plants one by one), ``curtailment``. Stores and links count by
    their net flow (their losses); the renewables' curtailment leaves their source before the hub."""
    kinds = dict(zip(map(str, ds["tech"].values), map(str, ds["tech_kind"].values)))
    families = _families(ds)
    supplied, used, net = (total(power.clip(min=0)), -total(power.clip(max=0)), total(power))
    flows: dict[tuple[str, str], float] = {}

    def add(source: str, target: str, value: float):
        if value > 0:
            flows[(source, target)] = flows.get((source, target), 0.0) + value

    for g in map(str, power["tech"].values):
        kind = kinds[g]
        if kind in NET_FLOW_KINDS:
            add(f"source:{families[g]}", "hub", float(net.sel(tech=g)))
            add("hub", f"use:{kind}", -float(net.sel(tech=g)))
            continue
        add(f"source:{families[g]}", "hub", float(supplied.sel(tech=g)))
        add("hub", f"use:{kind}", float(used.sel(tech=g)))
        if kind in CONSUMER_KINDS:
            add(f"use:{kind}", f"tech:{g}", float(used.sel(tech=g)))
    add("source:unserved", "hub", float(total(electric(ds["unserved"]))))
    if "curtailment" in ds:
        for g, value in zip(map(str, ds["tech"].values), total(ds["curtailment"]).values):
            if kinds[g] in RENEWABLE_KINDS:
                add(f"source:{families[g]}", "curtailment", float(value))
    return [(source, target, value) for (source, target), value in flows.items()]


def _sankey(run: _Run) -> Section | None:
    if run.power is None:
        return None
    links = sankey_links(run.ds, run.power)
    if not links:
        return None
    nodes = list(dict.fromkeys(node for source, target, _ in links for node in (source, target)))
    names, colors = zip(*(_sankey_node(run, node) for node in nodes))
    factor, unit = convert(1.0, "GWh", run.lang)
    index = {node: i for i, node in enumerate(nodes)}
    fig = go.Figure(go.Sankey(
        valueformat=",.2f", valuesuffix=f" {unit}",
        node=dict(label=list(names), color=list(colors), pad=14, thickness=16, line=dict(width=0)),
        link=dict(source=[index[s] for s, _, _ in links], target=[index[t] for _, t, _ in links],
                  value=[v / MWH_PER_GWH * factor for _, _, v in links],
                  color=[_translucent(colors[index[s]]) for s, _, _ in links])))
    return Section("sankey", run.text("section.sankey"), fig, height=560)


def _sankey_node(run: _Run, node: str) -> tuple[str, str]:
    """(name, colour) of a node of the flow diagram."""
    kind, _, name = node.partition(":")
    if kind == "tech":
        return run.names[name], run.colors[name]
    if node == "source:unserved":
        return run.text("legend.unserved"), BASE_COLORS["unserved"]
    if kind == "source":
        return label(f"sankey.source.{name}", run.lang, name), run.family_color(name)
    if kind == "use":
        return label(f"sankey.use.{name}", run.lang, name), BASE_COLORS[KIND_FAMILY.get(name, "other")]
    return run.text(f"sankey.{node}"), BASE_COLORS[node]


def _area(x, y, name: str, color: str, stack: str, unit: str, show: bool, meta: dict) -> go.Scatter:
    return go.Scatter(x=x, y=y, name=name, stackgroup=stack, mode="lines", line=dict(width=0.5, color=color),
                      fillcolor=color, legendgroup=name, showlegend=show, hovertemplate=f"%{{y:,.1f}} {unit}",
                      meta=meta)


def _dispatch(run: _Run, key: str, start: pd.Timestamp) -> Section | None:
    """Stacked supply above zero with the curtailed renewable output on top, use (demand, charging, export,
    electrolysers) below, price on the right; every technology that supplies or uses power in any hour of
    the horizon has its traces, so that each week the selector shows is complete."""
    window = run.hourly.window(start)
    if window.stop <= window.start:
        return None
    factor, unit = convert(1.0, "MW", run.lang)
    x = run.hourly.time[window]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for group, name, color, members in run.groups(run.power["tech"].values):
        power = run.power.sel(tech=members).sum("tech")
        if not power.any():
            continue
        values = run.hourly.add(f"power:{group}", power.values)
        parts = [(stack, part, clipped) for stack, part, clipped in
                 (("supply", "pos", values.clip(min=0)), ("use", "neg", values.clip(max=0))) if clipped.any()]
        for i, (stack, part, clipped) in enumerate(parts):
            fig.add_trace(_area(x, clipped[window] * factor, name, color, stack, unit, i == 0,
                                dict(series=f"power:{group}", part=part, factor=factor)), secondary_y=False)
    renewables = [g for g in run.power["tech"].values if run.kinds[str(g)] in RENEWABLE_KINDS]
    if "curtailment" in run.ds and renewables and run.ds["curtailment"].sel(tech=renewables).any():
        curtailed = run.hourly.add("curtailment", run.ds["curtailment"].sel(tech=renewables).sum("tech").values)
        fig.add_trace(_area(x, curtailed[window] * factor, run.text("legend.curtailment"), BASE_COLORS["curtailment"],
                            "supply", unit, True, dict(series="curtailment", part="pos", factor=factor)),
                      secondary_y=False)
    if electric(run.ds["unserved"]).any():
        unserved = run.hourly.add("unserved", electric(run.ds["unserved"]).values)
        fig.add_trace(_area(x, unserved[window] * factor, run.text("legend.unserved"), BASE_COLORS["unserved"],
                            "supply", unit, True, dict(series="unserved", part="pos", factor=factor)),
                      secondary_y=False)
    buses = electric_buses(run.ds)
    price_unit, price_factor = unit_label("CNY/MWh", run.lang), run.factor("CNY/MWh")
    for bus, dash in zip(buses, itertools.cycle(PRICE_DASHES)):
        name = run.text("legend.price") + (f" {bus.split('/', 1)[0]}" if len(buses) > 1 else "")
        price = run.hourly.add(f"price:{bus}", run.ds["marginal_price"].sel(bus=bus).values)
        fig.add_trace(go.Scatter(x=x, y=price[window] * price_factor, name=name, mode="lines",
                                 line=dict(color=PRICE_COLOR, width=1.2, dash=dash),
                                 hovertemplate=f"%{{y:,.1f}} {price_unit}",
                                 meta=dict(series=f"price:{bus}", part="all", factor=price_factor)),
                      secondary_y=True)
    fig.update_xaxes(tickformat="%m-%d", hoverformat="%Y-%m-%d %H:%M")
    fig.update_yaxes(title_text=axis_title("axis.power", "MW", run.lang), secondary_y=False)
    fig.update_yaxes(title_text=axis_title("axis.price", "CNY/MWh", run.lang), secondary_y=True, showgrid=False,
                     tickmode="auto")
    return Section(key, run.text(f"section.{key}"), fig, height=520, week=start,
                   chosen_title=run.text("section.dispatch_chosen"))


def _price_duration(run: _Run) -> Section | None:
    buses = electric_buses(run.ds)
    if not buses:
        return None
    weights = run.ds["weight"].values
    fig = go.Figure()
    for bus in buses:
        hours, price = _duration_curve(run.ds["marginal_price"].sel(bus=bus).values * run.factor("CNY/MWh"), weights)
        fig.add_scatter(x=hours, y=price, mode="lines", name=bus.split("/", 1)[0], showlegend=len(buses) > 1)
    fig.update_layout(xaxis_title=axis_title("axis.duration", "h", run.lang),
                      yaxis_title=axis_title("axis.price", "CNY/MWh", run.lang))
    return Section("price_duration", run.text("section.price_duration"), fig)


def _load_duration(run: _Run) -> Section | None:
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
    return Section("load_duration", run.text("section.load_duration"), fig)


def _curtailment(run: _Run) -> Section | None:
    """Monthly curtailment stacked by cause where the run splits it (``curtailment_cause``), by technology
    otherwise, with the monthly curtailment rate on the right axis; a line of text when nothing is curtailed."""
    renewables = [g for g in run.ordered(run.ds["tech"].values) if run.kinds[g] in RENEWABLE_KINDS]
    if "curtailment" not in run.ds or not renewables:
        return None
    if not (run.ds["curtailment"].sel(tech=renewables) > SOLVER_NOISE_MW).any():
        note = run.text("note.no_curtailment")
        return Section("curtailment", run.text("section.curtailment"), body=f"<p>{_esc(note)}</p>")
    factor, unit = convert(1.0, "GWh", run.lang)
    monthly = monthly_total(run.ds["curtailment"].sel(tech=renewables), run.ds)
    months = month_labels(monthly)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    by_cause = monthly_curtailment_by_cause(run.ds)
    if by_cause is not None:
        bars = [(label(f"cause.{c}", run.lang, str(c)), color, by_cause.sel(cause=c).values)
                for c, color in zip(by_cause["cause"].values, itertools.cycle(CAUSE_COLORS))]
    else:
        bars = [(name, color, monthly.sel(tech=members).sum("tech").values)
                for _, name, color, members in run.groups(renewables)]
    for name, color, values in bars:
        fig.add_bar(x=months, y=values / MWH_PER_GWH * factor, name=name, marker_color=color,
                    hovertemplate=f"%{{y:,.2f}} {unit}", secondary_y=False)
    if "available" in run.ds:
        available = monthly_total(run.ds["available"].sel(tech=renewables), run.ds).sum("tech").values
        rate = np.divide(monthly.sum("tech").values, available, out=np.zeros(len(months)), where=available > 0)
        fig.add_scatter(x=months, y=rate * run.factor("fraction"), name=run.text("legend.curtailment_rate"),
                        mode="lines+markers", line=dict(color=PRICE_COLOR, width=1.5),
                        hovertemplate=f"%{{y:,.1f}} {unit_label('fraction', run.lang)}", secondary_y=True)
        fig.update_yaxes(title_text=axis_title("axis.curtailment_rate", "fraction", run.lang), secondary_y=True,
                         showgrid=False, rangemode="tozero", tickmode="auto")
    fig.update_layout(barmode="stack", xaxis_title=run.text("axis.month"), xaxis_type="category")
    fig.update_yaxes(title_text=axis_title("kpi.curtailment_gwh", "GWh", run.lang), secondary_y=False)
    return Section("curtailment", run.text("section.curtailment"), fig)


def _storage(run: _Run) -> Section | None:
    """State of charge in % of each store's energy capacity, so batteries and hydrogen tanks share an axis."""
    if "storage_level" not in run.ds:
        return None
    energy = run.ds["energy_capacity"]
    stores = [g for g in run.ordered(run.ds["tech"].values)
              if run.kinds[g] in STORE_KINDS and float(energy.sel(tech=g)) > 0]
    if not stores:
        return None
    start = run.weeks[0][1]
    window = run.hourly.window(start)
    factor, unit = run.factor("fraction"), unit_label("fraction", run.lang)
    fig = go.Figure()
    for g in stores:
        soc = run.hourly.add(f"soc:{g}", (run.ds["storage_level"].sel(tech=g) / energy.sel(tech=g)).values)
        fig.add_scatter(x=run.hourly.time[window], y=soc[window] * factor, mode="lines", name=run.names[g],
                        line=dict(color=run.colors[g]), hovertemplate=f"%{{y:,.1f}} {unit}",
                        meta=dict(series=f"soc:{g}", part="all", factor=factor))
    fig.update_xaxes(tickformat="%m-%d", hoverformat="%Y-%m-%d %H:%M")
    fig.update_layout(yaxis_title=axis_title("axis.soc", "fraction", run.lang), yaxis_range=[0, 1.02 * factor])
    return Section("storage", run.text("section.storage"), fig, week=start)


def _thermal_week(run: _Run) -> Section | None:
    """The winter week of the thermal fleet: its output against the floor that commitment and heat extraction
    impose (``min_output``), with wind and solar used and curtailed stacked above. Where the fleet sits on its
    floor while renewables are curtailed, the must-run (CHP in winter) is what curtails them."""
    ds = run.ds
    if "min_output" not in ds or run.power is None:
        return None
    units = [g for g in run.ordered(ds["tech"].values)
             if run.kinds[g] in FUEL_FIRED_KINDS and ds["tech_carrier"].sel(tech=g).item() == ELECTRICITY]
    if not units:
        return None
    start = run.weeks[0][1]  # the winter week where the horizon has one, else its first week
    window = run.hourly.window(start)
    factor, unit = convert(1.0, "MW", run.lang)
    x = run.hourly.time[window]
    heat = ds["heat_output"].sel(tech=units).fillna(0) if "heat_output" in ds else None
    chp = [g for g in units if heat is not None and float(heat.sel(tech=g).sum()) > 0]
    renewables = [g for g in ds["tech"].values if run.kinds[str(g)] in RENEWABLE_KINDS]
    areas = [("thermal_output", run.power.sel(tech=units).clip(min=0).sum("tech"), BASE_COLORS["coal"])]
    if renewables:
        areas += [("renewable_used", run.power.sel(tech=renewables).clip(min=0).sum("tech"), BASE_COLORS["wind"]),
                  ("curtailment", ds["curtailment"].sel(tech=renewables).sum("tech"), BASE_COLORS["curtailment"])]
    lines = [("thermal_floor", ds["min_output"].sel(tech=units).fillna(0).sum("tech"), "dash", FLOOR_COLOR)]
    if chp:
        lines += [("chp_floor", ds["min_output"].sel(tech=chp).sum("tech"), "dot", HEAT_COLOR),
                  ("chp_heat", ds["heat_output"].sel(tech=chp).sum("tech"), "dashdot", HEAT_COLOR)]
    fig = go.Figure()
    for key, values, color in areas:
        series = run.hourly.add(f"thermal:{key}", values.values)
        fig.add_trace(_area(x, series[window] * factor, run.text(f"legend.{key}"), color, "supply", unit, True,
                            dict(series=f"thermal:{key}", part="all", factor=factor)))
    for key, values, dash, color in lines:
        series = run.hourly.add(f"thermal:{key}", values.values)
        fig.add_scatter(x=x, y=series[window] * factor, mode="lines", name=run.text(f"legend.{key}"),
                        line=dict(color=color, width=1.6, dash=dash), hovertemplate=f"%{{y:,.1f}} {unit}",
                        meta=dict(series=f"thermal:{key}", part="all", factor=factor))
    fig.update_xaxes(tickformat="%m-%d", hoverformat="%Y-%m-%d %H:%M")
    fig.update_yaxes(title_text=axis_title("axis.power", "MW", run.lang))
    return Section("thermal_week", run.text("section.thermal_week"), fig, height=480, week=start,
                   body=f"<p>{_esc(run.text('note.thermal_week'))}</p>")


def _thermal(run: _Run) -> Section | None:
    """Full-load and operating hours of each coal unit (left axis) and its start-ups (right axis)."""
    if run.power is None:
        return None
    operation = thermal_operation(run.ds, run.power)
    if operation.empty:
        return None
    names = [run.names[g] for g in operation.index]
    hours_unit = unit_label("h", run.lang)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for column, color in (("full_load_hours", BASE_COLORS["coal"]), ("operating_hours", "#9e9e9e")):
        fig.add_bar(x=names, y=operation[column].values, name=run.text(f"legend.{column}"), marker_color=color,
                    hovertemplate=f"%{{y:,.0f}} {hours_unit}", secondary_y=False)
    if operation["starts"].notna().any():
        fig.add_scatter(x=names, y=operation["starts"].values, name=run.text("legend.starts"), mode="markers",
                        marker=dict(color=BASE_COLORS["grid"], size=11, symbol="diamond"),
                        hovertemplate=f"%{{y:,.1f}} {unit_label('starts', run.lang)}", secondary_y=True)
        fig.update_yaxes(title_text=run.text("axis.starts"), secondary_y=True, showgrid=False, rangemode="tozero",
                         tickmode="auto")
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=axis_title("axis.hours", "h", run.lang), secondary_y=False)
    return Section("thermal", run.text("section.thermal"), fig)


def _products(run: _Run) -> Section | None:
    """Monthly output of the conversion plants, one panel per product carrier in its own unit."""
    output = product_output(run.ds)
    if output is None:
        return None
    units = carrier_units(run.ds)
    buses = [str(b) for b in output["bus"].values]
    fig = make_subplots(rows=len(buses), cols=1, shared_xaxes=True, vertical_spacing=0.06)
    months = month_labels(output)
    for row, bus in enumerate(buses, 1):
        carrier = bus.split("/", 1)[1]
        name = label(f"carrier.{carrier}", run.lang, carrier)
        unit = "GWh" if units.get(carrier) == "MWh" else "t"
        factor = (1 / MWH_PER_GWH if unit == "GWh" else 1.0) * run.factor(unit)
        for g in run.ordered(output["tech"].values):
            values = output.sel(bus=bus, tech=g).values * factor
            if values.any():
                fig.add_bar(x=months, y=values, name=f"{run.names[g]} · {name}", marker_color=run.colors[g],
                            hovertemplate=f"%{{y:,.1f}} {unit_label(unit, run.lang)}", row=row, col=1)
        fig.update_yaxes(title_text=f"{name} ({unit_label(unit, run.lang)})", row=row, col=1)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_xaxes(title_text=run.text("axis.month"), row=len(buses), col=1)
    return Section("products", run.text("section.products"), fig, height=220 + 180 * len(buses))


def _product_economics(run: _Run) -> Section | None:
    """Per plant: annual product, electricity drawn, green share and levelised cost (energy_model.products)."""
    if "levelised_cost" not in run.ds:
        return None
    plants = product_table(run.ds)
    if plants.empty:
        return None
    rows = []
    for r in plants.itertuples(index=False):
        unit = "GWh/yr" if r.product == ELECTRICITY else "t/yr"
        output, output_unit = convert(r.annual_output / (MWH_PER_GWH if unit == "GWh/yr" else 1.0), unit, run.lang)
        energy, energy_unit = convert(r.annual_electricity_mwh, "MWh/yr", run.lang)
        cost, cost_unit = convert(r.lc_total, "CNY/t", run.lang)
        rows.append((run.names[r.tech], label(f"carrier.{r.product}", run.lang, r.product),
                     f"{_fmt(output)} {output_unit}", f"{_fmt(energy)} {energy_unit}",
                     f"{_fmt(run.factor('fraction') * r.green_share)} {unit_label('fraction', run.lang)}",
                     f"{_fmt(cost)} {cost_unit}"))
    frame = pd.DataFrame(rows, columns=[run.text(f"table.{k}") for k in (
        "plant", "product", "annual_output", "electricity", "green_share", "levelised_cost")])
    body = f"<p>{_esc(run.text('products.note'))}</p>{_html_table(frame)}"
    return Section("product_economics", run.text("section.product_economics"), body=body, classes=["table"])


def _levelised_cost(run: _Run) -> Section | None:
    """Levelised cost of each product made, stacked by part [CNY/t]; hydrogen also per kg in its name."""
    if "product_levelised_cost" not in run.ds:
        return None
    cost, made = run.ds["product_levelised_cost"], run.ds["product_made"]
    products = [str(c) for c in cost["product"].values if float(made.sel(product=c)) > 0]
    if not products:
        return None
    names = []
    for c in products:
        name = label(f"carrier.{c}", run.lang, c)
        if c == "hydrogen":
            name += f" ({_fmt(float(cost.sel(product=c).sum()) / KG_PER_T)} {unit_label('CNY/kg', run.lang)})"
        names.append(name)
    unit = unit_label("CNY/t", run.lang)
    fig = go.Figure()
    for part, color in zip(COST_PARTS, COST_PART_COLORS):
        values = cost.sel(product=products, cost_part=part).values * run.factor("CNY/t")
        if np.nan_to_num(values).any():
            fig.add_bar(x=names, y=values, name=run.text(f"cost_part.{part}"), marker_color=color,
                        hovertemplate=f"%{{y:,.0f}} {unit}")
    fig.update_layout(barmode="relative", yaxis_title=f"{run.text('table.levelised_cost')} ({unit})")
    return Section("levelised_cost", run.text("section.levelised_cost"), fig, height=420)


def _table(run: _Run, name: str, frame: pd.DataFrame) -> Section | None:
    if frame.empty:
        return None
    return Section(name, label(f"section.{name}", run.lang, name), body=_html_table(localize_table(frame, run.lang)),
                   classes=["table"])


def _kpi_table(run: _Run) -> Section | None:
    if run.summary.empty:
        return None
    table = localized_summary(run.summary, run.ds, run.lang)[["name", "value", "unit"]]
    table.columns = [run.text(k) for k in ("table.kpi", "table.value", "table.unit")]
    return Section("kpi_table", run.text("section.kpi_table"), body=_html_table(table), classes=["table"])


# ---- project economics ---------------------------------------------------------------------------------------
TORNADO_COLORS = {"low": "#1f6fb4", "high": "#e0b000"}


def _finance(run: _Run) -> list[Section]:
    """Per project with a finance section: yearly cash flows with the cumulative net, the NPV tornado, and the
    sizing sweep where the run made one."""
    sections = []
    for i, r in enumerate(finance.from_dataset(run.ds)):
        name = r.label_zh if run.lang == "zh" and r.label_zh else r.name
        sections.append(Section(f"finance_cashflow_{i}", f"{run.text('section.finance_cashflow')} · {name}",
                                _cashflow_figure(run, r), height=420))
        if r.statement is not None:
            sections.append(Section(f"finance_statement_{i}", f"{run.text('section.finance_statement')} · {name}",
                                    _statement_figure(run, r), height=420, body=_statement_table(run, r)))
        if r.risk_samples is not None:
            sections.append(Section(f"finance_risk_{i}", f"{run.text('section.finance_risk')} · {name}",
                                    _risk_figure(run, r), height=380))
        if r.tornado is not None and len(r.tornado):
            sections.append(Section(f"finance_tornado_{i}", f"{run.text('section.finance_tornado')} · {name}",
                                    _tornado_figure(run, r), height=140 + 50 * len(r.tornado)))
        if r.sweep is not None:
            figure, table = _sweep(run, r)
            sections.append(Section(f"finance_sweep_{i}", f"{run.text('section.finance_sweep')} · {name}",
                                    figure, height=420, body=table))
    return sections


def _cashflow_figure(run: _Run, r: finance.ProjectFinance) -> go.Figure:
    factor, unit = convert(1.0, "CNY", run.lang)
    years = [int(y) for y in r.cashflows.columns]
    fig = go.Figure()
    for item, values in r.cashflows.drop(index="net").iterrows():
        if np.allclose(values.to_numpy(dtype=float), 0.0):
            continue
        fig.add_bar(x=years, y=values.to_numpy() * factor, name=label(f"item.{item}", run.lang, item),
                    hovertemplate=f"%{{x}}: %{{y:,.3f}} {unit}")
    cumulative = np.cumsum(r.cashflows.loc["net"].to_numpy()) * factor
    fig.add_scatter(x=years, y=cumulative, mode="lines+markers", name=run.text("finance.cumulative"),
                    line=dict(color=PRICE_COLOR, width=1.5), hovertemplate=f"%{{x}}: %{{y:,.3f}} {unit}")
    return fig.update_layout(barmode="relative", xaxis_title=run.text("column.year"),
                             yaxis_title=axis_title("axis.cashflow", "CNY", run.lang))


STATEMENT_SHOWN = ("sales", "ebitda", "income_tax", "debt_service", "cfads", "dscr", "project_after_tax", "equity")


def _statement_figure(run: _Run, r: finance.ProjectFinance) -> go.Figure:
    """The project's and the equity's yearly cash flows (bars), their cumulative sums, and the DSCR."""
    factor, unit = convert(1.0, "CNY", run.lang)
    years = [int(y) for y in r.statement.columns]
    fig = go.Figure()
    for line, color in (("project_after_tax", "#1f6fb4"), ("equity", "#e0b000")):
        values = r.statement.loc[line].to_numpy(dtype=float) * factor
        name = label(f"line.{line}", run.lang, line)
        fig.add_bar(x=years, y=values, name=name, marker_color=color, hovertemplate=f"%{{x}}: %{{y:,.3f}} {unit}")
        fig.add_scatter(x=years, y=np.cumsum(values), mode="lines", line=dict(color=color, width=1.5, dash="dot"),
                        name=f"{name} · {run.text('finance.cumulative')}", hovertemplate=f"%{{x}}: %{{y:,.3f}} {unit}")
    dscr = r.statement.loc["dscr"].to_numpy(dtype=float)
    if np.isfinite(dscr).any():
        fig.add_scatter(x=years, y=dscr, mode="lines+markers", yaxis="y2", name=run.text("line.dscr"),
                        line=dict(color=PRICE_COLOR, width=1.5), hovertemplate="%{x}: %{y:.2f}")
        fig.update_layout(yaxis2=dict(title=run.text("line.dscr"), overlaying="y", side="right", rangemode="tozero",
                                      tickmode="auto", tickformat=".1f", showgrid=False), legend=dict(x=1.08))
    return fig.update_layout(barmode="group", xaxis_title=run.text("column.year"),
                             yaxis_title=axis_title("axis.cashflow", "CNY", run.lang))


def _statement_table(run: _Run, r: finance.ProjectFinance) -> str:
    """The statement's main lines by year (all lines are in finance.csv and results.xlsx)."""
    factor, unit = convert(1.0, "CNY", run.lang)
    rows = []
    for line in STATEMENT_SHOWN:
        values = r.statement.loc[line].to_numpy(dtype=float)
        shown = [f"{v:.2f}" if line == "dscr" and np.isfinite(v) else ("–" if not np.isfinite(v) else
                 f"{round(v * factor, 3) + 0.0:,.3f}") for v in values]  # + 0.0: no "-0.000"
        rows.append([f"{label(f'line.{line}', run.lang, line)}" + ("" if line == "dscr" else f" [{unit}]"), *shown])
    frame = pd.DataFrame(rows, columns=[run.text("column.item"), *map(str, r.statement.columns)])
    return f'<div class="wide">{_html_table(frame)}</div>'


def _risk_figure(run: _Run, r: finance.ProjectFinance) -> go.Figure:
    """The NPV of the Monte Carlo draws as a histogram, their cumulative distribution, and P90/P50 marked."""
    factor, unit = convert(1.0, "CNY", run.lang)
    values = np.sort(r.risk_samples) * factor
    fig = go.Figure()
    fig.add_histogram(x=values, histnorm="probability", nbinsx=40, marker_color="#1f6fb4",
                      name=run.text("risk.share"), hovertemplate=f"%{{x:,.2f}} {unit}: %{{y:.1%}}<extra></extra>")
    fig.add_scatter(x=values, y=np.arange(1, len(values) + 1) / len(values), mode="lines", yaxis="y2",
                    name=run.text("risk.cumulative"), line=dict(color=PRICE_COLOR, width=1.5))
    for key in ("npv_p90", "npv_p50"):
        fig.add_vline(x=r.metrics[key] * factor, line_dash="dash", line_color="#e0b000", line_width=2,
                      annotation_text=f"{label(f'metric.{key}', run.lang).split('（')[0].split(' (')[0]} "
                                      f"{r.metrics[key] * factor:,.2f}")
    return fig.update_layout(xaxis_title=axis_title("axis.npv", "CNY", run.lang), yaxis_title=run.text("risk.share"),
                             yaxis2=dict(title=run.text("risk.cumulative"), overlaying="y", side="right",
                                         range=[0, 1], tickmode="auto", tickformat=".0%", showgrid=False),
                             yaxis=dict(tickformat=".0%"), legend=dict(x=1.08))


def _tornado_figure(run: _Run, r: finance.ProjectFinance) -> go.Figure:
    """Bars from the base NPV to the NPV at each end of each range, the widest at the top."""
    factor, unit = convert(1.0, "CNY", run.lang)
    base = r.metrics["npv"] * factor
    table = r.tornado.assign(span=(r.tornado["npv_high"] - r.tornado["npv_low"]).abs()).sort_values("span")
    names = [label(f"tornado.{p}", run.lang, p) for p in table.index]
    fig = go.Figure()
    for side in finance.TORNADO_SIDES:
        settings = [f"{v:.1%}" if p == "wacc" else f"×{v:.2f}" for p, v in zip(table.index, table[f"setting_{side}"])]
        fig.add_bar(y=names, x=table[f"npv_{side}"].to_numpy() * factor - base, base=base, orientation="h",
                    name=run.text(f"legend.{side}"), marker_color=TORNADO_COLORS[side], customdata=settings,
                    hovertemplate=f"%{{customdata}}: %{{x:,.3f}} {unit}<extra></extra>")
    fig.add_vline(x=base, line_color=PRICE_COLOR, line_width=1,
                  annotation_text=f"{run.text('finance.base_npv')} {base:,.2f} {unit}")
    return fig.update_layout(barmode="overlay", xaxis_title=axis_title("axis.npv", "CNY", run.lang))


def _sweep(run: _Run, r: finance.ProjectFinance) -> tuple[go.Figure | None, str]:
    """A map of NPV over the two swept capacities (the optimiser's design a star) when two are swept, and the
    table of designs, best NPV first and marked."""
    sweep = r.sweep
    techs = [c.removeprefix("capacity_") for c in sweep.columns if c.startswith("capacity_")]
    units = {g: str(run.ds["capacity_unit"].sel(tech=g).item()) if g in run.ds["tech"] else "MW" for g in techs}
    shown = {g: convert(1.0, units[g], run.lang) for g in techs}  # factor, display unit
    factor, unit = convert(1.0, "CNY", run.lang)
    best = sweep["npv"].idxmax() if sweep["npv"].notna().any() else None
    rows = []
    for index, point in sweep.sort_values("npv", ascending=False, na_position="last").iterrows():
        marks = [run.text("finance.optimum")] * bool(point["optimum"]) + [run.text("finance.best")] * (index == best)
        rows.append([float(point[f"capacity_{g}"]) * shown[g][0] for g in techs]
                    + [float(point["npv"]) * factor, float(point["levelised"]), point["status"], "; ".join(marks)])
    columns = [f"{run.names.get(g, g)} ({shown[g][1]})" for g in techs]
    metric_unit = unit_label(r.units.get(r.sweep_metric, ""), run.lang)
    columns += [f"{run.text('axis.npv')} ({unit})", f"{r.sweep_metric} ({metric_unit})",
                run.text("finance.status"), ""]
    frame = pd.DataFrame(rows, columns=columns)
    table = _html_table(frame if r.sweep_metric else frame.drop(columns=columns[len(techs) + 1]))
    swept, grid = techs[1:], sweep[~sweep["optimum"]]
    if len(swept) != 2 or not grid["npv"].notna().any():
        return None, table
    (gx, gy), (fx, fy) = swept, (shown[g][0] for g in swept)
    surface = grid.pivot_table(index=f"capacity_{gy}", columns=f"capacity_{gx}", values="npv") * factor
    fig = go.Figure(go.Heatmap(x=surface.columns * fx, y=surface.index * fy, z=surface.values, colorscale="RdYlGn",
                               colorbar=dict(title=unit), hovertemplate=f"%{{z:,.3f}} {unit}<extra></extra>"))
    optimum = sweep[sweep["optimum"]].iloc[0]
    fig.add_scatter(x=[optimum[f"capacity_{gx}"] * fx], y=[optimum[f"capacity_{gy}"] * fy], mode="markers",
                    name=run.text("finance.optimum"), marker=dict(symbol="star", size=16, color=PRICE_COLOR))
    return fig.update_layout(xaxis_title=f"{run.names.get(gx, gx)} ({shown[gx][1]})",
                             yaxis_title=f"{run.names.get(gy, gy)} ({shown[gy][1]})"), table
