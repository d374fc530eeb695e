"""``make bench``: this model against PyPSA on the same case, full year and representative days.

Each run is its own process (so peak memory is that run's alone); runs follow one another. The table
goes to ``results/bench/bench.md`` with the raw figures in ``bench.json``.

    python benchmarks/bench.py [--case inputs/shuangliao] [--scenario province_2030] [--days 12] [--hours N]

Runs: this model on the case as it is (all features, as a run solves it: two stages where the case sizes
on representative days); the same case as one joint LP (sizes and every hour) with HiGHS's interior point
HiPO when highspy-extras is installed (``--no-joint`` skips it, about 10 minutes); this model and PyPSA
on the comparable case (:func:`pypsa_case.comparable`: no commitment/start-ups, no ramps, flat annual
demands, in both), PyPSA once with
its default solver options and once with this model's HiGHS options; each for the full horizon and
for ``--days`` representative days. Objectives of the comparable runs must agree to 1e-6 (full
horizon; PyPSA has no inter-period storage linking, so at ``--days`` only the times compare). Then
the batch module's parallel speed-up on this machine's cores, and a project's sizing sweep built design by
design against one persistent model re-solved from the last basis.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOLERANCE = 1e-6


def measure(tool: str, case: str, scenario: str, hours: int | None, days: int | None, features: str,
            options: str) -> dict:
    """One run in this process: times of each phase, objective, peak memory."""
    sys.path.insert(0, str(HERE))
    start = time.perf_counter()
    from pypsa_case import comparable, constant_costs

    from energy_model.case.config import load_case
    from energy_model.model.data import build_data
    from energy_model.runner import set_horizon

    config = load_case(case, scenario)
    if features == "comparable":
        comparable(config)
    # the comparable runs are one optimisation, as PyPSA's; the full case runs as users run it (two stages
    # where the case sizes on representative days, energy_model.sizing)
    # (``joint``: the full case as one LP, sizes and every hour together, with HiGHS's interior point HiPO)
    set_horizon(config, hours, days or 0, sizing_days=None if features == "all" else 0)
    if features == "joint":
        config.case.solver = config.case.solver.model_copy(update={"method": JOINT_METHOD})
    data = build_data(config)
    record = {"tool": tool, "features": features, "options": options, "days": days or 0,
              "snapshots": len(data.time), "load_s": time.perf_counter() - start}
    if tool == "energy_model":
        record.update(_ours(data, config))
        record["objective_comparable"] = record["objective"] - constant_costs(data)
    else:
        record.update(_pypsa(data, config, options))
        record["objective_comparable"] = record["objective"]
    record["total_s"] = time.perf_counter() - start
    record["cpu_s"] = time.process_time()
    record["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return record


def _ours(data, config) -> dict:
    from energy_model import sizing
    from energy_model.analysis import kpis as analysis
    from energy_model.model.build import build_model
    from energy_model.results.dataset import capacities, to_dataset
    from energy_model.solve.highs import solve

    sizes, sizing_s = None, 0.0
    if sizing.applies(config):  # as a run does it: the sizing stage first, then the hourly model
        t = time.perf_counter()
        sizes = sizing.size_on_representative_days(config)[0]
        sizing_s = time.perf_counter() - t
    t = time.perf_counter()
    builder = build_model(data)
    if sizes is not None:
        sizing.fix_sizes(builder, sizes)
    build_s = time.perf_counter() - t
    solution = solve(builder.m, config.case.solver)
    t = time.perf_counter()
    solution.capacities = capacities(builder, solution)
    analysis.summary(to_dataset(builder, solution, {}))
    extract_s = time.perf_counter() - t
    timings = solution.timings
    return {"build_s": build_s, "sizing_s": sizing_s, "sizing_days": config.case.time.sizing_days
            if sizes is not None else 0, "handoff_s": timings["compile_s"] + timings["handoff_s"],
            "solve_s": timings["solve_s"], "extract_s": extract_s, "objective": solution.objective}


def _pypsa(data, config, options: str) -> dict:
    import logging
    import warnings

    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    import pypsa  # noqa: F401  (imports count in the total, as pyomo's do for this model)
    from pypsa_case import build_network, tie_storage_power

    t = time.perf_counter()
    network, tied = build_network(data)  # assembling the network is input preparation, like build_data
    prepare_s = time.perf_counter() - t
    t = time.perf_counter()
    model = network.optimize.create_model(include_objective_constant=False)
    tie_storage_power(tied)(network, network.snapshots)
    build_s = time.perf_counter() - t
    solver_options = {"log_to_console": False}
    if options == "ours":
        solver_options.update(highs_options(config.case.solver))
    t = time.perf_counter()
    status, condition = model.solve(solver_name="highs", **solver_options)
    solve_wall = time.perf_counter() - t
    if condition != "optimal":
        raise RuntimeError(f"PyPSA run ended {status}/{condition}")
    solve_s = float(model.solver_model.getRunTime())
    t = time.perf_counter()
    network.optimize.assign_solution()
    network.optimize.assign_duals(False)
    network.optimize.post_processing()
    extract_s = time.perf_counter() - t
    return {"build_s": build_s, "handoff_s": solve_wall - solve_s, "solve_s": solve_s, "extract_s": extract_s,
            "objective": float(model.objective.value), "prepare_s": prepare_s}


def highs_options(solver) -> dict:
    """This model's HiGHS options (case.yaml ``solver``) as HiGHS option names."""
    from energy_model.solve.highs import highs_option_values

    return highs_option_values(solver, has_integers=False)


