"""The PostgreSQL fast path: COPY the file into a staging table, then validate and upsert in SQL.

Python never touches a row on the happy path: PostgreSQL parses the CSV (and converts GBK)
itself. The SQL below implements exactly the rules of rules.py (a test compares the two).
Everything runs in the caller's transaction, so an import killed half-way leaves nothing.
"""
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from psycopg2 import errors as pg_errors

from .columns import COLUMNS
from .reader import detect_encoding, is_xlsx, iter_rows
from .regions import RegionResolver
from .rules import DECEASED, OUT_OF_PROVINCE

PG_ENCODINGS = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "gb18030": "GB18030"}

FUNCTIONS = r"""
-- Python's unicodedata.normalize("NFKC", t) (fundportal.text.to_half_width): full-width digits,
-- letters and punctuation (１２３Ｘ（）), no-break and ideographic spaces become half-width. The
-- quick check first: most cells are already normalised, and normalize() costs more than the check.
CREATE OR REPLACE FUNCTION pg_temp.hw(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN t IS NULL THEN '' WHEN t IS NFKC NORMALIZED THEN t ELSE normalize(t, NFKC) END $$;

-- Python's " ".join(text.split()) after NFKC: half-width, runs of white space as one, trimmed.
-- Python's white space (str.isspace) is \s plus the separators U+001C-U+001F and U+0085.
CREATE OR REPLACE FUNCTION pg_temp.squash(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT btrim(regexp_replace(pg_temp.hw(t), '[\s\u001c-\u001f\u0085]+', ' ', 'g')) $$;

CREATE OR REPLACE FUNCTION pg_temp.ric_check(id text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT substr('10X98765432', ((substr(id,1,1)::int*7 + substr(id,2,1)::int*9 + substr(id,3,1)::int*10
  + substr(id,4,1)::int*5 + substr(id,5,1)::int*8 + substr(id,6,1)::int*4 + substr(id,7,1)::int*2
  + substr(id,8,1)::int*1 + substr(id,9,1)::int*6 + substr(id,10,1)::int*3 + substr(id,11,1)::int*7
  + substr(id,12,1)::int*9 + substr(id,13,1)::int*10 + substr(id,14,1)::int*5 + substr(id,15,1)::int*8
  + substr(id,16,1)::int*4 + substr(id,17,1)::int*2) % 11) + 1, 1) $$;

-- y, m, d → date, or NULL when the day does not exist (never an exception mid-import).
CREATE OR REPLACE FUNCTION pg_temp.ymd(y int, m int, d int) RETURNS date LANGUAGE sql IMMUTABLE AS $$
SELECT CASE WHEN y BETWEEN 1 AND 9999 AND m BETWEEN 1 AND 12 AND d BETWEEN 1 AND 31
             AND d <= extract(day FROM (make_date(y, m, 1) + interval '1 month - 1 day'))
       THEN make_date(y, m, d) END $$;

-- Amount text as people write it → the bare number text (rules: fundportal.money.parse_money).
CREATE OR REPLACE FUNCTION pg_temp.money_text(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT regexp_replace(pg_temp.hw(t), '[\s\u001c-\u001f\u0085,，元¥￥]|人民币|RMB|CNY', '', 'gi') $$;
"""


@dataclass
class LoadResult:
    rows_total: int
    rows_rejected: int
    rows_imported: int
    rows_unchanged: int
    people_created: int


