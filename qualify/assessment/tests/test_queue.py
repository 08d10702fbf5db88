"""The Code Bodies' review queue, on its page and in the API: a page at a time, the same filters on both, the body's
clock on each case's latest submission, and a fixed number of queries whatever the size of the queue."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.accounts import api_auth
from qualify.accounts.services import user_create
from qualify.assessment import rules, selectors, services
from qualify.assessment.tests import journey
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_open
from qualify.core.actor import system_actor
from qualify.core.roles import StaffRole
from qualify.participants.choices import MarketRole, Route
from qualify.participants.services import participation_create
from qualify.plan.services import wave_upsert
from qualify.qad.models import SubmissionBody

pytestmark = pytest.mark.django_db

API = "/api/v1/assessment/queue"
UK = ZoneInfo("Europe/London")


def open_supplier_cases(cast: Any, n: int, *, wave: Any = None) -> list[QualificationCase]:
    """``n`` more Northwind supplier cases (MPIDs NX00, NX01, …), opened in draft."""
    system = system_actor("tests")
    start = QualificationCase.objects.count()
    cases = []
    for i in range(start, start + n):
        participation = participation_create(
            actor=system, organisation=cast.org_a, mpid=f"NX{i:02d}", role=MarketRole.SUPPLIER, route=Route.QT
        )
        cases.append(case_open(actor=system, participation=participation, wave=wave or cast.wave))
    return cases


def submit(cast: Any, cases: list[QualificationCase]) -> list[QualificationCase]:
    return [journey.to_initial_submitted(cast, case) for case in cases]


def page(client: Any, query: str = "") -> str:
    response = client.get(reverse("assessment:queue") + query)
    assert response.status_code == 200, response.content
    return str(response.content.decode())


def api_rows(client: Any, headers: dict[str, str], query: str = "") -> dict[str, Any]:
    response = client.get(API + query, **headers)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def refs(rows: dict[str, Any]) -> list[str]:
    return [r["case"]["reference"] for r in rows["items"]]


def shown(html: str, cases: list[QualificationCase]) -> list[str]:
    """The references of ``cases`` that the page lists, in the page's order."""
    found = [(html.index(f">{c.reference}<"), c.reference) for c in cases if f">{c.reference}<" in html]
    return [ref for _, ref in sorted(found)]


def queries_of(request: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        request()
    return len(ctx.captured_queries)


# --- a fixed number of queries ----------------------------------------------------------------------------------------


def test_the_queue_page_and_api_take_the_same_number_of_queries_for_3_and_12_cases(
    cast, client_for, token_for, monkeypatch
):
    """Each case has something on every column (outcome, open query, reviewer, paused clock), so nothing is read per
    row; the overdue filter works out every candidate's clock, still in a fixed number of queries."""
    monkeypatch.setattr(api_auth, "clock", lambda: 0.0)  # the token stays remembered however long the set-up takes

    def busy(cases: list[QualificationCase]) -> None:
        for case in cases:
            submission = journey.latest_submission(case)
            services.outcome_record(
                actor=cast.actor("bsc"),
                submission=submission,
                question_id=journey.owned_question(case, "BSC"),
                outcome="SATISFACTORY",
            )
            services.review_assign(actor=cast.actor("bsc"), case=case, body="BSC", reviewer_id=cast.user("bsc").pk)
            query = journey.raise_query(cast, journey.fresh(case), "BSC")
            services.query_answer(actor=cast.actor(journey.lead_key(case)), query=query, text="Answered.")

    clients: dict[str, Any] = {}
    staff = lambda: clients["page"]  # noqa: E731
    requests = {
        "page": lambda: page(staff()),
        "page, filtered": lambda: page(staff(), "?reviewer=me&wave=W1"),
        "page, overdue": lambda: page(staff(), "?overdue=1"),
        "api": lambda: api_rows(clients["api"], clients["token"]),
        "api, filtered": lambda: api_rows(clients["api"], clients["token"], "?reviewer=bsc@elexon.test&wave=W1"),
        "api, overdue": lambda: api_rows(clients["api"], clients["token"], "?overdue=true"),
    }
    submitted_at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UK)
    with time_machine.travel(submitted_at, tick=False) as traveller:
        small = submit(cast, [cast.case_a, cast.case_b, *open_supplier_cases(cast, 1)])
        busy(small)
        traveller.move_to(submitted_at + dt.timedelta(days=40))  # every clock is late by now
        clients.update(page=client_for("bsc"), api=client_for(None), token=token_for("bsc"))  # signed in today
        for request in requests.values():
            request()  # first use of the session and the token is recorded once; count steady-state requests
        at_3 = {name: queries_of(request) for name, request in requests.items()}
        assert api_rows(clients["api"], clients["token"], "?overdue=true")["count"] == 3

        traveller.move_to(submitted_at)
        large = submit(cast, open_supplier_cases(cast, 9))
        busy(large)
        traveller.move_to(submitted_at + dt.timedelta(days=40))
        for request in requests.values():
            request()
        at_12 = {name: queries_of(request) for name, request in requests.items()}
        assert api_rows(clients["api"], clients["token"], "?overdue=true")["count"] == 12
        assert len(shown(page(staff()), small + large)) == 12

    assert at_12 == at_3, "the review queue must not query per case"


