"""Measured time series into a case: ``energy-model profiles import``.

A planner's data come as SCADA power (MW, 15-min or hourly), wind speed at a mast height, irradiance, load or
prices, stamped in UTC or local time, for some past year, with gaps. The model wants one column per profile
on the case's hourly calendar: a capacity factor in [0, 1], a demand shape summing to one, or a price. The
steps, in order, each a function:

1. ``read_source``: the time and value columns of a CSV.
2. ``to_local``: timestamps with an offset, or naive ones in ``timezone``, to the case's clock (UTC+8 unless
   ``case_utc_offset`` says otherwise; China has no daylight saving).
3. ``to_hourly``: sub-hourly readings averaged into the hour that starts at the label (hour-ending data are
   labelled at their end: ``--hour-ending`` moves them back).
4. ``fill_gaps``: gaps up to ``max_gap`` hours interpolated, longer ones refused with their place.
5. ``restamp``: one calendar year of the source laid on the case's hours by month, day and hour; 29 February
   dropped for a common case year, or copied from the 28th for a leap one.
6. A conversion by ``kind``: power ÷ capacity; wind speed → hub height (power law) → a farm's power curve
   (a turbine's, smoothed for the spread of speeds over a farm, with wake losses; windpowerlib); irradiance →
   plane of array → PV output with temperature, bifacial gain, losses and the DC/AC ratio (pvlib); load ÷ its
   sum; prices as they are.
7. Checks that stop a silent error: PV output with the sun below the horizon (the signature of UTC data read
   as local, with the shift that would fix it), values out of range, stuck readings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

IMPORTS_FILE = "IMPORTED.json"  # in timeseries/: each imported file, its source, steps and digest
KINDS = ("wind_power", "pv_power", "wind_speed", "irradiance", "load", "price")
SOLAR_KINDS = ("pv_power", "irradiance")
NIGHT_ELEVATION_DEG = -2.0  # the sun this far below the horizon: no PV output, whatever the refraction
NIGHT_SHARE_LIMIT = 0.02  # share of a year's PV energy at night above which the stamps are wrong
STUCK_HOURS = 24  # the same non-zero reading this long: a frozen sensor or a filled export
RANGES = {"wind_power": (-0.02, 1.1), "pv_power": (-0.02, 1.1), "wind_speed": (0.0, 50.0),
          "irradiance": (-5.0, 1400.0), "load": (0.0, None), "price": (None, None)}
RANGE_UNITS = {"wind_power": "× capacity", "pv_power": "× capacity", "wind_speed": "m/s", "irradiance": "W/m²",
               "load": "", "price": ""}


@dataclass
class ImportOptions:
    """How to read and convert one source column (the command's options)."""

    kind: str
    column: str  # name of the profile in the case
    value_column: str | None = None  # in the source; default: the only non-time column
    time_column: str = "time"
    timezone: str = "local"  # of naive timestamps: local (the case's clock), UTC, +08:00, or an IANA name
    hour_ending: bool = False
    case_utc_offset: float = 8.0
    source_year: int | None = None
    max_gap: int = 3
    capacity: float | None = None  # MW, for power
    latitude: float | None = None
    longitude: float | None = None
    measurement_height: float | None = None  # m, wind speed
    hub_height: float = 120.0
    shear_exponent: float = 0.14
    turbine: str = "E-141/4200"
    power_curve: Path | None = None  # CSV of wind_speed, power (per unit or kW)
    turbulence_intensity: float = 0.1  # 0: the single turbine's curve
    wake_losses: bool = True
    availability: float = 0.97
    tilt: float | None = None
    azimuth: float = 180.0
    dc_ac_ratio: float = 1.2
    bifacial_gain: float = 0.0
    losses: float = 0.14
    temperature_c: float = 10.0
    check_night: bool = True


@dataclass
class ImportReport:
    """What the import did, for the terminal and the SOURCES note."""

    column: str
    path: Path
    lines: list[str] = field(default_factory=list)
    statistics: dict[str, float] = field(default_factory=dict)


# ---- 1-5: reading and the calendar -------------------------------------------------------------------------
def read_source(path: Path, time_column: str, value_column: str | None) -> pd.Series:
    """The value column of a CSV indexed by its timestamps (unparsed)."""
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError([f"{path}: cannot be read as a CSV table: {str(exc).splitlines()[0]}"]) from None
    if time_column not in frame.columns:
        raise InputError([f"{path}: no time column '{time_column}' (columns: {', '.join(map(str, frame.columns))}); "
                          "name it with --time-column"])
    others = [c for c in frame.columns if c != time_column]
    if value_column is None:
        if len(others) != 1:
            raise InputError([f"{path}: {len(others)} value columns ({', '.join(map(str, others))}); choose one with "
                              "--value-column"])
        value_column = others[0]
    if value_column not in frame.columns:
        raise InputError([f"{path}: no column '{value_column}' (columns: {', '.join(map(str, others))})"])
    values = pd.to_numeric(frame[value_column], errors="coerce")
    bad = values.isna() & frame[value_column].notna()
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise InputError([f"{path}: column '{value_column}' row {row + 2}: '{frame[value_column].iloc[row]}' is not "
                          "a number"])
    return pd.Series(values.to_numpy(dtype=float), index=frame[time_column].astype(str), name=value_column)


def to_local(series: pd.Series, timezone: str, case_utc_offset: float, path: Path) -> pd.Series:
    """``series`` on naive timestamps of the case's clock (UTC + ``case_utc_offset`` h)."""
    try:
        stamps = pd.to_datetime(pd.Series(series.index), format="mixed", utc=False)
    except (ValueError, TypeError) as exc:
        raise InputError([f"{path}: time values cannot be read as dates: {exc}"]) from None
    case_zone = f"Etc/GMT{-int(case_utc_offset):+d}" if float(case_utc_offset).is_integer() else None
    if getattr(stamps.dt, "tz", None) is not None:  # offsets in the data win over --timezone
        utc = stamps.dt.tz_convert("UTC")
    elif timezone == "local":
        return pd.Series(series.to_numpy(), index=pd.DatetimeIndex(stamps), name=series.name)
    else:
        try:
            zone = "UTC" if timezone.upper() in ("UTC", "Z") else timezone
            if zone[:1] in "+-":
                sign = 1 if zone[0] == "+" else -1
                hours, _, minutes = zone[1:].partition(":")
                utc = stamps - sign * pd.to_timedelta(int(hours) * 60 + int(minutes or 0), unit="min")
                utc = utc.dt.tz_localize("UTC")
            else:
                utc = stamps.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
        except (ValueError, KeyError) as exc:
            raise InputError([f"--timezone '{timezone}': not understood ({exc}); use local, UTC, +08:00 or a name "
                              "such as Asia/Shanghai"]) from None
    local = utc.dt.tz_convert(case_zone) if case_zone else utc + pd.to_timedelta(case_utc_offset, unit="h")
    local = local.dt.tz_localize(None)
    return pd.Series(series.to_numpy(), index=pd.DatetimeIndex(local), name=series.name)


def to_hourly(series: pd.Series, hour_ending: bool, path: Path) -> tuple[pd.Series, int]:
    """Hourly means (label: the hour's start) and the source's step in minutes."""
    series = series[~series.index.isna()].sort_index()
    if series.index.has_duplicates:
        first = series.index[series.index.duplicated()][0]
        raise InputError([f"{path}: timestamp {first} appears twice (a daylight-saving change read as local "
                          "time? give --timezone)"])
    steps = np.diff(series.index.values).astype("timedelta64[m]").astype(int)
    step = int(np.median(steps)) if len(steps) else 60
    if step <= 0 or 60 % step and step % 60:
        raise InputError([f"{path}: a step of {step} min does not divide an hour; resample the data first"])
    if hour_ending:
        series.index = series.index - pd.Timedelta(minutes=step)
    hourly = series.resample("h").mean() if step <= 60 else series.resample("h").interpolate()
    return hourly, step


def fill_gaps(series: pd.Series, max_gap: int, path: Path) -> tuple[pd.Series, int]:
    """Gaps of at most ``max_gap`` hours interpolated linearly; a longer one refused, with its place."""
    missing = series.isna().to_numpy()
    if not missing.any():
        return series, 0
    starts = np.flatnonzero(missing & ~np.r_[False, missing[:-1]])
    ends = np.flatnonzero(missing & ~np.r_[missing[1:], False])
    lengths = ends - starts + 1
    if (lengths > max_gap).any():
        i = int(np.argmax(lengths > max_gap))
        raise InputError([f"{path}: {int(lengths[i])} hours missing from {series.index[starts[i]]} (and "
                          f"{int((lengths > max_gap).sum()) - 1} more gaps longer than --max-gap {max_gap} h); fill "
                          "them from another source or raise --max-gap"])
    return series.interpolate(limit_direction="both"), int(missing.sum())


def restamp(series: pd.Series, target: pd.DatetimeIndex, source_year: int | None, path: Path
            ) -> tuple[np.ndarray, str]:
    """The values of one calendar year of ``series`` at the month, day and hour of each ``target`` hour."""
    years = sorted(set(series.index.year))
    complete = [y for y in years if len(series[str(y)].dropna()) >= (8784 if pd.Timestamp(y, 12, 31).dayofyear == 366
                                                                       else 8760)]
    if source_year is None:
        if not complete:
            raise InputError([f"{path}: no complete calendar year of hourly data (found {len(series)} hours from "
                              f"{series.index[0]} to {series.index[-1]}); the model needs one full year"])
        source_year = complete[0]
    elif source_year not in complete:
        raise InputError([f"{path}: --source-year {source_year} is not complete in the data (complete years: "
                          f"{', '.join(map(str, complete)) or 'none'})"])
    year = series[str(source_year)]
    leap = pd.Timestamp(source_year, 12, 31).dayofyear == 366
    month, day = target.month, target.day
    day = np.where((month == 2) & (day == 29) & (not leap), 28, day)
    keys = pd.to_datetime(pd.DataFrame({"year": source_year, "month": month, "day": day, "hour": target.hour}))
    values = year.reindex(pd.DatetimeIndex(keys)).to_numpy()
    note = f"year {source_year} laid on {target[0].year}"
    if leap and not (target.is_leap_year.any()):
        note += ", 29 February dropped"
    elif not leap and ((target.month == 2) & (target.day == 29)).any():
        note += ", 29 February copied from the 28th"
    return values, note


# ---- 6: conversions -----------------------------------------------------------------------------------------
def power_to_capacity_factor(values: np.ndarray, capacity: float | None, kind: str) -> np.ndarray:
    if capacity is None or capacity <= 0:
        raise InputError([f"--capacity: the installed capacity in MW is needed to turn {kind} into a capacity factor"])
    return values / capacity


def wind_speed_to_capacity_factor(speed: np.ndarray, options: ImportOptions) -> np.ndarray:
    """Hub-height speed by the power law, then a farm's power curve: the turbine's curve smoothed by a
    Gaussian spread of speeds (turbulence intensity; windpowerlib), wake losses, availability."""
    windpowerlib = _optional("windpowerlib")
    if options.measurement_height is None:
        raise InputError(["--height: the height of the wind-speed measurement (m) is needed"])
    hub = speed * (options.hub_height / options.measurement_height) ** options.shear_exponent
    speeds, power = _power_curve(options, windpowerlib)
    if options.turbulence_intensity > 0:  # on a regular 0.25 m/s grid, which windpowerlib's smoothing assumes
        grid = np.arange(0.0, speeds.max() + 0.25, 0.25)
        speeds, power = grid, np.interp(grid, speeds, power, left=0.0, right=0.0)
        smoothed = windpowerlib.power_curves.smooth_power_curve(
            pd.Series(speeds), pd.Series(power), standard_deviation_method="turbulence_intensity",
            turbulence_intensity=options.turbulence_intensity)
        speeds, power = smoothed["wind_speed"].to_numpy(float), smoothed["value"].to_numpy(float)
    if options.wake_losses:
        hub = np.asarray(windpowerlib.wake_losses.reduce_wind_speed(pd.Series(hub), "dena_mean"))
    per_unit = np.interp(hub, speeds, power, left=0.0, right=0.0)
    return np.clip(per_unit, 0.0, 1.0) * options.availability


def _power_curve(options: ImportOptions, windpowerlib) -> tuple[np.ndarray, np.ndarray]:
    """(wind speeds, per-unit power) of ``--power-curve`` (a CSV) or of the windpowerlib turbine."""
    if options.power_curve is not None:
        frame = pd.read_csv(options.power_curve)
        if not {"wind_speed", "power"} <= set(frame.columns):
            raise InputError([f"{options.power_curve}: needs columns wind_speed and power"])
        power = frame["power"].to_numpy(float)
        return frame["wind_speed"].to_numpy(float), power / power.max()
    try:
        turbine = windpowerlib.WindTurbine(turbine_type=options.turbine, hub_height=options.hub_height)
    except (ValueError, KeyError) as exc:
        raise InputError([f"--turbine '{options.turbine}': not in windpowerlib's library ({exc})"]) from None
    curve = turbine.power_curve
    return curve["wind_speed"].to_numpy(float), curve["value"].to_numpy(float) / turbine.nominal_power


def irradiance_to_capacity_factor(ghi: np.ndarray, index: pd.DatetimeIndex, options: ImportOptions) -> np.ndarray:
    """GHI (W/m², hourly means) → output per kWp DC: mid-hour sun position, Erbs split, Perez transposition,
    bifacial gain on the plane-of-array irradiance, PVWatts with cell temperature, losses, AC clipping."""
    pvlib = _optional("pvlib")
    latitude, longitude = _site(options)
    times = _mid_hours(index, options)
    location = pvlib.location.Location(latitude, longitude)
    sun = location.get_solarposition(times)
    ghi = pd.Series(np.clip(ghi, 0.0, None), index=times)
    split = pvlib.irradiance.erbs(ghi, sun["zenith"], times)
    tilt = abs(latitude) - 5.0 if options.tilt is None else options.tilt
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, options.azimuth, sun["apparent_zenith"], sun["azimuth"], split["dni"], ghi, split["dhi"],
        dni_extra=pvlib.irradiance.get_extra_radiation(times), model="perez",
        airmass=location.get_airmass(times, solar_position=sun)["airmass_relative"]).fillna(0.0)
    front = poa["poa_global"].clip(lower=0.0) * (1.0 + options.bifacial_gain)
    cell = pvlib.temperature.sapm_cell(front, options.temperature_c, 2.0,
                                       **pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_glass"])
    dc = pvlib.pvsystem.pvwatts_dc(front, cell, pdc0=1.0, gamma_pdc=-0.0035).fillna(0.0).to_numpy()
    return np.clip(dc * (1.0 - options.losses), 0.0, 1.0 / options.dc_ac_ratio)


def _site(options: ImportOptions) -> tuple[float, float]:
    if options.latitude is None or options.longitude is None:
        raise InputError(["--latitude and --longitude of the plant are needed for solar data"])
    return options.latitude, options.longitude


def _optional(name: str):
    try:
        return __import__(name)
    except ImportError:
        raise InputError([f"this conversion needs {name}: pip install 'energy-model[profiles]'"]) from None


# ---- 7: checks ----------------------------------------------------------------------------------------------
def _mid_hours(index: pd.DatetimeIndex, options: ImportOptions) -> pd.DatetimeIndex:
    """Aware mid-hour instants of the case's hours: an hourly mean of a sun-driven quantity is taken there."""
    return index.tz_localize(f"Etc/GMT{-int(options.case_utc_offset):+d}") + pd.Timedelta(minutes=30)


def night_share(values: np.ndarray, night: np.ndarray, shift: int = 0) -> float:
    """Share of the energy in ``values`` (shifted by ``shift`` hours) that falls in the ``night`` hours."""
    shifted = np.roll(np.clip(values, 0, None), shift)
    total = shifted.sum()
    return float(shifted[night].sum() / total) if total > 0 else 0.0


def check_night(values: np.ndarray, index: pd.DatetimeIndex, options: ImportOptions, path: Path) -> None:
    """Refuse solar data whose energy falls at night, naming the shift that would put it in daylight."""
    pvlib = _optional("pvlib")
    latitude, longitude = _site(options)
    sun = pvlib.solarposition.get_solarposition(_mid_hours(index, options), latitude, longitude)
    night = sun["apparent_elevation"].to_numpy() < NIGHT_ELEVATION_DEG
    share = night_share(values, night)
    if share <= NIGHT_SHARE_LIMIT:
        return
    shares = {s: night_share(values, night, s) for s in range(-12, 13) if s}
    best = min(shares, key=shares.get)
    raise InputError([f"{path}: {share:.0%} of the solar energy falls with the sun below the horizon; shifted by "
                      f"{best:+d} h it would be {shares[best]:.1%}. The timestamps are likely in another time zone "
                      f"(UTC read as local shifts PV by 8 h): give --timezone (e.g. UTC), or --no-night-check"])


def check_range(values: np.ndarray, index: pd.DatetimeIndex, kind: str, path: Path) -> list[str]:
    """Out-of-range values refused; stuck readings reported as warnings (returned)."""
    low, high = RANGES[kind]
    unit = RANGE_UNITS[kind]
    for bound, bad in ((low, values < low if low is not None else None),
                       (high, values > high if high is not None else None)):
        if bad is not None and bad.any():
            i = int(np.argmax(bad))
            raise InputError([f"{path}: {int(bad.sum())} values outside {low} .. {high} {unit}, first "
                              f"{values[i]:.4g} at {index[i]}; check the unit and the capacity"])
    warnings = []
    same = np.r_[False, values[1:] == values[:-1]] & (values != 0)
    run, longest, at = 0, 0, 0
    for i, flag in enumerate(same):
        run = run + 1 if flag else 0
        if run > longest:
            longest, at = run, i
    if longest + 1 >= STUCK_HOURS and kind not in ("price", "load"):
        warnings.append(f"the same value {values[at]:.4g} for {longest + 1} h up to {index[at]}: a stuck sensor?")
    return warnings


# ---- the whole import ---------------------------------------------------------------------------------------
def convert(source: Path, target: pd.DatetimeIndex, options: ImportOptions) -> tuple[np.ndarray, list[str]]:
    """The profile of ``source`` on the ``target`` hours, and the lines that describe what was done."""
    if options.kind not in KINDS:
        raise InputError([f"--kind '{options.kind}': one of {', '.join(KINDS)}"])
    raw = read_source(source, options.time_column, options.value_column)
    local = to_local(raw, options.timezone, options.case_utc_offset, source)
    hourly, step = to_hourly(local, options.hour_ending, source)
    filled_series, filled = fill_gaps(hourly, options.max_gap, source)
    values, calendar = restamp(filled_series, target, options.source_year, source)
    lines = [f"source step {step} min" + (", averaged to hours" if step < 60 else ""),
             f"timestamps read as {'the case clock' if options.timezone == 'local' else options.timezone} "
             f"(offsets in the file win); the case clock is UTC{options.case_utc_offset:+g}", calendar]
    if filled:
        lines.append(f"{filled} missing hours interpolated (gaps ≤ {options.max_gap} h)")
    kind = options.kind
    if kind in ("wind_power", "pv_power"):
        values = power_to_capacity_factor(values, options.capacity, kind)
    warnings = check_range(values, target, kind, source)
    if kind in SOLAR_KINDS and options.check_night:
        check_night(values, target, options, source)
    if kind in ("wind_power", "pv_power"):
        values = np.clip(values, 0.0, 1.0)
    elif kind == "wind_speed":
        values = wind_speed_to_capacity_factor(values, options)
        lines.append(f"speed at {options.measurement_height:g} m → {options.hub_height:g} m (exponent "
                     f"{options.shear_exponent:g}); {'--power-curve' if options.power_curve else options.turbine} "
                     f"smoothed at turbulence intensity {options.turbulence_intensity:g}, wake losses "
                     f"{'on' if options.wake_losses else 'off'}, availability {options.availability:g}")
    elif kind == "irradiance":
        values = irradiance_to_capacity_factor(values, target, options)
        lines.append(f"PV per kWp DC: tilt {abs(_site(options)[0]) - 5 if options.tilt is None else options.tilt:g}°, "
                     f"azimuth {options.azimuth:g}°, bifacial gain {options.bifacial_gain:g}, losses "
                     f"{options.losses:g}, DC/AC {options.dc_ac_ratio:g}")
    elif kind == "load":
        values = values / values.sum()
        lines.append("divided by its sum: a demand shape (hourly demand = annual × shape)")
    return values, lines + [f"warning: {w}" for w in warnings]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def import_profile(case_dir: Path, source: Path, options: ImportOptions, force: bool = False) -> ImportReport:
    """Write ``timeseries/<column>.csv`` of the case from ``source`` and record where it came from in
    ``timeseries/IMPORTED.json`` (the profile's source); refuse to shadow a column another file defines, and
    replace a file only with ``force`` and only if this command wrote it and nobody changed it since."""
    from .files import CASE_FILE, TIMESERIES_DIR, read_yaml
    from .schema import TimeConfig

    problems: list[str] = []
    raw = read_yaml(Path(case_dir) / CASE_FILE, problems)
    if problems:
        raise InputError(problems)
    try:
        time = TimeConfig.model_validate((raw or {}).get("time"))
    except ValueError as exc:
        raise InputError([f"{Path(case_dir) / CASE_FILE}: time: {exc}"]) from None
    folder = Path(case_dir) / TIMESERIES_DIR
    path = folder / f"{options.column}.csv"
    for other in sorted(folder.glob("*.csv")):
        if other != path and options.column in pd.read_csv(other, nrows=0).columns:
            raise InputError([f"{other}: already has a column '{options.column}'; import under another --column "
                              "name, or remove it from that file"])
    registry_path = folder / IMPORTS_FILE
    registry = json.loads(registry_path.read_text(encoding="utf-8")) if registry_path.is_file() else {}
    if path.exists():
        if not force:
            raise InputError([f"{path}: exists; --force replaces it"])
        if registry.get(path.name, {}).get("sha256") != _digest(path):
            raise InputError([f"{path}: not written by profiles import, or changed since; it is not replaced (move "
                              "it away yourself, or import under another --column name)"])
    target = pd.date_range(time.start, periods=time.hours, freq="h")
    values, lines = convert(Path(source), target, options)
    if time.resolution > 1:  # the case's steps: a shape's shares add up, anything else is averaged
        blocks = values.reshape(-1, time.resolution)
        values = blocks.sum(axis=1) if options.kind == "load" else blocks.mean(axis=1)
        target = target[:: time.resolution]
        lines.append(f"aggregated to the case's {time.resolution}-hour steps")
    frame = pd.DataFrame({options.column: values}, index=pd.Index(target.strftime("%Y-%m-%dT%H:%M:%S"), name="time"))
    temporary = path.with_suffix(".csv.partial")
    frame.to_csv(temporary, float_format="%.6g")
    temporary.replace(path)
    registry[path.name] = {"source": str(Path(source).resolve()), "kind": options.kind, "lines": lines,
                           "sha256": _digest(path)}
    registry_path.write_text(json.dumps(registry, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    statistics = {"mean": float(values.mean()), "min": float(values.min()), "max": float(values.max())}
    if options.kind not in ("load", "price"):
        statistics["full_load_hours"] = float(values.sum() * 8760 / len(values))
    return ImportReport(column=options.column, path=path, lines=lines, statistics=statistics)
