"""Build the broken cases of ``tests/bad_inputs/cases.yaml`` from ``tests/bad_inputs/valid``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import yaml

from energy_model.case.config import load_case
from energy_model.errors import InputError

CORPUS = Path(__file__).parent / "bad_inputs"
VALID = CORPUS / "valid"
SERIES = "timeseries/series.csv"


def cases() -> dict[str, dict]:
    return yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))


def build(spec: dict, folder: Path) -> Path:
    """A copy of the valid case with the changes of one ``spec`` applied."""
    shutil.copytree(VALID, folder)
    for name, changes in spec.get("set", {}).items():
        _edit_yaml(folder / name, lambda data, changes=changes: [_set(data, k, v) for k, v in changes.items()])
    for name, paths in spec.get("delete", {}).items():
        _edit_yaml(folder / name, lambda data, paths=paths: [_delete(data, path) for path in paths])
    if "columns" in spec:
        frame = pd.read_csv(folder / SERIES, index_col="time", dtype=str)
        for column, values in spec["columns"].items():
            frame[column] = [str(v) for v in values]
        frame.to_csv(folder / SERIES)
    for name, text in spec.get("text", {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def problems(folder: Path, scenario: str | None) -> list[str] | None:
    """The problems reported for a case, with paths relative to it; None if it loads."""
    try:
        load_case(folder, scenario)
    except InputError as exc:
        return [line.replace(f"{folder}/", "") for line in exc.problems]
    return None


def _edit_yaml(path: Path, edit) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _set(data: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        data = data[key]
    data[last] = value


def _delete(data: dict, dotted: str) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        data = data[key]
    del data[last]
