"""Command line: ``energy-model run``, ``list``, and the batch commands ``scenarios``, ``sweep``, ``compare``.

Every failure ends with a plain message on stderr and a non-zero exit code, never a traceback
(``--debug`` shows it): 2 invalid input, 3 no solution (infeasible, unbounded, stopped before a
feasible point; the diagnosis is printed and written to the run folder), 4 results could not be
written (a file system error, or no browser for ``--images``), 1 an internal error (a bug), 130
interrupted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .analysis import finance
from .case.config import list_scenarios
from .errors import InputError, SolveError
from .model.direct_supply import RULES as DIRECT_SUPPLY_RULES
from .report.labels import LANGUAGES
from .results.pathway import final_view
from .solve.highs import OPTIMAL

EXIT_INPUT, EXIT_SOLVE, EXIT_WRITE, EXIT_BUG, EXIT_INTERRUPTED = 2, 3, 4, 1, 130

# the options both batch commands (scenarios, sweep) take
BatchHours = Annotated[Optional[int], typer.Option(min=1, max=8784, help="solve only the first N hours (quick checks)")]
BatchDays = Annotated[Optional[int], typer.Option(
    min=0, max=366, help="solve every run on K representative days (tsam); 0 = every hour")]
BatchSizingDays = Annotated[Optional[int], typer.Option(
    "--sizing-days", min=0, max=366, help="size every run on K representative days, then dispatch every hour; "
                                 "0 = one optimisation (default: as the case says)")]
BatchWorkers = Annotated[Optional[int], typer.Option(min=1, help="parallel runs (default: one per core)")]
BatchScheduler = Annotated[Optional[str], typer.Option(
    help="Dask scheduler address tcp://host:port (default: local processes)")]
BatchForce = Annotated[bool, typer.Option("--force", help="re-run even where inputs are unchanged")]
BatchLang = Annotated[Optional[str], typer.Option(
    help="language of reports and comparison, zh or en (default: the case's)")]
BatchTimeLimit = Annotated[Optional[float], typer.Option(help="solver time limit per run [s]")]
BatchNoReport = Annotated[bool, typer.Option("--no-report", help="skip each run's report.html")]
Debug = Annotated[bool, typer.Option(help="show tracebacks")]

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Capacity and dispatch optimisation of the Shuangliao energy base (pyomo + HiGHS).")


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"energy-model {version('energy-model')}")
        except PackageNotFoundError:
            typer.echo("energy-model (not installed)")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                      help="print the version and exit")):
    """Capacity and dispatch optimisation of the Shuangliao energy base (pyomo + HiGHS)."""


@app.command()
def run(
    case: Path = typer.Argument(..., help="case folder, e.g. inputs/shuangliao"),
    scenario: str = typer.Option(None, "--scenario", "-s", help="scenario name (default: the case's default)"),
    out: Path = typer.Option(None, "--out", "-o", help="output folder (default: results/<scenario>, with _h720 "
                             "for --hours 720, _d12 for --days 12, _s0 for --sizing-days 0); a folder that holds "
                             "anything but an earlier run is refused"),
    hours: int = typer.Option(None, min=1, max=8784, help="solve only the first N hours (quick checks)"),
    lang: str = typer.Option(None, help="report language, zh or en (default: the case's report_language)"),
    images: bool = typer.Option(False, "--images", help="also write PNGs of the report's charts to images/"),
    days: int = typer.Option(None, min=0, max=366, help="solve on K representative days (tsam); 0 = every hour"),
    reference: Path = typer.Option(None, help="results folder of the full-year run to compare --days with"),
    sizing_days: int = typer.Option(None, "--sizing-days", min=0, max=366, help="size capacities on K representative "
                                    "days, then dispatch every hour with them fixed; 0 = one optimisation "
                                    "(default: time.sizing_days of the case)"),
    time_limit: float = typer.Option(None, min=0.001, help="solver time limit [s]; the best solution found is kept"),
    mip_gap: float = typer.Option(None, min=0.0, help="relative MIP gap at which the solver stops (MILP only)"),
    threads: int = typer.Option(None, min=1, help="solver threads"),
    milp: bool = typer.Option(None, "--milp/--lp", help="exact binary unit commitment (a MIP) or its linear "
                                                        "relaxation (default: solver.milp of the case)"),
    no_report: bool = typer.Option(False, "--no-report", help="skip report.html"),
    hourly_csv: bool = typer.Option(False, "--hourly-csv", help="also write the hourly tables as CSV (about "
                                    "100 MB a year) beside their Parquet files"),
    sweep: bool = typer.Option(False, "--sweep", help="add the sizing sweep of each project (one re-solve per design)"),
    set_: list[str] = typer.Option(None, "--set", help="a dotted override applied after the scenario's, e.g. "
                                   "--set policy.co2_price=200 (repeatable; the value is read as YAML)"),
    debug: bool = typer.Option(False, help="show tracebacks"),
):
    """Solve one scenario and write results.nc, CSVs, summary.csv, results.xlsx and report.html."""
    from .runner import run as run_model

    overrides = {k: v for k, v in {"time_limit": time_limit, "mip_rel_gap": mip_gap, "threads": threads,
                                   "milp": milp}.items() if v is not None}
    try:
        if lang is not None and lang not in LANGUAGES:
            raise InputError([f"--lang: '{lang}' is not one of {', '.join(LANGUAGES)}"])
        scenario_name = scenario or _default_scenario(case)
        settings = _settings(set_ or [])
        out_dir = out or _default_out(scenario_name or "case", hours, days, sizing_days)
        result = run_model(case, scenario_name, out_dir, hours=hours, report=not no_report, lang=lang,
                           images=images, solver_overrides=overrides, sweep=sweep, days=days,
                           reference=reference, sizing_days=sizing_days, overrides=settings or None,
                           hourly_csv=hourly_csv, progress=lambda line: typer.echo(f"… {line}", err=True),
                           overrides_source="--set")
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(exc, debug)
    attrs = result.dataset.attrs
    summary = result.summary.set_index("kpi")
    shown = _language(case, lang)
    years = [column for column in summary.columns if column.isdigit()]  # the periods of a pathway
    if years:
        typer.echo(f"{attrs['scenario']}: {attrs['solver_status']}, discounted total cost "
                   f"{_money(summary.at['total_cost', 'value'], shown)}; per period (undiscounted):")
        for year in years:
            typer.echo(f"  {year}: {_figures(summary[year], shown)}")
    else:
        typer.echo(f"{attrs['scenario']}: {attrs['solver_status']}, {_figures(summary['value'], shown)}")
    if attrs["solver_status"] != OPTIMAL:
        gap = f"MIP gap {attrs['mip_gap']:.2%}" if "mip_gap" in attrs else "gap unknown (LP stopped early)"
        typer.echo(f"WARNING: NOT OPTIMAL: the solver stopped early ({attrs['solver_status_detail']}); these are "
                   f"the best solution found, {gap}. Results are marked solver_status={attrs['solver_status']}.",
                   err=True)
    elif "mip_gap" in attrs:
        typer.echo(f"MIP gap {attrs['mip_gap']:.2%} (binary commitment)")
    for project in finance.from_dataset(final_view(result.dataset)):
        typer.echo(finance.headline(project, lambda value: _money(value, shown)))
    kpis = result.tables.get("accuracy_kpis")
    if kpis is not None:
        cost = kpis.set_index("kpi").loc["total_cost", "relative_difference"]
        typer.echo(f"representative days: total cost {cost:+.2%} against the full-year run (accuracy_kpis.csv)")
    if attrs.get("sizing_days"):
        typer.echo(f"capacities sized on {attrs['sizing_days']} representative days, dispatch over every hour "
                   f"(--sizing-days 0: one optimisation, fastest with --set solver.method=hipo; docs/performance.md)")
    typer.echo("times: " + ", ".join(f"{k} {v:.1f}" for k, v in result.timings.items()))
    binding = json.loads(attrs.get("binding_build_max", "{}"))
    if binding:
        typer.echo("note: built up to build_max (the bound decides the result): "
                   + ", ".join(f"{g} {v:,.0f}" for g, v in binding.items()), err=True)
    typer.echo(f"results in {result.out_dir}")
    for name, why in result.missing.items():
        typer.echo(f"error: {name} not written (the results above are complete): {why}", err=True)
    if result.missing:
        sys.exit(EXIT_WRITE)


def _figures(values, lang: str) -> str:
    return (f"total cost {_money(values['total_cost'], lang)}, curtailment {values['curtailment_rate']:.1%}, "
            f"CO2 {values['co2_mt']:.2f} Mt, unserved {values['unserved_mwh']:,.0f} MWh")


def _money(value: float, lang: str) -> str:
    """An amount in CNY as the report shows it: 亿元 in Chinese, bn CNY in English."""
    from .report.labels import convert

    shown, unit = convert(value, "CNY", lang)
    return f"{shown:,.2f} {unit}"


def _language(case: Path, lang: str | None) -> str:
    """--lang, else the case's report_language."""
    from .case.files import CASE_FILE, read_yaml

    problems: list[str] = []
    return lang or read_yaml(Path(case) / CASE_FILE, problems).get("report_language", "zh")