class _LineStream(io.RawIOBase):
    """A file object over an iterator of encoded lines, for COPY: memory stays one chunk."""

    def __init__(self, lines: Iterable[bytes]):
        self._lines: Iterator[bytes] = iter(lines)
        self._buffer = b""

    def readable(self):
        return True

    def readinto(self, target):
        while len(self._buffer) < len(target):
            try:
                self._buffer += next(self._lines)
            except StopIteration:
                break
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def _copy_escape(value) -> str:
    if isinstance(value, float):
        value = repr(value)
    elif isinstance(value, dt.date):
        value = value.isoformat()
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _stage(cursor, path: Path, width: int, ragged: list[tuple[int, int]], progress: Callable) -> None:
    """Fill pg_temp.staging(row_no, f0..fN). CSV goes straight to COPY; a file COPY cannot parse
    (ragged rows) or an .xlsx is streamed through Python, row by row.

    row_no is the record's index from 1; its line in the file (the header is line 1) is row_no + 1.
    """
    columns = ", ".join(f"f{i}" for i in range(width))
    cursor.execute(f"CREATE TEMP TABLE staging (row_no bigserial, {', '.join(f'f{i} text' for i in range(width))})"
                   " ON COMMIT DROP")
    if not is_xlsx(path):
        encoding = PG_ENCODINGS[detect_encoding(path)]
        cursor.execute("SAVEPOINT staging_copy")
        try:
            with open(path, "rb") as handle:
                cursor.copy_expert(
                    f"COPY staging ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING '{encoding}')",
                    handle, 1 << 20)
            cursor.execute("RELEASE SAVEPOINT staging_copy")
            return
        except (pg_errors.BadCopyFileFormat, pg_errors.CharacterNotInRepertoire,
                pg_errors.UntranslatableCharacter, pg_errors.InvalidTextRepresentation):
            cursor.execute("ROLLBACK TO SAVEPOINT staging_copy")
            cursor.execute("TRUNCATE staging")

    pad = is_xlsx(path)  # spreadsheets leave trailing empty cells out; a short CSV line is an error

    def lines():
        rows = iter_rows(path)
        next(rows, None)
        for index, row in enumerate(rows, start=1):
            if not any(str(cell).strip() for cell in row):
                continue  # a blank line (or an empty spreadsheet row) is not a row
            if len(row) != width:
                if pad and len(row) < width:
                    row = [*row, *[""] * (width - len(row))]
                else:
                    ragged.append((index + 1, len(row)))
                    continue
            if index % 100_000 == 0:
                progress("读取文件", index)
            yield ("\t".join([str(index), *map(_copy_escape, row)]) + "\n").encode()

    cursor.copy_expert(f"COPY staging (row_no, {columns}) FROM STDIN", _LineStream(lines()), 1 << 20)


def _column(positions: dict[str, int], key: str) -> str:
    return f"s.f{positions[key]}" if key in positions else "NULL::text"


def load(*, job, path: Path, positions: dict[str, int], width: int, year: int, today: dt.date,
         progress: Callable[[str, int], None]) -> LoadResult:
    """Load one file for one year. Must run inside transaction.atomic()."""
    assert transaction.get_connection().in_atomic_block
    ragged: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        # Imports take turns: two at once would upsert the same people in different orders (a
        # deadlock) and race on a year's first load. They are rare and long; waiting is fine.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('assistance.settlement_import'))")
        cursor.execute("SET LOCAL synchronous_commit = off")  # a crash loses the import, never half of it
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(FUNCTIONS)
        progress("读取文件", 0)
        _stage(cursor, path, width, ragged, progress)
        cursor.execute("SELECT count(*) FROM staging")
        staged = cursor.fetchone()[0]
        progress("校验", staged)

        # Household-registration values are few: resolve them in Python against the region tree.
        cursor.execute(f"SELECT DISTINCT {_column(positions, 'household_region')} FROM staging s")
        resolver = RegionResolver()
        region_rows = [(value, getattr(resolver.resolve(value or ""), "pk", None)) for (value,) in cursor.fetchall()]
        cursor.execute("CREATE TEMP TABLE region_map (raw text, region_id bigint) ON COMMIT DROP")
        cursor.executemany("INSERT INTO region_map VALUES (%s, %s)", region_rows)

        staged = _normalise(cursor, positions, width=width, year=year, today=today)  # blank rows left out
        _record_errors(cursor, job_id=job.pk, ragged=[
            (line, f"列数不对：表头有 {width} 列，此行 {count} 列") for line, count in ragged])
        cursor.execute("SELECT count(DISTINCT row_no) FROM row_errors")
        rejected = cursor.fetchone()[0] + len(ragged)

        progress("写入人员", staged)
        people_created = _upsert_people(cursor)
        progress("写入结算记录", staged)
        imported = _upsert_settlements(cursor, job_id=job.pk, year=year)
        valid = staged - (rejected - len(ragged))
        # ON COMMIT DROP only helps when this transaction commits; inside a longer one (or on a
        # reused connection) the next import needs the names free. The pg_temp functions are
        # session objects and are replaced, not dropped.
        cursor.execute("DROP TABLE staging, region_map, checked, row_errors, valid")
    return LoadResult(rows_total=staged + len(ragged), rows_rejected=rejected, rows_imported=imported,
                      rows_unchanged=valid - imported, people_created=people_created)


