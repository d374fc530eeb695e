"""The same case built in PyPSA, for the benchmark and for the objective cross-check.

What maps one to one: buses per node × carrier, renewables (generators with p_max_pu), thermal
output with fuel + CO2 + variable cost, fixed-duration storage (StorageUnit), separately sized storage
(a Store with a charger and a discharger link whose capacities are tied), conversions with several
outputs and further inputs (multi-bus Link, negative efficiencies), demands (Load), markets (a link to
an outside bus with an import generator, its price plus any import surcharge, and an export "negative
generator"), links between nodes (a lossless link both ways; a lossy one as one PyPSA link per direction),
unserved energy at VOLL.

What has no PyPSA equivalent, and is dropped in *both* models by :func:`comparable`: our linearised
commitment with start-up costs and fuel, minimum up/down times, CHP heat extraction and the flexibility
retrofit of thermal units, the commitment of plants (PyPSA's linearised UC is a different
relaxation; heat demand is then met by the heat-only boilers or not at all, alike in both), ramp limits (PyPSA does not wrap them around the horizon), and flexible demands with an
annual quantity (they become flat fixed demands of the same annual quantity), a market's annual export cap
(PyPSA bounds no single link's yearly energy without a custom constraint); PyPSA has no
inter-period storage linking for representative days either, so at ``--days`` only the times compare.
Investment costs of fixed assets are constants in both; the comparison leaves them out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energy_model.case.config import ModelConfig
from energy_model.model.builder import bus_name
from energy_model.model.data import ModelData


def comparable(config: ModelConfig) -> ModelConfig:
    """The case without the features PyPSA cannot express the same way (changed in place)."""
    for tech in config.technologies.values():
        if tech.kind == "thermal":
            tech.min_load, tech.start_cost, tech.start_fuel, tech.ramp_rate = 0.0, 0.0, 0.0, None
            tech.min_up_time = tech.min_down_time = 0
            tech.heat_carrier, tech.retrofit_min_load = None, None
            tech.no_load_fuel, tech.co2_benchmark = 0.0, None
        if tech.kind == "conversion":
            tech.start_cost, tech.ramp_rate = 0.0, None
        if tech.kind == "demand" and tech.flexible and tech.annual:  # (zero stays zero either way)
            tech.flexible, tech.profile = False, None
        if tech.kind == "market":
            tech.max_annual_export = None
    config.case.policy.heat_security = None
    config.case.policy.reserve = None  # held on committed units, which the comparable case has none of
    return config


def constant_costs(data: ModelData) -> float:
    """Our objective's constant part (sunk and forced capacity), which PyPSA is not given."""
    from energy_model.model.builder import ModelBuilder

    return sum(value for _, _, value in ModelBuilder(data).constant_costs)


