"""The index of a batch folder: one row per run (status, objective, wall time, run key, sweep values).

The batch writes it after every finished run; the comparison and a resumed batch read it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

INDEX_FILE = "index.csv"
INDEX_COLUMNS = ["name", "case", "scenario", "status", "skipped", "objective", "wall_s", "solver_status", "error",
                 "hours", "days", "sizing_days", "inputs_hash", "run_key", "finished"]


def read_index(batch_dir: Path) -> dict[str, dict]:
    """Rows of an existing ``index.csv`` by run name (empty if there is none)."""
    path = Path(batch_dir) / INDEX_FILE
    if not path.exists():
        return {}
    frame = pd.read_csv(path, dtype={"run_key": str, "inputs_hash": str})
    return {str(row["name"]): {k: v for k, v in row.items() if pd.notna(v)} for row in frame.to_dict("records")}


def write_index(batch_dir: Path, rows, specs) -> None:
    """Write the rows in the order of ``specs`` (runs with ``name`` and sweep ``params``), replacing the file atomically (a reader never sees half of it)."""
    params = list(dict.fromkeys(key for spec in specs for key in spec.params))
    frame = pd.DataFrame(list(rows)).reindex(columns=INDEX_COLUMNS + params)
    order = {spec.name: i for i, spec in enumerate(specs)}
    frame = frame.sort_values("name", key=lambda names: names.map(order))
    staging = Path(batch_dir) / f".{INDEX_FILE}.tmp"
    frame.to_csv(staging, index=False)
    os.replace(staging, Path(batch_dir) / INDEX_FILE)
