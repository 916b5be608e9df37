"""The people of a settlement file, written to the registry from the temporary table import_people
(one line per person: the values of their last row in the file; dead or moved away when any row says so).

Changed people are updated and new ones inserted, in ID order (the unique index on the ID then
takes its new entries in order). A death is never undone by a file. Imports take turns (advisory
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
UPDATE_CHANGED = """
    UPDATE assistance_insuredperson p
    SET name = s.name, region_id = s.region_id, household_region_text = s.household_region_text,
        is_local = s.region_id IS NOT NULL, insured_kind = s.insured_kind,
        is_deceased = p.is_deceased OR s.is_deceased, moved_away = p.moved_away OR s.is_moved,
        updated_at = %(now)s
    FROM import_people s
    WHERE p.resident_id = s.resident_id
      AND (p.name, p.region_id, p.household_region_text, p.insured_kind, p.is_deceased, p.moved_away)
          IS DISTINCT FROM (s.name, s.region_id, s.household_region_text, s.insured_kind,
                            p.is_deceased OR s.is_deceased, p.moved_away OR s.is_moved)
"""
INSERT_NEW = """
    INSERT INTO assistance_insuredperson
        (resident_id, name, sex, birth_date, region_id, household_region_text, is_local, insured_kind,
         is_deceased, moved_away, created_at, updated_at)
    SELECT resident_id, name, CASE WHEN substr(resident_id, 17, 1)::int %% 2 = 1 THEN 'M' ELSE 'F' END,
           to_date(substr(resident_id, 7, 8), 'YYYYMMDD'), region_id, household_region_text,
           region_id IS NOT NULL, insured_kind, is_deceased, is_moved, %(now)s, %(now)s
    FROM import_people s
    WHERE NOT EXISTS (SELECT 1 FROM assistance_insuredperson p WHERE p.resident_id = s.resident_id)
    ORDER BY resident_id
    ON CONFLICT (resident_id) DO NOTHING
"""


def write(cursor) -> int:
    """Update the changed, insert the new; return how many are new."""
    cursor.execute("ANALYZE import_people")  # a temp table has no statistics: the planner needs them
    now = timezone.now()  # the application's clock, like every other timestamp it writes
    cursor.execute(UPDATE_CHANGED, {"now": now})
    cursor.execute(INSERT_NEW, {"now": now})
    return cursor.rowcount  # import_people stays until the transaction ends: the caller may need it