def build_network(data: ModelData):
    """A pypsa.Network equal to our model of ``data`` (after :func:`comparable`)."""
    import pypsa

    n = pypsa.Network()
    snapshots = pd.RangeIndex(len(data.time), name="snapshot")
    n.set_snapshots(snapshots)
    n.snapshot_weightings["objective"] = data.weights
    n.snapshot_weightings["generators"] = data.weights
    n.snapshot_weightings["stores"] = data.durations
    case = data.case
    fraction = data.year_fraction
    demand = {}
    for g in data.modelled("demand"):
        tech = data.technologies[g]
        shape = data.profiles[tech.profile] if tech.profile else np.full(len(snapshots), 1.0 / 8760)
        demand.setdefault(bus_name(tech.node, tech.carrier), []).append((g, tech.annual * shape))
    buses = {bus_name(t.node, c) for g, t in data.technologies.items()
             for c in _carriers(t) if data.is_active(g)} | set(demand)
    for bus in sorted(buses):
        carrier = bus.split("/", 1)[1]
        n.add("Bus", bus, carrier=carrier)
        if case.carriers[carrier].free_disposal:
            n.add("Generator", f"vent {bus}", bus=bus, p_nom=1e5, p_min_pu=-1.0, p_max_pu=0.0)
    for bus, loads in demand.items():
        for g, values in loads:
            n.add("Load", g, bus=bus, p_set=pd.Series(values, index=snapshots))
        n.add("Generator", f"unserved {bus}", bus=bus, p_nom=float(sum(v for _, v in loads).max()),
              marginal_cost=case.policy.voll)

    def sizing(g, capex_per_unit=None):
        """p_nom fields: fixed, or extendable between build bounds paying annuity + fom."""
        tech = data.technologies[g]
        if not data.is_expandable(g):
            return {"p_nom": data.fixed_capacity(g)}
        low, high = data.build_bounds(g)
        capex = tech.capex if capex_per_unit is None else capex_per_unit
        return {"p_nom_extendable": True, "p_nom_min": low, "p_nom_max": high,
                "capital_cost": (data.annuity_factor(g) * capex + tech.fom) * fraction}

    def sunk_part(g, add):
        """An expandable tech with sunk capacity gets a second, fixed component for that part."""
        if data.is_expandable(g) and data.technologies[g].capacity > 0:
            add(f"{g} existing", {"p_nom": data.technologies[g].capacity})

    for g in data.modelled("renewable"):
        tech = data.technologies[g]
        cf = pd.Series(data.profiles[tech.profile], index=snapshots)

        def add(name, size, tech=tech, cf=cf):
            n.add("Generator", name, bus=bus_name(tech.node, tech.carrier), p_max_pu=cf, marginal_cost=tech.vom, **size)
        add(g, sizing(g))
        sunk_part(g, add)

    for g in data.modelled("thermal"):
        tech = data.technologies[g]
        fuel = case.fuels[tech.fuel]
        cost = (fuel.price + case.policy.co2_price * fuel.co2_factor) * tech.heat_rate + tech.vom

        def add(name, size, tech=tech, cost=cost):
            n.add("Generator", name, bus=bus_name(tech.node, tech.carrier), marginal_cost=cost, **size)
        add(g, sizing(g))
        sunk_part(g, add)

    tied = []
    for g in data.modelled("storage"):
        tech = data.technologies[g]
        bus = bus_name(tech.node, tech.carrier)
        if tech.duration is not None:
            n.add("StorageUnit", g, bus=bus, max_hours=tech.duration, efficiency_store=tech.efficiency_charge,
                  efficiency_dispatch=tech.efficiency_discharge, standing_loss=tech.standing_loss,
                  cyclic_state_of_charge=True, marginal_cost=tech.vom, **sizing(g))
            continue
        store_bus = f"{g} store"
        n.add("Bus", store_bus, carrier=tech.carrier)
        energy = {"e_nom": tech.energy_capacity}
        if tech.build_max_energy > 0:
            energy = {"e_nom_extendable": True, "e_nom_min": tech.energy_capacity,
                      "e_nom_max": tech.energy_capacity + tech.build_max_energy,
                      "capital_cost": data.annuity_factor(g) * tech.capex_energy * fraction}
        n.add("Store", store_bus, bus=store_bus, e_cyclic=True, standing_loss=tech.standing_loss, **energy)
        size = sizing(g)
        n.add("Link", f"{g} charge", bus0=bus, bus1=store_bus, efficiency=tech.efficiency_charge, **size)
        discharge = {k: v / tech.efficiency_discharge for k, v in size.items()
                     if k in ("p_nom", "p_nom_min", "p_nom_max")}
        discharge["p_nom_extendable"] = size.get("p_nom_extendable", False)
        n.add("Link", f"{g} discharge", bus0=store_bus, bus1=bus, efficiency=tech.efficiency_discharge,
              marginal_cost=tech.vom * tech.efficiency_discharge, **discharge)
        if size.get("p_nom_extendable"):
            tied.append((f"{g} charge", f"{g} discharge", tech.efficiency_discharge))

    for g in data.modelled("conversion"):
        tech = data.technologies[g]
        outputs = [(carrier, tech.ratio(carrier)) for carrier in tech.outputs]
        extra = {}
        for i, (carrier, ratio) in enumerate(outputs[1:], start=2):
            extra[f"bus{i}"] = bus_name(tech.node, carrier)
            extra[f"efficiency{i}"] = ratio
        floor = tech.min_load if tech.must_run else 0.0
        n.add("Link", g, bus0=bus_name(tech.node, tech.input), bus1=bus_name(tech.node, outputs[0][0]),
              efficiency=outputs[0][1], p_min_pu=floor, marginal_cost=tech.vom, **extra, **sizing(g))

    for g in data.modelled("market"):
        tech = data.technologies[g]
        if tech.min_annual_export > 0:
            raise NotImplementedError(f"{g}: minimum annual export is not translated to PyPSA")
        bus, outside = bus_name(tech.node, tech.carrier), f"{g} outside"
        n.add("Bus", outside, carrier=tech.carrier)
        export_price = data.series(tech.export_price)
        n.add("Generator", f"{g} export", bus=outside, p_nom=1e5, p_min_pu=-1.0, p_max_pu=0.0,
              marginal_cost=pd.Series(export_price, index=snapshots))
        if tech.import_price is not None:
            import_price = np.maximum(data.series(tech.import_price) + tech.import_surcharge, export_price)
            n.add("Generator", f"{g} import", bus=outside, p_nom=1e5,
                  marginal_cost=pd.Series(import_price, index=snapshots))
        if tech.import_capacity is None:
            reversible = -1.0 if tech.import_price is not None else 0.0
            n.add("Link", g, bus0=bus, bus1=outside, p_min_pu=reversible, **sizing(g))
            sunk_part(g, lambda name, size: n.add("Link", name, bus0=bus, bus1=outside, p_min_pu=reversible, **size))
        else:
            n.add("Link", f"{g} export link", bus0=bus, bus1=outside, **sizing(g))
            n.add("Link", f"{g} import link", bus0=outside, bus1=bus, p_nom=tech.import_capacity)
    for g in data.modelled("link"):
        tech = data.technologies[g]
        ends = {"bus0": bus_name(tech.node, tech.carrier), "bus1": bus_name(tech.to_node, tech.carrier)}
        if tech.bidirectional and tech.efficiency == 1.0:
            n.add("Link", g, **ends, p_min_pu=-1.0, marginal_cost=tech.vom, **sizing(g))
            continue
        n.add("Link", g, **ends, efficiency=tech.efficiency, marginal_cost=tech.vom, **sizing(g))
        if tech.bidirectional:  # the way back with the same loss and one capacity for both directions
            n.add("Link", f"{g} back", bus0=ends["bus1"], bus1=ends["bus0"], efficiency=tech.efficiency,
                  marginal_cost=tech.vom, **sizing(g))
            if data.is_expandable(g):
                tied.append((g, f"{g} back", 1.0))
    return n, tied


def _carriers(tech) -> list[str]:
    if tech.kind == "conversion":
        return [tech.input, *tech.outputs]
    return [getattr(tech, "carrier", "electricity")]


def tie_storage_power(tied):
    """extra_functionality: a separately sized store has one power capacity for charge and discharge, a sized
    lossy link one for both directions."""
    def add(n, snapshots):
        import warnings

        p_nom = n.model["Link-p_nom"]
        for charge, discharge, efficiency in tied:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # linopy notes the two scalar 'name' coordinates differ: intended
                n.model.add_constraints(p_nom.loc[charge] - efficiency * p_nom.loc[discharge] == 0,
                                        name=f"tie {charge}")
    return add
