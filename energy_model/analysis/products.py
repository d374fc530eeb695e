"""What the loads make and what it costs the system: annual products, green share, levelised costs.

Computed from the results Dataset (flows, marginal prices, costs) and the plants' product names, so the
figures are system-level and always agree with the solved model.

**Green share.** The hourly renewable share of an electricity bus is

    s[b,t] = Σ_renewable supply / Σ (renewable + thermal + import + link) supply      (storage excluded:
                                                                                       it carries the hour's mix)

Grid imports and links count as not green (the grid mix is not traced). A plant's green share is the green
part of the electricity embodied in its inputs: its own electricity weighted by s[b,t] hour by hour, plus
non-electric inputs (hydrogen into methanol) at their bus's annual embodied and green electricity per
unit. A bus's embodied electricity per unit is the embodied electricity of the plants whose *main product*
it is, divided by everything delivered into it (by-products, such as chlor-alkali hydrogen, and purchases
carry none). Product green share = green / total embodied electricity over the plants making it.

**Levelised cost** of a plant's main product (CNY per unit of it, CNY/kg H2 for hydrogen):

    [investment + fixed O&M + variable O&M and starts + Σ_t w_t·price[b,t]·(inputs) − Σ_t w_t·price[b,t]·(by-products)]
    / Σ_t w_t·product[t]

with every input and by-product valued at the marginal price (dual) of its bus in the hour it flows:
electricity at the hourly marginal price, hydrogen into synthesis at the hydrogen bus's price, CO2 at its
purchase price. Marginal valuation charges a plant what its use costs the system then; a plant that only
runs in cheap hours is credited for it. Sunk capacity carries no investment. The average supply cost is
not used: it would charge a flexible electrolyser the cost of hours it avoids.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..constants import ELECTRICITY, GENERATOR, GRID_CONNECTION, LOAD, PLANT, RENEWABLE
from ..model.components.conversion import electricity_per_input
from ..results.dataset import carrier_units, has_role
from ..results.netcdf import set_units

SUPPLY_ROLES = (GENERATOR, *GRID_CONNECTION)  # what brings electricity onto a bus from outside its consumers
COST_PARTS = ("investment", "fixed_om", "operation", "electricity", "other_inputs", "by_product_credit")
OPERATION = ("variable_om", "startup")
KG_PER_T = 1000.0


def electricity_intensity(technologies: dict) -> dict[str, float]:
    """Electricity per unit of each product along its chain, from the plants' ratios [MWh per unit].

    A product made by several plants takes their mean; inputs nobody makes (purchased CO2) count zero.
    This is how a planner turns a plan quantity into electricity: 49 kt methanol x 0.195 t H2/t x 55 MWh/t H2 ...
    """
    plants = [t for t in technologies.values() if t.has(PLANT)]
    intensity = {ELECTRICITY: 1.0}
    for _ in range(len(plants) + 1):  # enough passes for any chain without cycles
        per_product: dict[str, list[float]] = {}
        for tech in plants:
            upstream = sum(-tech.ratio(c) * intensity.get(c, 0.0) for c in tech.outputs
                           if c != ELECTRICITY and tech.ratio(c) < 0)
            feed = intensity.get(tech.input, 0.0) if tech.input != ELECTRICITY else 0.0
            per_input = electricity_per_input(tech) + upstream + feed
            per_product.setdefault(tech.product, []).append(per_input / tech.ratio(tech.product))
        intensity.update({c: float(np.mean(v)) for c, v in per_product.items() if c != ELECTRICITY})
    return intensity


def add_results(ds: xr.Dataset, technologies: dict) -> xr.Dataset:
    """``ds`` with product, green-share and levelised-cost variables added."""
    techs = [str(g) for g in ds["tech"].values]
    products = {g: _product(technologies[g]) for g in techs}
    ds = ds.assign_coords(tech_product=("tech", [products[g] or "" for g in techs]))
    w = ds["weight"]
    year = float(ds.attrs.get("year_fraction", float(w.sum()) / 8760.0))
    flow = ds["flow"]
    bus_of = _bus_lookup(ds)

    share = _hourly_green_share(ds)
    share.attrs = {"units": "fraction", "long_name": "hourly green share",
                   "description": "renewable share of the supply into each electricity bus (storage excluded)"}
    ds["green_share_hourly"] = share

    totals = (flow * w).sum("time")  # (bus, tech) over the horizon
    inputs = (flow.clip(max=0) * w).sum("time")
    electric = ds["bus_carrier"] == ELECTRICITY
    electricity = -totals.where(electric, 0).sum("bus")
    green_electricity = -(flow.where(electric, 0) * share.fillna(0) * w).sum(("bus", "time"))

    output = np.zeros(len(techs))
    for i, g in enumerate(techs):
        if technologies[g].has(PLANT) and bus_of(g, products[g]):  # no bus: the plant never runs
            output[i] = float(totals.sel(bus=bus_of(g, products[g]), tech=g))
        elif technologies[g].has(LOAD):
            output[i] = float((ds["demand"].sel(tech=g) * w).sum())
    embodied, green = _embodied(ds, technologies, products, electricity, green_electricity, inputs, totals)

    amount = carrier_units(ds)
    product_amount = [amount.get(products[g], "t") if products[g] else "" for g in techs]
    ds["annual_output"] = ("tech", output / year, {"long_name": "annual output of the main product",
                                                   "description": "main product of a plant, quantity taken by a demand"})
    ds = set_units(ds, "annual_output", [f"{u}/yr" if u else "" for u in product_amount], "annual_output_unit")
    ds["annual_electricity"] = ("tech", electricity.values / year, {"units": "MWh/yr", "description": "net electricity drawn"})
    with np.errstate(invalid="ignore", divide="ignore"):
        ds["green_share"] = ("tech", np.where(embodied > 1e-9, green / embodied, np.nan),
                             {"units": "fraction", "description": "renewable share of the electricity embodied"})
    ds["levelised_cost"] = (("tech", "cost_part"), _levelised(ds, technologies, products, output),
                            {"long_name": "levelised cost of the main product",
                             "description": "system-level, see energy_model.products"})
    ds = ds.assign_coords(cost_part=list(COST_PARTS))
    ds = set_units(ds, "levelised_cost", [f"CNY/{u}" if u else "" for u in product_amount], "levelised_cost_unit")
    return _by_product(ds, technologies, products, output, embodied, green, year)


def _product(tech) -> str | None:
    if tech.has(PLANT):
        return tech.product
    if tech.has(LOAD):
        return tech.carrier
    return None


def _bus_lookup(ds: xr.Dataset):
    nodes = dict(zip(map(str, ds["tech"].values), map(str, ds["tech_node"].values)))
    buses = set(map(str, ds["bus"].values))

    def bus_of(g: str, carrier: str) -> str | None:
        bus = f"{nodes[g]}/{carrier}"
        return bus if bus in buses else None
    return bus_of


def _hourly_green_share(ds: xr.Dataset) -> xr.DataArray:
    supply = ds["flow"].clip(min=0)
    green = supply.where(has_role(ds, RENEWABLE), 0).sum("tech")
    total = supply.where(has_role(ds, *SUPPLY_ROLES), 0).sum("tech")
    share = (green / total.where(total > 0)).where(ds["bus_carrier"] == ELECTRICITY)
    mean = (green * ds["weight"]).sum("time") / (total * ds["weight"]).sum("time").where(lambda x: x > 0)
    return share.fillna(mean).where(ds["bus_carrier"] == ELECTRICITY)


def _embodied(ds, technologies, products, electricity, green_electricity, inputs, totals):
    """Electricity (and its green part) embodied in each plant's inputs over the horizon; see module doc."""
    techs = [str(g) for g in ds["tech"].values]
    buses = [str(b) for b in ds["bus"].values]
    electric = (ds["bus_carrier"] == ELECTRICITY).values
    plant = np.array([technologies[g].has(PLANT) for g in techs])
    bus_index = {b: i for i, b in enumerate(buses)}
    made_into = np.array([bus_index.get(f"{n}/{products[g]}", -1) if plant[i] else -1
                          for i, (g, n) in enumerate(zip(techs, map(str, ds["tech_node"].values)))])
    producing = has_role(ds, PLANT, *GRID_CONNECTION).values
    delivered = np.where(producing[None, :], totals.clip(min=0).values, 0.0).sum(axis=1)  # per bus
    used = np.where(electric[:, None] | ~plant[None, :], 0.0, -inputs.values)  # non-electric inputs of plants
    own, own_green = np.where(plant, electricity.values, 0.0), np.where(plant, green_electricity.values, 0.0)
    per_unit, per_unit_green = np.zeros(len(buses)), np.zeros(len(buses))
    for _ in range(int(plant.sum()) + 1):  # enough passes for any chain without cycles
        embodied = own + used.T @ per_unit
        green = own_green + used.T @ per_unit_green
        sums, sums_green = np.zeros(len(buses)), np.zeros(len(buses))
        np.add.at(sums, made_into[made_into >= 0], embodied[made_into >= 0])
        np.add.at(sums_green, made_into[made_into >= 0], green[made_into >= 0])
        with np.errstate(invalid="ignore", divide="ignore"):
            per_unit = np.where(delivered > 0, sums / delivered, 0.0)
            per_unit_green = np.where(delivered > 0, sums_green / delivered, 0.0)
    load = np.array([technologies[g].has(LOAD) and technologies[g].carrier == ELECTRICITY for g in techs])
    embodied = np.where(load, electricity.values, embodied)  # a load on an electricity bus embodies what it draws
    green = np.where(load, green_electricity.values, green)
    return embodied, green


