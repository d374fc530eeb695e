"""Many runs at once: every scenario of a case, or the points of a sweep, in parallel and resumable.

Each run writes its own folder ``<batch>/<name>/`` and one row of ``<batch>/index.csv`` (status,
objective, wall time, error message). A run that fails is recorded and the others go on. A run is
skipped when its last result is complete and its *run key* is unchanged: the inputs hash (input files,
scenario, resolved overrides) together with the options that change the solution (hours, representative
days, solver limits) and the package and solver versions; ``force`` runs it anyway.

Runs go to local worker processes, one per core by default (``workers=1``: one after another in this
process; workers are spawned, so a script that calls :func:`run_batch` needs a ``__main__`` guard), or with ``scheduler="tcp://host:port"`` to an existing Dask distributed cluster, whose workers
must see the batch folder (a shared filesystem) and have this package installed.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .case.config import hash_inputs, list_scenarios, load_case
from .case.files import (
    CASE_FILE,
    SCENARIOS_FILE,
    TIMESERIES_DIR,
    WEATHER_YEARS_DIR,
    read_yaml,
)
from .case.scenarios import SCENARIO_SEPARATOR, resolve, resolve_includes
from .case.timeseries import weather_years
from .constants import STORE
from .errors import InputError, SolveError
from .results.dataset import COMPLETE_MARKER
from .results.index import INDEX_FILE, read_index, write_index

ERRORS_DIR = "errors"
PENDING, OK, FAILED = "pending", "ok", "failed"


@dataclass
class RunSpec:
    """One run of a batch: a scenario (possibly combined with '+') plus further overrides."""

    name: str
    case_dir: str
    scenario: str
    overrides: dict[str, object] = field(default_factory=dict)
    overrides_source: str = "overrides"
    params: dict[str, object] = field(default_factory=dict)  # sweep values, shown as index columns
    project: str | None = None  # solve only this project of the scenario (runner.run's ``project``)


@dataclass
class RunOptions:
    """How every run of a batch is solved and written."""

    hours: int | None = None  # the first N hours; None: the case's horizon
    days: int | None = None  # representative days; 0: every hour; None: as the case (or scenario) says
    sizing_days: int | None = None  # size on K representative days, then every hour; 0: one optimisation
    report: bool = True
    lang: str | None = None  # None: the case's report_language
    solver: dict[str, object] = field(default_factory=dict)  # time_limit, threads, ...

    def key(self) -> dict[str, object]:
        """The options that change a solution (threads and report language do not)."""
        solver = {k: v for k, v in sorted(self.solver.items()) if k != "threads"}
        return {"hours": self.hours, "days": self.days, "sizing_days": self.sizing_days, "solver": solver}


# ---- what to run ----------------------------------------------------------------------------------------
def scenario_runs(case_dir: str | Path, names: list[str] | None = None) -> list[RunSpec]:
    """One run per scenario of the case (or per name given; names may combine scenarios with '+')."""
    names = names or list(list_scenarios(case_dir))
    return [RunSpec(name=name, case_dir=str(case_dir), scenario=name) for name in names]


TYPICAL_YEAR = "typical"  # the ensemble's run of the case's own time series, beside the weather years


def ensemble_runs(case_dir: str | Path, scenario: str, years: list[str] | None = None, project: str | None = None,
                  design: dict[str, object] | None = None) -> list[RunSpec]:
    """One run of the case's own year (``typical``) and one per weather year of the case (``years``: a
    subset), each with the same ``design`` overrides (capacities held, see :func:`design_overrides`) and, with
    ``project``, of that project alone."""
    known = weather_years(case_dir)
    if not known:
        raise InputError([f"{Path(case_dir) / TIMESERIES_DIR}: no weather years (folders under "
                          f"{TIMESERIES_DIR}/{WEATHER_YEARS_DIR}/); make profiles writes the default case's"])
    unknown = [y for y in years or [] if y not in known]
    if unknown:
        raise InputError([f"--years: {', '.join(unknown)} not among the case's weather years ({', '.join(known)})"])
    design = design or {}
    runs = [RunSpec(name=TYPICAL_YEAR, case_dir=str(case_dir), scenario=scenario, overrides=dict(design),
                    overrides_source="the design held", params={"weather_year": TYPICAL_YEAR}, project=project)]
    for year in years or known:
        runs.append(RunSpec(name=year, case_dir=str(case_dir), scenario=scenario,
                            overrides={**design, "weather_year": year}, overrides_source=f"weather year {year}",
                            params={"weather_year": year}, project=project))
    return runs


def design_overrides(results_dir: str | Path, config) -> dict[str, object]:
    """Overrides that hold the capacities a run built (``results_dir``): every technology that could be
    built gets build_min = build_max = what was built, and a store sized freely its duration, so that an
    ensemble asks how that design fares in other weather rather than what each year would build. A
    direct-supply project's self-consumption and green shares become reported, not imposed: a windy or calm
    year may breach them, which the ensemble then shows year by year."""
    from .results.netcdf import open_results

    path = Path(results_dir) / "results.nc"
    if not path.is_file():
        raise InputError([f"--design-from {results_dir}: no results.nc (give the folder of a finished run)"])
    ds = open_results(path)
    built = {str(g): float(v) for g, v in ds["capacity_new"].to_series().items()}
    total = {str(g): float(v) for g, v in ds["capacity"].to_series().items()}
    energy = {str(g): float(v) for g, v in ds["energy_capacity"].to_series().items()}
    overrides: dict[str, object] = {}
    for g, tech in config.technologies.items():
        if g not in built:
            continue
        expandable = getattr(tech, "build_max", 0.0)
        if expandable is None or expandable > 0:
            overrides[f"technologies.{g}.build_min"] = built[g]
            overrides[f"technologies.{g}.build_max"] = built[g]
        if tech.has(STORE) and tech.duration is None and total[g] > 0 and np.isfinite(energy.get(g, np.nan)):
            overrides[f"technologies.{g}.min_duration"] = energy[g] / total[g]
            overrides[f"technologies.{g}.max_duration"] = energy[g] / total[g]
    for name, project in config.case.projects.items():
        # a held plant cannot change what a year's weather makes available: its shares are reported, and only the
        # feed-in cap, which curtailing always meets, stays a constraint
        if project.direct_supply is not None and project.direct_supply.enforce:
            overrides[f"projects.{name}.direct_supply.enforce"] = ["max_feed_in"]
    return overrides


@dataclass
class Sweep:
    """A parameter grid over one base scenario, read from a sweep file."""

    name: str
    description: str
    runs: list[RunSpec]


SWEEP_FIELDS = {"description", "case", "scenario", "parameters"}


def load_sweep(path: str | Path, case_dir: str | Path | None = None) -> Sweep:
    """Read a sweep file: ``parameters`` maps dotted override paths to lists of values; the runs are
    their cartesian product, named ``<file stem>_001``, ... in the order of the file.

    The case is ``case_dir``, else the file's ``case`` (relative to the file), else the folder that holds
    the file's ``sweeps/`` folder. Every point is loaded (validated) here, so that a bad value in a late point
    stops the sweep before the first solve, with the problems of all points in one message.
    """
    path = Path(path)
    spec = read_yaml(path)
    problems = [f"{path}: unknown field '{key}' (expected {', '.join(sorted(SWEEP_FIELDS))})"
                for key in spec if key not in SWEEP_FIELDS]
    parameters = spec.get("parameters")
    if not isinstance(parameters, dict) or not parameters:
        problems.append(f"{path}: parameters: expected a mapping of override paths to lists of values")
        parameters = {}
    for key, values in parameters.items():
        if not isinstance(values, list) or not values:
            problems.append(f"{path}: parameters.{key} = {values!r}: expected a non-empty list of values")
    if problems:
        raise InputError(problems)
    if case_dir is None:
        case_dir = (path.parent / spec["case"]) if "case" in spec else path.resolve().parent.parent
    scenario = spec.get("scenario") or default_scenario(case_dir)
    if "scenario" in spec:
        known = list_scenarios(case_dir)
        unknown = [name.strip() for name in str(scenario).split(SCENARIO_SEPARATOR) if name.strip() not in known]
        if unknown:
            raise InputError([f"{path}: scenario = {scenario!r}: no scenario {', '.join(map(repr, unknown))} in "
                              f"{Path(case_dir) / SCENARIOS_FILE}"])
    paths = list(parameters)
    runs = []
    for i, values in enumerate(itertools.product(*parameters.values()), start=1):
        name = f"{path.stem}_{i:03d}"
        runs.append(RunSpec(name=name, case_dir=str(case_dir), scenario=scenario, overrides=dict(zip(paths, values)),
                            overrides_source=f"{path}, point {name}",
                            params={key: _param_text(value) for key, value in zip(paths, values)}))
    problems = []
    for run in runs:
        try:
            load_case(case_dir, scenario, run.overrides, run.overrides_source)
        except InputError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise InputError(problems)
    return Sweep(name=path.stem, description=str(spec.get("description", "")), runs=runs)


def _param_text(value: object) -> object:
    """A sweep value as the index shows it: ``x0.7`` for a scale, JSON for other mappings."""
    if isinstance(value, dict) and set(value) == {"scale"}:
        return f"x{value['scale']:g}"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


# ---- running ------------------------------------------------------------------------------------------
def execute(spec: RunSpec, out_dir: Path, options: RunOptions) -> dict:
    """Solve one run into ``out_dir`` and return its index row; never raises (a failure is a row)."""
    from .runner import run

    start = time.perf_counter()
    row = {"name": spec.name, "case": spec.case_dir, "scenario": spec.scenario, "status": FAILED,
           "hours": options.hours, "days": options.days, "sizing_days": options.sizing_days}
    try:
        result = run(spec.case_dir, spec.scenario, out_dir, hours=options.hours, days=options.days,
                     sizing_days=options.sizing_days,
                     report=options.report, lang=options.lang, solver_overrides=options.solver,
                     overrides=spec.overrides, overrides_source=spec.overrides_source, project=spec.project)
        attrs = result.dataset.attrs
        row.update(status=OK, objective=float(attrs["objective"]), solver_status=attrs["solver_status"],
                   inputs_hash=attrs["inputs_hash"])
    except Exception as exc:  # noqa: BLE001 - any failure of one run is recorded, the batch goes on
        row["error"] = describe_error(exc)
        errors = Path(out_dir).parent / ERRORS_DIR
        errors.mkdir(parents=True, exist_ok=True)
        (errors / f"{spec.name}.txt").write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    row["wall_s"] = round(time.perf_counter() - start, 2)
    return row


def describe_error(exc: BaseException) -> str:
    """One line for the index: input problems joined, other errors with their type."""
    if isinstance(exc, InputError):
        return "invalid input: " + " | ".join(exc.problems)
    text = " ".join(str(exc).split())
    return text if isinstance(exc, SolveError) else f"{type(exc).__name__}: {text}"


def run_batch(specs: list[RunSpec], batch_dir: str | Path, options: RunOptions | None = None,
              workers: int | None = None, scheduler: str | None = None, force: bool = False,
              progress: bool = True, compare: bool = True) -> pd.DataFrame:
    """Run ``specs`` into ``batch_dir`` and return the index (also written to ``index.csv``)."""
    options = options or RunOptions()
    batch_dir = Path(batch_dir)
    batch_dir.mkdir(parents=True, exist_ok=True)
    _check_names(specs)
    workers = max(1, workers or os.cpu_count() or 1)

    previous = read_index(batch_dir)
    rows: dict[str, dict] = {}
    todo: list[RunSpec] = []
    for spec in specs:
        inputs_hash = _inputs_hash(spec)
        key = _run_key(inputs_hash, options, spec.project)
        old = previous.get(spec.name)
        if (not force and key and old and old.get("status") == OK and old.get("run_key") == key
                and _complete(batch_dir / spec.name, inputs_hash)):
            rows[spec.name] = {**old, **spec.params, "skipped": True}
        else:
            rows[spec.name] = {"name": spec.name, "case": spec.case_dir, "scenario": spec.scenario,
                               "status": PENDING, **spec.params}
            todo.append(spec)
    write_index(batch_dir, rows.values(), specs)
    if scheduler is None and "threads" not in options.solver:  # share the cores among the parallel solves
        parallel = min(workers, max(1, len(todo)))
        options = replace(options, solver={**options.solver, "threads": max(1, (os.cpu_count() or 1) // parallel)})

    by_name = {spec.name: spec for spec in specs}
    bar = _progress(len(todo), batch_dir.name, progress)
    done_rows = _run_remote(todo, batch_dir, options, scheduler) if scheduler else \
        _run_local(todo, batch_dir, options, workers)
    for finished, row in enumerate(done_rows, start=1):
        spec = by_name[row["name"]]
        inputs_hash = row.get("inputs_hash") or _inputs_hash(spec)
        rows[spec.name] = {**row, **spec.params, "skipped": False, "inputs_hash": inputs_hash,
                           "run_key": _run_key(inputs_hash, options, spec.project),
                           "finished": pd.Timestamp.now().isoformat(timespec="seconds")}
        write_index(batch_dir, rows.values(), specs)
        bar.update(1)
        bar.set_postfix(failed=sum(r["status"] == FAILED for r in rows.values()))
        if progress and bar.disable and todo:  # not on a terminal (a log, CI): one plain line per finished run
            print(f"{finished}/{len(todo)} {row['name']}: {row['status']}"
                  + (f" ({row.get('wall_s', 0):.0f} s)" if row.get("wall_s") else ""), file=sys.stderr, flush=True)
    bar.close()
    index = pd.read_csv(batch_dir / INDEX_FILE)
    if compare:
        from .report.comparison import write_comparison

        write_comparison(batch_dir, lang=options.lang)
    return index


def _run_local(specs: list[RunSpec], batch_dir: Path, options: RunOptions, workers: int) -> Iterator[dict]:
    """Rows as runs finish. A worker process that dies (e.g. out of memory) breaks the pool: the runs
    it took down are tried once more in a fresh pool, then recorded as failed."""
    if workers == 1 or len(specs) <= 1:
        for spec in specs:
            yield execute(spec, batch_dir / spec.name, options)
        return
    attempts: dict[str, int] = {}
    pending = list(specs)
    while pending:
        with ProcessPoolExecutor(max_workers=min(workers, len(pending)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(execute, spec, batch_dir / spec.name, options): spec for spec in pending}
            pending = []
            for future in as_completed(futures):
                spec = futures[future]
                try:
                    yield future.result()
                except BrokenProcessPool:
                    attempts[spec.name] = attempts.get(spec.name, 0) + 1
                    if attempts[spec.name] < 2:
                        pending.append(spec)
                    else:
                        yield _failed(spec, options, "worker process died (out of memory?)")


def _run_remote(specs: list[RunSpec], batch_dir: Path, options: RunOptions, scheduler: str) -> Iterator[dict]:
    """Rows as runs finish on a Dask distributed cluster (which retries runs on workers that die)."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise InputError(["--scheduler needs dask distributed: pip install 'energy-model[distributed]'"]) from None
    if not specs:
        return
    with Client(scheduler) as client:
        futures = {client.submit(execute, spec, batch_dir.resolve() / spec.name, options, pure=False): spec
                   for spec in specs}
        for future in dask_completed(futures):
            spec = futures[future]
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: recorded like any failure
                yield _failed(spec, options, describe_error(exc))


