"""Pathways: several investment periods in one optimisation, each optimum computed by hand.

Every case has four flat hours per period (share of the year 4/8760), a coal unit or new generator at
0.1 t/MWh × 1,000 CNY/t = 100 CNY/MWh, and capex written per MW and hour of the horizon (X × 8760), so that
a MW in service costs annuity × X × 4 per period. The objective weights W_y are computed here from their
definition: Σ over the calendar years the period stands for of 1/(1 + r)^(year − base_year).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr
from micro import seasonal_store_case, write_case

from energy_model.case.config import list_scenarios, load_case
from energy_model.errors import InputError
from energy_model.model.investment import annuity_factor
from energy_model.runner import run

H = 8760
HOURS = 4
FUEL = 100.0  # CNY/MWh
R = 0.05


def weight(first: int, last: int, base: int = 2025, rate: float = R) -> float:
    return sum((1 + rate) ** -(year - base) for year in range(first, last + 1))


def pathway(periods: dict, base_year: int = 2025, end_year: int = 2034) -> dict:
    return {"base_year": base_year, "end_year": end_year,
            "periods": {year: ({"overrides": o} if o else {}) for year, o in periods.items()}}


def gen(life: float = 20, capex: float = 50, **extra) -> dict:
    return {"kind": "thermal", "fuel": "coal", "heat_rate": 0.1, "build_max": 100, "capex": capex * H, "life": life,
            **extra}


def load(mw: float) -> dict:
    return {"kind": "demand", "annual": mw * H}


def by_year(result, variable: str, tech: str) -> list[float]:
    return result.dataset[variable].sel(tech=tech).values.tolist()


def test_demand_doubling_in_the_second_period_builds_the_rest_then(tmp_path):
    # 10 MW of load in 2025, 20 MW from 2030 (a period override). Building ahead would pay annuities for
    # idle capacity, building late would leave load unserved at VOLL: 10 MW in 2025, 10 more in 2030.
    case = write_case(tmp_path / "c", {"gen": gen(), "load": load(10)}, discount_rate=R,
                      pathway=pathway({2025: None, 2030: {"technologies.load.annual": 20 * H}}))
    result = run(case, report=False)
    assert by_year(result, "capacity_built", "gen") == pytest.approx([10, 10])
    assert by_year(result, "capacity", "gen") == pytest.approx([10, 20])
    fixed = annuity_factor(R, 20) * 50 * HOURS  # CNY per MW in service per period
    costs = [fixed * 10 + FUEL * HOURS * 10, fixed * 20 + FUEL * HOURS * 20]
    assert result.dataset["period_cost"].values == pytest.approx(costs)
    objective = weight(2025, 2029) * costs[0] + weight(2030, 2034) * costs[1]
    assert result.dataset.attrs["objective"] == pytest.approx(objective)
    summary = result.summary.set_index("kpi")
    assert summary.loc["total_cost", "value"] == pytest.approx(objective)
    assert summary.loc["total_cost", ["2025", "2030"]].tolist() == pytest.approx(costs)
    # prices are per MWh of each period, not per discounted MWh: fuel + the capacity's annuity over its 4 hours
    assert summary.loc["mean_marginal_price", ["2025", "2030"]].tolist() == pytest.approx([FUEL + fixed / HOURS] * 2)


@pytest.mark.parametrize("life, built", [(20, [10, 0]), (3, [10, 10])])
def test_a_build_serves_later_periods_within_its_life_and_is_rebuilt_after(tmp_path, life, built):
    # constant 10 MW; a 3-year life ends before 2030 (2025 + 3 <= 2030), so the generator is built twice
    case = write_case(tmp_path / "c", {"gen": gen(life=life), "load": load(10)}, discount_rate=R,
                      pathway=pathway({2025: None, 2030: None}))
    result = run(case, report=False)
    assert by_year(result, "capacity_built", "gen") == pytest.approx(built)
    assert by_year(result, "capacity", "gen") == pytest.approx([10, 10])
    cost = annuity_factor(R, life) * 50 * HOURS * 10 + FUEL * HOURS * 10
    assert result.dataset.attrs["objective"] == pytest.approx((weight(2025, 2029) + weight(2030, 2034)) * cost)


def test_an_existing_unit_retiring_between_periods_is_replaced_then(tmp_path):
    # the old unit (sunk, no capex) serves 2025 and retires in 2030, when 10 MW are built
    case = write_case(tmp_path / "c", {
        "old": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.1, "capacity": 10, "retire_year": 2030},
        "gen": gen(), "load": load(10)}, discount_rate=R, pathway=pathway({2025: None, 2030: None}))
    result = run(case, report=False)
    assert by_year(result, "capacity", "old") == pytest.approx([10, 0])
    assert by_year(result, "capacity", "gen") == pytest.approx([0, 10])
    costs = [FUEL * HOURS * 10, annuity_factor(R, 20) * 50 * HOURS * 10 + FUEL * HOURS * 10]
    assert result.dataset["period_cost"].values == pytest.approx(costs)


def test_a_base_year_with_existing_capacity_only_builds_nothing_new(tmp_path):
    # build_min = build_max = 10 would force 10 MW in both periods; existing_only keeps 2025 as it stands
    case = write_case(tmp_path / "c", {"gen": gen(build_min=10, build_max=10), "load": load(10)}, discount_rate=R,
                      pathway={**pathway({2025: None, 2030: None}),
                               "periods": {2025: {"existing_only": True}, 2030: {}}})
    result = run(case, report=False)
    assert by_year(result, "capacity", "gen") == pytest.approx([0, 10])
    assert result.summary.set_index("kpi").loc["unserved_mwh", "2025"] == pytest.approx(10 * HOURS)


def test_a_co2_cap_of_one_period_binds_on_that_period_only(tmp_path):
    # rate 0 and life 1: wind costs 200 CNY per MWh it can make, coal 100 plus 0.2 t CO2/MWh. A cap of 8,760 t/yr
    # in 2030 allows 4 t over its 4 hours: 20 of the 40 MWh from coal, 5 MW of wind for the rest; 2025 has no cap
    case = write_case(tmp_path / "c", {
        "coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.1, "capacity": 20},
        "wind": {"kind": "renewable", "profile": "flat", "build_max": 100, "capex": 200 * H, "life": 1},
        "load": load(10)}, discount_rate=0.0,
        pathway=pathway({2025: None, 2030: {"policy.co2_cap": H}}, end_year=2030))
    result = run(case, report=False)
    assert by_year(result, "capacity", "wind") == pytest.approx([0, 5])
    assert result.dataset["co2"].sum("tech").values == pytest.approx([8, 4])
    costs = [FUEL * 40, FUEL * 20 + 200 * 5 * HOURS]
    assert result.dataset.attrs["objective"] == pytest.approx(5 * costs[0] + 1 * costs[1])  # 2025-29, 2030


@pytest.mark.parametrize("milp", [False, True])
def test_a_retrofit_bought_in_the_first_period_serves_the_second(tmp_path, milp):
    # A 100 MW unit (min load 0.5, a start costs more than anything else saves, so it stays committed) and
    # 90 MW of wind in hours 2-3 for a 60 MW load. Lowering its floor by 0.3 MW per MW retrofitted saves
    # 0.6 MWh of coal per period (60 CNY) at an annuity of 0.1295 x 100 x 4 x 0.3 = 15.5 CNY: worth it.
    # LP: 60 MW stay committed and 60 MW are retrofitted (floor 30 - 18 = 12 MW); MILP: the unit is on or
    # off, so 100 MW are retrofitted (floor 20 MW). Built in 2025 (life 10), the retrofit serves 2030 too.
    case = write_case(tmp_path / "c", {
        "coal": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.1, "capacity": 100, "min_load": 0.5,
                 "start_cost": 1e5, "retrofit_min_load": 0.2, "retrofit_capex": 100 * H, "retrofit_life": 10},
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 100}, "load": load(60),
    }, series={"wind": [0.0, 0.9, 0.9, 0.0]}, discount_rate=R, pathway=pathway({2025: None, 2030: None}))
    result = run(case, report=False, solver_overrides={"milp": milp})
    retrofit, floor = (100, 20) if milp else (60, 12)
    assert result.dataset["retrofit_capacity"].sel(tech="coal").values == pytest.approx([retrofit, retrofit])
    cost = FUEL * (60 + 60 + 2 * floor) + annuity_factor(R, 10) * 100 * HOURS * 0.3 * retrofit
    assert result.dataset["period_cost"].values == pytest.approx([cost, cost])
    assert result.dataset.attrs["objective"] == pytest.approx((weight(2025, 2029) + weight(2030, 2034)) * cost)


@pytest.mark.parametrize("days", [None, 2])
def test_a_one_period_pathway_is_the_plain_run(tmp_path, days):
    plain = run(seasonal_store_case(tmp_path / "plain"), report=False, days=days)
    one = run(seasonal_store_case(tmp_path / "one", pathway=pathway({2030: None}, base_year=2030, end_year=2030)),
              report=False, days=days)
    assert one.dataset.attrs["objective"] == pytest.approx(plain.dataset.attrs["objective"], rel=1e-9)
    assert one.dataset["energy_capacity"].sel(tech="store").values.tolist() == pytest.approx(
        [plain.dataset["energy_capacity"].sel(tech="store").item()])
    # with r = 0 a period standing for three years counts three times
    three = run(seasonal_store_case(tmp_path / "three", pathway=pathway({2030: None}, base_year=2030, end_year=2032)),
                report=False, days=days)
    assert three.dataset.attrs["objective"] == pytest.approx(3 * plain.dataset.attrs["objective"], rel=1e-9)


@pytest.mark.parametrize("days", [None, 2])
def test_a_period_scales_a_profile_of_its_own(tmp_path, days):
    # 2031 halves the wind (timeseries override): 10 MW on the windy days is exactly the load, nothing to store,
    # and the calm days burn 480 MWh of coal at 300 CNY/MWh. 2030 stores its 480 MWh surplus (48,000 CNY, life 1).
    # On representative days the clustered days are repeated in 2031 with its own (halved) wind.
    case = seasonal_store_case(tmp_path / "c", pathway=pathway({2030: None, 2031: {"timeseries.wind": {"scale": 0.5}}},
                                                          base_year=2030, end_year=2031))
    result = run(case, report=False, days=days)
    assert result.dataset["energy_capacity"].sel(tech="store").values == pytest.approx([480, 0], abs=1e-6)
    assert result.dataset["period_cost"].values == pytest.approx([480 * 100, 480 * 300])


def test_a_stores_energy_capacity_carries_into_the_next_period(tmp_path):
    # the seasonal store's 480 MWh (r = 0, 100 CNY per MWh of energy and horizon at a 1-year life). With a
    # 10-year life the 2030 purchase serves 2031 too, paying a tenth of it in each period; with a 1-year life it
    # is bought again in 2031. Either way 480 MWh are in service in each period (960 would mean two purchases).
    for life, annuity in ((10, 0.1), (1, 1.0)):
        case = seasonal_store_case(tmp_path / f"life{life}", pathway=pathway({2030: None, 2031: None}, 2030, 2031))
        result = run(case, report=False, overrides={"technologies.store.life": life})
        assert result.dataset["energy_capacity"].sel(tech="store").values == pytest.approx([480, 480])
        investment = result.dataset["cost"].sel(cost_category="investment", cost_owner="store").values
        assert investment == pytest.approx([annuity * 480 * 100] * 2)


def problems(folder: Path, scenario: str | None = None) -> str:
    with pytest.raises(InputError) as info:
        load_case(folder, scenario)
    return str(info.value)


def test_a_bad_period_override_is_reported_like_a_bad_scenario_override(tmp_path):
    techs = {"gen": gen(), "load": load(10)}
    case = write_case(tmp_path / "a", techs, pathway=pathway({2025: None, 2030: {"technologies.gne.capex": 1}}))
    text = problems(case)
    assert "pathway.periods.2030.overrides.technologies.gne.capex" in text
    assert "names nothing" in text and "did you mean 'gen'" in text
    case = write_case(tmp_path / "b", techs, pathway=pathway({2025: None, 2030: {"technologies.gen.capex": "x"}}))
    assert "pathway.periods.2030.overrides.technologies.gen.capex = 'x'" in problems(case)
    case = write_case(tmp_path / "c", techs, pathway=pathway({2025: None, 2030: {"time.hours": 2}}))
    assert "time is one for the whole pathway" in problems(case)
    case = write_case(tmp_path / "d", techs, pathway=pathway({2025: None, 2030: {"technologies.new": load(1)}}))
    assert "technologies must be the same in every period" in problems(case)
    # set by a scenario, the message names the scenario's override
    case = write_case(tmp_path / "e", techs, scenarios={"path": {"description": "a pathway", "overrides": {
        "pathway": pathway({2025: None, 2030: {"technologies.gen.lief": 3}})}}})
    text = problems(case, "path")
    assert "path.overrides.pathway.periods.2030.overrides.technologies.gen.lief" in text
    assert "unknown field" in text and "did you mean 'life'" in text


def test_a_fixed_build_that_would_have_to_be_undone_is_an_input_error(tmp_path):
    case = write_case(tmp_path / "c", {"gen": gen(build_min=10, build_max=10), "load": load(10)},
                      pathway=pathway({2025: None, 2030: {"technologies.gen.build_max": 0,
                                                          "technologies.gen.build_min": 0}}))
    with pytest.raises(InputError, match="a build cannot be undone"):
        run(case, report=False)


def test_cli_writes_a_pathway_report_and_per_year_results(tmp_path):
    case = write_case(tmp_path / "c", {"gen": gen(), "load": load(10)}, discount_rate=R,
                      pathway=pathway({2025: None, 2030: {"technologies.load.annual": 20 * H}}))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "energy_model.cli", "run", str(case), "--out", str(out),
                           "--lang", "en"], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr
    assert "2025:" in done.stdout and "2030:" in done.stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    for section in ("pathway_capacity", "pathway_generation", "pathway_cost", "pathway"):
        assert f'<section id="{section}"' in page
    assert "Pathway: generation and storage capacity by period" in page
    with xr.open_dataset(out / "results.nc") as ds:  # plain xarray, no package code
        assert ds["capacity"].sel(tech="gen").values.tolist() == pytest.approx([10, 20])
        assert ds["investment_period"].values.tolist() == [2025] * HOURS + [2030] * HOURS
    header = (out / "summary.csv").read_text().splitlines()[0]
    assert header == "kpi,value,unit,2025,2030"


CASE = Path(__file__).resolve().parents[1] / "inputs" / "shuangliao"
PLAN_WIND_SOLAR = ("wind_guoneng_800", "wind_guoneng_520", "wind_green_park_150", "wind_ruixiang_143",
                   "wind_hybrid_200", "pv_hybrid_100", "wind_chem_park_200", "wind_caustic_100", "wind_caustic_200",
                   "wind_xuhe_300", "wind_planned_sites", "pv_planned_sites")


@pytest.fixture(scope="module")
def default_pathway():
    return run(CASE, "pathway_2025_2030", days=3, report=False)  # 3 days a period: about 5 s


def test_the_default_pathway_follows_the_plan_dates(default_pathway):
    ds = default_pathway.dataset
    assert ds["year"].values.tolist() == [2025, 2027, 2030]
    capacity = ds["capacity"].to_pandas()
    assert capacity["coal_unit1"].tolist() == [330, 0, 0] and capacity["coal_unit2"].tolist() == [330, 0, 0]
    assert capacity["coal_unit6"].tolist() == pytest.approx([0, 660, 660])
    # 2025 as it stands: nothing new, of wind and solar only the village PV
    assert float(ds["capacity_new"].sel(year=2025).sum()) == pytest.approx(0, abs=1e-6)
    renewable = capacity.loc[:, ds["tech_kind"].values == "renewable"].sum(axis=1)
    assert renewable[2025] == pytest.approx(50)
    # every plan project in service by 2030, at least the 3,000 MW of L298 with the village PV
    config = load_case(CASE, "pathway_2025_2030")
    for g in PLAN_WIND_SOLAR:
        assert capacity.at[2030, g] >= config.technologies[g].build_min - 1e-6, g
    assert renewable[2030] >= 3000 - 1e-6
    summary = default_pathway.summary.set_index("kpi")
    assert summary.loc["unserved_mwh", ["2025", "2027", "2030"]].tolist() == pytest.approx([0, 0, 0], abs=1e-3)
    # the annual quantities are each period's own: 200 kt of caustic soda before 2030, 500 kt in 2030
    delivered = ds["annual_output"].sel(tech="naoh_offtake").values
    assert delivered == pytest.approx([200e3, 200e3, 500e3], rel=1e-6)
    assert ds.attrs["objective"] == pytest.approx(float((ds["objective_weight"] * ds["period_cost"]).sum()), rel=1e-6)


def test_every_figure_of_the_default_pathway_has_a_source():
    spec = list_scenarios(CASE)["pathway_2025_2030"].overrides["pathway"]
    missing = [f"pathway.{field}" for field in spec if field != "sources" and field not in spec["sources"]]
    for year, period in spec["periods"].items():
        period = period or {}
        sources = period.get("sources", {})
        fields = [*period.get("overrides", {}), *(["existing_only"] if "existing_only" in period else [])]
        missing += [f"pathway.periods.{year}.{key}" for key in fields if key not in sources]
    assert not missing, "figures without a source:\n" + "\n".join(missing)
