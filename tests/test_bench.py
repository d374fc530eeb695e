"""The benchmark's objective cross-check: this model and PyPSA agree on a one-week default case."""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

import pytest

from energy_model.case.config import load_case
from energy_model.model.build import build_model
from energy_model.model.data import build_data
from energy_model.runner import set_horizon
from energy_model.solve.highs import solve

pytest.importorskip("pypsa", reason="PyPSA is the benchmark's reference: pip install -e '.[bench]'")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from pypsa_case import build_network, comparable, constant_costs, tie_storage_power  # noqa: E402

TOLERANCE = 1e-6


@pytest.mark.filterwarnings("ignore::FutureWarning")  # PyPSA notes pandas 3 string dtypes on import
@pytest.mark.parametrize("scenario", ["base_2030", "province_2030"])  # the price taker; the base in the province
def test_one_week_of_the_default_case_has_the_same_objective_in_pypsa(scenario):
    config = comparable(load_case("inputs/shuangliao", scenario))
    set_horizon(config, hours=168)
    data = build_data(config)
    ours = solve(build_model(data).m, config.case.solver).objective - constant_costs(data)
    network, tied = build_network(data)
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            status, condition = network.optimize(solver_name="highs", extra_functionality=tie_storage_power(tied),
                                                 include_objective_constant=False, log_to_console=False)
    finally:
        logging.disable(logging.NOTSET)
    assert condition == "optimal"
    assert ours == pytest.approx(network.objective, rel=TOLERANCE)
