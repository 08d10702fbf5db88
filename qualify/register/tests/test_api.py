from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qualify.core.actor import system_actor
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.register.models import RegisterEvent
from qualify.register.services import register_event_record

D = dt.date


def record(participation, kind, date):
    return register_event_record(
        actor=system_actor("test"),
        participation=participation,
        kind=kind,
        effective_date=date,
        source=RegisterEventSource.IMPORT,
        reference="test",
        reason="history loaded for the test",
    )[0]


@pytest.fixture
def history(cast):
    record(cast.supplier_a, RegisterEventKind.QUALIFIED, D(2026, 3, 1))
    record(cast.supplier_a, RegisterEventKind.SERVICE_ACTIVATED, D(2026, 3, 20))
    record(cast.supplier_b, RegisterEventKind.QUALIFIED, D(2026, 4, 2))
    record(cast.supplier_a, RegisterEventKind.SUSPENDED, D(2026, 6, 1))
    return cast


def test_market_system_reads_status_on_a_date_with_the_deciding_history(history, client_for, token_for):
    client, auth = client_for(None), token_for("machine")
    before = client.get("/api/v1/register/NWEN/SUPPLIER", {"on": "2026-02-28"}, **auth).json()
    during = client.get("/api/v1/register/nwen/supplier", {"on": "2026-03-20"}, **auth).json()
    after = client.get("/api/v1/register/NWEN/SUPPLIER", {"on": "2026-06-01"}, **auth).json()
    assert (before["state"], before["operational"], before["history"]) == ("NOT_QUALIFIED", False, [])
    assert (during["state"], during["operational"]) == ("OPERATIONAL", True)
    assert [e["kind"] for e in during["history"]] == ["QUALIFIED", "SERVICE_ACTIVATED"]
    assert (after["state"], after["suspended_on"]) == ("SUSPENDED", "2026-06-01")


