"""Keep Python's cyclic garbage collector out of the way while a model's millions of objects are made.

Building a full year makes millions of pyomo objects (variables, expressions, constraints) that all live
until the run ends; compiling makes a dict per row. While they accumulate, the collector's full
collections rescan every one of them again and again, which made up about a third of build + compile
(benchmarks/bench.py). Inside :func:`collector_paused` the collector is off; on leaving, the survivors
are frozen (``gc.freeze``: never rescanned) and the collector turned back on. The next pause first
unfreezes the objects of the model before, so the cycles of a dropped model (pyomo's rules refer to
their model) are collected as usual and a process that builds many models does not keep them all.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    was_enabled = gc.isenabled()
    gc.unfreeze()  # what an earlier pause froze is ordinary (collectable) again
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
