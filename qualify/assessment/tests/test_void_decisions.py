"""A decided approval is void if what it approved changes (DOMAIN.md §6): a new Final QAD after approvals voids
them and returns the case to the Code Bodies' review. The case is brought to the boards by the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from qualify.assessment import rules
from qualify.assessment.models import BoardDecision
from qualify.assessment.services import decision_record
from qualify.assessment.tests import journey
from qualify.audit.models import AuditEvent
from qualify.cases.choices import CaseState
from qualify.core.errors import NotAllowed
from qualify.demo.qad import submit_qad
from qualify.qad.choices import SubmissionKind
from qualify.qad.services import response_open, submission_create

pytestmark = pytest.mark.django_db


def _awaiting(cast: Any) -> Any:
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    return journey.to_awaiting_approval(cast, case)


def _new_final(cast: Any, case: Any) -> Any:
    return submit_qad(case, cast.actor("lead_a"), kind=SubmissionKind.FINAL, as_of=timezone.localdate())


def test_a_new_final_qad_voids_the_recorded_approval_and_returns_the_case_to_review(cast, client_for, token_for):
    # One walk through the real services (it is the expensive part), then every consequence of the new Final QAD.
    case = _awaiting(cast)
    approval = journey.decide(cast, case, "DIP")
    assert set(rules.round_approvals(case, rules.current_round(case))) == {"DIP"}
    response = response_open(actor=cast.actor("lead_a"), case=case)
    with pytest.raises(NotAllowed):  # the Final QAD is the lead's
        submission_create(actor=cast.actor("contributor_a"), response=response, kind=SubmissionKind.FINAL)

    case = _new_final(cast, case)

    assert case.state == CaseState.FINAL_QAD_SUBMITTED
    approval.refresh_from_db()
    assert approval.voided_at is not None
    assert approval.voided_by_submission == rules.latest_final(case)
    assert approval.voided_by_submission.reference in approval.void_reason
    # Kept on record, but it counts toward nothing.
    assert BoardDecision.objects.filter(pk=approval.pk).exists()
    assert rules.round_approvals(case, rules.current_round(case)) == {}
    assert AuditEvent.objects.filter(action="assessment.decision.void", object_id=str(approval.uuid)).exists()
    # Shown as void on the assessment page and in the API.
    page = client_for("lead_a").get(reverse("assessment:case", args=[case.reference]))
    assert b'data-testid="void-decision"' in page.content
    body = client_for(None).get(f"/api/v1/assessment/cases/{case.reference}", **token_for("dip")).json()
    decided = [d for d in body["decisions"] if d["reference"] == approval.reference]
    assert decided[0]["voided_at"] is not None
    assert decided[0]["void_reason"]

    # Back in front of the boards, the body whose approval is void decides again on the new Final QAD.
    case = journey.to_awaiting_approval(cast, case)
    again = decision_record(
        actor=cast.actor("dip_decider"),
        case=case,
        body="DIP",
        outcome="APPROVE",
        minutes="Approved on the new Final QAD.",
        effective_from=dt.date(2026, 12, 1),
    )
    assert rules.round_approvals(case, rules.current_round(case)) == {"DIP": again}
    approval.refresh_from_db()
    assert approval.voided_at is not None
