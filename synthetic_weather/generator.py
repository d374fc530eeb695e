"""Hourly time series of the Shuangliao default case, generated from seeded synthetic weather.

One non-leap reference year (2030, 8,760 hours, naive Asia/Shanghai clock time; a timestamp
labels the hour that starts there, so sun-dependent quantities are evaluated at mid-hour).

Everything is derived from one synthetic weather year so that wind, sun, heat, load and prices
are mutually consistent (a cold windy January week raises heat demand, wind output and lowers
the export price at once). Calibration targets:

* PV: 1,460 full-load hours, the plan's village-PV figure (73 GWh / 50 MW, plan line L428).
* Wind: 2,400 full-load hours of available (pre-curtailment) output. Assumption: Jilin's fleet
  averaged 2,216 h in 2019 (chinapower.com.cn, 2020-03-02); new-build 2025+ turbines with
  140 m+ rotors and low specific power are assumed to exceed that fleet average.
* Export price: time mean 373.1 CNY/MWh (Jilin coal benchmark); wind- and PV-weighted means
  equal Jilin's 2025 settlement averages for wind (278.46) and PV (348.93).
* Import price: Jilin time-of-use periods (notice of 16 Jan 2025) on a flat price of
  404.31 CNY/MWh (grid agent purchase price, Mar 2025) plus an assumed T&D charge.

pvlib and windpowerlib are the optional extra ``profiles``; they are imported inside the
functions that need them so the rest of the package works without them.

Regenerate with ``python -m synthetic_weather.generator --out inputs/shuangliao/timeseries``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.signal import lfilter

from energy_model.constants import HOURS_PER_YEAR

# --- site and calendar -------------------------------------------------------------------
SITE_LATITUDE_DEG = 43.5
SITE_LONGITUDE_DEG = 123.5
SITE_ALTITUDE_M = 110.0
TIMEZONE = "Asia/Shanghai"
REFERENCE_YEAR = 2030  # non-leap

DEFAULT_SEED = 20300101
DAYS_PER_YEAR = 365.0
MONTH_START_DAY_OF_YEAR = np.array([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334])
MID_MONTH_DAY_OF_YEAR = np.array([15.5, 45, 74.5, 105, 135.5, 166, 196.5, 227.5, 258, 288.5, 319, 349.5])
# Statutory-holiday weeks of 2030 (assumption: Spring Festival falls on Sun 3 Feb 2030; the
# official 2030 holiday calendar is not yet published).
HOLIDAYS = (("2030-02-02", "2030-02-08"), ("2030-05-01", "2030-05-05"), ("2030-10-01", "2030-10-07"))
SPRING_FESTIVAL = HOLIDAYS[0]

# --- synthetic weather (assumptions: climatology of the western Jilin plain) ----------------
TEMP_ANNUAL_MEAN_C = 5.0  # gives Jan ≈ -14 °C, Jul ≈ +24 °C with the amplitude below
TEMP_SEASONAL_AMPLITUDE_C = 19.0
TEMP_COLDEST_DAY_OF_YEAR = 18
TEMP_WARMEST_HOUR = 14.5  # clock time; solar noon is ≈ 11:45 at 123.5 °E
# Mean diurnal temperature range per month, Jan..Dec (semi-arid plain: largest in spring).
TEMP_DIURNAL_RANGE_C = (10.0, 11.0, 12.0, 13.0, 13.0, 11.0, 9.0, 9.5, 11.0, 12.0, 10.5, 9.5)
TEMP_ANOMALY_STD_WINTER_C = 4.5  # synoptic anomalies are larger in winter (cold-air outbreaks)
TEMP_ANOMALY_STD_SUMMER_C = 2.0
TEMP_ANOMALY_TIMESCALE_H = 72.0
# Correlation of the temperature anomaly with the shared synoptic wind driver: cold-air
# outbreaks from the Siberian high bring strong north-westerlies.
TEMP_WIND_CORRELATION = -0.3
TYPICAL_MONTH_ITERATIONS = 8  # each halves the remaining monthly drift at least
# A weather-year member keeps this share of its slow monthly anomalies (the typical year keeps none): an
# AR(1) process keeps too much low-frequency variance, which would make the annual wind yield vary by ~12 %;
# at 0.5 it varies by ~6 % (1 sigma), within the 5-8 % of wind-energy indices in north-east China
# (assumption; measured in SOURCES.md of the weather years)
INTERANNUAL_ANOMALY_SHARE = 0.5

HUB_HEIGHT_M = 120.0
WIND_RAW_MEAN_M_S = 7.0  # before calibration to the full-load-hour target
WIND_SYNOPTIC_TIMESCALE_H = 60.0  # multi-day windy and calm spells
WIND_MESOSCALE_TIMESCALE_H = 12.0
WIND_SYNOPTIC_VARIANCE_SHARE = 0.75
# Relative monthly mean hub-height wind, Jan..Dec: spring maximum, summer minimum.
WIND_MONTHLY_FACTOR = (1.00, 1.03, 1.13, 1.22, 1.14, 0.94, 0.82, 0.80, 0.90, 1.02, 1.08, 1.00)
# Hub-height winds in Northeast China peak at night (the grid's "anti-peak" wind pattern).
WIND_DIURNAL_AMPLITUDE = 0.06
WIND_WINDIEST_HOUR = 23.0
WIND_SHEAR_EXPONENT = 0.14  # hub height to 10 m, for PV module cooling


@dataclass(frozen=True)
class WindSite:
    """A wind site: shared synoptic signal (lagged as fronts pass west to east) plus local noise."""

    name: str
    lag_h: int
    shared_weight: float  # share of variance from the county-wide signal
    local_timescale_h: float
    weibull_shape: float


WIND_SITES = (
    WindSite("wind_a", 0, 0.94, 12.0, 2.1),
    WindSite("wind_b", 1, 0.93, 12.0, 2.0),
    WindSite("wind_c", 2, 0.93, 16.0, 2.2),
)
# A farm of hundreds of MW is not one turbine: its turbine groups, kilometres apart, share the farm's wind but
# each has its own fast fluctuations, and within an hour the speeds over a group spread around their mean. The
# farm's output is the mean over its groups of a power curve smoothed for that spread, which smooths the hourly
# ramps of a single-turbine curve (assumptions; statistics in SOURCES.md and the README calibration table).
WIND_GROUPS = 6
WIND_GROUP_SHARED_WEIGHT = 0.7  # share of a group's variance from its farm's signal
WIND_GROUP_TIMESCALE_H = 8.0  # the group's own fluctuations: mesoscale cells, local flow
WIND_GROUP_LAG_SPREAD_H = 2  # fronts reach the far groups up to this many hours later
WIND_TURBULENCE_INTENSITY = 0.12  # spread of speeds within a group and hour (windpowerlib smoothing)

# Clear-sky index (GHI / clear-sky GHI), monthly mean Jan..Dec: dry sunny winters under the
# Siberian high, monsoon clouds in July-August.
CLEAR_SKY_INDEX_MONTHLY = (0.84, 0.84, 0.82, 0.78, 0.76, 0.70, 0.64, 0.67, 0.76, 0.80, 0.80, 0.82)
CLEAR_SKY_INDEX_MIN = 0.05
CLEAR_SKY_INDEX_MAX = 1.0
CLEAR_SKY_INDEX_CONCENTRATION = 2.5  # Beta-distribution a + b: J-shaped (mostly clear, cloudy tail)
CLOUD_SYNOPTIC_TIMESCALE_H = 36.0
CLOUD_FAST_TIMESCALE_H = 3.0
CLOUD_SYNOPTIC_VARIANCE_SHARE = 0.6
# Fronts couple wind and cloud: the synoptic cloud signal is correlated with the synoptic wind signal, so windy
# spells are cloudier (assumption: the passage of Mongolian cyclones over the Songliao plain brings both)
CLOUD_WIND_CORRELATION = 0.4

# --- PV system -----------------------------------------------------------------------------
PV_TARGET_FLH_H = 1460.0  # plan L428: 73 GWh / 50 MW (village PV)
PV_UTILITY_TARGET_FLH_H = 1500.0  # REFERENCE_DATA §2: western Jilin utility PV 1,400-1,550 h (low confidence)
PV_TILT_DEG = SITE_LATITUDE_DEG - 5.0
PV_AZIMUTH_DEG = 180.0
PV_ALBEDO = 0.2
PV_GAMMA_PER_K = -0.0035  # crystalline silicon power temperature coefficient
PV_DC_AC_RATIO = 1.2
PV_INVERTER_EFFICIENCY = 0.97
# PVWatts loss categories, % (soiling incl. dust and snow on a dry plain).
PV_LOSSES_PCT = dict(soiling=3, shading=1, snow=1, mismatch=2, wiring=2, connections=0.5,
                     lid=1.5, nameplate_rating=1, age=0, availability=1)

# --- wind farm -----------------------------------------------------------------------------
WIND_TARGET_FLH_H = 2400.0  # assumption, see module docstring
# The rest of Jilin's wind fleet (the province node): farms spread over the Songliao plain from Baicheng to
# Changchun, some 400 km along the track of the fronts, see the same weather a few hours apart, so the fleet's
# output is the county-wide output averaged over these lags (assumption: fronts cross the belt in about half a
# day), scaled to the fleet's full-load hours: between Jilin's 2019 fleet average of 2,216 h
# (chinapower.com.cn 2020-03-02) and the 2,400 h assumed for new farms, as the 2030 fleet mixes both.
PROVINCE_WIND_LAGS_H = (0, 2, 4, 6, 8, 10)
PROVINCE_WIND_TARGET_FLH_H = 2300.0
WIND_TURBINE_TYPE = "E-141/4200"  # windpowerlib library: 4.2 MW, 141 m rotor, 269 W/m²
WIND_WAKE_CURVE = "dena_mean"  # windpowerlib wind-efficiency curve for wake losses
WIND_AVAILABILITY = 0.97
WIND_ELECTRICAL_EFFICIENCY = 0.98
SURFACE_PRESSURE_PA = 100_000.0  # standard atmosphere at 110 m

def province_wind(county_wind: np.ndarray, scale: float | None = None) -> tuple[np.ndarray, float]:
    """The province's wind fleet per MW: the county-wide output averaged over PROVINCE_WIND_LAGS_H (wrapping
    around the year) and scaled to PROVINCE_WIND_TARGET_FLH_H, or by the reference year's ``scale``."""
    spread = np.mean([np.roll(county_wind, lag) for lag in PROVINCE_WIND_LAGS_H], axis=0)
    scale = scale or PROVINCE_WIND_TARGET_FLH_H / float(spread.sum())
    return np.clip(scale * spread, 0.0, 1.0), scale


