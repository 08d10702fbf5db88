"""Assessment over the HTTP API: the same rules as the services, the one error shape, and what each audience reads."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qualify.assessment import services
from qualify.assessment.models import Query
from qualify.assessment.tests import journey
from qualify.qad.tests.helpers import upload_pdf

pytestmark = pytest.mark.django_db

API = "/api/v1/assessment"
SECRET_NOTE = "Suspect the PIT evidence was staged; check with the DIP Manager."


class Api:
    """One cast member talking to the API with a bearer token."""

    def __init__(self, client_for: Any, token_for: Any, who: str) -> None:
        self.client = client_for(None)
        self.headers = token_for(who)

    def get(self, path: str) -> Any:
        return self.client.get(f"{API}{path}", **self.headers)

    def post(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"{API}{path}", data or {}, content_type="application/json", **self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"{API}{path}", **self.headers)


@pytest.fixture
def api(client_for, token_for):  # type: ignore[no-untyped-def]
    return lambda who: Api(client_for, token_for, who)


@pytest.fixture
def submitted(cast):  # type: ignore[no-untyped-def]
    """Case A with its Initial QAD submitted and nothing raised yet."""
    return journey.to_initial_submitted(cast, cast.case_a)


def _raise(api: Any, case: Any, **extra: Any) -> Any:
    payload = {"question_id": journey.owned_question(case, "BSC"), "text": "Show the retry runbook.", **extra}
    return api("bsc").post(f"/cases/{case.reference}/queries", payload)


def test_a_query_goes_round_trip_and_only_the_reviewer_closes_it(api, submitted):
    raised = _raise(api, submitted, internal_note=SECRET_NOTE)
    assert raised.status_code == 201, raised.content
    key = raised.json()["reference"]
    assert raised.json()["state"] == "OPEN"
    assert journey.fresh(submitted).state == "INITIAL_CLARIFICATION"

    answered = api("lead_a").post(f"/queries/{key}/answer", {"text": "Runbook attached to Q 4.5.6."})
    assert answered.status_code == 200, answered.content
    assert answered.json()["state"] == "ANSWERED"

    refused = api("lead_a").post(f"/queries/{key}/close", {"text": "We consider this done."})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_allowed"

    closed = api("bsc").post(f"/queries/{key}/close", {"text": "Thank you."})
    assert closed.status_code == 200, closed.content
    assert closed.json()["state"] == "CLOSED"
    assert [m["kind"] for m in closed.json()["messages"]] == ["RAISED", "ANSWER", "CLOSED"]


def test_reviewer_follows_up_and_the_participant_owes_a_new_answer(api, submitted):
    key = _raise(api, submitted).json()["reference"]
    api("lead_a").post(f"/queries/{key}/answer", {"text": "See the runbook."})
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    followed = api("bsc").post(f"/queries/{key}/follow-up", {"text": "Which section?", "response_due": due})
    assert followed.status_code == 200, followed.content
    assert followed.json()["state"] == "OPEN"
    assert followed.json()["response_due"] == due


def test_participant_answers_with_evidence_from_the_cases_own_qad(cast, api, submitted):
    from qualify.qad.models import QadResponse

    response = QadResponse.objects.get(case=submitted)
    evidence = upload_pdf(response, cast.actor("lead_a"), [])
    key = _raise(api, submitted).json()["reference"]
    answered = api("lead_a").post(f"/queries/{key}/answer", {"text": "Attached.", "evidence": str(evidence.uuid)})
    assert answered.status_code == 200, answered.content
    assert answered.json()["messages"][-1]["evidence"] == str(evidence.uuid)


def test_answer_with_evidence_the_participant_cannot_see_is_refused_as_invalid(cast, api, submitted):
    other = journey.to_initial_submitted(cast, cast.case_b)
    from qualify.qad.models import QadResponse

    foreign = upload_pdf(QadResponse.objects.get(case=other), cast.actor("lead_b"), [])
    key = _raise(api, submitted).json()["reference"]
    answered = api("lead_a").post(f"/queries/{key}/answer", {"text": "Attached.", "evidence": str(foreign.uuid)})
    assert answered.status_code == 422
    assert answered.json()["error"]["details"] == {"evidence": "not_this_case"}


def test_participant_never_receives_the_internal_note(cast, api, submitted):
    key = _raise(api, submitted, internal_note=SECRET_NOTE).json()["reference"]
    services.finding_record(
        actor=cast.actor("bsc"),
        case=journey.fresh(submitted),
        body="BSC",
        title="Retry handling untested",
        description="Message retries were not exercised in PIT.",
        owner="Northwind test lead",
        due_date=timezone.localdate() + dt.timedelta(days=30),
        internal_note=SECRET_NOTE,
    )
    finding = submitted.findings.get().reference
    reads = [
        f"/queries/{key}",
        "/queries",
        f"/cases/{submitted.reference}",
        f"/cases/{submitted.reference}/findings",
        f"/findings/{finding}",
    ]
    for who in ("lead_a", "contributor_a", "viewer_a"):
        for path in reads:
            response = api(who).get(path)
            assert response.status_code == 200, (who, path)
            text = response.content.decode()
            assert SECRET_NOTE not in text, (who, path)
            assert "internal_note" not in text, (who, path)
    summary = api("lead_a").get(f"/cases/{submitted.reference}").json()
    assert not {"outcomes", "assignments", "clocks", "agenda"} & set(summary)
    assert all("recommendation" not in body for body in summary["bodies"])
    staff = api("bsc").get(f"/queries/{key}").json()
    assert staff["internal_note"] == SECRET_NOTE
    assert api("auditor").get(f"/cases/{submitted.reference}").json()["queries"][0]["internal_note"] == SECRET_NOTE


def test_outsider_gets_not_found_for_another_organisations_query_case_and_finding(cast, api, submitted):
    key = _raise(api, submitted).json()["reference"]
    finding = services.finding_record(
        actor=cast.actor("bsc"),
        case=journey.fresh(submitted),
        body="BSC",
        title="Gap",
        description="A gap.",
        owner="Northwind",
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    outsider = api("lead_b")
    for response in (
        outsider.get(f"/queries/{key}"),
        outsider.post(f"/queries/{key}/answer", {"text": "Not ours."}),
        outsider.get(f"/cases/{submitted.reference}"),
        outsider.get(f"/cases/{submitted.uuid}/findings"),
        outsider.get(f"/findings/{finding.reference}"),
        outsider.post(f"/findings/{finding.uuid}/transitions", {"name": "propose_plan", "work_off_plan": "x"}),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert outsider.get("/queries").json()["count"] == 0


def test_machine_clients_are_refused_assessment(cast, api, submitted):
    key = _raise(api, submitted).json()["reference"]
    machine = api("machine")
    for response in (
        machine.get("/queue?body=BSC"),
        machine.get(f"/cases/{submitted.reference}"),
        machine.get("/queries"),
        machine.get(f"/queries/{key}"),
        machine.get("/meetings"),
        machine.post(f"/queries/{key}/close", {"text": "done"}),
    ):
        assert response.status_code == 403
        assert set(response.json()["error"]) == {"code", "message", "details"}


def test_board_cannot_decide_without_the_bodys_recommendation(cast, api):
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    case = journey.to_awaiting_approval(cast, case)
    # Sending for approval needs every recommendation and no service removes one, so the row is removed here: the
    # decision re-checks the recommendation itself rather than trusting how the case reached the board.
    from qualify.assessment.models import BodyRecommendation

    BodyRecommendation.objects.filter(case=case, body="BSC").delete()
    journey.table(cast, case, "BSC")
    meeting = journey.meeting(cast, "BSC").reference
    response = api("board").post(
        f"/meetings/{meeting}/agenda/{case.reference}/decision",
        {"outcome": "APPROVE", "minutes": "Approved.", "effective_from": "2026-12-01"},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "recommendation_missing"
    assert response.json()["error"]["details"] == {"body": "BSC"}


def test_board_decisions_through_the_api_qualify_the_case(cast, api):
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    case = journey.to_awaiting_approval(cast, case)
    # The BSC PAB decides at its meeting: tabled by the Programme, recorded by a PAB member against the meeting.
    meeting = api("admin").post("/meetings", {"body": "BSC", "meets_on": timezone.localdate().isoformat()})
    assert meeting.status_code == 201, meeting.content
    ref = meeting.json()["reference"]
    tabled = api("admin").post(f"/meetings/{ref}/agenda", {"case": case.reference})
    assert tabled.status_code == 201, tabled.content
    assert tabled.json()["agenda"][0]["recommendation"]["body"] == "BSC"
    decided = api("board").post(
        f"/meetings/{ref}/agenda/{case.reference}/decision",
        {"outcome": "APPROVE", "minutes": "Approved.", "effective_from": "2026-12-01"},
    )
    assert decided.status_code == 201, decided.content
    assert decided.json()["meeting"] == ref and decided.json()["decided_on"] == timezone.localdate().isoformat()
    # The DIP Manager and the REC Code Manager give dated decisions of their own, without a meeting.
    for who, body in (("dip_decider", "DIP"), ("rec_decider", "REC")):
        decided = api(who).post(
            f"/cases/{case.reference}/decisions",
            {"body": body, "outcome": "APPROVE", "minutes": "Approved.", "effective_from": "2026-12-01"},
        )
        assert decided.status_code == 201, decided.content
        assert decided.json()["meeting"] is None and decided.json()["decided_on"] == timezone.localdate().isoformat()
    assert journey.fresh(case).state == "QUALIFIED"
    seen = api("lead_a").get(f"/cases/{case.reference}").json()
    assert {d["outcome"] for d in seen["decisions"]} == {"APPROVE"}
    assert all(b["decision"]["effective_from"] == "2026-12-01" for b in seen["bodies"])


def test_invalid_input_is_refused_with_field_details(cast, api, submitted):
    missing = api("bsc").post(f"/cases/{submitted.reference}/queries", {"text": "No question named."})
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "validation_failed"
    assert any(e["loc"][-1] == "question_id" for e in missing.json()["error"]["details"])

    unknown = api("bsc").post(f"/cases/{submitted.reference}/queries", {"question_id": "Q-9.9.9", "text": "?"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"] == {"question_id": "not_in_submission"}

    bad_date = api("admin").post("/meetings", {"body": "BSC", "meets_on": "next tuesday"})
    assert bad_date.status_code == 422
    assert any(e["loc"][-1] == "meets_on" for e in bad_date.json()["error"]["details"])

    no_body = api("admin").get("/queue")
    assert no_body.status_code == 422
    assert no_body.json()["error"]["details"] == {"body": "required"}


def test_assessor_records_outcomes_and_assigns_a_reviewer_by_email(cast, api, submitted):
    submission = journey.latest_submission(submitted)
    question = journey.owned_question(submitted, "BSC")
    recorded = api("bsc").post(
        f"/cases/{submitted.reference}/outcomes",
        {"submission": submission.reference, "question_id": question, "outcome": "SATISFACTORY"},
    )
    assert recorded.status_code == 201, recorded.content
    assigned = api("bsc").post(
        f"/cases/{submitted.reference}/assignments", {"body": "BSC", "reviewer": "BSC@elexon.test"}
    )
    assert assigned.status_code == 201, assigned.content
    assert assigned.json()["reviewer_email"] == "bsc@elexon.test"
    wrong = api("bsc").post(
        f"/cases/{submitted.reference}/assignments", {"body": "BSC", "reviewer": "rec@recmanager.test"}
    )
    assert wrong.status_code == 422
    summary = api("bsc").get(f"/cases/{submitted.reference}").json()
    assert summary["outcomes"][0]["question_id"] == question
    assert summary["assignments"][0]["reviewer_email"] == "bsc@elexon.test"
    queue = api("bsc").get("/queue").json()
    assert queue["count"] == 1
    assert [(r["case"]["reference"], r["reviewed"], r["reviewer"]) for r in queue["items"]] == [
        (submitted.reference, 1, "Bo Assessor")
    ]
    assert (
        api("lead_a")
        .post(
            f"/cases/{submitted.reference}/outcomes",
            {"submission": submission.reference, "question_id": question, "outcome": "SATISFACTORY"},
        )
        .status_code
        == 403
    )


def test_finding_work_off_plan_is_proposed_and_agreed_through_the_api(cast, api, submitted):
    created = api("bsc").post(
        f"/cases/{submitted.reference}/findings",
        {
            "body": "BSC",
            "title": "Retry handling untested",
            "description": "Retries not exercised.",
            "owner": "Northwind test lead",
            "due_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    key = created.json()["uuid"]
    proposed = api("contributor_a").post(
        f"/findings/{key}/transitions", {"name": "propose_plan", "work_off_plan": "Run the retry tests in QT."}
    )
    assert proposed.status_code == 200, proposed.content
    assert api("contributor_a").post(f"/findings/{key}/transitions", {"name": "agree_plan"}).status_code == 403
    agreed = api("bsc").post(f"/findings/{key}/transitions", {"name": "agree_plan"})
    assert agreed.json()["state"] == "PLAN_AGREED"
    assert [u["name"] for u in agreed.json()["updates"]] == ["propose_plan", "agree_plan"]
    again = api("bsc").post(f"/findings/{key}/transitions", {"name": "agree_plan"})
    assert again.status_code == 409


def test_agenda_item_is_removed_until_decided(cast, api):
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    case = journey.to_awaiting_approval(cast, case)
    meeting = journey.meeting(cast, "BSC").reference
    assert api("admin").post(f"/meetings/{meeting}/agenda", {"case": case.reference}).status_code == 201
    assert api("bsc").delete(f"/meetings/{meeting}/agenda/{case.reference}").status_code == 403
    assert api("admin").delete(f"/meetings/{meeting}/agenda/{case.reference}").status_code == 204
    assert api("admin").get(f"/meetings/{meeting}").json()["agenda"] == []
    assert api("admin").delete(f"/meetings/{meeting}/agenda/{case.reference}").status_code == 404


def test_service_activation_checklist_through_the_api_activates_the_service(cast, api):
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.approve_all(
        cast, journey.to_awaiting_approval(cast, journey.to_final_submitted(cast, journey.to_testing(cast, case)))
    )
    steps = [
        ("dip", {"item": "DIP_PRODUCTION", "evidence_reference": "DIP-CHG-1"}),
        ("admin", {"item": "EFFECTIVE_DATE_AGREED", "evidence_reference": "e-mail", "effective_date": "2026-12-15"}),
        ("admin", {"item": "REFERENCE_DATA_PUBLISHED", "evidence_reference": "MDD 412"}),
    ]
    assert api("lead_a").post(f"/cases/{case.reference}/activation", steps[0][1]).status_code == 403
    for who, payload in steps:
        response = api(who).post(f"/cases/{case.reference}/activation", payload)
        assert response.status_code == 201, response.content
    assert all(row["done"] for row in response.json())
    assert journey.fresh(case).state == "ACTIVE"


def test_decision_pack_downloads_as_word_and_pdf(cast, api):
    pytest.importorskip("qualify.assessment.exports")
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_awaiting_approval(cast, journey.to_final_submitted(cast, journey.to_testing(cast, case)))
    journey.table(cast, case, "BSC")
    meeting = journey.meeting(cast, "BSC").reference
    docx = api("board").get(f"/meetings/{meeting}/pack.docx")
    assert docx.status_code == 200
    assert docx.content[:2] == b"PK"
    pdf = api("board").get(f"/meetings/{meeting}/pack.pdf")
    assert pdf.status_code == 200
    assert pdf.content[:4] == b"%PDF"
    assert api("lead_a").get(f"/meetings/{meeting}/pack.pdf").status_code == 403


def _count(client: Api, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
        assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_list_endpoints_do_not_query_per_row(cast, api, submitted):
    bsc = api("bsc")
    _raise(api, submitted)
    services.meeting_schedule(actor=cast.actor("admin"), body="BSC", meets_on=dt.date(2026, 12, 3))
    services.finding_record(
        actor=cast.actor("bsc"),
        case=journey.fresh(submitted),
        body="BSC",
        title="Gap 0",
        description="A gap.",
        owner="Northwind",
        due_date=dt.date(2027, 1, 1),
    )
    paths = ["/queries", "/meetings", f"/cases/{submitted.reference}/findings"]
    bsc.get("/queries")  # the token's first use is recorded once; count steady-state requests only
    before = {p: _count(bsc, p) for p in paths}
    question = journey.owned_question(submitted, "BSC")
    for i in range(1, 6):
        bsc.post(f"/cases/{submitted.reference}/queries", {"question_id": question, "text": f"More {i}"})
        services.meeting_schedule(actor=cast.actor("admin"), body="REC", meets_on=dt.date(2026, 12, 3 + i))
        services.finding_record(
            actor=cast.actor("bsc"),
            case=journey.fresh(submitted),
            body="BSC",
            title=f"Gap {i}",
            description="A gap.",
            owner="Northwind",
            due_date=dt.date(2027, 1, 1),
        )
    assert Query.objects.count() == 6
    after = {p: _count(bsc, p) for p in paths}
    assert after == before
    assert json.loads(bsc.get("/queries").content)["count"] == 6
