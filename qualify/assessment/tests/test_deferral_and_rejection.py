"""A board's deferral keeps the work done; a board's rejection gives its reasons as findings (DOMAIN.md §4, §6).

Through the API and the pages, as the board, the Programme and the participant would take these steps; the case is
brought to the boards by the real services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from qualify.assessment import choices as ch
from qualify.assessment.models import BodyRecommendation, Finding, QuestionOutcome
from qualify.assessment.tests import journey
from qualify.cases.models import CaseTransition
from qualify.cases.services import case_assign_wave
from qualify.core.actor import system_actor
from qualify.plan.services import wave_upsert
from qualify.qad.models import QadSubmission

pytestmark = pytest.mark.django_db

API = "/api/v1"


class Api:
    def __init__(self, client_for: Any, token_for: Any, who: str) -> None:
        self.client = client_for(None)
        self.headers = token_for(who)

    def get(self, path: str) -> Any:
        return self.client.get(f"{API}{path}", **self.headers)

    def post(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(f"{API}{path}", data, content_type="application/json", **self.headers)


@pytest.fixture
def api(client_for, token_for):  # type: ignore[no-untyped-def]
    return lambda who: Api(client_for, token_for, who)


def _awaiting(cast: Any) -> Any:
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    return journey.to_awaiting_approval(cast, case)


def _decide(api: Any, cast: Any, case: Any, body: str, on: dt.date | None = None, **payload: Any) -> Any:
    journey.table(cast, case, body, on=on)
    meeting = journey.meeting(cast, body, on).reference
    return api("board").post(f"/assessment/meetings/{meeting}/agenda/{case.reference}/decision", payload)


def _progress(case: Any) -> dict[str, Any]:
    """What the case's assessment has produced so far: none of it may be lost by a deferral."""
    return {
        "submissions": list(QadSubmission.objects.filter(case=case).values_list("reference", flat=True)),
        "recommendations": list(
            BodyRecommendation.objects.filter(case=case).values_list("body", "recommendation", "submission_id")
        ),
        "outcomes": QuestionOutcome.objects.filter(submission__case=case).count(),
        "findings": list(Finding.objects.filter(case=case).values_list("reference", "state")),
    }


def _wave_2() -> Any:
    return wave_upsert(actor=system_actor("deferral tests"), code="W2", name="Wave 2", sequence=2)


def test_board_deferral_resumes_awaiting_that_boards_decision_with_the_work_kept(cast, api):
    case = _awaiting(cast)
    approved = _decide(api, cast, case, "DIP", outcome="APPROVE", minutes="Approved.", effective_from="2026-12-01")
    assert approved.status_code == 201, approved.content
    before = _progress(case)

    deferred = _decide(api, cast, case, "REC", outcome="DEFER", minutes="Not ready this wave.")
    assert deferred.status_code == 201, deferred.content
    seen = api("lead_a").get(f"/cases/{case.reference}").json()
    assert seen["state"] == "DEFERRED"
    assert seen["resumes_to"]["state"] == "AWAITING_APPROVAL"
    assert seen["resumes_to"]["deferred_from_wave"] == "W1"
    assert "after Wave 1" in seen["resumes_to"]["waiting_for"]

    # The Programme cannot resume it in the wave it was deferred from.
    refused = api("admin").post(f"/cases/{case.reference}/transitions", {"name": "resume", "comment": "go"})
    assert refused.status_code == 409
    assert "after Wave 1" in refused.json()["error"]["message"]

    case_assign_wave(actor=cast.actor("admin"), case=journey.fresh(case), wave=_wave_2(), reason="REC deferral")
    assert api("admin").get(f"/cases/{case.reference}").json()["resumes_to"]["waiting_for"] is None
    resumed = api("admin").post(f"/cases/{case.reference}/transitions", {"name": "resume", "comment": "Wave 2 opens"})
    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["state"] == "AWAITING_APPROVAL"
    assert resumed.json()["resumes_to"] is None
    assert _progress(case) == before

    # The DIP Manager's approval stands; the REC Code Manager's decision is awaited again.
    assessment = api("lead_a").get(f"/assessment/cases/{case.reference}").json()
    bodies = {b["body"]: b["decision"] for b in assessment["bodies"]}
    assert bodies["DIP"]["outcome"] == "APPROVE"
    assert bodies["REC"] is None and bodies["BSC"] is None

    later = timezone.localdate() - dt.timedelta(days=1)  # another meeting than the one that deferred
    rec = _decide(api, cast, case, "REC", on=later, outcome="APPROVE", minutes="Ok now.", effective_from="2026-12-08")
    assert rec.status_code == 201, rec.content
    bsc = _decide(api, cast, case, "BSC", outcome="APPROVE", minutes="Approved.", effective_from="2026-12-01")
    assert bsc.status_code == 201, bsc.content
    qualified = api("lead_a").get(f"/cases/{case.reference}").json()
    assert qualified["state"] == "QUALIFIED"
    assert qualified["history"][-1]["effective_date"] == "2026-12-08"