@app.command()
def project(
    case: Path = typer.Argument(..., help="case folder, e.g. inputs/shuangliao"),
    name: str = typer.Argument(..., help="project name, e.g. powerchina_methanol"),
    scenario: str = typer.Option(None, "--scenario", "-s", help="scenario holding the project (default: the first "
                                 "scenario whose included files define it)"),
    out: Path = typer.Option(None, "--out", "-o", help="output folder (default: results/<scenario>.<project>)"),
    hours: int = typer.Option(None, min=1, max=8784, help="solve only the first N hours (quick checks)"),
    days: int = typer.Option(None, min=0, max=366, help="solve on K representative days (tsam); 0 = every hour"),
    lang: str = typer.Option(None, help="report language, zh or en (default: the case's report_language)"),
    sweep: bool = typer.Option(False, "--sweep", help="add the project's sizing sweep (one re-solve per design)"),
    no_report: bool = typer.Option(False, "--no-report", help="skip report.html"),
    set_: list[str] = typer.Option(None, "--set", help="a dotted override, e.g. --set "
                                   "technologies.dsm_grid.capacity_charge=\"60 CNY/kW/month\" (repeatable)"),
    debug: bool = typer.Option(False, help="show tracebacks"),
):
    """Appraise one project on its own node(s), without the regional system: its returns, DSCR, levelised costs
    and direct-supply ratios lead; the files are those of a run."""
    from .runner import run as run_model

    try:
        if lang is not None and lang not in LANGUAGES:
            raise InputError([f"--lang: '{lang}' is not one of {', '.join(LANGUAGES)}"])
        scenario_name = scenario or _scenario_with_project(case, name) or _default_scenario(case)
        out_dir = out or _default_out(f"{scenario_name}.{name}", hours, days)
        result = run_model(case, scenario_name, out_dir, hours=hours, report=not no_report, lang=lang, sweep=sweep,
                           days=days, overrides=_settings(set_ or []) or None,
                           overrides_source="--set", project=name,
                           progress=lambda line: typer.echo(f"… {line}", err=True))
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(exc, debug)
    shown = _language(case, lang)
    for evaluated in finance.from_dataset(result.dataset):
        typer.echo(finance.headline(evaluated, lambda value: _money(value, shown)))
    summary = result.summary.set_index("kpi")["value"]
    ratios = [f"{kpi.rsplit('.', 1)[1]} {value:.1%}" for kpi, value in summary.items()
              if kpi.startswith(f"project.{name}.") and kpi.rsplit(".", 1)[1] in DIRECT_SUPPLY_RULES]
    if ratios:
        typer.echo("direct supply: " + ", ".join(ratios))
    attrs = result.dataset.attrs
    typer.echo(f"{attrs['scenario']}: {attrs['solver_status']}, project cost {_money(summary['total_cost'], shown)} "
               "over the modelled horizon")
    typer.echo(f"results in {result.out_dir}")


