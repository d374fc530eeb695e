"""Read a case folder, apply a scenario's overrides, and validate everything before any model is built.

A case folder holds ``case.yaml``, ``technologies.yaml``, ``scenarios.yaml`` and ``timeseries/*.csv``.
Every problem found is collected and raised together as one :class:`InputError` whose lines name the
file, the field path, the bad value and what was expected, so that a planner fixes a typo in one go.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from . import schema
from .schema import Case, Scenario, Technology

CASE_FILE = "case.yaml"
TECHNOLOGIES_FILE = "technologies.yaml"
SCENARIOS_FILE = "scenarios.yaml"
TIMESERIES_DIR = "timeseries"

_TECHNOLOGIES = TypeAdapter(dict[str, Technology])
_SCENARIOS = TypeAdapter(dict[str, Scenario])


class InputError(Exception):
    """Invalid input; ``problems`` holds one human-readable line per defect."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(f"- {p}" for p in problems))


@dataclass
class ModelConfig:
    """A validated case with one scenario applied: everything the data stage needs."""

    case_dir: Path
    scenario: str
    scenario_description: str
    case: Case
    technologies: dict[str, Technology]
    timeseries: pd.DataFrame
    inputs_hash: str
    overrides: dict[str, object] = field(default_factory=dict)


def read_yaml(path: Path) -> dict:
    """Safe-load a YAML mapping, turning syntax errors into an :class:`InputError` with the line."""
    try:
        with open(path, encoding="utf-8") as fh:
            content = yaml.safe_load(fh)
    except FileNotFoundError:
        raise InputError([f"{path}: file not found"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise InputError([f"{path}{where}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from None
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise InputError([f"{path}: expected a mapping of names to entries, got {type(content).__name__}"])
    return content


def list_scenarios(case_dir: str | Path) -> dict[str, Scenario]:
    """The scenarios of a case, validated, in file order."""
    path = Path(case_dir) / SCENARIOS_FILE
    raw = read_yaml(path) if path.exists() else {}
    try:
        return _SCENARIOS.validate_python(raw)
    except ValidationError as exc:
        raise InputError(_describe(exc, path)) from None


def load_case(case_dir: str | Path, scenario: str | None = None) -> ModelConfig:
    """Load ``case_dir`` with ``scenario`` (default: the case's ``default_scenario``) applied."""
    case_dir = Path(case_dir)
    if not case_dir.is_dir():
        raise InputError([f"{case_dir}: case folder not found"])
    raw = read_yaml(case_dir / CASE_FILE)
    raw["technologies"] = read_yaml(case_dir / TECHNOLOGIES_FILE)
    scenarios = list_scenarios(case_dir)
    scenario = scenario or raw.get("default_scenario")
    overrides: dict[str, object] = {}
    description = "the case as written, without overrides"
    if scenario:
        if scenario not in scenarios:
            raise InputError([f"{case_dir / SCENARIOS_FILE}: no scenario '{scenario}'{_suggest(scenario, scenarios)}"])
        overrides = resolve_overrides(scenario, scenarios, case_dir / SCENARIOS_FILE)
        description = scenarios[scenario].description
        raw = apply_overrides(raw, overrides, case_dir / SCENARIOS_FILE)
    else:
        scenario = "case"

    technologies_raw = raw.pop("technologies")
    problems: list[str] = []
    case = _validate(Case, raw, case_dir / CASE_FILE, problems, overrides)
    technologies = _validate(_TECHNOLOGIES, technologies_raw, case_dir / TECHNOLOGIES_FILE, problems, overrides)
    timeseries = read_timeseries(case_dir / TIMESERIES_DIR, problems)
    if case is not None and technologies is not None and timeseries is not None:
        problems += check_references(case, technologies, timeseries, case_dir)
    if problems:
        raise InputError(problems)
    return ModelConfig(
        case_dir=case_dir,
        scenario=scenario,
        scenario_description=description,
        case=case,
        technologies=technologies,
        timeseries=timeseries.iloc[: case.time.hours],
        inputs_hash=hash_inputs(case_dir, scenario),
        overrides=overrides,
    )


def resolve_overrides(name: str, scenarios: dict[str, Scenario], path: Path) -> dict[str, object]:
    """Overrides of ``name`` merged over those of its ancestors (the child wins)."""
    chain: list[str] = []
    current: str | None = name
    while current is not None:
        if current in chain:
            raise InputError([f"{path}: scenario '{name}' inherits in a cycle: {' -> '.join(chain + [current])}"])
        if current not in scenarios:
            raise InputError([f"{path}: scenario '{chain[-1]}' inherits from unknown scenario '{current}'"
                              f"{_suggest(current, scenarios)}"])
        chain.append(current)
        current = scenarios[current].inherits
    merged: dict[str, object] = {}
    for ancestor in reversed(chain):
        merged.update(scenarios[ancestor].overrides)
    return merged


def apply_overrides(raw: dict, overrides: dict[str, object], path: Path) -> dict:
    """Set each dotted path in a copy of ``raw``; every step but the last must already exist."""
    result = copy.deepcopy(raw)
    problems = []
    for dotted, value in overrides.items():
        keys = dotted.split(".")
        target = result
        for depth, key in enumerate(keys[:-1]):
            if not isinstance(target, dict) or key not in target:
                known = target if isinstance(target, dict) else {}
                problems.append(f"{path}: override '{dotted}' names nothing: "
                                f"'{'.'.join(keys[: depth + 1])}' does not exist{_suggest(key, known)}")
                break
            target = target[key]
        else:
            if not isinstance(target, dict):
                problems.append(f"{path}: override '{dotted}' names nothing: '{'.'.join(keys[:-1])}' is not a mapping")
                continue
            target[keys[-1]] = value
    if problems:
        raise InputError(problems)
    return result


def read_timeseries(folder: Path, problems: list[str]) -> pd.DataFrame | None:
    """All columns of all CSVs in ``folder`` as one frame on a regular hourly index."""
    if not folder.is_dir():
        problems.append(f"{folder}: timeseries folder not found")
        return None
    frames = []
    seen: dict[str, Path] = {}
    for csv in sorted(folder.glob("*.csv")):
        try:
            frame = pd.read_csv(csv, index_col="time", parse_dates=["time"])
        except (ValueError, pd.errors.ParserError) as exc:
            problems.append(f"{csv}: cannot be read as a table with a 'time' column: {exc}")
            continue
        steps = np.diff(frame.index.values).astype("timedelta64[m]").astype(int)
        if len(steps) and not (steps == 60).all():
            problems.append(f"{csv}: timestamps must be hourly and regular; first irregular step after "
                            f"{frame.index[int(np.argmax(steps != 60))]}")
        for column in frame.columns:
            if column in seen:
                problems.append(f"{csv}: column '{column}' also appears in {seen[column].name}")
            seen[column] = csv
            values = pd.to_numeric(frame[column], errors="coerce")
            bad = ~np.isfinite(values.to_numpy(dtype=float))
            if bad.any():
                problems.append(f"{csv}: column '{column}' has {int(bad.sum())} missing or non-numeric "
                                f"values, first at {frame.index[int(np.argmax(bad))]}")
        frames.append(frame.reset_index(drop=True))
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, axis=1)


def check_references(case: Case, technologies: dict, timeseries: pd.DataFrame, case_dir: Path) -> list[str]:
    """Cross-file checks: nodes, carriers, fuels and profiles that technologies name must exist."""
    path = case_dir / TECHNOLOGIES_FILE
    problems = []
    if len(timeseries) and len(timeseries) < case.time.hours:
        problems.append(f"{case_dir / TIMESERIES_DIR}: {len(timeseries)} rows, fewer than "
                        f"time.hours = {case.time.hours} in {CASE_FILE}")

    def check(name: str, field_name: str, value, known, what: str):
        if value is not None and value not in known:
            problems.append(f"{path}: {name}.{field_name} = '{value}': unknown {what}{_suggest(value, known)}")

    for name, tech in technologies.items():
        check(name, "node", tech.node, case.nodes, "node")
        for attr in ("carrier", "input", "to_node", "fuel"):
            if hasattr(tech, attr):
                known = {"to_node": case.nodes, "fuel": case.fuels}.get(attr, case.carriers)
                check(name, attr, getattr(tech, attr), known, attr.replace("_", " "))
        for carrier in getattr(tech, "outputs", {}) or {}:
            check(name, "outputs", carrier, case.carriers, "carrier")
        for attr in ("profile", "export_price", "import_price"):
            value = getattr(tech, attr, None)
            if isinstance(value, str):
                check(name, attr, value, timeseries.columns, "timeseries column")
        if tech.kind == "renewable" and tech.profile in timeseries.columns:
            values = timeseries[tech.profile].to_numpy()[: case.time.hours]
            if values.min() < 0 or values.max() > 1:
                problems.append(f"{case_dir / TIMESERIES_DIR}: column '{tech.profile}' (profile of {name}) "
                                f"must be a capacity factor in [0, 1]; found {values.min():.3g} .. {values.max():.3g}")
    return problems


def hash_inputs(case_dir: Path, scenario: str) -> str:
    """Digest of every input file and the scenario name: equal inputs, equal hash."""
    digest = hashlib.sha256(scenario.encode())
    for path in sorted(p for p in case_dir.rglob("*") if p.is_file() and p.suffix in {".yaml", ".yml", ".csv"}):
        digest.update(str(path.relative_to(case_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]



def _validate(schema, raw, path: Path, problems: list[str], overrides: dict):
    try:
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            return schema.model_validate(raw)
        return schema.validate_python(raw)
    except ValidationError as exc:
        lines = _describe(exc, path)
        if overrides:
            lines = [f"{line} (scenario overrides applied: {', '.join(overrides)})" for line in lines]
        problems.extend(lines)
        return None


def _describe(exc: ValidationError, path: Path) -> list[str]:
    """One line per pydantic error: file, dotted field path, bad value, what was expected."""
    lines = []
    for error in exc.errors(include_url=False):
        # the discriminated union puts the kind into the path; it is noise for the reader
        loc = [str(part) for i, part in enumerate(error["loc"]) if not (i == 1 and part in _KINDS)]
        value = error.get("input")
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = f"unknown field{_suggest(loc[-1], _ALL_FIELDS)}"
        shown = "{...}" if isinstance(value, dict) else repr(value)
        lines.append(f"{path}: {'.'.join(loc)} = {shown}: {message}")
    return lines


_KINDS = {"renewable", "thermal", "storage", "conversion", "demand", "market", "link"}
_ALL_FIELDS = sorted({name for cls in schema.Strict.__subclasses__() for name in cls.model_fields}
                     | {name for cls in schema.TechnologyBase.__subclasses__() for name in cls.model_fields})


def _suggest(word: str, known) -> str:
    close = difflib.get_close_matches(str(word), [str(k) for k in known], n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
