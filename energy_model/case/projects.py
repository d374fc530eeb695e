"""Projects: named sets of technologies evaluated as one investment, and their checks.

A project is what an investor builds: for a green-power direct-supply project (绿电直连) its own node with
renewables, storage and load behind one connection to the public grid. This module knows which buses a
project touches, checks a project's references when the case is loaded, and cuts a project out of its case
so that it can be solved on its own (sensitivities and sizing sweeps re-solve the project, not the region).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from ..constants import (
    ELECTRICITY,
    GRID_CONNECTION,
    PLANT,
    RENEWABLE,
    STORE,
)
from ..errors import InputError
from .schema import Case, Project


def project_node(project: Project, technologies: dict) -> str | None:
    """The node of a direct-supply project: where its renewables stand (None if they stand apart)."""
    nodes = {technologies[g].node for g in project.technologies if technologies[g].has(RENEWABLE)}
    return nodes.pop() if len(nodes) == 1 else None


def is_separable(case: Case, technologies: dict, name: str) -> bool:
    """True when no balance the project enters is shared with a technology outside it, so that the project
    solved on its own has the same optimum as inside its case (connections to the outside are markets)."""
    members = set(case.projects[name].technologies)
    inside = set().union(*(technologies[g].balances() for g in members))
    shared = any(members & {*limit.technologies, limit.limit_of} and {*limit.technologies, limit.limit_of} - members
                 for limit in case.policy.shared_limits)  # a substation shared with the region couples them
    return not shared and not any(tech.balances() & inside for g, tech in technologies.items() if g not in members)


def check_projects(case: Case, technologies: dict, case_dir: Path) -> list[str]:
    """Every name a project uses must exist and fit: file, project, field and problem in each line."""
    problems = []
    for name, project in case.projects.items():
        where = f"{case_dir}: projects.{name}"
        unknown = [g for g in project.technologies if g not in technologies]
        problems += [f"{where}.technologies: unknown technology '{g}'" for g in unknown]
        if unknown:
            continue
        if project.connection is not None:
            tech = technologies[project.connection]
            if not tech.has(*GRID_CONNECTION) or tech.carrier != ELECTRICITY:
                problems.append(f"{where}.connection = '{project.connection}': must be an electricity market "
                                f"or link, not a {tech.kind}")
        if project.direct_supply is not None:
            problems += _check_direct_supply(project, technologies, where)
        if project.finance is not None:
            problems += _check_finance(project, case, technologies, where)
    return problems


def _check_direct_supply(project: Project, technologies: dict, where: str) -> list[str]:
    node = project_node(project, technologies)
    if node is None:
        return [f"{where}.technologies: a direct-supply project needs its renewables at one node"]
    tech = technologies[project.connection]
    ends = {node for node, _ in tech.balances()}
    if node not in ends:
        return [f"{where}.connection = '{project.connection}': does not touch the project node '{node}'"]
    return []


def _check_finance(project: Project, case: Case, technologies: dict, where: str) -> list[str]:
    problems = []
    finance, members = project.finance, set(project.technologies)
    for carrier in finance.prices:
        if carrier not in case.carriers:
            problems.append(f"{where}.finance.prices: unknown carrier '{carrier}'")
    for carrier in finance.contracts:
        if carrier not in finance.prices:
            problems.append(f"{where}.finance.contracts.{carrier}: give its merchant price in finance.prices too")
    if finance.green_certificates and project.direct_supply is None:
        problems.append(f"{where}.finance.green_certificates: counts self-consumed new energy, which only a "
                        "direct-supply project (direct_supply) defines")
    for key, spec in finance.levelised.items():
        if spec.carrier not in case.carriers:
            problems.append(f"{where}.finance.levelised.{key}.carrier: unknown carrier '{spec.carrier}'")
        for field in ("produced_by", "consumed_by", "cost_of"):
            for g in getattr(spec, field) or []:
                if g not in members:
                    problems.append(f"{where}.finance.levelised.{key}.{field}: '{g}' is not in the project")
    if finance.sweep is not None:
        sweep = finance.sweep
        for g in [sweep.base, *sweep.ratios]:
            if g not in members:
                problems.append(f"{where}.finance.sweep: '{g}' is not in the project")
            elif technologies[g].has(STORE) and g != sweep.base and technologies[g].duration is None:
                problems.append(f"{where}.finance.sweep.ratios.{g}: a swept store needs a fixed duration")
    if finance.risk is not None and finance.tornado is None:
        problems.append(f"{where}.finance.risk: draws from the tornado's ranges; give finance.tornado too")
    if finance.feasibility is not None:
        problems += _check_feasibility(finance.feasibility, case, technologies, members, f"{where}.finance.feasibility")
    return problems


def _check_feasibility(rules, case: Case, technologies: dict, members: set, where: str) -> list[str]:
    """Names in the feasibility rules that must be the project's own technologies or known carriers."""
    problems = []
    for g, spec in rules.degradation.items():
        if g not in members:
            problems.append(f"{where}.degradation.{g}: not a technology of the project")
        elif not technologies[g].has(RENEWABLE, PLANT):
            problems.append(f"{where}.degradation.{g}: only renewables and converters degrade "
                            f"(it is a {technologies[g].kind})")
        elif spec.replacement_share and spec.reset_every is None:
            problems.append(f"{where}.degradation.{g}: replacement_share needs reset_every (when the part is replaced)")
    if rules.vat is not None:
        for carrier in rules.vat.product_rates:
            if carrier not in case.carriers:
                problems.append(f"{where}.vat.product_rates: unknown carrier '{carrier}'")
        for g in rules.vat.refund_technologies:
            if g not in members:
                problems.append(f"{where}.vat.refund_technologies: '{g}' is not in the project")
    return problems


