"""Hand the pyomo model to HiGHS in memory, solve it, and say why when there is no solution."""
