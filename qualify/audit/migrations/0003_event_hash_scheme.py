"""Each event says how its hash was made. Events already in the log were hashed with plain SHA-256 (scheme 1);
events from now on are hashed with the audit key (HMAC-SHA256, scheme 2).

On SQLite, adding the column rebuilds the table, which drops 0002's trigger refusing UPDATE; it is put back here.
"""

from django.db import migrations, models

SQLITE_GUARD = """
CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only (UPDATE refused)'); END;
"""


def restore_sqlite_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_GUARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="scheme",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (1, "SHA-256 (unkeyed; events written before the audit key)"),
                    (2, "HMAC-SHA256 with the audit key"),
                ],
                default=1,
                help_text="How hash was made.",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(restore_sqlite_guard, migrations.RunPython.noop),
    ]