JOINT_METHOD = "hipo"  # dual simplex took about 47 min on the joint year (PERFORMANCE_NOTES)
USER_WAIT_S = 180  # the time a user waits for a run (#18): a joint optimum within it could be the default
RUNS = [  # (tool, features, solver options)
    ("energy_model", "all", "ours"),
    ("energy_model", "comparable", "ours"),
    ("pypsa", "comparable", "default"),
    ("pypsa", "comparable", "ours"),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default=str(ROOT / "inputs" / "shuangliao"))
    parser.add_argument("--scenario", default="province_2030")
    parser.add_argument("--hours", type=int, default=None, help="shorter horizon (quick check)")
    parser.add_argument("--days", type=int, default=12)
    parser.add_argument("--out", default=str(ROOT / "results" / "bench"))
    parser.add_argument("--batch-hours", type=int, default=720, help="horizon of the batch speed-up runs")
    parser.add_argument("--batch-runs", type=int, default=4, help="scenarios in the batch speed-up (first N)")
    parser.add_argument("--sweep-project", default="powerchina_methanol", help="project whose sizing sweep is timed")
    parser.add_argument("--sweep-scenario", default="direct_supply_methanol", help="scenario holding that project")
    parser.add_argument("--sweep-hours", type=int, default=720, help="horizon of the sweep runs")
    parser.add_argument("--no-joint", action="store_true",
                        help="skip the joint optimum of the full case (one LP for sizes and every hour, about 10 min)")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        tool, features, options, days = args.worker.split(",")
        record = measure(tool, args.case, args.scenario, args.hours, int(days), features, options)
        print(json.dumps(record))
        return
    runs = [(days, run) for days in (0, args.days) for run in RUNS]
    if not args.no_joint and importlib.util.find_spec("highspy_extras") is not None:
        runs.append((0, ("energy_model", "joint", "ours")))
    records = []
    for days, (tool, features, options) in runs:
        command = [sys.executable, __file__, "--case", args.case, "--scenario", args.scenario,
                   "--worker", f"{tool},{features},{options},{days}"]
        if args.hours:
            command += ["--hours", str(args.hours)]
        print(f"bench: {tool} {features} options={options} days={days or 'full'}", file=sys.stderr, flush=True)
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        if done.returncode:
            sys.exit(f"bench run failed:\n{done.stderr[-3000:]}")
        records.append(json.loads(done.stdout.strip().splitlines()[-1]))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    batch = batch_speedup(args.case, out / "batch", args.batch_hours, args.batch_runs)
    sweep = sweep_speedup(args.case, args.sweep_scenario, args.sweep_project, args.sweep_hours)
    (out / "bench.json").write_text(json.dumps({"runs": records, "batch": batch, "sweep": sweep}, indent=1))
    table, problems = report(records, load=os.getloadavg(), batch=batch, sweep=sweep)
    (out / "bench.md").write_text(table)
    print(table)
    if problems:
        sys.exit("\n".join(problems))


def batch_speedup(case: str, work_dir: Path, hours: int, runs: int) -> dict:
    """The batch module's parallel speed-up: the first ``runs`` scenarios, one after another and in parallel."""
    from energy_model.batch import measure_speedup
    from energy_model.case.config import list_scenarios

    print(f"bench: batch of {runs} scenarios, {hours} h, serial then parallel", file=sys.stderr, flush=True)
    return measure_speedup(case, list(list_scenarios(case))[:runs], work_dir, hours=hours)


