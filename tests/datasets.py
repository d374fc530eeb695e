"""Results Datasets shaped like results.to_dataset, made by hand for the report and Excel tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

HOURS = 3 * 7 * 24
SL, CL = "shuangliao", "changling"
# tech -> (kind, node, main carrier, Chinese name)
TECHS = {
    "wind_1": ("renewable", SL, "electricity", "双辽风电一期"),
    "wind_2": ("renewable", SL, "electricity", "双辽风电二期"),
    "pv_1": ("renewable", SL, "electricity", "双辽光伏"),
    "coal_1": ("thermal", SL, "electricity", "双辽电厂"),
    "battery": ("storage", SL, "electricity", "电化学储能"),
    "h2_tank": ("storage", SL, "hydrogen", "储氢罐"),
    "electrolyser": ("conversion", SL, "electricity", "电解水制氢"),
    "load_sl": ("demand", SL, "electricity", "双辽负荷"),
    "load_cl": ("demand", CL, "electricity", "长岭负荷"),
    "h2_offtake": ("demand", SL, "hydrogen", "氢气需求"),
    "grid": ("market", SL, "electricity", "500千伏外送"),
    "line_1": ("link", SL, "electricity", "双辽—长岭线路"),
}
BUSES = [f"{SL}/electricity", f"{SL}/hydrogen", f"{CL}/electricity"]
CAPACITY = {"wind_1": 800.0, "wind_2": 500.0, "pv_1": 600.0, "coal_1": 660.0, "battery": 200.0, "h2_tank": 5.0,
            "electrolyser": 300.0, "grid": 1000.0, "line_1": 150.0}


def synthetic_dataset(hours: int = HOURS, start: str = "2030-01-01") -> xr.Dataset:
    """A results Dataset shaped like results.to_dataset: every kind, two electricity buses, one hydrogen bus."""
    rng = np.random.default_rng(0)
    techs = list(TECHS)
    time = pd.date_range(start, periods=hours, freq="h")
    hour_of_day = time.hour.to_numpy()
    index = {g: i for i, g in enumerate(techs)}
    bus = {b: i for i, b in enumerate(BUSES)}
    per_tech = {name: np.full((len(techs), hours), np.nan) for name in (
        "available", "curtailment", "fuel_use", "committed_capacity", "startup", "storage_charge",
        "storage_discharge", "storage_level", "conversion_input", "demand", "export", "import",
        "link_forward", "link_backward", "heat_output", "min_output")}
    flow = np.zeros((len(BUSES), len(techs), hours))

    def put(name, g, values, bus_name=None, coef=1.0):
        per_tech[name][index[g]] = values
        if bus_name:
            flow[bus[bus_name], index[g]] += coef * values

    elec, h2, elec_cl = BUSES
    for g, cf in (("wind_1", rng.uniform(0, 1, hours)), ("wind_2", rng.uniform(0, 1, hours)),
                  ("pv_1", np.clip(np.sin((hour_of_day - 6) / 12 * np.pi), 0, None))):
        available = CAPACITY[g] * cf
        curtailed = available * rng.uniform(0, 0.2, hours)
        put("available", g, available)
        put("curtailment", g, curtailed)
        flow[bus[elec], index[g]] += available - curtailed
    coal = rng.uniform(0.4, 1.0, hours) * CAPACITY["coal_1"]
    put("fuel_use", "coal_1", coal * 0.3)
    put("committed_capacity", "coal_1", np.full(hours, CAPACITY["coal_1"]))
    put("startup", "coal_1", np.zeros(hours))
    put("heat_output", "coal_1", np.full(hours, 200.0))
    put("min_output", "coal_1", np.full(hours, 0.4 * CAPACITY["coal_1"]))
    flow[bus[elec], index["coal_1"]] += coal
    for g, bus_name, energy in (("battery", elec, 800.0), ("h2_tank", h2, 50.0)):
        charging = hour_of_day < 12
        put("storage_charge", g, np.where(charging, CAPACITY[g] * 0.5, 0.0), bus_name, -1.0)
        put("storage_discharge", g, np.where(charging, 0.0, CAPACITY[g] * 0.5), bus_name)
        put("storage_level", g, energy * np.where(charging, hour_of_day / 12, (24 - hour_of_day) / 12))
    electrolysis = rng.uniform(0.3, 1.0, hours) * CAPACITY["electrolyser"]
    put("conversion_input", "electrolyser", electrolysis, elec, -1.0)
    flow[bus[h2], index["electrolyser"]] += 0.02 * electrolysis
    for g, bus_name, mean in (("load_sl", elec, 400.0), ("load_cl", elec_cl, 120.0), ("h2_offtake", h2, 5.0)):
        put("demand", g, mean * rng.uniform(0.8, 1.2, hours), bus_name, -1.0)
    put("export", "grid", rng.uniform(0, 800, hours), elec, -1.0)
    put("import", "grid", np.where(hour_of_day == 3, 50.0, 0.0), elec)
    forward = rng.uniform(0, CAPACITY["line_1"], hours)
    put("link_forward", "line_1", forward, elec, -1.0)
    put("link_backward", "line_1", np.zeros(hours))
    flow[bus[elec_cl], index["line_1"]] += 0.98 * forward

    categories = ["co2", "export_revenue", "fixed_om", "fuel", "import", "investment", "startup", "unserved",
                  "variable_om"]
    ds = xr.Dataset(coords={
        "time": time, "tech": techs, "bus": BUSES,
        "tech_kind": ("tech", [TECHS[g][0] for g in techs]),
        "tech_node": ("tech", [TECHS[g][1] for g in techs]),
        "tech_carrier": ("tech", [TECHS[g][2] for g in techs]),
        "tech_label_zh": ("tech", [TECHS[g][3] for g in techs]),
        "tech_group": ("tech", [g.split("_")[0] if TECHS[g][0] == "renewable" else "" for g in techs]),
        "bus_carrier": ("bus", [b.split("/", 1)[1] for b in BUSES]),
        "weight": ("time", np.ones(hours)),
        "cost_category": categories, "cost_owner": techs + ["system"],
    })
    ds["capacity"] = ("tech", [CAPACITY.get(g, 0.0) for g in techs])
    ds["capacity_unit"] = ("tech", ["t/h" if TECHS[g][2] == "hydrogen" else "MW" for g in techs])
    ds["capacity_new"] = ("tech", [CAPACITY.get(g, 0.0) / 2 for g in techs])
    ds["energy_capacity"] = ("tech", [{"battery": 800.0, "h2_tank": 50.0}.get(g, np.nan) for g in techs])
    ds["flow"] = (("bus", "tech", "time"), flow)
    ds["unserved"] = (("bus", "time"), np.zeros((len(BUSES), hours)))
    ds["marginal_price"] = (("bus", "time"), rng.uniform(0, 400, (len(BUSES), hours)))
    ds["cost"] = (("cost_category", "cost_owner"), rng.uniform(0, 1e8, (len(categories), len(techs) + 1)))
    ds["co2"] = ("tech", [float(coal.sum() * 0.3 * 2.6) if g == "coal_1" else 0.0 for g in techs])
    for name, values in per_tech.items():
        ds[name] = (("tech", "time"), values)
    ds.attrs.update(scenario="base_2030", objective=float(ds["cost"].sum()), solver_status="optimal",
                    inputs_hash="0123abcd", year_fraction=hours / 8760)
    return ds


def without_storage_and_renewables(ds: xr.Dataset) -> xr.Dataset:
    """What to_dataset writes for a case with neither: no such techs and no such variables."""
    keep = [g for g, kind in zip(ds.tech.values, ds.tech_kind.values) if kind not in ("storage", "renewable")]
    return ds.sel(tech=keep).drop_vars(["available", "curtailment", "storage_charge", "storage_discharge",
                                        "storage_level"])


# The tiny dataset: one electricity bus, one hydrogen bus, two snapshots weighted 2 h and 1 h.
#   hour 1: wind 80 (of 100 available, 20 curtailed) + coal 30 = battery charge 10 + load 60 + electrolyser 40
#   hour 2: wind 50 (of 50) + coal 40 + battery discharge 8 = load 60 + electrolyser 20 + export 18
# so over the horizon [MWh]: wind 210, curtailed 40, coal 100, storage losses 20 - 8 = 12, load 180,
# electrolyser 100, export 18; hydrogen 0.02 t/MWh: 0.8 t/h, 0.4 t/h → 2.0 t; coal (50 MW) starts 10 MW in
# hour 2: 0.2 starts, full-load hours 100 / 50 = 2, operating hours 3.
TINY_WEIGHTS = [2.0, 1.0]
TINY = {  # tech -> (kind, main carrier, capacity, capacity unit, electricity flow per hour)
    "wind": ("renewable", "electricity", 100.0, "MW", [80.0, 50.0]),
    "coal": ("thermal", "electricity", 50.0, "MW", [30.0, 40.0]),
    "battery": ("storage", "electricity", 10.0, "MW", [-10.0, 8.0]),
    "electrolyser": ("conversion", "electricity", 40.0, "MW", [-40.0, -20.0]),
    "h2_demand": ("demand", "hydrogen", 0.0, "t/h", [0.0, 0.0]),
    "load": ("demand", "electricity", 0.0, "MW", [-60.0, -60.0]),
    "export": ("market", "electricity", 100.0, "MW", [0.0, -18.0]),
}


def tiny_dataset() -> xr.Dataset:
    techs = list(TINY)
    buses = ["n/electricity", "n/hydrogen"]
    flow = np.zeros((2, len(techs), 2))
    for i, (_, _, _, _, power) in enumerate(TINY.values()):
        flow[0, i] = power
    h2 = 0.02 * np.array([40.0, 20.0])
    flow[1, techs.index("electrolyser")] = h2
    flow[1, techs.index("h2_demand")] = -h2
    nan = np.full((len(techs), 2), np.nan)

    def per_tech(values: dict[str, list[float]]) -> np.ndarray:
        array = nan.copy()
        for g, v in values.items():
            array[techs.index(g)] = v
        return array

    ds = xr.Dataset(coords={
        "time": pd.date_range("2030-03-01", periods=2, freq="h"), "tech": techs, "bus": buses,
        "tech_kind": ("tech", [v[0] for v in TINY.values()]), "tech_node": ("tech", ["n"] * len(techs)),
        "tech_carrier": ("tech", [v[1] for v in TINY.values()]), "tech_label_zh": ("tech", techs),
        "tech_group": ("tech", ["wind" if v[0] == "renewable" else "" for v in TINY.values()]),
        "bus_carrier": ("bus", ["electricity", "hydrogen"]), "weight": ("time", TINY_WEIGHTS),
        "cost_category": ["fuel"], "cost_owner": techs + ["system"],
    })
    ds["capacity"] = ("tech", [v[2] for v in TINY.values()])
    ds["capacity_unit"] = ("tech", [v[3] for v in TINY.values()])
    ds["capacity_new"] = ("tech", np.zeros(len(techs)))
    ds["energy_capacity"] = ("tech", [40.0 if g == "battery" else np.nan for g in techs])
    ds["flow"] = (("bus", "tech", "time"), flow)
    ds["unserved"] = (("bus", "time"), np.zeros((2, 2)))
    ds["marginal_price"] = (("bus", "time"), [[300.0, 0.0], [20000.0, 20000.0]])
    ds["available"] = (("tech", "time"), per_tech({"wind": [100.0, 50.0]}))
    ds["curtailment"] = (("tech", "time"), per_tech({"wind": [20.0, 0.0]}))
    ds["startup"] = (("tech", "time"), per_tech({"coal": [0.0, 10.0]}))
    ds["storage_level"] = (("tech", "time"), per_tech({"battery": [20.0, 10.0]}))
    ds["cost"] = (("cost_category", "cost_owner"), np.zeros((1, len(techs) + 1)))
    ds["co2"] = ("tech", np.zeros(len(techs)))
    ds.attrs.update(scenario="tiny", objective=0.0, solver_status="optimal", inputs_hash="tiny", year_fraction=3 / 8760)
    return ds
