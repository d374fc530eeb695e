"""Load a case: read its folder, apply a scenario's overrides, and validate everything before any model is built.

A case folder holds ``case.yaml``, ``technologies.yaml``, ``scenarios.yaml`` and ``timeseries/*.csv``.
This module puts the steps together into a :class:`ModelConfig`; each step has its own module: reading
the files (:mod:`.files`), scenarios and overrides (:mod:`.scenarios`), time series and weather years
(:mod:`.timeseries`), and validation with its messages (:mod:`.validation`). Every problem found is
collected and raised together as one :class:`InputError` whose lines name the file, the field path, the
bad value and what was expected, so that a planner fixes a typo in one go. Inputs never name files: a
profile names a column of ``timeseries/``, so nothing in a case can reach outside its folder.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import TypeAdapter

from ..errors import InputError
from . import schema
from .files import (
    CASE_FILE,
    PLAN_TARGETS_FILE,
    SCENARIOS_FILE,
    TECHNOLOGIES_FILE,
    TIMESERIES_DIR,
    TIMESERIES_SUFFIXES,
    WEATHER_YEARS_DIR,
    read_yaml,
)
from .scenarios import (
    SCENARIO_SEPARATOR,
    apply_overrides,
    merge_includes,
    resolve,
    resolve_includes,
    scale_timeseries,
)
from .schema import Case, Name, Scenario, TechName, Technology
from .timeseries import case_weather_year, overlay_weather_year, read_timeseries
from .validation import (
    Blame,
    check_carrier_units,
    check_references,
    show,
    suggest,
    validate,
    validate_each,
)

_TECHNOLOGIES = TypeAdapter(dict[TechName, Technology])
_SCENARIOS = TypeAdapter(dict[Name, Scenario])


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
    return validate(_SCENARIOS, raw, path, problems) or {}


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
        raise InputError([f"{case_dir / CASE_FILE}: default_scenario = {show(scenario)}: expected a scenario name"])
    if from_default and scenario is not None and scenario not in scenarios and SCENARIO_SEPARATOR not in scenario:
        raise InputError([f"{case_dir / CASE_FILE}: default_scenario = {show(scenario)}: no such scenario in "
                          f"{SCENARIOS_FILE}{suggest(scenario, scenarios)}"])
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

    blame = Blame(overrides, origins, scenarios_path, included_from)
    case = validate(Case, raw, case_dir / CASE_FILE, problems, blame)
    technologies = validate_each(_TECHNOLOGIES, technologies_raw, case_dir / TECHNOLOGIES_FILE, problems, blame,
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
        blame = Blame({**overrides, **period.overrides}, {**origins, **own}, scenarios_path)
        case = validate(Case, merged, case_dir / CASE_FILE, problems, blame)
        technologies = validate_each(_TECHNOLOGIES, technologies_raw, case_dir / TECHNOLOGIES_FILE, problems,
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
        (overrides or {}).get("weather_year") or case_weather_year(case_dir))
    if year and isinstance(year, str):
        folder = case_dir / TIMESERIES_DIR / WEATHER_YEARS_DIR / year
        files += sorted(folder.glob("*")) if folder.is_dir() else []
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(case_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
