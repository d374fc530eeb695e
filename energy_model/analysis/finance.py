"""Investor economics of a project: yearly cash flows, NPV, IRR, payback and levelised costs.

A project (schema.Project) is a named set of technologies; its ``finance`` section gives the WACC, life,
construction schedule, tax and product prices. The solved model year stands for every operating year (real
terms, no escalation or degradation). Cash flows are positive when money comes in. For year i of the
project (i = 0 is the first construction year, operation starts after ``len(construction)`` years):

    capex        −Σ_g (capex_g·new capacity_g + capex_energy_g·new energy_g) × construction share_i
    replacement  −capex of a technology whose life ends before the project's, in the year it ends
    residual     +straight-line value left in the last installment of each technology at the end
    operation    −fixed O&M, variable O&M, fuel, CO2, start-ups, purchases; +sales, product revenue
                 (the model's cost terms of the project's technologies ÷ the share of the year modelled);
                 a product under ``contracts`` earns share·contract price + (1 − share)·merchant price;
                 ``green_certificates`` earns its price per MWh of self-consumed new energy (S of
                 analysis/compliance.py), shared among the renewables by output
    tax          −tax_rate × max(0, profit − straight-line depreciation − losses carried forward)

    NPV = Σ_i cf_i/(1 + wacc)^i          IRR: NPV = 0          payback: first year with Σ_{j≤i} cf_j ≥ 0
    levelised cost of X = −PV(pre-tax cash flows of ``cost_of``) / PV(quantity of X), where the cash flows
                 leave out the sales of X itself when X is what ``produced_by`` make (LCOE of a wind farm,
                 LCOM) and keep them as a credit when X is what ``consumed_by`` take (the cost of supplying
                 a plant, net of the surplus sold); sales of other products are credits

Sunk capacity (``capacity``) has no capex: the investor evaluates what is built new. Everything a project's
tables hold is stored in the results Dataset (``finance_*`` variables), so reports, CSV and Excel are made
from results.nc alone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import numpy_financial as npf
import pandas as pd
import xarray as xr

from ..constants import ELECTRICITY, LOAD, MARKET, RENEWABLE, STORE
from ..results.dataset import has_role
from ..results.netcdf import set_units
from .compliance import totals

ITEMS = ("capex", "replacement", "residual_value", "fixed_om", "grid_charge", "variable_om", "fuel", "co2",
         "startup", "electricity_purchase", "electricity_sales", "other_purchase", "other_sales", "product_revenue",
         "green_certificates", "tax")
CAPITAL_ITEMS = ("capex", "replacement", "residual_value")
SALES = ("electricity_sales", "other_sales", "product_revenue")
# the factors of ProjectCashFlows.scaled and the items each multiplies; the tornado parameter moving each
SCALED_ITEMS = {**{item: "capex" for item in CAPITAL_ITEMS}, "electricity_purchase": "electricity",
                "electricity_sales": "electricity", "product_revenue": "product"}
SWING_FACTORS = {"capex": "capex", "electricity_price": "electricity", "product_price": "product"}
# cost categories of the model (results "cost") that are cash-flow items as they are; purchases and sales
# are split by carrier, investment is replaced by the capital items
OPERATING = ("fixed_om", "grid_charge", "variable_om", "fuel", "co2", "startup")


# ---- the arithmetic -------------------------------------------------------------------------------------


def npv(rate: float, flows) -> float:
    """Σ_i flows_i/(1 + rate)^i: the first flow is not discounted."""
    return float(npf.npv(rate, np.asarray(flows, dtype=float)))


def irr(flows) -> float:
    """Internal rate of return; NaN when the flows never change sign (no rate makes the NPV zero)."""
    flows = np.asarray(flows, dtype=float)
    if not (flows > 0).any() or not (flows < 0).any():
        return float("nan")
    return float(npf.irr(flows))


def payback_index(flows, rate: float | None = None) -> float:
    """Index of the first year whose cumulative (discounted at ``rate``, if given) cash flow is ≥ 0 after
    having been negative; NaN if it never pays back."""
    flows = np.asarray(flows, dtype=float)
    if rate is not None:
        flows = flows / (1.0 + rate) ** np.arange(len(flows))
    cumulative = np.cumsum(flows)
    started = np.maximum.accumulate(cumulative < 0)
    hits = np.flatnonzero(started & (cumulative >= 0))
    return float(hits[0]) if len(hits) else float("nan")


def levelised_cost(rate: float, costs, quantities) -> float:
    """PV(costs)/PV(quantities), costs positive; NaN without any quantity."""
    present = npv(rate, quantities)
    return npv(rate, costs) / present if present > 0 else float("nan")


def income_tax(profit: np.ndarray, rate, carry_years: int) -> np.ndarray:
    """Tax per year on ``profit`` (after depreciation) at ``rate`` (one rate, or one per year); a loss
    reduces the profits of up to ``carry_years`` later years, oldest loss first (China's enterprise income
    tax law allows five), also in a year of tax holiday."""
    rates = np.broadcast_to(np.asarray(rate, dtype=float), (len(profit),))
    tax = np.zeros(len(profit))
    losses: list[list[float]] = []  # [year, amount left]
    for year, value in enumerate(profit):
        losses = [loss for loss in losses if year - loss[0] <= carry_years and loss[1] > 0]
        if value < 0:
            if carry_years:
                losses.append([year, -value])
            continue
        taxable = value
        for loss in losses:
            used = min(loss[1], taxable)
            loss[1] -= used
            taxable -= used
        tax[year] = rates[year] * taxable
    return tax


# ---- cash flows of a project ----------------------------------------------------------------------------
@dataclass
class ProjectCashFlows:
    """Pre-tax cash flows per technology and item, the project's tax, and the quantities levelised costs use."""

    name: str
    first_year: int  # calendar year of index 0
    construction_years: int
    wacc: float
    by_tech: xr.DataArray  # (tech, item, year) CNY, tax item zero
    depreciation: np.ndarray  # (year,) CNY, straight line over each technology's life
    tax_rate: float = 0.0
    loss_carry_forward: int = 0
    quantities: dict[str, np.ndarray] = field(default_factory=dict)  # levelised name -> (year,) quantity
    levelised_scope: dict[str, list[str]] = field(default_factory=dict)
    # levelised name -> the carrier whose sales are its own revenue (left out of its costs); none for a
    # consumed quantity, whose surplus sold is a credit to the cost of supplying it
    levelised_carrier: dict[str, str] = field(default_factory=dict)
    sold_carrier: dict[str, str] = field(default_factory=dict)  # market or priced demand -> carrier it sells
    levelised_units: dict[str, str] = field(default_factory=dict)

    @property
    def tax(self) -> np.ndarray:
        """Income tax per year (≤ 0) on operating profit after depreciation."""
        items = self.by_tech.sum("tech")
        profit = (items.sum("item") - items.sel(item=list(CAPITAL_ITEMS)).sum("item")).values - self.depreciation
        operating = np.arange(len(profit)) >= self.construction_years
        return -income_tax(np.where(operating, profit, 0.0), self.tax_rate, self.loss_carry_forward)

    def scaled(self, capex: float = 1.0, electricity: float = 1.0, product: float = 1.0,
               wacc: float | None = None) -> "ProjectCashFlows":
        """The same project with capital, electricity prices or product prices scaled (dispatch held)."""
        factor = {"capex": capex, "electricity": electricity, "product": product}
        factors = {item: factor[key] for item, key in SCALED_ITEMS.items()}
        scale = xr.DataArray([factors.get(str(i), 1.0) for i in self.by_tech["item"].values],
                             coords={"item": self.by_tech["item"].values}, dims="item")
        return dataclasses.replace(self, by_tech=self.by_tech * scale, depreciation=self.depreciation * capex,
                                   wacc=self.wacc if wacc is None else wacc)

    @property
    def years(self) -> np.ndarray:
        return self.first_year + np.arange(self.by_tech.sizes["year"])

    def table(self) -> pd.DataFrame:
        """Items × calendar years, tax included, with a ``net`` row."""
        table = self.by_tech.sum("tech").to_pandas()
        table.loc["tax"] = self.tax
        table.loc["net"] = table.sum()
        table.columns = self.years
        return table

    def net(self) -> np.ndarray:
        return self.by_tech.sum(("tech", "item")).values + self.tax


