"""The annual report (年度工作报告及财务会计报告, 慈善组织信息公开办法): one published document per
year, built from the recorded data only and published into the statements' hash chain.

content.py says what it contains (reads), grouping.py the small-count rule of its per-town table,
services.py publishes it (finance only, once per year)."""
