"""The Programme's API (issue 13): the same services as the pages, one error shape, and lists that keep their number
of queries as they grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qualify.accounts.services import user_create
from qualify.core.actor import system_actor
from qualify.participants.services import membership_add
from qualify.plan.services import wave_upsert
from qualify.programme.services import invitation_send

pytestmark = pytest.mark.django_db


def _post(client_for, token_for, who, path, data):  # type: ignore[no-untyped-def]
    return client_for(None).post(f"/api/v1{path}", data, content_type="application/json", **token_for(who))


def test_an_administrator_onboards_by_api(cast, client_for, token_for):
    org = _post(client_for, token_for, "admin", "/programme/organisations", {"name": "Api Energy Ltd"})
    assert org.status_code == 201
    uuid = org.json()["uuid"]
    part = _post(
        client_for,
        token_for,
        "admin",
        f"/programme/organisations/{uuid}/participations",
        {"mpid": "APIL", "role": "LDSO", "route": "SIT", "distributor_ids": ["31"]},
    )
    assert part.status_code == 201 and part.json()["distributor_ids"] == ["31"]
    case = _post(
        client_for, token_for, "admin", f"/programme/participations/{part.json()['uuid']}/case", {"wave": "W1"}
    )
    assert case.status_code == 201 and case.json()["wave"] == "W1"
    again = _post(client_for, token_for, "admin", f"/programme/participations/{part.json()['uuid']}/case", {})
    assert again.status_code == 422 and again.json()["error"]["details"] == {"participation": "has_case"}
    invited = _post(
        client_for,
        token_for,
        "admin",
        f"/programme/organisations/{uuid}/invitations",
        {"email": "lead@api.test", "full_name": "Api Lead", "role": "LEAD"},
    )
    assert invited.status_code == 201 and invited.json()["status"] == "pending"


def test_a_wave_is_planned_and_its_cases_moved_by_api(cast, client_for, token_for):
    wave = _post(
        client_for,
        token_for,
        "admin",
        "/programme/waves/W2",
        {"name": "Wave 2", "sequence": 2, "deadlines": [{"kind": "QT_START", "date": "2027-03-01"}]},
    )
    assert wave.status_code == 200 and wave.json()["deadlines"][0]["kind"] == "QT_START"
    bad = _post(
        client_for,
        token_for,
        "admin",
        "/programme/waves/W3",
        {
            "name": "Wave 3",
            "deadlines": [{"kind": "QT_START", "date": "2027-03-01"}, {"kind": "QT_END", "date": "2027-02-01"}],
        },
    )
    assert bad.status_code == 422
    unknown = _post(
        client_for,
        token_for,
        "admin",
        "/programme/waves/W1/move",
        {"cases": ["QC-999999"], "to_wave": "W2", "reason": "r"},
    )
    assert unknown.status_code == 404
    no_reason = _post(
        client_for,
        token_for,
        "admin",
        "/programme/waves/W1/move",
        {"cases": [cast.case_a.reference], "to_wave": "W2", "reason": ""},
    )
    assert no_reason.status_code == 422
    moved = _post(
        client_for,
        token_for,
        "admin",
        "/programme/waves/W1/move",
        {"cases": [cast.case_a.reference.lower()], "to_wave": "W2", "reason": "Slipped."},
    )
    assert moved.status_code == 200 and moved.json() == [
        {"reference": cast.case_a.reference, "state": "DRAFT", "wave": "W2"}
    ]


def test_the_case_api_names_its_next_wave_deadline(cast, client_for, token_for):
    body = client_for(None).get(f"/api/v1/cases/{cast.case_a.reference}", **token_for("lead_a")).json()
    assert body["next_deadline"] == {
        "kind": "PRE_QUALIFICATION",
        "label": "Pre-qualification submission",
        "date": "2026-12-01",
    }


def test_a_lead_cannot_make_itself_a_viewer_when_it_is_the_last_lead(cast, client_for, token_for):
    path = f"/programme/organisations/{cast.org_a.uuid}/people/{cast.user('lead_a').uuid}/role"
    response = _post(client_for, token_for, "lead_a", path, {"role": "VIEWER"})
    assert response.status_code == 422 and response.json()["error"]["details"] == {"role": "last_lead"}


def _grow(cast, n: int) -> None:  # type: ignore[no-untyped-def]
    system = system_actor("test")
    for i in range(n):
        wave_upsert(
            actor=system,
            code=f"Y{n}{i}",
            name=f"Y {i}",
            sequence=20 + i,
            deadlines={"PIT_START": cast.wave.deadlines.first().date},
        )
        user = user_create(actor=system, email=f"api{n}-{i}@northwind.test", full_name=f"P {i}")
        membership_add(actor=system, organisation=cast.org_a, user=user, role="VIEWER")
        invitation_send(
            actor=system, organisation=cast.org_a, email=f"inv{n}-{i}@northwind.test", full_name="I", role="VIEWER"
        )


@pytest.mark.parametrize("path", ["/programme/waves", "/programme/organisations/{org}/people"])
def test_the_api_lists_keep_their_query_count_as_they_grow(cast, client_for, path):
    client = client_for("admin")  # a session, not a token: a token is remembered for a few seconds after use
    url = "/api/v1" + path.format(org=cast.org_a.uuid)
    counts = []
    for n in (2, 12):
        _grow(cast, n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