def _normalise(cursor, positions: dict[str, int], *, width: int, year: int, today: dt.date) -> int:
    """One pass over staging: cleaned text, parsed values (NULL when unparseable), and flags.

    A row whose cells are all blank (",,,," from a spreadsheet) is not a row: it is left out, as
    the Python loader skips it. Returns the number of rows kept.
    """
    col = lambda key: _column(positions, key)  # noqa: E731
    # Cheap first: a settlement number starting with a printable ASCII character is not blank.
    all_blank = " AND ".join(f"pg_temp.squash(s.f{i}) = ''" for i in range(width))
    blank_row = f"CASE WHEN ascii({col('settlement_no')}) BETWEEN 33 AND 126 THEN false ELSE {all_blank} END"
    amount_keys = ("total_cost", "fund_basic", "fund_critical", "fund_assistance", "out_of_pocket")
    amount_sql = ",\n".join(f"pg_temp.money_text({col(key)}) AS {key}_text, {col(key)} AS {key}_raw, "
                            f"pg_temp.squash({col(key)}) = '' AS {key}_blank"  # Python: str(raw).strip() == ""
                            for key in amount_keys)
    out_of_province = ", ".join(f"'{value}'" for value in sorted(OUT_OF_PROVINCE))
    deceased = ", ".join(f"'{value}'" for value in sorted(DECEASED))
    cleaned = f"""
        SELECT s.row_no,
               regexp_replace(pg_temp.hw({col('settlement_no')}), '[\\s\\u001c-\\u001f\\u0085]', '', 'g')
                 AS settlement_no,
               upper(regexp_replace(pg_temp.hw({col('resident_id')}), '[\\s\\u001c-\\u001f\\u0085]', '', 'g'))
                 AS resident_id,
               pg_temp.squash({col('name')}) AS name,
               pg_temp.squash({col('institution')}) AS institution,
               {col('household_region')} AS household_region,
               left(pg_temp.squash({col('household_region')}), 100) AS household_region_text,
               left(pg_temp.squash({col('insured_kind')}), 30) AS insured_kind,
               lower(pg_temp.squash({col('person_status')})) IN ({deceased}) AS is_deceased,
               lower(pg_temp.squash({col('in_province')})) NOT IN ({out_of_province}) AS in_province,
               {col('settled_on')} AS settled_on_raw,
               pg_temp.squash({col('settled_on')}) AS settled_on_text,
               {amount_sql}
        FROM staging s
        WHERE NOT ({blank_row})
    """
    # Parsed only when well formed (at most 12 integer digits after leading zeros, no non-zero
    # digit past the fen).
    amount_parse = ",\n".join(
        f"CASE WHEN {key}_text ~ '^-?0*\\d{{1,12}}(\\.\\d+)?$' AND {key}_text !~ '\\.\\d{{2}}\\d*[1-9]' "
        f"THEN {key}_text::numeric(14, 2) END AS {key}"
        for key in amount_keys)
    parsed = f"""
        SELECT c.*,
               CASE WHEN c.resident_id ~ '^\\d{{17}}[\\dX]$'
                    THEN pg_temp.ymd(substr(c.resident_id, 7, 4)::int, substr(c.resident_id, 11, 2)::int,
                                     substr(c.resident_id, 13, 2)::int) END AS birth_date,
               CASE
                 WHEN d.m IS NOT NULL THEN pg_temp.ymd(d.m[1]::int, d.m[2]::int, d.m[3]::int)
                 WHEN c.settled_on_text ~ '^\\d{{8}}$'
                   THEN pg_temp.ymd(substr(c.settled_on_text, 1, 4)::int, substr(c.settled_on_text, 5, 2)::int,
                                    substr(c.settled_on_text, 7, 2)::int)
                 WHEN c.settled_on_text ~ '^\\d{{5}}(\\.0+)?$'
                      AND split_part(c.settled_on_text, '.', 1)::int BETWEEN 20000 AND 80000
                   THEN date '1899-12-30' + split_part(c.settled_on_text, '.', 1)::int
               END AS settled_on,
               d.m IS NOT NULL OR c.settled_on_text ~ '^\\d{{8}}$' AS date_shape_ok,
               {amount_parse}
        FROM ({cleaned} OFFSET 0) c
        -- OFFSET 0 keeps the subquery from being flattened: flattened, every use of d.m (a dozen
        -- once ymd() is inlined) would run the regular expression again, ten times slower.
        -- regexp_match() costs some 30 µs a call, a plain ~ test under 1 µs: ISO dates (nearly all)
        -- are split without it, the shapes the other branches handle skip it.
        CROSS JOIN LATERAL (SELECT CASE
            WHEN c.settled_on_text ~ '^\\d{{4}}-\\d{{2}}-\\d{{2}}$' THEN string_to_array(c.settled_on_text, '-')
            WHEN c.settled_on_text = '' OR c.settled_on_text ~ '^\\d{{5}}(\\.0+)?$|^\\d{{8}}$' THEN NULL
            ELSE regexp_match(c.settled_on_text,
                '^(\\d{{4}}) ?[-/.年] ?(\\d{{1,2}}) ?[-/.月] ?(\\d{{1,2}}) ?日?( \\d{{1,2}}:\\d{{2}}(:\\d{{2}})?)?$')
            END AS m OFFSET 0) d
    """
    cursor.execute(f"""
        CREATE TEMP TABLE checked ON COMMIT DROP AS
        SELECT p.*,
          array_remove(ARRAY[
            CASE WHEN p.settlement_no = '' THEN 'settlement_no|结算编号为空'
                 WHEN length(p.settlement_no) > 40 THEN 'settlement_no|结算编号超过40个字符' END,
            CASE WHEN length(p.resident_id) <> 18
                   THEN 'resident_id|身份证号码应为18位，当前为' || length(p.resident_id) || '位'
                 WHEN p.resident_id !~ '^\\d{{17}}[\\dX]$' THEN 'resident_id|身份证号码前17位应为数字，最后一位为数字或X'
                 WHEN p.birth_date IS NULL
                   THEN 'resident_id|身份证号码中的出生日期 ' || substr(p.resident_id, 7, 8) || ' 不存在'
                 WHEN p.birth_date > %(today)s OR extract(year FROM p.birth_date) < 1890
                   THEN 'resident_id|身份证号码中的出生日期 ' || substr(p.resident_id, 7, 8) || ' 不合理'
                 WHEN pg_temp.ric_check(p.resident_id) <> substr(p.resident_id, 18, 1)
                   THEN 'resident_id|身份证号码校验位错误，请核对' END,
            CASE WHEN p.name = '' THEN 'name|姓名为空'
                 WHEN length(p.name) > 50 THEN 'name|姓名超过50个字符' END,
            CASE WHEN p.settled_on_text = '' THEN 'settled_on|日期为空'
                 WHEN p.settled_on IS NULL AND p.date_shape_ok
                   THEN 'settled_on|日期“' || p.settled_on_raw || '”不存在'
                 WHEN p.settled_on IS NULL AND p.settled_on_text ~ '^\\d{{5}}(\\.0+)?$'
                   THEN 'settled_on|无法识别的日期“' || p.settled_on_raw || '”'
                 WHEN p.settled_on IS NULL
                   THEN 'settled_on|无法识别的日期“' || p.settled_on_raw || '”，请写成 2023-03-05 或 2023/3/5'
                 WHEN p.settled_on > %(today)s THEN 'settled_on|结算日期晚于今天'
                 WHEN extract(year FROM p.settled_on) <> %(year)s
                   THEN 'settled_on|结算日期不在申报年度 ' || %(year)s || ' 年内' END,
            CASE WHEN p.institution = '' THEN 'institution|医疗机构为空' END,
            {_amount_checks(amount_keys)},
            CASE WHEN p.total_cost IS NOT NULL AND p.out_of_pocket IS NOT NULL
                      AND (p.fund_basic IS NOT NULL OR p.fund_basic_blank)
                      AND (p.fund_critical IS NOT NULL OR p.fund_critical_blank)
                      AND (p.fund_assistance IS NOT NULL OR p.fund_assistance_blank)
                      AND abs(p.out_of_pocket - (p.total_cost - coalesce(p.fund_basic, 0)
                              - coalesce(p.fund_critical, 0) - coalesce(p.fund_assistance, 0))) > 0.01
                 THEN 'out_of_pocket|个人自付 ' || p.out_of_pocket || ' 不等于总费用 ' || p.total_cost
                      || ' 减基金支付 ' || (coalesce(p.fund_basic, 0) + coalesce(p.fund_critical, 0)
                      + coalesce(p.fund_assistance, 0))::numeric(14, 2) END
          ], NULL) AS problems
        -- One pass, one table: each OFFSET 0 keeps PostgreSQL from flattening a level (which would
        -- evaluate its expressions once per use instead of once per row).
        FROM ({parsed} OFFSET 0) p
    """, {"today": today, "year": year})
    return cursor.rowcount


