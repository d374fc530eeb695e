"""Write small cases to disk so tests exercise the same path a user does (YAML → CLI/run)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml


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