def sweep_speedup(case: str, scenario: str, project: str, hours: int) -> dict:
    """A project's sizing sweep built and solved design by design, and warm-started on one persistent model
    (investor.sweep), in this process one after the other; the largest NPV difference between the two."""
    import numpy as np

    from energy_model.case.config import load_case
    from energy_model.case.projects import project_alone
    from energy_model.investor import sweep
    from energy_model.runner import run, set_horizon

    print(f"bench: sizing sweep of {project}, {hours} h, cold then warm", file=sys.stderr, flush=True)
    config = project_alone(load_case(case, scenario), project)
    set_horizon(config, hours=hours)
    ds = run(case, scenario, project=project, hours=hours, report=False).dataset
    times, tables = {}, {}
    for mode in ("cold", "warm"):
        t = time.perf_counter()
        tables[mode], _ = sweep(ds, config, project, warm=mode == "warm")
        times[mode] = time.perf_counter() - t
    npv = tables["warm"]["npv"].to_numpy(), tables["cold"]["npv"].to_numpy()
    return {"project": project, "hours": hours, "designs": len(tables["warm"]) - 1, "cold_s": times["cold"],
            "warm_s": times["warm"], "speedup": times["cold"] / times["warm"],
            "max_npv_difference": float(np.nanmax(np.abs(npv[0] - npv[1]), initial=0.0))}


