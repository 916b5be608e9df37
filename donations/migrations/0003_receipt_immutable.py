"""A receipt is never edited or deleted, in the database itself: the only UPDATE allowed is
valid → voided, filling the void fields and nothing else."""
from django.db import migrations

from fundportal.migration_utils import run_sql_per_vendor

FROZEN = ["number", "year", "sequence", "donation_id", "donor_name", "is_organisation", "amount", "received_on",
          "verification_code", "replaces_id", "issued_at", "issued_by_id"]
UNCHANGED_PG = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in FROZEN)
UNCHANGED_SQLITE = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in FROZEN)
MESSAGE = "donations_receipt: a receipt is never edited or deleted, only voided"

POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION donations_receipt_void_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.status = 'valid' AND NEW.status = 'voided' AND {UNCHANGED_PG} THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION USING MESSAGE = '{MESSAGE}';
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER donations_receipt_void_only BEFORE UPDATE OR DELETE ON donations_receipt
        FOR EACH ROW EXECUTE FUNCTION donations_receipt_void_only();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS donations_receipt_void_only ON donations_receipt;",
    "DROP FUNCTION IF EXISTS donations_receipt_void_only();",
]
SQLITE_UP = [
    f"""CREATE TRIGGER donations_receipt_no_delete BEFORE DELETE ON donations_receipt
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER donations_receipt_void_only BEFORE UPDATE ON donations_receipt
        WHEN NOT (OLD.status = 'valid' AND NEW.status = 'voided' AND {UNCHANGED_SQLITE})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS donations_receipt_no_delete;",
    "DROP TRIGGER IF EXISTS donations_receipt_void_only;",
]


class Migration(migrations.Migration):
    dependencies = [("donations", "0002_donation_idempotency_key")]

    operations = [
        run_sql_per_vendor({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP},
                           {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
    ]