def cash_flows(ds: xr.Dataset, config, name: str, capital: tuple | None = None) -> ProjectCashFlows:
    """The cash flows of project ``name`` from a solved results Dataset and its configuration.

    ``capital`` = (results, configuration) of another run whose investment is kept: a re-solve with every
    size fixed (the capacity-factor sensitivity) spends the capital of the original run.
    """
    capital_ds, capital_config = capital or (ds, config)
    project, case = config.case.projects[name], config.case
    finance, techs = project.finance, config.technologies
    life = int(round(finance.life or max(techs[g].life for g in project.technologies)))
    build = len(finance.construction)
    years = build + life
    fraction = float(ds.attrs["year_fraction"])
    flows = xr.DataArray(np.zeros((len(project.technologies), len(ITEMS), years)),
                         coords={"tech": list(project.technologies), "item": list(ITEMS), "year": np.arange(years)},
                         dims=("tech", "item", "year"))
    operating = slice(build, years)
    depreciation = np.zeros(years)
    certificates = _certificate_revenue(ds, config, name, fraction)
    for g in project.technologies:
        tech = techs[g]
        invested = _investment(capital_ds, g, capital_config.technologies[g])
        flows.loc[g, "capex", : build - 1] = -invested * np.asarray(finance.construction)
        tech_life = max(int(round(tech.life)), 1)
        starts = list(range(0, life, tech_life))
        for start in starts[1:]:
            flows.loc[g, "replacement", build + start] = -invested
        left = (starts[-1] + tech_life - life) / tech_life
        flows.loc[g, "residual_value", years - 1] = invested * left
        for start in starts:
            last = min(start + tech_life, life)
            depreciation[build + start: build + last] += invested / tech_life
        for item, value in _annual_operation(ds, config, project, g, fraction).items():
            flows.loc[g, item, operating] = value
        flows.loc[g, "green_certificates", operating] = certificates.get(g, 0.0)
    wacc = case.discount_rate if finance.wacc is None else finance.wacc
    result = ProjectCashFlows(name=name, first_year=case.year - build, construction_years=build, wacc=wacc,
                              by_tech=flows, depreciation=depreciation, tax_rate=finance.tax_rate,
                              loss_carry_forward=finance.loss_carry_forward)
    result.sold_carrier = {g: techs[g].carrier for g in project.technologies if techs[g].has(MARKET, LOAD)}
    for key, spec in finance.levelised.items():
        per_year = _annual_quantity(ds, spec, fraction)
        result.quantities[key] = np.where(np.arange(years) >= build, per_year, 0.0)
        result.levelised_scope[key] = list(spec.cost_of or project.technologies)
        if spec.produced_by is not None:
            result.levelised_carrier[key] = spec.carrier
        result.levelised_units[key] = f"CNY/{case.carriers[spec.carrier].unit}"
    return result


