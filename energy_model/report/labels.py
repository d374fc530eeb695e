"""The one translation table of the report: every visible word in Chinese and English, and the display units.

All words live here so that both languages can be checked side by side and ``report.py`` holds no
literals. Values are converted to display units explicitly, never by relabelling: 1 万千瓦 = 10 MW,
1 万千瓦时 = 10 MWh, 1 亿千瓦时 = 100 GWh, 1 亿元 = 1e8 CNY, 1 万吨 = 1e4 t.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..constants import NODE_MARK

LANGUAGES = ("zh", "en")

# key -> (zh, en)
LABELS: dict[str, tuple[str, str]] = {
    "title": ("双辽能源基地容量与运行优化结果", "Shuangliao energy base: capacity and dispatch results"),
    # sections
    "section.metadata": ("情景信息", "Scenario"),
    "section.kpis": ("关键指标", "Key figures"),
    "section.capacity": ("装机结构", "Installed capacity"),
    "section.balance": ("年度电量平衡", "Annual electricity balance"),
    "section.dispatch_winter": ("冬季典型周电力调度", "Dispatch in a winter week"),
    "section.dispatch_summer": ("夏季典型周电力调度", "Dispatch in a summer week"),
    "section.dispatch_first": ("首周电力调度", "Dispatch in the first week"),
    "section.dispatch_last": ("末周电力调度", "Dispatch in the last week"),
    "section.dispatch_chosen": ("所选周电力调度", "Dispatch in the chosen week"),
    "section.price_duration": ("电价持续曲线", "Price duration curve"),
    "section.load_duration": ("负荷持续曲线", "Load duration curve"),
    "section.curtailment": ("月度弃电量", "Monthly curtailment"),
    "section.storage": ("储能荷电状态", "Storage state of charge"),
    "section.kpi_table": ("指标明细", "All key figures"),
    "section.nodes": ("分节点指标（基地与省网）", "Figures by node (the base and the province)"),
    "table.node_figure": ("指标", "Figure"),
    "section.sankey": ("电力流向", "Electricity flows"),
    "section.thermal": ("煤电机组利用小时与启停", "Coal units: hours and start-ups"),
    "section.thermal_week": ("火电出力下限、新能源与弃电", "Thermal floor, wind and curtailment"),
    "note.thermal_week": ("虚线为机组组合与供热抽汽决定的火电最低出力（供热机组单列）；火电贴近该下限而新能源仍在弃电时，"
                          "弃电由火电（冬季供热）必开出力造成。",
                          "Dashed lines: the lowest output the committed units could make, given their heat extraction "
                          "(CHP units also on their own). Where the fleet sits on this floor while wind is curtailed, "
                          "the must-run (winter heat) is what curtails it."),
    "section.products": ("绿电+N 产品产量", "Products of the green-power + N plants"),
    "section.plan_audit": ("规划目标核查", "Plan-target audit"),
    "section.product_economics": ("绿电+N 装置：用电、绿电占比与平准化成本",
                                  "Green-power + N plants: electricity, green share and levelised cost"),
    "section.levelised_cost": ("产品平准化成本构成", "Levelised cost of products, by part"),
    "section.finance": ("项目财务", "Project finance"),
    "section.pathway": ("规划路径：各期关键指标", "Pathway: key figures by period"),
    "section.pathway_capacity": ("规划路径：各期发电与储能装机",
                                 "Pathway: generation and storage capacity by period"),
    "section.pathway_generation": ("规划路径：各期发电量", "Pathway: electricity generation by period"),
    "section.pathway_cost": ("规划路径：各期年度成本与二氧化碳排放",
                             "Pathway: annual cost and CO2 by period"),
    "note.no_curtailment": ("本情景无弃风弃光。", "No wind or solar output is curtailed in this run."),
    # dispatch week selector
    "week.select": ("选择周", "Week"),
    # metadata
    "meta.scenario": ("情景", "Scenario"),
    "meta.objective": ("目标函数值（总成本）", "Objective (total cost)"),
    "meta.status": ("求解状态", "Solver status"),
    "meta.inputs_hash": ("输入数据哈希", "Inputs hash"),
    "meta.horizon": ("模拟时段", "Horizon"),
    "meta.sizing": ("容量确定方式", "Capacities"),
    "meta.sizing_detail": ("按 {days} 个典型日优化容量，再以该容量逐时调度全时段",
                           "sized on {days} representative days, then every hour dispatched with them"),
    "meta.pathway": ("规划路径（投资期）", "Pathway (investment periods)"),
    "meta.pathway_detail": ("以下各节为末期", "the sections below show the last period,"),
    # axes
    "axis.capacity": ("装机容量", "Capacity"),
    "axis.energy": ("电量", "Energy"),
    "axis.power": ("电力", "Power"),
    "axis.price": ("边际电价", "Marginal price"),
    "axis.load": ("用电负荷", "Load"),
    "axis.duration": ("累计小时数", "Hours at or above"),
    "axis.month": ("月份", "Month"),
    "axis.soc": ("荷电状态", "State of charge"),
    "axis.hours": ("小时数", "Hours"),
    "axis.starts": ("启动次数（等效整机）", "Start-ups (equivalent full units)"),
    "axis.curtailment_rate": ("弃电率", "Curtailment rate"),
    "axis.period": ("投资期", "Investment period"),
    "axis.annual_cost": ("年度成本（未折现）", "Annual cost (undiscounted)"),
    "axis.co2": ("二氧化碳排放", "CO2 emissions"),
    # legends and hover words
    "legend.supply": ("供给", "Supply"),
    "legend.use": ("消纳", "Use"),
    "legend.price": ("边际电价", "Marginal price"),
    "legend.load": ("用电负荷（含电解等转换）", "Load (incl. conversion)"),
    "legend.unserved": ("失负荷", "Unserved energy"),
    "legend.curtailment": ("弃风弃光", "Curtailment"),
    "legend.thermal_output": ("火电出力", "Thermal output"),
    "legend.renewable_used": ("新能源上网", "Wind and solar used"),
    "legend.thermal_floor": ("火电最低出力", "Thermal floor"),
    "legend.chp_floor": ("供热机组最低出力", "CHP floor"),
    "legend.chp_heat": ("供热机组供热量", "CHP heat output"),
    "legend.new": ("其中新增", "of which new"),
    "legend.full_load_hours": ("利用小时数", "Full-load hours"),
    "legend.operating_hours": ("运行小时数", "Operating hours"),
    "legend.starts": ("启动次数", "Start-ups"),
    "legend.curtailment_rate": ("弃电率", "Curtailment rate"),
    "legend.co2": ("二氧化碳排放", "CO2 emissions"),
    "legend.net_cost": ("年度净成本", "Net annual cost"),
    # carriers
    "carrier.electricity": ("电力", "Electricity"),
    "carrier.hydrogen": ("氢气", "Hydrogen"),
    "carrier.methanol": ("甲醇", "Methanol"),
    "carrier.methane": ("甲烷", "Methane"),
    "carrier.co2": ("二氧化碳", "CO2"),
    "carrier.ammonia": ("氨", "Ammonia"),
    "carrier.naoh": ("烧碱", "Caustic soda"),
    "carrier.chlorine": ("氯气", "Chlorine"),
    "carrier.carbide": ("电石", "Calcium carbide"),
    "carrier.glass": ("玻璃", "Glass"),
    # parts of a levelised product cost (energy_model.products)
    "cost_part.investment": ("投资年金", "Capex annuity"),
    "cost_part.fixed_om": ("固定运维", "Fixed O&M"),
    "cost_part.operation": ("可变运维与启停", "Variable O&M and starts"),
    "cost_part.electricity": ("电费（小时边际电价）", "Electricity (hourly marginal price)"),
    "cost_part.other_inputs": ("其他原料（氢、CO2，边际价格）", "Other inputs (H2, CO2 at marginal price)"),
    "cost_part.by_product_credit": ("副产品抵扣", "By-product credit"),
    "products.note": ("平准化成本：投资年金、运维，电力与原料按所在小时的边际价格计价，副产品按边际价格抵扣；"
                      "绿电占比：按小时新能源出力占比追溯到产品的用电（外购电计为非绿电）。",
                      "Levelised cost: capex annuity and O&M, electricity and inputs at the marginal price of the "
                      "hour they are used, by-products credited at theirs. Green share: the hourly renewable share "
                      "of the electricity traced into each product (grid imports count as not green)."),
    # renewables summed by colour family in the stacked charts
    "group.wind": ("风电（合计）", "Wind (all projects)"),
    "group.pv": ("光伏（合计）", "Solar PV (all projects)"),
    "group.renewable": ("其他新能源（合计）", "Other renewables (all projects)"),
    # energy-flow diagram: sources by colour family, the electricity hub, uses by kind
    "sankey.hub": ("电力", "Electricity"),
    "sankey.curtailment": ("弃风弃光", "Curtailment"),
    "sankey.source.coal": ("煤电", "Coal"),
    "sankey.source.wind": ("风电", "Wind"),
    "sankey.source.pv": ("光伏", "Solar PV"),
    "sankey.source.renewable": ("其他新能源", "Other renewables"),
    "sankey.source.storage": ("储能放电", "Storage"),
    "sankey.source.conversion": ("转换装置发电", "Conversion plants"),
    "sankey.source.grid": ("电网购入", "Grid import"),
    "sankey.source.demand": ("负荷侧供电", "Demand side"),
    "sankey.source.other": ("其他", "Other"),
    "sankey.use.demand": ("本地负荷", "Local loads"),
    "sankey.use.conversion": ("绿电+N 转换装置", "Green-power + N plants"),
    "sankey.use.market": ("外送", "Export"),
    "sankey.use.storage": ("储能损耗", "Storage losses"),
    "sankey.use.link": ("线路损耗", "Line losses"),
    "sankey.use.thermal": ("厂用电", "Station use"),
    "sankey.use.renewable": ("厂用电", "Station use"),
    # causes of curtailment (a results variable ``curtailment_cause`` over a ``cause`` dimension)
    "cause.export_limit": ("外送通道受限", "Export limit"),
    "cause.must_run": ("火电最小出力（供热）", "Thermal must-run (heat)"),
    "cause.low_load": ("负荷不足", "Low load"),
    # technology kinds
    "kind.renewable": ("新能源", "Renewable"),
    "kind.thermal": ("火电", "Thermal"),
    "kind.storage": ("储能", "Storage"),
    "kind.conversion": ("转换装置", "Conversion"),
    "kind.demand": ("负荷", "Demand"),
    "kind.market": ("电网交易", "Grid trade"),
    "kind.link": ("输电线路", "Transmission link"),
    # cost categories
    "cost.investment": ("投资（年化）", "Investment (annualised)"),
    "cost.fixed_om": ("固定运维", "Fixed O&M"),
    "cost.variable_om": ("可变运维", "Variable O&M"),
    "cost.fuel": ("燃料", "Fuel"),
    "cost.co2": ("碳排放", "CO2"),
    "cost.startup": ("启停", "Start-up"),
    "cost.export_revenue": ("外送收入", "Export revenue"),
    "cost.import": ("购电", "Import"),
    "cost.grid_charge": ("输配电容量电费", "Grid capacity charge"),
    "cost.unserved": ("失负荷", "Unserved energy"),
    "cost.product_revenue": ("产品销售收入", "Product revenue"),
    # KPIs (keys of analysis.summary; prefixed ones name the quantity before the technology)
    "kpi.total_cost": ("总成本（净，扣除售电和产品收入）", "Total cost (net of export and product revenue)"),
    "kpi.gross_cost": ("总成本（毛）", "Gross cost"),
    "kpi.revenue": ("售电和产品收入", "Export and product revenue"),
    "kpi.h2_certified_green_share": ("电解氢绿电认证比例", "Certified green share of electrolytic hydrogen"),
    "kpi.h2_kg_co2_per_kg": ("电解氢碳强度", "Carbon intensity of electrolytic hydrogen"),
    "kpi.h2_electrolytic": ("电解制氢量", "Electrolytic hydrogen"),
    "kpi.h2_by_product": ("副产氢（不计为绿氢）", "By-product hydrogen (never green)"),
    "kpi.h2_meets_eu_rfnbo": ("满足欧盟RFNBO阈值（3.38）", "Meets the EU RFNBO threshold (3.38)"),
    "kpi.h2_meets_china_clean": ("满足清洁氢阈值（T/CAB 0078-2020, 4.9）", "Meets China's clean-hydrogen threshold (4.9)"),
    "kpi.h2_meets_china_low_carbon": ("满足低碳氢阈值（14.51）", "Meets China's low-carbon threshold (14.51)"),
    "kpi.discounted_cost": ("折现成本", "Discounted cost"),
    "kpi.pathway_total_cost": ("全路径折现总成本", "Discounted total cost of the pathway"),
    "kpi.objective_weight": ("折现年数（目标函数权重）", "Discounted years (objective weight)"),
    "kpi.curtailment_gwh": ("弃电量", "Curtailment"),
    "kpi.curtailment_rate": ("弃电率", "Curtailment rate"),
    "kpi.coal_full_load_hours": ("煤电利用小时数", "Coal full-load hours"),
    "kpi.co2_mt": ("二氧化碳排放", "CO2 emissions"),
    "kpi.non_fossil_share": ("非化石能源发电占比", "Non-fossil share of generation"),
    "kpi.export_gwh": ("外送电量", "Export"),
    "kpi.import_gwh": ("购入电量", "Import"),
    "kpi.unserved_mwh": ("失负荷电量", "Unserved energy"),
    "kpi.mean_marginal_price": ("平均边际电价", "Mean marginal price"),
    "kpi.generation_gwh": ("发电量", "Generation"),
    "kpi.net_export_gwh": ("净送出电量（负值为受入）", "Net sent out (negative: received)"),
    "kpi.capacity": ("装机容量", "Capacity"),
    "kpi.energy_capacity": ("储能容量", "Energy capacity"),
    "kpi.generation": ("发电量", "Generation"),
    "kpi.full_load_hours": ("利用小时数", "Full-load hours"),
    "kpi.starts": ("启动次数", "Starts"),
    "kpi.heat_output": ("供热量", "Heat output"),
    "kpi.fuel_use": ("燃料消耗（标煤）", "Fuel use (coal equivalent)"),
    "kpi.fuel": ("燃料消耗合计（标煤）", "Total fuel use (coal equivalent)"),
    "kpi.co2": ("二氧化碳排放", "CO2 emissions"),
    "kpi.retrofit": ("灵活性改造容量", "Flexibility retrofit"),
    "kpi.cost": ("成本", "Cost"),
    "kpi.product_made": ("产量", "Made"),
    "kpi.product_delivered": ("交付量", "Delivered"),
    "kpi.green_share": ("绿电占比", "Green share"),
    "kpi.levelised_cost": ("平准化成本", "Levelised cost"),
    "kpi.electricity_use": ("用电量", "Electricity use"),
    "kpi.levelised_cost_hydrogen_per_kg": ("氢气平准化成本", "Levelised cost of hydrogen"),
    # KPI table header
    "table.kpi": ("指标", "Figure"),
    "table.value": ("数值", "Value"),
    "table.unit": ("单位", "Unit"),
    "table.pass": ("通过", "pass"),
    "table.fail": ("未通过", "fail"),
    "table.plant": ("装置", "Plant"),
    "table.product": ("产品", "Product"),
    "table.annual_output": ("年产量", "Annual output"),
    "table.electricity": ("年用电量", "Electricity"),
    "table.green_share": ("绿电占比", "Green share"),
    "table.levelised_cost": ("平准化成本", "Levelised cost"),
    # column headers of generic tables (plan audit, finance); unknown columns show their name
    "column.item": ("项目", "Item"),
    "column.value": ("数值", "Value"),
    "column.unit": ("单位", "Unit"),
    "column.target": ("规划目标", "Plan target"),
    "column.model": ("模型结果", "Model result"),
    "column.passed": ("是否达标", "Passed"),
    "column.note": ("说明", "Note"),
    "column.year": ("年份", "Year"),
    # plan audit (energy_model.audit)
    "column.check": ("核查项", "Check"),
    "column.source": ("依据", "Source"),
    "column.scenario": ("情景值", "Scenario"),
    "column.relation": ("关系", "Relation"),
    "column.plan": ("规划值", "Plan"),
    "audit.none": ("规划无数据", "no plan figure"),
    # results.xlsx: sheet names (at most 31 characters) and column headers
    "sheet.summary": ("概要", "Summary"),
    "sheet.capacities": ("装机容量", "Capacities"),
    "sheet.monthly_energy": ("月度电量", "Monthly energy"),
    "sheet.monthly_curtailment": ("月度弃电", "Monthly curtailment"),
    "sheet.thermal": ("煤电机组", "Thermal units"),
    "sheet.products": ("产品产量", "Products"),
    "excel.tech": ("技术编号", "Technology id"),
    "excel.name": ("名称", "Name"),
    "excel.kind": ("类型", "Kind"),
    "excel.node": ("节点", "Node"),
    "excel.carrier": ("载体", "Carrier"),
    "excel.kpi_id": ("指标编号", "Figure id"),
    "excel.capacity": ("装机容量", "Capacity"),
    "excel.capacity_new": ("其中新增", "of which new"),
    "excel.energy_capacity": ("储能容量", "Storage energy"),
    "excel.month": ("月份", "Month"),
    "excel.total": ("合计", "Total"),
    "excel.net_note": ("正值为向电网供电，负值为用电", "positive: supplied to the grid, negative: taken from it"),
    # batch comparison (comparison.py)
    "compare.title": ("多情景对比", "Scenario comparison"),
    "compare.section.runs": ("运行清单", "Runs"),
    "compare.section.targets": ("规划目标核对", "Plan targets"),
    "compare.section.kpis": ("关键指标对比", "Key figures side by side"),
    "compare.section.capacity": ("装机结构对比", "Capacity mix"),
    "compare.section.generation": ("发电结构对比", "Generation mix"),
    "compare.section.objective": ("目标函数值对比", "Objective by run"),
    "compare.run": ("运行", "Run"),
    "compare.scenario": ("情景", "Scenario"),
    "compare.status": ("状态", "Status"),
    "compare.skipped": ("沿用上次结果", "Reused"),
    "compare.wall_s": ("耗时（秒）", "Wall time (s)"),
    "compare.error": ("错误信息", "Error"),
    "compare.target": ("目标", "Target"),
    "compare.source": ("依据", "Source"),
    "compare.met": ("达标", "met"),
    "compare.missed": ("未达标", "missed"),
    "compare.report": ("仅列示", "shown only"),
    "compare.no_runs": ("没有成功的运行", "No successful run"),
    "compare.horizon": ("按模拟时段合计（{hours} 小时）", "Totals over the modelled horizon ({hours} h)"),
    "compare.horizons_differ": ("各运行按各自的模拟时段合计（见运行清单）：时段不同的运行之间不可直接比较",
                                "Totals over each run's own horizon (see Runs): runs of different horizons do not compare"),
    "compare.horizon_column": ("模拟时段", "Horizon"),
    "compare.hours": ("{hours} 小时", "{hours} h"),
    "compare.days": ("{days} 个典型日，代表 {hours}", "{days} representative days for {hours}"),
    "compare.sized": ("{hours}（容量按 {days} 个典型日优化）", "{hours}, sized on {days} representative days"),
    "compare.annualised": ("电量、产值和排放按模拟时段折算为全年", "Energy, value and emissions scaled to a year from the modelled hours"),
    "compare.output_value_note": ("电力能源产值 = 各类机组发电量 × 上网电价 + 绿电+N产品交付量 × 产品价格（价格及来源见 plan_targets.yaml）",
                                  "Power-energy output value = generation × on-grid price by type + products delivered × product price (prices and sources in plan_targets.yaml)"),
    # grid export, direct supply (compliance table) and project economics (finance tables and figures)
    "section.compliance": ("绿电直连合规性（发改能源〔2025〕650号）", "Direct-supply compliance (NDRC/NEA 2025 No. 650)"),
    "section.finance_cashflow": ("项目现金流", "Project cash flows"),
    "section.finance_tornado": ("项目净现值敏感性", "Project NPV sensitivity"),
    "section.finance_statement": ("可研财务评价（项目投资与资本金）", "Feasibility-study view (project and equity)"),
    "section.finance_sweep": ("项目容量配比扫描", "Project sizing sweep"),
    "cause.feed_in_cap": ("直连上网比例限制", "Direct-supply feed-in cap"),
    "kpi.curtailment_export_limit_gwh": ("弃电量·外送通道受限", "Curtailment · export limit"),
    "kpi.curtailment_feed_in_cap_gwh": ("弃电量·直连上网比例限制", "Curtailment · feed-in cap"),
    "kpi.curtailment_must_run_gwh": ("弃电量·火电最小出力", "Curtailment · thermal must-run"),
    "kpi.curtailment_low_load_gwh": ("弃电量·负荷不足", "Curtailment · low load"),
    "kpi.export_at_limit_hours": ("外送满载小时数", "Hours exporting at the limit"),
    "rule.min_self_consumption": ("自发自用电量 / 新能源可用发电量", "Self-consumed / available new-energy output"),
    "rule.min_green_share": ("自发自用新能源 / 项目总用电量", "Self-consumed new energy / total consumption"),
    "rule.max_feed_in": ("上网电量 / 新能源可用发电量", "Feed-in / available new-energy output"),
    "rule.enforced": ("约束", "enforced"),
    "rule.reported": ("仅核查", "reported only"),
    "column.project": ("投资项目", "Project"),
    "column.metric": ("指标", "Figure"),
    "column.rule": ("考核指标", "Rule"),
    "column.limit": ("限值", "Limit"),
    "finance.metrics": ("经济指标", "Key figures"),
    "finance.cumulative": ("累计净现金流", "Cumulative net cash flow"),
    "finance.levelised": ("平准化成本", "levelised cost"),
    "finance.base_npv": ("基准净现值", "Base NPV"),
    "finance.optimum": ("优化结果 ★", "optimiser's design ★"),
    "finance.best": ("扫描中净现值最高", "highest NPV in the sweep"),
    "finance.status": ("求解状态", "Status"),
    "finance.formula": ("Excel公式校核", "Excel formula check"),
    "finance.cashflow_cny": ("年度现金流（实际价格，元）", "Yearly cash flows (real terms, CNY)"),
    "finance.setting": ("取值", "Setting"),
    "axis.npv": ("净现值", "NPV"),
    "axis.cashflow": ("现金流", "Cash flow"),
    "legend.low": ("下限", "Low"),
    "legend.high": ("上限", "High"),
    "item.capex": ("建设投资", "Capital expenditure"),
    "item.replacement": ("设备更换", "Replacement"),
    "item.residual_value": ("期末残值", "Residual value"),
    "item.fixed_om": ("固定运维", "Fixed O&M"),
    "item.grid_charge": ("输配电容量电费", "Grid capacity charge"),
    "item.variable_om": ("可变运维", "Variable O&M"),
    "item.fuel": ("燃料", "Fuel"),
    "item.co2": ("碳排放", "CO2"),
    "item.startup": ("启停", "Start-up"),
    "item.electricity_purchase": ("购电", "Electricity bought"),
    "item.electricity_sales": ("上网售电", "Electricity sold"),
    "item.other_purchase": ("原料采购", "Other purchases"),
    "item.other_sales": ("其他销售", "Other sales"),
    "item.product_revenue": ("产品收入", "Product revenue"),
    "item.green_certificates": ("绿证收入", "Green certificates"),
    "item.tax": ("所得税", "Income tax"),
    "item.net": ("净现金流", "Net cash flow"),
    "metric.npv": ("净现值", "NPV"),
    "metric.irr": ("内部收益率", "IRR"),
    "metric.capex": ("建设投资", "Capital expenditure"),
    "metric.wacc": ("折现率", "Discount rate (WACC)"),
    "metric.payback_year": ("静态回收年份", "Payback year"),
    "metric.discounted_payback_year": ("动态回收年份", "Discounted payback year"),
    "metric.project_irr_pre_tax": ("项目投资财务内部收益率（所得税前）", "Project IRR before tax"),
    "metric.project_irr_after_tax": ("项目投资财务内部收益率（所得税后）", "Project IRR after tax"),
    "metric.project_npv_after_tax": ("项目投资财务净现值（所得税后）", "Project NPV after tax"),
    "metric.equity_irr": ("资本金财务内部收益率", "Equity IRR"),
    "metric.equity_npv": ("资本金财务净现值", "Equity NPV"),
    "metric.dscr_min": ("最低偿债备付率", "Minimum DSCR"),
    "metric.dscr_mean": ("平均偿债备付率", "Mean DSCR"),
    "metric.loan": ("长期借款", "Long-term loan"),
    "metric.interest_during_construction": ("建设期利息", "Interest during construction"),
    "metric.total_investment": ("项目总投资", "Total investment"),
    "rule.wacc": ("项目基准收益率（折现率）", "Project discount rate"),
    "rule.equity_rate": ("资本金基准收益率", "Equity discount rate"),
    "rule.surcharge": ("税金及附加（占增值税）", "VAT surcharges (share of VAT)"),
    "finance.statement": ("可研财务报表（名义价格，元）", "Feasibility-study statement (nominal, CNY)"),
    "line.sales": ("营业收入（含税）", "Sales (VAT incl.)"),
    "line.operating_cost": ("经营成本（含税）", "Operating costs (VAT incl.)"),
    "line.output_vat": ("销项税额", "Output VAT"),
    "line.input_vat": ("进项税额（经营）", "Input VAT (operation)"),
    "line.capex_vat": ("进项税额（投资）", "Input VAT (capital)"),
    "line.vat_payable": ("应纳增值税", "VAT paid"),
    "line.vat_credit": ("留抵进项税额", "VAT credit carried forward"),
    "line.vat_refund": ("增值税即征即退", "VAT refund"),
    "line.surcharges": ("税金及附加", "VAT surcharges"),
    "line.ebitda": ("息税折旧摊销前利润", "EBITDA"),
    "line.depreciation": ("折旧", "Depreciation"),
    "line.interest": ("长期借款利息", "Loan interest"),
    "line.working_capital_interest": ("流动资金借款利息", "Working-capital interest"),
    "line.profit_before_tax": ("利润总额", "Profit before tax"),
    "line.income_tax": ("所得税", "Income tax"),
    "line.net_profit": ("净利润", "Net profit"),
    "line.capex": ("建设投资", "Capital expenditure"),
    "line.replacement": ("更新改造投资", "Replacements"),
    "line.loan_draw": ("借款提款", "Loan drawn"),
    "line.interest_during_construction": ("建设期利息（资本化）", "Interest during construction (capitalised)"),
    "line.loan_balance": ("借款余额（年末）", "Loan balance (year end)"),
    "line.principal": ("偿还本金", "Principal repaid"),
    "line.debt_service": ("还本付息", "Debt service"),
    "line.cfads": ("可用于还本付息的资金", "Cash available for debt service"),
    "line.dscr": ("偿债备付率", "DSCR"),
    "line.working_capital": ("流动资金", "Working capital"),
    "line.working_capital_loan": ("流动资金借款（借入+/偿还−）", "Working-capital loan (drawn +, repaid −)"),
    "line.residual_value": ("回收固定资产余值", "Residual value of fixed assets"),
    "line.adjusted_income_tax": ("调整所得税", "Tax on EBIT (project view)"),
    "line.project_pre_tax": ("项目投资净现金流（所得税前）", "Project cash flow before tax"),
    "line.project_after_tax": ("项目投资净现金流（所得税后）", "Project cash flow after tax"),
    "line.equity": ("资本金净现金流", "Equity cash flow"),
    "metric.npv_p90": ("净现值 P90（90%概率可达到）", "NPV P90 (exceeded in 90 % of draws)"),
    "metric.npv_p50": ("净现值 P50", "NPV P50"),
    "metric.npv_p10": ("净现值 P10", "NPV P10"),
    "metric.npv_probability_negative": ("净现值为负的概率", "Probability of a negative NPV"),
    "section.finance_risk": ("项目净现值风险分布（蒙特卡洛）", "Project NPV distribution (Monte Carlo)"),
    "risk.share": ("抽样占比", "share of draws"),
    "risk.cumulative": ("累计概率", "cumulative probability"),
    "ensemble.title": ("气象年集合", "Weather-year ensemble"),
    "ensemble.section": ("各指标在气象年间的分布", "Each figure over the weather years"),
    "ensemble.note": ("{years} 个气象年各求解一次；P90 为 90% 年份可达到（超过）的值，即第10百分位；P10 为仅 10% 年份超过的值。"
                      "虚线为典型年（算例自身的时间序列）。",
                      "One solve per weather year ({years} years). P90 is the value exceeded in 90 % of the years "
                      "(the 10th percentile), P10 the value exceeded in 10 %. The dotted line is the typical year "
                      "(the case's own time series)."),
    "ensemble.typical": ("典型年", "typical year"),
    "ensemble.mean": ("均值", "mean"),
    "ensemble.std": ("标准差", "std"),
    "ensemble.min": ("最小", "min"),
    "ensemble.p90": ("P90", "P90"),
    "ensemble.p50": ("P50", "P50"),
    "ensemble.p10": ("P10", "P10"),
    "ensemble.max": ("最大", "max"),
    "tornado.capex": ("投资", "Capital expenditure"),
    "tornado.electricity_price": ("电价（购电与上网）", "Electricity prices (bought and sold)"),
    "tornado.product_price": ("产品价格", "Product prices"),
    "tornado.wacc": ("折现率", "WACC"),
    "tornado.capacity_factor": ("新能源出力系数", "Renewable capacity factor"),
}

# canonical unit -> {lang: (display unit, factor from canonical to display)}
UNITS: dict[str, dict[str, tuple[str, float]]] = {
    "MW": {"zh": ("万千瓦", 0.1), "en": ("MW", 1.0)},
    "MWh": {"zh": ("万千瓦时", 0.1), "en": ("MWh", 1.0)},
    "GWh": {"zh": ("亿千瓦时", 0.01), "en": ("GWh", 1.0)},
    "CNY": {"zh": ("亿元", 1e-8), "en": ("bn CNY", 1e-9)},
    "CNY/MWh": {"zh": ("元/兆瓦时", 1.0), "en": ("CNY/MWh", 1.0)},
    "Mt": {"zh": ("万吨", 100.0), "en": ("Mt", 1.0)},
    "t": {"zh": ("吨", 1.0), "en": ("t", 1.0)},
    "t/h": {"zh": ("吨/小时", 1.0), "en": ("t/h", 1.0)},
    "starts": {"zh": ("次", 1.0), "en": ("starts", 1.0)},
    "h": {"zh": ("小时", 1.0), "en": ("h", 1.0)},
    "fraction": {"zh": ("%", 100.0), "en": ("%", 100.0)},
    "t/yr": {"zh": ("万吨/年", 1e-4), "en": ("kt/yr", 1e-3)},
    "GWh/yr": {"zh": ("亿千瓦时/年", 0.01), "en": ("GWh/yr", 1.0)},
    "MWh/yr": {"zh": ("亿千瓦时/年", 1e-5), "en": ("GWh/yr", 1e-3)},
    "CNY/yr": {"zh": ("亿元/年", 1e-8), "en": ("bn CNY/yr", 1e-9)},
    "CNY/t": {"zh": ("元/吨", 1.0), "en": ("CNY/t", 1.0)},
    "CNY/kg": {"zh": ("元/千克", 1.0), "en": ("CNY/kg", 1.0)},
    "year": {"zh": ("年", 1.0), "en": ("", 1.0)},
    "discounted years": {"zh": ("折现年", 1.0), "en": ("discounted years", 1.0)},
}

_KPI_PREFIXES = ("energy_capacity_", "capacity_", "generation_", "cost_", "electricity_use_", "full_load_hours_",
                 "starts_", "heat_output_", "fuel_use_", "fuel_", "co2_", "retrofit_", "export_at_limit_hours_")
_PRODUCT_PREFIXES = ("product_made_", "product_delivered_", "green_share_", "levelised_cost_")


def _check(lang: str) -> int:
    if lang not in LANGUAGES:
        raise ValueError(f"language '{lang}' is not one of {LANGUAGES}")
    return LANGUAGES.index(lang)


def label(key: str, lang: str, default: str | None = None) -> str:
    """The text of ``key``; ``default`` (if given) stands in for keys the model may add later."""
    index = _check(lang)
    if key in LABELS:
        return LABELS[key][index]
    if default is None:
        raise KeyError(f"no label '{key}'")
    return default


def convert(value: float, unit: str, lang: str) -> tuple[float, str]:
    """``value`` in ``unit`` as (number, unit) for display; units without a conversion pass through."""
    _check(lang)
    shown, factor = UNITS.get(unit, {}).get(lang, (unit, 1.0))
    return value * factor, shown


def unit_label(unit: str, lang: str) -> str:
    return convert(1.0, unit, lang)[1]


def axis_title(key: str, unit: str, lang: str) -> str:
    return f"{label(key, lang)} ({unit_label(unit, lang)})"


def tech_names(ds: xr.Dataset, lang: str) -> dict[str, str]:
    """Display name per technology: ``tech_label_zh`` in Chinese, the id in English; never two alike,
    because plotly merges bars and legend entries of equal names."""
    _check(lang)
    techs = [str(t) for t in ds["tech"].values]
    names = {g: (str(zh) or g) if lang == "zh" else g for g, zh in zip(techs, ds["tech_label_zh"].values)}
    seen: dict[str, int] = {}
    for name in names.values():
        seen[name] = seen.get(name, 0) + 1
    return {g: f"{name} ({g})" if seen[name] > 1 else name for g, name in names.items()}


def kpi_name(kpi: str, names: dict[str, str], lang: str) -> str:
    """Readable name of a summary row such as ``capacity_wind_1`` or ``cost_fuel``."""
    if f"kpi.{kpi}" in LABELS:
        return label(f"kpi.{kpi}", lang)
    if NODE_MARK in kpi:  # a node's figure (analysis/kpis.node_rows): <figure>@<node>
        figure, node = kpi.rsplit(NODE_MARK, 1)
        return f"{kpi_name(figure, names, lang)} · {node}"
    if kpi.startswith("project.") and kpi.count(".") >= 2:  # project.<name>.<figure> (analysis/finance.py)
        project, figure = kpi.removeprefix("project.").rsplit(".", 1)
        limit = figure.endswith("_limit")
        figure = figure.removesuffix("_limit")
        shown = label(f"metric.{figure}", lang, default=label(f"rule.{figure}", lang, default=figure))
        return f"{project} · {shown}" + (f" · {label('column.limit', lang)}" if limit else "")
    for prefix in _PRODUCT_PREFIXES:
        if kpi.startswith(prefix):
            carrier = kpi[len(prefix):]
            return f"{label('kpi.' + prefix[:-1], lang)} · {label(f'carrier.{carrier}', lang, default=carrier)}"
    for prefix in _KPI_PREFIXES:
        if kpi.startswith(prefix):
            rest = kpi[len(prefix):]
            detail = label(f"cost.{rest}", lang, default=rest) if prefix == "cost_" else names.get(rest, rest)
            return f"{label('kpi.' + prefix[:-1], lang)} · {detail}"
    return kpi



def localize_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table another analysis made (plan audit, finance) ready to show: headers from ``column.<name>``
    (the name itself where no label exists), booleans as pass/fail, and, where the table has a ``unit``
    column, every number of a row converted from that unit to the display unit, which the unit cell then shows."""
    _check(lang)
    shown = frame.copy().astype(object)
    if "unit" in shown.columns:
        for index, unit in frame["unit"].items():
            for column in frame.columns:
                value = frame.at[index, column]
                if column != "unit" and _is_number(value):
                    shown.at[index, column] = convert(float(value), str(unit), lang)[0]
            shown.at[index, "unit"] = unit_label(str(unit), lang)
    for column in shown.columns:
        shown[column] = [label("table.pass" if v else "table.fail", lang) if isinstance(v, (bool, np.bool_)) else v
                         for v in shown[column]]
    return shown.rename(columns={c: label(f"column.{c}", lang, default=str(c)) for c in shown.columns})


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
