"""On PostgreSQL, every write to a table the register's hot read depends on notifies ``qualify_register``.

The statement-level triggers run inside the writing transaction, so PostgreSQL delivers the notification when (and
only if) that transaction commits. Each web process listens on the channel (register/snapshot.py) and rebuilds its
copy of the register when one arrives. The tables are those of the change marker (snapshot._MARKER_SQL). SQLite has
no notifications: there every hot read checks the marker, as before.
"""

from typing import Any

from django.db import migrations

CHANNEL = "qualify_register"
TABLES = (
    "register_registerevent",
    "register_registersequence",
    "participants_marketparticipation",
    "participants_organisation",
    "participants_distributorid",
    "plan_milestone",
)
FUNCTION = "qualify_register_notify"


def create_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$"
    )
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_notify_register AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_notify_register ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0002_register_event_recorded_at_backdated_reason"),
        ("participants", "0001_organisations_participations_memberships_exemptions"),
        ("plan", "0001_milestones_waves_and_deadlines"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