def _investment(ds: xr.Dataset, g: str, tech) -> float:
    """Capital spent on new capacity of ``g`` (power and, for stores sized separately, energy)."""
    spent = tech.capex_per_capacity() * float(ds["capacity_new"].sel(tech=g))
    if tech.has(STORE) and tech.duration is None and tech.capex_energy:
        new_energy = float(ds["energy_capacity"].sel(tech=g)) - tech.energy_capacity
        spent += tech.capex_energy * max(new_energy, 0.0)
    if tech.has(STORE) and tech.capex_charge and "charge_capacity" in ds:
        spent += tech.capex_charge * max(float(ds["charge_capacity"].sel(tech=g)) - tech.charge_capacity, 0.0)
    return spent


def _annual_operation(ds: xr.Dataset, config, project, g: str, fraction: float) -> dict[str, float]:
    """Yearly operating cash flows of technology ``g`` by item (costs negative)."""
    tech = config.technologies[g]
    cost = ds["cost"].sel(cost_owner=g)
    categories = set(ds["cost_category"].values)

    def spent(category: str) -> float:
        return float(cost.sel(cost_category=category)) / fraction if category in categories else 0.0

    items = {category: -spent(category) for category in OPERATING}
    electric = getattr(tech, "carrier", None) == ELECTRICITY
    items["electricity_purchase" if electric else "other_purchase"] = -spent("import")
    items["electricity_sales" if electric else "other_sales"] = -spent("export_revenue")
    carrier = getattr(tech, "carrier", None)
    price = project.finance.prices.get(carrier) if tech.has(LOAD) else None
    if price is not None:
        contract = project.finance.contracts.get(carrier)
        if contract is not None:
            price = contract.share * contract.price + (1 - contract.share) * price
        items["product_revenue"] = price * _delivered(ds, g, tech) / fraction
    return items


