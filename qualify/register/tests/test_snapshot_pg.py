"""The register's hot read on PostgreSQL: pushed change notices instead of a query per read, and never stale.

What is promised (register/snapshot.py): a read never misses a change committed more than VERIFY_SECONDS (5 ms)
before it began, and misses a more recent one only while PostgreSQL has not yet forwarded that change's notice to
the reading process — which does happen: under load about one notice in seven reaches a listener after the writer's
COMMIT has returned, up to ~12 ms later. So the reads through another process below start VERIFY_SECONDS after the
commit, 50 times in a row; a read that starts at once is exact only in the writing process itself (test_api.py).

These tests commit for real (the notifications are sent on commit) and need PostgreSQL; on SQLite every read checks
the change marker, which test_api.py covers.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from qualify.core.actor import system_actor
from qualify.core.tests.postgres import database_url
from qualify.register import snapshot
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.register.services import register_event_record

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
D = dt.date

# Another process serving the app as configured (Django's WSGI handler under wsgiref, one request at a time) on the
# test database.
SERVER = """
import django
django.setup()
from wsgiref.simple_server import WSGIRequestHandler, make_server
from django.core.wsgi import get_wsgi_application
class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass
server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("change notifications exist on PostgreSQL only")


def record(participation, date):
    return register_event_record(
        actor=system_actor("test"),
        participation=participation,
        kind=RegisterEventKind.QUALIFIED,
        effective_date=date,
        source=RegisterEventSource.IMPORT,
        reference="test",
    )[0]


def other_session() -> psycopg.Connection:
    """A connection of its own, as another process writing to the database would have."""
    return psycopg.connect(database_url().replace("postgres://", "postgresql://"), autocommit=True)


def listeners(session: psycopg.Connection) -> list[tuple[int]]:
    return session.execute(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
        [snapshot.APPLICATION_NAME],
    ).fetchall()


