"""One run end to end: load → data → model → solve → results → files. The CLI and batch call this.

Files go through a :class:`~energy_model.results.dataset.RunFolder`: the HiGHS log is written straight into
the staging folder, results follow, and the folder is swapped into place only when complete. A solve
without a solution still commits the folder, holding ``diagnosis.txt`` and ``run.json`` and no results,
before the :class:`~energy_model.errors.SolveError` is raised on, so that a batch sees why a scenario
failed. Any other error discards the staging folder and leaves the previous results untouched.
"""

from __future__ import annotations

import datetime
import json
import platform
import subprocess
import time
from dataclasses import dataclass, field, replace
from importlib import metadata as importlib_metadata
from pathlib import Path

import highspy
import pandas as pd
import pyomo
import xarray as xr
from pydantic import ValidationError

from . import investor, sizing
from .analysis import (
    audit,
    certification,
    compliance,
    curtailment,
    finance,
    kpis,
    products,
)
from .analysis.accuracy import compare_runs, load_reference
from .case.config import ModelConfig, load_case
from .case.files import CASE_FILE
from .case.projects import project_alone
from .errors import ImageError, InputError, SolveError
from .model.build import build
from .model.data import build_periods
from .report import finance as finance_report
from .report.excel import write_excel
from .report.labels import tech_names
from .report.pathway import pathway_table
from .report.tables import audit_display, compliance_display
from .results import pathway
from .results.dataset import (
    RunFolder,
    capacities,
    to_dataset,
    write_failure,
    write_results,
)
from .solve.highs import solve

# attributes that differ between two runs of the same inputs (everything else must be identical)
VOLATILE_ATTRS = ("created_utc", "time_")


@dataclass
class RunResult:
    dataset: xr.Dataset
    summary: pd.DataFrame
    out_dir: Path | None
    timings: dict[str, float]
    # tables of further analyses by name (e.g. plan_audit, finance): report.html and results.xlsx show each
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    # outputs asked for that could not be made after the solve (the results are kept): name -> why
    missing: dict[str, str] = field(default_factory=dict)


def package_versions() -> dict[str, str]:
    """Versions that decide the numbers: the code, the solver and the libraries between them."""
    versions = {"python": platform.python_version(), "pyomo": pyomo.version.version, "highspy": _version("highspy")}
    versions["highs"] = highspy.Highs().version()
    for name in ("numpy", "scipy", "pandas", "xarray", "pydantic"):
        versions[name] = _version(name)
    versions["energy_model"] = _version("energy-model")
    versions["energy_model_revision"] = _revision()
    return versions


def _version(name: str) -> str:
    try:
        return importlib_metadata.version(name)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