def _certificate_revenue(ds: xr.Dataset, config, name: str, fraction: float) -> dict[str, float]:
    """Yearly green-certificate revenue of project ``name`` per renewable, shared by output."""
    project = config.case.projects[name]
    price = project.finance.green_certificates
    if not price or project.direct_supply is None:
        return {}
    techs = config.technologies
    renewables = [g for g in project.technologies if techs[g].has(RENEWABLE)]
    output = {g: float((ds["flow"].sel(tech=g).clip(min=0).sum("bus") * ds["weight"]).sum()) for g in renewables}
    total = sum(output.values())
    self_consumed = max(totals(ds, config, name)["S"], 0.0)
    return {g: price * self_consumed * made / total / fraction for g, made in output.items()} if total > 0 else {}


def _delivered(ds: xr.Dataset, g: str, tech) -> float:
    """What a demand technology received over the horizon: its demand less its share of any unserved."""
    bus = f"{tech.node}/{tech.carrier}"
    taken = -ds["flow"].sel(bus=bus)
    demand = taken.sel(tech=g).values
    all_demand = taken.where(has_role(ds, LOAD), 0).sum("tech").values
    share = np.divide(demand, all_demand, out=np.zeros_like(demand), where=all_demand > 0)
    served = demand - share * ds["unserved"].sel(bus=bus).values
    return float(np.dot(served, ds["weight"].values))


def _annual_quantity(ds: xr.Dataset, spec, fraction: float) -> float:
    """Yearly output (or intake) of ``spec.carrier`` by the technologies ``spec`` names."""
    techs, sign = (spec.produced_by, 1.0) if spec.produced_by is not None else (spec.consumed_by, -1.0)
    buses = [str(b) for b, c in zip(ds["bus"].values, ds["bus_carrier"].values) if c == spec.carrier]
    flow = (sign * ds["flow"].sel(bus=buses, tech=techs)).clip(min=0).sum(("bus", "tech"))
    return float((flow * ds["weight"]).sum()) / fraction


# ---- key figures --------------------------------------------------------------------------------------
def metrics(flows: ProjectCashFlows) -> dict[str, float]:
    """NPV, IRR, paybacks (calendar years), capital spent and the levelised costs of ``flows``."""
    net = flows.net()
    values = {"npv": npv(flows.wacc, net), "irr": irr(net),
              "capex": -float(flows.by_tech.sel(item="capex").sum()), "wacc": flows.wacc}
    for key, rate in (("payback_year", None), ("discounted_payback_year", flows.wacc)):
        index = payback_index(net, rate)
        values[key] = flows.first_year + index if np.isfinite(index) else float("nan")
    for key, quantity in flows.quantities.items():
        scope = flows.levelised_scope[key]
        own = flows.by_tech.sel(tech=scope).sum(("tech", "item"))
        sellers = [g for g in scope if flows.sold_carrier.get(g) == flows.levelised_carrier.get(key)]
        own = own - flows.by_tech.sel(tech=sellers, item=list(SALES)).sum(("tech", "item"))
        values[key] = levelised_cost(flows.wacc, -own.values, quantity)
    return values


# ---- the tables of a project, stored in and read back from the results Dataset ---------------------------
METRIC_UNITS = {"npv": "CNY", "irr": "fraction", "capex": "CNY", "wacc": "fraction", "payback_year": "year",
                "discounted_payback_year": "year"}
# the Monte Carlo's figures (analysis/risk.py), when a project has a risk section
RISK_METRIC_UNITS = {"npv_p90": "CNY", "npv_p50": "CNY", "npv_p10": "CNY", "npv_probability_negative": "fraction"}
# the rates a feasibility statement's spreadsheet formulas need
RULES = ("wacc", "equity_rate", "surcharge")
# the key figures of the feasibility-study view (analysis/feasibility.py), when a project has one
FEASIBILITY_METRIC_UNITS = {"project_irr_pre_tax": "fraction", "project_irr_after_tax": "fraction",
                            "project_npv_after_tax": "CNY", "equity_irr": "fraction", "equity_npv": "CNY",
                            "dscr_min": "ratio", "dscr_mean": "ratio", "loan": "CNY",
                            "interest_during_construction": "CNY", "total_investment": "CNY"}
TORNADO_SIDES = ("low", "high")


