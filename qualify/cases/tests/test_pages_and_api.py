from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.cases.services import case_open, case_transition
from qualify.core.actor import system_actor
from qualify.participants.choices import MarketRole
from qualify.participants.services import organisation_create, participation_create
from qualify.testing.tests.helpers import prequalify


@time_machine.travel(dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC))
def test_participant_home_shows_next_step_and_deadline(cast, client_for):
    page = client_for("lead_a").get(reverse("cases:home")).content.decode()
    assert "Submit your pre-qualification" in page
    assert "1 Dec 2026" in page and "in 9 days" in page
    assert "Southbank" not in page


@time_machine.travel(dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC))
def test_overdue_deadline_is_flagged(cast, client_for):
    prequalify(cast.case_a, submit=False)  # the form the step needs (qualify/testing)
    case_transition(actor=cast.actor("lead_a"), case=cast.case_a, name="submit_prequalification")
    case_transition(actor=cast.actor("bsc"), case=cast.case_a, name="scope", comment="scoped")
    case_transition(actor=cast.actor("lead_a"), case=cast.case_a, name="start_pit")
    page = client_for("lead_a").get(reverse("cases:home")).content.decode()
    assert "overdue by 28 days" in page


def test_overview_filters_and_counts(cast, client_for):
    client = client_for("admin")
    everything = client.get(reverse("cases:list")).content.decode()
    assert everything.count('data-testid="case-row"') == 3
    suppliers = client.get(reverse("cases:list"), {"role": "SUPPLIER"}).content.decode()
    assert suppliers.count('data-testid="case-row"') == 2 and "NWMS" not in suppliers
    sit = client.get(reverse("cases:list"), {"route": "SIT"}).content.decode()
    assert sit.count('data-testid="case-row"') == 1
    by_search = client.get(reverse("cases:list"), {"search": "sbpw"}).content.decode()
    assert by_search.count('data-testid="case-row"') == 1


def test_overview_answers_htmx_with_just_the_table(cast, client_for):
    response = client_for("admin").get(reverse("cases:list"), {"state": "DRAFT"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and body.count('data-testid="case-row"') == 3


def test_participant_overview_lists_only_its_own_cases(cast, client_for):
    body = client_for("lead_b").get(reverse("cases:list")).content.decode()
    assert body.count('data-testid="case-row"') == 1 and "NWEN" not in body


def _more_cases(n: int) -> None:
    system = system_actor()
    for i in range(n):
        org = organisation_create(actor=system, name=f"Extra Energy {i}")
        participation = participation_create(
            actor=system, organisation=org, mpid=f"XE{i:02d}", role=MarketRole.SUPPLIER
        )
        case_open(actor=system, participation=participation)


def _queries(client, url, **kw):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **kw).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_do_not_query_per_row(cast, client_for):
    client = client_for("admin")
    pages = [
        reverse("cases:list"),
        reverse("participants:list"),
        reverse("plan:plan"),
        reverse("participants:detail", args=[cast.org_a.uuid]),
    ]
    before = {url: _queries(client, url) for url in pages}
    _more_cases(12)
    after = {url: _queries(client, url) for url in pages}
    assert after == before
    assert max(after.values()) <= 12


def test_list_endpoints_do_not_query_per_row(cast, client_for, token_for):
    client, auth = client_for(None), token_for("admin")
    client.get("/api/v1/waves", **auth)  # the token's first use records last_used_at; measure after it
    urls = [
        "/api/v1/cases",
        "/api/v1/organisations",
        "/api/v1/participations",
        "/api/v1/milestones",
        "/api/v1/waves",
    ]
    before = {url: _queries(client, url, **auth) for url in urls}
    _more_cases(12)
    assert {url: _queries(client, url, **auth) for url in urls} == before


def test_api_case_detail_includes_history_and_register_status(cast, client_for, token_for):
    prequalify(cast.case_a, submit=False)  # the form the step needs (qualify/testing)
    case_transition(actor=cast.actor("lead_a"), case=cast.case_a, name="submit_prequalification")
    body = client_for(None).get(f"/api/v1/cases/{cast.case_a.uuid}", **token_for("lead_a")).json()
    assert body["reference"] == cast.case_a.reference and body["state"] == "PREQUAL_SUBMITTED"
    assert body["history"][0]["actor_name"] == "Ada Lead"
    assert body["register_today"]["state"] == "NOT_QUALIFIED"


def test_api_refuses_an_impossible_step_with_409_and_the_error_shape(cast, client_for, token_for):
    # The lead may submit the Initial QAD, but not while the case is a draft.
    response = client_for(None).post(
        f"/api/v1/cases/{cast.case_a.reference}/transitions",
        {"name": "submit_initial_qad"},
        content_type="application/json",
        **token_for("lead_a"),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"
    # Signing is the declarant's step: the lead is refused for that, and learns nothing about the case's state.
    response = client_for(None).post(
        f"/api/v1/cases/{cast.case_a.reference}/transitions",
        {"name": "sign"},
        content_type="application/json",
        **token_for("lead_a"),
    )
    assert response.status_code == 403
    assert "state" not in response.json()["error"]["details"]


def test_api_validation_errors_use_the_error_shape(cast, client_for, token_for):
    response = client_for(None).post(
        f"/api/v1/cases/{cast.case_a.reference}/transitions",
        {"effective_date": "not a date"},
        content_type="application/json",
        **token_for("admin"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"


def test_api_session_writes_need_csrf(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.user("lead_a"))
    response = client.post(
        f"/api/v1/cases/{cast.case_a.reference}/transitions",
        {"name": "submit_prequalification"},
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    cast.case_a.refresh_from_db()
    assert cast.case_a.state == "DRAFT"


def test_api_case_list_uses_the_overview_filters(cast, client_for, token_for):
    body = client_for(None).get("/api/v1/cases", {"role": "SUPPLIER", "limit": 1}, **token_for("admin")).json()
    assert body["count"] == 2 and len(body["items"]) == 1


def test_a_step_that_cannot_be_undone_asks_on_a_page_of_its_own_without_javascript(cast, client_for):
    client = client_for("lead_a")
    step = reverse("cases:transition", args=[cast.case_a.reference])
    sent = {"name": "withdraw", "comment": "We are leaving the market."}

    asked = client.post(step, sent)

    cast.case_a.refresh_from_db()
    assert asked.status_code == 200 and cast.case_a.state == "DRAFT"
    page = asked.content.decode()
    assert 'data-testid="confirmation-page"' in page and "Withdraw?" in page
    assert "I understand a withdrawn case is closed for good." in page
    assert 'name="name" value="withdraw"' in page and 'value="We are leaving the market."' in page
    assert 'name="confirm" value="on"' in page and 'class="danger"' in page  # destructive steps look different
    assert reverse("cases:detail", args=[cast.case_a.reference]) in page  # and a way back

    done = client.post(step, {**sent, "confirm": "on"})

    cast.case_a.refresh_from_db()
    assert done.status_code == 302 and cast.case_a.state == "WITHDRAWN"


def test_the_case_page_draws_destructive_steps_differently_and_ordinary_ones_plainly(cast, client_for):
    page = client_for("lead_a").get(reverse("cases:detail", args=[cast.case_a.reference])).content.decode()
    withdraw = page[page.index('data-testid="step-withdraw"') :]
    assert '<button type="submit" class="danger">Withdraw</button>' in withdraw.split("</form>")[0]
    assert 'class="confirm"' in withdraw.split("</form>")[0]