def _revision() -> str:
    """The git commit of this package's checkout, ``-dirty`` if its files differ from it; else unknown."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "-C", str(here), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no", "."],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def set_horizon(config: ModelConfig, hours: int | None = None, days: int | None = None,
                sizing_days: int | None = None) -> None:
    """Apply ``--hours``, ``--days`` and ``--sizing-days`` to a loaded case, checked like the same fields in
    case.yaml."""
    time_config = config.case.time.model_dump()
    if hours is not None:
        time_config["hours"] = min(hours, time_config["hours"])
    if days is not None:
        time_config["representative_days"]["days"] = days or None
    if sizing_days is not None:
        time_config["sizing_days"] = sizing_days or None
    try:
        config.case.time = type(config.case.time).model_validate(time_config)
    except ValidationError as exc:
        raise InputError([f"{config.case_dir / CASE_FILE}: time: {error['msg']}"
                          for error in exc.errors(include_url=False)]) from None
    config.timeseries = config.timeseries.iloc[: config.case.time.steps]
    for period in (config.periods or {}).values():  # the horizon is one for all periods of a pathway
        period.case.time = config.case.time
        period.timeseries = period.timeseries.iloc[: config.case.time.steps]


def run(case_dir: str | Path, scenario: str | None = None, out_dir: str | Path | None = None,
        hours: int | None = None, report: bool = True, lang: str | None = None, images: bool = False,
        solver_overrides: dict | None = None, overrides: dict | None = None,
        overrides_source: str = "overrides", sweep: bool = False, days: int | None = None,
        reference: str | Path | None = None, sizing_days: int | None = None, hourly_csv: bool = False,
        progress=None, project: str | None = None) -> RunResult:
    """Solve ``scenario`` of ``case_dir``, with further ``overrides`` (a sweep point) applied last; write
    results to ``out_dir`` when given: results.nc, CSVs, results.xlsx, and unless ``report`` is false
    report.html (with PNGs of its charts under images/ if ``images``), in ``lang`` or else the case's
    ``report_language``. ``sweep`` adds the sizing sweeps of the case's projects (one re-solve per design).

    ``days`` solves on that many representative days (0: the full horizon, overriding case.yaml);
    ``sizing_days`` sizes capacities on that many representative days and then dispatches every hour
    with them fixed (0: sizes and dispatch in one optimisation; :mod:`energy_model.sizing`);
    ``reference`` names the results folder of a full-year run of the same inputs, to which an
    aggregated run compares its KPIs (table and file ``accuracy_kpis``); ``hourly_csv`` writes the hourly
    tables as CSV beside their Parquet files. ``progress`` (a callable taking one line) hears each stage as it
    starts, with where HiGHS writes its log. ``project`` solves that project of the scenario alone, on its own
    node(s) (refused where its optimum depends on the region), with no plan audit.

    A case with a pathway solves all its periods in one model: results.nc holds them all
    (:mod:`energy_model.results.pathway`), summary.csv has a column per period, the report opens with the charts
    over the periods, and the plan audit and investor economics are those of the last period.
    """
    timings: dict[str, float] = {}
    start = time.perf_counter()
    config = load_case(case_dir, scenario, overrides, overrides_source)
    audit_spec = audit.load_audit(case_dir, config.technologies, config.case.carriers)
    if project is not None:  # the plan's targets are the region's, not the project's
        config, audit_spec = project_alone(config, project), None
    set_horizon(config, hours, days, sizing_days)
    two_stage = sizing.applies(config)
    reference_summary = load_reference(reference, config.inputs_hash) if reference is not None else None
    if solver_overrides:  # one solve for all periods of a pathway: each period's configuration says the same
        solver = _solver_with(config.case.solver, solver_overrides)
        for each in (config, *(config.periods or {}).values()):
            each.case.solver = solver
    periods = build_periods(config)
    data = periods[0]
    timings["load_s"] = time.perf_counter() - start
    say = progress or (lambda line: None)

    metadata = {
        "case": config.case.name,
        "scenario": config.scenario,
        "scenario_description": config.scenario_description,
        "inputs_hash": config.inputs_hash,
        "overrides": json.dumps(config.overrides, ensure_ascii=False, default=str),
        "snapshots": sum(len(period.time) for period in periods),
        "representative_days": int(data.period.max() + 1) if data.representative is not None else 0,
        "sizing_days": config.case.time.sizing_days if two_stage else 0,
        "run_options": json.dumps({"hours": hours, "days": days, "sizing_days": sizing_days,
                                   "solver_overrides": solver_overrides or {}}, sort_keys=True),
        "solver_options": config.case.solver.model_dump_json(),
        "created_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **{f"version_{k}": v for k, v in package_versions().items()},
    }
    folder = RunFolder(out_dir, keep=(config.case_dir,)) if out_dir is not None else None
    try:
        try:
            sizes = None
            if two_stage:  # first, so that its model is gone before the hourly one is built
                say(f"sizing capacities on {config.case.time.sizing_days} representative days")
                t = time.perf_counter()
                sizes, metadata["sizing_objective"] = sizing.size_on_representative_days(config)
                timings["sizing_s"] = time.perf_counter() - t
            say(f"building the model: {metadata['snapshots']:,} snapshots")
            t = time.perf_counter()
            model = build(periods, pathway=config.periods is not None)
            if sizes is not None:
                sizing.fix_sizes(model.periods[0], sizes)
            timings["build_s"] = time.perf_counter() - t
            log = folder.path / "highs.log" if folder else None
            say(f"solving with HiGHS ({config.case.solver.method})"
                + (f"; follow its log in {log} (kept as {folder.out_dir}/highs.log)" if log else ""))
            try:
                solution = solve(model.m, config.case.solver, log_file=log)
            except SolveError as exc:
                freed = sizing.rule_bound(config) if two_stage and exc.status == "infeasible" else set()
                if not freed:
                    raise
                say(f"the sizes from representative days miss an annual direct-supply rule over the full year; "
                    f"solving again with {', '.join(sorted(freed))} sized hour by hour")
                sizing.free_sizes(model.periods[0], freed)
                metadata["sizing_freed"] = json.dumps(sorted(freed))
                solution = solve(model.m, config.case.solver, log_file=log)
        except SolveError as exc:
            if two_stage and exc.status == "infeasible":
                exc.args = (f"{exc} with the capacities sized on {config.case.time.sizing_days} representative "
                            "days; --sizing-days 0 sizes them on every hour",)
            if folder is not None:
                write_failure(folder.path, exc.status, str(exc), exc.diagnosis, metadata)
                exc.out_dir = folder.commit()
            raise
        timings.update(solution.timings)

        t = time.perf_counter()
        metadata["solver_status_detail"] = solution.status_detail
        metadata["solution_optimal"] = int(solution.complete)
        if solution.mip_gap is not None:
            metadata["mip_gap"] = solution.mip_gap
        datasets = [_period_results(builder, solution, metadata) for builder in model.periods]
        # the investor's economics and the plan audit are of the last period: the plan year
        final = model.periods[-1].data.config
        datasets[-1] = investor.evaluate(datasets[-1], final, sweep=sweep)
        audit_table = audit.audit(datasets[-1], final.technologies, audit_spec) if audit_spec else None
        if audit_table is not None:
            datasets[-1] = audit.to_dataset(datasets[-1], audit_table)
        lang = lang or config.case.report_language
        tables: dict[str, pd.DataFrame] = {}  # further analyses add theirs by name (plan_audit, finance, ...)
        dataset, shown, summary = _assemble(model, datasets, solution.objective)
        if model.pathway:
            tables["pathway"] = pathway_table(summary, tech_names(shown, lang), lang)
        if audit_table is not None:
            tables["plan_audit"] = audit_display(audit_table, lang)
        tables.update({name: frame for name, frame in (
            ("compliance", compliance_display(shown, final, lang)),
            ("finance", finance_report.finance_table(shown, lang))) if len(frame)})
        tables.update(_accuracy(data, summary, reference_summary))
        timings["extract_s"] = time.perf_counter() - t

        written, missing = None, {}
        if folder is not None:
            t = time.perf_counter()
            timings["total_s"] = time.perf_counter() - start
            dataset.attrs.update({f"time_{k}": round(v, 3) for k, v in timings.items()})
            writers = [lambda path: write_excel(shown, summary, path / "results.xlsx", lang=lang, tables=tables),
                       lambda path: _per_period(dataset, products.product_table).to_csv(path / "products.csv",
                                                                                        index=False),
                       lambda path: _write_compliance(dataset, path),
                       lambda path: finance_report.write_files(shown, path, lang=lang)]
            if audit_table is not None:
                writers.append(lambda path: audit_table.to_csv(path / "plan_audit.csv", index=False))
            if report:
                from .report.html import write_report

                def report_writer(path: Path) -> None:
                    try:
                        write_report(shown, summary, path / "report.html", lang=lang, tables=tables,
                                     images_dir=path / "images" if images else None,
                                     pathway=dataset if model.pathway else None)
                    except ImageError as exc:  # a solved run is worth keeping without its PNGs
                        missing["images"] = str(exc)
                        dataset.attrs["missing_outputs"] = json.dumps(missing, ensure_ascii=False)

                writers.append(report_writer)
            for name in ("accuracy_profiles", "accuracy_kpis"):
                if name in tables:
                    writers.append(lambda path, name=name: tables[name].to_csv(path / f"{name}.csv", index=False))
            say(f"writing results to {folder.out_dir}")
            write_results(folder.path, dataset, summary, writers, hourly_csv=hourly_csv)
            written = folder.commit()
            timings["write_s"] = time.perf_counter() - t
    finally:
        if folder is not None:
            folder.discard()
    timings["total_s"] = time.perf_counter() - start
    return RunResult(dataset=dataset, summary=summary, out_dir=written, timings=timings, tables=tables,
                     missing=missing)


def _solver_with(solver, overrides: dict):
    """The case's solver settings with the run's options (--time-limit, --threads, ...), checked like case.yaml's."""
    try:
        return type(solver).model_validate({**solver.model_dump(), **overrides})
    except ValidationError as exc:
        raise InputError([f"solver option {'.'.join(map(str, error['loc']))}: {error['msg']}"
                          for error in exc.errors(include_url=False)]) from None


