"""Command line: ``energy-model run``, ``energy-model list``.

Input and solver problems end with a plain message and a non-zero exit code; ``--debug`` shows the
traceback for developers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from .config import InputError, list_scenarios
from .labels import LANGUAGES
from .solve import SolveError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Capacity and dispatch optimisation of the Shuangliao energy base (pyomo + HiGHS).")


@app.command()
def run(
    case: Path = typer.Argument(..., help="case folder, e.g. inputs/shuangliao"),
    scenario: str = typer.Option(None, "--scenario", "-s", help="scenario name (default: the case's default)"),
    out: Path = typer.Option(None, "--out", "-o", help="output folder (default: results/<scenario>)"),
    hours: int = typer.Option(None, help="solve only the first N hours (quick checks)"),
    lang: str = typer.Option(None, help="report language, zh or en (default: the case's report_language)"),
    images: bool = typer.Option(False, "--images", help="also write PNGs of the report's charts to images/"),
    time_limit: float = typer.Option(None, help="solver time limit [s]"),
    threads: int = typer.Option(None, help="solver threads"),
    no_report: bool = typer.Option(False, "--no-report", help="skip report.html"),
    debug: bool = typer.Option(False, help="show tracebacks"),
):
    """Solve one scenario and write results.nc, CSVs, summary.csv, results.xlsx and report.html."""
    from .report import ImageError
    from .run import run as run_model

    if lang is not None and lang not in LANGUAGES:
        _fail(InputError([f"--lang: '{lang}' is not one of {', '.join(LANGUAGES)}"]), debug)
    overrides = {k: v for k, v in {"time_limit": time_limit, "threads": threads}.items() if v is not None}
    try:
        scenario_name = scenario or _default_scenario(case)
        out_dir = out or Path("results") / (scenario_name or "case")
        result = run_model(case, scenario_name, out_dir, hours=hours, report=not no_report, lang=lang,
                           images=images, solver_overrides=overrides)
    except (InputError, SolveError, ImageError) as exc:
        _fail(exc, debug)
    values = result.summary.set_index("kpi")["value"]
    typer.echo(f"{result.dataset.attrs['scenario']}: {result.dataset.attrs['solver_status']}, total cost "
               f"{values['total_cost'] / 1e8:,.2f} 亿CNY, curtailment {values['curtailment_rate']:.1%}, "
               f"CO2 {values['co2_mt']:.2f} Mt, unserved {values['unserved_mwh']:,.0f} MWh")
    typer.echo("times: " + ", ".join(f"{k} {v:.1f}" for k, v in result.timings.items()))
    typer.echo(f"results in {result.out_dir}")


@app.command("list")
def list_(case: Path = typer.Argument(..., help="case folder"), debug: bool = typer.Option(False)):
    """List the scenarios of a case with their descriptions."""
    try:
        scenarios = list_scenarios(case)
    except InputError as exc:
        _fail(exc, debug)
    width = max((len(name) for name in scenarios), default=0)
    for name, spec in scenarios.items():
        parent = f" (inherits {spec.inherits})" if spec.inherits else ""
        typer.echo(f"{name:<{width}}  {spec.description}{parent}")


def _default_scenario(case: Path) -> str | None:
    from .config import CASE_FILE, read_yaml

    return read_yaml(Path(case) / CASE_FILE).get("default_scenario")


def _fail(exc: Exception, debug: bool):
    if debug:
        raise exc
    typer.echo(f"error: {exc}" if not isinstance(exc, InputError) else f"error: invalid input\n{exc}", err=True)
    sys.exit(2 if isinstance(exc, InputError) else 3)


if __name__ == "__main__":
    app()
