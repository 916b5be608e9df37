"""The statutory disclosure calendar (信息公开日历, 慈善组织信息公开办法, 民政部令第81号, in force
2026-01-01): what the fund must make public and by when, computed from rules (rules.py) and the
recorded data (selectors.py); finance's work queue (queue.py) and staff page (admin_views.py)."""
