"""An oemof-solph energy system written as a case folder of this tool, with a report of what could not be
carried over.

What maps, and how (oemof.solph's names on the left; one node ``system``, each bus a carrier of its label):

    Bus                         a carrier (MWh) of the bus's label
    Source, flow with ``fix``   renewable, must-take: the fixed profile (scaled to its peak) as capacity factors
    Source, flow with ``max``   renewable on that profile, variable_costs → vom
    Source, neither             a market that only imports: variable_costs → import_price (a profile where they
                                vary), no export; capacity the flow's, or sized freely at no cost
    Sink, flow with ``fix``     demand: hourly fix × nominal_capacity (annual × shape, the shape a column)
    Sink, neither               surplus of the carrier: free disposal, or excess_cost = variable_costs (> 0);
                                a negative variable cost is a sale: a market that only exports at that price
    Converter                   conversion: capacity on its first input; every conversion factor becomes a
                                ratio per unit of that input (other inputs negative); the nominal capacity or
                                Investment of whichever flow carries it, and the flows' variable costs, are
                                restated per unit of that input
    GenericStorage              storage: output flow → capacity (and a charging rating of its own where the
                                input flow's differs), nominal_storage_capacity → energy_capacity,
                                inflow/outflow conversion factors → efficiencies, loss_rate → standing_loss,
                                variable costs of the out- and inflow → vom, vom_charge; cyclic when balanced
                                without an initial level, else initial_level (and final_level, as balanced asks)
    Investment(ep_costs, maximum, existing)   build_max, capacity; ep_costs → capital_cost × 8,760 / modelled
                                hours (oemof charges ep_costs whole on any horizon, this tool per share of the
                                year), energy of a store → capex_energy with a one-year life at a zero rate

Not carried (listed in IMPORT_REPORT.md): other components (links, CHP and offset converters, ...), nonconvex
flows, gradient limits, full-load-time limits, minimum flows, fixed costs, storage level bounds, investments
in a store's flows, unbalanced buses, multi-period systems.

The command line reads the script that builds the system (``energy-model import oemof model.py``): oemof's
own dump, a pickle of the EnergySystem, does not keep a converter's conversion factors.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import HOURS_PER_YEAR
from ..errors import InputError
from .imported import VOLL, check_out, time_section, write_case

NODE = "system"
UNBOUNDED = None  # build_max of a flow oemof leaves unbounded: the cost (here none) bounds it


def import_script(path: str | Path, out: str | Path, variable: str | None = None) -> Path:
    """Write the case folder ``out`` from the oemof-solph energy system that the Python script ``path`` builds
    (its global ``variable``, or the one EnergySystem among its globals); returns ``out``. The script runs,
    as it would under oemof: import only scripts you trust."""
    import runpy

    from oemof import solph

    path, out = Path(path), Path(out)
    check_out(out)
    if not path.is_file():
        raise InputError([f"{path}: no such script"])
    try:
        namespace = runpy.run_path(str(path), run_name="energy_model_import")
    except Exception as exc:  # noqa: BLE001 - the script is the user's input
        raise InputError([f"{path}: the script failed ({type(exc).__name__}: {exc})"]) from None
    systems = {k: v for k, v in namespace.items() if isinstance(v, solph.EnergySystem)}
    if variable is not None:
        if variable not in systems:
            raise InputError([f"{path}: no EnergySystem named '{variable}' (found: {', '.join(systems) or 'none'})"])
        es = systems[variable]
    elif len(systems) != 1:
        raise InputError([f"{path}: {len(systems)} EnergySystem objects among the script's globals "
                          f"({', '.join(systems) or 'none'}); name one with --variable"])
    else:
        es = next(iter(systems.values()))
    return from_energy_system(es, out, name=path.stem)


def from_energy_system(es, out: str | Path, name: str = "oemof_case") -> Path:
    """Write the case folder ``out`` from a (not yet solved) oemof-solph ``EnergySystem``; returns ``out``."""
    out = Path(out)
    check_out(out)
    importer = _Importer(es)
    importer.run()
    importer.write(out, name)
    return out


def _name(node) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", str(node.label))


class _Importer:
    def __init__(self, es):
        index = es.timeindex
        increment = getattr(es, "timeincrement", None)
        increments = np.asarray(increment if increment is not None else [], dtype=float)
        if index is None or not len(increments) or len(getattr(es, "periods", None) or [0]) > 1:
            raise InputError(["energy system: a single-period system with a timeindex is needed"])
        step = float(increments[0])
        if not np.allclose(increments, step) or not step.is_integer() or not 1 <= step <= 24:
            raise InputError([f"energy system: time steps of {sorted(set(increments.tolist()))[:3]} h; only equal "
                              "whole-hour steps of 1-24 h"])
        self.es, self.index, self.step = es, index, int(step)
        self.steps = len(increments)  # the intervals oemof optimises (its timeindex may hold one more point)
        self.hours = self.steps * self.step
        self.scale = HOURS_PER_YEAR / self.hours  # oemof's whole-horizon costs per year
        self.techs: dict[str, dict] = {}
        self.carriers: dict[str, dict] = {}
        self.series: dict[str, np.ndarray] = {}
        self.missing: list[str] = []
        self.notes: list[str] = []

    # ---- oemof values ---------------------------------------------------------------------------------
    def values(self, sequence) -> np.ndarray | None:
        if sequence is None:
            return None
        try:
            return np.array([float(sequence[t]) for t in range(self.steps)])
        except (TypeError, IndexError):
            return None

    def constant(self, sequence, what: str) -> float:
        values = self.values(sequence)
        if values is None:
            return 0.0
        if not np.allclose(values, values[0]):
            self.notes.append(f"{what}: varies over time; its mean {values.mean():g} is used")
        return float(values.mean())

    def unsupported(self, flow, where: str) -> None:
        for attribute in ("nonconvex", "positive_gradient_limit", "negative_gradient_limit", "full_load_time_max",
                          "full_load_time_min"):
            value = getattr(flow, attribute, None)
            if value is not None and (self.values(value) is None or np.any(self.values(value))):
                self.missing.append(f"{where}: {attribute}")
        minimum = self.values(getattr(flow, "minimum", None))
        if minimum is not None and minimum.any():
            self.missing.append(f"{where}: a minimum flow")
        fixed = self.values(getattr(flow, "fixed_costs", None))
        if fixed is not None and fixed.any():
            self.missing.append(f"{where}: fixed_costs")

    def sizes(self, flow, per_unit: float = 1.0) -> dict:
        """capacity or build bounds and capital cost of a flow, per unit of the technology's own capacity
        (``per_unit``: units of this flow per unit of it)."""
        invest = flow.investment
        if invest is None:
            return {"capacity": float(flow.nominal_capacity) / per_unit} if flow.nominal_capacity is not None \
                else {"build_max": UNBOUNDED}
        maximum = self.constant(invest.maximum, "investment maximum")
        spec = {"capacity": float(invest.existing or 0.0) / per_unit,
                "build_min": self.constant(invest.minimum, "investment minimum") / per_unit,
                "build_max": maximum / per_unit if np.isfinite(maximum) else UNBOUNDED}
        cost = self.constant(invest.ep_costs, "ep_costs")
        if cost:
            spec["capital_cost"] = cost * per_unit * self.scale
        if getattr(invest, "nonconvex", False):
            self.missing.append("an investment with a nonconvex (offset) cost")
        return spec

    def carrier(self, bus) -> str:
        name = _name(bus)
        self.carriers.setdefault(name, {"unit": "MWh"})
        if getattr(bus, "balanced", True) is False:
            self.missing.append(f"bus {name}: unbalanced")
        return name

    # ---- components -------------------------------------------------------------------------------------
    def run(self) -> None:
        for node in self.es.nodes:
            kind = type(node).__name__
            handler = getattr(self, f"_{kind.lower()}", None)
            if kind == "Bus":
                self.carrier(node)
            elif handler is None:
                self.missing.append(f"{kind} {_name(node)}")
            else:
                handler(node)

    def _source(self, node) -> None:
        name = _name(node)
        ((bus, flow),) = node.outputs.items()
        carrier = self.carrier(bus)
        self.unsupported(flow, f"source {name}")
        fix, maximum = self.values(flow.fix), self.values(flow.maximum)
        if fix is not None:
            peak = float(fix.max()) or 1.0
            self.series[name] = fix / peak
            spec = {"kind": "renewable", "carrier": carrier, "profile": name, "must_take": True,
                    **self.sizes(flow, 1.0 / peak)}
            spec["vom"] = self.constant(flow.variable_costs, f"source {name} variable_costs")
        elif maximum is not None and (maximum < 1).any():
            self.series[name] = maximum
            spec = {"kind": "renewable", "carrier": carrier, "profile": name, **self.sizes(flow),
                    "vom": self.constant(flow.variable_costs, f"source {name} variable_costs")}
        else:
            costs = self.values(flow.variable_costs)
            costs = np.zeros(self.steps) if costs is None else costs
            price = float(costs[0]) if np.allclose(costs, costs[0]) else self._profile(f"{name}_price", costs)
            spec = {"kind": "market", "carrier": carrier, "import_price": price, "max_annual_export": 0.0,
                    **self.sizes(flow)}
        self.techs[name] = {"node": NODE, **spec}

    def _sink(self, node) -> None:
        name = _name(node)
        ((bus, flow),) = node.inputs.items()
        carrier = self.carrier(bus)
        self.unsupported(flow, f"sink {name}")
        fix = self.values(flow.fix)
        costs = self.values(flow.variable_costs)
        if fix is not None:
            energy = fix * float(flow.nominal_capacity or 1.0) * self.step  # MWh in each step
            annual = float(energy.sum()) * self.scale
            if annual <= 0:
                self.missing.append(f"sink {name}: no positive demand")
                return
            self.series[name] = energy / annual
            self.techs[name] = {"kind": "demand", "node": NODE, "carrier": carrier, "annual": annual, "profile": name}
        elif costs is not None and (costs < 0).any():
            price = -float(costs[0]) if np.allclose(costs, costs[0]) else self._profile(f"{name}_price", -costs)
            self.techs[name] = {"kind": "market", "node": NODE, "carrier": carrier, "export_price": price,
                                **self.sizes(flow)}
        elif costs is not None and costs.any():
            self.carriers[carrier]["excess_cost"] = self.constant(flow.variable_costs, f"sink {name} variable_costs")
        else:
            self.carriers[carrier]["free_disposal"] = True
            if flow.nominal_capacity is not None:
                self.notes.append(f"sink {name}: a bounded free sink becomes unbounded free disposal")

    def _converter(self, node) -> None:
        name = _name(node)
        inputs, outputs = list(node.inputs.items()), list(node.outputs.items())
        factors = {bus: self.constant(node.conversion_factors[bus], f"converter {name} conversion factor")
                   for bus, _ in inputs + outputs}
        main_bus, _ = inputs[0]
        # per unit of the main input x: output o = x·f[o]/f[main], further input i = x·f[i]/f[main]
        ratio = {bus: factors[bus] / factors[main_bus] for bus, _ in inputs + outputs}
        outputs_spec = {self.carrier(bus): ratio[bus] for bus, _ in outputs}
        for bus, _ in inputs[1:]:
            outputs_spec[self.carrier(bus)] = outputs_spec.get(self.carrier(bus), 0.0) - ratio[bus]
        vom = 0.0
        sized = [(bus, flow) for bus, flow in inputs + outputs if flow.nominal_capacity is not None
                 or flow.investment is not None]
        for bus, flow in inputs + outputs:
            self.unsupported(flow, f"converter {name}")
            vom += ratio[bus] * self.constant(flow.variable_costs, f"converter {name} variable_costs")
        if len(sized) > 1:
            self.notes.append(f"converter {name}: several flows carry a capacity; {_name(sized[0][0])}'s is kept")
        spec = {"kind": "conversion", "node": NODE, "input": self.carrier(main_bus), "outputs": outputs_spec,
                "vom": vom, **(self.sizes(sized[0][1], ratio[sized[0][0]]) if sized else {"build_max": UNBOUNDED})}
        positive = [c for c, r in outputs_spec.items() if r > 0]
        if len(positive) > 1:
            spec["product"] = positive[0]
        self.techs[name] = spec

    def _genericstorage(self, node) -> None:
        name = _name(node)
        ((bus, inflow),) = node.inputs.items()
        ((_, outflow),) = node.outputs.items()
        carrier = self.carrier(bus)
        for flow in (inflow, outflow):
            self.unsupported(flow, f"storage {name}")
            if flow.investment is not None:
                self.missing.append(f"storage {name}: an investment in its in- or outflow")
        spec = {"kind": "storage", "node": NODE, "carrier": carrier, **self.sizes(outflow),
                "efficiency_charge": self.constant(node.inflow_conversion_factor, f"storage {name} inflow factor"),
                "efficiency_discharge": self.constant(node.outflow_conversion_factor, f"storage {name} outflow factor"),
                "standing_loss": self.constant(node.loss_rate, f"storage {name} loss_rate"),
                "vom": self.constant(outflow.variable_costs, f"storage {name} variable_costs"),
                "vom_charge": self.constant(inflow.variable_costs, f"storage {name} inflow variable_costs")}
        if inflow.nominal_capacity is not None and inflow.nominal_capacity != outflow.nominal_capacity:
            spec["charge_capacity"] = float(inflow.nominal_capacity)
        if node.investment is not None:
            invest = node.investment
            maximum = self.constant(invest.maximum, "investment maximum")
            spec.update(energy_capacity=float(invest.existing or 0.0),
                        build_max_energy=maximum if np.isfinite(maximum) else 1e9,
                        capex_energy=self.constant(invest.ep_costs, "ep_costs") * self.scale, life=1)
            if not np.isfinite(maximum):
                self.notes.append(f"storage {name}: an unbounded energy investment is bounded at 1e9 MWh")
        else:
            spec["energy_capacity"] = float(node.nominal_storage_capacity or 0.0)
        if node.initial_storage_level is not None:
            spec["initial_level"] = float(node.initial_storage_level)
            if node.balanced:
                spec["final_level"] = float(node.initial_storage_level)
                self.notes.append(f"storage {name}: balanced (end level = initial) becomes end level ≥ initial")
        elif not node.balanced:
            self.missing.append(f"storage {name}: an unbalanced store with a free initial level")
        levels = [self.values(getattr(node, attribute, None)) for attribute in ("min_storage_level", "max_storage_level")]
        if (levels[0] is not None and levels[0].any()) or (levels[1] is not None and (levels[1] < 1).any()):
            self.missing.append(f"storage {name}: storage level bounds")
        self.techs[name] = spec

    def _profile(self, column: str, values: np.ndarray) -> str:
        self.series[column] = values
        return column

    # ---- writing ----------------------------------------------------------------------------------------
    def write(self, out: Path, name: str) -> None:
        start = pd.Timestamp(self.index[0])
        case = {"name": name, "year": int(start.year), "discount_rate": 0.0,
                "time": time_section(start, self.hours, self.step),
                "carriers": self.carriers, "nodes": {NODE: {}}, "policy": {"voll": VOLL},
                "sources": {"all": f"imported from the oemof-solph energy system {name} (energy-model import "
                                   "oemof)"}}
        if not self.series:
            self.series["flat"] = np.ones(self.steps)
        write_case(out, case, self.techs, self.series, start, self.steps, self.step, self.missing, self.notes,
                   source=name, cost_note="ep_costs are oemof's")
