"""The register's change notifications on exactly the tables its copy is built from, named by their models.

Migration 0003 put a trigger on six tables written out by name, two of which (LDSO distributor ids, milestones) the
register's copy does not read: those feed the gating context, which keeps its own marker (gating/live.py) and never
listened. This replaces every ``*_notify_register`` trigger with one on each table of ``SOURCES``, the table names
read from the models' ``_meta`` (so a renamed table follows its model). SQLite has no notifications: nothing to do.
"""

from typing import Any

from django.db import migrations

FUNCTION = "qualify_register_notify"  # created by 0003
SOURCES = (
    ("register", "RegisterEvent"),
    ("register", "RegisterSequence"),
    ("participants", "MarketParticipation"),
    ("participants", "Organisation"),
)
BEFORE = (*SOURCES, ("participants", "DistributorId"), ("plan", "Milestone"))  # 0003's set, for going back


def _drop_all(schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname, t.tgrelid::regclass::text FROM pg_trigger t "
            "WHERE NOT t.tgisinternal AND t.tgname LIKE %s",
            ["%\\_notify\\_register"],
        )
        found = cursor.fetchall()
    quote = schema_editor.connection.ops.quote_name
    for trigger, table in found:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(trigger)} ON {table}")


def _create(apps: Any, schema_editor: Any, sources: tuple[tuple[str, str], ...]) -> None:
    quote = schema_editor.connection.ops.quote_name
    for app_label, model_name in sources:
        table = apps.get_model(app_label, model_name)._meta.db_table
        schema_editor.execute(
            f"CREATE TRIGGER {quote(table + '_notify_register')} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    _drop_all(schema_editor)
    _create(apps, schema_editor, SOURCES)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    _drop_all(schema_editor)
    _create(apps, schema_editor, BEFORE)


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0004_register_import_jobs"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
