"""A signed resolution and its list never change: the database refuses, whoever asks.

Row triggers do not fire on TRUNCATE, which is what test-database flushes use.
"""
from django.db import migrations

from fundportal.migration_utils import run_sql_per_vendor

MESSAGE = "signed resolutions are immutable: "
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION assistance_resolution_signed_immutable() RETURNS trigger AS $$
    BEGIN
        IF OLD.signed_at IS NOT NULL THEN
            RAISE EXCEPTION USING MESSAGE = '{MESSAGE}' || TG_OP || ' refused';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER assistance_resolution_signed_immutable
        BEFORE UPDATE OR DELETE ON assistance_resolution
        FOR EACH ROW EXECUTE FUNCTION assistance_resolution_signed_immutable();""",
    f"""CREATE OR REPLACE FUNCTION assistance_resolutionitem_signed_immutable() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM assistance_resolution r WHERE r.signed_at IS NOT NULL
                   AND r.id IN (CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.resolution_id END,
                                CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.resolution_id END)) THEN
            RAISE EXCEPTION USING MESSAGE = '{MESSAGE}' || TG_OP || ' of an item refused';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER assistance_resolutionitem_signed_immutable
        BEFORE INSERT OR UPDATE OR DELETE ON assistance_resolutionitem
        FOR EACH ROW EXECUTE FUNCTION assistance_resolutionitem_signed_immutable();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS assistance_resolution_signed_immutable ON assistance_resolution;",
    "DROP FUNCTION IF EXISTS assistance_resolution_signed_immutable();",
    "DROP TRIGGER IF EXISTS assistance_resolutionitem_signed_immutable ON assistance_resolutionitem;",
    "DROP FUNCTION IF EXISTS assistance_resolutionitem_signed_immutable();",
]
SQLITE_UP = [
    f"""CREATE TRIGGER assistance_resolution_no_update BEFORE UPDATE ON assistance_resolution
       WHEN OLD.signed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{MESSAGE}UPDATE refused'); END;""",
    f"""CREATE TRIGGER assistance_resolution_no_delete BEFORE DELETE ON assistance_resolution
       WHEN OLD.signed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{MESSAGE}DELETE refused'); END;""",
    f"""CREATE TRIGGER assistance_resolutionitem_no_insert BEFORE INSERT ON assistance_resolutionitem
       WHEN (SELECT signed_at FROM assistance_resolution WHERE id = NEW.resolution_id) IS NOT NULL
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}INSERT of an item refused'); END;""",
    f"""CREATE TRIGGER assistance_resolutionitem_no_update BEFORE UPDATE ON assistance_resolutionitem
       WHEN (SELECT signed_at FROM assistance_resolution WHERE id IN (OLD.resolution_id, NEW.resolution_id)
             AND signed_at IS NOT NULL) IS NOT NULL
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}UPDATE of an item refused'); END;""",
    f"""CREATE TRIGGER assistance_resolutionitem_no_delete BEFORE DELETE ON assistance_resolutionitem
       WHEN (SELECT signed_at FROM assistance_resolution WHERE id = OLD.resolution_id) IS NOT NULL
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}DELETE of an item refused'); END;""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name};" for name in (
        "assistance_resolution_no_update", "assistance_resolution_no_delete", "assistance_resolutionitem_no_insert",
        "assistance_resolutionitem_no_update", "assistance_resolutionitem_no_delete")
]


class Migration(migrations.Migration):
    dependencies = [("assistance", "0011_council_and_payouts")]

    operations = [
        run_sql_per_vendor({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP},
                           {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
    ]
