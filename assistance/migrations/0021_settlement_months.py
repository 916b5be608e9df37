"""On PostgreSQL each year's settlement partition is itself partitioned by month of settled_on
(RANGE), one leaf per month plus a DEFAULT leaf (`_other`, normally empty: it only keeps any row
whose date does not lie in its year, so this migration preserves every row whatever it holds).

Why: the MSB sends a year as twelve monthly extracts and re-sends a month to correct it. With a
leaf per month, every file is loaded the fast way — rows COPY'd into a bare table, its indexes
built once, the table swapped in for its month (assistance/importing/partition.py) — and a
re-sent month simply replaces its leaf.

A partitioned table's unique keys must contain every partition key, so the parent can no longer
hold UNIQUE (settlement_no, year) nor PRIMARY KEY (id, year): each leaf (and the default year
partition) holds its own UNIQUE (settlement_no, year), and the importer checks, set-based, that
a number never appears in two months of a year. `id` stays unique through its identity; a plain
index on it serves look-ups by id. Django's model keeps its UniqueConstraint (form validation,
and SQLite's table, which is unchanged).

The person table keeps a fifth of each page free (fillfactor 80): monthly files update people
they name, and an update that fits its page skips the indexes (HOT).

Existing rows are kept: each year's old partition is detached, its rows copied into the new
monthly leaves, then dropped. Migrating backwards leaves the monthly layout in place.
"""
import datetime as dt

from django.db import migrations, models

from fundportal.migration_utils import run_sql_per_vendor

FIRST_YEAR, LAST_YEAR = 2018, 2035
PARENT = "assistance_settlementrecord"
COLUMNS = ("id, year, settlement_no, settled_on, institution, in_province, total_cost, fund_basic, fund_critical, "
           "fund_assistance, out_of_pocket, import_job_id, person_id")


def _leaf_indexes(leaf: str) -> list[str]:
    # Named as the importer names them (partition.py) so a swapped-in leaf looks like any other.
    return [f"ALTER TABLE {leaf} ADD CONSTRAINT {leaf}_no_key UNIQUE (settlement_no, year)",
            f"CREATE INDEX {leaf}_id_idx ON {leaf} (id)",
            f"CREATE INDEX {leaf}_person_idx ON {leaf} (person_id, year)"]


def _year(year: int) -> list[str]:
    table = f"{PARENT}_y{year}"
    statements = [
        f"ALTER TABLE {PARENT} DETACH PARTITION {table}",
        f"ALTER TABLE {table} RENAME TO {table}_old",
        f"CREATE TABLE {table} PARTITION OF {PARENT} FOR VALUES IN ({year}) PARTITION BY RANGE (settled_on)",
    ]
    for month in range(1, 13):
        start = dt.date(year, month, 1)
        end = dt.date(year + (month == 12), month % 12 + 1, 1)
        statements.append(f"CREATE TABLE {table}_m{month:02d} PARTITION OF {table} "
                          f"FOR VALUES FROM ('{start}') TO ('{end}')")
    statements += [
        f"CREATE TABLE {table}_other PARTITION OF {table} DEFAULT",
        f"INSERT INTO {table} ({COLUMNS}) SELECT {COLUMNS} FROM {table}_old",
        f"DROP TABLE {table}_old",
    ]
    for leaf in [*(f"{table}_m{month:02d}" for month in range(1, 13)), f"{table}_other"]:
        statements += _leaf_indexes(leaf)
    return statements


POSTGRES_UP = [
    f"ALTER TABLE {PARENT} DROP CONSTRAINT {PARENT}_pkey",
    f"ALTER TABLE {PARENT} DROP CONSTRAINT settlement_no_year_unique",
    "DROP INDEX settlement_person_year_idx",
    *[statement for year in range(FIRST_YEAR, LAST_YEAR + 1) for statement in _year(year)],
    *_leaf_indexes(f"{PARENT}_default"),
    # On the parent last: they take the leaves' own indexes as their parts (no second build).
    f"CREATE INDEX settlement_person_year_idx ON {PARENT} (person_id, year)",
    f"CREATE INDEX settlement_id_idx ON {PARENT} (id)",
    f"ANALYZE {PARENT}",
    # Each monthly file updates the people it names (their last row's values): with room left in
    # each page those updates stay on the page (HOT) and skip the person table's four indexes.
    "ALTER TABLE assistance_insuredperson SET (fillfactor = 80)",
]


class Migration(migrations.Migration):
    dependencies = [("assistance", "0020_rechecks_followups_departures")]

    operations = [
        migrations.AddField(
            model_name="settlementimport",
            name="month",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="月份",
                help_text="文件是该年哪个月的结算数据（按结算日期）：重新导入同一月份会整月替换；留空则按结算编号合并"),
        ),
        migrations.AddField(
            model_name="historicalsettlementimport",
            name="month",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="月份",
                help_text="文件是该年哪个月的结算数据（按结算日期）：重新导入同一月份会整月替换；留空则按结算编号合并"),
        ),
        run_sql_per_vendor({"postgresql": POSTGRES_UP}, {}),
    ]