def _amount_checks(keys) -> str:
    """The amount rules of rules.py / parse_money, in the same order and words."""
    checks = []
    for key in keys:
        empty = f"WHEN p.{key}_blank THEN NULL" if key not in ("total_cost", "out_of_pocket") else ""
        checks.append(f"""CASE {empty}
                 WHEN p.{key}_text = '' THEN '{key}|金额为空'
                 WHEN p.{key}_text !~ '^-?\\d+(\\.\\d+)?$' THEN '{key}|金额“' || p.{key}_raw || '”不是有效数字'
                 WHEN p.{key}_text ~ '\\.\\d{{2}}\\d*[1-9]' THEN '{key}|金额“' || p.{key}_raw || '”超过两位小数'
                 WHEN p.{key} IS NULL THEN '{key}|金额“' || p.{key}_raw || '”过大'
                 WHEN p.{key} < 0 THEN '{key}|金额不能为负数' END""")
    return ",\n".join(checks)


def _record_errors(cursor, *, job_id: int, ragged: list[tuple[int, str]]) -> None:
    """Row errors (and rows repeating an earlier settlement number) into the job's error list."""
    cursor.execute("""
        CREATE TEMP TABLE row_errors ON COMMIT DROP AS
        SELECT c.row_no, split_part(problem, '|', 1) AS column_key,
               substr(problem, strpos(problem, '|') + 1) AS reason  -- the value quoted may contain '|'
        FROM checked c, unnest(c.problems) AS problem
        WHERE cardinality(c.problems) > 0
    """)
    # Within the file, the first valid row with a settlement number wins; later ones are errors.
    cursor.execute("""
        INSERT INTO row_errors (row_no, column_key, reason)
        SELECT row_no, 'settlement_no', '结算编号 ' || settlement_no || ' 与第 ' || (first_row + 1) || ' 行重复'
        FROM (SELECT row_no, settlement_no,
                     min(row_no) OVER (PARTITION BY settlement_no) AS first_row
              FROM checked
              WHERE cardinality(problems) = 0
                AND settlement_no IN (SELECT settlement_no FROM checked WHERE cardinality(problems) = 0
                                      GROUP BY settlement_no HAVING count(*) > 1)) d
        WHERE row_no > first_row
    """)
    cursor.execute("""
        INSERT INTO assistance_settlementimporterror (job_id, row_number, "column", value, reason)
        SELECT %s, row_no + 1, column_key, '', left(reason, 200) FROM row_errors
    """, [job_id])
    if ragged:
        cursor.executemany(
            'INSERT INTO assistance_settlementimporterror (job_id, row_number, "column", value, reason) '
            "VALUES (%s, %s, '', '', %s)",
            [(job_id, line, reason) for line, reason in ragged])

    cursor.execute("""
        CREATE TEMP TABLE valid ON COMMIT DROP AS
        SELECT c.* FROM checked c
        WHERE cardinality(c.problems) = 0 AND NOT EXISTS (SELECT 1 FROM row_errors e WHERE e.row_no = c.row_no)
    """)


