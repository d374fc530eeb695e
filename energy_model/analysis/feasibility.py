"""Feasibility-study finance (可研): nominal statements, debt, VAT, income tax, project and equity returns.

The arithmetic only; :mod:`energy_model.analysis.finance` turns a solved run into the :class:`Streams` it
needs. Year index i runs over the construction years (0 … b−1) and the operating years (b … b+L−1); k = i − b + 1
is the operating year. Money is positive when it comes in. docs/finance.md gives every formula; in short:

    escalation   value_i = real value × (1 + e)^(i − b), e = price_escalation for energy and products,
                 inflation for capital and O&M
    VAT          out_i = Σ sales × r/(1+r),  in_i = Σ creditable costs × r/(1+r) + capex_i × capex_share
                 payable_i = max(0, out_i − in_i − credit_{i−1}),  credit_i = max(0, credit_{i−1} + in_i − out_i)
                 surcharges_i = surcharge × payable_i,  refund_i = refund × payable_i × refundable out_i / out_i
    loan         draw_i = share × capex_i;  IDC_i = rate × (B_{i−1} + draw_i/2), capitalised;
                 interest_k = rate × B_{k−1};  principal: 0 in grace years, then equal principal or annuity
    depreciation initial assets (capex − its VAT + IDC) × (1 − salvage)/D over D years; replacements
                 (net of VAT) over the years to the next replacement or the end
    income tax   taxable_k = EBITDA_k − depreciation_k − interest_k, losses carried forward;
                 rate × (0 in exempt years, ½ in half-rate years, 1 after)
    project      pre-tax = −capex − replacements − working capital + operating cash + residual + WC back
                 after-tax = pre-tax − tax on EBIT (调整所得税)
    equity       −(capex − draw) − replacements − WC equity share + operating cash − interest − principal
                 − WC loan interest − income tax + residual + WC back − WC loan repaid
    DSCR_k       (operating cash_k − income tax_k)/(interest_k + principal_k) in years with debt service
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..constants import GENERATOR, RENEWABLE
from .finance import income_tax, irr, npv

PRICE, COST = "price", "cost"  # which escalation a stream follows


@dataclass
class Stream:
    """One operating cash flow in real terms (base-year prices), positive when money comes in."""

    name: str
    values: np.ndarray  # (years,)
    vat_rate: float = 0.0  # VAT it carries: output VAT on sales, creditable input VAT on costs
    escalation: str = COST
    refundable: np.ndarray | float = 0.0  # share of its output VAT that qualifies for the VAT refund


@dataclass
class Replacement:
    """Capital spent during operation (a technology at the end of its life, an electrolyser's stacks)."""

    year: int  # year index
    amount: float  # ≥ 0, real, VAT included
    depreciation_years: int


@dataclass
class Streams:
    """What a solved run gives the feasibility study of one project."""

    construction: int  # years before operation
    life: int  # operating years
    capex: np.ndarray  # (years,) ≥ 0 real spending in construction years, VAT included
    streams: list[Stream]
    replacements: list[Replacement] = field(default_factory=list)


# the statement's lines, in the order a 可研 table shows them
LINES = ("sales", "operating_cost", "output_vat", "input_vat", "capex_vat", "vat_payable", "vat_credit",
         "vat_refund", "surcharges", "ebitda", "depreciation", "interest", "working_capital_interest",
         "profit_before_tax", "income_tax", "net_profit", "capex", "replacement", "loan_draw",
         "interest_during_construction", "loan_balance", "principal", "debt_service", "cfads", "dscr",
         "working_capital", "working_capital_loan", "residual_value", "adjusted_income_tax", "project_pre_tax",
         "project_after_tax", "equity")


def escalation_index(rate: float, construction: int, years: int) -> np.ndarray:
    """(1 + rate)^(i − b): 1 in the first operating year, the base year of the case's prices."""
    return (1.0 + rate) ** (np.arange(years) - construction)


def vat_with_credit(output_vat: np.ndarray, input_vat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """VAT payable each year and the input credit carried into the next (增值税留抵)."""
    payable, credit = np.zeros(len(output_vat)), np.zeros(len(output_vat))
    carried = 0.0
    for i, (out, inp) in enumerate(zip(output_vat, input_vat)):
        payable[i] = max(0.0, out - inp - carried)
        carried = max(0.0, carried + inp - out)
        credit[i] = carried
    return payable, credit


def loan_schedule(draws: np.ndarray, construction: int, rate: float, tenor: int, grace: int,
                  repayment: str) -> dict[str, np.ndarray]:
    """Interest during construction (drawn mid-year, capitalised), then interest and principal by year.

    Returns arrays over all years: ``idc``, ``interest``, ``principal`` and ``balance`` (end of year)."""
    years = len(draws)
    idc, interest, principal, balance = (np.zeros(years) for _ in range(4))
    owed = 0.0
    for i in range(construction):
        idc[i] = rate * (owed + draws[i] / 2.0)
        owed += draws[i] + idc[i]
        balance[i] = owed
    repaying = tenor - grace
    instalment = owed * rate / (1 - (1 + rate) ** -repaying) if rate > 0 else owed / repaying
    start = owed
    for k in range(tenor):
        i = construction + k
        if i >= years or owed <= 0:
            break
        interest[i] = rate * owed
        if k >= grace:
            due = start / repaying if repayment == "equal_principal" else instalment - interest[i]
            principal[i] = min(due, owed) if k < tenor - 1 else owed
        owed -= principal[i]
        balance[i] = owed
    return {"idc": idc, "interest": interest, "principal": principal, "balance": balance}


def straight_line(amount: float, first: int, years: int, horizon: int, salvage: float = 0.0) -> np.ndarray:
    """``amount`` × (1 − salvage) spread evenly over ``years`` from index ``first``, cut at ``horizon``."""
    out = np.zeros(horizon)
    out[first: min(first + years, horizon)] = amount * (1.0 - salvage) / years
    return out


def tax_rates(rate: float, construction: int, years: int, exempt: int, half: int) -> np.ndarray:
    """The income-tax rate of each year: none in construction and exempt years, half in half-rate years."""
    k = np.arange(years) - construction + 1
    factor = np.where(k <= 0, 0.0, np.where(k <= exempt, 0.0, np.where(k <= exempt + half, 0.5, 1.0)))
    return rate * factor


def statement(streams: Streams, rules, tax_rate: float, loss_carry_forward: int) -> pd.DataFrame:
    """The feasibility statement (lines × year index) of a project under ``rules`` (schema.Feasibility)."""
    b, years = streams.construction, streams.construction + streams.life
    operating = np.arange(years) >= b
    price_index = escalation_index(rules.price_escalation, b, years)
    cost_index = escalation_index(rules.inflation, b, years)
    vat = rules.vat

    sales, costs, out_vat, in_vat, refundable = (np.zeros(years) for _ in range(5))
    for s in streams.streams:
        nominal = np.asarray(s.values, float) * (price_index if s.escalation == PRICE else cost_index)
        rate = s.vat_rate if vat is not None else 0.0
        carried = np.abs(nominal) * rate / (1.0 + rate)
        if s.values.sum() >= 0:
            sales += nominal
            out_vat += carried
            refundable += carried * s.refundable
        else:
            costs -= nominal
            in_vat += carried
    capex = streams.capex * cost_index
    replacement = np.zeros(years)
    for r in streams.replacements:
        replacement[r.year] += r.amount * cost_index[r.year]
    capex_vat = (capex + replacement) * (vat.capex_share if vat is not None else 0.0)
    payable, credit = vat_with_credit(out_vat, in_vat + capex_vat)
    refund = np.zeros(years)
    if vat is not None and vat.refund:
        refund = vat.refund * payable * np.divide(refundable, out_vat, out=np.zeros(years), where=out_vat > 0)
    surcharges = payable * (vat.surcharge if vat is not None else 0.0)
    ebitda = (sales - out_vat) - (costs - in_vat) - surcharges + refund
    operating_cash = sales - costs - payable - surcharges + refund

    loan = rules.loan
    draws = capex * loan.share if loan is not None else np.zeros(years)
    debt = (loan_schedule(draws, b, loan.rate, loan.tenor, loan.grace, loan.repayment) if loan is not None
            else {key: np.zeros(years) for key in ("idc", "interest", "principal", "balance")})
    idc = debt["idc"].sum()

    vat_free = 1 - (vat.capex_share if vat is not None else 0.0)
    initial_assets = capex.sum() * vat_free + idc
    depreciation = straight_line(initial_assets, b, rules.depreciation_years or streams.life, years, rules.salvage)
    replaced_assets = 0.0
    for r in streams.replacements:
        replaced_assets += r.amount * cost_index[r.year] * vat_free
        depreciation += straight_line(r.amount * cost_index[r.year] * vat_free, r.year, r.depreciation_years, years)
    residual = np.zeros(years)
    residual[-1] = initial_assets + replaced_assets - depreciation.sum()  # book value left, salvage included

    working = np.zeros(years)
    wc_interest = np.zeros(years)
    if rules.working_capital and streams.life:
        amount = rules.working_capital * costs[b]
        working[b] -= amount
        working[-1] += amount
        wc_loan = amount * (1 - rules.working_capital_equity)
        wc_interest[operating] = wc_loan * rules.working_capital_rate
    else:
        wc_loan = 0.0

    rates = tax_rates(tax_rate, b, years, rules.tax_exempt_years, rules.tax_half_years)
    profit = ebitda - depreciation - debt["interest"] - wc_interest
    tax = income_tax(np.where(operating, profit, 0.0), rates, loss_carry_forward)
    adjusted = income_tax(np.where(operating, ebitda - depreciation, 0.0), rates, loss_carry_forward)

    debt_service = debt["interest"] + debt["principal"]
    cfads = operating_cash - tax
    dscr = np.divide(cfads, debt_service, out=np.full(years, np.nan), where=debt_service > 0)
    project_pre = -capex - replacement + working + operating_cash + residual
    wc_loan_flows = np.zeros(years)
    if wc_loan:
        wc_loan_flows[b] += wc_loan
        wc_loan_flows[-1] -= wc_loan
    equity = (-(capex - draws) - replacement + working + wc_loan_flows + operating_cash - debt_service - wc_interest
              - tax + residual)
    lines = {"sales": sales, "operating_cost": -costs, "output_vat": out_vat, "input_vat": in_vat, "capex_vat": capex_vat,
             "vat_payable": -payable, "vat_credit": credit, "vat_refund": refund, "surcharges": -surcharges,
             "ebitda": ebitda, "depreciation": -depreciation, "interest": -debt["interest"],
             "working_capital_interest": -wc_interest, "profit_before_tax": profit, "income_tax": -tax,
             "net_profit": profit - tax, "capex": -capex, "replacement": -replacement, "loan_draw": draws,
             "interest_during_construction": debt["idc"], "loan_balance": debt["balance"],
             "principal": -debt["principal"], "debt_service": -debt_service, "cfads": cfads, "dscr": dscr,
             "working_capital": working, "working_capital_loan": wc_loan_flows, "residual_value": residual, "adjusted_income_tax": -adjusted,
             "project_pre_tax": project_pre, "project_after_tax": project_pre - adjusted, "equity": equity}
    return pd.DataFrame(lines).T.reindex(list(LINES))


def metrics(table: pd.DataFrame, wacc: float, equity_rate: float | None) -> dict[str, float]:
    """Project and equity returns, DSCR and the size of the debt from a statement."""
    dscr = table.loc["dscr"].to_numpy(dtype=float)
    finite = dscr[np.isfinite(dscr)]
    values = {"project_irr_pre_tax": irr(table.loc["project_pre_tax"]),
            "project_irr_after_tax": irr(table.loc["project_after_tax"]),
            "project_npv_after_tax": npv(wacc, table.loc["project_after_tax"]),
            "equity_irr": irr(table.loc["equity"]),
            "equity_npv": npv(wacc if equity_rate is None else equity_rate, table.loc["equity"]),
            "dscr_min": float(finite.min()) if len(finite) else float("nan"),
            "dscr_mean": float(finite.mean()) if len(finite) else float("nan"),
            "loan": float(table.loc["loan_draw"].sum()),
            "interest_during_construction": float(table.loc["interest_during_construction"].sum()),
            "total_investment": float(-table.loc["capex"].sum() + table.loc["interest_during_construction"].sum()
                                      - table.loc["working_capital"].clip(upper=0).sum())}
    return values


# ---- from a solved run ------------------------------------------------------------------------------------
def streams_of(flows, ds, config, name: str) -> Streams:
    """The feasibility inputs of project ``name``: its real cash flows (finance.ProjectCashFlows ``flows``)
    split into streams that carry their VAT rate and escalation, plus the cost of degradation."""
    rules = config.case.projects[name].finance.feasibility
    techs = config.technologies
    vat = rules.vat
    b = flows.construction_years
    years = flows.by_tech.sizes["year"]
    life = years - b
    items = flows.by_tech

    def sale_rate(carrier: str | None) -> float:
        return 0.0 if vat is None else vat.product_rates.get(carrier, vat.rate)

    input_rate = 0.0 if vat is None else vat.input_rate
    refundable = _refundable_share(ds, config, name) if vat is not None and vat.refund else 0.0
    streams: list[Stream] = []
    for g in items["tech"].values:
        g = str(g)
        carrier = getattr(techs[g], "carrier", None)
        for item, rate, escalation in (("electricity_sales", sale_rate(carrier), PRICE),
                                       ("other_sales", sale_rate(carrier), PRICE),
                                       ("product_revenue", sale_rate(carrier), PRICE),
                                       ("green_certificates", 0.0 if vat is None else vat.certificate_rate, PRICE),
                                       ("electricity_purchase", input_rate, PRICE),
                                       ("other_purchase", input_rate, PRICE), ("fuel", input_rate, PRICE),
                                       ("co2", 0.0, PRICE), ("variable_om", input_rate, COST),
                                       ("startup", input_rate, COST), ("grid_charge", input_rate, COST),
                                       ("fixed_om", 0.0, COST)):
            values = items.sel(tech=g, item=item).values
            if np.any(values):
                streams.append(Stream(f"{g}:{item}", values, rate, escalation,
                                      refundable if item == "electricity_sales" else 0.0))
    replacements = []
    for g in items["tech"].values:
        spent = -items.sel(tech=str(g), item="replacement").values
        life_g = max(int(round(techs[str(g)].life)), 1)
        replacements += [Replacement(int(i), float(spent[i]), life_g) for i in np.flatnonzero(spent > 0)]
    for g, spec in rules.degradation.items():
        value = _yearly_energy_value(ds, config, g)
        since_reset = np.arange(life) % spec.reset_every if spec.reset_every else np.arange(life)
        loss = 1 - (1 - spec.rate) ** since_reset if techs[g].has(RENEWABLE) else (1 - spec.rate) ** -since_reset - 1
        streams.append(Stream(f"{g}:degradation", np.concatenate([np.zeros(b), -value * loss]), input_rate, PRICE))
        if spec.reset_every and spec.replacement_share:
            invested = -float(items.sel(tech=g, item="capex").sum())
            replacements += [Replacement(b + k, spec.replacement_share * invested, spec.reset_every)
                             for k in range(spec.reset_every, life, spec.reset_every)]
    capex = -items.sel(item="capex").sum("tech").values
    return Streams(construction=b, life=life, capex=capex, streams=streams, replacements=replacements)


def _yearly_energy_value(ds, config, g: str) -> float:
    """What a year of ``g``'s energy is worth at the marginal prices of its bus: a renewable's output, a
    converter's main input (CNY/yr, ≥ 0). Degradation loses (or needs more of) it."""
    tech = config.technologies[g]
    carrier = tech.carrier if tech.has(RENEWABLE) else tech.input
    bus = f"{tech.node}/{carrier}"
    energy = abs(ds["flow"].sel(bus=bus, tech=g))
    value = (energy * ds["marginal_price"].sel(bus=bus).clip(min=0) * ds["weight"]).sum()
    return float(value) / float(ds.attrs["year_fraction"])


def _refundable_share(ds, config, name: str) -> float:
    """Share of the project's electricity generated by the technologies the VAT refund covers."""
    project = config.case.projects[name]
    rules, techs = project.finance.feasibility, config.technologies
    generators = [g for g in project.technologies if techs[g].has(GENERATOR)]
    if not generators:
        return 0.0
    made = {g: float((ds["flow"].sel(tech=g).clip(min=0).sum("bus") * ds["weight"]).sum()) for g in generators}
    total = sum(made.values())
    return sum(made[g] for g in rules.vat.refund_technologies if g in made) / total if total > 0 else 0.0
