"""Read a case folder, apply a scenario's overrides, and validate everything before any model is built.

A case folder holds ``case.yaml``, ``technologies.yaml``, ``scenarios.yaml`` and ``timeseries/*.csv``.
Every problem found is collected and raised together as one :class:`InputError` whose lines name the
file, the field path, the bad value and what was expected, so that a planner fixes a typo in one go.
YAML is read with a safe loader that also rejects duplicate keys (the second ``capacity:`` of an entry
would otherwise silently win). Inputs never name files: a profile names a column of ``timeseries/``,
so nothing in a case can reach outside its folder.
"""

from __future__ import annotations

import copy
import csv
import difflib
import hashlib
import json
import re
import reprlib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from ..constants import HOURS_PER_YEAR, LOAD, RENEWABLE
from ..errors import InputError, UnitError
from . import schema
from .projects import check_projects
from .schema import Case, Name, Scenario, TechName, Technology, TimeConfig
from .units import matching_unit

CASE_FILE = "case.yaml"
TECHNOLOGIES_FILE = "technologies.yaml"
SCENARIOS_FILE = "scenarios.yaml"
PLAN_TARGETS_FILE = "plan_targets.yaml"  # optional: the plan's figures every run is audited against (audit.py)
TIMESERIES_DIR = "timeseries"
WEATHER_YEARS_DIR = "weather_years"  # timeseries/weather_years/<name>/: columns that replace the case's
TIMESERIES_SUFFIXES = (".csv", ".parquet")
SCENARIO_SEPARATOR = "+"

_TECHNOLOGIES = TypeAdapter(dict[TechName, Technology])
_SCENARIOS = TypeAdapter(dict[Name, Scenario])
SHAPE_SUM_TOLERANCE = 0.01  # a demand shape must sum to 1 ± this over a year


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
    periods: dict[int, "ModelConfig"] | None = None  # a pathway: the configuration of each investment period

    def period_configs(self) -> dict[int, "ModelConfig"]:
        """The configuration of every investment period: this one alone without a pathway."""
        return self.periods if self.periods is not None else {self.case.year: self}


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, noting every key that appears twice in one mapping."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []  # (line, problem)

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
                seen.setdefault(key, line)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if first is not None:
                self.duplicates.append((line, f"line {line}: key '{key}' appears twice in one mapping "
                                              f"(first at line {first}); remove one"))
        return super().construct_mapping(node, deep=deep)


YAML_MAX_BYTES = 10_000_000  # a case file is text written by people: far below this
YAML_MAX_DEPTH = 50  # the deepest case structure (pathway periods' overrides) nests under 10 levels
YAML_MAX_VALUES = 1_000_000  # values after aliases are expanded: guards against alias bombs


def _check_yaml_graph(root) -> None:
    """Refuse a YAML graph nested too deeply or whose aliases expand it beyond YAML_MAX_VALUES values, before
    anything is built from it (aliases share nodes, so sizes are counted per node once, iteratively)."""
    expanded: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in expanded and not children_done:
            continue
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else (
            list(node.value) if isinstance(node, yaml.SequenceNode) else [])
        if not children_done:
            expanded[key] = -1  # on the path: a cycle through an alias would revisit it
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in expanded)
            continue
        if any(expanded.get(id(child)) == -1 for child in children):  # itself, or a node on the path
            raise InputError(["an alias refers to a node that contains it (a recursive structure)"])
        expanded[key] = 1 + sum(expanded[id(child)] for child in children)
        depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
        if expanded[key] > YAML_MAX_VALUES:
            mark = node.start_mark
            raise InputError([f"line {mark.line + 1}: aliases expand this structure to more than "
                              f"{YAML_MAX_VALUES:,} values; write it out instead"])
        if depth[key] > YAML_MAX_DEPTH:
            raise InputError([f"nested more than {YAML_MAX_DEPTH} levels deep"])


