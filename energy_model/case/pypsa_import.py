"""A PyPSA network written as a case folder of this tool, with a report of what could not be carried over.

What maps, and how (PyPSA's names on the left):

    bus                       a node (the bus name) with the bus's carrier ("AC" and "" become electricity)
    generator, p_max_pu series  renewable: capacity factor column <name>, marginal_cost → vom
    generator, constant p_max_pu thermal on a fuel of its own: price = marginal_cost (heat_rate 1 per MWh), CO2
                              = carrier co2_emissions / efficiency per MWh; a constant p_max_pu < 1 makes it
                              renewable on a flat profile
    load                      demand: hourly p_set (annual × shape, the shape a column <name>)
    storage_unit              storage: p_nom, max_hours → duration, efficiencies, standing_loss, marginal_cost →
                              vom; cyclic, or initial_level from state_of_charge_initial
    link (same carrier)       link with its efficiency, bidirectional where p_min_pu = −1
    line                      a bidirectional link of s_nom (a transport model: no Kirchhoff voltage law)
    p_nom_extendable          build_min / build_max from p_nom_min / p_nom_max; capital_cost → capital_cost
                              × 8,760 / modelled hours (PyPSA charges it whole on any horizon, this tool per
                              share of the year), so the objectives agree
    GlobalConstraint on co2_emissions (≤)   policy.co2_cap, prorated likewise

Not carried (listed in IMPORT_REPORT.md): stores, links between carriers, transformers, unit commitment and
ramp attributes, snapshot weights other than one hour, quadratic costs, other global constraints. Capacity
that is not extendable is sunk: PyPSA's objective constant for it is left out, as this tool leaves it out.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import ELECTRICITY, HOURS_PER_YEAR
from ..errors import InputError
from .imported import VOLL, check_out, time_section, write_case


def import_network(path: str | Path, out: str | Path) -> Path:
    """Write the case folder ``out`` from the PyPSA network file ``path``; returns ``out``."""
    import pypsa

    out = Path(out)
    check_out(out)
    try:
        n = pypsa.Network(str(path))
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input
        raise InputError([f"{path}: not a PyPSA network PyPSA can read ({exc})"]) from None
    weights = n.snapshot_weightings["objective"].to_numpy(dtype=float)
    step = float(weights[0]) if len(weights) else 1.0
    if not np.allclose(weights, step) or not step.is_integer() or not 1 <= step <= 24:
        raise InputError([f"{path}: snapshot weights {sorted(set(weights.tolist()))[:3]}: only equal whole-hour steps "
                          "(1 to 24 h) are carried, as time.resolution; resample the network first"])
    importer = _Importer(n, len(weights), int(step))
    importer.run()
    importer.write(out, Path(path).stem)
    return out


class _Importer:
    def __init__(self, n, steps: int, resolution: int = 1):
        self.n, self.steps, self.resolution = n, steps, resolution
        self.hours = steps * resolution
        self.scale = HOURS_PER_YEAR / self.hours  # PyPSA's whole-horizon capital cost → this tool's per year
        self.techs: dict[str, dict] = {}
        self.fuels: dict[str, dict] = {}
        self.series: dict[str, np.ndarray] = {}
        self.carriers: dict[str, dict] = {}
        self.notes: list[str] = []
        self.missing: list[str] = []
        self.co2_cap: float | None = None

    def carrier(self, name) -> str:
        carrier = ELECTRICITY if name in ("AC", "DC", "", None) or (isinstance(name, float) and np.isnan(name)) \
            else str(name)
        self.carriers.setdefault(carrier, {"unit": "MWh"})
        return carrier

    def bus(self, name: str) -> tuple[str, str]:
        return str(name), self.carrier(self.n.buses.at[name, "carrier"])

    def sizes(self, row, nominal: str = "p_nom") -> dict:
        if not row[f"{nominal}_extendable"]:
            return {"capacity": float(row[nominal])}
        high = float(row[f"{nominal}_max"])
        spec = {"build_min": float(row[f"{nominal}_min"]), "build_max": high if np.isfinite(high) else None}
        if row["capital_cost"]:
            spec["capital_cost"] = float(row["capital_cost"]) * self.scale
        return spec

    def looks(self, row) -> dict:
        """The report group and colour of a component: its PyPSA carrier's name and colour (a hex one)."""
        carrier, carriers = str(row.get("carrier", "") or ""), self.n.carriers
        looks = {"group": re.sub(r"[^A-Za-z0-9_]", "_", carrier)} if carrier else {}
        color = str(carriers.at[carrier, "color"]) if carrier in carriers.index and "color" in carriers else ""
        if re.fullmatch(r"#[0-9A-Fa-f]{6}", color):
            looks["color"] = color
        return looks

    def varying(self, table: str, attribute: str, name: str):
        frame = getattr(self.n, f"{table}_t")[attribute]
        return frame[name].to_numpy(dtype=float) if name in frame.columns else None

    def run(self) -> None:
        n = self.n
        for name, row in n.generators.iterrows():
            node, carrier = self.bus(row["bus"])
            profile = self.varying("generators", "p_max_pu", name)
            spec = {"node": str(node), "carrier": carrier, **self.sizes(row), **self.looks(row)}
            if profile is not None or float(row["p_max_pu"]) < 1:
                self.series[name] = profile if profile is not None else np.full(self.steps, float(row["p_max_pu"]))
                spec.update(kind="renewable", profile=name, vom=float(row["marginal_cost"]))
            else:
                emissions = float(n.carriers.at[row["carrier"], "co2_emissions"]) \
                    if row["carrier"] in n.carriers.index and "co2_emissions" in n.carriers else 0.0
                fuel = f"{name}_fuel"
                self.fuels[fuel] = {"price": float(row["marginal_cost"]), "co2_factor": emissions / float(row["efficiency"]),
                                    "fossil": emissions > 0}
                spec.update(kind="thermal", fuel=fuel, heat_rate=1.0)
            self.techs[name] = spec
        for name, row in n.loads.iterrows():
            node, carrier = self.bus(row["bus"])
            values = self.varying("loads", "p_set", name)
            values = values if values is not None else np.full(self.steps, float(row["p_set"]))
            energy = values * self.resolution  # MWh in each step
            annual = float(energy.sum()) * self.scale
            if annual <= 0:
                self.missing.append(f"load {name}: no positive demand")
                continue
            self.series[name] = energy / annual  # the share of the year's demand in each step
            self.techs[name] = {"kind": "demand", "node": node, "carrier": carrier, "annual": annual, "profile": name}
        for name, row in n.storage_units.iterrows():
            node, carrier = self.bus(row["bus"])
            spec = {"kind": "storage", "node": node, "carrier": carrier, **self.sizes(row), **self.looks(row),
                    "duration": float(row["max_hours"]), "efficiency_charge": float(row["efficiency_store"]),
                    "efficiency_discharge": float(row["efficiency_dispatch"]),
                    "standing_loss": float(row["standing_loss"]), "vom": float(row["marginal_cost"])}
            if not row["cyclic_state_of_charge"]:  # PyPSA's default: start from state_of_charge_initial MWh
                start, energy = float(row["state_of_charge_initial"]), float(row["max_hours"]) * float(row["p_nom"])
                if start == 0:
                    spec["initial_level"] = 0.0
                elif row["p_nom_extendable"] or energy <= 0:
                    self.missing.append(f"storage_unit {name}: an initial level in MWh on an extendable unit")
                else:
                    spec["initial_level"] = start / energy
            self.techs[name] = spec
        for name, row in n.links.iterrows():
            (from_node, from_carrier), (to_node, to_carrier) = self.bus(row["bus0"]), self.bus(row["bus1"])
            if from_carrier != to_carrier:
                self.missing.append(f"link {name}: between carriers {from_carrier} and {to_carrier}")
                continue
            self.techs[name] = {"kind": "link", "node": from_node, "to_node": to_node, "carrier": from_carrier,
                                "efficiency": float(row["efficiency"]), "bidirectional": bool(row["p_min_pu"] <= -1),
                                **self.sizes(row)}
        for name, row in n.lines.iterrows():
            (from_node, carrier), (to_node, _) = self.bus(row["bus0"]), self.bus(row["bus1"])
            self.techs[name] = {"kind": "link", "node": from_node, "to_node": to_node, "carrier": carrier,
                                "bidirectional": True, **self.sizes(row, "s_nom")}
            self.notes.append(f"line {name}: a transport link of its s_nom (no Kirchhoff voltage law)")
        for table in ("stores", "transformers"):
            self.missing += [f"{table[:-1]} {name}" for name in getattr(n, table).index]
        for name, row in n.global_constraints.iterrows():
            if row.get("carrier_attribute") == "co2_emissions" and row.get("sense") == "<=":
                self.co2_cap = float(row["constant"]) * self.scale
            else:
                self.missing.append(f"global constraint {name}")

    def write(self, out: Path, name: str) -> None:
        n = self.n
        snapshots = n.snapshots
        start = pd.Timestamp(snapshots[0]) if isinstance(snapshots, pd.DatetimeIndex) else pd.Timestamp("2030-01-01")
        case = {"name": name, "year": int(start.year), "discount_rate": 0.0,
                "time": time_section(start, self.hours, self.resolution),
                "carriers": self.carriers, "nodes": {str(b): {} for b in n.buses.index},
                "fuels": self.fuels, "policy": {"voll": VOLL}}
        if self.co2_cap is not None:
            case["policy"]["co2_cap"] = self.co2_cap
        case["sources"] = {"all": f"imported from the PyPSA network {name} (energy-model import pypsa)"}
        write_case(out, case, self.techs, self.series, start, self.steps, self.resolution, self.missing, self.notes,
                   source=name, cost_note="capital costs are PyPSA's")
