"""Make submitted QADs and declarations refuse UPDATE in the database itself, not only in the model.

DELETE is left to the model and to PROTECT foreign keys, because the test runner empties tables between browser tests
(with DELETE on SQLite).
"""

from django.db import migrations

TABLES = ("qad_qadsubmission", "qad_qaddeclaration")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION qad_frozen_row() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is frozen (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION qad_frozen_row();",
                params=None,
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is frozen (UPDATE refused)'); END;"
            )


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table};", params=None)
        schema_editor.execute("DROP FUNCTION IF EXISTS qad_frozen_row();", params=None)
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen;")


class Migration(migrations.Migration):
    dependencies = [("qad", "0001_qad_versions_responses_evidence_submissions")]
    operations = [migrations.RunPython(up, down)]