@app.command()
def projects(
    case: Path = typer.Argument(..., help="case folder, e.g. inputs/shuangliao"),
    names: list[str] = typer.Argument(None, help="projects (default: every project the case's scenarios include)"),
    out: Path = typer.Option(None, "--out", "-o", help="batch folder (default: results/projects, suffixed for "
                                                        "--days/--hours)"),
    hours: BatchHours = None,
    days: BatchDays = None,
    workers: BatchWorkers = None,
    force: BatchForce = False,
    lang: BatchLang = None,
    time_limit: BatchTimeLimit = None,
    no_report: BatchNoReport = False,
    debug: Debug = False,
):
    """Appraise several projects, each alone, side by side: NPV, project and equity IRR, DSCR, P90 NPV, levelised
    costs and direct-supply ratios as rows of one comparison (comparison.html, .csv, .xlsx)."""
    from .batch import RunSpec

    try:
        found = _projects_of(case)
        chosen = names or list(found)
        unknown = [n for n in chosen if n not in found]
        if unknown or not chosen:
            raise InputError([f"{case}: no project {', '.join(unknown)} in its scenarios (projects: "
                              f"{', '.join(found) or 'none'})"] if unknown else [f"{case}: no projects"])
        specs = [RunSpec(name=n, case_dir=str(case), scenario=found[n], project=n, params={"scenario": found[n]})
                 for n in chosen]
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(exc, debug)
    _run_batch(specs, out or _default_out("projects", hours, days), hours, days, None, workers, None, force, lang,
               time_limit, no_report, debug)