def test_programme_deferral_in_clarification_resumes_there_from_the_case_page(cast, client_for):
    case = _awaiting(cast)
    refer = journey.decide(cast, case, "BSC", outcome=ch.DecisionOutcome.REJECT, minutes="More evidence.")
    assert refer.outcome == "REJECT" and journey.fresh(case).state == "FINAL_CLARIFICATION"
    before = _progress(case)
    admin = client_for("admin")
    page = reverse("cases:detail", args=[case.reference])
    step = reverse("cases:transition", args=[case.reference])

    # Deferring is confirmed on the page: without the tick nothing happens.
    admin.post(step, {"name": "defer", "comment": "Participant asked for the next wave."})
    assert journey.fresh(case).state == "FINAL_CLARIFICATION"
    assert 'name="confirm"' in admin.get(page).content.decode()
    admin.post(step, {"name": "defer", "comment": "Participant asked for the next wave.", "confirm": "on"})
    assert journey.fresh(case).state == "DEFERRED"

    shown = admin.get(page).content.decode()
    assert 'data-testid="resumes-to"' in shown and "Clarification (Final QAD)" in shown
    assert "Move the case to a wave after Wave 1" in shown

    case_assign_wave(actor=cast.actor("admin"), case=journey.fresh(case), wave=_wave_2(), reason="deferred")
    admin.post(step, {"name": "resume", "comment": "Wave 2", "confirm": "on"})
    assert journey.fresh(case).state == "FINAL_CLARIFICATION"
    assert _progress(case) == before
    resume = CaseTransition.objects.get(case=case, name="resume")
    assert (resume.to_state, resume.wave.code) == ("FINAL_CLARIFICATION", "W2")


def test_rejection_records_its_reasons_as_findings_and_returns_to_clarification(cast, api):
    case = _awaiting(cast)
    incomplete = _decide(api, cast, case, "REC", outcome="REJECT", minutes="Rejected.")
    assert incomplete.status_code == 422
    assert incomplete.json()["error"]["details"] == {"reasons": "required"}
    assert journey.fresh(case).state == "AWAITING_APPROVAL"

    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    rejected = _decide(
        api,
        cast,
        case,
        "REC",
        outcome="REJECT",
        minutes="Rejected at the meeting.",
        reasons=[
            {"title": "Switching controls not evidenced", "description": "No evidence of the switching controls."},
            {"title": "Complaints process out of date", "due_date": due},
        ],
    )
    assert rejected.status_code == 201, rejected.content
    references = rejected.json()["findings"]
    assert len(references) == 2

    seen = api("lead_a").get(f"/assessment/cases/{case.reference}").json()
    assert seen["case"]["state"] == "FINAL_CLARIFICATION"
    findings = {f["reference"]: f for f in seen["findings"]}
    assert set(findings) == set(references)
    for f in findings.values():
        assert (f["body"], f["state"], f["decision"], f["condition_of_approval"]) == (
            "REC",
            "OPEN",
            rejected.json()["reference"],
            True,
        )
    assert {f["title"] for f in findings.values()} == {
        "Switching controls not evidenced",
        "Complaints process out of date",
    }
    assert due in {f["due_date"] for f in findings.values()}
    history = api("lead_a").get(f"/cases/{case.reference}").json()["history"]
    assert history[-1]["name"] == "refer_back" and all(r in history[-1]["comment"] for r in references)

    # The participant works each reason off with a plan, as any finding.
    planned = api("lead_a").post(
        f"/assessment/findings/{references[0]}/transitions",
        {"name": "propose_plan", "work_off_plan": "Evidence the controls by the next meeting.", "owner": "Ops lead"},
    )
    assert planned.status_code == 200, planned.content
    assert planned.json()["state"] == "PLAN_PROPOSED"
    # The other organisation does not see them.
    assert api("lead_b").get(f"/assessment/findings/{references[0]}").status_code == 404


def test_reasons_are_refused_with_any_outcome_but_a_rejection(cast, api):
    case = _awaiting(cast)
    response = _decide(
        api, cast, case, "DIP", outcome="DEFER", minutes="Later.", reasons=[{"title": "Not a rejection"}]
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"reasons": "only_on_rejection"}
    assert not Finding.objects.filter(case=case).exists()


def test_rejection_from_the_meeting_page_shows_its_reasons_on_the_assessment_page(cast, client_for):
    case = _awaiting(cast)
    journey.table(cast, case, "BSC")
    meeting = journey.meeting(cast, "BSC").reference
    board = client_for("board")
    shown = board.get(reverse("assessment:meeting", args=[meeting])).content.decode()
    assert 'name="reasons"' in shown and 'name="confirm"' in shown
    board.post(
        reverse("assessment:decide", args=[meeting]),
        {
            "case": case.reference,
            "outcome": "REJECT",
            "minutes": "Rejected.",
            "reasons": "Settlement evidence too thin\n\n  Data retention policy missing  ",
            "confirm": "on",
        },
    )
    assert journey.fresh(case).state == "FINAL_CLARIFICATION"
    titles = set(Finding.objects.filter(case=case, body="BSC").values_list("title", flat=True))
    assert titles == {"Settlement evidence too thin", "Data retention policy missing"}
    page = client_for("lead_a").get(reverse("assessment:case", args=[case.reference])).content.decode()
    assert page.count('data-testid="rejection-reason"') == 2
    assert "Data retention policy missing" in page


def test_a_case_is_not_referred_back_by_hand_without_a_recorded_rejection(cast, api):
    case = _awaiting(cast)
    by_hand = api("board").post(f"/cases/{case.reference}/transitions", {"name": "refer_back", "comment": "Go back."})
    assert by_hand.status_code == 409
    assert "rejection" in by_hand.json()["error"]["message"]
    assert journey.fresh(case).state == "AWAITING_APPROVAL"