def _levelised(ds, technologies, products, output) -> np.ndarray:
    techs = [str(g) for g in ds["tech"].values]
    result = np.full((len(techs), len(COST_PARTS)), np.nan)
    value = (ds["flow"] * ds["marginal_price"] * ds["weight"])  # CNY, + = delivered into the bus
    carriers = ds["bus_carrier"]
    cost = ds["cost"]
    for i, g in enumerate(techs):
        if not technologies[g].has(PLANT) or output[i] <= 0:
            continue
        own = value.sel(tech=g)
        product_bus = carriers.bus == f"{ds['tech_node'].sel(tech=g).item()}/{products[g]}"
        electric = carriers == ELECTRICITY
        other = ~electric & ~product_bus
        owner = cost.sel(cost_owner=g)
        parts = {
            "investment": float(owner.sel(cost_category="investment")) if "investment" in cost.cost_category else 0.0,
            "fixed_om": float(owner.sel(cost_category="fixed_om")) if "fixed_om" in cost.cost_category else 0.0,
            "operation": sum(float(owner.sel(cost_category=c)) for c in OPERATION if c in cost.cost_category),
            "electricity": -float(own.where(electric, 0).sum()),
            "other_inputs": -float(own.clip(max=0).where(other, 0).sum()),
            "by_product_credit": -float(own.clip(min=0).where(other, 0).sum()),
        }
        result[i] = [parts[p] / output[i] for p in COST_PARTS]
    return result


