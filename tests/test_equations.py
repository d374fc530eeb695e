"""Each equation of a family's docstring names the pyomo components that implement it, and every constraint
of a family has its equation there: the docstring is the formulation, checked against the code and against
built models of the shipped case."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from energy_model.case.config import load_case
from energy_model.model.build import build_model
from energy_model.model.components import FAMILIES
from energy_model.model.data import build_data
from energy_model.runner import set_horizon

CASE = "inputs/shuangliao"
RELATION = re.compile(r"[=≤≥]")
BRACKETS = re.compile(r"\[([^\[\]]+)\]")
NAME = re.compile(r"^[a-z][a-z0-9_<>]*$")
SHARED = {"objective", "balance"}  # the builder's: every cost term and every flow ends in one of them


def _module(kind: str):
    return importlib.import_module(f"energy_model.model.components.{kind}")


def equation_blocks(doc: str) -> list[str]:
    """Indented blocks of a docstring: a line indented four spaces and the more indented lines under it."""
    blocks, current = [], None
    for line in doc.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        if line.strip() and indent == 4:
            current = [line.strip()]
            blocks.append(current)
        elif line.strip() and indent > 4 and current is not None:
            current.append(line.strip())
        else:
            current = None
    return [" ".join(block) for block in blocks]


def tags(block: str) -> set[str]:
    """The component names a block gives in brackets (``[storage_balance]``; indices like ``[g,t]`` are not)."""
    found = set()
    for group in BRACKETS.findall(block):
        items = [item.strip() for item in group.split(",")]
        if all(NAME.match(item) and ("_" in item or item in SHARED) for item in items):
            found.update(items)
    return found


def documented(kind: str) -> set[str]:
    return set().union(*(tags(block) for block in equation_blocks(_module(kind).__doc__)))


def defined(kind: str) -> tuple[set[str], set[str]]:
    """(every component, the constraints) the family's module creates, read from its source: ``m.x = pyo.…``,
    ``add_component(f"…")`` (``{k}`` read as ``<k>``), dispatch variables with their ``_limit`` rows, the
    investments it declares (``Kind``) with their ``_in_service`` rows, and binaries with their big-M rows."""
    source = inspect.getsource(_module(kind))
    components, constraints = set(), set()
    for name, what in re.findall(r"m\.(\w+)\s*=\s*pyo\.(Constraint|Var)", source):
        components.add(name)
        if what == "Constraint":
            constraints.add(name)
    for name in re.findall(r'add_component\(f?"(\w[^"]*)",\s*pyo\.Constraint', source):
        constraints.add(re.sub(r"\{\w+\}", "<k>", name))  # a name built by a helper ("{name}_fixed") is below
    for name in re.findall(r'add_component\(f?"(\w[^"]*)"', source):
        components.add(re.sub(r"\{\w+\}", "<k>", name))
    for name in re.findall(r'dispatch_var\(\s*"(\w+)"', source):
        components |= {name, f"{name}_limit"}
    for name in re.findall(r'Kind\(\s*"(\w+)"', source):
        components |= {name, f"{name}_in_service"}
    for name in re.findall(r'_make_binary\(b,\s*"(\w+)"', source):
        components |= {name, *(f"{name}_{part}" for part in ("fixed", "upper", "lower"))}
        constraints |= {f"{name}_{part}" for part in ("fixed", "upper", "lower")}
    return components | constraints, constraints


def _matches(name: str, names: set[str]) -> bool:
    return name in names or any(re.fullmatch(re.escape(tag).replace("<k>", r"\w+"), name) for tag in names)


@pytest.mark.parametrize("kind", list(FAMILIES))
def test_every_equation_names_components_its_module_defines(kind):
    blocks = [block for block in equation_blocks(_module(kind).__doc__) if RELATION.search(block)]
    assert blocks, f"{kind}: no equations in the docstring"
    untagged = [block for block in blocks if not tags(block)]
    assert not untagged, f"{kind}: equations without the components that implement them: {untagged}"
    components, _ = defined(kind)
    unknown = documented(kind) - components - SHARED
    assert not unknown, f"{kind}: the docstring names components its module does not create: {unknown}"


@pytest.mark.parametrize("kind", list(FAMILIES))
def test_every_constraint_of_a_family_has_its_equation(kind):
    _, constraints = defined(kind)
    missing = {name for name in constraints if not _matches(name, documented(kind))}
    assert not missing, f"{kind}: constraints with no equation in the docstring: {missing}"


@pytest.mark.parametrize("scenario, hours, days", [("market_expansion", 48, None), ("base_2030", 24 * 14, 2)])
def test_the_built_model_has_no_undocumented_family_constraint(scenario, hours, days):
    import pyomo.environ as pyo

    config = load_case(CASE, scenario)
    set_horizon(config, hours=hours, days=days)
    m = build_model(build_data(config)).m
    names = [c.name for c in m.component_objects(pyo.Constraint, descend_into=True)]
    seen = set()
    for kind in FAMILIES:
        own = [name for name in names if name.startswith(f"{kind}_")]
        seen.update(own)
        undocumented = [name for name in own if not _matches(name, documented(kind))]
        assert not undocumented, f"{kind}: built constraints without an equation: {undocumented}"
    assert any(name.startswith("storage_day_") for name in seen) == (days is not None)
    assert {"thermal_transition", "storage_balance"} <= seen  # the shipped case exercises the families
