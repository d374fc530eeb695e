"""Capacity and dispatch optimisation of the Shuangliao energy base (pyomo + HiGHS).

The Python API, for scripts and notebooks::

    import energy_model as em
    result = em.run("inputs/shuangliao", "base_2030", out_dir="results/mine")  # out_dir optional
    result.dataset      # xarray.Dataset of the solution (as results.nc)
    result.summary      # the KPI table (as summary.csv)
    config = em.load_case("inputs/shuangliao", "market_expansion")  # the validated case, without solving

``run`` takes the options of ``energy-model run`` as keyword arguments (hours, days, sizing_days, overrides,
solver_overrides, lang, report, images, hourly_csv); bad input raises :class:`InputError`, a solve without
a solution :class:`SolveError`. Names are imported on first use, so ``import energy_model`` stays light.
"""

from __future__ import annotations

__all__ = ["run", "load_case", "InputError", "SolveError"]


def __getattr__(name: str):
    if name == "run":
        from .runner import run
        return run
    if name == "load_case":
        from .case.config import load_case
        return load_case
    if name in ("InputError", "SolveError"):
        from . import errors
        return getattr(errors, name)
    raise AttributeError(f"module 'energy_model' has no attribute {name!r}")
