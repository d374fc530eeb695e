"""Scenario includes, the Shuangliao direct-supply scenarios end to end, and the sources of their inputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from micro import write_case
from openpyxl import load_workbook
from test_default_case import _is_number

from energy_model.case.config import load_case
from energy_model.errors import InputError
from energy_model.runner import run

CASE = Path(__file__).resolve().parents[1] / "inputs" / "shuangliao"
WIND = {"kind": "renewable", "profile": "flat", "capacity": 10}
def has_number(value) -> bool:
    """A number, a 'number unit' string, or a mapping or list holding one: a figure that needs its source."""
    if isinstance(value, dict):
        return any(has_number(v) for v in value.values())
    if isinstance(value, list):
        return any(has_number(v) for v in value)
    return _is_number(value)


def include_case(tmp_path, fragment: dict):
    scenarios = {"with_project": {"description": "adds a project", "include": ["extra.yaml"]}}
    case = write_case(tmp_path / "c", {"wind": WIND}, scenarios=scenarios)
    (case / "extra.yaml").write_text(yaml.safe_dump(fragment))
    return case


def test_a_scenario_includes_nodes_technologies_and_projects(tmp_path):
    case = include_case(tmp_path, {"nodes": {"site": {}},
                                   "technologies": {"site_wind": {**WIND, "node": "site"}},
                                   "projects": {"p": {"technologies": ["site_wind"]}}})
    config = load_case(case, "with_project")
    assert config.technologies["site_wind"].node == "site"
    assert list(config.case.projects) == ["p"]
    assert "site_wind" not in load_case(case).technologies


def test_an_included_name_defined_twice_or_a_foreign_section_is_an_error(tmp_path):
    case = include_case(tmp_path, {"technologies": {"wind": WIND}, "policy": {"co2_price": 5}})
    with pytest.raises(InputError) as info:
        load_case(case, "with_project")
    message = str(info.value)
    assert "extra.yaml: technologies.wind is already defined in the case" in message
    assert "extra.yaml: section 'policy' cannot be included" in message


@pytest.mark.parametrize("scenario", ["direct_supply_methanol", "direct_supply_chlor_alkali"])
def test_every_number_of_a_project_file_has_a_source(scenario):
    config = load_case(CASE, scenario)
    included = yaml.safe_load((CASE / "projects" / f"{scenario}.yaml").read_text(encoding="utf-8"))
    sections = [(name, spec) for name, spec in included["technologies"].items()]
    for name, project in included["projects"].items():
        assert set(project["technologies"]) <= set(config.technologies)
        finance = project["finance"]
        sections += [(f"{name}.direct_supply", project["direct_supply"]), (f"{name}.finance", finance),
                     (f"{name}.finance.tornado", finance["tornado"]), (f"{name}.finance.sweep", finance["sweep"]),
                     (f"{name}.finance.feasibility", finance["feasibility"]), (f"{name}.finance.risk", finance["risk"])]
    missing = [f"{where}.{key}" for where, spec in sections for key, value in spec.items()
               if key not in ("sources", "tornado", "sweep", "levelised", "feasibility", "risk") and has_number(value)
               and key not in spec.get("sources", {})]
    assert not missing, missing


def test_methanol_direct_supply_scenario_end_to_end(tmp_path):
    out = tmp_path / "out"
    result = run(CASE, "direct_supply_methanol", out, hours=24, lang="en", sweep=True)
    ds = result.dataset
    metrics = dict(zip(ds["fin_metric"].values, ds["finance_metric"].sel(fin_project="powerchina_methanol").values))
    assert metrics["capex"] > 0 and metrics["LCOM"] > 0 and metrics["LCOH"] > 0
    # the rules hold: the optimiser meets each limit of the notice
    compliance = (out / "compliance.csv").read_text()
    assert compliance.count("True,True") == 3
    # the methanol chain left the base node: 49 kt/yr are made on the project node only
    assert ds["capacity"].sel(tech="methanol_synthesis").item() == 0
    for name in ("finance.csv", "finance_tornado.csv", "finance_sweep.csv", "finance.xlsx", "report.html"):
        assert (out / name).exists()
    sheet = load_workbook(out / "finance.xlsx")["Project finance"]
    assert any(str(cell.value).startswith("=IFERROR(IRR(") for row in sheet.iter_rows() for cell in row)
    page = (out / "report.html").read_text(encoding="utf-8")
    for title in ("Project finance", "Project cash flows", "Project NPV sensitivity", "Project sizing sweep",
                  "Direct-supply compliance"):
        assert title in page
    sheets = load_workbook(out / "results.xlsx").sheetnames  # the compliance and finance tables are sheets too
    assert any(name.startswith("Direct-supply compliance") for name in sheets) and "Project finance" in sheets
    # the feasibility-study view: returns, debt and DSCR in summary.csv, the statement in the report
    summary = pd.read_csv(out / "summary.csv").set_index("kpi")["value"]
    for figure in ("npv", "project_irr_after_tax", "equity_irr", "dscr_min", "LCOH", "min_self_consumption"):
        assert f"project.powerchina_methanol.{figure}" in summary.index
    assert "Feasibility-study view" in page


def test_a_project_run_alone_gives_its_figures_in_the_region(tmp_path):
    """The methanol project behind its market connection is separable: solved alone it has the optimum, and
    so the returns, it has inside the whole case on the same hours."""
    region = run(CASE, "direct_supply_methanol", None, hours=48).dataset
    alone = run(CASE, "direct_supply_methanol", tmp_path / "alone", hours=48, report=False,
                project="powerchina_methanol").dataset
    assert set(map(str, alone["tech"].values)) == set(load_case(CASE, "direct_supply_methanol").case.projects[
        "powerchina_methanol"].technologies)

    def figures(ds):
        values = ds["finance_metric"].sel(fin_project="powerchina_methanol").to_series()
        return values[["npv", "LCOH", "project_irr_after_tax", "equity_irr", "dscr_min"]]

    pd.testing.assert_series_equal(figures(alone), figures(region), rtol=1e-5)
    with pytest.raises(InputError, match="not in scenario 'base_2030'"):
        run(CASE, "base_2030", None, hours=24, project="powerchina_methanol")


def test_the_shipped_projects_side_by_side_in_one_comparison(tmp_path):
    """energy-model projects: each project of the case alone, its returns, DSCR and P90 NPV as rows of one
    comparison, one column per project."""
    from typer.testing import CliRunner

    from energy_model.cli import app

    out = tmp_path / "projects"
    done = CliRunner().invoke(app, ["projects", str(CASE), "--hours", "48", "--out", str(out), "--no-report",
                                    "--workers", "1"])
    assert done.exit_code == 0, done.output
    table = pd.read_csv(out / "comparison.csv")
    kpis = table[table["section"] == "kpi"].set_index("item")
    for project in ("powerchina_methanol", "caustic_soda_200kt"):
        for figure in ("npv", "project_irr_after_tax", "equity_irr", "dscr_min", "npv_p90"):
            values = kpis.loc[f"project.{project}.{figure}", project]
            assert pd.notna(values), (project, figure)


def test_the_shipped_shared_substation_holds_the_project_feed_in_within_the_base_limit():
    ds = run(CASE, "direct_supply_methanol_shared_substation", hours=168, report=False).dataset
    exports = ds["export"].sel(tech=["grid_500kv", "dsm_grid"]).fillna(0)
    both, project = exports.sum("tech").values, exports.sel(tech="dsm_grid").values
    limit = float(ds["capacity"].sel(tech="grid_500kv"))
    assert both.max() <= limit + 1e-6
    # the coupling binds: hours in which the project feeds in and takes a share of the base's full 2,000 MW
    assert ((both >= limit - 1e-6) & (project > 1e-6)).any()