def _projects_of(case: Path) -> dict[str, str]:
    """Every project a scenario of ``case`` includes (or case.yaml defines) -> the first scenario holding it."""
    from .case.files import read_yaml

    problems: list[str] = []
    found = {name: _default_scenario(case) or "case"
             for name in (read_yaml(Path(case) / "case.yaml", problems).get("projects") or {})}
    scenarios = read_yaml(Path(case) / "scenarios.yaml", problems) if (Path(case) / "scenarios.yaml").exists() else {}
    for scenario, spec in (scenarios or {}).items():
        for included in (spec or {}).get("include", []) if isinstance(spec, dict) else []:
            path = Path(case) / str(included)
            for name in (read_yaml(path, problems).get("projects") or {}) if path.is_file() else ():
                found.setdefault(name, str(scenario))
    return found


def _scenario_with_project(case: Path, name: str) -> str | None:
    """The first scenario of ``case`` that holds project ``name`` (None if none does)."""
    return _projects_of(case).get(name)


@app.command("list")
def list_(case: Path = typer.Argument(..., help="case folder"), debug: bool = typer.Option(False)):
    """List the scenarios of a case with their descriptions."""
    try:
        scenarios = list_scenarios(case)
    except BaseException as exc:  # noqa: BLE001
        _fail(exc, debug)
    width = max((len(name) for name in scenarios), default=0)
    for name, spec in scenarios.items():
        parent = f" (inherits {spec.inherits})" if spec.inherits else ""
        typer.echo(f"{name:<{width}}  {spec.description}{parent}")