def standalone(config, name: str, sizes: dict[str, float] | None = None, fixed_energy: dict[str, float] | None = None,
               profile_scale: float = 1.0):
    """A copy of ``config`` holding only project ``name``, for a re-solve.

    ``sizes`` fixes the new capacity of those technologies (they still pay capex); ``fixed_energy`` gives
    stores whose energy capacity is to stay as it is; ``profile_scale`` multiplies the capacity factors of the
    project's renewables (capped at 1). System-wide policies (CO2 cap, non-fossil share, curtailment cap)
    and shared substation limits belong to the region and are dropped; the project's own rules stay.
    """
    case = config.case.model_copy(deep=True)
    project = case.projects[name]
    case.projects = {name: project}
    case.policy = case.policy.model_copy(update={"co2_cap": None, "min_non_fossil_share": None,
                                                 "max_curtailment_rate": None, "shared_limits": []})
    technologies = {}
    for g in project.technologies:
        tech = config.technologies[g]
        update = {}
        if sizes and g in sizes:
            update.update(build_min=sizes[g], build_max=sizes[g])
        if fixed_energy and g in fixed_energy:
            update.update(energy_capacity=fixed_energy[g], build_max_energy=0.0)
        technologies[g] = tech.model_copy(update=update)
    timeseries = config.timeseries.copy()
    if profile_scale != 1.0:
        for column in {t.profile for t in technologies.values() if t.has(RENEWABLE)}:
            timeseries[column] = np.minimum(timeseries[column].to_numpy() * profile_scale, 1.0)
    return dataclasses.replace(config, scenario=f"{config.scenario}:{name}", case=case,
                               technologies=technologies, timeseries=timeseries)


def project_alone(config, name: str):
    """The configuration of project ``name`` on its own node(s), for a run of the project alone
    (``energy-model project``): refused, with the reason, where that would not give the project's optimum
    inside its case."""
    projects = config.case.projects
    if name not in projects:
        known = ", ".join(projects) or "none"
        raise InputError([f"project '{name}': not in scenario '{config.scenario}' (its projects: {known})"])
    if config.periods:
        raise InputError([f"project '{name}': a project run is of one year; scenario '{config.scenario}' is a "
                          "pathway of several periods"])
    if not is_separable(config.case, config.technologies, name):
        raise InputError([f"project '{name}': it shares a balance with technologies outside it (its connection is "
                          "not a market with its own prices), so its optimum depends on the region: run the "
                          f"scenario '{config.scenario}' instead"])
    return standalone(config, name)