@dataclass
class ProjectFinance:
    """Everything reported for one project."""

    name: str
    label_zh: str
    cashflows: pd.DataFrame  # items and "net" × calendar years [CNY]
    metrics: dict[str, float]
    units: dict[str, str]
    tornado: pd.DataFrame | None = None  # index parameter; columns setting_low/high, npv_low/high
    sweep: pd.DataFrame | None = None  # one row per design: capacity_<tech>, npv, levelised, optimum, status
    sweep_metric: str = ""  # the levelised cost the sweep shows
    statement: pd.DataFrame | None = None  # feasibility-study lines × calendar years (nominal CNY, DSCR a ratio)
    rules: dict[str, float] = field(default_factory=dict)  # the rates the statement's formulas use (RULES)
    risk_samples: np.ndarray | None = None  # NPV of each Monte Carlo draw [CNY]


def to_dataset(results: list[ProjectFinance]) -> xr.Dataset:
    """The finance tables of all projects as ``finance_*``, ``tornado_*`` and ``sweep_*`` variables."""
    if not results:
        return xr.Dataset()
    names = [r.name for r in results]
    years = sorted({int(y) for r in results for y in r.cashflows.columns})
    items = list(ITEMS) + ["net"]
    cash = np.full((len(names), len(items), len(years)), np.nan)
    for i, r in enumerate(results):
        table = r.cashflows.reindex(index=items)
        cash[i][:, [years.index(int(y)) for y in table.columns]] = table.to_numpy()
    metric_names = list(dict.fromkeys(k for r in results for k in r.metrics))
    units = {}
    for r in results:
        units.update({k: v for k, v in r.units.items() if k not in units})
    ds = xr.Dataset(coords={"fin_project": names, "fin_label_zh": ("fin_project", [r.label_zh for r in results]),
                            "fin_item": items, "fin_year": years, "fin_metric": metric_names,
                            "fin_metric_unit": ("fin_metric", [units[k] for k in metric_names])})
    ds["finance_cashflow"] = (("fin_project", "fin_item", "fin_year"), cash,
                              {"units": "CNY", "description": "real cash flows, inflows positive"})
    ds["finance_metric"] = (("fin_project", "fin_metric"),
                            [[r.metrics.get(k, np.nan) for k in metric_names] for r in results],
                            {"long_name": "finance metric", "description": "units in fin_metric_unit"})
    ds = set_units(ds, "finance_metric", list(ds["fin_metric_unit"].values), "fin_metric_unit")
    statements = [r for r in results if r.statement is not None]
    if statements:
        lines = list(dict.fromkeys(line for r in statements for line in r.statement.index))
        table = np.full((len(names), len(lines), len(years)), np.nan)
        for r in statements:
            part = r.statement.reindex(index=lines)
            table[names.index(r.name)][:, [years.index(int(y)) for y in part.columns]] = part.to_numpy()
        ds = ds.assign_coords(fin_line=lines, fin_rule=list(RULES))
        ds["finance_statement"] = (("fin_project", "fin_line", "fin_year"), table,
                                   {"long_name": "feasibility-study statement",
                                    "description": "nominal, inflows positive"})
        ds = set_units(ds, "finance_statement", ["ratio" if line == "dscr" else "CNY" for line in lines],
                       "fin_line_unit", dim="fin_line")
        ds["finance_rule"] = (("fin_project", "fin_rule"),
                              [[r.rules.get(k, np.nan) for k in RULES] for r in results],
                              {"units": "fraction",
                               "description": "discount rates and the VAT surcharge rate of the statement"})
    risky = [r for r in results if r.risk_samples is not None]
    if risky:
        samples = np.full((len(names), max(len(r.risk_samples) for r in risky)), np.nan)
        for r in risky:
            samples[names.index(r.name), : len(r.risk_samples)] = r.risk_samples
        ds = ds.assign_coords(risk_sample=np.arange(samples.shape[1]))
        ds["risk_npv"] = (("fin_project", "risk_sample"), samples,
                          {"units": "CNY", "description": "NPV of each Monte Carlo draw (analysis/risk.py)"})
    tornadoes = [r for r in results if r.tornado is not None]
    if tornadoes:
        parameters = list(dict.fromkeys(p for r in tornadoes for p in r.tornado.index))
        npv_, setting = (np.full((len(names), len(parameters), 2), np.nan) for _ in range(2))
        for r in tornadoes:
            table = r.tornado.reindex(parameters)
            i = names.index(r.name)
            npv_[i] = table[["npv_low", "npv_high"]].to_numpy()
            setting[i] = table[["setting_low", "setting_high"]].to_numpy()
        ds = ds.assign_coords(tornado_parameter=parameters, tornado_side=list(TORNADO_SIDES))
        ds["tornado_npv"] = (("fin_project", "tornado_parameter", "tornado_side"), npv_, {"units": "CNY"})
        ds["tornado_setting"] = (("fin_project", "tornado_parameter", "tornado_side"), setting,
                                 {"description": "factor on the base value, or the WACC itself"})
    sweeps = [r for r in results if r.sweep is not None]
    if sweeps:
        techs = list(dict.fromkeys(c.removeprefix("capacity_") for r in sweeps for c in r.sweep.columns
                                   if c.startswith("capacity_")))
        points = max(len(r.sweep) for r in sweeps)
        capacity = np.full((len(names), points, len(techs)), np.nan)
        npv_, levelised = (np.full((len(names), points), np.nan) for _ in range(2))
        optimum = np.zeros((len(names), points), bool)
        status = np.full((len(names), points), "", dtype=object)
        metric = [""] * len(names)
        for r in sweeps:
            i, n = names.index(r.name), len(r.sweep)
            for j, g in enumerate(techs):
                if f"capacity_{g}" in r.sweep:
                    capacity[i, :n, j] = r.sweep[f"capacity_{g}"].to_numpy()
            npv_[i, :n] = r.sweep["npv"].to_numpy()
            levelised[i, :n] = r.sweep["levelised"].to_numpy()
            optimum[i, :n] = r.sweep["optimum"].to_numpy()
            status[i, :n] = r.sweep["status"].to_numpy()
            metric[i] = r.sweep_metric
        ds = ds.assign_coords(sweep_point=np.arange(points), sweep_tech=techs,
                              sweep_metric=("fin_project", metric))
        ds["sweep_capacity"] = (("fin_project", "sweep_point", "sweep_tech"), capacity,
                                {"units": "MW (t/h for mass carriers)"})
        ds["sweep_npv"] = (("fin_project", "sweep_point"), npv_, {"units": "CNY"})
        ds["sweep_levelised"] = (("fin_project", "sweep_point"), levelised,
                                 {"description": "the levelised cost named in sweep_metric"})
        ds["sweep_optimum"] = (("fin_project", "sweep_point"), optimum,
                               {"description": "the optimiser's own design"})
        ds["sweep_status"] = (("fin_project", "sweep_point"), status.astype(str))
    return ds