def _by_product(ds, technologies, products, output, embodied, green, year) -> xr.Dataset:
    """Per product carrier: made, delivered, target, green share and levelised cost over its plants."""
    techs = [str(g) for g in ds["tech"].values]
    plants = [i for i, g in enumerate(techs) if technologies[g].has(PLANT) and products[g] != ELECTRICITY]
    names = sorted({products[techs[i]] for i in plants})
    if not names:
        return ds
    made, delivered, target, share = [], [], [], []
    cost = np.zeros((len(names), len(COST_PARTS)))
    lc = ds["levelised_cost"].values
    for k, c in enumerate(names):
        makers = [i for i in plants if products[techs[i]] == c]
        takers = [i for i, g in enumerate(techs) if technologies[g].has(LOAD) and products[g] == c]
        total = sum(output[i] for i in makers)
        made.append(total / year)
        delivered.append(sum(output[i] for i in takers) / year)
        goals = [technologies[techs[i]].annual for i in takers if technologies[techs[i]].price is None]
        target.append(sum(goals) if goals else np.nan)
        e = sum(embodied[i] for i in makers)
        share.append(sum(green[i] for i in makers) / e if e > 1e-9 else np.nan)
        cost[k] = sum(np.nan_to_num(lc[i]) * output[i] for i in makers) / total if total > 0 else np.nan
    ds = ds.assign_coords(product=names)
    amount = carrier_units(ds)
    per_year = [f"{amount.get(c, 't')}/yr" for c in names]
    ds["product_made"] = ("product", made, {"long_name": "product made"})
    ds["product_delivered"] = ("product", delivered, {"long_name": "product delivered", "description": "taken by demands"})
    ds["product_target"] = ("product", target, {"long_name": "product target", "description": "annual quantities to deliver"})
    for name in ("product_made", "product_delivered", "product_target"):
        ds = set_units(ds, name, per_year, "product_unit")
    ds["product_green_share"] = ("product", share, {"units": "fraction"})
    ds["product_levelised_cost"] = (("product", "cost_part"), cost, {"long_name": "levelised cost of the product"})
    ds = set_units(ds, "product_levelised_cost", [f"CNY/{amount.get(c, 't')}" for c in names], "product_price_unit")
    return ds



