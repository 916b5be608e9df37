"""The immutability triggers on SQLite (the embedded default) outlive table rebuilds.

SQLite cannot alter most columns in place: Django rebuilds the table (copy, drop, rename), and
dropping a table drops its triggers. A later migration that adds a field to a table with a
trigger (a signed resolution, a receipt, the fund account) would silently leave it unguarded. After
every migrate, the triggers the migrations define (their run_sql_per_vendor SQLite statements, in
migration order, a later DROP or CREATE of the same name winning) are created again where missing.
PostgreSQL alters tables in place and keeps its triggers: nothing to do there."""
import re

from django.db import connections
from django.db.migrations.loader import MigrationLoader

CREATE = re.compile(r"\s*CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)
DROP = re.compile(r"\s*DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?(\w+)", re.IGNORECASE)


def sqlite_triggers_defined(connection) -> dict[str, str]:
    """Trigger name → its CREATE statement, as the applied migrations leave them."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    plan: list = []
    for leaf in loader.graph.leaf_nodes():
        plan += [node for node in loader.graph.forwards_plan(leaf) if node not in plan]
    triggers: dict[str, str] = {}
    for key in plan:
        if key not in loader.applied_migrations:
            continue
        for operation in loader.graph.nodes[key].operations:
            for statement in getattr(operation, "sql_per_vendor", {}).get("sqlite", []):
                if created := CREATE.match(statement):
                    triggers[created.group(1)] = statement
                elif dropped := DROP.match(statement):
                    triggers.pop(dropped.group(1), None)
    return triggers


def sqlite_triggers_restore(using: str = "default") -> list[str]:
    """Create the defined triggers a table rebuild dropped; the names created."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
        missing = {name: sql for name, sql in sqlite_triggers_defined(connection).items() if name not in present}
        for statement in missing.values():
            cursor.execute(statement)
    return sorted(missing)


def sqlite_triggers_on_migrate(sender, using="default", **kwargs) -> None:
    if sender.label == "fundportal":
        sqlite_triggers_restore(using=using)
