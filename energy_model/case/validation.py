"""Validation of a loaded case: the schema's messages turned into lines that name the file, the field and the
value (blaming the scenario override or included file that set it), references between files, demand shapes
and the units written on carrier quantities."""

from __future__ import annotations

import difflib
import reprlib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from ..constants import HOURS_PER_YEAR, LOAD, RENEWABLE
from ..errors import InputError, UnitError
from . import schema
from .files import TECHNOLOGIES_FILE, TIMESERIES_DIR, read_yaml, type_name
from .projects import check_projects
from .schema import Case, Technology
from .units import matching_unit

SHAPE_SUM_TOLERANCE = 0.01  # a demand shape must sum to 1 ± this over a year


def check_references(case: Case, technologies: dict, timeseries: pd.DataFrame | None, case_dir: Path) -> list[str]:
    """Cross-file checks: nodes, carriers, fuels and profiles that technologies name must exist and fit.

    Profiles are checked only with a readable ``timeseries`` (None: its problems are reported already).
    """
    path = case_dir / TECHNOLOGIES_FILE
    problems = []

    def check(name: str, field_name: str, value, known, what: str):
        if value is not None and value not in known:
            problems.append(f"{path}: {name}.{field_name} = '{value}': unknown {what}{suggest(value, known, True)}")

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


def check_carrier_units(case: Case, technologies: dict, raw: dict, path: Path, blame: "Blame | None" = None
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
                problems.append(_line(path, f"{name}.{field_name}", show(value), message, blame, "technologies."))
    return problems


@dataclass
class Blame:
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


def _line(path: Path, dotted: str, value: str | None, message: str, blame: Blame | None = None,
          prefix: str = "") -> str:
    """``file: field.path = value: message``; an error caused by an override names the override instead."""
    key = blame.culprit(prefix + dotted) if blame else None
    if key is not None:
        where = "" if key == prefix + dotted else f" (at {path.name}: {dotted})"
        origin = blame.origins.get(key, f"{blame.path}: ?.overrides.{key}")
        return f"{origin} = {show(blame.overrides[key])}: {message}{where}"
    if blame is not None:
        path = blame.file_of(prefix + dotted, path)
    return f"{path}: {dotted}: {message}" if value is None else f"{path}: {dotted} = {value}: {message}"


def load_file(path: Path, schema_: type[BaseModel]):
    """Read the YAML file ``path`` and validate it against the pydantic model ``schema_``, for the files
    beside a case that analyses read (``plan_targets.yaml``): the model, or an :class:`InputError` whose
    lines name the file, the field, the value and what was expected, as for the case's own files."""
    problems: list[str] = []
    raw = read_yaml(path, problems)
    model = None if problems else validate(schema_, raw, path, problems)
    if problems:
        raise InputError(problems)
    return model


def validate(schema_, raw, path: Path, problems: list[str], blame: Blame | None = None, prefix: str = ""):
    if not isinstance(raw, dict):
        problems.append(f"{path}: expected a mapping of names to entries, got {type_name(raw)}")
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


def validate_each(schema_, raw, path: Path, problems: list[str], blame: Blame | None = None, prefix: str = ""):
    """Validate a mapping entry by entry: the valid entries, so that cross-file checks still run on them."""
    if not isinstance(raw, dict):
        return validate(schema_, raw, path, problems, blame, prefix)
    valid = {}
    for name, entry in raw.items():
        valid.update(validate(schema_, {name: entry}, path, problems, blame, prefix) or {})
    return valid


def _describe(exc: ValidationError, root=None) -> list[tuple[str, str | None, str]]:
    """One (dotted field path, shown value or None, what was expected) per pydantic error."""
    found = []
    for error in exc.errors(include_url=False):
        loc, fields = _walk(root, error["loc"])
        dotted = ".".join(loc)
        value = show(error.get("input"))
        message = error["msg"].removeprefix("Value error, ")
        kind = error["type"]
        if kind == "extra_forbidden":
            message = f"unknown field{suggest(loc[-1], fields or _ALL_FIELDS)}"
        elif kind == "missing":
            value, message = None, "required field is missing"
        elif kind == "union_tag_not_found":
            message = f"missing field 'kind', one of {', '.join(_KINDS)}"
        elif kind == "union_tag_invalid":
            tag = error.get("ctx", {}).get("tag")
            dotted, value = f"{dotted}.kind", show(tag)
            message = f"unknown kind{suggest(tag, _KINDS)}, expected one of {', '.join(_KINDS)}"
        elif kind in {"model_attributes_type", "dict_type", "model_type"}:
            message = f"expected a mapping of fields, got {type_name(error.get('input'))}"
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


def show(value) -> str:
    """A value for a message, never longer than about 60 characters however large the value."""
    if isinstance(value, dict):
        return "{...}"
    text = _SHORT.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def suggest(word: str, known, list_short: bool = False) -> str:
    """A 'did you mean' for the closest known name; with ``list_short``, else the names if they are few."""
    names = [str(k) for k in known]
    close = difflib.get_close_matches(str(word), names, n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    if list_short and 0 < len(names) <= 8:
        return f" (known: {', '.join(names)})"
    return ""
