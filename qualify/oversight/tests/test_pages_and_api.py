"""The non-completion and back-scheduling pages and endpoints: content, the participant's response, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.cases.services import case_open
from qualify.core import clock
from qualify.core.actor import system_actor
from qualify.oversight.models import NonCompletionRecord
from qualify.oversight.tests.helpers import decide, open_record
from qualify.participants.choices import MarketRole, Route
from qualify.participants.services import organisation_create, participation_create
from qualify.plan.choices import DeadlineKind, MilestoneMeaning
from qualify.plan.services import milestone_upsert, wave_upsert


def m14() -> dt.date:
    """M14 some months ahead, so that a wave boarding on it is still open to join."""
    return clock.today() + dt.timedelta(days=200)


def more_cases(cast, count: int, *, start: int = 0, wave=None):  # type: ignore[no-untyped-def]
    """``count`` further Supplier cases, each of its own organisation."""
    system = system_actor("tests")
    cases = []
    for i in range(start, start + count):
        org = organisation_create(actor=system, name=f"Extra {i} Ltd", company_number=f"9{i:07d}")
        part = participation_create(
            actor=system, organisation=org, mpid=f"X{i:03d}", role=MarketRole.SUPPLIER, route=Route.QT
        )
        cases.append(case_open(actor=system, participation=part, wave=wave or cast.wave))
    return cases


def test_the_staff_list_keeps_its_query_count_as_records_grow(cast, client_for):
    client = client_for("admin")
    for case in more_cases(cast, 2):
        open_record(cast, case)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("oversight:records")).status_code == 200
    for case in more_cases(cast, 8, start=2):
        open_record(cast, case)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("oversight:records"))
    assert response.content.decode().count('data-testid="record-row"') == 10
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_api_list_keeps_its_query_count_as_records_grow(cast, client_for, token_for):
    client = client_for(None)
    for case in more_cases(cast, 2):
        open_record(cast, case)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/v1/oversight/non-completion", **token_for("admin")).status_code == 200
    for case in more_cases(cast, 8, start=2):
        open_record(cast, case)
    with CaptureQueriesContext(connection) as large:
        body = client.get("/api/v1/oversight/non-completion", **token_for("admin")).json()
    assert body["count"] == 10
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_participant_lists_only_its_own_records(cast, client_for):
    mine = open_record(cast, cast.case_a)
    theirs = open_record(cast, cast.case_b)
    page = client_for("viewer_a").get(reverse("oversight:records")).content.decode()
    assert mine.reference in page and theirs.reference not in page


def test_filters_narrow_the_list(cast, client_for):
    opened = open_record(cast, cast.case_a)
    closed = open_record(cast, cast.case_b)
    for outcome in ("NOTICE_SENT", "NO_RESPONSE", "REFERRED", "PLAN_ACCEPTED"):
        closed = decide(cast, closed, outcome)
    client = client_for("bsc")
    default = client.get(reverse("oversight:records")).content.decode()
    assert opened.reference in default and closed.reference not in default
    resolved = client.get(reverse("oversight:records"), {"state": "RESOLVED"}).content.decode()
    assert closed.reference in resolved and opened.reference not in resolved
    by_trigger = client.get(reverse("oversight:records"), {"trigger": "M14"}).content.decode()
    assert opened.reference not in by_trigger
    by_step = client.get(reverse("oversight:records"), {"step": "NOTICE"}).content.decode()
    assert opened.reference in by_step and 'option value="PAB_DECISION"' in by_step
    assert opened.reference not in client.get(reverse("oversight:records"), {"step": "REVIEW"}).content.decode()


def test_the_record_page_shows_the_ladder_the_step_and_its_due_date(cast, client_for):
    record = open_record(cast, cast.case_a)
    page = client_for("lead_a").get(reverse("oversight:record_detail", args=[record.reference])).content.decode()
    assert "Notice to the participant" in page and "The BSC PAB&#x27;s decision" in page
    assert f"{record.step_due:%-d %b %Y}" in page
    assert "This step is not yours to take." in page
    admin_page = client_for("admin").get(reverse("oversight:record_detail", args=[record.reference])).content.decode()
    assert 'data-testid="outcome-NOTICE_SENT"' in admin_page


def test_the_participant_responds_with_a_plan_through_the_form(cast, client_for):
    record = decide(cast, open_record(cast, cast.case_a), "NOTICE_SENT")
    client = client_for("lead_a")
    url = reverse("oversight:record_respond", args=[record.reference])
    assert client.get(url).status_code == 200
    due = (clock.today() + dt.timedelta(days=20)).isoformat()
    incomplete = client.post(url, {"step": "RESPONSE", "outcome": "PLAN_SUBMITTED", "summary": "x", "owner": ""})
    assert incomplete.status_code == 422
    response = client.post(
        url,
        {
            "step": "RESPONSE",
            "outcome": "PLAN_SUBMITTED",
            "summary": "Complete QT in the next window.",
            "owner": "Ada Lead",
            "m0_title": "Test Completion Report",
            "m0_due": due,
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.step == "REVIEW"
    assert record.plans.get().milestones == [{"title": "Test Completion Report", "owner": "Ada Lead", "due": due}]


def test_a_sanction_needs_its_confirmation_on_the_page(cast, client_for):
    record = open_record(cast, cast.case_a)
    for outcome in ("NOTICE_SENT", "NO_RESPONSE", "REFERRED"):
        record = decide(cast, record, outcome)
    url = reverse("oversight:record_decide", args=[record.reference])
    data = {"step": "PAB_DECISION", "outcome": "SANCTION", "sanction": "BSC_BREACH", "comment": "late"}
    client = client_for("board")
    asked = client.post(url, data)  # without JavaScript: a page asks, and nothing is recorded yet
    assert 'data-testid="confirmation-page"' in asked.content.decode()
    assert NonCompletionRecord.objects.get(pk=record.pk).state == "OPEN"
    client.post(url, {**data, "confirm": "on"})
    assert NonCompletionRecord.objects.get(pk=record.pk).sanction == "BSC_BREACH"


def test_the_api_takes_a_response_with_its_plan(cast, client_for, token_for):
    record = decide(cast, open_record(cast, cast.case_a), "NOTICE_SENT")
    url = f"/api/v1/oversight/non-completion/{record.reference}/decisions"
    client = client_for(None)
    due = (clock.today() + dt.timedelta(days=20)).isoformat()
    plan = {"summary": "Finish QT.", "owner": "Ada", "milestones": [{"title": "TCR", "due": due}]}
    missing = client.post(
        url, {"step": "RESPONSE", "outcome": "PLAN_SUBMITTED"}, content_type="application/json", **token_for("lead_a")
    )
    assert missing.status_code == 422
    ok = client.post(
        url,
        {"step": "RESPONSE", "outcome": "PLAN_SUBMITTED", "plan": plan},
        content_type="application/json",
        **token_for("lead_a"),
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["step"] == "REVIEW" and ok.json()["plans"][0]["milestones"][0]["title"] == "TCR"
    again = client.post(
        url,
        {"step": "RESPONSE", "outcome": "PLAN_SUBMITTED", "plan": plan},
        content_type="application/json",
        **token_for("lead_a"),
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"
    # The review is a Code Body's step, not the participant's.
    review = {"step": "REVIEW", "outcome": "PLAN_ACCEPTED"}
    assert client.post(url, review, content_type="application/json", **token_for("lead_a")).status_code == 403
    assert client.post(url, review, content_type="application/json", **token_for("bsc")).status_code == 200


# --- back-scheduling -------------------------------------------------------------------------------------------------


@pytest.fixture
def late_wave(cast):  # type: ignore[no-untyped-def]
    """M14 (some months ahead), and a wave that boards the day after it."""
    system = system_actor("tests")
    milestone_upsert(
        actor=system, code="M14", name="Suppliers", date=m14(), meaning=MilestoneMeaning.ALL_SUPPLIERS_QUALIFIED
    )
    wave_upsert(actor=system, code="W0", name="Wave 0", sequence=0, deadlines={DeadlineKind.TARGET_BOARD: m14()})
    return wave_upsert(
        actor=system,
        code="W9",
        name="Wave 9",
        sequence=9,
        deadlines={DeadlineKind.TARGET_BOARD: m14() + dt.timedelta(days=1)},
    )


def test_the_flag_page_lists_cases_whose_wave_boards_too_late(cast, client_for, late_wave):
    late = more_cases(cast, 1, wave=late_wave)[0]
    page = client_for("admin").get(reverse("oversight:backschedule")).content.decode()
    assert late.reference in page
    # The cast's wave has no board date: its Final QAD (1 May 2027) plus the board stage is after M14 too.
    assert cast.case_a.reference in page
    assert cast.case_a_mem.reference not in page  # a MEM with no target migration date has no date to miss


def test_the_flag_page_keeps_its_query_count(cast, client_for, late_wave):
    client = client_for("admin")
    more_cases(cast, 2, wave=late_wave)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("oversight:backschedule"))
    more_cases(cast, 8, start=2, wave=late_wave)
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("oversight:backschedule")).content.decode()
    assert page.count('data-testid="flag-row"') == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_cases_proposal_names_the_latest_wave_that_makes_it(cast, client_for, token_for, late_wave):
    late = more_cases(cast, 1, wave=late_wave)[0]
    page = client_for("admin").get(reverse("oversight:backschedule_case", args=[late.reference])).content.decode()
    assert 'data-testid="late"' in page
    body = (
        client_for(None).get(f"/api/v1/oversight/back-scheduling/cases/{late.reference}", **token_for("admin")).json()
    )
    assert body["late"] is True and body["qualified_by"] == m14().isoformat()
    # Wave 0 boards on M14 itself; it has no other deadline, so it is still open to join.
    assert body["proposed_wave"] == "W0"
    flags = client_for(None).get("/api/v1/oversight/back-scheduling/flags", **token_for("bsc")).json()
    assert late.reference in {row["case"] for row in flags["items"]}


def test_another_organisations_record_is_indistinguishable_from_a_missing_one(cast, client_for, token_for):
    record = open_record(cast, cast.case_a)
    client = client_for("lead_b")
    hidden = client.get(reverse("oversight:record_detail", args=[record.reference]))
    missing = client.get(reverse("oversight:record_detail", args=["NC-999999"]))
    assert hidden.status_code == missing.status_code == 404
    api = client_for(None)
    api_hidden = api.get(f"/api/v1/oversight/non-completion/{record.reference}", **token_for("lead_b"))
    api_missing = api.get("/api/v1/oversight/non-completion/NC-999999", **token_for("lead_b"))
    assert api_hidden.status_code == api_missing.status_code == 404
    assert api_hidden.json() == api_missing.json()


@pytest.mark.parametrize("target_days", [None, -400, 400])
def test_the_database_filter_flags_the_same_cases_as_the_rule(cast, late_wave, target_days):
    """``flagged_q`` (what the dashboard counts) agrees with ``flagged_cases`` (the rule, case by case), with and
    without a target migration date early or late enough to matter."""
    from qualify.cases.models import QualificationCase
    from qualify.oversight.selectors import flagged_cases, flagged_first, flagged_q

    cases = more_cases(cast, 3, wave=late_wave)
    if target_days is not None:
        QualificationCase.objects.filter(pk=cases[0].pk).update(  # set-up only: the date a form would have given
            target_migration_date=m14() + dt.timedelta(days=target_days)
        )
    by_rule = sorted(row.case.pk for row in flagged_cases(actor=cast.actor("admin")))
    assert by_rule == sorted(QualificationCase.objects.filter(flagged_q()).values_list("pk", flat=True))
    assert by_rule  # the late wave flags its Suppliers
    count, first = flagged_first(actor=cast.actor("admin"), limit=2)
    assert count == len(by_rule)
    assert [row.case.pk for row in first] == [r.case.pk for r in flagged_cases(actor=cast.actor("admin"))][:2]
