"""One run end to end: load → data → model → solve → results → files. The CLI and batch call this."""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

import highspy
import pandas as pd
import pyomo
import xarray as xr

from . import analysis
from .build import build_model
from .config import load_case
from .data import build_data
from .excel import write_excel
from .results import capacities, to_dataset, write_run
from .solve import solve


@dataclass
class RunResult:
    dataset: xr.Dataset
    summary: pd.DataFrame
    out_dir: Path | None
    timings: dict[str, float]
    # tables of further analyses by name (e.g. plan_audit, finance): report.html and results.xlsx show each
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "pyomo": pyomo.version.version, "highspy": _version("highspy")}
    versions["energy_model"] = _version("energy-model")
    return versions


def _version(name: str) -> str:
    try:
        return importlib_metadata.version(name)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


def run(case_dir: str | Path, scenario: str | None = None, out_dir: str | Path | None = None,
        hours: int | None = None, report: bool = True, lang: str | None = None, images: bool = False,
        solver_overrides: dict | None = None) -> RunResult:
    """Solve ``scenario`` of ``case_dir``; write results to ``out_dir`` when given: results.nc, CSVs,
    results.xlsx, and unless ``report`` is false report.html (with PNGs of its charts under images/ if
    ``images``), in ``lang`` or else the case's ``report_language``."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    config = load_case(case_dir, scenario)
    if hours is not None:
        config.case.time.hours = min(hours, config.case.time.hours)
        config.timeseries = config.timeseries.iloc[:hours]
    for key, value in (solver_overrides or {}).items():
        setattr(config.case.solver, key, value)
    data = build_data(config)
    timings["load_s"] = time.perf_counter() - start

    t = time.perf_counter()
    builder = build_model(data)
    timings["build_s"] = time.perf_counter() - t

    log_file = None
    if out_dir is not None:
        Path(out_dir).parent.mkdir(parents=True, exist_ok=True)
        log_file = Path(out_dir).parent / f".{Path(out_dir).name}.highs.log"
    solution = solve(builder.m, config.case.solver, log_file=log_file)
    timings.update(solution.timings)

    t = time.perf_counter()
    solution.capacities = capacities(builder, solution)
    metadata = {
        "case": config.case.name,
        "scenario": config.scenario,
        "scenario_description": config.scenario_description,
        "inputs_hash": config.inputs_hash,
        "snapshots": len(data.time),
        "solver_options": config.case.solver.model_dump_json(),
        **{f"version_{k}": v for k, v in package_versions().items()},
    }
    if solution.mip_gap is not None:
        metadata["mip_gap"] = solution.mip_gap
    dataset = to_dataset(builder, solution, metadata)
    summary = analysis.summary(dataset)
    tables: dict[str, pd.DataFrame] = {}  # further analyses add theirs by name (plan_audit, finance, ...)
    timings["extract_s"] = time.perf_counter() - t

    written = None
    if out_dir is not None:
        t = time.perf_counter()
        timings["total_s"] = time.perf_counter() - start
        dataset.attrs.update({f"time_{k}": round(v, 3) for k, v in timings.items()})
        lang = lang or config.case.report_language
        writers = [lambda folder: write_excel(dataset, summary, folder / "results.xlsx", lang=lang, tables=tables)]
        if report:
            from .report import write_report

            writers.append(lambda folder: write_report(
                dataset, summary, folder / "report.html", lang=lang, tables=tables,
                images_dir=folder / "images" if images else None))
        if log_file and log_file.exists():
            writers.append(lambda folder: log_file.replace(folder / "highs.log"))
        written = write_run(Path(out_dir), dataset, summary, writers)
        timings["write_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - start
    return RunResult(dataset=dataset, summary=summary, out_dir=written, timings=timings, tables=tables)
