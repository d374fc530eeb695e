"""Week figures of the report: hourly series embedded once in the page, redrawn for any week in the browser.

A full year of hourly flows drawn as plotly traces for every week would weigh tens of megabytes; instead
each series a week figure needs is stored once, as integers on a per-series scale (four significant
digits of its peak), in one JSON block. Every trace of a week figure carries in its ``meta`` the
series it shows (``series``), the part of it (``pos``, ``neg`` or ``all``) and the display factor, so
the selector's script draws any week with ``Plotly.restyle`` without knowing the figure. In the page
the traces hold no data of their own: the script draws the default week on load; the Python figure
keeps that week's data for the PNG images. Weeks are the Mondays whose seven days lie in the horizon,
plus the default weeks and the horizon's first hour, so a horizon shorter than a week still has one.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

WEEK = pd.Timedelta(days=7)
HOUR = pd.Timedelta(hours=1)
SIGNIFICANT_DIGITS = 4
DATA_ID = "report-hourly"

# Runs once at the end of the page: every <select class="week-select"> draws the figure it names, now
# and whenever another week is chosen.
SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('%s').textContent);
  var times = data.hours.map(function (h) {
    return new Date(data.t0 + h * 3600000).toISOString().slice(0, 16).replace('T', ' ');
  });
  function part(kind, value) {
    return kind === 'pos' ? Math.max(value, 0) : kind === 'neg' ? Math.min(value, 0) : value;
  }
  function redraw(select) {
    var week = data.weeks[Number(select.value)], start = week[0], stop = week[1];
    var figure = document.getElementById(select.dataset.figure);
    var xs = [], ys = [], traces = [];
    figure.data.forEach(function (trace, i) {
      var meta = trace.meta;
      if (!meta || !(meta.series in data.series)) { return; }
      var stored = data.series[meta.series], factor = stored[0] * meta.factor;
      xs.push(times.slice(start, stop));
      ys.push(stored[1].slice(start, stop).map(function (v) { return part(meta.part, v * factor); }));
      traces.push(i);
    });
    Plotly.restyle(figure, {x: xs, y: ys}, traces);
    var section = select.closest('section'), title = section.querySelector('.week-title');
    title.textContent = select.options[select.selectedIndex].defaultSelected ? title.dataset.default
                                                                             : title.dataset.chosen;
    section.querySelector('.week-range').textContent = week[2];
  }
  document.querySelectorAll('select.week-select').forEach(function (select) {
    select.addEventListener('change', function () { redraw(select); });
    redraw(select);
  });
})();
""" % DATA_ID


def dispatch_weeks(time: pd.DatetimeIndex, winter_start=None, summer_start=None) -> list[tuple[str, pd.Timestamp]]:
    """(section key, first hour) of the default winter and summer weeks: from the second Monday of January
    (heating season) and of July unless given, or the first and last week when the horizon misses either;
    one entry if both coincide (a horizon of a week or less)."""
    winter = pd.Timestamp(winter_start) if winter_start is not None else _second_monday(time, 1)
    summer = pd.Timestamp(summer_start) if summer_start is not None else _second_monday(time, 7)
    if winter is None or summer is None:
        weeks = [("dispatch_first", time[0]), ("dispatch_last", max(time[0], time[-1] - WEEK + HOUR))]
    else:
        weeks = [("dispatch_winter", winter), ("dispatch_summer", summer)]
    return weeks if weeks[0][1] != weeks[1][1] else weeks[:1]


def _second_monday(time: pd.DatetimeIndex, month: int) -> pd.Timestamp | None:
    """Start of the week from the second Monday of ``month``, in the first year where it fits the horizon."""
    for year in range(time[0].year, time[-1].year + 1):
        first = pd.Timestamp(year, month, 1, tz=time.tz)
        start = first + pd.Timedelta(days=(7 - first.weekday()) % 7 + 7)
        if start >= time[0] and start + WEEK - HOUR <= time[-1]:
            return start
    return None


def week_label(start: pd.Timestamp) -> str:
    return f"{start:%Y-%m-%d} – {start + WEEK - HOUR:%Y-%m-%d}"


def quantize(values: np.ndarray) -> tuple[float, np.ndarray]:
    """(scale, integers) with ``integers·scale`` equal to ``values`` within 0.05 % of their peak."""
    values = np.nan_to_num(np.asarray(values, dtype=float))
    peak = float(np.abs(values).max()) if values.size else 0.0
    if peak == 0:
        return 1.0, np.zeros(values.shape, dtype=int)
    scale = 10.0 ** (np.floor(np.log10(peak)) - (SIGNIFICANT_DIGITS - 1))
    return float(scale), np.rint(values / scale).astype(int)


class HourlySeries:
    """The hourly series of one page and its selectable weeks."""

    def __init__(self, time: pd.DatetimeIndex, defaults: list[pd.Timestamp]):
        self.time = time
        mondays = pd.date_range(time[0].normalize(), time[-1], freq="W-MON")
        fitting = [m for m in mondays if m >= time[0] and m + WEEK - HOUR <= time[-1]]
        self.weeks = sorted({time[0], *fitting, *defaults})
        self.series: dict[str, tuple[float, np.ndarray]] = {}

    def add(self, key: str, values: np.ndarray) -> np.ndarray:
        """Store ``values`` under ``key`` (once) and return them as the page will show them."""
        if key not in self.series:
            self.series[key] = quantize(values)
        scale, stored = self.series[key]
        return stored * scale

    def window(self, start: pd.Timestamp) -> slice:
        """Positions of the snapshots in the week from ``start`` (any gaps of a clustered horizon skipped)."""
        return slice(int(self.time.searchsorted(start)), int(self.time.searchsorted(start + WEEK)))

    def options(self, selected: pd.Timestamp) -> str:
        """The <option> list of the week selector with ``selected`` chosen."""
        return "".join(f'<option value="{i}"{" selected" * (start == selected)}>{week_label(start)}</option>'
                       for i, start in enumerate(self.weeks))

    def to_json(self) -> str:
        """The page's data block: first hour (ms since 1970, wall time), hour offsets, weeks, series."""
        wall = self.time.tz_localize(None) if self.time.tz is not None else self.time
        weeks = [[self.window(s).start, self.window(s).stop, week_label(s)] for s in self.weeks]
        data = {
            "t0": int(wall[0].value // 10**6),
            "hours": np.rint((wall - wall[0]) / HOUR).astype(int).tolist(),
            "weeks": weeks,
            "series": {key: [scale, values.tolist()] for key, (scale, values) in self.series.items()},
        }
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
