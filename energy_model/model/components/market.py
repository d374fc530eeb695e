"""Trade with the outside through a capacity-limited connection (the 500 kV substation, a product market).

    exp[g,t] ≤ cap[g];  imp[g,t] ≤ import_cap[g];           [market_export_limit, market_import_limit]
    cost = Σ_t w_t·((import_price' + import_surcharge)·imp − export_price·exp) + capacity_charge·cap[g]·f
                                                             [objective]
    min_annual_export[g]·f ≤ Σ_t w_t·exp[g,t] ≤ max_annual_export[g]·f      (f: share of the year modelled)
                                                             [market_min_export, market_max_export]
    falling price-volume curve (export_tranches k): exp[g,t] = Σ_k e[g,k,t],  e[g,k,t] ≤ share_k·cap[g],
        [market_tranche_sum, market_tranche_<k>, market_tranche_<k>_size]
        revenue Σ_t w_t·Σ_k (export_price[t] − discount_k)·e[g,k,t]   (the least-discounted tranche fills first)

One connection is one meter: it cannot buy and sell in the same hour at a profit. An LP would do
exactly that whenever the export price exceeds the import tariff, so the import price is floored at
the export price of the same hour: import_price'[t] = max(import_price[t], export_price[t]).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..builder import ModelBuilder, bus_name

KIND = "market"


def add(b: ModelBuilder, techs: list[str]) -> None:
    data, m = b.data, b.m
    ones = {g: np.ones(b.n) for g in techs}
    export = b.dispatch_var("market_export", techs, limit=ones)
    importers = [g for g in techs if data.technologies[g].import_price is not None]

    def import_capacity(g):
        limit = data.technologies[g].import_capacity
        return b.capacity(g) if limit is None else (limit if data.is_active(g) else 0.0)

    imports = b.dispatch_var("market_import", importers, limit=ones, capacity=import_capacity)
    duty = [g for g in techs if data.technologies[g].min_annual_export > 0]
    m.market_min_export = pyo.Constraint(duty, rule=lambda _, g: pyo.quicksum(
        data.weights[t] * export[g, t] for t in m.T) >= data.technologies[g].min_annual_export * data.year_fraction)
    capped = [g for g in techs if data.technologies[g].max_annual_export is not None]
    m.market_max_export = pyo.Constraint(capped, rule=lambda _, g: pyo.quicksum(
        data.weights[t] * export[g, t] for t in m.T) <= data.technologies[g].max_annual_export * data.year_fraction)
    _add_tranches(b, [g for g in techs if data.technologies[g].export_tranches], export)
    for g in techs:
        tech = data.technologies[g]
        bus = bus_name(tech.node, tech.carrier)
        b.add_flow(bus, g, export, -1.0)
        b.add_cost("export_revenue", g, export, -data.series(tech.export_price))
        if g in importers:
            b.add_flow(bus, g, imports, 1.0)
            import_price = np.maximum(data.series(tech.import_price), data.series(tech.export_price))
            b.add_cost("import", g, imports, import_price + tech.import_surcharge)


def _add_tranches(b: ModelBuilder, techs: list[str], export: pyo.Var) -> None:
    """One variable family per tranche position k (market_tranche_k over the markets that have a k-th tranche)."""
    data, m = b.data, b.m
    spec = data.technologies
    tranches = []
    for k in range(max((len(spec[g].export_tranches) for g in techs), default=0)):
        having = [g for g in techs if len(spec[g].export_tranches) > k]
        var = pyo.Var(having, m.T, within=pyo.NonNegativeReals)
        m.add_component(f"market_tranche_{k}", var)
        m.add_component(f"market_tranche_{k}_size", pyo.Constraint(having, m.T, rule=lambda _, g, t, k=k, var=var: (
            var[g, t] <= spec[g].export_tranches[k].share * b.capacity(g))))
        for g in having:
            if spec[g].export_tranches[k].discount > 0:
                b.add_cost("export_revenue", g, var, spec[g].export_tranches[k].discount)
        tranches.append((having, var))
    m.market_tranche_sum = pyo.Constraint(techs, m.T, rule=lambda _, g, t: export[g, t] == pyo.quicksum(
        var[g, t] for having, var in tranches if g in having))


def extract(b: ModelBuilder, solution, techs: list[str]) -> dict:
    return {
        "export": (solution.value(b.m.market_export), "MW"),
        "import": (solution.by_tech(b.m.market_import, techs), "MW"),
    }