def report(records: list[dict], load, batch: dict | None = None, sweep: dict | None = None) -> tuple[str, list[str]]:
    """The markdown table with ratios, and any objective disagreement."""
    lines = ["# Benchmark: energy_model (pyomo + HiGHS) against PyPSA (linopy + HiGHS)", "",
             f"Machine: {os.cpu_count()} cores; load average after the runs {load[0]:.1f} (other work shares "
             "the cores; times are wall-clock seconds of one process each).", "",
             "| run | snapshots | build s | sizing s | handoff s | solve s | extract s | total s | total CPU s | "
             "peak RSS MB | objective CNY |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        staged = f", sized on {r['sizing_days']} days" if r.get("sizing_days") else ""
        features = {"all": "all features", "joint": f"all features, joint optimum, {JOINT_METHOD}"}.get(
            r["features"], "comparable")
        name = f"{r['tool']} ({features}{staged}, {'default' if r['options'] == 'default' else 'our'} HiGHS options)"
        lines.append(f"| {name} | {r['snapshots']} | {r['build_s']:.2f} | {r.get('sizing_s', 0.0):.2f} | "
                     f"{r['handoff_s']:.2f} | {r['solve_s']:.2f} | "
                     f"{r['extract_s']:.2f} | {r['total_s']:.2f} | {r['cpu_s']:.2f} | {r['peak_rss_mb']:.0f} | "
                     f"{r['objective']:.6e} |")
    problems = []
    lines += ["", "| comparison | full horizon | representative days |", "|---|---|---|"]

    def pick(tool, features, options, days):
        return next((r for r in records if (r["tool"], r["features"], r["options"]) == (tool, features, options)
                     and (r["days"] > 0) == days), None)

    rows = {
        "objective: ours − PyPSA (relative, comparable case)": [],
        "total time: ours / PyPSA default options": [],
        "total CPU time: ours / PyPSA default options": [],
        "total time: ours / PyPSA our options": [],
        "solve time: ours / PyPSA our options": [],
        "build + handoff + extract: ours / PyPSA our options": [],
        "peak RSS: ours / PyPSA default options": [],
        "ours: build + handoff + extract / solve": [],
    }
    for days in (False, True):
        ours, pypsa_default, pypsa_ours = (pick("energy_model", "comparable", "ours", days),
                                           pick("pypsa", "comparable", "default", days),
                                           pick("pypsa", "comparable", "ours", days))
        gap = (ours["objective_comparable"] - pypsa_default["objective_comparable"]) / abs(
            pypsa_default["objective_comparable"])
        if not days and abs(gap) > TOLERANCE:
            problems.append(f"objectives disagree by {gap:.2e} (tolerance {TOLERANCE:g})")
        rows["objective: ours − PyPSA (relative, comparable case)"].append(
            f"{gap:+.1e}" if not days else f"{gap:+.1e} (not comparable: no inter-period storage in PyPSA)")
        overhead = ours["build_s"] + ours["handoff_s"] + ours["extract_s"]
        rows["total time: ours / PyPSA default options"].append(f"{ours['total_s'] / pypsa_default['total_s']:.2f}")
        rows["total CPU time: ours / PyPSA default options"].append(
            f"{ours['cpu_s'] / pypsa_default['cpu_s']:.2f}")
        rows["total time: ours / PyPSA our options"].append(f"{ours['total_s'] / pypsa_ours['total_s']:.2f}")
        rows["solve time: ours / PyPSA our options"].append(f"{ours['solve_s'] / pypsa_ours['solve_s']:.2f}")
        pypsa_overhead = pypsa_ours["build_s"] + pypsa_ours["handoff_s"] + pypsa_ours["extract_s"]
        rows["build + handoff + extract: ours / PyPSA our options"].append(f"{overhead / pypsa_overhead:.2f}")
        rows["peak RSS: ours / PyPSA default options"].append(
            f"{ours['peak_rss_mb'] / pypsa_default['peak_rss_mb']:.2f}")
        rows["ours: build + handoff + extract / solve"].append(f"{overhead / ours['solve_s']:.1%}")
    for name, values in rows.items():
        lines.append(f"| {name} | {' | '.join(values)} |")
    full, days = pick("energy_model", "all", "ours", False), pick("energy_model", "all", "ours", True)
    overhead = full["build_s"] + full["handoff_s"] + full["extract_s"]
    solves = full["solve_s"] + full.get("sizing_s", 0.0)
    lines += ["", f"All features, full horizon: build + handoff + extract {overhead:.1f} s = {overhead / full['solve_s']:.0%} "
              f"of the hourly solve ({full['solve_s']:.1f} s), {overhead / solves:.0%} of it with the sizing stage "
              f"({full.get('sizing_s', 0.0):.1f} s, its own build included)."]
    lines += [_joint_line(full, pick("energy_model", "joint", "ours", False))]
    how = f" (sized on {full['sizing_days']} representative days, dispatched every hour)" if full.get("sizing_days") \
        else ""
    lines += ["", f"Representative days ({days['snapshots'] // 24}) against the full horizon{how}, this model with all "
              f"features: objective {(days['objective'] - full['objective']) / abs(full['objective']):+.2%}, "
              f"total time {days['total_s'] / full['total_s']:.1%} of the full run.", "",
              "Columns: build = the pyomo / linopy model from prepared data (PyPSA: `create_model`; assembling "
              "the pypsa.Network counts as input preparation, like this model's `build_data`); handoff = "
              "compile + pass to HiGHS (PyPSA: linopy's `solve` minus HiGHS's own run time); extract = "
              "results as arrays (this model: the results Dataset and KPIs; PyPSA: assign solution, duals, "
              "post-processing); total = the whole process from loading the case, imports included.", "",
              "Comparable case: commitment (start-ups, start fuel, up/down times), CHP heat extraction, retrofit "
              "and ramps of thermal units and plants dropped in both "
              "models, flexible annual demands made flat (no identical PyPSA formulation); every other feature "
              "(multi-output conversions with by-products, must-run floors, separately sized stores, the grid "
              "connection with time-of-use prices, unserved energy) is built the same way in both.",
              _batch_line(batch), _sweep_line(sweep)]
    return "\n".join(lines) + "\n", problems


def _joint_line(staged: dict, joint: dict | None) -> str:
    """The joint optimum against the two-stage run, and the choice of default they support."""
    if joint is None:
        return ("\nJoint optimum (sizes and every hour in one LP): not measured (--no-joint, or highspy-extras "
                "missing for HiPO).")
    gap = (staged["objective"] - joint["objective"]) / abs(joint["objective"])
    verdict = (f"within the {USER_WAIT_S} s a user waits for: the joint optimum could be the default"
               if joint["total_s"] <= USER_WAIT_S else
               f"{joint['total_s'] / staged['total_s']:.1f}× the two-stage run and above the {USER_WAIT_S} s a user "
               f"waits for, so the two-stage run stays the default and the joint optimum the option "
               f"(`--sizing-days 0 --set solver.method={JOINT_METHOD}`)")
    return (f"\nJoint optimum (sizes and all {joint['snapshots']} snapshots in one LP, HiGHS {JOINT_METHOD}): "
            f"build {joint['build_s']:.1f} s, handoff {joint['handoff_s']:.1f} s, solve {joint['solve_s']:.1f} s, total "
            f"{joint['total_s']:.0f} s, peak RSS {joint['peak_rss_mb']:.0f} MB. The run as `make run` solves it ("
            + (f"sized on {staged['sizing_days']} representative days, then every hour" if staged.get("sizing_days")
               else "one LP too at this horizon") + f"): total {staged['total_s']:.0f} s, peak RSS "
            f"{staged['peak_rss_mb']:.0f} MB, objective {gap:+.3%} above the joint optimum. Joint: {verdict}.")


def _sweep_line(sweep: dict | None) -> str:
    if not sweep:
        return "Sizing sweep: not measured."
    return (f"Sizing sweep (`energy_model.investor.sweep`, project {sweep['project']}, {sweep['designs']} designs of "
            f"{sweep['hours']} h): each design built and solved afresh {sweep['cold_s']:.1f} s, one model re-solved "
            f"from the last basis {sweep['warm_s']:.1f} s, speed-up {sweep['speedup']:.2f}×; largest NPV difference "
            f"between the two {sweep['max_npv_difference']:.2g} CNY.")


def _batch_line(batch: dict | None) -> str:
    if not batch:
        return "Batch speed-up: not measured."
    return (f"Batch speed-up (`energy_model.batch`, {batch['runs']} scenarios of {batch['hours']} h, "
            f"{batch['workers']} worker processes on {os.cpu_count()} cores): serial {batch['serial_s']:.1f} s, "
            f"parallel {batch['parallel_s']:.1f} s, speed-up {batch['speedup']:.2f}×.")


if __name__ == "__main__":
    main()
