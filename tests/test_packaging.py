"""The wheel stands on its own: built from the project and installed away from the checkout, it carries the
default case (energy-model example) and runs a short case with it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_ships_the_case_and_the_licence_and_runs_it(tmp_path):
    source = tmp_path / "source"  # a copy: building leaves build/ and egg-info behind, never in the checkout
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "results", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(source),
                    "-w", str(wheels)], check=True, capture_output=True, text=True)
    wheel = next(wheels.glob("energy_model-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "energy_model/cases/shuangliao/case.yaml" in names
    assert "energy_model/cases/shuangliao/province/jilin.yaml" in names  # the province node of the default
    assert "energy_model/cases/shuangliao/timeseries/weather_years/w10/profiles.parquet" in names  # the ensemble
    assert any(n.endswith("licenses/LICENSE") for n in names)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, text=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    work = tmp_path / "work"
    work.mkdir()

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "energy_model.cli", *args], cwd=work, env=env,
                              capture_output=True, text=True)

    where = subprocess.run([sys.executable, "-c", "import energy_model; print(energy_model.__file__)"], cwd=work,
                           env=env, capture_output=True, text=True).stdout
    assert where.startswith(str(site)), where  # the installed wheel, not the checkout
    assert cli("example", "case").returncode == 0
    assert (work / "case" / "technologies.yaml").read_bytes() == (ROOT / "inputs/shuangliao/technologies.yaml").read_bytes()
    done = cli("run", "case", "--hours", "24", "--no-report")
    assert done.returncode == 0, done.stderr
    assert (work / "results" / "province_2030_h24" / "results.nc").exists()  # the default scenario
    assert cli("example", "case").returncode == 2  # never over an existing folder
