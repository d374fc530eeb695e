"""No field is silently ignored: in every family a combination of fields that would mean nothing is refused
with a message naming the fields, and the combination that gives them a meaning loads."""

from __future__ import annotations

import pytest
from micro import write_case

from energy_model.case.config import load_case
from energy_model.errors import InputError

WIND = {"kind": "renewable", "profile": "flat", "capacity": 10}
LOAD = {"kind": "demand", "annual": 8760.0}
COAL = {"kind": "thermal", "fuel": "coal", "heat_rate": 0.3, "capacity": 10}
STORE = {"kind": "storage", "capacity": 5, "energy_capacity": 10}
PLANT = {"kind": "conversion", "input": "electricity", "outputs": {"hydrogen": 0.02}, "capacity": 10}
GRID = {"kind": "market", "capacity": 10}

# (family spec, what makes it meaningless, the fields the message must name, what gives it a meaning; None
# drops a field of the family spec)
CASES = [
    (WIND, {"capital_cost": 1000.0, "build_max": 5, "discount_rate": 0.08}, ["discount_rate", "capital_cost"],
     {"capital_cost": 1000.0, "build_max": 5}),
    (WIND, {"capex": 1000.0, "capital_cost": 10.0, "build_max": 5}, ["capex", "capital_cost"],
     {"capex": 1000.0, "build_max": 5}),
    (COAL, {"retrofit_capex": 1e5}, ["retrofit_capex", "retrofit_min_load"],
     {"retrofit_capex": 1e5, "min_load": 0.4, "retrofit_min_load": 0.2}),
    (COAL, {"heat_max": 1.0}, ["heat_max", "heat_carrier"], {}),
    (STORE, {"duration": 2}, ["energy_capacity", "duration"], {"duration": 2, "energy_capacity": None}),
    (STORE, {"capex_energy": 1e5}, ["capex_energy", "build_max_energy"], {"capex_energy": 1e5,
                                                                          "build_max_energy": 20}),
    (STORE, {"capex_charge": 1e5}, ["capex_charge", "build_max_charge"], {"capex_charge": 1e5,
                                                                          "build_max_charge": 5}),
    (STORE, {"energy_capacity": None, "duration": 2, "min_duration": 1}, ["min_duration", "duration"],
     {"duration": 2, "energy_capacity": None}),
    (PLANT, {"must_run": True, "start_cost": 100.0}, ["start_cost", "must_run"], {"must_run": True}),
    (PLANT, {"min_load": 0.3}, ["min_load", "must_run", "start_cost"], {"min_load": 0.3, "start_cost": 100.0}),
    (GRID, {"import_surcharge": 65.0}, ["import_surcharge", "import_price"], {"import_surcharge": 65.0,
                                                                            "import_price": 300.0}),
    (GRID, {"import_capacity": 5}, ["import_capacity", "import_price"], {"import_capacity": 5,
                                                                        "import_price": 300.0}),
    (LOAD, {"price": 100.0}, ["price", "flexible"], {"price": 100.0, "flexible": True, "annual": None}),
]


def _load(tmp_path, spec):
    case = write_case(tmp_path, {"x": {k: v for k, v in spec.items() if v is not None}, "grid_out": {
        "kind": "market", "capacity": 100, "import_price": 500.0}, "load": LOAD}, series={"flat": [1.0] * 4},
        carriers={"heat": {"unit": "MWh"}})
    return load_case(case)


@pytest.mark.parametrize("family, meaningless, named, meaningful", CASES,
                         ids=[f"{f['kind']}:{'+'.join(m)}" for f, m, _, _ in CASES])
def test_a_field_that_would_mean_nothing_is_refused_and_means_something_with_its_partner(
        tmp_path, family, meaningless, named, meaningful):
    with pytest.raises(InputError) as refused:
        _load(tmp_path / "bad", {**family, **meaningless})
    message = str(refused.value)
    assert "technologies.yaml" in message and "x" in message
    for field in named or list(meaningless):
        assert field in message, (field, message)
    _load(tmp_path / "good", {**family, **meaningful})