def test_register_status_of_another_organisation_is_404_for_a_participant(history, client_for, token_for):
    response = client_for(None).get("/api/v1/register/NWEN/SUPPLIER", **token_for("lead_b"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_bad_date_is_a_validation_error(history, client_for, token_for):
    response = client_for(None).get("/api/v1/register/NWEN/SUPPLIER", {"on": "2026-13-01"}, **token_for("machine"))
    assert response.status_code == 422


def test_change_feed_pages_by_cursor_in_recording_order(history, client_for, token_for):
    client, auth = client_for(None), token_for("machine")
    first = client.get("/api/v1/register/changes", {"limit": 2}, **auth).json()
    assert [(i["mpid"], i["kind"]) for i in first["items"]] == [("NWEN", "QUALIFIED"), ("NWEN", "SERVICE_ACTIVATED")]
    assert first["more"] is True and first["next_cursor"] == first["items"][-1]["seq"]
    rest = client.get("/api/v1/register/changes", {"after": first["next_cursor"]}, **auth).json()
    assert [(i["mpid"], i["kind"]) for i in rest["items"]] == [("SBPW", "QUALIFIED"), ("NWEN", "SUSPENDED")]
    assert rest["more"] is False
    empty = client.get("/api/v1/register/changes", {"after": rest["next_cursor"]}, **auth).json()
    assert empty == {"items": [], "next_cursor": rest["next_cursor"], "more": False}


def test_change_feed_pages_are_bounded_and_followed_to_the_end_in_a_fixed_number_of_queries(
    history, client_for, token_for
):
    client, auth = client_for(None), token_for("machine")
    refused = client.get("/api/v1/register/changes", {"limit": 1001}, **auth)
    assert refused.status_code == 422
    pages, after, more = [], 0, True
    while more:
        with CaptureQueriesContext(connection) as read:
            page = client.get("/api/v1/register/changes", {"after": after, "limit": 1}, **auth).json()
        pages.append((len(page["items"]), len(read)))
        after, more = page["next_cursor"], page["more"]
    assert [size for size, _ in pages] == [1, 1, 1, 1], "four events, one a page, and no empty page at the end"
    assert len({queries for _, queries in pages}) == 1, "a page costs the same queries wherever it is"
    with CaptureQueriesContext(connection) as whole:
        everything = client.get("/api/v1/register/changes", {"limit": 1000}, **auth).json()
    assert len(everything["items"]) == 4 and everything["more"] is False
    assert len(whole) == pages[0][1], "a page of four costs what a page of one does"


def test_change_feed_shows_a_participant_only_its_own_events(history, client_for, token_for):
    items = client_for(None).get("/api/v1/register/changes", **token_for("lead_b")).json()["items"]
    assert [i["mpid"] for i in items] == ["SBPW"]


def test_register_events_are_numbered_once_and_never_rewritten(history):
    seqs = list(RegisterEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    event = RegisterEvent.objects.first()
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    # recording the same event again changes nothing
    again, created = register_event_record(
        actor=system_actor(),
        participation=history.supplier_a,
        kind="QUALIFIED",
        effective_date=D(2026, 3, 1),
        source="IMPORT",
    )
    assert not created and again.seq == 1


def test_publication_lists_participations_newly_qualified_in_the_period(history, client_for, token_for):
    response = client_for(None).get(
        "/api/v1/register/publication.csv", {"since": "2026-03-01", "until": "2026-03-31"}, **token_for("machine")
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows == [
        {
            "organisation": "Northwind Energy Ltd",
            "mpid": "NWEN",
            "role": "SUPPLIER",
            "qualified_from": "2026-03-01",
            "service_activated_on": "2026-03-20",
        }
    ]


def test_publication_command_writes_the_same_file(history, tmp_path):
    out = tmp_path / "publication.csv"
    call_command("register_publication", "--since", "2026-04-01", "--until", "2026-04-30", "--out", str(out))
    assert out.read_text().splitlines() == [
        "organisation,mpid,role,qualified_from,service_activated_on",
        "Southbank Power plc,SBPW,SUPPLIER,2026-04-02,",
    ]


def test_status_answers_reflect_a_new_event_at_once(history, client_for, token_for):
    """The in-process copy of the register is checked against the database on every request."""
    client, auth = client_for(None), token_for("machine")
    url = "/api/v1/register/SBPW/SUPPLIER"
    assert client.get(url, {"on": "2026-05-01"}, **auth).json()["state"] == "QUALIFIED"
    record(history.supplier_b, RegisterEventKind.SERVICE_ACTIVATED, D(2026, 4, 20))
    assert client.get(url, {"on": "2026-05-01"}, **auth).json()["state"] == "OPERATIONAL"
    record(history.supplier_b, RegisterEventKind.REVOKED, D(2026, 4, 30))
    assert client.get(url, {"on": "2026-05-01"}, **auth).json()["state"] == "REVOKED"


def test_a_new_participation_is_answered_at_once(history, client_for, token_for):
    from qualify.participants.services import participation_create

    client, auth = client_for(None), token_for("machine")
    assert client.get("/api/v1/register/SBMS/MEM", **auth).status_code == 404
    participation_create(actor=system_actor(), organisation=history.org_b, mpid="SBMS", role="MEM")
    body = client.get("/api/v1/register/SBMS/MEM", **auth).json()
    assert (body["organisation"], body["state"]) == ("Southbank Power plc", "NOT_QUALIFIED")


def test_status_body_matches_its_schema(history, client_for, token_for):
    """The status endpoint renders its body itself (the hot path); it must be what Ninja would render."""
    import json

    from ninja.responses import NinjaJSONEncoder

    from qualify.register.api import RegisterStatusOut

    response = client_for(None).get("/api/v1/register/NWEN/SUPPLIER", {"on": "2026-06-01"}, **token_for("machine"))
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert len(body["history"]) == 3
    through_schema = RegisterStatusOut.model_validate(body).model_dump()
    assert json.loads(json.dumps(through_schema, cls=NinjaJSONEncoder)) == body
    assert body["history"][0]["recorded_at"].endswith("Z")  # Django's encoder: UTC as Z, milliseconds


@pytest.mark.django_db(transaction=True)
def test_status_answers_stay_fresh_outside_a_transaction(cast, client_for, token_for):
    """A running server answers outside any transaction, where PostgreSQL runs the marker as a prepared statement."""
    client, auth = client_for(None), token_for("machine")
    url = "/api/v1/register/NWEN/SUPPLIER"
    assert client.get(url, {"on": "2026-05-01"}, **auth).json()["state"] == "NOT_QUALIFIED"
    record(cast.supplier_a, RegisterEventKind.QUALIFIED, D(2026, 4, 1))
    assert client.get(url, {"on": "2026-05-01"}, **auth).json()["state"] == "QUALIFIED"
    record(cast.supplier_a, RegisterEventKind.SERVICE_ACTIVATED, D(2026, 4, 20))
    assert client.get(url, {"on": "2026-05-01"}, **auth).json()["state"] == "OPERATIONAL"


@pytest.mark.django_db(transaction=True)
def test_the_change_marker_is_the_same_prepared_or_plain(cast, monkeypatch):
    from django.db import connection

    from qualify.register import snapshot

    record(cast.supplier_a, RegisterEventKind.QUALIFIED, D(2026, 4, 1))
    first = snapshot.change_marker()
    assert first == snapshot.change_marker()  # on PostgreSQL: prepared once, then executed
    monkeypatch.setattr(snapshot, "_prepare", False)
    assert snapshot.change_marker() == first
    if connection.vendor == "postgresql":
        assert connection.connection in snapshot._prepared_on


@pytest.mark.django_db(transaction=True)
def test_a_lost_prepared_statement_falls_back_to_the_plain_query(cast, monkeypatch, caplog):
    """Behind a transaction-pooling proxy a prepared statement can vanish; the marker is then sent plain."""
    from django.db import connection

    from qualify.register import snapshot

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are used on PostgreSQL only")
    monkeypatch.setattr(snapshot, "_prepare", True)
    expected = snapshot.change_marker()
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {snapshot._MARKER_STATEMENT}")
    assert snapshot.change_marker() == expected
    assert snapshot._prepare is False
    assert "sending it plain" in caplog.text
