"""No command deletes what the tool did not write, and a shortened run never replaces the full year."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from micro import write_case

CASE = {"wind": {"kind": "renewable", "profile": "flat", "capacity": 2},
        "load": {"kind": "demand", "annual": 8760.0}}


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "energy_model.cli", "run", *map(str, args), "--no-report"],
                          capture_output=True, text=True, cwd=cwd)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_folder_of_someone_elses_files_is_refused_and_left_alone(tmp_path):
    case = write_case(tmp_path / "case", CASE)
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "thesis.docx").write_bytes(b"years of work")
    done = _run(case, "--out", theirs)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "not the results of a run" in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert _snapshot(theirs) == {"thesis.docx": b"years of work"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case", "theirs"]  # no staging left behind


def test_the_case_folder_and_its_parents_are_refused(tmp_path):
    case = write_case(tmp_path / "case", CASE)
    before = _snapshot(case)
    for out in (case, tmp_path, Path(".")):
        done = _run(case, "--out", out, cwd=tmp_path)
        assert done.returncode == 2, (out, done.stdout + done.stderr)
        assert "--out" in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert _snapshot(case) == before


def test_an_earlier_run_is_replaced_and_a_file_is_refused(tmp_path):
    case = write_case(tmp_path / "case", CASE)
    out = tmp_path / "out"
    assert _run(case, "--out", out).returncode == 0
    assert _run(case, "--out", out).returncode == 0  # its own earlier run: replaced
    (tmp_path / "afile").write_text("x")
    assert _run(case, "--out", tmp_path / "afile").returncode == 2
    assert (tmp_path / "afile").read_text() == "x"


def test_a_shortened_run_goes_to_its_own_folder(tmp_path):
    case = write_case(tmp_path / "case", CASE)
    done = _run(case, "--hours", 2, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "results" / "case_h2" / "results.nc").exists()
    assert not (tmp_path / "results" / "case").exists()


def test_out_of_range_options_name_the_option(tmp_path):
    case = write_case(tmp_path / "case", CASE)
    for option, value in (("--hours", 100000), ("--days", 400), ("--sizing-days", 1000)):
        done = _run(case, option, value, "--out", tmp_path / "o")
        assert done.returncode == 2 and option in done.stdout + done.stderr
        assert not (tmp_path / "o").exists()


def test_compare_on_a_folder_without_an_index_says_so(tmp_path):
    done = subprocess.run([sys.executable, "-m", "energy_model.cli", "compare", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "index.csv" in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_csv_saved_by_excel_with_a_byte_order_mark_is_read(tmp_path):
    case = write_case(tmp_path / "case", CASE)
    series = case / "timeseries" / "series.csv"
    series.write_bytes(b"\xef\xbb\xbf" + series.read_bytes())
    done = _run(case, "--out", tmp_path / "o")
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_include_outside_the_case_folder_is_refused(tmp_path):
    import yaml

    case = write_case(tmp_path / "case", CASE)
    (tmp_path / "outside.yaml").write_text(yaml.safe_dump({"technologies": {"extra": {
        "kind": "renewable", "node": "n", "profile": "flat", "capacity": 1}}}))
    for include in ("../outside.yaml", str(tmp_path / "outside.yaml")):
        (case / "scenarios.yaml").write_text(yaml.safe_dump({"s": {"description": "d", "include": [include]}}))
        done = _run(case, "-s", "s", "--out", tmp_path / "o")
        assert done.returncode == 2, (include, done.stdout + done.stderr)
        assert "not a file of the case folder" in done.stdout + done.stderr and "Traceback" not in done.stderr


def test_images_that_cannot_be_made_keep_the_solved_results(tmp_path, monkeypatch):
    import json

    import plotly.io
    from typer.testing import CliRunner

    from energy_model.cli import EXIT_WRITE, app

    def no_browser(*args, **kwargs):
        raise RuntimeError("no Chrome found")

    monkeypatch.setattr(plotly.io, "write_images", no_browser)
    case = write_case(tmp_path / "case", CASE)
    out = tmp_path / "out"
    done = CliRunner().invoke(app, ["run", str(case), "--out", str(out), "--images"])
    assert done.exit_code == EXIT_WRITE
    assert "images not written" in done.output and "no Chrome found" in done.output
    assert (out / "results.nc").exists() and (out / "report.html").exists() and (out / "COMPLETE").exists()
    assert "images" in json.loads((out / "run.json").read_text())["missing_outputs"]


def test_set_overrides_a_value_and_a_bad_one_names_the_option(tmp_path):
    import xarray as xr

    case = write_case(tmp_path / "case", CASE)
    done = _run(case, "--set", "technologies.wind.capacity=3", "--out", tmp_path / "o")
    assert done.returncode == 0, done.stdout + done.stderr
    with xr.open_dataset(tmp_path / "o" / "results.nc", engine="h5netcdf") as ds:
        assert float(ds["capacity"].sel(tech="wind")) == 3.0
    bad = _run(case, "--set", "technologies.wind.capacity=-3", "--out", tmp_path / "p")
    assert bad.returncode == 2 and "--set" in bad.stderr and "capacity" in bad.stderr
    assert _run(case, "--set", "nonsense", "--out", tmp_path / "q").returncode == 2


def test_version():
    done = subprocess.run([sys.executable, "-m", "energy_model.cli", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("energy-model ")