def read_yaml(path: Path, problems: list[str] | None = None) -> dict:
    """Safe-load a YAML mapping; syntax errors and duplicate keys become problems naming the line.

    With ``problems`` given they are appended there (and ``{}`` returned), so that the problems of
    several files are reported together; without it an :class:`InputError` is raised.
    """
    found: list[str] = []
    content = None
    try:
        size = Path(path).stat().st_size
        if size > YAML_MAX_BYTES:
            raise InputError([f"{path}: {size:,} bytes; a case file may hold at most {YAML_MAX_BYTES:,}"])
        with open(path, encoding="utf-8-sig") as fh:  # a byte-order mark is allowed, as in CSV files
            loader = _UniqueKeyLoader(fh)
            try:
                node = loader.get_single_node()
                if node is not None:
                    _check_yaml_graph(node)
                    content = loader.construct_document(node)
            finally:
                loader.dispose()
        found += [f"{path}: {problem}" for _, problem in sorted(loader.duplicates)]
    except InputError as exc:
        found += [p if p.startswith(str(path)) else f"{path}: {p}" for p in exc.problems]
    except RecursionError:
        found.append(f"{path}: nested too deeply to read (more than {YAML_MAX_DEPTH} levels)")
    except FileNotFoundError:
        found.append(f"{path}: file not found")
    except UnicodeDecodeError as exc:
        found.append(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        found.append(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}")
    if not found and content is not None and not isinstance(content, dict):
        found.append(f"{path}: expected a mapping of names to entries, got {_type_name(content)}")
    if found:
        if problems is None:
            raise InputError(found)
        problems.extend(found)
        return {}
    return content or {}


def list_scenarios(case_dir: str | Path) -> dict[str, Scenario]:
    """The scenarios of a case, validated, in file order."""
    problems: list[str] = []
    scenarios = _read_scenarios(case_folder(case_dir), problems)
    if problems:
        raise InputError(problems)
    return scenarios


def case_folder(case_dir: str | Path) -> Path:
    """``case_dir`` as a Path, or an input error when there is no such folder."""
    case_dir = Path(case_dir)
    if not case_dir.is_dir():
        raise InputError([f"{case_dir}: case folder not found"])
    return case_dir


def _read_scenarios(case_dir: Path, problems: list[str]) -> dict[str, Scenario]:
    path = case_dir / SCENARIOS_FILE
    raw = read_yaml(path, problems) if path.exists() else {}
    return _validate(_SCENARIOS, raw, path, problems) or {}


def load_case(case_dir: str | Path, scenario: str | None = None, overrides: dict[str, object] | None = None,
              overrides_source: str = "overrides") -> ModelConfig:
    """Load ``case_dir`` with ``scenario`` (default: the case's ``default_scenario``) applied.

    ``scenario`` may combine several, ``"base_2030+high_carbon_price"`` (see :func:`resolve_scenario`);
    ``overrides`` (e.g. one point of a sweep, named ``overrides_source`` in messages) apply last.
    """
    case_dir = case_folder(case_dir)
    problems: list[str] = []
    raw = read_yaml(case_dir / CASE_FILE, problems)
    technologies_raw = read_yaml(case_dir / TECHNOLOGIES_FILE, problems)
    scenarios = _read_scenarios(case_dir, problems)
    if "technologies" in raw:
        problems.append(f"{case_dir / CASE_FILE}: technologies = {{...}}: technologies belong in {TECHNOLOGIES_FILE}")
    if not technologies_raw and (case_dir / TECHNOLOGIES_FILE).is_file() and not problems:
        problems.append(f"{case_dir / TECHNOLOGIES_FILE}: no technologies; a case needs at least one")
    if problems:
        raise InputError(problems)
    scenarios_path = case_dir / SCENARIOS_FILE
    from_default = scenario is None
    scenario = scenario or raw.get("default_scenario")
    if scenario is not None and not isinstance(scenario, str):
        raise InputError([f"{case_dir / CASE_FILE}: default_scenario = {_show(scenario)}: expected a scenario name"])
    if from_default and scenario is not None and scenario not in scenarios and SCENARIO_SEPARATOR not in scenario:
        raise InputError([f"{case_dir / CASE_FILE}: default_scenario = {_show(scenario)}: no such scenario in "
                          f"{SCENARIOS_FILE}{_suggest(scenario, scenarios)}"])
    scenario = scenario or "case"
    overrides, origins, description = resolve(scenarios, scenario, scenarios_path, overrides, overrides_source)
    series_overrides = {k: v for k, v in overrides.items() if k.split(".", 1)[0] == TIMESERIES_DIR}
    includes = resolve_includes(scenarios, scenario, scenarios_path)
    included_from: dict[str, Path] = {}
    if overrides or includes:
        merged = merge_includes({**raw, "technologies": technologies_raw}, includes, case_dir, included_from)
        merged = apply_overrides(merged, {k: v for k, v in overrides.items() if k not in series_overrides},
                                 scenarios_path, origins)
        technologies_raw = merged.pop("technologies")
        raw = merged

    blame = _Blame(overrides, origins, scenarios_path, included_from)
    case = _validate(Case, raw, case_dir / CASE_FILE, problems, blame)
    technologies = _validate_each(_TECHNOLOGIES, technologies_raw, case_dir / TECHNOLOGIES_FILE, problems, blame,
                                  prefix="technologies.")
    timeseries = read_timeseries(case_dir / TIMESERIES_DIR, problems, case.time if case is not None else None)
    if timeseries is not None and case is not None and case.weather_year is not None:
        timeseries = overlay_weather_year(timeseries, case_dir, case.weather_year, case.time, problems)
    if timeseries is not None and series_overrides:
        timeseries = scale_timeseries(timeseries, series_overrides, origins, problems)
    if case is not None and technologies is not None:
        problems += check_carrier_units(case, technologies, technologies_raw, case_dir / TECHNOLOGIES_FILE, blame)
        problems += check_references(case, technologies, timeseries, case_dir)
    if problems:
        raise InputError(problems)
    config = ModelConfig(
        case_dir=case_dir,
        scenario=scenario,
        scenario_description=description,
        case=case,
        technologies=technologies,
        timeseries=timeseries.iloc[: case.time.steps],
        inputs_hash=hash_inputs(case_dir, scenario, overrides, includes, case.weather_year or ""),
        overrides=overrides,
    )
    if case.pathway is not None:
        config.periods = _period_configs(config, {**raw, "technologies": technologies_raw}, timeseries,
                                         overrides, origins, scenarios_path)
    return config


def _period_configs(config: ModelConfig, raw: dict, timeseries: pd.DataFrame, overrides: dict[str, object],
                    origins: dict[str, str], scenarios_path: Path) -> dict[int, ModelConfig]:
    """Each period of the pathway: the resolved case and scenario (``raw``), the period's overrides, and
    ``year`` = the period. Checked like a scenario, with messages naming the period's override."""
    case_dir, pathway = config.case_dir, config.case.pathway
    where = origins["pathway"] if "pathway" in overrides else f"{case_dir / CASE_FILE}: pathway"
    problems: list[str] = []
    periods = {}
    for year, period in pathway.periods.items():
        own = {dotted: f"{where}.periods.{year}.overrides.{dotted}" for dotted in period.overrides}
        for dotted, origin in own.items():
            if dotted.split(".", 1)[0] in schema.PATHWAY_WIDE:
                problems.append(f"{origin}: {dotted.split('.', 1)[0]} is one for the whole pathway; "
                                f"set it outside the periods")
        if problems:
            continue
        series = {k: v for k, v in period.overrides.items() if k.split(".", 1)[0] == TIMESERIES_DIR}
        merged = apply_overrides(raw, {k: v for k, v in period.overrides.items() if k not in series},
                                 case_dir / CASE_FILE, own)
        merged.update(year=year, pathway=None)
        technologies_raw = merged.pop("technologies")
        blame = _Blame({**overrides, **period.overrides}, {**origins, **own}, scenarios_path)
        case = _validate(Case, merged, case_dir / CASE_FILE, problems, blame)
        technologies = _validate_each(_TECHNOLOGIES, technologies_raw, case_dir / TECHNOLOGIES_FILE, problems,
                                      blame, prefix="technologies.")
        frame = scale_timeseries(timeseries, series, own, problems) if series else timeseries
        for section, names in (("technologies", technologies_raw), ("nodes", merged.get("nodes", {})),
                               ("carriers", merged.get("carriers", {}))):
            expected = raw["technologies"] if section == "technologies" else raw.get(section, {})
            if set(names) != set(expected):
                added, dropped = sorted(set(names) - set(expected)), sorted(set(expected) - set(names))
                culprit = next((own[k] for k in own if k.startswith(f"{section}.")), where)
                hint = ("; a technology is absent where its commission_year or retire_year say so"
                        if section == "technologies" else "")
                problems.append(f"{culprit}: the {section} must be the same in every period of a pathway "
                                f"(added {added}, removed {dropped}){hint}")
        if case is None or technologies is None or problems:
            continue
        problems += check_carrier_units(case, technologies, technologies_raw, case_dir / TECHNOLOGIES_FILE, blame)
        problems += check_references(case, technologies, frame, case_dir)
        case.solver = config.case.solver  # one for the whole pathway: a run's solver options reach every period
        periods[year] = ModelConfig(case_dir=case_dir, scenario=config.scenario,
                                    scenario_description=config.scenario_description, case=case,
                                    technologies=technologies, timeseries=frame.iloc[: case.time.steps],
                                    inputs_hash=config.inputs_hash, overrides={**overrides, **period.overrides})
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
    return periods


def resolve(scenarios: dict[str, Scenario], scenario: str, path: Path, overrides: dict[str, object] | None = None,
            overrides_source: str = "overrides") -> tuple[dict[str, object], dict[str, str], str]:
    """What a run changes in the case files: the overrides of ``scenario`` (``"case"``: none, unless a
    scenario has that name) then ``overrides``; also where each comes from (for messages) and a
    description."""
    if scenario == "case" and scenario not in scenarios:
        resolved, origins, description = {}, {}, "the case as written, without overrides"
    else:
        resolved, origins, description = resolve_scenario(scenarios, scenario, path)
    problems = [merge_override(resolved, origins, dotted, value, f"{overrides_source}: {dotted}")
                for dotted, value in (overrides or {}).items()]
    if any(problems):
        raise InputError([problem for problem in problems if problem])
    if overrides:
        description += "; " + ", ".join(f"{k} = {_json(v)}" for k, v in overrides.items())
    return resolved, origins, description


def resolve_scenario(scenarios: dict[str, Scenario], scenario: str, path: Path
                     ) -> tuple[dict[str, object], dict[str, str], str]:
    """Overrides, their origins and the description of a scenario name, which may combine several.

    Scenarios apply in order: ancestors first, and for ``"a+b"`` the chain of ``a``, then those of
    ``b``'s chain not applied yet. So ``a+b`` behaves like a scenario that inherits from ``a`` and adds
    ``b``'s own changes, even when both inherit from one base. See :func:`merge_override`.
    """
    order = scenario_order(scenarios, scenario, path)
    names = [name.strip() for name in scenario.split(SCENARIO_SEPARATOR)]
    resolved: dict[str, object] = {}
    origins: dict[str, str] = {}
    problems = [merge_override(resolved, origins, dotted, value, f"{path}: {name}.overrides.{dotted}")
                for name in order for dotted, value in scenarios[name].overrides.items()]
    if any(problems):
        raise InputError([problem for problem in problems if problem])
    return resolved, origins, " + ".join(scenarios[name].description for name in names)


def scenario_order(scenarios: dict[str, Scenario], scenario: str, path: Path) -> list[str]:
    """The scenarios a name applies, in order: for ``"a+b"`` the chain of ``a`` (ancestors first), then
    those of ``b``'s chain not applied yet."""
    order: list[str] = []
    for name in (name.strip() for name in scenario.split(SCENARIO_SEPARATOR)):
        if name not in scenarios:
            raise InputError([f"{path}: no scenario '{name}'{_suggest(name, scenarios)}"])
        order += [ancestor for ancestor in reversed(_ancestry(name, scenarios, path)) if ancestor not in order]
    return order


def resolve_includes(scenarios: dict[str, Scenario], scenario: str, path: Path) -> list[str]:
    """Files the scenarios of ``scenario`` include, in the order they apply, each once."""
    if scenario == "case" and scenario not in scenarios:
        return []
    files = [f for name in scenario_order(scenarios, scenario, path) for f in scenarios[name].include]
    return list(dict.fromkeys(files))


INCLUDABLE = ("technologies", "nodes", "carriers", "fuels", "projects")


def merge_includes(raw: dict, files: list[str], case_dir: Path, sources: dict[str, Path] | None = None) -> dict:
    """A copy of ``raw`` with the entries of each included file added; a name defined twice is an error.
    ``sources`` (when given) receives the file of every included entry, as ``section.name`` -> path."""
    result = copy.deepcopy(raw)
    problems: list[str] = []
    for name in files:
        path = (case_dir / name).resolve()
        if Path(name).is_absolute() or case_dir.resolve() not in path.parents:
            problems.append(f"{case_dir / SCENARIOS_FILE}: include '{name}' is not a file of the case folder; "
                            "includes are paths relative to it, inside it")
            continue
        for section, entries in read_yaml(path, problems).items():
            if section not in INCLUDABLE:
                problems.append(f"{path}: section '{section}' cannot be included; "
                                f"expected one of {', '.join(INCLUDABLE)}{_suggest(section, INCLUDABLE)}")
                continue
            if not isinstance(entries, dict):
                problems.append(f"{path}: '{section}' must be a mapping of names to entries")
                continue
            target = result.setdefault(section, {})
            for key, value in entries.items():
                if key in target:
                    problems.append(f"{path}: {section}.{key} is already defined in the case")
                target[key] = value
                if sources is not None:
                    sources[f"{section}.{key}"] = path
    if problems:
        raise InputError(problems)
    return result


def merge_override(resolved: dict[str, object], origins: dict[str, str], dotted: str, value: object,
                   origin: str) -> str | None:
    """Apply one override after those in ``resolved``: a plain value replaces, ``{scale: f}`` multiplies
    whatever the path holds so far (the case's value if nothing set it). ``origin`` is the location a
    message names (``file: scenario.overrides.path``). Returns a problem or None."""
    try:
        factor = _scale_factor(value)
        previous = resolved.get(dotted)
        if factor is not None and dotted in resolved:
            prior = _scale_factor(previous)
            value = {"scale": prior * factor} if prior is not None else _scaled(previous, factor)
    except ValueError as exc:
        return f"{origin} = {_json(value)}: {exc}"
    resolved[dotted] = value
    origins[dotted] = origin
    return None


def _ancestry(name: str, scenarios: dict[str, Scenario], path: Path) -> list[str]:
    """``name``, its parent, the parent's parent, ...; a cycle or an unknown parent is an error."""
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
    return chain


def apply_overrides(raw: dict, overrides: dict[str, object], path: Path, origins: dict[str, str] | None = None
                    ) -> dict:
    """Set each dotted path in a copy of ``raw``; every step but the last must already exist.

    A value ``{scale: f}`` multiplies the value the case files give (a number or a "number unit"
    string) by f instead of replacing it. ``origins`` (override → the location that sets it, e.g.
    ``scenarios.yaml: scenario.overrides.path``) lets a problem name where to fix it.
    """
    result = copy.deepcopy(raw)
    problems = []
    for dotted, value in overrides.items():
        where = origins[dotted] if origins and dotted in origins else f"{path}: override '{dotted}'"
        keys = dotted.split(".")
        if not all(keys):
            problems.append(f"{where}: not a dotted path such as 'technologies.wind.capacity'")
            continue
        target = result
        for depth, key in enumerate(keys[:-1]):
            if not isinstance(target, dict) or key not in target:
                known = target if isinstance(target, dict) else {}
                problems.append(f"{where}: names nothing, '{'.'.join(keys[: depth + 1])}' does not exist"
                                f"{_suggest(key, known)}")
                break
            target = target[key]
        else:
            if not isinstance(target, dict):
                problems.append(f"{where}: names nothing, '{'.'.join(keys[:-1])}' is not a mapping")
                continue
            try:
                factor = _scale_factor(value)
                target[keys[-1]] = value if factor is None else _scaled(target.get(keys[-1]), factor)
            except ValueError as exc:
                problems.append(f"{where} = {_json(value)}: {exc}")
    if problems:
        raise InputError(problems)
    return result


def scale_timeseries(frame: pd.DataFrame, overrides: dict[str, object], origins: dict[str, str],
                     problems: list[str]) -> pd.DataFrame:
    """Apply ``timeseries.<column>: {scale: f}`` overrides to a copy of ``frame``."""
    frame = frame.copy()
    for dotted, value in overrides.items():
        where = origins.get(dotted, f"override '{dotted}'")
        column = dotted.split(".", 1)[1] if "." in dotted else ""
        if column not in frame.columns:
            problems.append(f"{where}: names nothing, no timeseries column '{column}'{_suggest(column, frame.columns)}")
            continue
        try:
            factor = _scale_factor(value)
            if factor is None:
                raise ValueError("a timeseries column can only be scaled, e.g. {scale: 1.1}")
        except ValueError as exc:
            problems.append(f"{where} = {_json(value)}: {exc}")
            continue
        frame[column] = frame[column] * factor
    return frame


def _scale_factor(value: object) -> float | None:
    """The factor of a ``{scale: f}`` override, None for a plain value."""
    if isinstance(value, dict) and set(value) == {"scale"}:
        factor = value["scale"]
        if isinstance(factor, (int, float)) and not isinstance(factor, bool) and factor >= 0:
            return float(factor)
        raise ValueError(f"the scale factor must be a non-negative number, got {factor!r}")
    return None


_LEADING_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(.*)$")


def _scaled(current: object, factor: float) -> object:
    if isinstance(current, (int, float)) and not isinstance(current, bool):
        return current * factor
    match = _LEADING_NUMBER.match(current) if isinstance(current, str) else None
    if match is None:
        raise ValueError(f"cannot scale {current!r}: the case gives no number there")
    return f"{float(match.group(1)) * factor!r}{match.group(2)}"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def weather_years(case_dir: Path) -> list[str]:
    """The weather years a case offers: the folders of ``timeseries/weather_years``."""
    folder = Path(case_dir) / TIMESERIES_DIR / WEATHER_YEARS_DIR
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _case_weather_year(case_dir: Path):
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
                shown = "empty" if pd.isna(raw) else _show(str(raw))
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
            problems.append(f"{path}: no 'time' column; the header is {_show(','.join(header))}")
            return None
        frame = pd.read_csv(path, index_col="time", encoding="utf-8-sig")
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problems.append(f"{path}: cannot be read as a CSV table: {reason}")
        return None
    stamps = pd.to_datetime(pd.Series(frame.index, dtype=object), errors="coerce", format="mixed")
    if stamps.isna().any() or getattr(stamps.dt, "tz", None) is not None:
        first = int(np.argmax(stamps.isna().to_numpy())) if stamps.isna().any() else 0
        problems.append(f"{path}: time = {_show(frame.index[first])} (row {first + 2}): expected a local date and "
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


def check_references(case: Case, technologies: dict, timeseries: pd.DataFrame | None, case_dir: Path) -> list[str]:
    """Cross-file checks: nodes, carriers, fuels and profiles that technologies name must exist and fit.

    Profiles are checked only with a readable ``timeseries`` (None: its problems are reported already).
    """
    path = case_dir / TECHNOLOGIES_FILE
    problems = []

    def check(name: str, field_name: str, value, known, what: str):
        if value is not None and value not in known:
            problems.append(f"{path}: {name}.{field_name} = '{value}': unknown {what}{_suggest(value, known, True)}")

    for name, tech in technologies.items():
        check(name, "node", tech.node, case.nodes, "node")
        for attr in ("carrier", "input", "to_node", "fuel", "heat_carrier"):
            if hasattr(tech, attr):
                known = {"to_node": case.nodes, "fuel": case.fuels}.get(attr, case.carriers)
                check(name, attr, getattr(tech, attr), known, attr.replace("_", " "))
        for carrier in getattr(tech, "outputs", {}) or {}:
            check(name, "outputs", carrier, case.carriers, "carrier")
        if timeseries is None:
            continue
        for attr in ("profile", "export_price", "import_price"):
            value = getattr(tech, attr, None)
            if isinstance(value, str):
                check(name, attr, value, timeseries.columns, "timeseries column")
        profile = getattr(tech, "profile", None)
        if profile not in timeseries.columns:
            continue
        where = f"{case_dir / timeseries.attrs.get('files', {}).get(profile, TIMESERIES_DIR)}: column '{profile}'"
        values = timeseries[profile].to_numpy()[: case.time.steps]
        if tech.has(RENEWABLE) and ((values < 0) | (values > 1)).any():
            problems.append(f"{where} (profile of {name}) must be a capacity factor in [0, 1]; "
                            f"found {np.nanmin(values):.3g} .. {np.nanmax(values):.3g}")
        if tech.has(LOAD):
            problems += _check_shape(timeseries[profile].to_numpy(), f"{where} (shape of {name})",
                                     HOURS_PER_YEAR // case.time.resolution)
    problems += check_projects(case, technologies, case_dir)
    return problems


def _check_shape(values: np.ndarray, where: str, steps_per_year: int = HOURS_PER_YEAR) -> list[str]:
    """A demand shape is a share of the annual quantity per time step: never negative, one over a full year."""
    if (values < 0).any():
        return [f"{where} has negative values, first {values[np.argmax(values < 0)]:.3g}; a shape must be >= 0"]
    if len(values) >= steps_per_year:
        total = float(np.nansum(values[:steps_per_year]))
        if abs(total - 1.0) > SHAPE_SUM_TOLERANCE:
            hourly = steps_per_year == HOURS_PER_YEAR
            return [f"{where} sums to {total:.4g} over the first {steps_per_year} {'hours' if hourly else 'steps'}; "
                    f"expected 1 ({'hourly demand' if hourly else 'demand in a step'} = annual x shape), so divide "
                    "the column by its sum"]
    return []


def check_carrier_units(case: Case, technologies: dict, raw: dict, path: Path, blame: "_Blame | None" = None
                        ) -> list[str]:
    """A unit written in the input must fit the technology's carrier: MW-type units for a MWh carrier,
    t/h-type for a t carrier; ``"100 MW"`` on a hydrogen plant is a slip, not a conversion."""
    problems = []
    for name, tech in technologies.items():
        carrier = getattr(tech, "carrier", None) or getattr(tech, "input", None)
        if carrier not in case.carriers:
            continue  # reported by check_references
        unit = case.carriers[carrier].unit
        for field_name, marker in schema.carrier_quantities(type(tech)).items():
            value = raw.get(name, {}).get(field_name)
            try:
                written = matching_unit(value, (marker.energy, marker.mass))
            except UnitError:
                continue  # reported by the schema
            expected = marker.energy if unit == "MWh" else marker.mass
            if written is not None and written != expected:
                message = (f"carrier '{carrier}' is measured in {unit}, so {field_name} must be in {expected} "
                           f"or a unit of the same kind")
                problems.append(_line(path, f"{name}.{field_name}", _show(value), message, blame, "technologies."))
    return problems


def hash_inputs(case_dir: Path, scenario: str, overrides: dict[str, object] | None = None,
                includes: list[str] = (), weather_year: str | None = None) -> str:
    """Digest of the files a run reads (with the files the scenario includes, the weather year it uses, and the
    plan targets it is audited against), the scenario name and its resolved overrides: equal inputs, equal hash.
    ``weather_year`` is the loaded case's ("" for none); without it the overrides or case.yaml say.
    ``scenarios.yaml`` enters only through the overrides, so editing one scenario changes the hash of that
    scenario (and those built on it) alone."""
    digest = hashlib.sha256(scenario.encode())
    digest.update(json.dumps(overrides or {}, sort_keys=True, default=str).encode())
    files = [case_dir / name for name in (CASE_FILE, TECHNOLOGIES_FILE, PLAN_TARGETS_FILE, *includes)]
    files += sorted(p for p in (case_dir / TIMESERIES_DIR).iterdir() if p.suffix in TIMESERIES_SUFFIXES) \
        if (case_dir / TIMESERIES_DIR).is_dir() else []
    year = weather_year if weather_year is not None else (
        (overrides or {}).get("weather_year") or _case_weather_year(case_dir))
    if year and isinstance(year, str):
        folder = case_dir / TIMESERIES_DIR / WEATHER_YEARS_DIR / year
        files += sorted(folder.glob("*")) if folder.is_dir() else []
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(case_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class _Blame:
    """Which override set a value, so that an error it causes points at the override (``scenarios.yaml``
    or a sweep file) rather than at the case file."""

    overrides: dict[str, object]
    origins: dict[str, str]
    path: Path
    included_from: dict[str, Path] = field(default_factory=dict)  # "section.name" -> the file it came from

    def file_of(self, dotted: str, default: Path) -> Path:
        """The file that holds ``dotted``: an included project file, or ``default``."""
        parts = dotted.split(".")
        return self.included_from.get(".".join(parts[:2]), default)

    def culprit(self, dotted: str) -> str | None:
        """The override that set ``dotted``, a part of it, or something inside it."""
        for key in self.overrides:
            if dotted == key or dotted.startswith(key + ".") or key.startswith(dotted + "."):
                return key
        return None


def _line(path: Path, dotted: str, value: str | None, message: str, blame: _Blame | None = None,
          prefix: str = "") -> str:
    """``file: field.path = value: message``; an error caused by an override names the override instead."""
    key = blame.culprit(prefix + dotted) if blame else None
    if key is not None:
        where = "" if key == prefix + dotted else f" (at {path.name}: {dotted})"
        origin = blame.origins.get(key, f"{blame.path}: ?.overrides.{key}")
        return f"{origin} = {_show(blame.overrides[key])}: {message}{where}"
    if blame is not None:
        path = blame.file_of(prefix + dotted, path)
    return f"{path}: {dotted}: {message}" if value is None else f"{path}: {dotted} = {value}: {message}"


def load_file(path: Path, schema_: type[BaseModel]):
    """Read the YAML file ``path`` and validate it against the pydantic model ``schema_``, for the files
    beside a case that analyses read (``plan_targets.yaml``): the model, or an :class:`InputError` whose
    lines name the file, the field, the value and what was expected, as for the case's own files."""
    problems: list[str] = []
    raw = read_yaml(path, problems)
    model = None if problems else _validate(schema_, raw, path, problems)
    if problems:
        raise InputError(problems)
    return model


def _validate(schema_, raw, path: Path, problems: list[str], blame: _Blame | None = None, prefix: str = ""):
    if not isinstance(raw, dict):
        problems.append(f"{path}: expected a mapping of names to entries, got {_type_name(raw)}")
        return None
    try:
        if isinstance(schema_, type) and issubclass(schema_, BaseModel):
            return schema_.model_validate(raw)
        return schema_.validate_python(raw)
    except ValidationError as exc:
        root = schema_ if isinstance(schema_, type) else schema_._type
        for dotted, value, message in _describe(exc, root):
            problems.append(_line(path, dotted, value, message, blame, prefix))
        return None


def _validate_each(schema_, raw, path: Path, problems: list[str], blame: _Blame | None = None, prefix: str = ""):
    """Validate a mapping entry by entry: the valid entries, so that cross-file checks still run on them."""
    if not isinstance(raw, dict):
        return _validate(schema_, raw, path, problems, blame, prefix)
    valid = {}
    for name, entry in raw.items():
        valid.update(_validate(schema_, {name: entry}, path, problems, blame, prefix) or {})
    return valid


def _describe(exc: ValidationError, root=None) -> list[tuple[str, str | None, str]]:
    """One (dotted field path, shown value or None, what was expected) per pydantic error."""
    found = []
    for error in exc.errors(include_url=False):
        loc, fields = _walk(root, error["loc"])
        dotted = ".".join(loc)
        value = _show(error.get("input"))
        message = error["msg"].removeprefix("Value error, ")
        kind = error["type"]
        if kind == "extra_forbidden":
            message = f"unknown field{_suggest(loc[-1], fields or _ALL_FIELDS)}"
        elif kind == "missing":
            value, message = None, "required field is missing"
        elif kind == "union_tag_not_found":
            message = f"missing field 'kind', one of {', '.join(_KINDS)}"
        elif kind == "union_tag_invalid":
            tag = error.get("ctx", {}).get("tag")
            dotted, value = f"{dotted}.kind", _show(tag)
            message = f"unknown kind{_suggest(tag, _KINDS)}, expected one of {', '.join(_KINDS)}"
        elif kind in {"model_attributes_type", "dict_type", "model_type"}:
            message = f"expected a mapping of fields, got {_type_name(error.get('input'))}"
        elif loc and loc[-1] == "[key]":
            dotted = ".".join(loc[:-1])
            message = f"invalid name: {message}"
        found.append((dotted, value, message))
    return found


def _walk(root, loc) -> tuple[list[str], list[str]]:
    """The error location without discriminator tags, and the field names valid at its last step.

    pydantic puts the technology kind into the location (``wind.renewable.capacty``); the reader wrote
    ``wind.capacty``. The fields valid there make a 'did you mean' that suggests only real options.
    """
    shown: list[str] = []
    current = parent = root
    for part in loc:
        parent = current = _unwrap(current)
        if typing.get_origin(current) is Union and part in _KIND_CLASSES:
            current = _KIND_CLASSES[part]  # a discriminator tag, not something the user wrote
            continue
        if _is_model(current):
            current = current.model_fields[part].annotation if part in current.model_fields else None
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            current = None
        shown.append(str(part))
    return shown, (list(parent.model_fields) if _is_model(parent) else [])


def _unwrap(annotation):
    """Strip ``Annotated[...]`` and ``X | None`` down to the type that holds fields."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) in (Union, types.UnionType) and len(args) == 1:
            annotation = args[0]
            continue
        return annotation


def _is_model(annotation) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


_KIND_CLASSES = {cls.model_fields["kind"].annotation.__args__[0]: cls
                 for cls in typing.get_args(typing.get_args(Technology)[0])}
_KINDS = list(_KIND_CLASSES)
_ALL_FIELDS = sorted({name for cls in schema.Strict.__subclasses__() for name in cls.model_fields}
                     | {name for cls in _KIND_CLASSES.values() for name in cls.model_fields})


_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxlevel = 50, 50, 4, 2


def _show(value) -> str:
    """A value for a message, never longer than about 60 characters however large the value."""
    if isinstance(value, dict):
        return "{...}"
    text = _SHORT.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(value) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)


def _suggest(word: str, known, list_short: bool = False) -> str:
    """A 'did you mean' for the closest known name; with ``list_short``, else the names if they are few."""
    names = [str(k) for k in known]
    close = difflib.get_close_matches(str(word), names, n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    if list_short and 0 < len(names) <= 8:
        return f" (known: {', '.join(names)})"
    return ""
