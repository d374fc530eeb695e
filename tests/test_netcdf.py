"""results.nc as the CF conventions want it: one parseable unit per variable, a long_name on each, and the
file read back into the Dataset the run returned."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from micro import write_case

from energy_model.results.netcdf import (
    PART_OF,
    UNITS_ALONG,
    from_cf,
    open_results,
    to_cf,
    udunits,
)
from energy_model.runner import run

cf_units = pytest.importorskip("cf_units")


def parses(unit: str) -> bool:
    """UDUNITS-2 reads ``unit`` (currency, which UDUNITS lacks, read as a count)."""
    try:
        cf_units.Unit(unit.replace("CNY", "1"))
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def hydrogen_run(tmp_path_factory):
    """Electricity (MWh) and hydrogen (t) on one node, with a store of each: every mixed-unit variable."""
    folder = tmp_path_factory.mktemp("cf")
    case = write_case(folder / "case", {
        "wind": {"kind": "renewable", "profile": "wind", "capacity": 60},
        "grid": {"kind": "market", "capacity": 0, "import_capacity": 100, "import_price": 300},
        "battery": {"kind": "storage", "capacity": 5, "duration": 2},
        "electrolyser": {"kind": "conversion", "input": "electricity", "outputs": {"hydrogen": 0.02}, "capacity": 40},
        "tank": {"kind": "storage", "carrier": "hydrogen", "capacity": 0.5, "energy_capacity": 2},
        "h2_load": {"kind": "demand", "carrier": "hydrogen", "annual": 0.4 * 8760},
        "power_load": {"kind": "demand", "carrier": "electricity", "annual": 10 * 8760},
    }, series={"wind": [1.0, 0.8, 0.1, 0.0, 0.5, 1.0], "flat": [1.0] * 6})
    result = run(case, out_dir=folder / "out", report=False)
    return result, folder / "out" / "results.nc"


def test_every_variable_has_one_parseable_unit_and_a_long_name(hydrogen_run):
    _, path = hydrogen_run
    with xr.open_dataset(path, engine="h5netcdf") as ds:  # plain xarray: what another tool sees
        assert ds.attrs["Conventions"].startswith("CF-")
        for name, var in ds.variables.items():
            assert "long_name" in var.attrs, name
            if var.dtype.kind == "f":
                assert parses(var.attrs["units"]), (name, var.attrs["units"])
        flows = {name: ds[name].attrs["units"] for name in ds.data_vars if ds[name].attrs.get(PART_OF) == "flow"}
        assert flows == {"flow": "MW", "flow__t_per_h": "t/h"}
        # each part holds numbers only on the elements of its unit: MW on electricity, t/h on hydrogen
        assert np.isnan(ds["flow"].sel(bus="n/hydrogen")).all()
        assert np.isnan(ds["flow__t_per_h"].sel(bus="n/electricity")).all()
        assert float(ds["flow__t_per_h"].sel(bus="n/hydrogen", tech="electrolyser").sum()) > 0
        levels = {ds[name].attrs["units"] for name in ds.data_vars if ds[name].attrs.get(PART_OF) == "storage_level"}
        assert levels == {"MW h", "t"}  # the battery in MWh, the tank in tonnes
        prices = {ds[name].attrs["units"] for name in ds.data_vars if ds[name].attrs.get(PART_OF) == "marginal_price"}
        assert prices == {"CNY/(MW h)", "CNY/t"}


def test_the_file_reads_back_as_the_dataset_of_the_run(hydrogen_run):
    result, path = hydrogen_run
    back = open_results(path)
    assert set(back.data_vars) == set(result.dataset.data_vars)
    for name in result.dataset.data_vars:
        xr.testing.assert_equal(back[name].reset_coords(drop=True), result.dataset[name].reset_coords(drop=True))
        assert back[name].attrs.get(UNITS_ALONG) == result.dataset[name].attrs.get(UNITS_ALONG), name


def test_a_variable_whose_unit_follows_its_elements_is_split_and_joined():
    ds = xr.Dataset(coords={"bus": ["a/e", "a/h", "b/e"], "bus_rate_unit": ("bus", ["MW", "t/h", "MW"])})
    ds["flow"] = ("bus", [1.0, 2.0, np.nan], {UNITS_ALONG: "bus_rate_unit"})
    ds["level"] = ("bus", [3.0, 4.0, 5.0], {"units": "MWh"})
    cf = to_cf(ds)
    assert cf["flow"].values[0] == 1.0 and np.isnan(cf["flow"].values[1:]).all()
    assert np.isnan(cf["flow__t_per_h"].values[[0, 2]]).all() and cf["flow__t_per_h"].values[1] == 2.0
    assert cf["flow"].attrs["units"] == "MW" and cf["flow__t_per_h"].attrs["units"] == "t/h"
    assert cf["level"].attrs["units"] == "MW h"
    xr.testing.assert_identical(from_cf(cf)["flow"].drop_attrs(), ds["flow"].drop_attrs())


@pytest.mark.parametrize("unit, expected", [
    ("MWh", "MW h"), ("CNY/MWh", "CNY/(MW h)"), ("t/h", "t/h"), ("GWh/yr", "GW h/yr"), ("fraction", "1"),
    ("CNY/t", "CNY/t"), ("MW", "MW")])
def test_model_units_are_written_in_udunits_syntax(unit, expected):
    assert udunits(unit) == expected and parses(expected)
