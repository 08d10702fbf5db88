"""A register that remembers what it knew (issue 11): each event's effective date and the instant it was recorded,
the status as known at a past instant, and back-dated events that need a reason and are flagged in the feed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone

from qualify.cases.models import QualificationCase
from qualify.cases.workflow import CASE_WORKFLOW
from qualify.core.actor import system_actor
from qualify.participants.services import organisation_create, participation_create
from qualify.register.choices import RegisterEventKind
from qualify.register.services import register_event_record

D = dt.date
UTC = dt.UTC
STATUS = "/api/v1/register/KNOW/SUPPLIER"
IMPORT = "/api/v1/register/import"
HEADER = "organisation,mpid,role,event,date,distributor_ids"


def at(year: int, month: int, day: int, hour: int) -> time_machine.travel:
    return time_machine.travel(dt.datetime(year, month, day, hour, tzinfo=UTC), tick=False)


def record(participation, kind, date, reason=""):
    return register_event_record(
        actor=system_actor("test"),
        participation=participation,
        kind=kind,
        effective_date=date,
        source="IMPORT",
        reference="test",
        reason=reason,
    )[0]


def csv_file(lines: list[str]) -> io.BytesIO:
    handle = io.BytesIO(("\n".join(lines) + "\n").encode())
    handle.name = "register.csv"
    return handle


@pytest.fixture
def remembered(cast):
    """KNOW, a Supplier registered on 10 Jan 2025, qualified on 1 Feb (recorded that day), activated on 1 Mar
    (recorded that day), and suspended from 1 Apr by a decision recorded only on 1 Jun (back-dated, with a reason)."""
    system = system_actor("test")
    with at(2025, 1, 10, 9):
        organisation = organisation_create(actor=system, name="Known Energy Ltd")
        participation = participation_create(actor=system, organisation=organisation, mpid="KNOW", role="SUPPLIER")
    with at(2025, 2, 1, 9):
        record(participation, RegisterEventKind.QUALIFIED, D(2025, 2, 1))
    with at(2025, 3, 1, 9):
        record(participation, RegisterEventKind.SERVICE_ACTIVATED, D(2025, 3, 1))
    with at(2025, 6, 1, 9):
        record(participation, RegisterEventKind.SUSPENDED, D(2025, 4, 1), reason="PAB decision of 28 Mar minuted late")
    return participation


def test_status_known_at_a_past_instant_answers_as_the_register_stood_then(remembered, client_for, token_for):
    client, auth = client_for(None), token_for("machine")
    on = {"on": "2025-05-01"}
    now = client.get(STATUS, on, **auth).json()
    assert (now["state"], now["suspended_on"]) == ("SUSPENDED", "2025-04-01")

    # On 15 May the suspension (recorded on 1 Jun) was not yet known: the register said operational.
    then = client.get(STATUS, {**on, "known_at": "2025-05-15T12:00:00Z"}, **auth)
    assert then.status_code == 200, then.content
    body = then.json()
    assert (body["state"], body["operational"], body["suspended_on"]) == ("OPERATIONAL", True, None)
    assert [(e["kind"], e["recorded_at"][:10]) for e in body["history"]] == [
        ("QUALIFIED", "2025-02-01"),
        ("SERVICE_ACTIVATED", "2025-03-01"),
    ]

    # An instant with an offset is the same instant: 1 Mar 09:30 in UTC+01:00 is 08:30 UTC, before the activation.
    early = client.get(STATUS, {"on": "2025-03-01", "known_at": "2025-03-01T09:30:00+01:00"}, **auth).json()
    assert early["state"] == "QUALIFIED"
    late = client.get(STATUS, {"on": "2025-03-01", "known_at": "2025-03-01T09:00:00Z"}, **auth).json()
    assert late["state"] == "OPERATIONAL"  # recorded at 09:00:00 exactly: known at that instant

    after = client.get(STATUS, {**on, "known_at": "2025-06-02T00:00:00Z"}, **auth).json()
    assert after == now


def test_a_participation_registered_later_is_not_found_as_known_before(remembered, client_for, token_for):
    client, auth = client_for(None), token_for("machine")
    before = client.get(STATUS, {"known_at": "2025-01-09T00:00:00Z"}, **auth)
    assert before.status_code == 404
    assert before.json()["error"]["code"] == "not_found"
    registered = client.get(STATUS, {"on": "2025-01-20", "known_at": "2025-01-11T00:00:00Z"}, **auth).json()
    assert (registered["state"], registered["history"]) == ("NOT_QUALIFIED", [])


def test_known_at_keeps_another_organisation_out_of_scope(remembered, client_for, token_for):
    response = client_for(None).get(STATUS, {"known_at": "2025-06-02T00:00:00Z"}, **token_for("lead_a"))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("yesterday", "not an ISO 8601 date and time"),
        ("2025-05-15T12:00:00", "no time zone"),
        ("2025-05-15", "no time zone"),
        ("2025-05-15T12:00:00 01:00", "send '+' as %2B"),  # a '+' not encoded in the URL arrives as a space
        ("2025-13-15T12:00:00Z", "not an ISO 8601 date and time"),
    ],
)
def test_a_bad_known_at_is_a_400_saying_what_is_expected(remembered, client_for, token_for, value, says):
    response = client_for(None).get(STATUS, {"known_at": value}, **token_for("machine"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_instant"
    assert "known_at" in error["message"] and says in error["message"]


def test_change_feed_flags_a_back_dated_event_with_when_it_was_recorded_and_why(remembered, client_for, token_for):
    items = client_for(None).get("/api/v1/register/changes", **token_for("machine")).json()["items"]
    mine = [(i["kind"], i["recorded_at"][:10], i["backdated"], i["reason"]) for i in items if i["mpid"] == "KNOW"]
    assert mine == [
        ("QUALIFIED", "2025-02-01", False, ""),
        ("SERVICE_ACTIVATED", "2025-03-01", False, ""),
        ("SUSPENDED", "2025-06-01", True, "PAB decision of 28 Mar minuted late"),
    ]


@pytest.fixture
def post_import(client_for, token_for, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Post a register file as the programme administrator; the import job runs on commit; answer the job."""

    def post(data: dict[str, object]) -> dict[str, object]:
        client, auth = client_for(None), token_for("admin")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(IMPORT, data, **auth)
        assert response.status_code == 202, response.content
        job: dict[str, object] = client.get(f"/api/v1/register-imports/{response.json()['reference']}", **auth).json()
        return job

    return post