def summary_rows(ds: xr.Dataset) -> pd.DataFrame:
    """KPI rows for summary.csv: per product made, delivered, green share, levelised cost (and per kg H2)."""
    rows: list[tuple[str, float, str]] = []
    if "product" not in ds.dims:
        return pd.DataFrame(rows, columns=["kpi", "value", "unit"])
    units = carrier_units(ds)
    for c in map(str, ds["product"].values):
        if not ds["product_made"].sel(product=c) and not ds["product_target"].sel(product=c) > 0:
            continue  # no plant makes it and nothing asks for it in this scenario
        lc = float(ds["product_levelised_cost"].sel(product=c).sum(min_count=1))
        unit = units.get(c, "t")  # heat in MWh, products in t
        rows += [(f"product_made_{c}", float(ds["product_made"].sel(product=c)), f"{unit}/yr"),
                 (f"product_delivered_{c}", float(ds["product_delivered"].sel(product=c)), f"{unit}/yr"),
                 (f"green_share_{c}", float(ds["product_green_share"].sel(product=c)), "fraction"),
                 (f"levelised_cost_{c}", lc, f"CNY/{unit}")]
        if c == "hydrogen":
            rows.append(("levelised_cost_hydrogen_per_kg", lc / KG_PER_T, "CNY/kg"))
    for g in map(str, ds["tech"].values[(has_role(ds, PLANT) & (ds["capacity"] > 0)).values]):
        rows.append((f"electricity_use_{g}", float(ds["annual_electricity"].sel(tech=g)) / 1e3, "GWh/yr"))
    return pd.DataFrame(rows, columns=["kpi", "value", "unit"])


def product_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per plant making something: product, output, electricity, green share, levelised cost parts."""
    plants = list(map(str, ds["tech"].values[(has_role(ds, PLANT) & (ds["capacity"] > 0)).values]))
    frame = pd.DataFrame({
        "tech": plants,
        "product": [str(ds["tech_product"].sel(tech=g).item()) for g in plants],
        "annual_output": [float(ds["annual_output"].sel(tech=g)) for g in plants],
        "annual_electricity_mwh": [float(ds["annual_electricity"].sel(tech=g)) for g in plants],
        "green_share": [float(ds["green_share"].sel(tech=g)) for g in plants],
    })
    for part in COST_PARTS:
        frame[f"lc_{part}"] = [float(ds["levelised_cost"].sel(tech=g, cost_part=part)) for g in plants]
    frame["lc_total"] = frame[[f"lc_{p}" for p in COST_PARTS]].sum(axis=1, min_count=1)
    return frame