# --- demand shapes -------------------------------------------------------------------------
HEATING_SEASON_START = (10, 20)  # 20 Oct
HEATING_SEASON_END = (4, 5)  # 5 Apr, inclusive
HEATING_BASE_TEMPERATURE_C = 18.0
HEAT_DIURNAL_WEIGHT = 0.3  # share of the hourly temperature swing that reaches heat demand
HEAT_INERTIA_H = 24  # building and network thermal inertia
HEAT_BASE_FRACTION = 0.2  # network losses and hot water, as a share of the mean degree-hours

# Electric local load, relative to the weekday industrial base of 1.0 (assumptions).
LOAD_SERVICES_SHARE = 0.25  # residential and commercial, double-humped, mean relative to industry
LOAD_LIGHTING_INCREMENT = 0.05  # while dark and awake
LOAD_HEATING_AUX_PER_K = 0.004  # circulation pumps, electric heaters, per K of daily-mean deficit below 18 °C
LOAD_COOLING_PER_K = 0.010  # per K above the cooling base
LOAD_COOLING_BASE_C = 22.0
LOAD_DARK_ELEVATION_DEG = 3.0  # lights on below this solar elevation
LOAD_AWAKE_HOURS = (6.0, 23.0)
LOAD_WEEKEND_FACTOR = {"industry": 0.93, "services": 1.05}
LOAD_HOLIDAY_FACTOR = {"industry": 0.80, "services": 1.10}
LOAD_NOISE_STD = 0.02
LOAD_NOISE_TIMESCALE_H = 12.0
# Services diurnal humps: (centre hour, width h, height).
SERVICES_HUMPS = ((9.5, 2.0, 0.6), (19.0, 2.2, 0.8), (14.0, 3.0, 0.3))
SERVICES_NIGHT_LEVEL = 0.35

# Heavy-truck charging depot: overnight charging and the midday shift change.
TRUCK_HUMPS = ((1.5, 2.5, 1.0), (12.5, 1.2, 0.7), (18.5, 1.5, 0.25))
TRUCK_DAYTIME_LEVEL = 0.2
TRUCK_WEEKEND_FACTOR = 0.9
TRUCK_SPRING_FESTIVAL_FACTOR = 0.5
TRUCK_COLD_PER_K = 0.003  # battery heating and losses below 10 °C
TRUCK_COLD_BASE_C = 10.0
TRUCK_ACTIVITY_STD = 0.05  # day-to-day fleet activity
TRUCK_ACTIVITY_TIMESCALE_D = 3.0

# --- prices --------------------------------------------------------------------------------
EXPORT_MEAN_CNY_PER_MWH = 373.1  # Jilin coal benchmark tariff
EXPORT_WIND_WEIGHTED_CNY_PER_MWH = 278.46  # Jilin 2025 wind settlement average
EXPORT_PV_WEIGHTED_CNY_PER_MWH = 348.93  # Jilin 2025 PV settlement average
EXPORT_LOAD_ELASTICITY = 1.5  # relative price change per relative load change (assumption)
EXPORT_NOISE_STD = 0.05  # outages, fuel, interconnector flows, relative to the mean
EXPORT_NOISE_TIMESCALE_H = 24.0
EXPORT_FLOOR_CNY_PER_MWH = 0.0  # assumption: Jilin's spot-market price limits not sourced
# Share of hours at the floor: the hours of most renewable output against load, where a spot market clears at
# its floor (assumption: a few per cent of hours, as in provinces with high wind and PV shares; Jilin's own
# spot-market statistics not found)
EXPORT_FLOOR_HOURS_SHARE = 0.04
# In those saturated hours the province has no room: selling costs the base a token 1 CNY/MWh, a stand-in for
# the dispatcher curtailing it, which decides the otherwise arbitrary choice between exporting at zero and
# curtailing (assumption; the curtailment it gives is attributed in results to its cause)
EXPORT_SATURATED_CNY_PER_MWH = -1.0
IMPORT_FLAT_ENERGY_CNY_PER_MWH = 404.31  # Jilin grid agent purchase price, Mar 2025
IMPORT_TD_AND_SURCHARGES_CNY_PER_MWH = 150.0  # assumption: 110 kV large-industry T&D + funds
IMPORT_PEAK_FACTOR = 1.5
IMPORT_VALLEY_FACTOR = 0.5
# Jilin TOU periods from 1 Feb 2025 (吉林省发展改革委关于进一步优化分时电价政策的通知):
# peak 8-10, 16-21; valley 0-5, 11-14, 23-24; flat otherwise. Value per clock hour.
TOU_PERIOD_BY_HOUR = (("valley",) * 5 + ("flat",) * 3 + ("peak",) * 2 + ("flat",)
                      + ("valley",) * 3 + ("flat",) * 2 + ("peak",) * 5 + ("flat",) * 2 + ("valley",))

OUTPUT_FILES = {
    "capacity_factors": ("capacity_factors.csv", "%.4f"),
    "demand_shapes": ("demand_shapes.csv", "%.8g"),
    "prices": ("prices.csv", "%.2f"),
    "weather": ("weather.csv", "%.3f"),
}
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


# --- helpers -------------------------------------------------------------------------------
def reference_index() -> pd.DatetimeIndex:
    """The 8,760 naive local hours of the reference year."""
    return pd.date_range(f"{REFERENCE_YEAR}-01-01", periods=HOURS_PER_YEAR, freq="h", name="time")


def stream(seed: int, purpose: int) -> np.random.Generator:
    """Independent random stream per purpose, so changing one profile leaves the others alone."""
    return np.random.default_rng([seed, purpose])


def ar1(rng: np.random.Generator, n: int, timescale_h: float) -> np.ndarray:
    """Unit-variance Gaussian AR(1) series with e-folding time ``timescale_h``: gives persistence."""
    phi = np.exp(-1.0 / timescale_h)
    shocks = rng.standard_normal(n) * np.sqrt(1.0 - phi**2)
    shocks[0] /= np.sqrt(1.0 - phi**2)  # start in the stationary distribution
    return lfilter([1.0], [1.0, -phi], shocks)


def mix(parts: list[np.ndarray], variance_shares: list[float]) -> np.ndarray:
    """Combine independent unit-variance series into one unit-variance series."""
    return sum(np.sqrt(share) * part for part, share in zip(parts, variance_shares, strict=True))


def monthly_cycle(values: tuple[float, ...], day_of_year: np.ndarray) -> np.ndarray:
    """Periodic linear interpolation of twelve mid-month values to each hour."""
    x = np.concatenate([MID_MONTH_DAY_OF_YEAR - DAYS_PER_YEAR, MID_MONTH_DAY_OF_YEAR,
                        MID_MONTH_DAY_OF_YEAR + DAYS_PER_YEAR])
    return np.interp(day_of_year, x, np.tile(np.asarray(values, dtype=float), 3))


def fractional_day_of_year(index: pd.DatetimeIndex) -> np.ndarray:
    """Day of year at mid-hour, 0-based."""
    return (index.dayofyear - 1 + (index.hour + 0.5) / 24.0).to_numpy(dtype=float)


def mid_hour(index: pd.DatetimeIndex) -> np.ndarray:
    """Clock hour at the middle of each hourly interval."""
    return index.hour.to_numpy(dtype=float) + 0.5


def periodic_humps(hour: np.ndarray, humps: tuple[tuple[float, float, float], ...]) -> np.ndarray:
    """Sum of Gaussian humps (centre, width, height) on the 24-h clock, wrapping at midnight."""
    total = np.zeros_like(hour, dtype=float)
    for centre, width, height in humps:
        distance = (hour - centre + 12.0) % 24.0 - 12.0
        total += height * np.exp(-0.5 * (distance / width) ** 2)
    return total


