"""What the results mean: KPIs, products, curtailment causes, compliance, the plan audit and project finance.

Everything here reads the results Dataset and returns language-free tables with units; the report translates.
"""
