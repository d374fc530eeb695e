"""The case: its files read, scenarios and overrides applied, every value validated against the schema.

First layer of the flow (case → model → solve → results → analysis → report): it knows files and units,
not the optimisation.
"""
