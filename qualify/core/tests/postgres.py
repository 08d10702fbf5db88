"""For the tests that need a second process on the test database (a real worker, another session): PostgreSQL only."""

from __future__ import annotations

import pytest
from django.db import connection


def database_url() -> str:
    """The test database's address, for a process started by the test (a ``db_worker``, a second connection)."""
    s = connection.settings_dict
    credentials = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    """Imported into a test module, skips its tests on SQLite (a second process shares the database only on
    PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("a real worker process shares the database only on PostgreSQL")
