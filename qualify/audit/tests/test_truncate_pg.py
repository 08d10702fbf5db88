"""PostgreSQL refuses TRUNCATE of the audit log and its chain head (a row trigger never sees a TRUNCATE)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from qualify.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")


@pytest.mark.parametrize("table", ["audit_auditevent", "audit_auditchainhead"])
def test_the_database_refuses_to_truncate_the_audit_log(cast, table):
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEvent.objects.count() == count > 0