@app.command()
def scenarios(
    case: Path = typer.Argument(..., help="case folder, e.g. inputs/shuangliao"),
    scenario: list[str] = typer.Option(None, "--scenario", "-s",
                                       help="only these (repeatable); 'a+b' combines scenarios (default: all)"),
    out: Path = typer.Option(None, "--out", "-o", help="batch folder (default: results/scenarios, with _d12 for "
                                                        "--days 12, _h720 for --hours 720, _s0 for --sizing-days 0)"),
    hours: BatchHours = None,
    days: BatchDays = None,
    sizing_days: BatchSizingDays = None,
    workers: BatchWorkers = None,
    scheduler: BatchScheduler = None,
    force: BatchForce = False,
    lang: BatchLang = None,
    time_limit: BatchTimeLimit = None,
    no_report: BatchNoReport = False,
    debug: Debug = False,
):
    """Run every scenario of a case (in parallel) into OUT/<scenario>/, with OUT/index.csv and the comparison."""
    from .batch import scenario_runs

    try:
        specs = scenario_runs(case, scenario or None)
    except InputError as exc:
        _fail(exc, debug)
    _run_batch(specs, out or _default_out("scenarios", hours, days, sizing_days), hours, days, sizing_days, workers,
               scheduler, force, lang, time_limit, no_report, debug)


@app.command()
def sweep(
    sweep_file: Path = typer.Argument(..., help="sweep file, e.g. inputs/shuangliao/sweeps/storage_h2_export.yaml"),
    out: Path = typer.Option(None, "--out", "-o", help="batch folder (default: results/<sweep file name>, with "
                                                        "_d12 for --days 12, _h720 for --hours 720)"),
    hours: BatchHours = None,
    days: BatchDays = None,
    sizing_days: BatchSizingDays = None,
    workers: BatchWorkers = None,
    scheduler: BatchScheduler = None,
    force: BatchForce = False,
    lang: BatchLang = None,
    time_limit: BatchTimeLimit = None,
    no_report: BatchNoReport = False,
    debug: Debug = False,
):
    """Run every point of a parameter sweep (the cartesian product of its values) and compare them."""
    from .batch import load_sweep

    try:
        spec = load_sweep(sweep_file)
    except InputError as exc:
        _fail(exc, debug)
    typer.echo(f"{spec.name}: {len(spec.runs)} runs. {spec.description}")
    _run_batch(spec.runs, out or _default_out(spec.name, hours, days, sizing_days), hours, days, sizing_days, workers,
               scheduler, force, lang, time_limit, no_report, debug)


@app.command()
def ensemble(
    case: Path = typer.Argument(..., help="case folder, e.g. inputs/shuangliao"),
    scenario: str = typer.Option(None, "--scenario", "-s", help="scenario (default: the case's default, or with "
                                 "--project the first scenario holding it)"),
    project: str = typer.Option(None, help="evaluate this project alone in every weather year"),
    years: str = typer.Option(None, help="comma-separated weather years (default: all of the case's)"),
    design_from: Path = typer.Option(None, "--design-from", help="results folder of a run whose capacities are "
                                     "held in every year (default: each year sizes its own)"),
    out: Path = typer.Option(None, "--out", "-o", help="batch folder (default: results/ensemble_<scenario or "
                                                        "project>, suffixed for --days/--hours)"),
    hours: BatchHours = None,
    days: BatchDays = None,
    sizing_days: BatchSizingDays = None,
    workers: BatchWorkers = None,
    force: BatchForce = False,
    lang: BatchLang = None,
    time_limit: BatchTimeLimit = None,
    no_report: BatchNoReport = False,
    debug: Debug = False,
):
    """Solve a scenario (or a project alone) in each weather year of the case and the typical year, and write
    the distribution of every KPI (P90, P50, ...) to ensemble.csv and ensemble.html beside the comparison."""
    from .batch import default_scenario, design_overrides, ensemble_runs
    from .case.config import load_case
    from .report.ensemble import write_ensemble

    try:
        scenario_name = scenario or (project and _scenario_with_project(case, project)) or default_scenario(case)
        design = design_overrides(design_from, load_case(case, scenario_name)) if design_from else None
        specs = ensemble_runs(case, scenario_name, years.split(",") if years else None, project, design)
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(exc, debug)
    out = out or _default_out(f"ensemble_{project or scenario_name}", hours, days, sizing_days)
    typer.echo(f"ensemble of {len(specs) - 1} weather years and the typical year"
               + (f", design held from {design_from}" if design_from else "") + f", into {out}/")
    try:
        _run_batch(specs, out, hours, days, sizing_days, workers, None, force, lang, time_limit, no_report, debug)
    finally:
        if (Path(out) / "index.csv").is_file():
            paths = write_ensemble(out, lang)
            typer.echo("distribution over the years: " + ", ".join(str(p) for p in paths))


