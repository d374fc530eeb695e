"""Time series of a case: ``timeseries/*.csv`` or ``*.parquet`` read and checked, and a weather year
(``timeseries/weather_years/<name>/``) laid over the case's columns."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .files import (
    CASE_FILE,
    TIMESERIES_DIR,
    TIMESERIES_SUFFIXES,
    WEATHER_YEARS_DIR,
    read_yaml,
)
from .schema import TimeConfig
from .validation import show


def weather_years(case_dir: Path) -> list[str]:
    """The weather years a case offers: the folders of ``timeseries/weather_years``."""
    folder = Path(case_dir) / TIMESERIES_DIR / WEATHER_YEARS_DIR
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def case_weather_year(case_dir: Path):
    try:
        return (read_yaml(case_dir / CASE_FILE) or {}).get("weather_year")
    except InputError:
        return None


def overlay_weather_year(timeseries: pd.DataFrame, case_dir: Path, name: str, time: TimeConfig,
                         problems: list[str]) -> pd.DataFrame | None:
    """``timeseries`` with the columns of weather year ``name`` in place of the case's own: the same
    profiles from another year's weather. A column the case does not have is refused (nothing would use it)."""
    folder = case_dir / TIMESERIES_DIR / WEATHER_YEARS_DIR / name
    if not folder.is_dir():
        known = weather_years(case_dir)
        problems.append(f"{case_dir / CASE_FILE}: weather_year = '{name}': no folder {folder}"
                        + (f"; the case has {', '.join(known)}" if known else "; the case has no weather years"))
        return timeseries
    year = read_timeseries(folder, problems, time)
    if year is None:
        return timeseries
    foreign = [c for c in year.columns if c not in timeseries.columns]
    if foreign:
        problems.append(f"{folder}: columns {', '.join(foreign)} are not in {TIMESERIES_DIR}/; a weather year replaces "
                        "the case's own columns")
    combined = timeseries.copy()
    shared = [c for c in year.columns if c in timeseries.columns]
    combined[shared] = year[shared].iloc[: len(combined)].to_numpy()
    combined.attrs["files"] = {**timeseries.attrs.get("files", {}),
                               **{c: f"{TIMESERIES_DIR}/{WEATHER_YEARS_DIR}/{name}/{year.attrs['files'][c].split('/')[-1]}"
                                  for c in shared}}
    return combined


def read_timeseries(folder: Path, problems: list[str], time: TimeConfig | None = None) -> pd.DataFrame | None:
    """All columns of all CSV and Parquet files in ``folder`` as one numeric frame on a regular hourly index.

    None if a file cannot be read at all (its columns are unknown, so references to them are not
    checked either); ``frame.attrs["files"]`` maps each column to its file. With ``time`` given, every file must also start at ``time.start`` and cover ``time.hours``: the
    model places row i at hour i, so a file that starts elsewhere or ends early would shift or pad
    its profiles silently.
    """
    if not folder.is_dir():
        problems.append(f"{folder}: timeseries folder not found")
        return None
    frames = []
    seen: dict[str, Path] = {}
    unreadable = False
    step = 60 * (time.resolution if time is not None else 1)
    for path in sorted(p for p in folder.iterdir() if p.suffix in TIMESERIES_SUFFIXES):
        frame = _read_csv(path, problems, step) if path.suffix == ".csv" else _read_parquet(path, problems, step)
        if frame is None:
            unreadable = True
            continue
        if time is not None:
            if len(frame) < time.steps:
                rows = f"time.hours = {time.hours}" + (f" / resolution = {time.resolution} = {time.steps}"
                                                       if time.resolution > 1 else "")
                problems.append(f"{path}: {len(frame)} rows, fewer than {rows} in {CASE_FILE}")
            elif frame.index[0] != pd.Timestamp(time.start):
                problems.append(f"{path}: first timestamp {frame.index[0]} differs from time.start = "
                                f"'{time.start}' in {CASE_FILE}; row i is hour i of the model")
        for column in frame.columns:
            if column in seen:
                problems.append(f"{path}: column '{column}' also appears in {seen[column].name}")
            seen[column] = path
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(values)
            if bad.any():
                first = int(np.argmax(bad))
                raw = frame[column].iloc[first]
                shown = "empty" if pd.isna(raw) else show(str(raw))
                problems.append(f"{path}: column '{column}' has {int(bad.sum())} missing, infinite or non-numeric "
                                f"values, first at {frame.index[first]} ({shown})")
            frame[column] = values
        frames.append(frame.reset_index(drop=True))
    if unreadable:
        return None
    combined = pd.concat(frames, axis=1) if frames else pd.DataFrame()
    combined.attrs["files"] = {column: f"{folder.name}/{path.name}" for column, path in seen.items()}
    return combined


def _read_parquet(path: Path, problems: list[str], step: int = 60) -> pd.DataFrame | None:
    """A Parquet table with a 'time' index or column of hourly timestamps, or None after noting why not."""
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError, ImportError) as exc:
        problems.append(f"{path}: cannot be read as a Parquet table: {str(exc).splitlines()[0] if str(exc) else exc}")
        return None
    if "time" in frame.columns:
        frame = frame.set_index("time")
    elif frame.index.name != "time":
        problems.append(f"{path}: no 'time' index or column")
        return None
    frame.index = pd.DatetimeIndex(pd.to_datetime(frame.index))
    steps = np.diff(frame.index.values).astype("timedelta64[m]").astype(int)
    if frame.index.tz is not None or (len(steps) and not (steps == step).all()):
        problems.append(f"{path}: time must be regular local timestamps {step} min apart, without a time zone")
        return None
    return frame


def _read_csv(path: Path, problems: list[str], step: int = 60) -> pd.DataFrame | None:
    """One CSV with a 'time' column of regular timestamps ``step`` minutes apart, or None after noting why
    not."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:  # Excel's "CSV UTF-8" starts with a BOM
            header = next(csv.reader(fh), [])
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            problems.append(f"{path}: column names repeated in the header: {', '.join(repeated)}")
            return None
        if "time" not in header:
            problems.append(f"{path}: no 'time' column; the header is {show(','.join(header))}")
            return None
        frame = pd.read_csv(path, index_col="time", encoding="utf-8-sig")
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problems.append(f"{path}: cannot be read as a CSV table: {reason}")
        return None
    stamps = pd.to_datetime(pd.Series(frame.index, dtype=object), errors="coerce", format="mixed")
    if stamps.isna().any() or getattr(stamps.dt, "tz", None) is not None:
        first = int(np.argmax(stamps.isna().to_numpy())) if stamps.isna().any() else 0
        problems.append(f"{path}: time = {show(frame.index[first])} (row {first + 2}): expected a local date and "
                        f"time such as 2030-01-01 00:00, without a time zone")
        return None
    frame.index = pd.DatetimeIndex(stamps)
    steps = np.diff(frame.index.values).astype("timedelta64[m]").astype(int)
    if len(steps) and not (steps == step).all():
        at = int(np.argmax(steps != step))
        every = "hourly" if step == 60 else f"{step // 60} h apart (time.resolution)"
        problems.append(f"{path}: timestamps must be {every} and regular; step of {steps[at]} min after "
                        f"{frame.index[at]} (row {at + 2})")
    return frame