# --- filters ----------------------------------------------------------------------------------------------------------


def test_reviewer_filter_finds_my_cases_the_unassigned_and_a_named_assessors(cast, client_for, token_for):
    mine, theirs, nobodys = submit(cast, [cast.case_a, cast.case_b, *open_supplier_cases(cast, 1)])
    other = user_create(
        actor=system_actor("tests"),
        email="second@elexon.test",
        full_name="Sam Second",
        password=None,
        staff_role=StaffRole.BSC_ASSESSOR,
    )
    services.review_assign(actor=cast.actor("bsc"), case=mine, body="BSC", reviewer_id=cast.user("bsc").pk)
    services.review_assign(actor=cast.actor("bsc"), case=theirs, body="BSC", reviewer_id=other.pk)
    # A REC reviewer on the third case does not make it assigned for the BSC.
    services.review_assign(actor=cast.actor("rec"), case=nobodys, body="REC", reviewer_id=cast.user("rec").pk)
    everyone = [mine, theirs, nobodys]
    staff = client_for("bsc")
    api, headers = client_for(None), token_for("bsc")

    assert shown(page(staff), everyone) == [mine.reference, theirs.reference, nobodys.reference]
    assert shown(page(staff, "?reviewer=me"), everyone) == [mine.reference]
    assert shown(page(staff, "?reviewer=unassigned"), everyone) == [nobodys.reference]
    html = page(staff, f"?reviewer={other.uuid}")
    assert shown(html, everyone) == [theirs.reference]
    assert f'value="{other.uuid}" selected' in html and "Sam Second" in html

    assert refs(api_rows(api, headers, "?reviewer=me")) == [mine.reference]
    assert refs(api_rows(api, headers, "?reviewer=unassigned")) == [nobodys.reference]
    assert refs(api_rows(api, headers, "?reviewer=SECOND@elexon.test")) == [theirs.reference]
    assert refs(api_rows(api, headers, f"?reviewer={other.uuid}")) == [theirs.reference]
    # Each body's queue reads its own assignments: on the REC's, only the third case has a reviewer.
    assert refs(api_rows(api, token_for("admin"), "?body=REC&reviewer=unassigned")) == [
        mine.reference,
        theirs.reference,
    ]


def test_an_unknown_reviewer_is_refused_in_words(cast, client_for, token_for):
    (case,) = submit(cast, [cast.case_a])
    refused = client_for(None).get(API + "?reviewer=Bo", **token_for("bsc"))
    assert refused.status_code == 422
    assert refused.json()["error"]["details"] == {"reviewer": "unknown"}
    response = client_for("bsc").get(reverse("assessment:queue") + "?reviewer=Bo")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Name the reviewer as me, unassigned" in html
    assert case.reference in html  # the whole queue, unfiltered, with the reason


def test_wave_filter_keeps_the_cases_of_one_wave(cast, client_for, token_for):
    wave_2 = wave_upsert(actor=system_actor("tests"), code="W2", name="Wave 2", sequence=2)
    in_w1 = submit(cast, [cast.case_a, cast.case_b])
    in_w2 = submit(cast, open_supplier_cases(cast, 1, wave=wave_2))
    everyone = in_w1 + in_w2
    html = page(client_for("dip"), "?wave=W2")
    assert shown(html, everyone) == [in_w2[0].reference]
    assert '<option value="W2" selected>' in html
    assert shown(page(client_for("dip"), "?wave=W1"), everyone) == [c.reference for c in in_w1]
    api, headers = client_for(None), token_for("dip")
    assert refs(api_rows(api, headers, "?wave=W2")) == [in_w2[0].reference]
    assert api_rows(api, headers, "?wave=W9")["count"] == 0


def test_overdue_filter_keeps_only_late_clocks(cast, client_for, token_for):
    """Three cases submitted on 1 December (20 days to review): one untouched, one with a query the participant still
    owes (its clock stopped), one whose query was answered after 10 days (due 10 days later); one more submitted on
    the 20th. On the 25th only the untouched one is late."""
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UK)
    with time_machine.travel(start, tick=False) as traveller:
        late, waiting, paused = submit(cast, [cast.case_a, cast.case_b, *open_supplier_cases(cast, 1)])
        journey.raise_query(cast, waiting, "BSC")
        answered = journey.raise_query(cast, paused, "BSC")
        traveller.move_to(start + dt.timedelta(days=10))
        services.query_answer(actor=cast.actor("lead_a"), query=answered, text="Here it is.")
        traveller.move_to(start + dt.timedelta(days=19))
        (recent,) = submit(cast, open_supplier_cases(cast, 1))
        traveller.move_to(start + dt.timedelta(days=24))
        everyone = [late, waiting, paused, recent]
        staff = client_for("bsc")
        assert len(shown(page(staff), everyone)) == 4
        html = page(staff, "?overdue=1")
        assert shown(html, everyone) == [late.reference]
        assert "4 days overdue" in html
        rows = api_rows(client_for(None), token_for("bsc"), "?overdue=true")
        assert refs(rows) == [late.reference]
        assert rows["count"] == 1
        assert rows["items"][0]["clock"]["overdue"] is True
        assert rows["items"][0]["clock"]["due_on"] == "2026-12-21"
        # The REC raised nothing, so on the REC's queue the three earlier cases are late.
        rec = api_rows(client_for(None), token_for("rec"), "?overdue=true")
        assert refs(rec) == sorted([late.reference, waiting.reference, paused.reference])  # same moment: by reference


