"""Component families. Each module knows its own variables, constraints, costs and results.

A family exposes ``KIND`` (the ``kind`` of technologies it handles), ``add(builder, techs)`` which adds
variables and constraints and registers flows, costs and emissions with the builder, and
``extract(builder, solution, techs)`` which returns family-specific hourly results as
``{name: (values[tech, t], unit)}``; it may expose ``settle(builder, solution, techs)``, which picks one of
several equally optimal solutions before any result is read (renewables spread a group's curtailment pro
rata). Adding a technology type means adding a module here and a schema class, nothing in the core.
"""

from . import conversion, demand, link, market, renewable, storage, thermal

FAMILIES = {family.KIND: family for family in (renewable, thermal, storage, conversion, demand, market, link)}