@app.command()
def compare(batch: Path = typer.Argument(..., help="batch folder holding index.csv"),
            lang: str = typer.Option(None, help="zh or en (default: the case's report_language)"),
            debug: bool = typer.Option(False)):
    """(Re)write comparison.html, .csv and .xlsx of a batch from its index and run folders."""
    from .report.comparison import write_comparison

    try:
        paths = write_comparison(batch, lang=lang)
    except InputError as exc:
        _fail(exc, debug)
    typer.echo("\n".join(str(p) for p in paths))


@app.command()
def example(dest: Path = typer.Argument(Path("shuangliao"), help="folder to create (default: ./shuangliao)"),
            debug: bool = typer.Option(False, help="show tracebacks")):
    """Copy the default Shuangliao case, which ships with the package, into DEST to run and edit."""
    import shutil
    from importlib import resources

    try:
        if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
            raise InputError([f"{dest}: exists and is not an empty folder; choose a new one"])
        source = resources.files("energy_model") / "cases" / "shuangliao"
        with resources.as_file(source) as folder:
            shutil.copytree(folder, dest, dirs_exist_ok=True)
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(exc, debug)
    typer.echo(f"the Shuangliao case is in {dest}; run it with: energy-model run {dest}")


profiles_app = typer.Typer(no_args_is_help=True, help="Time series of a case: import measured data.")
app.add_typer(profiles_app, name="profiles")


