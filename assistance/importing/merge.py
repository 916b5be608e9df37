"""A file for a year that already has rows (or one that repeats a settlement number): the checked
rows COPY'd into a staging table, then merged with set-based SQL.

Within the file the first valid row with a settlement number wins and later ones are reported.
Each person takes the values of their last row; settlements are inserted, replaced when they
changed (same number, in whichever month of the year it was) and left alone when identical, so
re-importing a file changes nothing.
"""
from collections.abc import Callable

from .copying import copy_in, text_chunks
from . import people
from .partition import Written

STAGING_COLUMNS = ("row_no", "settlement_no", "resident_id", "name", "region_id", "household_region",
                   "insured_kind", "is_deceased", "is_moved", "settled_on", "institution", "in_province", "total_cost",
                   "fund_basic", "fund_critical", "fund_assistance", "out_of_pocket")
STAGING = """
    CREATE TEMP TABLE staging (
        row_no bigint, settlement_no varchar(40), resident_id varchar(18), name varchar(50), region_id bigint,
        household_region text, insured_kind varchar(30), is_deceased boolean, is_moved boolean, settled_on date,
        institution varchar(100), in_province boolean, total_cost numeric(14, 2), fund_basic numeric(14, 2),
        fund_critical numeric(14, 2), fund_assistance numeric(14, 2), out_of_pocket numeric(14, 2)
    ) ON COMMIT DROP
"""
# Each person from their last valid row; deceased when any row says so.
LATEST_PEOPLE = """
    INSERT INTO import_people (resident_id, name, region_id, household_region_text, insured_kind, is_deceased,
                               is_moved)
    SELECT DISTINCT ON (resident_id) resident_id, name, region_id,
           left(household_region, 100) AS household_region_text, insured_kind,
           bool_or(is_deceased) OVER (PARTITION BY resident_id) AS is_deceased,
           bool_or(is_moved) OVER (PARTITION BY resident_id) AS is_moved
    FROM valid
    ORDER BY resident_id, row_no DESC
"""
INSERT_SETTLEMENTS = """
    INSERT INTO assistance_settlementrecord AS s
        (year, settlement_no, person_id, settled_on, institution, in_province, total_cost, fund_basic,
         fund_critical, fund_assistance, out_of_pocket, import_job_id)
    SELECT %(year)s, v.settlement_no, p.id, v.settled_on, v.institution, v.in_province, v.total_cost,
           v.fund_basic, v.fund_critical, v.fund_assistance, v.out_of_pocket, %(job)s
    FROM valid v JOIN assistance_insuredperson p ON p.resident_id = v.resident_id
"""
# The year's rows with the same numbers as the file's, and whether each is identical to its new
# row. (On PostgreSQL the year is split by month and no unique index spans it, so no ON CONFLICT:
# changed rows are deleted and inserted again, which also moves a row whose date changed month.)
EXISTING = """
    CREATE TEMP TABLE existing ON COMMIT DROP AS
    SELECT s.id, v.row_no,
           (s.person_id, s.settled_on, s.institution, s.in_province, s.total_cost, s.fund_basic, s.fund_critical,
            s.fund_assistance, s.out_of_pocket)
           IS NOT DISTINCT FROM (p.id, v.settled_on, v.institution, v.in_province, v.total_cost, v.fund_basic,
                                 v.fund_critical, v.fund_assistance, v.out_of_pocket) AS same
    FROM valid v
    JOIN assistance_settlementrecord s ON s.year = %(year)s AND s.settlement_no = v.settlement_no
    JOIN assistance_insuredperson p ON p.resident_id = v.resident_id
"""
DELETE_CHANGED = """
    DELETE FROM assistance_settlementrecord s USING existing e WHERE s.year = %(year)s AND s.id = e.id AND NOT e.same
"""
INSERT_NEW_AND_CHANGED = f"""
    {INSERT_SETTLEMENTS}
    WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.row_no = v.row_no AND e.same)
"""


def load(cursor, spool, *, job_id: int, year: int, progress: Callable[[str, int], None],
         repeat_heading: str = "结算编号") -> Written:
    progress("写入结算记录", spool.rows_valid)
    cursor.execute(STAGING)
    copy_in(cursor, f"COPY staging ({', '.join(STAGING_COLUMNS)}) FROM STDIN",
            text_chunks(batch.select(STAGING_COLUMNS) for batch in spool.batches()))
    repeated = _report_repeats(cursor, job_id=job_id, column=repeat_heading)
    cursor.execute("CREATE TEMP TABLE valid ON COMMIT DROP AS SELECT * FROM staging s "
                   "WHERE NOT EXISTS (SELECT 1 FROM repeats r WHERE r.row_no = s.row_no)")
    progress("写入人员", spool.rows_valid)
    cursor.execute(people.CREATE_TABLE)
    cursor.execute(LATEST_PEOPLE)
    people_created = people.write(cursor)
    progress("写入结算记录", spool.rows_valid)
    imported = _upsert_settlements(cursor, job_id=job_id, year=year)
    # ON COMMIT DROP only helps when this transaction commits; inside a longer one the next
    # import needs the names free.
    cursor.execute(f"DROP TABLE staging, repeats, valid, {people.TABLES}")
    return Written(imported=imported, people_created=people_created, repeated=repeated)


def _report_repeats(cursor, *, job_id: int, column: str) -> int:
    """Rows repeating an earlier row's settlement number: reported against the first one's line,
    the column named as the file names it."""
    cursor.execute("""
        CREATE TEMP TABLE repeats ON COMMIT DROP AS
        SELECT row_no, settlement_no, first_row
        FROM (SELECT row_no, settlement_no, min(row_no) OVER (PARTITION BY settlement_no) AS first_row
              FROM staging
              WHERE settlement_no IN (SELECT settlement_no FROM staging GROUP BY 1 HAVING count(*) > 1)) d
        WHERE row_no > first_row
    """)
    cursor.execute("""
        INSERT INTO assistance_settlementimporterror (job_id, row_number, "column", value, reason)
        SELECT %s, row_no + 1, %s, '',
               left('结算编号 ' || settlement_no || ' 与第 ' || (first_row + 1) || ' 行重复', 200)
        FROM repeats
    """, [job_id, column])
    return cursor.rowcount


def _upsert_settlements(cursor, *, job_id: int, year: int) -> int:
    """Insert new settlements, replace changed ones (same number), leave identical ones alone.

    A year without rows needs no comparison (a plain INSERT); imports take turns, so "without
    rows" cannot change under our feet.
    """
    params = {"year": year, "job": job_id}
    cursor.execute("SELECT EXISTS (SELECT 1 FROM assistance_settlementrecord WHERE year = %s)", [year])
    if not cursor.fetchone()[0]:
        cursor.execute(INSERT_SETTLEMENTS, params)
        return cursor.rowcount
    cursor.execute(EXISTING, params)
    cursor.execute("ANALYZE existing")
    cursor.execute(DELETE_CHANGED, params)
    cursor.execute(INSERT_NEW_AND_CHANGED, params)
    imported = cursor.rowcount
    cursor.execute("DROP TABLE existing")
    return imported
