"""Raw SQL in migrations, per database vendor (triggers exist on PostgreSQL and SQLite alike)."""
from django.db import migrations


def run_sql_per_vendor(up: dict[str, list[str]], down: dict[str, list[str]]) -> migrations.RunPython:
    def runner(statements_by_vendor):
        def run(apps, schema_editor):
            for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
                schema_editor.execute(statement)

        return run

    return migrations.RunPython(runner(up), runner(down))
