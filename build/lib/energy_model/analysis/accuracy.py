"""How well an aggregated run (representative days) stands for the full year: its KPIs beside a reference run's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError


def compare_runs(summary: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """KPIs of an aggregated run next to those of the full-year run of the same inputs."""
    merged = summary.merge(reference, on=["kpi", "unit"], how="inner", suffixes=("_aggregated", "_full_year"))
    merged["difference"] = merged["value_aggregated"] - merged["value_full_year"]
    scale = merged["value_full_year"].abs()
    merged["relative_difference"] = np.where(scale > 0, merged["difference"] / scale.where(scale > 0, 1.0), np.nan)
    return merged[["kpi", "unit", "value_aggregated", "value_full_year", "difference", "relative_difference"]]


def load_reference(folder: Path, inputs_hash: str) -> pd.DataFrame:
    """The summary of a full-year run of the same inputs, or an error that says why it cannot serve."""
    import xarray as xr

    folder = Path(folder)
    path = folder / "results.nc"
    if not path.exists():
        raise InputError([f"{folder}: no results.nc to compare with (run the full year there first)"])
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        attrs = dict(ds.attrs)
    problems = []
    if attrs.get("inputs_hash") != inputs_hash:
        problems.append(f"{path}: reference run has other inputs or scenario (inputs_hash "
                        f"{attrs.get('inputs_hash')} != {inputs_hash})")
    if attrs.get("representative_days", 0):
        problems.append(f"{path}: reference run used representative days itself; a full-year run is needed")
    if problems:
        raise InputError(problems)
    return pd.read_csv(folder / "summary.csv")
