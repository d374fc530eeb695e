"""Scenarios: what a run changes in the case files. A scenario's overrides (dotted keys, inheriting
through ``base``, combined with ``+``), the files it includes, and overrides applied to the raw case, each
remembering where it came from so that a bad value is blamed on the line that set it."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .files import SCENARIOS_FILE, read_yaml
from .schema import Scenario
from .validation import suggest

SCENARIO_SEPARATOR = "+"


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
            raise InputError([f"{path}: no scenario '{name}'{suggest(name, scenarios)}"])
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
                                f"expected one of {', '.join(INCLUDABLE)}{suggest(section, INCLUDABLE)}")
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
                              f"{suggest(current, scenarios)}"])
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
                                f"{suggest(key, known)}")
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
            problems.append(f"{where}: names nothing, no timeseries column '{column}'{suggest(column, frame.columns)}")
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
