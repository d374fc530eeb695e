"""The broken-input corpus (tests/bad_inputs/cases.yaml) and the checks that need more than one patch."""

from __future__ import annotations

import numpy as np
import pytest
from bad_inputs_harness import VALID, build, cases, problems
from micro import write_case
from typer.testing import CliRunner

from energy_model.case.config import list_scenarios, load_case
from energy_model.case.files import read_yaml
from energy_model.cli import EXIT_BUG, EXIT_INPUT, app
from energy_model.errors import InputError
from energy_model.runner import run

CASES = cases()
HOURS_PER_YEAR = 8760


def test_the_corpus_holds_at_least_thirty_cases_each_with_its_message():
    assert len(CASES) >= 30
    assert all(spec.get("defect") and spec.get("expect") for spec in CASES.values())


def test_the_valid_case_loads_and_solves_in_every_scenario():
    for scenario in list_scenarios(VALID):
        assert load_case(VALID, scenario).technologies
    result = run(VALID, "more_wind", report=False)
    assert result.dataset.attrs["solver_status"] == "optimal"
    assert result.dataset["capacity"].sel(tech="wind").item() >= 150


@pytest.mark.parametrize("name", list(CASES))
def test_broken_case_gives_exactly_its_message(name, tmp_path):
    spec = CASES[name]
    assert problems(build(spec, tmp_path / name), spec.get("scenario")) == spec["expect"]


def test_all_problems_of_all_files_come_together(tmp_path):
    # defects in case.yaml, technologies.yaml and a CSV, and a capacity factor out of range
    folder = build({"set": {"technologies.yaml": {"coal.capacty": 1, "battery.standing_loss": 2},
                            "case.yaml": {"discount_rate": -1}},
                    "columns": {"price": [1, 2, "x", 4, 5, 6]}}, tmp_path / "c")
    assert [line.split(":")[0] for line in problems(folder, None)] == [
        "case.yaml", "technologies.yaml", "technologies.yaml", "timeseries/series.csv"]
    # with case.yaml valid, the entries that did validate are still checked against the timeseries
    folder = build({"set": {"technologies.yaml": {"coal.capacty": 1}},
                    "columns": {"wind": [0.5, 0.5, 2, 0.5, 0.5, 0.5]}}, tmp_path / "d")
    assert [line.split(":")[0] for line in problems(folder, None)] == ["technologies.yaml", "timeseries/series.csv"]


def test_duplicate_keys_are_all_reported_with_their_lines(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n<<: {d: 1}\ne: {f: 1, f: 2}\n")
    with pytest.raises(InputError) as info:
        read_yaml(path)
    assert [p.split(": ", 1)[1] for p in info.value.problems] == [
        "line 4: key 'c' appears twice in one mapping (first at line 3); remove one",
        "line 5: key 'a' appears twice in one mapping (first at line 1); remove one",
        "line 7: key 'f' appears twice in one mapping (first at line 7); remove one",
    ]


def test_yaml_tags_that_build_python_objects_are_refused(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(InputError, match="not valid YAML"):
        read_yaml(path)


def test_demand_shape_must_sum_to_one_over_a_full_year(tmp_path):
    flat = [1.0 / HOURS_PER_YEAR] * HOURS_PER_YEAR
    load = {"load": {"kind": "demand", "annual": 1000, "profile": "shape"}}
    assert load_case(write_case(tmp_path / "ok", load, series={"shape": flat}))
    megawatts = [60.0] * HOURS_PER_YEAR  # a load in MW where a shape belongs
    case = write_case(tmp_path / "bad", load, series={"shape": megawatts})
    with pytest.raises(InputError) as info:
        load_case(case)
    assert info.value.problems == [
        f"{case}/timeseries/series.csv: column 'shape' (shape of load) sums to 5.256e+05 over the first 8760 hours; "
        "expected 1 (hourly demand = annual x shape), so divide the column by its sum"]


def test_a_file_shorter_than_the_horizon_is_caught_even_when_another_is_long_enough(tmp_path):
    case = write_case(tmp_path / "c", {"wind": {"kind": "renewable", "profile": "wind", "capacity": 1}},
                      series={"wind": [0.5] * 6})
    short = "time,price\n2030-01-01 00:00,1\n2030-01-01 01:00,2\n"
    (case / "timeseries" / "prices.csv").write_text(short)
    with pytest.raises(InputError) as info:
        load_case(case)
    assert info.value.problems == [f"{case}/timeseries/prices.csv: 2 rows, fewer than time.hours = 6 in case.yaml"]


def test_units_written_for_the_right_carrier_are_accepted(tmp_path):
    case = write_case(tmp_path / "c", {
        "tank": {"kind": "storage", "carrier": "hydrogen", "capacity": "2 t/h", "energy_capacity": "30 t",
                 "capex": "5000 CNY*h/t", "build_max": "4 t/h"},
        "h2": {"kind": "demand", "carrier": "hydrogen", "annual": "1 kt/yr"},
    })
    config = load_case(case)
    assert config.technologies["tank"].energy_capacity == 30
    assert config.technologies["h2"].annual == 1000


def test_quoted_plain_numbers_are_numbers_in_the_canonical_unit(tmp_path):
    case = write_case(tmp_path / "c", {"wind": {"kind": "renewable", "profile": "flat", "capacity": "12.5"}})
    assert load_case(case).technologies["wind"].capacity == 12.5


def test_yaml_dates_are_accepted_as_the_start(tmp_path):
    case = write_case(tmp_path / "c", {"wind": {"kind": "renewable", "profile": "flat", "capacity": 1}})
    text = (case / "case.yaml").read_text().replace("start: 2030-01-01 00:00", "start: 2030-01-01")
    (case / "case.yaml").write_text(text)
    assert load_case(case).case.time.start == "2030-01-01 00:00"


def test_cli_bad_input_is_a_message_and_exit_2_and_debug_shows_the_traceback(tmp_path):
    folder = build(CASES["unknown_field"], tmp_path / "c")
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "o"), "--no-report"])
    assert result.exit_code == EXIT_INPUT
    assert "wind.capacty = 120: unknown field (did you mean 'capacity'?)" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()
    debug = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "o"), "--debug"])
    assert isinstance(debug.exception, InputError)


def test_cli_internal_error_is_one_sentence_with_a_hint(tmp_path, monkeypatch):
    import energy_model.runner

    def broken(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(energy_model.runner, "run", broken)
    result = CliRunner().invoke(app, ["run", str(VALID), "--out", str(tmp_path / "o")])
    assert result.exit_code == EXIT_BUG
    assert "internal error: ZeroDivisionError: float division by zero" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output


def test_cli_rejects_an_unknown_report_language_before_solving(tmp_path):
    result = CliRunner().invoke(app, ["run", str(VALID), "--lang", "fr", "--out", str(tmp_path / "o")])
    assert result.exit_code == EXIT_INPUT and "--lang: 'fr' is not one of zh, en" in result.output
    assert not (tmp_path / "o").exists()


def test_every_scenario_of_the_default_case_loads():
    case = VALID.parents[2] / "inputs" / "shuangliao"
    for scenario in list_scenarios(case):
        config = load_case(case, scenario)
        assert np.isfinite(config.timeseries.to_numpy()).all()
