"""A published statement never changes and is never deleted: the database refuses, whoever asks.

Row triggers do not fire on TRUNCATE, which is what test-database flushes use.
"""
from django.db import migrations

from fundportal.migration_utils import run_sql_per_vendor

MESSAGE = "published statements are immutable: "
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION disclosure_statement_published_immutable() RETURNS trigger AS $$
    BEGIN
        IF OLD.state = 'published' THEN
            RAISE EXCEPTION USING MESSAGE = '{MESSAGE}' || TG_OP || ' refused';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER disclosure_statement_published_immutable
        BEFORE UPDATE OR DELETE ON disclosure_statement
        FOR EACH ROW EXECUTE FUNCTION disclosure_statement_published_immutable();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS disclosure_statement_published_immutable ON disclosure_statement;",
    "DROP FUNCTION IF EXISTS disclosure_statement_published_immutable();",
]
SQLITE_UP = [
    f"""CREATE TRIGGER disclosure_statement_no_update BEFORE UPDATE ON disclosure_statement
       WHEN OLD.state = 'published' BEGIN SELECT RAISE(ABORT, '{MESSAGE}UPDATE refused'); END;""",
    f"""CREATE TRIGGER disclosure_statement_no_delete BEFORE DELETE ON disclosure_statement
       WHEN OLD.state = 'published' BEGIN SELECT RAISE(ABORT, '{MESSAGE}DELETE refused'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS disclosure_statement_no_update;",
               "DROP TRIGGER IF EXISTS disclosure_statement_no_delete;"]


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_statements")]

    operations = [
        run_sql_per_vendor({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP},
                           {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
    ]
