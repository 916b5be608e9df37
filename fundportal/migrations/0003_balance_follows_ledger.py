"""The fund balance can only ever be the last ledger entry's running balance.

So no UPDATE — ORM, admin or raw SQL — can make the balance drift away from the ledger.
"""
from django.db import migrations

from fundportal.migration_utils import run_sql_per_vendor

LAST_BALANCE = """COALESCE((SELECT balance_after FROM fundportal_ledgerentry
                            WHERE account_id = NEW.id ORDER BY id DESC LIMIT 1), 0)"""
MESSAGE = "fundportal_fundaccount.balance must equal the last ledger entry balance_after"

POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION fundportal_balance_follows_ledger() RETURNS trigger AS $$
    BEGIN
        IF NEW.balance IS DISTINCT FROM OLD.balance AND NEW.balance <> {LAST_BALANCE} THEN
            RAISE EXCEPTION USING MESSAGE = '{MESSAGE}';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER fundportal_fundaccount_balance_follows_ledger
        BEFORE UPDATE ON fundportal_fundaccount
        FOR EACH ROW EXECUTE FUNCTION fundportal_balance_follows_ledger();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS fundportal_fundaccount_balance_follows_ledger ON fundportal_fundaccount;",
    "DROP FUNCTION IF EXISTS fundportal_balance_follows_ledger();",
]
SQLITE_UP = [
    f"""CREATE TRIGGER fundportal_fundaccount_balance_follows_ledger BEFORE UPDATE OF balance ON fundportal_fundaccount
        WHEN NEW.balance <> OLD.balance AND NEW.balance <> {LAST_BALANCE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS fundportal_fundaccount_balance_follows_ledger;"]


class Migration(migrations.Migration):
    dependencies = [("fundportal", "0002_ledger_append_only")]

    operations = [
        run_sql_per_vendor({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP},
                           {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
    ]