def _upsert_people(cursor) -> int:
    """Create or update each person once, from their last row in the file (deceased when any row
    says so: a death is never undone by a later row). Returns how many are new."""
    cursor.execute("""
        WITH latest AS (SELECT resident_id, max(row_no) AS row_no, bool_or(is_deceased) AS is_deceased
                        FROM valid GROUP BY resident_id),
        source AS (
            SELECT v.resident_id, v.name, m.region_id, coalesce(v.household_region_text, '') AS region_text,
                   v.insured_kind, l.is_deceased, v.birth_date
            FROM latest l JOIN valid v ON v.row_no = l.row_no
            LEFT JOIN region_map m ON m.raw IS NOT DISTINCT FROM v.household_region
        ),
        written AS (
            INSERT INTO assistance_insuredperson AS p
                (resident_id, name, sex, birth_date, region_id, household_region_text, is_local, insured_kind,
                 is_deceased, created_at, updated_at)
            SELECT resident_id, name, CASE WHEN substr(resident_id, 17, 1)::int % 2 = 1 THEN 'M' ELSE 'F' END,
                   birth_date, region_id, region_text, region_id IS NOT NULL, coalesce(insured_kind, ''),
                   is_deceased, now(), now()
            FROM source
            ON CONFLICT (resident_id) DO UPDATE SET
                name = EXCLUDED.name, region_id = EXCLUDED.region_id,
                household_region_text = EXCLUDED.household_region_text, is_local = EXCLUDED.is_local,
                insured_kind = EXCLUDED.insured_kind, is_deceased = p.is_deceased OR EXCLUDED.is_deceased,
                updated_at = now()
            WHERE (p.name, p.region_id, p.household_region_text, p.insured_kind, p.is_deceased)
                  IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.region_id, EXCLUDED.household_region_text,
                                    EXCLUDED.insured_kind, p.is_deceased OR EXCLUDED.is_deceased)
            RETURNING (xmax = 0) AS created
        )
        SELECT count(*) FILTER (WHERE created) FROM written
    """)
    return cursor.fetchone()[0]


