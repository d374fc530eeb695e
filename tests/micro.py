"""Write small cases to disk so tests exercise the same path a user does (YAML → CLI/run)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HOURS_PER_YEAR = 8760


def write_case(folder: Path, technologies: dict, series: dict[str, list[float]] | None = None,
               scenarios: dict | None = None, **case_fields) -> Path:
    """A one-node case with electricity (MWh) and hydrogen (t); ``series`` become timeseries columns."""
    series = series or {"flat": [1.0] * 4}
    hours = len(next(iter(series.values())))
    case = {
        "name": "micro",
        "year": 2030,
        "discount_rate": 0.0,
        "time": {"start": "2030-01-01 00:00", "hours": hours},
        "carriers": {"electricity": {"unit": "MWh"}, "hydrogen": {"unit": "t"}},
        "nodes": {"n": {}},
        "fuels": {"coal": {"price": 1000.0, "co2_factor": 2.0}},
        "policy": {"voll": 10000.0},
    }
    for key, value in case_fields.items():
        if isinstance(value, dict) and isinstance(case.get(key), dict):
            case[key] = {**case[key], **value}
        else:
            case[key] = value
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "timeseries").mkdir(exist_ok=True)
    (folder / "case.yaml").write_text(yaml.safe_dump(case, allow_unicode=True))
    techs = {name: {"node": "n", **spec} for name, spec in technologies.items()}
    (folder / "technologies.yaml").write_text(yaml.safe_dump(techs, allow_unicode=True))
    (folder / "scenarios.yaml").write_text(yaml.safe_dump(scenarios or {}, allow_unicode=True))
    frame = pd.DataFrame(series, index=pd.date_range(case["time"]["start"], periods=hours, freq="h"))
    frame.index.name = "time"
    frame.to_csv(folder / "timeseries" / "series.csv")
    return folder


def hourly_mwh(values) -> float:
    return float(np.sum(values))


def seasonal_store_case(folder: Path, **case_fields) -> Path:
    # Two windy days, then two calm ones. Load 10 MW; wind 20 MW at cf 1 or 0; coal 10 MW at
    # 0.3 t/MWh x 1000 CNY/t = 300 CNY/MWh; a store with 10 MW of power and energy at 100 CNY/MWh of
    # capacity over the horizon (discount 0, life 1: capex_energy x 96/8760). Storing the windy days'
    # surplus (10 MW x 48 h = 480 MWh) for the calm days (480 MWh of need) beats coal (100 < 300):
    # E = 480 MWh, level at the start of each day 0, 240, 480, 240, total cost 480 x 100 = 48,000.
    return write_case(folder, {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 20},
        "coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 10},
        "store": {"kind": "storage", "capacity": 10, "build_max_energy": 1000, "life": 1,
                  "capex_energy": 100 * HOURS_PER_YEAR / 96},
        "load": {"kind": "demand", "annual": 10 * HOURS_PER_YEAR},
    }, series={"wind": [1.0] * 48 + [0.0] * 48}, **case_fields)
