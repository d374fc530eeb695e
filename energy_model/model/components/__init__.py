"""Component families. Each module knows its own variables, constraints, costs and results.

A family exposes ``KIND`` (the ``kind`` of technologies it handles), ``add(builder, techs)`` which adds
variables and constraints and registers flows, costs and emissions with the builder, and
``extract(builder, solution, techs)`` which returns family-specific hourly results as
``{name: (values[tech, t], unit)}`` (the unit one string, or one per technology where it follows the
technology's carriers); it may expose ``settle(builder, solution, techs)``, which picks one of several
equally optimal solutions before any result is read (renewables spread a group's curtailment pro rata).

A family's docstring is its formulation: each equation, indented four spaces, ends with the pyomo
components that implement it in brackets (``[storage_balance]``; ``objective`` and ``balance`` are the
builder's), and every constraint the module creates has its equation (tests/test_equations.py checks both
ways, on the source and on built models).

Adding a technology type means adding a module here and a schema class (with its ``ROLES``, which is how
analysis and report code asks about it), nothing in the core.
"""

from . import conversion, demand, link, market, renewable, storage, thermal

FAMILIES = {family.KIND: family for family in (renewable, thermal, storage, conversion, demand, market, link)}