def from_dataset(ds: xr.Dataset) -> list[ProjectFinance]:
    """The finance tables stored by :func:`to_dataset` (empty if the run had no project with finance)."""
    if "finance_cashflow" not in ds:
        return []
    results = []
    units = dict(zip(map(str, ds["fin_metric"].values), map(str, ds["fin_metric_unit"].values)))
    for name, label_zh in zip(map(str, ds["fin_project"].values), map(str, ds["fin_label_zh"].values)):
        cash = ds["finance_cashflow"].sel(fin_project=name).to_pandas().dropna(axis=1, how="all")
        cash.index, cash.columns = cash.index.astype(str), cash.columns.astype(int)
        values = ds["finance_metric"].sel(fin_project=name).to_series()
        statement = None
        if "finance_statement" in ds:
            statement = ds["finance_statement"].sel(fin_project=name).to_pandas().dropna(axis=1, how="all")
            statement = statement.dropna(how="all") if statement.size else None
        risk_samples = ds["risk_npv"].sel(fin_project=name).values if "risk_npv" in ds else None
        risk_samples = risk_samples[np.isfinite(risk_samples)] if risk_samples is not None else None
        known = (METRIC_UNITS | (FEASIBILITY_METRIC_UNITS if statement is not None else {})
                 | (RISK_METRIC_UNITS if risk_samples is not None and len(risk_samples) else {}))
        metrics = {str(k): float(v) for k, v in values.items() if str(k) in known or np.isfinite(v)}
        result = ProjectFinance(name=name, label_zh=label_zh, cashflows=cash, metrics=metrics,
                                units={k: units[k] for k in metrics})
        if risk_samples is not None and len(risk_samples):
            result.risk_samples = risk_samples
        if statement is not None:
            statement.index, statement.columns = statement.index.astype(str), statement.columns.astype(int)
            result.statement = statement
            result.rules = {str(k): float(v) for k, v in ds["finance_rule"].sel(fin_project=name).to_series().items()}
        if "tornado_npv" in ds:
            npv_ = ds["tornado_npv"].sel(fin_project=name).to_pandas()
            setting = ds["tornado_setting"].sel(fin_project=name).to_pandas()
            table = pd.DataFrame({"setting_low": setting["low"], "setting_high": setting["high"],
                                  "npv_low": npv_["low"], "npv_high": npv_["high"]}).dropna(how="all")
            table.index = table.index.astype(str)
            result.tornado = table if len(table) else None
        status = ds["sweep_status"].sel(fin_project=name).values.astype(str) if "sweep_status" in ds else []
        rows = np.asarray(status) != ""
        if rows.any():
            capacity = ds["sweep_capacity"].sel(fin_project=name).to_pandas()[rows].dropna(axis=1, how="all")
            sweep = capacity.rename(columns=lambda g: f"capacity_{g}").reset_index(drop=True)
            for column, var in (("npv", "sweep_npv"), ("levelised", "sweep_levelised"), ("optimum", "sweep_optimum"),
                                ("status", "sweep_status")):
                sweep[column] = ds[var].sel(fin_project=name).values[rows]
            sweep["optimum"] = sweep["optimum"].astype(bool)
            result.sweep, result.sweep_metric = sweep, str(ds["sweep_metric"].sel(fin_project=name).item())
        results.append(result)
    return results