@profiles_app.command("import")
def profiles_import(
    source: Path = typer.Argument(..., help="CSV with a time column and the measured values"),
    case: Path = typer.Argument(..., help="case folder; writes timeseries/<column>.csv"),
    kind: str = typer.Option(..., help="wind_power, pv_power (MW), wind_speed (m/s), irradiance (GHI W/m²), "
                                       "load or price"),
    column: str = typer.Option(..., help="name of the profile in the case (what technologies.yaml refers to)"),
    value_column: str = typer.Option(None, help="column of SOURCE (default: its only non-time column)"),
    time_column: str = typer.Option("time", help="time column of SOURCE"),
    timezone: str = typer.Option("local", help="of timestamps without an offset: local (the case's clock), UTC, "
                                               "+08:00 or a name such as Asia/Shanghai"),
    hour_ending: bool = typer.Option(False, "--hour-ending", help="a timestamp labels the end of its interval"),
    utc_offset: float = typer.Option(8.0, help="the case's clock, hours ahead of UTC (China: 8)"),
    source_year: int = typer.Option(None, help="calendar year of SOURCE to use (default: the first complete one)"),
    max_gap: int = typer.Option(3, min=0, help="longest gap in hours to interpolate"),
    capacity: float = typer.Option(None, help="installed MW, for wind_power and pv_power"),
    latitude: float = typer.Option(None, help="plant latitude (solar data)"),
    longitude: float = typer.Option(None, help="plant longitude (solar data)"),
    height: float = typer.Option(None, help="height of the wind-speed measurement [m]"),
    hub_height: float = typer.Option(120.0, help="turbine hub height [m]"),
    shear: float = typer.Option(0.14, help="power-law shear exponent from --height to --hub-height"),
    turbine: str = typer.Option("E-141/4200", help="windpowerlib turbine type"),
    power_curve: Path = typer.Option(None, help="CSV wind_speed,power instead of --turbine"),
    turbulence: float = typer.Option(0.1, help="turbulence intensity smoothing the curve over a farm (0: none)"),
    no_wake: bool = typer.Option(False, "--no-wake", help="no wake losses"),
    availability: float = typer.Option(0.97, help="wind farm availability"),
    tilt: float = typer.Option(None, help="PV tilt [°] (default: latitude − 5)"),
    azimuth: float = typer.Option(180.0, help="PV azimuth [°], 180 = south"),
    dc_ac: float = typer.Option(1.2, help="PV DC/AC ratio (clipping)"),
    bifacial_gain: float = typer.Option(0.0, help="extra yield of bifacial modules, e.g. 0.06"),
    losses: float = typer.Option(0.14, help="PV system losses (PVWatts)"),
    no_night_check: bool = typer.Option(False, "--no-night-check", help="accept solar energy at night"),
    force: bool = typer.Option(False, "--force", help="replace timeseries/<column>.csv written by an earlier import"),
    debug: bool = typer.Option(False, help="show tracebacks"),
):
    """Turn measured power, wind speed, irradiance, load or prices into a profile of the case: local clock,
    hourly, gaps filled, laid on the case's year, converted and checked."""
    from .case.profile_import import ImportOptions, import_profile

    options = ImportOptions(kind=kind, column=column, value_column=value_column, time_column=time_column,
                            timezone=timezone, hour_ending=hour_ending, case_utc_offset=utc_offset,
                            source_year=source_year, max_gap=max_gap, capacity=capacity, latitude=latitude,
                            longitude=longitude, measurement_height=height, hub_height=hub_height,
                            shear_exponent=shear, turbine=turbine, power_curve=power_curve,
                            turbulence_intensity=turbulence, wake_losses=not no_wake, availability=availability,
                            tilt=tilt, azimuth=azimuth, dc_ac_ratio=dc_ac, bifacial_gain=bifacial_gain,
                            losses=losses, check_night=not no_night_check)
    try:
        report = import_profile(case, source, options, force=force)
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(exc, debug)
    for line in report.lines:
        typer.echo(f"  {line}")
    typer.echo(f"wrote {report.path}: column {report.column}, "
               + ", ".join(f"{k} {v:,.4g}" for k, v in report.statistics.items()))


import_app = typer.Typer(no_args_is_help=True, help="Write a case folder from another framework's model.")
app.add_typer(import_app, name="import")


@import_app.command("pypsa")
def import_pypsa(network: Path = typer.Argument(..., help="a PyPSA network file (.nc)"),
                 out: Path = typer.Argument(..., help="case folder to create"),
                 debug: bool = typer.Option(False, help="show tracebacks")):
    """Write a case folder from a PyPSA network, with IMPORT_REPORT.md listing what could not be carried over."""
    from .case.pypsa_import import import_network

    try:
        folder = import_network(network, out)
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(exc, debug)
    typer.echo(f"case written to {folder} (see {folder / 'IMPORT_REPORT.md'}); run it with: energy-model run {folder}")


@import_app.command("oemof")
def import_oemof(script: Path = typer.Argument(..., help="a Python script that builds an oemof-solph EnergySystem "
                                                          "(it runs: import only scripts you trust)"),
                 out: Path = typer.Argument(..., help="case folder to create"),
                 variable: str = typer.Option(None, help="the script's EnergySystem, if it has several"),
                 debug: bool = typer.Option(False, help="show tracebacks")):
    """Write a case folder from an oemof-solph energy system, with IMPORT_REPORT.md listing what could not be
    carried over (from Python: energy_model.case.oemof_import.from_energy_system(es, folder))."""
    from .case.oemof_import import import_script

    try:
        folder = import_script(script, out, variable)
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a message and an exit code
        _fail(exc, debug)
    typer.echo(f"case written to {folder} (see {folder / 'IMPORT_REPORT.md'}); run it with: energy-model run {folder}")


