"""Ledger entries are append-only in the database itself: UPDATE and DELETE raise.

Row triggers do not fire on TRUNCATE, which is what test-database flushes use.
"""
from django.db import migrations

from fundportal.migration_utils import run_sql_per_vendor

POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION fundportal_ledger_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION USING MESSAGE = 'fundportal_ledgerentry is append-only: ' || TG_OP || ' refused';
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER fundportal_ledgerentry_append_only
        BEFORE UPDATE OR DELETE ON fundportal_ledgerentry
        FOR EACH ROW EXECUTE FUNCTION fundportal_ledger_append_only();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS fundportal_ledgerentry_append_only ON fundportal_ledgerentry;",
    "DROP FUNCTION IF EXISTS fundportal_ledger_append_only();",
]
SQLITE_UP = [
    """CREATE TRIGGER fundportal_ledgerentry_no_update BEFORE UPDATE ON fundportal_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'fundportal_ledgerentry is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER fundportal_ledgerentry_no_delete BEFORE DELETE ON fundportal_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'fundportal_ledgerentry is append-only: DELETE refused'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS fundportal_ledgerentry_no_update;",
    "DROP TRIGGER IF EXISTS fundportal_ledgerentry_no_delete;",
]


class Migration(migrations.Migration):
    dependencies = [("fundportal", "0001_initial")]

    operations = [
        run_sql_per_vendor({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP},
                           {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
    ]