def _assemble(model, datasets: list[xr.Dataset], objective: float) -> tuple[xr.Dataset, xr.Dataset, pd.DataFrame]:
    """The run's Dataset, the Dataset the report and results.xlsx show (for a pathway its last period) and the
    summary (for a pathway with a column per period)."""
    if not model.pathway:
        return datasets[0], datasets[0], _summary(datasets[0])
    periods = [builder.data for builder in model.periods]
    dataset = pathway.combine(datasets, [p.year for p in periods], [p.objective_weight for p in periods], objective)
    summary = pathway.summary(dataset, {year: _summary(pathway.view(dataset, year)) for year in pathway.years(dataset)})
    return dataset, pathway.view(dataset, periods[-1].year), summary


def _period_results(builder, solution, metadata: dict) -> xr.Dataset:
    """The results Dataset of one investment period, with the analyses that need its configuration."""
    config = builder.data.config
    period_solution = replace(solution, capacities=capacities(builder, solution))
    dataset = products.add_results(to_dataset(builder, period_solution, metadata), config.technologies)
    dataset = certification.add_results(dataset, config)
    return curtailment.attribute(compliance.compliance(dataset, config), config)


def _summary(dataset: xr.Dataset) -> pd.DataFrame:
    parts = [kpis.summary(dataset), products.summary_rows(dataset), certification.summary_rows(dataset),
             finance.summary_rows(dataset)]
    return pd.concat([part for part in parts if len(part)], ignore_index=True)


def _per_period(dataset: xr.Dataset, make) -> pd.DataFrame:
    """A single-year table, or for a pathway the tables of every period with a ``year`` column."""
    return pathway.per_year(dataset, make) if pathway.is_pathway(dataset) else make(dataset)


def _write_compliance(dataset: xr.Dataset, folder: Path) -> None:
    """``compliance.csv`` when the run has a direct-supply project (every period of a pathway)."""
    table = _per_period(dataset, compliance.compliance_table)
    if len(table):
        table.to_csv(folder / "compliance.csv", index=False)


def _accuracy(data, summary: pd.DataFrame, reference: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """How well representative days stand for the year: profiles always, KPIs against a full-year run."""
    if data.representative is None:
        return {}
    tables = {"accuracy_profiles": data.representative.accuracy}
    if reference is not None:
        tables["accuracy_kpis"] = compare_runs(summary, reference)
    return tables