def _settings(items: list[str]) -> dict[str, object]:
    """``--set key=value`` options as overrides; the value is YAML (numbers, quantities with units, lists)."""
    import yaml

    settings, problems = {}, []
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            problems.append(f"--set {item!r}: expected a dotted key, '=' and a value, e.g. policy.co2_price=200")
            continue
        try:
            settings[key.strip()] = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            problems.append(f"--set {key}: the value {text!r} is not valid YAML ({getattr(exc, 'problem', exc)})")
    if problems:
        raise InputError(problems)
    return settings


def _default_out(name: str, hours: int | None, days: int | None, sizing_days: int | None = None) -> Path:
    """``results/<name>``, suffixed for a shortened horizon or another way of sizing, so that such a run or
    batch never replaces the results of the case's own."""
    return Path("results") / (name + (f"_h{hours}" if hours else "") + (f"_d{days}" if days is not None else "")
                              + (f"_s{sizing_days}" if sizing_days is not None else ""))


def _run_batch(specs, out: Path, hours, days, sizing_days, workers, scheduler, force, lang, time_limit, no_report,
               debug):
    """Run a batch, print a one-line tally; exit 1 when a run failed (after everything is written)."""
    from .batch import FAILED, RunOptions, run_batch

    options = RunOptions(hours=hours, days=days, sizing_days=sizing_days, report=not no_report, lang=lang,
                         solver={"time_limit": time_limit} if time_limit else {})
    try:
        index = run_batch(specs, out, options, workers=workers, scheduler=scheduler, force=force)
    except InputError as exc:
        _fail(exc, debug)
    failed = index[index["status"] == FAILED]
    reused = int(index["skipped"].fillna(False).astype(bool).sum())
    typer.echo(f"{len(index) - len(failed)} ok ({reused} unchanged, not re-run), {len(failed)} failed; "
               f"index and comparison in {out}/")
    for row in failed.itertuples():
        typer.echo(f"failed: {row.name}: {row.error}", err=True)
    if len(failed):
        sys.exit(1)


def _default_scenario(case: Path) -> str | None:
    """The case's default scenario, to name the output folder; problems are left to the loader to report
    together with those of the other files."""
    from .case.files import CASE_FILE, read_yaml

    problems: list[str] = []
    default = read_yaml(Path(case) / CASE_FILE, problems).get("default_scenario")
    return default if isinstance(default, str) else None


def _fail(exc: BaseException, debug: bool):
    """Print what went wrong in a sentence and exit with the code of its kind (traceback with --debug)."""
    from .errors import ImageError

    if isinstance(exc, SystemExit):
        raise exc
    if debug:
        raise exc
    if isinstance(exc, InputError):
        code, text = EXIT_INPUT, f"error: invalid input\n{exc}"
    elif isinstance(exc, SolveError):
        code, text = EXIT_SOLVE, f"error: no solution ({exc.status}): {exc}"
        if exc.diagnosis:
            text += f"\n\n{exc.diagnosis}"
        if getattr(exc, "out_dir", None):
            text += f"\nwritten to {exc.out_dir}/diagnosis.txt"
    elif isinstance(exc, KeyboardInterrupt):
        code, text = EXIT_INTERRUPTED, "interrupted: previous results, if any, are untouched"
    elif isinstance(exc, OSError):
        code, text = EXIT_WRITE, f"error: cannot read or write a file: {exc}"
    elif isinstance(exc, ImageError):
        code, text = EXIT_WRITE, f"error: {exc}"
    else:
        code, text = EXIT_BUG, (f"internal error: {type(exc).__name__}: {exc}\n"
                                f"This is a bug in energy_model, not in your inputs; rerun with --debug for the "
                                f"traceback and report it.")
    typer.echo(text, err=True)
    sys.exit(code)


if __name__ == "__main__":
    app()
