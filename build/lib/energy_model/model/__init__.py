"""The optimisation model: the arrays it is built from (data), the builder, one module per component family
(components/), the investment mechanism, policy and direct-supply constraints, representative days."""
