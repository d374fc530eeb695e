"""energy-model profiles import: each path from a measured file to a case profile, against values worked out
by hand (time zones, sub-hourly steps, the calendar, a power-curve point, gaps, shapes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from micro import write_case
from typer.testing import CliRunner

from energy_model.case.profile_import import ImportOptions, import_profile
from energy_model.cli import app
from energy_model.errors import InputError
from energy_model.runner import run

SHUANGLIAO = {"latitude": 43.5, "longitude": 123.5}


def case_of(tmp_path, hours=8760, start="2030-01-01 00:00"):
    return write_case(tmp_path / "case", {"wind": {"kind": "renewable", "profile": "flat", "capacity": 1}},
                      series={"flat": [1.0] * hours}, time={"start": start, "hours": hours})


def source(tmp_path, stamps, values, name="source.csv", column="value"):
    path = tmp_path / name
    pd.DataFrame({"time": stamps, column: values}).to_csv(path, index=False)
    return path


def written(case, column):
    return pd.read_csv(case / "timeseries" / f"{column}.csv", index_col="time")[column].to_numpy()


def sunny_day_pv(index: pd.DatetimeIndex) -> np.ndarray:
    """A clear-sky-like PV capacity factor on local (UTC+8) hours at Shuangliao: the sine of the sun's
    elevation at mid-hour, zero at night."""
    import pvlib

    times = index.tz_localize("Etc/GMT-8") + pd.Timedelta(minutes=30)
    elevation = pvlib.solarposition.get_solarposition(times, **SHUANGLIAO)["apparent_elevation"].to_numpy()
    return np.round(np.clip(np.sin(np.radians(elevation)), 0, None) * 0.8, 6)


def test_utc_stamps_are_moved_to_the_case_clock_and_refused_when_read_as_local(tmp_path):
    pytest.importorskip("pvlib")
    case = case_of(tmp_path)
    local = pd.date_range("2028-12-31", periods=8760 + 48, freq="h")
    truth = sunny_day_pv(local)
    # the same hours as a SCADA export in UTC: local 08:00 is 00:00 UTC
    utc = local - pd.Timedelta(hours=8)
    path = source(tmp_path, utc.strftime("%Y-%m-%d %H:%M"), truth * 50.0)
    options = ImportOptions(kind="pv_power", column="pv_site", capacity=50.0, timezone="UTC",
                            source_year=2029, **SHUANGLIAO)
    import_profile(case, path, options)
    assert written(case, "pv_site") == pytest.approx(truth[24:-24], abs=1e-9)  # 2029 laid on 2030 hour by hour
    with pytest.raises(InputError, match=r"shifted by \+8 h"):  # read as local time: PV at night
        import_profile(case, path, ImportOptions(kind="pv_power", column="pv_site2", capacity=50.0,
                                                 source_year=2029, **SHUANGLIAO))


def test_quarter_hours_are_averaged_into_the_hour_they_start(tmp_path):
    case = case_of(tmp_path)
    stamps = pd.date_range("2029-01-01", periods=8760 * 4, freq="15min")
    megawatts = np.tile([10.0, 20.0, 30.0, 40.0], 8760)  # each hour: 25 MW of 100 MW
    megawatts[4:8] = [0.0, 0.0, 0.0, 100.0]  # the second hour: 25 MW too, but not flat
    megawatts[8:12] = [80.0, 80.0, 80.0, 80.0]
    path = source(tmp_path, stamps.strftime("%Y-%m-%dT%H:%M"), megawatts)
    report = import_profile(case, path, ImportOptions(kind="wind_power", column="farm", capacity=100.0))
    values = written(case, "farm")
    assert values[:4] == pytest.approx([0.25, 0.25, 0.8, 0.25])
    assert "source step 15 min, averaged to hours" in report.lines
    # hour-ending labels: the reading stamped 00:15 covers 00:00-00:15, so nothing moves between hours here,
    # but a file stamped at the end of each hour lands one hour earlier
    hourly = pd.date_range("2029-01-01 01:00", periods=8760, freq="h")
    path = source(tmp_path, hourly.strftime("%Y-%m-%d %H:%M"), np.arange(8760) % 24, name="ending.csv")
    import_profile(case, path, ImportOptions(kind="price", column="price_a", hour_ending=True))
    assert written(case, "price_a")[:3] == pytest.approx([0, 1, 2])


def test_a_wind_speed_becomes_the_power_curve_point_computed_by_hand(tmp_path):
    pytest.importorskip("windpowerlib")
    case = case_of(tmp_path, hours=24)
    curve = tmp_path / "curve.csv"  # linear from 3 m/s (0) to 12 m/s (rated), cut-out at 25 m/s
    pd.DataFrame({"wind_speed": [0, 3, 12, 25, 25.01], "power": [0, 0, 4200, 4200, 0]}).to_csv(curve, index=False)
    stamps = pd.date_range("2029-01-01", periods=8760, freq="h")
    # 7.5 m/s at the hub is half-way up the ramp; measured at 10 m it is 7.5 / (120/10)^0.14
    speed = np.full(8760, 7.5 / 12 ** 0.14)
    speed[1] = 12.0 / 12 ** 0.14 * 1.5  # 18 m/s at the hub: rated
    path = source(tmp_path, stamps.strftime("%Y-%m-%d %H:%M"), speed)
    options = ImportOptions(kind="wind_speed", column="site_w", measurement_height=10.0, hub_height=120.0,
                            shear_exponent=0.14, power_curve=curve, turbulence_intensity=0.0, wake_losses=False,
                            availability=0.97)
    import_profile(case, path, options)
    assert written(case, "site_w")[:3] == pytest.approx([0.5 * 0.97, 0.97, 0.5 * 0.97], rel=1e-9)
    # a farm's curve (spread of speeds, wakes) gives less at rated speed and about the same on the ramp
    options.turbulence_intensity, options.wake_losses = 0.1, True
    import_profile(case, path, options, force=True)
    farm = written(case, "site_w")
    assert farm[1] < 0.97 and 0.35 < farm[0] < 0.5


def test_leap_days_and_gaps(tmp_path):
    case = case_of(tmp_path)
    stamps = pd.date_range("2028-01-01", periods=8784, freq="h")  # 2028 is a leap year
    values = stamps.dayofyear.to_numpy().astype(float)
    values[100:102] = np.nan  # a two-hour gap: interpolated
    path = source(tmp_path, stamps.strftime("%Y-%m-%d %H:%M"), values)
    report = import_profile(case, path, ImportOptions(kind="price", column="p"))
    result = written(case, "p")
    assert result[59 * 24] == 61  # 1 March 2030 takes 1 March 2028 (day 61 of a leap year): 29 Feb dropped
    assert result[100:102] == pytest.approx([5.0, 5.0])
    assert "2 missing hours interpolated (gaps ≤ 3 h)" in report.lines and any("dropped" in x for x in report.lines)
    values[200:206] = np.nan
    path = source(tmp_path, stamps.strftime("%Y-%m-%d %H:%M"), values, name="gappy.csv")
    with pytest.raises(InputError, match=r"6 hours missing from 2028-01-09 08:00"):
        import_profile(case, path, ImportOptions(kind="price", column="q"))
    leap_case = case_of(tmp_path / "leap", hours=8784, start="2028-01-01 00:00")
    common = pd.date_range("2029-01-01", periods=8760, freq="h")
    path = source(tmp_path, common.strftime("%Y-%m-%d %H:%M"), common.dayofyear.to_numpy().astype(float),
                  name="common.csv")
    import_profile(leap_case, path, ImportOptions(kind="price", column="p"))
    assert written(leap_case, "p")[59 * 24] == 59  # 29 Feb 2028 copied from 28 Feb 2029


def test_a_load_becomes_a_shape_and_bad_values_are_refused(tmp_path):
    case = case_of(tmp_path)
    stamps = pd.date_range("2029-01-01", periods=8760, freq="h").strftime("%Y-%m-%d %H:%M")
    load = 100 + 20 * np.sin(np.arange(8760) / 24 * 2 * np.pi)
    import_profile(case, source(tmp_path, stamps, load), ImportOptions(kind="load", column="site_load"))
    assert written(case, "site_load").sum() == pytest.approx(1.0, abs=1e-5)
    overfull = np.full(8760, 30.0)
    overfull[5] = 130.0  # 130 MW on a 100 MW farm
    with pytest.raises(InputError, match=r"1 values outside -0.02 .. 1.1 × capacity, first 1.3 at 2030-01-01 05:00"):
        import_profile(case, source(tmp_path, stamps, overfull, name="o.csv"),
                       ImportOptions(kind="wind_power", column="w", capacity=100.0))
    with pytest.raises(InputError, match="already has a column 'flat'"):
        import_profile(case, source(tmp_path, stamps, load), ImportOptions(kind="load", column="flat"))
    with pytest.raises(InputError, match="exists; --force replaces it"):
        import_profile(case, source(tmp_path, stamps, load), ImportOptions(kind="load", column="site_load"))
    with pytest.raises(InputError, match="no complete calendar year"):
        import_profile(case, source(tmp_path, stamps[:100], load[:100], name="short.csv"),
                       ImportOptions(kind="load", column="x"))


def test_the_command_imports_a_farm_that_a_case_then_runs_on(tmp_path):
    case = write_case(tmp_path / "case", {
        "farm": {"kind": "renewable", "profile": "measured", "capacity": 100},
        "load": {"kind": "demand", "annual": "438 MWh/yr"},
        "grid": {"kind": "market", "capacity": 100, "export_price": 100.0, "import_price": 500.0},
    }, series={"flat": [1.0] * 24}, time={"start": "2030-01-01 00:00", "hours": 24})
    stamps = pd.date_range("2029-01-01", periods=8760 * 2, freq="30min").strftime("%Y-%m-%d %H:%M")
    path = source(tmp_path, stamps, np.full(8760 * 2, 40.0), column="P_MW")
    result = CliRunner().invoke(app, ["profiles", "import", str(path), str(case), "--kind", "wind_power",
                                      "--column", "measured", "--capacity", "100"])
    assert result.exit_code == 0, result.output
    assert "full_load_hours 3,504" in result.output
    solved = run(case, None, None).dataset
    # 40 MW of wind against a 0.05 MW load: the rest sold at 100 CNY/MWh for 24 h
    assert float(solved["flow"].sel(tech="farm").sum()) == pytest.approx(40 * 24)
    failed = CliRunner().invoke(app, ["profiles", "import", str(path), str(case), "--kind", "wind_power",
                                      "--column", "measured2"])
    assert failed.exit_code != 0 and "--capacity" in failed.output


def test_force_replaces_only_what_an_import_wrote_and_the_source_is_recorded(tmp_path):
    import json

    case = case_of(tmp_path)
    stamps = pd.date_range("2029-01-01", periods=8760, freq="h").strftime("%Y-%m-%d %H:%M")
    path = source(tmp_path, stamps, np.full(8760, 50.0))
    import_profile(case, path, ImportOptions(kind="price", column="p"))
    record = json.loads((case / "timeseries" / "IMPORTED.json").read_text())["p.csv"]
    assert record["source"] == str(path.resolve()) and record["kind"] == "price"
    import_profile(case, path, ImportOptions(kind="price", column="p"), force=True)  # its own file: replaced
    (case / "timeseries" / "p.csv").write_text((case / "timeseries" / "p.csv").read_text() + "\n")  # edited
    with pytest.raises(InputError, match="not written by profiles import, or changed since"):
        import_profile(case, path, ImportOptions(kind="price", column="p"), force=True)


def test_a_case_at_three_hour_steps_gets_three_hour_means(tmp_path):
    case = write_case(tmp_path / "case", {"wind": {"kind": "renewable", "profile": "flat", "capacity": 1}},
                      series={"flat": [1.0] * 4}, time={"start": "2030-01-01 00:00", "hours": 12, "resolution": 3})
    (case / "timeseries" / "series.csv").write_text(
        "time,flat\n" + "".join(f"2030-01-01T{h:02d}:00:00,1.0\n" for h in (0, 3, 6, 9)))
    stamps = pd.date_range("2029-01-01", periods=8760, freq="h").strftime("%Y-%m-%d %H:%M")
    import_profile(case, source(tmp_path, stamps, np.arange(8760) % 24 * 1.0), ImportOptions(kind="price", column="p"))
    assert written(case, "p")[:4] == pytest.approx([1.0, 4.0, 7.0, 10.0])  # the mean of hours 0-2, 3-5, ...
