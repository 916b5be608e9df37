"""Raw SQL in migrations, per database vendor (triggers exist on PostgreSQL and SQLite alike)."""
from django.db import migrations


def run_sql_per_vendor(up: dict[str, list[str]], down: dict[str, list[str]]) -> migrations.RunPython:
    def runner(statements_by_vendor):
        def run(apps, schema_editor):
            for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
                schema_editor.execute(statement)

        return run

    operation = migrations.RunPython(runner(up), runner(down))
    operation.sql_per_vendor = up  # read by fundportal/sqlite_triggers.py
    return operation


def sqlite_rebuilds_keep_triggers(on: bool) -> migrations.RunPython:
    """Around a migration that rebuilds a SQLite table another table's trigger reads (adding a field
    to assistance_resolution, read by the resolution items' immutability triggers): SQLite rebuilds
    a table by creating a copy, dropping the original and renaming the copy, and its default
    rename checks every trigger in between — one reading the dropped table fails the migration.
    The legacy rename skips that check; the triggers read the table by name, which is back at the
    end. No-op on PostgreSQL, which alters in place."""
    statement = f"PRAGMA legacy_alter_table = {'ON' if on else 'OFF'};"
    return run_sql_per_vendor({"sqlite": [statement]}, {"sqlite": [statement]})


# The reason on the rows history_snapshot writes: a baseline, not a change (fundportal.history).
HISTORY_STARTED = "开始记录历史：当时的状态"


def history_snapshot(model_label: str, history_label: str, *, reason: str = HISTORY_STARTED,
                     m2m: tuple[str, ...] = ()) -> migrations.RunPython:
    """When a model starts keeping its history (django-simple-history), one history row per
    existing row with what it holds now (its many-to-many rows too: a user's groups), so the first
    real change shows its before and after instead of a grant of everything the row already had."""
    def run(apps, schema_editor):
        from django.utils import timezone

        db = schema_editor.connection.alias
        model, historical = apps.get_model(model_label), apps.get_model(history_label)
        kept = {f.attname for f in historical._meta.concrete_fields}
        fields = [f for f in model._meta.concrete_fields if f.attname in kept]
        now = timezone.now()
        rows = list(model._base_manager.using(db).order_by("pk"))
        records = historical._base_manager.using(db).bulk_create(
            [historical(history_date=now, history_type="~", history_change_reason=reason,
                        **{f.attname: getattr(row, f.attname) for f in fields}) for row in rows], batch_size=2000)
        for name in m2m:
            through = model._meta.get_field(name).remote_field.through
            m2m_history = apps.get_model(historical._meta.app_label, f"Historical{through._meta.object_name}")
            source = model._meta.get_field(name).m2m_field_name()
            through_fields = through._meta.concrete_fields
            by_owner = {getattr(record, model._meta.pk.attname): record for record in records}
            links = through._base_manager.using(db).filter(**{f"{source}__in": list(by_owner)})
            m2m_history._base_manager.using(db).bulk_create(
                [m2m_history(history=by_owner[getattr(link, f"{source}_id")],
                             **{f.attname: getattr(link, f.attname) for f in through_fields}) for link in links],
                batch_size=2000)

    return migrations.RunPython(run, migrations.RunPython.noop)
