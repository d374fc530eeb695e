"""Variable renewables (wind, PV): output ≤ capacity × capacity factor; the remainder is curtailment.

    0 ≤ p[g,t] ≤ cf[g,t] · cap[g]          [renewable_output, renewable_output_limit]
    curtailment[g,t] = cf[g,t]·cap[g] − p[g,t]                     [renewable_output]
    must-take farms:  p[g,t] = cf[g,t]·cap[g]   (a bound where cap is fixed)   [renewable_must_take]

Farms that the model cannot tell apart (same node, carrier, profile and variable cost, in the same projects)
can share a curtailed hour in any proportion at the same cost; the LP's vertex puts it all on one of them.
The results report the optimum that shares it pro rata to availability, as grid operators do among farms of
a section: p[g,t] = P[G,t]·cf[g,t]·cap[g] / Σ_{g'∈G} cf[g',t]·cap[g'] for the group G of g (settle).

The same holds across a free link (lossless, no variable cost) between two nodes, e.g. a base and the province
around it: in an hour the link is not at its limit, curtailing a MW on either side costs the same. The results
then share the two sides' output pro rata to availability too, moving the difference over the link as far as
its capacity allows (P_A + P_B and every node balance unchanged). Not where a constraint reads a node's own
farms (a reserve on renewable output, a certified-hydrogen minimum, an annual limit), nor for farms of a
project or must-take farms.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ...constants import TRANSFER
from ..builder import ModelBuilder, bus_name

KIND = "renewable"


def add(b: ModelBuilder, techs: list[str]) -> None:
    data = b.data
    cf = {g: data.profiles[data.technologies[g].profile] for g in techs}
    output = b.dispatch_var("renewable_output", techs, limit=cf)
    must_take = [g for g in techs if data.technologies[g].must_take]
    for g in (g for g in must_take if not data.is_expandable(g)):  # fixed size: the bounds meet
        for t in b.m.T:
            output[g, t].setlb(float(cf[g][t]) * b.capacity(g))
    b.m.renewable_must_take = pyo.Constraint(
        [g for g in must_take if data.is_expandable(g)], b.m.T,
        rule=lambda _, g, t: output[g, t] == float(cf[g][t]) * b.capacity(g))
    for g in techs:
        tech = data.technologies[g]
        b.add_flow(bus_name(tech.node, tech.carrier), g, output)
        b.add_cost("variable_om", g, output, tech.vom)


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    data = b.data
    output = solution.value(b.m.renewable_output)
    capacity = np.array([solution.capacity(g) for g in techs])
    cf = np.vstack([data.profiles[data.technologies[g].profile] for g in techs])
    available = cf * capacity[:, None]
    return {
        "available": (available, "MW"),
        "curtailment": (np.maximum(available - output, 0.0), "MW"),
    }


def settle(b: ModelBuilder, solution, techs: list[str]) -> None:
    """Spread each group's output over its farms in proportion to their available output (an equally optimal
    solution: the group's total in every hour, and so every balance, cost and constraint, is unchanged)."""
    data, var = b.data, b.m.renewable_output
    if not len(var):
        return
    rows = {g: i for i, g in enumerate(list(var.index_set().subsets())[0])}
    output = solution.value(var).copy()
    groups: dict[tuple, list[str]] = {}
    for g in techs:
        if g in rows:
            groups.setdefault(_interchangeable(data, g), []).append(g)
    for members in (m for m in groups.values() if len(m) > 1):
        index = [rows[g] for g in members]
        available = np.vstack([data.profiles[data.technologies[g].profile] * solution.capacity(g) for g in members])
        total_available = available.sum(axis=0)
        share = np.divide(available, total_available, out=np.zeros_like(available), where=total_available > 0)
        output[index] = output[index].sum(axis=0) * share
    _share_across_free_links(b, solution, output, rows, techs)
    solution.set_values(var, output)


def _share_across_free_links(b: ModelBuilder, solution, output: np.ndarray, rows: dict[str, int],
                             techs: list[str]) -> None:
    """Each free link in turn: the pro-rata split of the two end nodes' output, within the link's headroom."""
    data, m = b.data, b.m
    policy = data.case.policy
    certification = data.case.certification
    if (policy.reserve is not None and policy.reserve.renewable_share > 0) or policy.annual_limits or \
            (certification is not None and certification.min_green_share is not None) or \
            not hasattr(m, "link_forward"):
        return
    links = [g for g in data.modelled_with(TRANSFER) if data.technologies[g].efficiency == 1.0
             and data.technologies[g].vom == 0.0]
    if not links:
        return
    link_rows = {g: i for i, g in enumerate(list(m.link_forward.index_set().subsets())[0])}
    forward = solution.value(m.link_forward).copy()
    back_rows = {g: i for i, g in enumerate(list(m.link_backward.index_set().subsets())[0])} \
        if len(m.link_backward) else {}
    backward = solution.value(m.link_backward).copy() if back_rows else None
    for link in links:
        tech = data.technologies[link]
        sides = [[g for g in techs if g in rows and data.technologies[g].node == node
                  and data.technologies[g].carrier == tech.carrier and not data.technologies[g].must_take
                  and not _projects(data, g)] for node in (tech.node, tech.to_node)]
        farms = sides[0] + sides[1]
        if not sides[0] or not sides[1] or len({data.technologies[g].vom for g in farms}) > 1:
            continue
        available = [np.vstack([data.profiles[data.technologies[g].profile] * solution.capacity(g) for g in side])
                     for side in sides]
        made = [output[[rows[g] for g in side]].sum(axis=0) for side in sides]
        total_available = available[0].sum(axis=0) + available[1].sum(axis=0)
        target = np.divide((made[0] + made[1]) * available[0].sum(axis=0), total_available,
                           out=made[0].copy(), where=total_available > 0)
        net = forward[link_rows[link]] - (backward[back_rows[link]] if link in back_rows else 0.0)
        capacity = solution.capacity(link)
        shift = np.clip(target - made[0], -(capacity if link in back_rows else 0.0) - net, capacity - net)
        for side, avail, new in zip(sides, available, (made[0] + shift, made[1] - shift)):
            side_available = avail.sum(axis=0)
            share = np.divide(avail, side_available, out=np.zeros_like(avail), where=side_available > 0)
            output[[rows[g] for g in side]] = new * share
        net = net + shift
        forward[link_rows[link]] = np.maximum(net, 0.0)
        if link in back_rows:
            backward[back_rows[link]] = np.maximum(-net, 0.0)
    solution.set_values(m.link_forward, forward)
    if backward is not None:
        solution.set_values(m.link_backward, backward)


def _interchangeable(data, g: str) -> tuple:
    tech = data.technologies[g]
    return tech.node, tech.carrier, tech.profile, tech.vom, _projects(data, g)


def _projects(data, g: str) -> tuple[str, ...]:
    """The direct-supply projects a farm belongs to (their rules read its own output)."""
    return tuple(sorted(name for name, p in data.case.projects.items() if g in p.technologies))
