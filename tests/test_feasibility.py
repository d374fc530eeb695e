"""Feasibility-study finance (可研): each rule against a cash flow worked out by hand."""

import numpy as np
import pandas as pd
import pytest

from energy_model.analysis import feasibility as fz
from energy_model.analysis.finance import FEASIBILITY_METRIC_UNITS
from energy_model.case.schema import Feasibility


def test_loan_with_capitalised_construction_interest_and_equal_principal():
    # two construction years drawing 600 and 400 at 5 %, drawn mid-year: IDC 0.05 x 300 = 15, then
    # 0.05 x (615 + 200) = 40.75; owed 1,055.75 at the start of operation; one grace year, three repayments
    debt = fz.loan_schedule(np.array([600.0, 400, 0, 0, 0, 0]), 2, 0.05, tenor=4, grace=1,
                            repayment="equal_principal")
    assert debt["idc"][:2] == pytest.approx([15.0, 40.75])
    owed = 1055.75
    assert debt["interest"][2:] == pytest.approx([0.05 * owed, 0.05 * owed, 0.05 * owed * 2 / 3, 0.05 * owed / 3])
    assert debt["principal"][2:] == pytest.approx([0, owed / 3, owed / 3, owed / 3])
    assert debt["balance"][-1] == pytest.approx(0.0, abs=1e-9)


def test_equal_instalments_are_an_annuity():
    # 1,000 at 6 % over 3 years, no grace: instalment 1,000 x 0.06/(1 - 1.06^-3) = 374.11
    debt = fz.loan_schedule(np.array([1000.0, 0, 0, 0]), 1, 0.06, tenor=3, grace=0, repayment="equal_instalment")
    owed = 1000.0 + 0.06 * 500  # IDC on half a year's draw
    instalment = owed * 0.06 / (1 - 1.06 ** -3)
    assert (debt["interest"] + debt["principal"])[1:] == pytest.approx([instalment] * 3)
    assert debt["principal"][1:].sum() == pytest.approx(owed)


def test_vat_credit_is_carried_forward_until_used():
    # 25 of input VAT in construction, then 10 out and 2 in each year: the credit falls 25 -> 17 -> 9 -> 1
    # and VAT is first paid in the fifth year: 10 - 2 - 1 = 7
    payable, credit = fz.vat_with_credit(np.array([0.0, 10, 10, 10, 10]), np.array([25.0, 2, 2, 2, 2]))
    assert payable == pytest.approx([0, 0, 0, 0, 7])
    assert credit == pytest.approx([25, 17, 9, 1, 0])


def test_three_years_free_three_at_half_rate():
    assert fz.tax_rates(0.25, 1, 9, exempt=3, half=3) == pytest.approx(
        [0, 0, 0, 0, 0.125, 0.125, 0.125, 0.25, 0.25])


def micro_streams(capex=1000.0, sales=600.0, cost=100.0):
    """One construction year, three operating years: capex, VAT-bearing sales, a VAT-free fixed cost."""
    return fz.Streams(construction=1, life=3, capex=np.array([capex, 0, 0, 0]),
                      streams=[fz.Stream("sales", np.array([0, sales, sales, sales]), 0.13, fz.PRICE),
                               fz.Stream("om", -np.array([0, cost, cost, cost]), 0.0, fz.COST)])


def test_a_micro_project_statement_by_hand():
    rules = Feasibility.model_validate({
        "loan": {"share": 0.8, "rate": 0.05, "tenor": 3, "grace": 0},
        "vat": {"rate": 0.13, "capex_share": 0.1, "surcharge": 0.12},
        "depreciation_years": 3, "salvage": 0.05})
    table = fz.statement(micro_streams(), rules, tax_rate=0.25, loss_carry_forward=5)
    out = 600 * 0.13 / 1.13  # 69.03 of output VAT a year; 100 of input VAT in the capex
    payable = [0.0, 0.0, out - (100 - out), out]  # the credit covers year 1 and 30.97 of year 2
    assert -table.loc["vat_payable"].to_numpy() == pytest.approx(payable)
    surcharges = [0.12 * p for p in payable]
    ebitda = [0.0] + [600 - out - 100 - s for s in surcharges[1:]]
    assert table.loc["ebitda"].to_numpy() == pytest.approx(ebitda)
    owed = 800 + 0.05 * 400  # the loan and its interest during construction
    interest = [0, 0.05 * owed, 0.05 * owed * 2 / 3, 0.05 * owed / 3]
    assert -table.loc["interest"].to_numpy() == pytest.approx(interest)
    assets = 900 + 20  # capex less its VAT, plus the capitalised interest
    depreciation = [0] + [assets * 0.95 / 3] * 3
    assert -table.loc["depreciation"].to_numpy() == pytest.approx(depreciation)
    profit = [e - d - i for e, d, i in zip(ebitda, depreciation, interest)]
    tax = [0.25 * max(p, 0) for p in profit]
    assert -table.loc["income_tax"].to_numpy() == pytest.approx(tax)
    operating = [0] + [600 - 100 - p - s for p, s in zip(payable[1:], surcharges[1:])]
    residual = [0, 0, 0, assets * 0.05]
    debt = [0] + [i + owed / 3 for i in interest[1:]]
    assert table.loc["equity"].to_numpy() == pytest.approx(
        [-200] + [o - d - t + r for o, d, t, r in zip(operating[1:], debt[1:], tax[1:], residual[1:])])
    adjusted = [0.25 * max(e - d, 0) for e, d in zip(ebitda, depreciation)]
    assert table.loc["project_after_tax"].to_numpy() == pytest.approx(
        [-1000] + [o - a + r for o, a, r in zip(operating[1:], adjusted[1:], residual[1:])])
    dscr = [(o - t) / d for o, t, d in zip(operating[1:], tax[1:], debt[1:])]
    values = fz.metrics(table, wacc=0.08, equity_rate=0.10)
    assert values["dscr_min"] == pytest.approx(min(dscr))
    assert values["loan"] == pytest.approx(800)
    assert values["interest_during_construction"] == pytest.approx(20)
    assert values.keys() == FEASIBILITY_METRIC_UNITS.keys()  # every figure has its unit