def holiday_mask(index: pd.DatetimeIndex, periods: tuple[tuple[str, str], ...] = HOLIDAYS) -> np.ndarray:
    """True in the hours of the given (first day, last day) periods."""
    day = index.normalize()
    mask = np.zeros(len(index), dtype=bool)
    for first, last in periods:
        mask |= np.asarray((day >= pd.Timestamp(first)) & (day <= pd.Timestamp(last)))
    return mask


def heating_season_mask(index: pd.DatetimeIndex) -> np.ndarray:
    """True from 20 Oct to 5 Apr inclusive (district-heating season)."""
    month_day = index.month * 100 + index.day
    start = HEATING_SEASON_START[0] * 100 + HEATING_SEASON_START[1]
    end = HEATING_SEASON_END[0] * 100 + HEATING_SEASON_END[1]
    return np.asarray((month_day >= start) | (month_day <= end))


def daily_mean(values: np.ndarray, index: pd.DatetimeIndex) -> np.ndarray:
    """Each hour gets the mean of its calendar day."""
    return pd.Series(values, index=index).groupby(index.normalize()).transform("mean").to_numpy()


def normalise(values: np.ndarray) -> np.ndarray:
    """Shape with annual sum 1.0, to be scaled by an annual energy."""
    return np.asarray(values, dtype=float) / np.sum(values)


def solve_full_load_hours(output_of: Callable[[float], np.ndarray], target_h: float,
                          low: float, high: float) -> float:
    """Parameter x in [low, high] at which the annual sum of ``output_of(x)`` equals ``target_h``."""
    return optimize.brentq(lambda x: output_of(x).sum() - target_h, low, high, xtol=1e-10)


# --- weather -------------------------------------------------------------------------------
def synthetic_weather(seed: int = DEFAULT_SEED, typical: bool = True) -> pd.DataFrame:
    """One seeded synthetic weather year for the site.

    Columns: ``temperature_c``; raw (uncalibrated) hub-height wind speeds in m/s of each turbine group of each
    site (``wind_a/0`` ..) and their mean per site (``wind_a`` ..); ``clearness_index`` = clear-sky index, GHI
    / clear-sky GHI. Wind is an AR process on a Gaussian series mapped to a Weibull marginal, so calm and windy
    multi-day spells occur; the sites share a lagged synoptic signal, so they are correlated but not
    identical, and a site's groups share the site's signal with lags and fast fluctuations of their own.
    Clouds follow their own synoptic signal, correlated with the wind's (fronts). With ``typical`` the slow
    anomalies are anchored month by month (``typical_months``), as a typical meteorological year is built from
    typical months; without it the year keeps the monthly and annual anomalies of a real one (a member of a
    weather-year ensemble).
    """
    rng = stream(seed, 0)
    index = reference_index()
    doy, hour = fractional_day_of_year(index), mid_hour(index)
    n = len(index)

    def anchor(z: np.ndarray) -> np.ndarray:
        typical_z = typical_months(z, doy)
        if typical:
            return typical_z
        kept = typical_z + INTERANNUAL_ANOMALY_SHARE * (z - typical_z)
        return kept / kept.std()

    synoptic = anchor(ar1(rng, n, WIND_SYNOPTIC_TIMESCALE_H))
    shared = mix([synoptic, ar1(rng, n, WIND_MESOSCALE_TIMESCALE_H)],
                 [WIND_SYNOPTIC_VARIANCE_SHARE, 1 - WIND_SYNOPTIC_VARIANCE_SHARE])
    modulation = (monthly_cycle(WIND_MONTHLY_FACTOR, doy) / np.mean(WIND_MONTHLY_FACTOR)
                  * (1 + WIND_DIURNAL_AMPLITUDE * np.cos(2 * np.pi * (hour - WIND_WINDIEST_HOUR) / 24)))
    winds = {}
    for site in WIND_SITES:
        # a positive lag: the site sees the county-wide signal later (the year is treated as cyclic)
        z = mix([np.roll(shared, site.lag_h), ar1(rng, n, site.local_timescale_h)],
                [site.shared_weight, 1 - site.shared_weight])
        groups = []
        for j in range(WIND_GROUPS):
            lag = round(j * WIND_GROUP_LAG_SPREAD_H / max(WIND_GROUPS - 1, 1))
            zj = mix([np.roll(z, lag), ar1(rng, n, WIND_GROUP_TIMESCALE_H)],
                     [WIND_GROUP_SHARED_WEIGHT, 1 - WIND_GROUP_SHARED_WEIGHT])
            weibull = stats.weibull_min.ppf(stats.norm.cdf(zj), site.weibull_shape)
            groups.append(WIND_RAW_MEAN_M_S * modulation * weibull / stats.weibull_min.mean(site.weibull_shape))
            winds[f"{site.name}/{j}"] = groups[-1]
        winds[site.name] = np.mean(groups, axis=0)

    cloud_own = anchor(ar1(rng, n, CLOUD_SYNOPTIC_TIMESCALE_H))
    cloud_synoptic = -CLOUD_WIND_CORRELATION * synoptic + np.sqrt(1 - CLOUD_WIND_CORRELATION**2) * cloud_own
    clear_sky_index = _clear_sky_index(rng, doy, cloud_synoptic / cloud_synoptic.std())
    temperature = _temperature(rng, index, doy, hour, synoptic, clear_sky_index, anchor)
    return pd.DataFrame({"temperature_c": temperature, **winds, "clearness_index": clear_sky_index},
                        index=index)


def typical_months(z: np.ndarray, doy: np.ndarray) -> np.ndarray:
    """Remove each calendar month's mean from a unit-variance anomaly, smoothly, and restore unit
    variance: the monthly means then follow the climatology instead of one random draw."""
    month = np.searchsorted(MONTH_START_DAY_OF_YEAR, doy, side="right") - 1
    for _ in range(TYPICAL_MONTH_ITERATIONS):
        monthly_mean = np.bincount(month, weights=z) / np.bincount(month)
        z = z - monthly_cycle(tuple(monthly_mean), doy)
    return z / z.std()


def _clear_sky_index(rng: np.random.Generator, doy: np.ndarray, synoptic: np.ndarray) -> np.ndarray:
    """Persistent cloudiness (``synoptic``, unit variance, high = clear) with fast changes, mapped to a
    J-shaped Beta marginal around the monthly mean."""
    cloud = mix([synoptic, ar1(rng, len(doy), CLOUD_FAST_TIMESCALE_H)],
                [CLOUD_SYNOPTIC_VARIANCE_SHARE, 1 - CLOUD_SYNOPTIC_VARIANCE_SHARE])
    span = CLEAR_SKY_INDEX_MAX - CLEAR_SKY_INDEX_MIN
    mean_fraction = (monthly_cycle(CLEAR_SKY_INDEX_MONTHLY, doy) - CLEAR_SKY_INDEX_MIN) / span
    fraction = stats.beta.ppf(stats.norm.cdf(cloud), mean_fraction * CLEAR_SKY_INDEX_CONCENTRATION,
                              (1 - mean_fraction) * CLEAR_SKY_INDEX_CONCENTRATION)
    return CLEAR_SKY_INDEX_MIN + span * fraction


def _temperature(rng: np.random.Generator, index: pd.DatetimeIndex, doy: np.ndarray, hour: np.ndarray,
                 wind_synoptic: np.ndarray, clear_sky_index: np.ndarray, anchor: Callable) -> np.ndarray:
    """Seasonal cycle + diurnal cycle (damped on cloudy days) + persistent synoptic anomaly."""
    season = np.cos(2 * np.pi * (doy - TEMP_COLDEST_DAY_OF_YEAR) / DAYS_PER_YEAR)
    seasonal = TEMP_ANNUAL_MEAN_C - TEMP_SEASONAL_AMPLITUDE_C * season
    sunniness = np.clip(daily_mean(clear_sky_index, index) / monthly_cycle(CLEAR_SKY_INDEX_MONTHLY, doy),
                        0.3, 1.5)
    diurnal = (0.5 * monthly_cycle(TEMP_DIURNAL_RANGE_C, doy) * sunniness
               * np.cos(2 * np.pi * (hour - TEMP_WARMEST_HOUR) / 24))
    anomaly_std = (0.5 * (TEMP_ANOMALY_STD_WINTER_C + TEMP_ANOMALY_STD_SUMMER_C)
                   + 0.5 * (TEMP_ANOMALY_STD_WINTER_C - TEMP_ANOMALY_STD_SUMMER_C) * season)
    own = anchor(ar1(rng, len(index), TEMP_ANOMALY_TIMESCALE_H))
    anomaly = TEMP_WIND_CORRELATION * wind_synoptic + np.sqrt(1 - TEMP_WIND_CORRELATION**2) * own
    return seasonal + diurnal + anomaly_std * anomaly


# --- PV ------------------------------------------------------------------------------------
def _location():
    """pvlib Location of the site."""
    import pvlib

    return pvlib.location.Location(SITE_LATITUDE_DEG, SITE_LONGITUDE_DEG, tz=TIMEZONE,
                                   altitude=SITE_ALTITUDE_M)


