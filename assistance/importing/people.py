"""The people of a settlement file, written to the registry from the temporary table import_people
(one line per person: the values of their last row in the file).

Changed people are updated and new ones inserted, in ID order (the unique index on the ID then
takes its new entries in order). A death is never undone by a file. A line comes either without
an id (the merge: new people get theirs from the table's sequence here) or with the id the new
partition's rows already point to (`is_new` says whether to insert it). Imports take turns
(advisory lock); should someone else insert one of the file's new people meanwhile, the unique
constraint fails the import, which rolls back and can simply run again.
"""

CREATE_TABLE = """
    CREATE TEMP TABLE import_people (resident_id varchar(18), name varchar(50), region_id bigint,
                                     household_region_text varchar(100), insured_kind varchar(30),
                                     is_deceased boolean, id bigint, is_new boolean) ON COMMIT DROP
"""
COLUMNS = ("resident_id", "name", "region_id", "household_region_text", "insured_kind", "is_deceased", "id",
           "is_new")
UPDATE_CHANGED = """
    UPDATE assistance_insuredperson p
    SET name = s.name, region_id = s.region_id, household_region_text = s.household_region_text,
        is_local = s.region_id IS NOT NULL, insured_kind = s.insured_kind,
        is_deceased = p.is_deceased OR s.is_deceased, updated_at = now()
    FROM import_people s
    WHERE p.resident_id = s.resident_id
      AND (p.name, p.region_id, p.household_region_text, p.insured_kind, p.is_deceased)
          IS DISTINCT FROM (s.name, s.region_id, s.household_region_text, s.insured_kind,
                            p.is_deceased OR s.is_deceased)
"""
INSERT_NEW = """
    INSERT INTO assistance_insuredperson
        (id, resident_id, name, sex, birth_date, region_id, household_region_text, is_local, insured_kind,
         is_deceased, created_at, updated_at)
    SELECT coalesce(s.id, nextval(pg_get_serial_sequence('assistance_insuredperson', 'id'))), resident_id, name,
           CASE WHEN substr(resident_id, 17, 1)::int % 2 = 1 THEN 'M' ELSE 'F' END,
           to_date(substr(resident_id, 7, 8), 'YYYYMMDD'), region_id, household_region_text,
           region_id IS NOT NULL, insured_kind, is_deceased, now(), now()
    FROM import_people s
    WHERE s.is_new
       OR (s.is_new IS NULL AND NOT EXISTS (SELECT 1 FROM assistance_insuredperson p
                                            WHERE p.resident_id = s.resident_id))
    ORDER BY resident_id
"""


def write(cursor) -> int:
    """Update the changed, insert the new; return how many are new."""
    cursor.execute("ANALYZE import_people")  # a temp table has no statistics: the planner needs them
    cursor.execute(UPDATE_CHANGED)
    cursor.execute(INSERT_NEW)
    created = cursor.rowcount
    cursor.execute("DROP TABLE import_people")  # the next import in this transaction creates it again
    return created