def headline(r: ProjectFinance, money=None) -> str:
    """One line for the terminal: NPV, IRR, payback, the feasibility-study returns and DSCR when the project
    has them, and the levelised costs; ``money`` formats an amount in CNY (default: in 亿CNY)."""
    values = r.metrics
    money = money or (lambda value: f"{value / 1e8:,.2f} 亿CNY")

    def shown(key: str, name: str) -> str:
        value, unit = values[key], r.units[key]
        if not np.isfinite(value):
            return f"{name} –"
        if unit == "fraction":
            return f"{name} {value:.1%}"
        if unit == "ratio":
            return f"{name} {value:.2f}"
        return f"{name} {money(value)}"

    parts = [shown("npv", "NPV"), shown("irr", "IRR"),
             f"payback {values['payback_year']:.0f}" if np.isfinite(values["payback_year"]) else "no payback"]
    parts += [shown(key, name) for key, name in (("project_irr_after_tax", "project IRR after tax"),
                                                 ("equity_irr", "equity IRR"), ("dscr_min", "DSCR min"))
              if key in values]
    if "npv_p90" in values:
        parts.append(f"{shown('npv_p90', 'NPV P90')} (P(NPV<0) {values['npv_probability_negative']:.0%})")
    parts += [f"{key} {value:,.0f} {r.units[key]}" for key, value in values.items()
              if key not in METRIC_UNITS | FEASIBILITY_METRIC_UNITS | RISK_METRIC_UNITS and np.isfinite(value)]
    return f"project {r.name}: " + ", ".join(parts)


# ---- summary rows ---------------------------------------------------------------------------------------
SUMMARY_METRICS = ("npv", "irr", "project_irr_after_tax", "project_npv_after_tax", "equity_irr", "dscr_min",
                   "npv_p90", "npv_probability_negative")


def summary_rows(ds: xr.Dataset) -> pd.DataFrame:
    """KPI rows ``project.<name>.<figure>`` for summary.csv and the batch comparison: NPV, IRR, the
    feasibility-study returns and DSCR where the project has them, its levelised costs, and the direct-supply
    ratios (``compliance_value``) with their limits."""
    rows = []
    for r in from_dataset(ds):
        for key, value in r.metrics.items():
            if key in SUMMARY_METRICS or key not in METRIC_UNITS | FEASIBILITY_METRIC_UNITS | RISK_METRIC_UNITS:
                rows.append((f"project.{r.name}.{key}", value, r.units[key]))
    if "compliance_value" in ds:
        for project in map(str, ds["ds_project"].values):
            for rule in map(str, ds["ds_rule"].values):
                value = float(ds["compliance_value"].sel(ds_project=project, ds_rule=rule))
                limit = float(ds["compliance_limit"].sel(ds_project=project, ds_rule=rule))
                if np.isfinite(value):
                    rows += [(f"project.{project}.{rule}", value, "fraction"),
                             (f"project.{project}.{rule}_limit", limit, "fraction")]
    return pd.DataFrame(rows, columns=["kpi", "value", "unit"])