def _mid_hour_times(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Aware mid-hour instants: hourly means of sun-driven quantities are taken there."""
    return index.tz_localize(TIMEZONE) + pd.Timedelta(minutes=30)


def solar_position(index: pd.DatetimeIndex, temperature_c: np.ndarray) -> pd.DataFrame:
    """pvlib solar position (SPA) at mid-hour, indexed by aware mid-hour instants."""
    return _location().get_solarposition(_mid_hour_times(index), temperature=temperature_c)


def pv_dc_before_losses(weather: pd.DataFrame, solpos: pd.DataFrame,
                        hub_wind_m_s: np.ndarray) -> tuple[pd.Series, dict]:
    """DC output per kWp before system losses, and the irradiation totals (kWh/m²) for the record.

    Ineichen clear sky x clear-sky index -> GHI; Erbs split; Perez transposition onto the
    fixed south-facing plane; Fresnel IAM on the beam; SAPM cell temperature; PVWatts DC model.
    """
    import pvlib

    times = solpos.index
    location = _location()
    clear = location.get_clearsky(times, model="ineichen", solar_position=solpos)
    ghi = clear["ghi"] * weather["clearness_index"].to_numpy()
    split = pvlib.irradiance.erbs(ghi, solpos["zenith"], times)
    poa = pvlib.irradiance.get_total_irradiance(
        PV_TILT_DEG, PV_AZIMUTH_DEG, solpos["apparent_zenith"], solpos["azimuth"],
        split["dni"], ghi, split["dhi"], dni_extra=pvlib.irradiance.get_extra_radiation(times),
        airmass=location.get_airmass(times, solar_position=solpos)["airmass_relative"],
        albedo=PV_ALBEDO, model="perez").fillna(0.0)
    aoi = pvlib.irradiance.aoi(PV_TILT_DEG, PV_AZIMUTH_DEG, solpos["apparent_zenith"], solpos["azimuth"])
    effective = poa["poa_direct"] * pvlib.iam.physical(aoi).fillna(0.0) + poa["poa_diffuse"]
    wind_10m = hub_wind_m_s * (10.0 / HUB_HEIGHT_M) ** WIND_SHEAR_EXPONENT  # module cooling
    cell = pvlib.temperature.sapm_cell(
        poa["poa_global"], weather["temperature_c"].to_numpy(), wind_10m,
        **pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_glass"])
    dc = pvlib.pvsystem.pvwatts_dc(effective.clip(lower=0.0), cell, pdc0=1.0, gamma_pdc=PV_GAMMA_PER_K)
    totals = {"ghi_kwh_m2": ghi.sum() / 1000, "poa_kwh_m2": poa["poa_global"].sum() / 1000}
    return dc.fillna(0.0), totals


def pv_ac(dc_before_losses: pd.Series, derate: float) -> np.ndarray:
    """AC output per kWp DC after a system derate and a PVWatts inverter (clips at 1 / DC-AC ratio)."""
    import pvlib

    ac_rating = 1.0 / PV_DC_AC_RATIO
    ac = pvlib.inverter.pvwatts(dc_before_losses.to_numpy() * derate,
                                pdc0=ac_rating / PV_INVERTER_EFFICIENCY, eta_inv_nom=PV_INVERTER_EFFICIENCY)
    return np.clip(np.asarray(ac, dtype=float), 0.0, 1.0)


def pv_nominal_derate() -> float:
    """1 - PVWatts system losses with the loss categories above."""
    import pvlib

    return 1.0 - pvlib.pvsystem.pvwatts_losses(**PV_LOSSES_PCT) / 100.0


def calibrate_pv(weather: pd.DataFrame, solpos: pd.DataFrame, hub_wind_m_s: np.ndarray,
                 target_h: float = PV_TARGET_FLH_H, derate: float | None = None) -> tuple[np.ndarray, dict]:
    """PV capacity factor per kWp DC at ``target_h`` full-load hours, or with a given ``derate`` (a
    weather-year member keeps the reference year's calibration, so its yield is its weather's).

    The one calibrated quantity is the scaling of the loss factor; the derate is capped at 1,
    i.e. calibration may remove losses but never create energy.
    """
    dc, totals = pv_dc_before_losses(weather, solpos, hub_wind_m_s)
    if derate is None:
        if pv_ac(dc, 1.0).sum() < target_h:
            raise ValueError("PV cannot reach its full-load-hour target even without losses")
        derate = solve_full_load_hours(lambda d: pv_ac(dc, d), target_h, 0.05, 1.0)
    return pv_ac(dc, derate), {**totals, "derate": derate, "loss_scaling": derate / pv_nominal_derate()}


# --- wind ----------------------------------------------------------------------------------
def turbine_power_curve() -> tuple[np.ndarray, np.ndarray]:
    """Wind speeds (m/s) and per-unit output of the windpowerlib library turbine, smoothed for the spread of
    speeds within a turbine group and an hour (turbulence intensity; on a regular 0.25 m/s grid, which the
    smoothing assumes)."""
    from windpowerlib import WindTurbine
    from windpowerlib.power_curves import smooth_power_curve

    turbine = WindTurbine(turbine_type=WIND_TURBINE_TYPE, hub_height=HUB_HEIGHT_M)
    curve = turbine.power_curve
    speeds = curve["wind_speed"].to_numpy(dtype=float)
    power = curve["value"].to_numpy(dtype=float) / turbine.nominal_power
    grid = np.arange(0.0, speeds.max() + 0.25, 0.25)
    smoothed = smooth_power_curve(pd.Series(grid), pd.Series(np.interp(grid, speeds, power, right=0.0)),
                                  standard_deviation_method="turbulence_intensity",
                                  turbulence_intensity=WIND_TURBULENCE_INTENSITY)
    return smoothed["wind_speed"].to_numpy(dtype=float), smoothed["value"].to_numpy(dtype=float)


def hub_air_density(temperature_c: np.ndarray) -> np.ndarray:
    """Air density at hub height (kg/m³): cold winter air gives more power below rated speed."""
    from windpowerlib import density, temperature

    hub_temperature_k = temperature.linear_gradient(np.asarray(temperature_c) + 273.15, 2.0, HUB_HEIGHT_M)
    return density.ideal_gas(SURFACE_PRESSURE_PA, 0.0, HUB_HEIGHT_M, hub_temperature_k)


def wind_capacity_factor(speed: np.ndarray, air_density: np.ndarray,
                         curve: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Wind-farm output per MW: wake-reduced speed, density-corrected power curve, availability."""
    from windpowerlib import power_output, wake_losses

    waked = wake_losses.reduce_wind_speed(np.asarray(speed), WIND_WAKE_CURVE)
    per_unit = power_output.power_curve(waked, curve[0], curve[1], density=air_density,
                                        density_correction=True)
    return np.asarray(per_unit) * WIND_AVAILABILITY * WIND_ELECTRICAL_EFFICIENCY


def calibrate_wind(weather: pd.DataFrame, scales: dict[str, float] | None = None
                   ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict]:
    """Capacity factors (the mean over a site's turbine groups) and mean hub-height speeds of each site, speeds
    scaled to 2,400 full-load hours, or by the given ``scales`` (a weather-year member keeps the reference
    year's, so its yield is its weather's).

    2,400 h is an assumption for new large-rotor turbines (Jilin's 2019 fleet average was
    2,216 h, chinapower.com.cn 2020-03-02).
    """
    curve = turbine_power_curve()
    air_density = hub_air_density(weather["temperature_c"].to_numpy())
    factors, speeds, solved = {}, {}, {}
    for site in WIND_SITES:
        groups = [weather[f"{site.name}/{j}"].to_numpy() for j in range(WIND_GROUPS)]

        def farm(scale: float, groups=groups) -> np.ndarray:
            return np.mean([wind_capacity_factor(scale * raw, air_density, curve) for raw in groups], axis=0)

        scale = (scales or {}).get(site.name) or solve_full_load_hours(farm, WIND_TARGET_FLH_H, 0.3, 2.0)
        speeds[site.name] = scale * weather[site.name].to_numpy()
        factors[site.name] = farm(scale)
        solved[site.name] = scale
    return factors, speeds, {"speed_scale": solved, "mean_air_density": float(air_density.mean())}


# --- demand shapes -------------------------------------------------------------------------
def day_type_factor(index: pd.DatetimeIndex, weekend: float, holiday: float) -> np.ndarray:
    """Multiplier for weekends and statutory-holiday weeks (holidays take precedence)."""
    is_weekend = np.asarray(index.dayofweek >= 5)
    return np.where(holiday_mask(index), holiday, np.where(is_weekend, weekend, 1.0))


def local_load_shape(weather: pd.DataFrame, solar_elevation: np.ndarray, seed: int) -> np.ndarray:
    """Electric local load: high flat industrial base + double-humped services + lighting after
    dark + heating auxiliaries (winter peak) + a little cooling (smaller summer peak)."""
    index = weather.index
    hour = mid_hour(index)
    temperature = weather["temperature_c"].to_numpy()
    industry = day_type_factor(index, LOAD_WEEKEND_FACTOR["industry"], LOAD_HOLIDAY_FACTOR["industry"])
    services = SERVICES_NIGHT_LEVEL + periodic_humps(hour, SERVICES_HUMPS)
    services *= LOAD_SERVICES_SHARE / services.mean() * day_type_factor(
        index, LOAD_WEEKEND_FACTOR["services"], LOAD_HOLIDAY_FACTOR["services"])
    awake = (hour > LOAD_AWAKE_HOURS[0]) & (hour < LOAD_AWAKE_HOURS[1])
    lighting = LOAD_LIGHTING_INCREMENT * ((solar_elevation < LOAD_DARK_ELEVATION_DEG) & awake)
    heating_aux = LOAD_HEATING_AUX_PER_K * heating_season_mask(index) * np.clip(
        HEATING_BASE_TEMPERATURE_C - daily_mean(temperature, index), 0, None)
    cooling = LOAD_COOLING_PER_K * np.clip(temperature - LOAD_COOLING_BASE_C, 0, None)
    noise = 1 + LOAD_NOISE_STD * ar1(stream(seed, 1), len(index), LOAD_NOISE_TIMESCALE_H)
    return normalise((industry + services + lighting + heating_aux + cooling) * noise)


def heat_demand_shape(weather: pd.DataFrame) -> np.ndarray:
    """District heat: degree-hours (18 °C base) on an inertia-smoothed temperature in the heating
    season, plus a base for network losses and hot water; zero outside the season."""
    temperature = weather["temperature_c"]
    smoothed = temperature.rolling(HEAT_INERTIA_H, min_periods=1).mean()
    effective = smoothed + HEAT_DIURNAL_WEIGHT * (temperature - smoothed)
    season = heating_season_mask(weather.index)
    degree_hours = np.clip(HEATING_BASE_TEMPERATURE_C - effective.to_numpy(), 0, None)
    base = HEAT_BASE_FRACTION * degree_hours[season].mean()
    return normalise(np.where(season, degree_hours + base, 0.0))


def truck_charging_shape(weather: pd.DataFrame, seed: int) -> np.ndarray:
    """Heavy-truck depot: overnight and shift-change charging, a little more in cold weather
    (battery heating), less at weekends and at Spring Festival, day-to-day activity noise."""
    index = weather.index
    daily_profile = TRUCK_DAYTIME_LEVEL + periodic_humps(mid_hour(index), TRUCK_HUMPS)
    day_type = day_type_factor(index, TRUCK_WEEKEND_FACTOR, 1.0) * np.where(
        holiday_mask(index, (SPRING_FESTIVAL,)), TRUCK_SPRING_FESTIVAL_FACTOR, 1.0)
    cold = 1 + TRUCK_COLD_PER_K * np.clip(
        TRUCK_COLD_BASE_C - daily_mean(weather["temperature_c"].to_numpy(), index), 0, None)
    days = len(index) // 24
    activity = np.repeat(1 + TRUCK_ACTIVITY_STD * ar1(stream(seed, 2), days, TRUCK_ACTIVITY_TIMESCALE_D), 24)
    return normalise(daily_profile * day_type * cold * activity)


# --- prices --------------------------------------------------------------------------------
def export_price(load: np.ndarray, wind: np.ndarray, pv: np.ndarray, seed: int,
                 calibration: dict | None = None) -> tuple[np.ndarray, dict]:
    """Hourly sale price to the provincial grid (CNY/MWh), and its calibration.

    Merit-order proxy: price rises with load (evening peak) and falls with wind and PV output,
    floored at zero; in the hours of most renewable output against load (the top
    ``EXPORT_FLOOR_HOURS_SHARE`` of the reference year) the market clears at the floor. A level shift and the
    two renewable coefficients are solved so that the time mean is the coal benchmark and the wind- and
    PV-weighted means equal Jilin's 2025 settlement averages for wind and PV. A weather-year member keeps the
    reference year's ``calibration`` (coefficients and floor threshold), so a windy year sells cheaper.
    """
    noise = EXPORT_NOISE_STD * ar1(stream(seed, 3), len(load), EXPORT_NOISE_TIMESCALE_H)
    base = EXPORT_MEAN_CNY_PER_MWH * (1 + EXPORT_LOAD_ELASTICITY * (load / load.mean() - 1)
                                      + noise - noise.mean())
    if calibration is None:
        calibration = {"wind_mean": wind.mean(), "pv_mean": pv.mean(), "load_mean": load.mean()}
    drivers = np.column_stack([np.ones_like(load), wind - calibration["wind_mean"], pv - calibration["pv_mean"]])
    pressure = wind + pv - load / calibration["load_mean"]  # renewable output against load
    if "floor_threshold" not in calibration:
        calibration["floor_threshold"] = float(np.quantile(pressure, 1 - EXPORT_FLOOR_HOURS_SHARE))
    at_floor = pressure > calibration["floor_threshold"]

    def price(coefficients: np.ndarray) -> np.ndarray:
        return np.where(at_floor, EXPORT_SATURATED_CNY_PER_MWH,
                        np.maximum(EXPORT_FLOOR_CNY_PER_MWH, base - drivers @ coefficients))

    if "coefficients" not in calibration:
        weights = np.column_stack([np.ones_like(load), wind, pv])
        targets = np.array([EXPORT_MEAN_CNY_PER_MWH, EXPORT_WIND_WEIGHTED_CNY_PER_MWH,
                            EXPORT_PV_WEIGHTED_CNY_PER_MWH])

        def gap(coefficients: np.ndarray) -> np.ndarray:
            return weights.T @ price(coefficients) / weights.sum(axis=0) - targets

        free = ~at_floor
        start = np.linalg.solve(weights[free].T @ drivers[free],
                                weights[free].T @ base[free] - targets * weights.sum(axis=0))
        solution = optimize.root(gap, start, method="hybr", options={"xtol": 1e-12})
        if not solution.success or np.abs(gap(solution.x)).max() > 1e-6:
            raise RuntimeError(f"export-price calibration failed: {solution.message}")
        calibration["coefficients"] = solution.x
    return price(np.asarray(calibration["coefficients"])), calibration


def import_price(index: pd.DatetimeIndex, flat: float = IMPORT_FLAT_ENERGY_CNY_PER_MWH
                 + IMPORT_TD_AND_SURCHARGES_CNY_PER_MWH) -> np.ndarray:
    """Jilin time-of-use tariff for purchases (CNY/MWh): ``flat`` × the peak, flat or valley factor of the
    clock hour."""
    factor = {"peak": IMPORT_PEAK_FACTOR, "flat": 1.0, "valley": IMPORT_VALLEY_FACTOR}
    by_hour = np.array([flat * factor[period] for period in TOU_PERIOD_BY_HOUR])
    return by_hour[index.hour.to_numpy()]


# --- assembly ------------------------------------------------------------------------------
@dataclass
class Profiles:
    """The output tables as written to CSV, and the calibration results behind them."""

    tables: dict[str, pd.DataFrame]
    calibration: dict


def generate_profiles(seed: int = DEFAULT_SEED, calibration: dict | None = None) -> Profiles:
    """All default-case time series from one seeded weather year.

    Without ``calibration`` the year is the typical reference year, calibrated to the targets (full-load
    hours, price means). With the reference year's ``calibration`` it is a member of a weather-year ensemble:
    its own weather, with monthly and annual anomalies, through the same conversions and price coefficients,
    so its yields and prices differ from the reference as a real year's would.
    """
    member = calibration is not None
    weather = synthetic_weather(seed, typical=not member)
    index = weather.index
    solpos = solar_position(index, weather["temperature_c"].to_numpy())
    wind, speeds, wind_info = calibrate_wind(weather, calibration["wind"]["speed_scale"] if member else None)
    pv, pv_info = calibrate_pv(weather, solpos, speeds["wind_a"], PV_TARGET_FLH_H,
                               calibration["pv"]["derate"] if member else None)
    pv_utility, pv_utility_info = calibrate_pv(weather, solpos, speeds["wind_a"], PV_UTILITY_TARGET_FLH_H,
                                               calibration["pv_utility"]["derate"] if member else None)
    load = local_load_shape(weather, solpos["apparent_elevation"].to_numpy(), seed)
    county_wind = np.mean([wind[site.name] for site in WIND_SITES], axis=0)
    wind_jilin, wind_info["province_scale"] = province_wind(
        county_wind, calibration["wind"].get("province_scale") if member else None)
    export, price_info = export_price(load, county_wind, pv_utility, seed,
                                      dict(calibration["price"]) if member else None)

    def table(columns: dict, decimals: int | None = None) -> pd.DataFrame:
        frame = pd.DataFrame(columns, index=index)
        return frame if decimals is None else frame.round(decimals) + 0.0  # + 0.0: no "-0.0"

    tables = {
        "capacity_factors": table({**wind, "pv": pv, "pv_utility": pv_utility, "wind_jilin": wind_jilin}, 4),
        "demand_shapes": table({"local_load": load, "heat_demand": heat_demand_shape(weather),
                                "truck_charging": truck_charging_shape(weather, seed)}),
        "prices": table({"export_price_cny_per_mwh": export,
                         "import_price_cny_per_mwh": import_price(index),
                         "import_energy_price_cny_per_mwh": import_price(index, IMPORT_FLAT_ENERGY_CNY_PER_MWH)}, 2),
        "weather": table({"temperature_c": weather["temperature_c"], "wind_speed_hub_m_s": speeds["wind_a"],
                          "clearness_index": weather["clearness_index"]}, 3),
    }
    return Profiles(tables=tables, calibration={"seed": seed, "pv": pv_info, "pv_utility": pv_utility_info,
                                                "wind": wind_info, "price": price_info})


def write_profiles(profiles: Profiles, out_dir: Path) -> list[Path]:
    """Write the CSVs and SOURCES.md; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for key, (name, float_format) in OUTPUT_FILES.items():
        path = out_dir / name
        profiles.tables[key].to_csv(path, float_format=float_format, date_format=TIME_FORMAT,
                                    lineterminator="\n")
        written.append(path)
    sources = out_dir / "SOURCES.md"
    sources.write_text(sources_markdown(profiles), encoding="utf-8")
    return written + [sources]


def read_profiles(out_dir: Path) -> dict[str, pd.DataFrame]:
    """Read the written CSVs back, keyed like ``Profiles.tables``."""
    return {key: pd.read_csv(out_dir / name, index_col="time", parse_dates=["time"])
            for key, (name, _) in OUTPUT_FILES.items()}


# --- documentation -------------------------------------------------------------------------
def annual_statistics(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Measured statistics per column, as short text for SOURCES.md."""
    cf, shapes, prices, weather = (tables[key] for key in ("capacity_factors", "demand_shapes", "prices", "weather"))
    month = cf.index.month
    wind_names = [site.name for site in WIND_SITES]
    corr = cf[wind_names].corr()
    result = {}
    for name in wind_names:
        others = ", ".join(f"{other} {corr.loc[name, other]:.2f}" for other in wind_names if other != name)
        result[name] = (f"FLH {cf[name].sum():,.0f} h; mean CF {cf[name].mean():.3f}; max {cf[name].max():.3f}; "
                        f"Apr {cf[name][month == 4].mean():.3f} / Jul {cf[name][month == 7].mean():.3f}; "
                        f"hourly correlation with {others}")
    province, farm = cf["wind_jilin"], cf["wind_a"]
    result["wind_jilin"] = (f"FLH {province.sum():,.0f} h; mean CF {province.mean():.3f}; max {province.max():.3f}; "
                            f"Apr {province[month == 4].mean():.3f} / Jul {province[month == 7].mean():.3f}; std of "
                            f"hourly changes {province.diff().std():.4f} (wind_a {farm.diff().std():.4f}); hourly "
                            f"correlation with wind_a {province.corr(farm):.2f}")
    for name in ("pv", "pv_utility"):
        pv = cf[name]
        result[name] = (f"FLH {pv.sum():,.0f} h; max CF {pv.max():.3f}; Jun {pv[month == 6].mean():.3f} / "
                        f"Dec {pv[month == 12].mean():.3f} mean CF")
    pv = cf["pv_utility"]
    load = shapes["local_load"]
    relative = load.groupby(month).mean() / load.mean()
    result["local_load"] = (f"load factor (mean/peak) {load.mean() / load.max():.3f}; peak at "
                            f"{load.idxmax():%d %b %H:00}; monthly mean / annual mean: Jan {relative[1]:.3f}, "
                            f"May {relative[5]:.3f}, Jul {relative[7]:.3f}; sum {load.sum():.6f}")
    heat = shapes["heat_demand"]
    in_season = heat > 0
    result["heat_demand"] = (f"{int(in_season.sum())} heating hours; Dec-Feb share "
                             f"{heat[np.isin(month, (12, 1, 2))].sum():.3f}; peak / in-season mean "
                             f"{heat.max() / heat[in_season].mean():.2f}; Jul sum {heat[month == 7].sum():.1f}; "
                             f"sum {heat.sum():.6f}")
    truck = shapes["truck_charging"]
    by_hour = truck.groupby(truck.index.hour).mean() / truck.mean()
    result["truck_charging"] = (f"hourly mean / mean: max {by_hour.max():.2f} at {by_hour.idxmax()}:00, "
                                f"{by_hour.loc[12]:.2f} at 12:00, min {by_hour.min():.2f} at {by_hour.idxmin()}:00; "
                                f"Jan / Jul {truck[month == 1].mean() / truck[month == 7].mean():.2f}; "
                                f"sum {truck.sum():.6f}")
    export = prices["export_price_cny_per_mwh"]
    county_wind = cf[wind_names].mean(axis=1)
    by_hour = export.groupby(export.index.hour).mean()
    result["export_price_cny_per_mwh"] = (
        f"mean {export.mean():.2f}; wind-weighted {(export * county_wind).sum() / county_wind.sum():.2f}; "
        f"PV-weighted {(export * pv).sum() / pv.sum():.2f}; min {export.min():.2f}, max {export.max():.2f}; "
        f"hourly means {by_hour.min():.0f} ({by_hour.idxmin()}:00) to {by_hour.max():.0f} ({by_hour.idxmax()}:00); "
        f"correlation with wind_a {np.corrcoef(export, cf['wind_a'])[0, 1]:.2f}; "
        f"{int((export <= EXPORT_FLOOR_CNY_PER_MWH + 1e-9).sum())} h at the floor")
    imports = prices["import_price_cny_per_mwh"]
    result["import_price_cny_per_mwh"] = (f"mean {imports.mean():.2f}; peak {imports.max():.2f}, "
                                          f"flat {imports.median():.2f}, valley {imports.min():.2f}")
    energy = prices["import_energy_price_cny_per_mwh"]
    result["import_energy_price_cny_per_mwh"] = (f"mean {energy.mean():.2f}; peak {energy.max():.2f}, "
                                                 f"flat {energy.median():.2f}, valley {energy.min():.2f}")
    temperature = weather["temperature_c"]
    result["temperature_c"] = (f"mean {temperature.mean():.1f} °C; Jan {temperature[month == 1].mean():.1f}, "
                               f"Jul {temperature[month == 7].mean():.1f}; min {temperature.min():.1f}, "
                               f"max {temperature.max():.1f}")
    speed = weather["wind_speed_hub_m_s"]
    result["wind_speed_hub_m_s"] = (f"mean {speed.mean():.2f} m/s; Apr {speed[month == 4].mean():.2f}, "
                                    f"Aug {speed[month == 8].mean():.2f}; hours below 3 m/s {int((speed < 3).sum())}")
    clearness = weather["clearness_index"]
    result["clearness_index"] = (f"mean {clearness.mean():.2f}; Jan {clearness[month == 1].mean():.2f}, "
                                 f"Jul {clearness[month == 7].mean():.2f}")
    return result


# The statistics a planner checks a synthetic year against: (name, what, low, high, why the band). The
# bands are stated assumptions from the behaviour of aggregated farms and of the region's weather, not
# measurements of Shuangliao (none public); tests/test_profiles.py holds the generator to them.
STATISTIC_BANDS = (
    ("wind_ramp_std", "std of hourly changes of a farm's output, share of capacity", 0.03, 0.06,
     "farms of 100-800 MW: a few per cent per hour; a single turbine's curve gives about twice that"),
    ("wind_ramp_p99", "99th percentile of |hourly change| of a farm", 0.10, 0.20, "as above"),
    ("wind_hours_above_90pct", "hours a farm exceeds 90 % of capacity", 0, 300,
     "a spread-out farm rarely runs all its turbines at rated output together"),
    ("wind_hours_below_1pct", "hours a farm is below 1 % of capacity", 100, 900, "calm spells"),
    ("wind_pv_hourly_correlation", "hourly correlation of wind_a and utility PV", -0.30, 0.0,
     "night-peaking wind against daytime PV, plus fronts bringing wind and cloud"),
    ("wind_pv_daily_correlation", "correlation of daily means of wind_a and utility PV", -0.40, -0.05,
     "fronts: windy days are cloudier"),
    ("wind_spring_to_summer", "mean wind output Mar-May / Jul-Aug", 1.6, 2.6,
     "north-east China: spring maximum, summer minimum"),
    ("export_floor_hours", "hours the export price is at its floor", 200, 500,
     "a few per cent of hours in high-renewable provinces' spot markets"),
)


def statistics(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """The quantities of STATISTIC_BANDS measured on generated (or committed) tables."""
    cf, prices = tables["capacity_factors"], tables["prices"]
    farms = [site.name for site in WIND_SITES]
    ramps = cf[farms].diff().dropna()
    month = cf.index.month
    daily = cf.resample("D").mean()
    export = prices["export_price_cny_per_mwh"]
    return {
        "wind_ramp_std": float(ramps.std().mean()),
        "wind_ramp_p99": float(ramps.abs().quantile(0.99).mean()),
        "wind_hours_above_90pct": float((cf[farms] > 0.9).sum().mean()),
        "wind_hours_below_1pct": float((cf[farms] < 0.01).sum().mean()),
        "wind_pv_hourly_correlation": float(cf["wind_a"].corr(cf["pv_utility"])),
        "wind_pv_daily_correlation": float(daily["wind_a"].corr(daily["pv_utility"])),
        "wind_spring_to_summer": float(cf[farms][np.isin(month, (3, 4, 5))].mean().mean()
                                       / cf[farms][np.isin(month, (7, 8))].mean().mean()),
        "export_floor_hours": float((export <= EXPORT_FLOOR_CNY_PER_MWH + 1e-9).sum()),
    }


def statistics_markdown(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The calibration table of the statistics against their bands."""
    measured = statistics(tables)
    lines = ["| statistic | what | band | measured | in band | why the band |", "|---|---|---|---|---|---|"]
    for name, what, low, high, why in STATISTIC_BANDS:
        value = measured[name]
        lines.append(f"| `{name}` | {what} | {low:g} .. {high:g} | {value:.3g} | "
                     f"{'yes' if low <= value <= high else 'NO'} | {why} |")
    return lines


# --- weather-year ensemble -------------------------------------------------------------------
WEATHER_YEARS = 10
WEATHER_YEAR_COLUMNS = {"capacity_factors": None, "demand_shapes": None, "prices": ["export_price_cny_per_mwh"]}


def weather_year_name(k: int) -> str:
    return f"w{k:02d}"


def write_weather_years(reference: Profiles, out_dir: Path, count: int = WEATHER_YEARS) -> list[Path]:
    """``count`` members of the weather-year ensemble, each ``weather_years/wNN/profiles.parquet`` with the
    weather-driven columns (the time-of-use import prices do not depend on the weather), and a SOURCES.md
    with each member's yields and prices. A member is the reference seed + k, without the typical-month
    anchoring, through the reference year's calibration."""
    folder = out_dir / "weather_years"
    written, rows = [], []
    for k in range(1, count + 1):
        member = generate_profiles(reference.calibration["seed"] + k, reference.calibration)
        frames = [member.tables[key] if columns is None else member.tables[key][columns]
                  for key, columns in WEATHER_YEAR_COLUMNS.items()]
        frame = pd.concat(frames, axis=1).rename_axis("time")
        path = folder / weather_year_name(k) / "profiles.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(path, compression="zstd")
        written.append(path)
        cf, export = member.tables["capacity_factors"], member.tables["prices"]["export_price_cny_per_mwh"]
        farms = cf[[site.name for site in WIND_SITES]].mean(axis=1)
        rows.append((weather_year_name(k), member.calibration["seed"], farms.sum(), cf["pv_utility"].sum(),
                     cf["pv"].sum(), export.mean(), int((export <= EXPORT_FLOOR_CNY_PER_MWH + 1e-9).sum())))
    table = pd.DataFrame(rows, columns=["year", "seed", "wind", "pv_utility", "pv", "export", "floor"])
    lines = ["# Weather years of the Shuangliao default case", "",
             f"Generated by `python -m synthetic_weather.generator --out inputs/shuangliao/timeseries "
             f"--weather-years {count}`; do not edit by hand. Member wNN is the reference year's generator at "
             f"seed {reference.calibration['seed']} + NN without the typical-month anchoring (it keeps "
             f"{INTERANNUAL_ANOMALY_SHARE:.0%} of its slow monthly anomalies), through the reference year's "
             "calibration (speed scales, PV derates, price coefficients and floor threshold), so that its yields "
             "and prices are its weather's. Each `profiles.parquet` replaces the case's columns of the same name "
             "when a run sets `weather_year: wNN` (`energy-model ensemble` runs them all).", "",
             "| year | seed | wind FLH (mean of 3 farms) | utility PV FLH | village PV FLH | export price mean "
             "CNY/MWh | hours at the floor |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r.year} | {r.seed} | {r.wind:,.0f} | {r.pv_utility:,.0f} | {r.pv:,.0f} | {r.export:.1f} | "
              f"{r.floor} |" for r in table.itertuples()]
    lines += ["", f"Across the members: wind {table.wind.mean():,.0f} h ± {table.wind.std() / table.wind.mean():.1%} "
              f"(1σ), utility PV {table.pv_utility.mean():,.0f} h ± "
              f"{table.pv_utility.std() / table.pv_utility.mean():.1%}, export price {table.export.mean():.1f} ± "
              f"{table.export.std():.1f} CNY/MWh. Reference year: wind {WIND_TARGET_FLH_H:,.0f} h, utility PV "
              f"{PV_UTILITY_TARGET_FLH_H:,.0f} h.", ""]
    sources = folder / "SOURCES.md"
    sources.write_text("\n".join(lines), encoding="utf-8")
    return written + [sources]


def column_documentation() -> dict[str, tuple[str, str, str, str]]:
    """Per column: (file, what it is, how generated, calibration target and source)."""
    lags = "/".join(str(site.lag_h) for site in WIND_SITES)
    wind_how = (f"windpowerlib {WIND_TURBINE_TYPE} power curve at {HUB_HEIGHT_M:.0f} m hub height, density-"
                f"corrected with hub-height air density from the synthetic temperature; wake losses by "
                f"windpowerlib's '{WIND_WAKE_CURVE}' wind-efficiency curve; availability {WIND_AVAILABILITY:.0%}, "
                f"electrical efficiency {WIND_ELECTRICAL_EFFICIENCY:.0%} (assumptions). Speed: Weibull marginal "
                f"(AR Gaussian transform, {WIND_SYNOPTIC_TIMESCALE_H:.0f} h synoptic and "
                f"{WIND_MESOSCALE_TIMESCALE_H:.0f} h mesoscale persistence), spring maximum and summer minimum, "
                f"night-time maximum (±{WIND_DIURNAL_AMPLITUDE:.0%}); sites share the county-wide signal with "
                f"lags of {lags} h plus local noise. A farm is {WIND_GROUPS} turbine groups sharing "
                f"{WIND_GROUP_SHARED_WEIGHT:.0%} of their variance with the site (lags up to "
                f"{WIND_GROUP_LAG_SPREAD_H} h, own {WIND_GROUP_TIMESCALE_H:.0f} h fluctuations); its output is "
                f"the mean over the groups of the power curve smoothed for a turbulence intensity of "
                f"{WIND_TURBULENCE_INTENSITY} (windpowerlib)")
    wind_target = (f"{WIND_TARGET_FLH_H:,.0f} h by scaling the site's speed series. Assumption: Jilin's 2019 fleet "
                   "average was 2,216 h (chinapower.com.cn 2020-03-02); new-build 2025+ large-rotor turbines are "
                   "assumed to exceed it. Available output, before curtailment")
    industry, services = (f"weekend {LOAD_WEEKEND_FACTOR[kind]}, holidays {LOAD_HOLIDAY_FACTOR[kind]}"
                          for kind in ("industry", "services"))
    return {
        **{site.name: ("capacity_factors.csv", f"available wind output per MW, site {site.name[-1].upper()}",
                       wind_how, wind_target) for site in WIND_SITES},
        "wind_jilin": ("capacity_factors.csv", "available wind output per MW of the rest of Jilin's fleet "
                       "(the province node)",
                       "the mean of the three sites' output, averaged over lags of "
                       f"{'/'.join(map(str, PROVINCE_WIND_LAGS_H))} h (fronts reach the province's farms, spread "
                       "over some 400 km of the Songliao plain, hours apart; assumption) and scaled",
                       f"{PROVINCE_WIND_TARGET_FLH_H:,.0f} h: between Jilin's 2019 fleet average of 2,216 h "
                       "(chinapower.com.cn 2020-03-02) and the 2,400 h of new farms, as the 2030 fleet mixes both "
                       "(assumption). Available output, before curtailment"),
        "pv": ("capacity_factors.csv", "PV AC output per MWp (DC nameplate)",
               "pvlib: SPA solar position, Ineichen clear sky (Linke turbidity climatology) x clear-sky index, "
               f"Erbs split, Perez transposition to {PV_TILT_DEG:.1f}° tilt facing south, Fresnel IAM, SAPM "
               f"cell temperature, PVWatts DC ({PV_GAMMA_PER_K:.2%}/K), PVWatts losses, inverter at DC/AC "
               f"{PV_DC_AC_RATIO}",
               f"{PV_TARGET_FLH_H:,.0f} h (plan L428: village PV 50 MW, 73 GWh/yr) by scaling the PVWatts loss "
               "factor (derate capped at 1)"),
        "pv_utility": ("capacity_factors.csv", "utility-scale PV AC output per MWp (DC nameplate)",
                       "as pv (the same weather and plant model)",
                       f"{PV_UTILITY_TARGET_FLH_H:,.0f} h: western Jilin utility PV 1,400-1,550 h (REFERENCE_DATA "
                       "§2, low confidence), midpoint; larger plants with better O&M than village PV"),
        "local_load": ("demand_shapes.csv", "shape of the local electric load (sum 1; scale by annual MWh)",
                       f"weekday industrial base 1.0 ({industry}) + services {LOAD_SERVICES_SHARE} with morning "
                       f"and evening humps ({services}) + lighting {LOAD_LIGHTING_INCREMENT} below "
                       f"{LOAD_DARK_ELEVATION_DEG:.0f}° solar elevation + heating auxiliaries "
                       f"{LOAD_HEATING_AUX_PER_K} per K of daily-mean deficit below "
                       f"{HEATING_BASE_TEMPERATURE_C:.0f} °C + cooling {LOAD_COOLING_PER_K} per K above "
                       f"{LOAD_COOLING_BASE_C:.0f} °C; {LOAD_NOISE_STD:.0%} AR noise",
                       "assumption: northeast-China industrial + residential mix, load factor 0.75-0.8"),
        "heat_demand": ("demand_shapes.csv", "shape of district-heat demand (sum 1; scale by annual MWh_th)",
                        f"heating degree-hours ({HEATING_BASE_TEMPERATURE_C:.0f} °C base) on a "
                        f"{HEAT_INERTIA_H} h-smoothed temperature with {HEAT_DIURNAL_WEIGHT:.0%} of the hourly "
                        f"swing, plus a base of {HEAT_BASE_FRACTION:.0%} of the in-season mean (network losses, "
                        "hot water); zero outside the heating season",
                        "season 20 Oct - 5 Apr: Changchun 2023/24 notice 20 Oct - 6 Apr, Shuangliao taken as "
                        "about the same (low confidence); the shape is an assumption"),
        "truck_charging": ("demand_shapes.csv", "shape of heavy-truck depot charging (sum 1)",
                           "overnight charging hump (01:30), midday shift change (12:30), small evening hump; "
                           f"weekends {TRUCK_WEEKEND_FACTOR}, Spring Festival {TRUCK_SPRING_FESTIVAL_FACTOR}; "
                           f"+{TRUCK_COLD_PER_K:.1%}/K below {TRUCK_COLD_BASE_C:.0f} °C daily mean (battery "
                           f"heating); {TRUCK_ACTIVITY_STD:.0%} day-to-day activity noise",
                           "assumption: no operating data for the planned service centre (plan L299)"),
        "export_price_cny_per_mwh": (
            "prices.csv", "price at which the base sells to the provincial grid, CNY/MWh",
            f"merit-order proxy: mean x (1 + {EXPORT_LOAD_ELASTICITY} x relative load deviation + "
            f"{EXPORT_NOISE_STD:.0%} AR noise) minus linear wind (mean of the three sites) and PV terms, "
            f"floored at {EXPORT_FLOOR_CNY_PER_MWH:.0f}, and at {EXPORT_SATURATED_CNY_PER_MWH:.0f} in the "
            f"{EXPORT_FLOOR_HOURS_SHARE:.0%} of "
            "hours with most wind and utility PV against load (a saturated province: the spot market at its floor "
            "and the dispatcher curtailing, for which the token -1 stands); the load elasticity, noise, floor "
            "share and token are assumptions",
            f"time mean {EXPORT_MEAN_CNY_PER_MWH} = Jilin coal benchmark; wind-weighted mean "
            f"{EXPORT_WIND_WEIGHTED_CNY_PER_MWH} and PV-weighted mean {EXPORT_PV_WEIGHTED_CNY_PER_MWH} = Jilin "
            "2025 settlement averages (Jilin 2025 pricing reform document, xxgk.jl.gov.cn); reading settlement "
            "averages as capture prices is an assumption"),
        "import_price_cny_per_mwh": (
            "prices.csv", "time-of-use price for buying from the grid, CNY/MWh (energy charges only)",
            f"flat = {IMPORT_FLAT_ENERGY_CNY_PER_MWH} + {IMPORT_TD_AND_SURCHARGES_CNY_PER_MWH:.0f} T&D and "
            f"surcharges; peak {IMPORT_PEAK_FACTOR}x 08-10 and 16-21 h, valley {IMPORT_VALLEY_FACTOR}x 00-05, "
            "11-14 and 23-24 h, flat otherwise",
            f"{IMPORT_FLAT_ENERGY_CNY_PER_MWH} = Jilin grid agent purchase price Mar 2025 (REFERENCE_DATA §3); "
            "periods: Jilin DRC notice of 16 Jan 2025 on optimising TOU tariffs, effective 1 Feb 2025 (as "
            "reported by China Energy Storage Network; medium confidence); peak/valley factors and the T&D "
            "charge are assumptions (no critical-peak hours, capacity charges excluded)"),
        "import_energy_price_cny_per_mwh": (
            "prices.csv", "energy part of the time-of-use purchase price, CNY/MWh: what a direct-supply project "
            "pays per MWh drawn, its T&D being charged on capacity (发改价格〔2025〕1192号)",
            f"flat = {IMPORT_FLAT_ENERGY_CNY_PER_MWH}; peak {IMPORT_PEAK_FACTOR}x, valley "
            f"{IMPORT_VALLEY_FACTOR}x in the hours of import_price_cny_per_mwh",
            f"{IMPORT_FLAT_ENERGY_CNY_PER_MWH} = Jilin grid agent purchase price Mar 2025 (REFERENCE_DATA §3); "
            "吉发改价格〔2025〕11号 floats the energy price only, not T&D, system-operation charges or funds "
            "(PROVINCE_AND_FINANCE_FACTS §1); the factors are the assumptions of import_price_cny_per_mwh"),
        "temperature_c": ("weather.csv", "air temperature at 2 m, °C",
                          "seasonal cosine + diurnal cycle (monthly range, damped on cloudy days) + AR(1) "
                          f"anomaly ({TEMP_ANOMALY_TIMESCALE_H:.0f} h, {TEMP_ANOMALY_STD_WINTER_C} °C winter / "
                          f"{TEMP_ANOMALY_STD_SUMMER_C} °C summer), correlated {TEMP_WIND_CORRELATION} with the "
                          "synoptic wind signal (cold-air outbreaks)",
                          "assumption: Shuangliao climatology, Jan about -14 °C, Jul about +24 °C"),
        "wind_speed_hub_m_s": ("weather.csv", f"wind speed at {HUB_HEIGHT_M:.0f} m hub height, site A, m/s",
                               "as wind_a, after calibration", "follows from wind_a's full-load-hour target"),
        "clearness_index": ("weather.csv", "clear-sky index GHI / clear-sky GHI (also defined at night, unused "
                            "there)",
                            f"Beta marginal (J-shaped) around a monthly mean, AR Gaussian transform "
                            f"({CLOUD_SYNOPTIC_TIMESCALE_H:.0f} h and {CLOUD_FAST_TIMESCALE_H:.0f} h); the synoptic "
                            f"part correlated {-CLOUD_WIND_CORRELATION} with the synoptic wind (fronts: windy "
                            "spells are cloudier)",
                            "assumption: sunny dry winters, monsoon clouds in Jul-Aug; cross-checked by the PV "
                            "loss scaling staying close to 1"),
    }


def sources_markdown(profiles: Profiles) -> str:
    """SOURCES.md: one table documenting every column, with the statistics measured on this output."""
    measured = annual_statistics(profiles.tables)
    calibration = profiles.calibration
    lines = [
        "# Time series of the Shuangliao default case",
        "",
        f"Generated by `python -m synthetic_weather.generator --out inputs/shuangliao/timeseries` "
        f"(seed {calibration['seed']}); do not edit by hand. One non-leap reference year, 8,760 hours, naive "
        f"Asia/Shanghai clock time; a timestamp labels the hour starting there. Site {SITE_LATITUDE_DEG} °N "
        f"{SITE_LONGITUDE_DEG} °E, {SITE_ALTITUDE_M:.0f} m. The weather is synthetic (seeded AR processes, "
        "slow anomalies anchored month by month to the climatology, like a typical meteorological year; the weather years under weather_years/ keep half their anomalies), not "
        "measured: it reproduces the site's seasonal and diurnal cycles and persistence, not a real year.",
        "",
        "| file | column | what it is | how generated | calibration target and source | measured |",
        "|---|---|---|---|---|---|",
    ]
    for column, (file, what, how, target) in column_documentation().items():
        lines.append(f"| {file} | `{column}` | {what} | {how} | {target} | {measured[column]} |")
    pv, wind = calibration["pv"], calibration["wind"]
    scales = ", ".join(f"{name} {scale:.3f}" for name, scale in wind["speed_scale"].items())
    lines += [
        "",
        f"Calibration results: PV irradiation GHI {pv['ghi_kwh_m2']:,.0f} kWh/m², plane of array "
        f"{pv['poa_kwh_m2']:,.0f} kWh/m²; PV derate {pv['derate']:.3f} = {pv['loss_scaling']:.3f} x the nominal "
        f"PVWatts derate {pv_nominal_derate():.3f}. Wind speed scale factors: {scales}; mean hub-height air "
        f"density {wind['mean_air_density']:.3f} kg/m³.",
        "",
        "Statistics against the bands a planner would check them by (`STATISTIC_BANDS` in the generator; the "
        "tests hold the generator to them):",
        "",
        *statistics_markdown(profiles.tables),
        "",
        "Calendar assumptions: 2030 holidays taken as 2-8 Feb (Spring Festival falls on 3 Feb 2030), "
        "1-5 May and 1-7 Oct; the official 2030 calendar is not yet published.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line: regenerate the CSVs and SOURCES.md into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("inputs/shuangliao/timeseries"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--weather-years", type=int, default=WEATHER_YEARS,
                        help="members of the weather-year ensemble to write under weather_years/ (0: none)")
    args = parser.parse_args(argv)
    reference = generate_profiles(args.seed)
    for path in write_profiles(reference, args.out):
        print(f"wrote {path}")
    if args.weather_years:
        for path in write_weather_years(reference, args.out, args.weather_years):
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