FIRST_LOAD = """
    INSERT INTO assistance_settlementrecord AS s
        (year, settlement_no, person_id, settled_on, institution, in_province, total_cost, fund_basic,
         fund_critical, fund_assistance, out_of_pocket, import_job_id)
    SELECT %(year)s, v.settlement_no, p.id, v.settled_on, left(v.institution, 100), v.in_province,
           v.total_cost, coalesce(v.fund_basic, 0), coalesce(v.fund_critical, 0),
           coalesce(v.fund_assistance, 0), v.out_of_pocket, %(job)s
    FROM valid v JOIN assistance_insuredperson p ON p.resident_id = v.resident_id
"""


def _upsert_settlements(cursor, *, job_id: int, year: int) -> int:
    """Insert new settlements, replace changed ones (same number), leave identical ones alone.

    A year's first file needs no conflict handling: a plain INSERT, a third faster. Imports take
    turns (the advisory lock in load()), so "empty" cannot change under our feet.
    """
    cursor.execute("SELECT EXISTS (SELECT 1 FROM assistance_settlementrecord WHERE year = %s)", [year])
    if not cursor.fetchone()[0]:
        cursor.execute(FIRST_LOAD, {"year": year, "job": job_id})
        return cursor.rowcount
    cursor.execute(f"""
        WITH written AS (
            {FIRST_LOAD}
            ON CONFLICT (year, settlement_no) DO UPDATE SET
                person_id = EXCLUDED.person_id, settled_on = EXCLUDED.settled_on,
                institution = EXCLUDED.institution, in_province = EXCLUDED.in_province,
                total_cost = EXCLUDED.total_cost, fund_basic = EXCLUDED.fund_basic,
                fund_critical = EXCLUDED.fund_critical, fund_assistance = EXCLUDED.fund_assistance,
                out_of_pocket = EXCLUDED.out_of_pocket, import_job_id = EXCLUDED.import_job_id
            WHERE (s.person_id, s.settled_on, s.institution, s.in_province, s.total_cost, s.fund_basic,
                   s.fund_critical, s.fund_assistance, s.out_of_pocket)
                  IS DISTINCT FROM (EXCLUDED.person_id, EXCLUDED.settled_on, EXCLUDED.institution,
                                    EXCLUDED.in_province, EXCLUDED.total_cost, EXCLUDED.fund_basic,
                                    EXCLUDED.fund_critical, EXCLUDED.fund_assistance, EXCLUDED.out_of_pocket)
            RETURNING 1
        )
        SELECT count(*) FROM written
    """, {"year": year, "job": job_id})
    return cursor.fetchone()[0]