@pytest.fixture(scope="module")
def other_process(django_db_setup: Any) -> Iterator[int]:
    """The port of a server process of its own on the test database, started once for the module."""
    if connection.vendor != "postgresql":
        pytest.skip("change notifications exist on PostgreSQL only")
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    process = subprocess.Popen(  # noqa: S603  (this interpreter running the fixed script above)
        [sys.executable, "-c", SERVER], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        yield int(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(port: int, path: str, headers: dict[str, str]) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 200, body
    answer: dict[str, Any] = json.loads(body)
    return answer


def test_a_committed_event_is_read_back_at_once_through_another_process(cast, token_for, other_process):
    headers = {"Authorization": token_for("machine")["HTTP_AUTHORIZATION"]}
    path = "/api/v1/register/NWEN/SUPPLIER?on=2027-12-31"
    assert get(other_process, path, headers)["history"] == []  # the other process has built its copy
    for day in range(50):
        event = record(cast.supplier_a, D(2027, 1, 1) + dt.timedelta(days=day))  # committed when it returns
        time.sleep(snapshot.VERIFY_SECONDS)  # the promise's bound: the notice may reach the other process later
        history = get(other_process, path, headers)["history"]
        assert [e["seq"] for e in history][-1:] == [event.seq], f"stale after {day} fresh reads"
        assert len(history) == day + 1


def test_a_renamed_organisation_is_read_back_at_once_through_another_process(cast, token_for, other_process):
    """A change made by another session entirely (not through the register's services) is seen all the same."""
    headers = {"Authorization": token_for("machine")["HTTP_AUTHORIZATION"]}
    path = "/api/v1/register/NWEN/SUPPLIER"
    port = other_process
    with other_session() as writer:
        get(port, path, headers)
        for n in range(20):
            writer.execute(
                "UPDATE participants_organisation SET name = %s, updated_at = now() WHERE id = %s",
                [f"Northwind {n}", cast.org_a.pk],
            )
            time.sleep(snapshot.VERIFY_SECONDS)
            assert get(port, path, headers)["organisation"] == f"Northwind {n}"


def test_the_steady_state_reads_without_any_query(cast, client_for, token_for, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(snapshot, "VERIFY_SECONDS", 3600.0)  # no periodic verification on the listening connection
    client, auth = client_for(None), token_for("machine")
    url = "/api/v1/register/NWEN/SUPPLIER"
    client.get(url, **auth)  # opens the listening connection, builds the copy and remembers the token
    client.get(url, **auth)  # verified once on the listening connection
    with django_assert_num_queries(0):
        for _ in range(5):
            assert client.get(url, **auth).json()["state"] == "NOT_QUALIFIED"


def test_a_broken_listener_falls_back_to_the_marker_and_reconnects(cast, client_for, token_for, monkeypatch):
    monkeypatch.setattr(snapshot, "VERIFY_SECONDS", 3600.0)
    client, auth = client_for(None), token_for("machine")
    url = "/api/v1/register/NWEN/SUPPLIER"
    with other_session() as admin:
        others = set(listeners(admin))  # other processes' (the module's server process)
        client.get(url, **auth)
        client.get(url, **auth)
        ours = set(listeners(admin)) - others
        assert len(ours) == 1
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [ours.pop()[0]])
        admin.execute(
            "UPDATE participants_organisation SET name = 'Renamed', updated_at = now() WHERE id = %s", [cast.org_a.pk]
        )
        assert client.get(url, **auth).json()["organisation"] == "Renamed"  # the listener is gone: marker read
        assert client.get(url, **auth).json()["organisation"] == "Renamed"
        assert len(set(listeners(admin)) - others) == 1  # listening again
        admin.execute(
            "UPDATE participants_organisation SET name = 'Renamed again', updated_at = now() WHERE id = %s",
            [cast.org_a.pk],
        )
        time.sleep(0.2)  # let the notice arrive: with VERIFY_SECONDS out of reach, only the notice can tell
        assert client.get(url, **auth).json()["organisation"] == "Renamed again"


def test_a_lost_notification_is_caught_by_the_periodic_verification(cast, client_for, token_for, monkeypatch):
    """Nothing bounds how late a notification arrives: a read after VERIFY_SECONDS checks the marker regardless."""
    now = [1000.0]
    monkeypatch.setattr(snapshot, "clock", lambda: now[0])
    client, auth = client_for(None), token_for("machine")
    url = "/api/v1/register/NWEN/SUPPLIER"
    client.get(url, **auth)
    client.get(url, **auth)
    snapshot._listener._conn.execute(f"UNLISTEN {snapshot.CHANNEL}")  # from now on, no notification arrives
    with other_session() as writer:
        writer.execute(
            "UPDATE participants_organisation SET name = 'Unnoticed', updated_at = now() WHERE id = %s", [cast.org_a.pk]
        )
    now[0] += 2 * snapshot.VERIFY_SECONDS
    assert client.get(url, **auth).json()["organisation"] == "Unnoticed"


def test_the_listening_connection_reads_the_same_marker_as_django(cast, client_for, token_for, monkeypatch):
    """The listener reads the marker through libpq itself (text results): it must equal the one Django reads."""
    client, auth = client_for(None), token_for("machine")
    client.get("/api/v1/register/NWEN/SUPPLIER", **auth)  # opens the listening connection
    listener = snapshot._listener
    assert listener.marker() == snapshot.change_marker()  # prepared once on the listening connection
    assert listener.marker() == snapshot.change_marker()  # then executed
    monkeypatch.setattr(listener, "_prepare", False)
    assert listener.marker() == snapshot.change_marker()  # sent plain
    with other_session() as writer:
        writer.execute("UPDATE participants_organisation SET updated_at = now() WHERE id = %s", [cast.org_a.pk])
    moved = listener.marker()
    assert moved == snapshot.change_marker() and moved is not None
