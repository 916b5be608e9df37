"""The people of a settlement file, written to the registry from the temporary table import_people
(one line per person: the values of their last row in the file; dead or moved away when any row says so).

Each line is matched with the registry once (import_matched); the changed people are updated (by
primary key) and the new inserted in ID order (the unique index on the ID then takes its new
entries in order). Whether a person changed is decided at the match: a clerk's edit made between
the match and the update is kept when the file's values equalled the person's at the match. A death is never undone by a file. Imports take turns (advisory
lock), so no other import inserts the same person meanwhile; a clerk registering an applicant
may (assistance.intake.services): that person is then left as the clerk wrote them — no unique
violation, whose message would name the ID number in the log, and no failed import.
"""
from django.utils import timezone

CREATE_TABLE = """
    CREATE TEMP TABLE import_people (resident_id varchar(18), name varchar(50), region_id bigint,
                                     household_region_text varchar(100), insured_kind varchar(30),
                                     is_deceased boolean, is_moved boolean) ON COMMIT DROP
"""
COLUMNS = ("resident_id", "name", "region_id", "household_region_text", "insured_kind", "is_deceased", "is_moved")
# Each line with the person it names (none when new) and whether a value that matters differs: the
# one join of all the file's people with the registry; the update and the insert need no other,
# and the ids read back (partition.py) join again only the new.
MATCH = """
    CREATE TEMP TABLE import_matched ON COMMIT DROP AS
    SELECT s.*, p.id AS person_id,
           p.id IS NOT NULL
           AND (p.name, p.region_id, p.household_region_text, p.insured_kind, p.is_deceased, p.moved_away)
               IS DISTINCT FROM (s.name, s.region_id, s.household_region_text, s.insured_kind,
                                 p.is_deceased OR s.is_deceased, p.moved_away OR s.is_moved) AS changed
    FROM import_people s LEFT JOIN assistance_insuredperson p ON p.resident_id = s.resident_id
"""
UPDATE_CHANGED = """
    UPDATE assistance_insuredperson p
    SET name = m.name, region_id = m.region_id, household_region_text = m.household_region_text,
        is_local = m.region_id IS NOT NULL, insured_kind = m.insured_kind,
        is_deceased = p.is_deceased OR m.is_deceased, moved_away = p.moved_away OR m.is_moved,
        updated_at = %(now)s
    FROM import_matched m
    WHERE m.changed AND p.id = m.person_id
"""
INSERT_NEW = """
    INSERT INTO assistance_insuredperson
        (resident_id, name, sex, birth_date, region_id, household_region_text, is_local, insured_kind,
         is_deceased, moved_away, created_at, updated_at)
    SELECT resident_id, name, CASE WHEN substr(resident_id, 17, 1)::int %% 2 = 1 THEN 'M' ELSE 'F' END,
           to_date(substr(resident_id, 7, 8), 'YYYYMMDD'), region_id, household_region_text,
           region_id IS NOT NULL, insured_kind, is_deceased, is_moved, %(now)s, %(now)s
    FROM import_matched
    WHERE person_id IS NULL
    ORDER BY resident_id
    ON CONFLICT (resident_id) DO NOTHING
"""
# (person key, person id) for every line: the matched ones as matched, the new ones (and any a
# clerk registered meanwhile) looked up.
IDS = """
    SELECT substr(resident_id, 1, 17)::bigint, person_id FROM import_matched WHERE person_id IS NOT NULL
    UNION ALL
    SELECT substr(p.resident_id, 1, 17)::bigint, p.id
    FROM import_matched m JOIN assistance_insuredperson p ON p.resident_id = m.resident_id
    WHERE m.person_id IS NULL
"""
TABLES = "import_people, import_matched"  # what write() leaves for the caller to drop


def write(cursor) -> int:
    """Update the changed, insert the new; return how many are new. Leaves import_people and
    import_matched (TABLES) for the caller: the ids are read from them."""
    cursor.execute("ANALYZE import_people")  # a temp table has no statistics: the planner needs them
    cursor.execute(MATCH)
    cursor.execute("ANALYZE import_matched")
    now = timezone.now()  # the application's clock, like every other timestamp it writes
    cursor.execute(UPDATE_CHANGED, {"now": now})
    cursor.execute(INSERT_NEW, {"now": now})
    return cursor.rowcount
