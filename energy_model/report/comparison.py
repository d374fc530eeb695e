"""The runs of a batch side by side: KPIs, capacity and generation mix, plan targets met or missed.

Reads ``index.csv`` and, for every successful run, its ``results.nc`` and ``summary.csv``; writes
``comparison.csv`` (one table: section, item, unit, one column per run, canonical units),
``comparison.xlsx`` (one sheet per table, units in the headers) and ``comparison.html`` (self-contained,
plotly.js embedded once, in Chinese or English). Each run's horizon (hours it stands for, time steps
solved, representative days) is read from its results and shown with it: a batch may mix horizons. The
plan targets are the checks of each run's plan audit, as the run stored them in results.nc (from the case's
``plan_targets.yaml``, see :mod:`energy_model.analysis.audit`); a batch of a case without one has no target table.
A pathway run takes part with its last period (the plan year) and its discounted total cost.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr
from plotly.offline import get_plotlyjs

from ..analysis import audit
from ..case.files import CASE_FILE, read_yaml
from ..case.schema import kinds_with
from ..constants import ELECTRICITY, GENERATOR, LOAD, MWH_PER_GWH
from ..errors import InputError
from ..results.dataset import has_role
from ..results.index import INDEX_COLUMNS, INDEX_FILE
from ..results.netcdf import open_results
from ..results.pathway import final_view
from .html import CSS, FONT, TOPOJSON_CDN, tech_colors
from .labels import axis_title, convert, kpi_name, label, tech_names
from .pathway import MIX_ROLES

OUTPUTS = ("comparison.csv", "comparison.xlsx", "comparison.html")
PER_TECH_PREFIXES = ("capacity_", "energy_capacity_", "generation_")
EXTRA_CSS = """
td.met { background: #e3f4e3; } td.missed { background: #fbe3e3; } td.shown { color: #666; }
td.failed { color: #b00020; } div.wide { overflow-x: auto; }
div.wide td, div.wide th { white-space: nowrap; } div.wide td.error { white-space: normal; min-width: 20rem; } .note { color: #666; font-size: 0.9rem; } td.src { font-size: 0.8rem; color: #666; }
"""


@dataclass
class Comparison:
    """The tables of one batch; every per-run table has one column per successful run."""

    index: pd.DataFrame
    runs: list[str]
    horizon: pd.DataFrame  # index item (hours, snapshots, representative_days); unit + runs
    all_kpis: pd.DataFrame  # index kpi; unit + runs: every summary.csv row (over the modelled horizon)
    capacity: pd.DataFrame  # index tech; kind, unit + runs
    generation: pd.DataFrame  # index tech; kind + runs [GWh over the horizon]
    targets: pd.DataFrame | None  # index check; label, label_zh, relation, unit, tolerance, source
    actual: pd.DataFrame | None  # index check; runs -> the run's figure (in the check's unit)
    plans: pd.DataFrame | None  # index check; runs -> the figure it is checked against (the same in most)
    met: pd.DataFrame | None  # index check; runs -> True / False / None (shown only, or not audited)
    datasets: dict[str, xr.Dataset]
    params: list[str]

    @property
    def kpis(self) -> pd.DataFrame:
        """The system-level rows; the per-technology ones are the capacity and generation tables."""
        return self.all_kpis[[not str(k).startswith(PER_TECH_PREFIXES) for k in self.all_kpis.index]]


def collect(batch_dir: str | Path) -> Comparison:
    """Read the index and the results of every successful run of ``batch_dir``, with the checks of their
    plan audits (the union of them, in the order of the first run that has each)."""
    batch_dir = Path(batch_dir)
    if not (batch_dir / INDEX_FILE).is_file():
        raise InputError([f"{batch_dir}: no {INDEX_FILE}; give the folder of a batch (energy-model scenarios or "
                          "sweep write one)"])
    index = pd.read_csv(batch_dir / INDEX_FILE)
    params = [c for c in index.columns if c not in INDEX_COLUMNS]
    runs = [str(name) for name, status in zip(index["name"], index["status"]) if status == "ok"]
    datasets, summaries = {}, {}
    for run in runs:
        datasets[run] = final_view(open_results(batch_dir / run / "results.nc"))  # a pathway: its last period
        summaries[run] = pd.read_csv(batch_dir / run / "summary.csv").set_index("kpi")
    horizon = pd.DataFrame({run: _horizon(datasets[run]) for run in runs}, index=list(HORIZON_UNITS))
    horizon.insert(0, "unit", list(HORIZON_UNITS.values()))
    all_kpis = _kpis(summaries, runs)
    capacity = _per_tech(datasets, runs, "capacity", lambda ds: ds["capacity"].to_series())
    generation = _per_tech(datasets, runs, "generation", _generation)
    checks = {run: table[table["group"] == "check"].set_index("check")
              for run in runs if (table := audit.from_dataset(datasets[run])) is not None}
    targets = actual = plans = met = None
    if checks:
        targets = pd.concat(checks.values())[DESCRIPTION].groupby(level=0, sort=False).first()
        actual, plans = (pd.DataFrame({run: table[column] for run, table in checks.items()}, index=targets.index)
                         .reindex(columns=runs) for column in ("scenario", "plan"))
        met = pd.DataFrame({run: [_met(checks.get(run), name) for name in targets.index] for run in runs},
                           index=targets.index)
    return Comparison(index=index, runs=runs, horizon=horizon, all_kpis=all_kpis, capacity=capacity,
                      generation=generation, targets=targets, actual=actual, plans=plans, met=met,
                      datasets=datasets, params=params)


DESCRIPTION = ["label", "label_zh", "relation", "unit", "tolerance", "source"]


def _met(table: pd.DataFrame | None, check: str) -> bool | None:
    """Whether a run passed a check: None where it only shows a figure or did not audit it."""
    if table is None or check not in table.index or pd.isna(table.at[check, "passed"]):
        return None
    return bool(table.at[check, "passed"])


HORIZON_UNITS = {"hours": "h", "snapshots": "", "representative_days": "", "sizing_days": ""}


def _horizon(ds: xr.Dataset) -> list[float]:
    """Hours the run stands for (its weights), time steps solved, representative days (0: every hour), and
    the representative days its capacities were sized on before an hourly dispatch (0: one optimisation)."""
    return [float(ds["weight"].sum()), int(ds.attrs["snapshots"]), int(ds.attrs.get("representative_days", 0)),
            int(ds.attrs.get("sizing_days", 0))]


def horizon_text(c: Comparison, run: str, lang: str) -> str:
    """``12 representative days for 8,760 h``, ``8,760 h, sized on 24 representative days`` or ``8,760 h``:
    what a run's totals are over."""
    hours, _, days, sizing = c.horizon[run]
    text = label("compare.hours", lang).format(hours=f"{hours:,.0f}")
    if days:
        return label("compare.days", lang).format(days=int(days), hours=text)
    return label("compare.sized", lang).format(hours=text, days=int(sizing)) if sizing else text


def _kpis(summaries: dict[str, pd.DataFrame], runs: list[str]) -> pd.DataFrame:
    if not runs:
        return pd.DataFrame(columns=["unit"])
    # every run's rows, in order of first appearance: a variant may add a project the others lack
    keep = list(dict.fromkeys(k for run in runs for k in summaries[run].index))
    units = pd.concat([summaries[run]["unit"] for run in runs])
    table = pd.DataFrame({"unit": units[~units.index.duplicated()].reindex(keep)})
    for run in runs:
        table[run] = summaries[run]["value"].reindex(keep)
    return table


def _generation(ds: xr.Dataset) -> pd.Series:
    """Electricity generated per thermal and renewable technology over the horizon [GWh]."""
    elec = ds["flow"].sel(bus=ds["bus"][ds["bus_carrier"] == ELECTRICITY]).sum("bus").clip(min=0)
    energy = (elec * ds["weight"]).sum("time") / MWH_PER_GWH
    return energy.where(has_role(ds, GENERATOR), 0.0).to_series()


def _per_tech(datasets: dict[str, xr.Dataset], runs: list[str], what: str, values) -> pd.DataFrame:
    """Technologies with a non-zero value in some run; kind and unit beside the run columns."""
    if not runs:
        return pd.DataFrame()
    first = datasets[runs[0]]
    table = pd.DataFrame({"kind": first["tech_kind"].to_series(),
                          "unit": first["capacity_unit"].to_series() if what == "capacity" else "GWh"})
    for run in runs:
        table[run] = values(datasets[run])
    keep = (table[runs].abs() > 1e-9).any(axis=1) & ~table["kind"].isin(kinds_with(LOAD))
    return table[keep]


# ---- writing ------------------------------------------------------------------------------------------
def batch_language(c: Comparison) -> str:
    """The ``report_language`` of the batch's case (zh if it names none)."""
    cases = c.index["case"].dropna()
    return read_yaml(Path(cases.iloc[0]) / CASE_FILE).get("report_language", "zh") if len(cases) else "zh"



def write_comparison(batch_dir: str | Path, lang: str | None = None) -> list[Path]:
    """Write ``comparison.csv``, ``.xlsx`` and ``.html`` into ``batch_dir``; return their paths. The
    language defaults to the ``report_language`` of the batch's case."""
    batch_dir = Path(batch_dir)
    comparison = collect(batch_dir)
    lang = lang or batch_language(comparison)
    paths = [batch_dir / name for name in OUTPUTS]
    long_table(comparison).to_csv(paths[0], index=False)
    write_xlsx(comparison, paths[1])
    paths[2].write_text(html_page(comparison, batch_dir.name, lang), encoding="utf-8")
    return paths


def long_table(c: Comparison) -> pd.DataFrame:
    """Every table stacked: ``section, item, unit, <run>...`` in canonical units."""
    parts = [
        _section_frame("horizon", c.horizon, c.runs),
        _section_frame("kpi", c.kpis, c.runs),
        _section_frame("capacity", c.capacity, c.runs),
        _section_frame("generation", c.generation, c.runs),
    ]
    if c.targets is not None:
        for section, table in (("target", c.actual), ("target_plan", c.plans)):
            parts.append(_section_frame(section, table.assign(unit=c.targets["unit"]), c.runs))
        parts.append(_section_frame("target_met", c.met.assign(unit="met"), c.runs))
    return pd.concat(parts, ignore_index=True)


def _section_frame(section: str, table: pd.DataFrame, runs: list[str]) -> pd.DataFrame:
    frame = table.reindex(columns=["unit", *runs]).reset_index(names="item")
    frame.insert(0, "section", section)
    return frame


def write_xlsx(c: Comparison, path: Path) -> None:
    """One sheet per table; headers carry units (openpyxl)."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        runs = c.index.copy()
        for item in c.horizon.index:
            runs[f"horizon_{item}"] = runs["name"].astype(str).map(c.horizon.loc[item, c.runs])
        runs.to_excel(writer, sheet_name="runs", index=False)
        if c.targets is not None:
            _tidy_targets(c).to_excel(writer, sheet_name="targets", index=False)
        c.kpis.to_excel(writer, sheet_name="kpis", index_label="kpi")
        c.capacity.to_excel(writer, sheet_name="capacity (MW, t per h)", index_label="tech")
        c.generation.to_excel(writer, sheet_name="generation (GWh)", index_label="tech")
        for sheet in writer.sheets.values():
            sheet.freeze_panes = "B2"
            for column in sheet.columns:
                width = max(len(str(cell.value)) if cell.value is not None else 0 for cell in column[:50])
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)


def _tidy_targets(c: Comparison) -> pd.DataFrame:
    """One row per run and check: the run's figure, the plan's, whether it is met, and the check's source."""
    rows = []
    for run in c.runs:
        for check, target in c.targets.iterrows():
            rows.append({"run": run, "check": check, "label": target["label"], "value": c.actual.at[check, run],
                         "relation": target["relation"], "plan": c.plans.at[check, run], "unit": target["unit"],
                         "tolerance": target["tolerance"], "met": c.met.at[check, run], "source": target["source"]})
    return pd.DataFrame(rows)


# ---- HTML ---------------------------------------------------------------------------------------------
def html_page(c: Comparison, batch: str, lang: str) -> str:
    sections = [_runs_table(c, lang)]
    if c.runs:
        names = tech_names(c.datasets[c.runs[0]], lang)
        colors = tech_colors(c.datasets[c.runs[0]])
        if c.targets is not None:
            sections.append(_targets_table(c, lang))
        sections += [_kpi_table(c, names, lang), _mix_chart(c, "capacity", names, colors, lang),
                     _mix_chart(c, "generation", names, colors, lang), _objective_chart(c, lang)]
    else:
        sections.append(f"<p>{_esc(label('compare.no_runs', lang))}</p>")
    title = f"{label('compare.title', lang)} – {batch}"
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{_esc(title)}</title>\n'
            f"<style>{CSS}{EXTRA_CSS}</style>\n"
            f'<script type="text/javascript">{get_plotlyjs().replace(TOPOJSON_CDN, chr(34) + "./topojson/" + chr(34))}'
            f"</script>\n</head>\n<body>\n<h1>{_esc(title)}</h1>\n{''.join(s for s in sections if s)}</body>\n</html>\n")


def _runs_table(c: Comparison, lang: str) -> str:
    head = ["compare.run", "compare.scenario", *c.params, "compare.status", "compare.horizon_column",
            "compare.skipped", "meta.objective", "compare.wall_s", "compare.error"]
    rows = []
    for row in c.index.to_dict("records"):
        objective = row.get("objective")
        shown = "–" if pd.isna(objective) else "{} {}".format(*_display(float(objective), "CNY", lang))
        status = str(row.get("status"))
        horizon = horizon_text(c, str(row["name"]), lang) if str(row["name"]) in c.runs else None
        cells = [row["name"], row.get("scenario"), *(row.get(p) for p in c.params), status, horizon,
                 "✓" if row.get("skipped") is True else "", shown, row.get("wall_s"), row.get("error")]
        klass = "failed" if status == "failed" else ""
        rows.append("<tr>" + "".join(f'<td class="{klass}">{_esc(_blank(v))}</td>' for v in cells[:-1])
                    + f'<td class="{klass} error">{_esc(_blank(cells[-1]))}</td></tr>')
    header = "".join(f"<th>{_esc(label(h, lang, default=h))}</th>" for h in head)
    return _section("runs", label("compare.section.runs", lang), _table(header, rows))


def _targets_table(c: Comparison, lang: str) -> str:
    """One row per run, one column per check: the run's figure, marked met (✓) or missed (✗). The plan's
    figure heads the column, or, for a check against a figure of the run itself, follows each cell."""
    goals, common = [], {}
    for check, target in c.targets.iterrows():
        goal = target["label_zh" if lang == "zh" else "label"]
        plans = c.plans.loc[check].dropna().unique()
        if target["relation"] != audit.REPORT and len(plans) == 1:
            common[check] = True
            goal += f" {_relation(target['relation'], float(plans[0]), str(target['unit']), lang)}"
        goals.append(goal)
    rows = []
    for run in c.runs:
        cells = []
        for check, target in c.targets.iterrows():
            value, shown_unit = _display(float(c.actual.at[check, run]), str(target["unit"]), lang)
            plan = c.plans.at[check, run]
            if not common.get(check) and pd.notna(plan):
                shown_unit += f" {_relation(target['relation'], float(plan), str(target['unit']), lang)}"
            met = c.met.at[check, run]
            klass, mark = ("shown", "") if met is None or pd.isna(met) else ("met", " ✓") if met else ("missed", " ✗")
            tip = label(f"compare.{'report' if klass == 'shown' else klass}", lang)
            cells.append(f'<td class="num {klass}" title="{_esc(tip)}">{value} {_esc(shown_unit)}{mark}</td>')
        rows.append(f"<tr><td>{_esc(run)}</td>{''.join(cells)}</tr>")
    header = "".join(f"<th>{_esc(h)}</th>" for h in [label("compare.run", lang), *goals])
    sources = "".join(f"<li>{_esc(goal)}: {_esc(source)}</li>" for goal, source in zip(goals, c.targets["source"]))
    notes = (f'<p class="note">{_esc(label("compare.annualised", lang))}. '
             f'{_esc(label("compare.output_value_note", lang))}</p><ul class="note">{sources}</ul>')
    return _section("targets", label("compare.section.targets", lang), _table(header, rows) + notes)


def _relation(relation: str, plan: float, unit: str, lang: str) -> str:
    """``≥ 266 万千瓦``: a relation and the figure it compares with, in display units."""
    value, shown_unit = _display(plan, unit, lang)
    return f"{RELATIONS[relation]} {value} {shown_unit}"


RELATIONS = {">=": "≥", "<=": "≤", "==": "="}


def _kpi_table(c: Comparison, names: dict[str, str], lang: str) -> str:
    rows = []
    for kpi, row in c.kpis.iterrows():
        cells = []
        for run in c.runs:
            value, unit = _display(float(row[run]), str(row["unit"]), lang)
            cells.append(f'<td class="num">{value}</td>')
        shown_unit = convert(1.0, str(row["unit"]), lang)[1]
        rows.append(f"<tr><td>{_esc(kpi_name(str(kpi), names, lang))}</td><td>{_esc(shown_unit)}</td>"
                    f"{''.join(cells)}</tr>")
    header = "".join(f"<th>{_esc(h)}</th>" for h in [label("table.kpi", lang), label("table.unit", lang), *c.runs])
    hours = set(c.horizon.loc["hours", c.runs])  # representative days of a year stand for the year's hours
    text = label("compare.horizons_differ", lang) if len(hours) > 1 else \
        label("compare.horizon", lang).format(hours=f"{hours.pop():,.0f}")
    note = f'<p class="note">{_esc(text)}</p>'
    return _section("kpis", label("compare.section.kpis", lang), note + _table(header, rows))


def _mix_chart(c: Comparison, what: str, names: dict[str, str], colors: dict[str, str], lang: str) -> str | None:
    """Stacked bars per run, one trace per technology: generators and stores for capacity (a grid
    connection or an electrolyser stacked on them would read as generating capacity)."""
    table = c.capacity[c.capacity["kind"].isin(kinds_with(*MIX_ROLES)) & (c.capacity["unit"] == "MW")] if what == "capacity" \
        else c.generation
    if table.empty:
        return None
    unit = "MW" if what == "capacity" else "GWh"
    factor = convert(1.0, unit, lang)[0]
    fig = go.Figure()
    for tech, row in table.iterrows():
        fig.add_bar(x=c.runs, y=[row[run] * factor for run in c.runs], name=names.get(tech, tech),
                    marker_color=colors.get(tech), hovertemplate=f"{names.get(tech, tech)}: %{{y:,.1f}}<extra></extra>")
    fig.update_layout(barmode="stack", yaxis_title=axis_title("axis.capacity" if what == "capacity" else "axis.energy",
                                                              unit, lang), xaxis_tickangle=-30)
    return _section(what, label(f"compare.section.{what}", lang), _figure(fig, f"fig-{what}"))


def _objective_chart(c: Comparison, lang: str) -> str:
    factor, unit = convert(1.0, "CNY", lang)
    values = [float(c.datasets[run].attrs["objective"]) * factor for run in c.runs]
    fig = go.Figure(go.Bar(x=c.runs, y=values, marker_color="#555", hovertemplate=f"%{{y:,.2f}} {unit}<extra></extra>"))
    fig.update_layout(yaxis_title=f"{label('meta.objective', lang)} ({unit})", xaxis_tickangle=-30)
    return _section("objective", label("compare.section.objective", lang), _figure(fig, "fig-objective", 360))


def _figure(fig: go.Figure, div_id: str, height: int = 460) -> str:
    fig.update_layout(template="simple_white", font_family=FONT, height=height, margin=dict(l=70, r=30, t=20, b=90))
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def _display(value: float, unit: str, lang: str) -> tuple[str, str]:
    shown, shown_unit = convert(value, unit, lang)
    if not np.isfinite(shown):
        return "–", shown_unit
    size = abs(shown)
    text = f"{shown:.2g}" if 0 < size < 0.01 else f"{shown:,.{0 if size >= 100 else 1 if size >= 10 else 2}f}"
    return text, shown_unit


def _table(header: str, rows: list[str]) -> str:
    """A table that scrolls sideways inside the page when a batch has many runs."""
    return f'<div class="wide"><table><tr>{header}</tr>{"".join(rows)}</table></div>'


def _blank(value) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _esc(text) -> str:
    return html.escape(str(text))


def _section(key: str, title: str, body: str) -> str:
    return f'<section id="{key}">\n<h2>{_esc(title)}</h2>\n{body}\n</section>\n'