def test_debt_raises_the_equity_return_above_the_project_return():
    # the project earns more than the 5 % loan costs: leverage lifts the equity IRR
    rules = Feasibility.model_validate({"loan": {"share": 0.8, "rate": 0.05, "tenor": 3, "grace": 0}})
    streams = micro_streams(sales=520.0)
    values = fz.metrics(fz.statement(streams, rules, 0.25, 5), 0.08, None)
    assert values["project_irr_after_tax"] > 0.05
    assert values["equity_irr"] > values["project_irr_after_tax"]
    unlevered = fz.metrics(fz.statement(streams, Feasibility(), 0.25, 5), 0.08, None)
    assert unlevered["equity_irr"] == pytest.approx(unlevered["project_irr_after_tax"])


def test_tax_holiday_raises_returns_and_the_wind_vat_refund_is_paid_on_vat_paid():
    base = {"vat": {"capex_share": 0.0, "surcharge": 0.0}}
    plain = fz.statement(micro_streams(), Feasibility.model_validate(base), 0.25, 5)
    holiday = fz.statement(micro_streams(), Feasibility.model_validate({**base, "tax_exempt_years": 3}), 0.25, 5)
    assert -plain.loc["income_tax"].sum() > 0 and holiday.loc["income_tax"].sum() == 0
    streams = micro_streams()
    streams.streams[0].refundable = 1.0  # all sales qualify (a wind farm)
    refunded = fz.statement(streams, Feasibility.model_validate(
        {"vat": {"capex_share": 0.0, "surcharge": 0.0, "refund": 0.5}}), 0.25, 5)
    assert refunded.loc["vat_refund"].to_numpy() == pytest.approx(-0.5 * plain.loc["vat_payable"].to_numpy())


def test_escalation_and_working_capital():
    rules = Feasibility.model_validate({"inflation": 0.02, "price_escalation": 0.01, "working_capital": 0.25,
                                       "working_capital_equity": 1.0})
    table = fz.statement(micro_streams(), rules, 0.0, 0)
    assert table.loc["sales"].to_numpy() == pytest.approx([0, 600, 606, 612.06])
    assert table.loc["operating_cost"].to_numpy() == pytest.approx([0, -100, -102, -104.04])
    assert table.loc["capex"].iloc[0] == pytest.approx(-1000 / 1.02)  # spent a year before the price base
    assert table.loc["working_capital"].to_numpy() == pytest.approx([0, -25, 0, 25])


def test_the_spreadsheet_formulas_reproduce_the_python_figures(tmp_path):
    """The finance sheet's statement lines and returns are live formulas; evaluated (by the ``formulas``
    package, as Excel would) they give the model's own figures."""
    formulas = pytest.importorskip("formulas")
    from openpyxl import Workbook, load_workbook

    from energy_model.analysis import finance
    from energy_model.report.finance import STATEMENT_FORMULAS, write_excel_sheet
    from energy_model.report.labels import label

    rules = Feasibility.model_validate({
        "loan": {"share": 0.7, "rate": 0.045, "tenor": 3, "grace": 1, "repayment": "equal_instalment"},
        "vat": {"capex_share": 0.1, "surcharge": 0.12, "refund": 0.5}, "working_capital": 0.3,
        "working_capital_rate": 0.03, "tax_half_years": 1})
    streams = micro_streams()
    streams.streams[0].refundable = 0.4
    table = fz.statement(streams, rules, 0.25, 5)
    table.columns = [2029, 2030, 2031, 2032]
    values = fz.metrics(table, 0.08, 0.10)
    cash = pd.DataFrame(0.0, index=[*finance.ITEMS, "net"], columns=table.columns)
    project = finance.ProjectFinance(
        name="micro", label_zh="", cashflows=cash, metrics=values,
        units=dict(finance.FEASIBILITY_METRIC_UNITS), statement=table,
        rules={"wacc": 0.08, "equity_rate": 0.10, "surcharge": 0.12})
    workbook = Workbook()
    workbook.remove(workbook.active)
    write_excel_sheet(workbook, finance.to_dataset([project]), lang="en", title="fin")
    path = tmp_path / "fin.xlsx"
    workbook.save(path)

    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    sheet = load_workbook(path)["fin"]
    rows = {cell.value: cell.row for cell in sheet["A"] if cell.value}

    def computed(column: str, row: int):
        return solution[f"'[fin.xlsx]FIN'!{column}{row}"].value[0, 0]

    for line in STATEMENT_FORMULAS:
        row = rows[label(f"line.{line}", "en")]
        assert sheet[f"C{row}"].value.startswith("=")  # a live formula, not a value
        for c, year in enumerate(table.columns):
            expected = table.loc[line, year]
            got = computed("BCDE"[c], row)
            if np.isfinite(expected):
                assert float(got) == pytest.approx(expected, rel=1e-9, abs=1e-6), (line, year)
    check = label("finance.formula", "en")
    for key in ("project_irr_pre_tax", "project_irr_after_tax", "project_npv_after_tax", "equity_irr", "equity_npv",
                "dscr_min"):
        got = computed("B", rows[f"{label(f'metric.{key}', 'en')} · {check}"])
        assert float(got) == pytest.approx(values[key], rel=1e-6), key