def test_body_stays_the_assessors_own_on_the_page(cast, client_for, token_for):
    (case,) = submit(cast, [cast.case_a])
    html = page(client_for("rec"), "?body=BSC")
    assert "Review queue · REC Code Manager" in html and 'name="body"' not in html
    admin = page(client_for("admin"), "?body=DIP")
    assert "Review queue · DIP Manager" in admin and case.reference in admin
    rows = api_rows(client_for(None), token_for("admin"), "?body=dip")
    assert [r["body"] for r in rows["items"]] == ["DIP"]


# --- pages ------------------------------------------------------------------------------------------------------------


def test_the_queue_page_shows_a_page_at_a_time_with_the_total_and_page_links(cast, client_for, monkeypatch):
    monkeypatch.setattr(selectors, "QUEUE_PER_PAGE", 2)
    cases = submit(cast, [cast.case_a, cast.case_b, *open_supplier_cases(cast, 3)])
    staff = client_for("bsc")
    first = page(staff, "?reviewer=unassigned")
    assert shown(first, cases) == [c.reference for c in cases[:2]]
    assert '<strong data-testid="queue-total">5</strong> cases waiting · showing 1 to 2.' in first
    assert 'href="?reviewer=unassigned&amp;page=2"' in first and "Page 1 of 3" in first
    second = page(staff, "?reviewer=unassigned&page=2")
    assert shown(second, cases) == [c.reference for c in cases[2:4]]
    assert 'rel="prev"' in second and 'rel="next"' in second
    last = page(staff, "?reviewer=unassigned&page=99")  # past the end: the last page
    assert shown(last, cases) == [cases[4].reference]
    assert "Page 3 of 3" in last


def test_the_queue_api_pages_like_the_other_lists(cast, client_for, token_for):
    cases = submit(cast, [cast.case_a, cast.case_b, *open_supplier_cases(cast, 1)])
    api, headers = client_for(None), token_for("bsc")
    everything = api_rows(api, headers)
    assert everything["count"] == 3 and refs(everything) == [c.reference for c in cases]
    second = api_rows(api, headers, "?limit=2&offset=2")
    assert second["count"] == 3 and refs(second) == [cases[2].reference]
    row = second["items"][0]
    assert set(row) == {"case", "submission", "body", "questions", "reviewed", "open_queries", "reviewer", "clock"}
    assert row["submission"] == journey.latest_submission(cases[2]).reference


def test_the_queue_lists_the_latest_submission_with_the_bodys_question_count_and_clock(cast, client_for, token_for):
    (case,) = submit(cast, [cast.case_a])
    first = journey.latest_submission(case)
    query = journey.raise_query(cast, case, "BSC")
    services.query_answer(actor=cast.actor("lead_a"), query=query, text="Answered.")
    services.query_close(actor=cast.actor("bsc"), query=query, text="Thanks.")
    journey.submit_qad(journey.fresh(case), cast.actor("lead_a"), kind="INITIAL", as_of=first.created_at.date())
    latest = journey.latest_submission(case)
    assert latest.pk != first.pk
    rows = api_rows(client_for(None), token_for("bsc"))
    (row,) = rows["items"]
    owned = dict(latest.bodies.values_list("body", "questions"))
    assert row["submission"] == latest.reference and row["questions"] == owned["BSC"]
    expected = next(c.clock for c in rules.review_clocks(case) if c.body == "BSC")
    assert row["clock"]["due_on"] == expected.due_on.isoformat()
    assert row["clock"]["paused_days"] == expected.paused_days


def test_a_body_that_owns_no_question_of_the_latest_submission_has_no_row(cast, client_for, token_for):
    first, second = submit(cast, [cast.case_a, cast.case_b])
    # Every role of the sample QAD has BSC questions; a version without any for this case is stood in for by removing
    # the BSC's recorded share of its submission (the queue reads ownership from these rows, not the snapshot).
    SubmissionBody.objects.filter(submission=journey.latest_submission(first), body="BSC").delete()
    api, admin = client_for(None), token_for("admin")
    assert refs(api_rows(api, admin, "?body=BSC")) == [second.reference]
    assert refs(api_rows(api, admin, "?body=REC")) == [first.reference, second.reference]
    assert rules.owning_bodies(journey.latest_submission(first)) == ["DIP", "REC"]