def test_an_import_row_back_dated_without_a_reason_is_refused_naming_the_row(cast, client_for, token_for, post_import):
    client = client_for(None)
    today = timezone.localdate()
    rows = [
        HEADER,
        f"Late Energy,LATE,SUPPLIER,QUALIFIED,{today - dt.timedelta(days=5)},",  # within the allowed five days
        f"Late Energy,LATE,SUPPLIER,SERVICE_ACTIVATED,{today - dt.timedelta(days=6)},",
    ]
    refused = post_import({"file": csv_file(rows)})
    assert refused["state"] == "FAILED"
    assert "row 2 (line 3), column reason" in refused["error"]
    assert [(p["row"], p["column"]) for p in refused["problems"]] == [(2, "reason")]
    assert "6 days before today (more than 5)" in refused["problems"][0]["message"]
    feed = client.get("/api/v1/register/changes", **token_for("machine")).json()["items"]
    assert [i for i in feed if i["mpid"] == "LATE"] == []

    with_reason = [HEADER + ",reason", rows[1] + ",", rows[2] + ",DIP promotion confirmed by e-mail only today"]
    assert post_import({"file": csv_file(with_reason)})["state"] == "DONE"
    feed = client.get("/api/v1/register/changes", **token_for("machine")).json()["items"]
    assert [(i["kind"], i["backdated"], i["reason"]) for i in feed if i["mpid"] == "LATE"] == [
        ("QUALIFIED", False, ""),
        ("SERVICE_ACTIVATED", True, "DIP promotion confirmed by e-mail only today"),
    ]


def test_the_back_dating_allowance_is_a_setting(cast, settings, post_import):
    settings.QUALIFY_REGISTER_BACKDATE_DAYS = 40
    row = f"Late Energy,LATE,SUPPLIER,QUALIFIED,{timezone.localdate() - dt.timedelta(days=40)},"
    assert post_import({"file": csv_file([HEADER, row])})["state"] == "DONE"
    settings.QUALIFY_REGISTER_BACKDATE_DAYS = 0
    row = f"Late Energy,LATE,SUPPLIER,SERVICE_ACTIVATED,{timezone.localdate() - dt.timedelta(days=1)},"
    refused = post_import({"file": csv_file([HEADER, row])})
    assert refused["state"] == "FAILED"
    assert "more than 0" in refused["problems"][0]["message"]


def test_a_file_reason_serves_the_back_dated_rows_that_give_none(cast, client_for, token_for, post_import):
    rows = [HEADER, "Old Energy,OLDE,SUPPLIER,QUALIFIED,2025-01-06,", "Old Energy,OLDE,SUPPLIER,REVOKED,2025-02-06,"]
    reason = "Initial load of the register\x00 spreadsheet"
    assert post_import({"file": csv_file(rows), "reason": reason})["state"] == "DONE"
    feed = client_for(None).get("/api/v1/register/changes", **token_for("machine")).json()["items"]
    assert {(i["backdated"], i["reason"]) for i in feed if i["mpid"] == "OLDE"} == {
        (True, "Initial load of the register spreadsheet")  # control characters are dropped
    }


def test_a_back_dated_case_step_keeps_its_reason_and_is_flagged(cast, client_for, token_for, monkeypatch):
    # The register's side of the step alone: the assessment guards on approval are walked in its own tests.
    monkeypatch.setattr(CASE_WORKFLOW, "_extra_guards", {})
    QualificationCase.objects.filter(pk=cast.case_a.pk).update(state="AWAITING_APPROVAL")
    effective = timezone.localdate() - dt.timedelta(days=30)
    response = client_for(None).post(
        f"/api/v1/cases/{cast.case_a.reference}/transitions",
        {"name": "approve", "comment": "PAB approved on the date; minutes signed today", "effective_date": effective},
        content_type="application/json",
        **token_for("board"),
    )
    assert response.status_code == 200, response.content
    feed = client_for(None).get("/api/v1/register/changes", **token_for("machine")).json()["items"]
    assert [(i["mpid"], i["kind"], i["effective_date"], i["backdated"], i["reason"]) for i in feed] == [
        ("NWEN", "QUALIFIED", effective.isoformat(), True, "PAB approved on the date; minutes signed today")
    ]
    assert feed[0]["recorded_at"][:10] == timezone.now().date().isoformat()