def _failed(spec: RunSpec, options: RunOptions, error: str) -> dict:
    return {"name": spec.name, "case": spec.case_dir, "scenario": spec.scenario, "status": FAILED,
            "hours": options.hours, "days": options.days, "sizing_days": options.sizing_days, "error": error}


# ---- skipping -----------------------------------------------------------------------------------------
def _inputs_hash(spec: RunSpec) -> str | None:
    """The hash a run of ``spec`` would record; None when its inputs do not resolve (it will fail)."""
    try:
        case_dir = Path(spec.case_dir)
        scenarios = list_scenarios(case_dir)
        overrides = resolve(scenarios, spec.scenario, case_dir / SCENARIOS_FILE, spec.overrides,
                            spec.overrides_source)[0]
        includes = resolve_includes(scenarios, spec.scenario, case_dir / SCENARIOS_FILE)
        return hash_inputs(case_dir, spec.scenario, overrides, includes)
    except InputError:
        return None


def _run_key(inputs_hash: str | None, options: RunOptions, project: str | None = None) -> str | None:
    """What decides a run's results: its inputs, the options that change the solution, the project it is
    limited to, and the versions of this package and the solver stack (results of an older model are not
    reused)."""
    if inputs_hash is None:
        return None
    text = json.dumps({"inputs_hash": inputs_hash, **options.key(), "project": project, "versions": _versions()},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.cache
def _versions() -> dict[str, str]:
    from .runner import package_versions

    return package_versions()


def _complete(out_dir: Path, inputs_hash: str | None) -> bool:
    marker = out_dir / COMPLETE_MARKER
    return inputs_hash is not None and marker.exists() and f"inputs_hash={inputs_hash}" in marker.read_text()





def _check_names(specs: list[RunSpec]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise InputError([f"batch: run name '{spec.name}' appears twice"])
        if not spec.name or spec.name.startswith(".") or any(c in spec.name for c in '/\\:*?"<>|'):
            raise InputError([f"batch: run name '{spec.name}' cannot be a folder name"])
        seen.add(spec.name)


def _progress(total: int, label: str, enabled: bool):
    from tqdm import tqdm

    on_terminal = sys.stderr.isatty()  # a bar redrawn in a log file is noise: plain lines instead (run_batch)
    return tqdm(total=total, desc=label, unit="run", disable=not enabled or total == 0 or not on_terminal,
                dynamic_ncols=True)


def default_scenario(case_dir: str | Path) -> str:
    """The case's default scenario, or ``"case"`` (no overrides) when it names none."""
    return read_yaml(Path(case_dir) / CASE_FILE).get("default_scenario") or "case"


# ---- measuring ----------------------------------------------------------------------------------------
def measure_speedup(case_dir: str | Path, scenarios: list[str], work_dir: str | Path, hours: int | None = None,
                    workers: int | None = None) -> dict[str, float]:
    """Wall time of the same runs one after another (the solver may use every core) and in parallel
    worker processes; for ``make bench``. Both start from empty folders (``force``), no report, no
    comparison. Worker processes are spawned: a script calling this needs ``if __name__ == "__main__":``."""
    work_dir = Path(work_dir)
    specs = scenario_runs(case_dir, scenarios)
    workers = workers or os.cpu_count() or 1
    times = {}
    for label, count in (("serial", 1), ("parallel", workers)):
        start = time.perf_counter()
        index = run_batch(specs, work_dir / label, RunOptions(hours=hours, report=False), workers=count,
                          force=True, progress=False, compare=False)
        times[label] = time.perf_counter() - start
        failed = index[index["status"] != OK]
        if len(failed):
            raise RuntimeError(f"{label} batch had failed runs: {failed[['name', 'error']].to_dict('records')}")
    return {"runs": len(specs), "hours": hours or 0, "workers": workers, "serial_s": times["serial"],
            "parallel_s": times["parallel"], "speedup": times["serial"] / times["parallel"]}
