"""The assessment rules the services enforce, and the steps they refuse (DOMAIN.md §4, §6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qualify.assessment import choices as ch
from qualify.assessment import selectors, services
from qualify.assessment.models import ActivationStep, BoardDecision, BodyRecommendation, Finding, Query, QueryMessage
from qualify.assessment.tests import journey
from qualify.audit.models import AuditEvent
from qualify.cases.models import CaseTransition
from qualify.cases.services import case_transition
from qualify.core.errors import NotAllowed, NotFound, TransitionNotAllowed, ValidationFailed
from qualify.demo.qad import declare, submit_qad
from qualify.qad.choices import Body, SubmissionKind
from qualify.register.models import RegisterEvent

EFFECTIVE = dt.date(2026, 12, 1)


def _awaiting(cast, case=None):  # type: ignore[no-untyped-def]
    """Case A from Initial QAD straight through to awaiting approval (no queries)."""
    case = journey.to_initial_submitted(cast, case or cast.case_a)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    return journey.to_awaiting_approval(cast, case)


def _finding(cast, case, body="BSC", condition=False):  # type: ignore[no-untyped-def]
    return services.finding_record(
        actor=cast.actor(journey.ASSESSOR_OF[body]),
        case=case,
        body=body,
        title="Retry handling untested",
        description="Message retries were not exercised.",
        owner="Northwind test lead",
        due_date=timezone.localdate() + dt.timedelta(days=30),
        condition_of_approval=condition,
    )


# --- board decisions -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_case_cannot_go_to_the_boards_without_every_recommendation_on_the_latest_final(cast):
    case = _awaiting(cast)
    # Referred back and resubmitted: the round-one recommendations were on the older Final QAD and no longer count.
    journey.decide(cast, case, "DIP", outcome=ch.DecisionOutcome.REJECT)
    journey.work_off_findings(cast, case)
    case = submit_qad(journey.fresh(case), cast.actor("lead_a"), kind=SubmissionKind.FINAL, as_of=timezone.localdate())
    case = case_transition(actor=cast.actor("bsc"), case=case, name="agree", comment="agreed")
    for body in ("DIP", "BSC"):
        services.recommendation_record(
            actor=cast.actor(journey.ASSESSOR_OF[body]), case=case, body=body, recommendation="APPROVE", rationale="ok"
        )
    # Sending for approval itself waits for every recommendation.
    case = declare(case, cast.actor("lead_a"), director="Dana Director")
    with pytest.raises(TransitionNotAllowed, match="REC Code Manager"):
        case_transition(actor=cast.actor("admin"), case=case, name="send_for_approval", comment="to boards")
    assert journey.fresh(case).state == "SIGNED"


@pytest.mark.django_db
def test_board_cannot_approve_a_case_missing_the_bodys_recommendation(cast):
    case = _awaiting(cast)
    # Sending for approval needs every recommendation, and no service removes one, so the row is removed here: the
    # decision re-checks the recommendation itself rather than trusting how the case got to the board.
    BodyRecommendation.objects.filter(case=case, body="REC").delete()
    with pytest.raises(TransitionNotAllowed) as refused:
        journey.decide(cast, case, "REC")
    assert refused.value.code == "recommendation_missing"
    assert journey.fresh(case).state == "AWAITING_APPROVAL"
    assert not BoardDecision.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_approval_with_conditions_needs_the_conditions(cast):
    case = _awaiting(cast)
    with pytest.raises(ValidationFailed) as refused:
        journey.decide(cast, case, "BSC", outcome=ch.DecisionOutcome.APPROVE_WITH_CONDITIONS)
    assert refused.value.details == {"conditions": "required"}
    assert not BoardDecision.objects.exists()


@pytest.mark.django_db
def test_approval_needs_an_effective_from_date(cast):
    case = _awaiting(cast)
    with pytest.raises(ValidationFailed) as refused:
        services.decision_record(
            actor=cast.actor("board"), item=journey.table(cast, case, "BSC"), outcome="APPROVE", minutes="Approved."
        )
    assert refused.value.details == {"effective_from": "required"}
    assert not BoardDecision.objects.exists()


@pytest.mark.django_db
def test_rejection_refers_back_and_the_next_round_needs_every_body_again(cast):
    case = _awaiting(cast)
    journey.decide(cast, case, "DIP")  # approves in round one
    journey.decide(cast, case, "BSC", outcome=ch.DecisionOutcome.REJECT, minutes="Settlement evidence too thin.")
    case = journey.fresh(case)
    assert case.state == "FINAL_CLARIFICATION"
    assert CaseTransition.objects.filter(case=case, name="refer_back").count() == 1

    # Second round: the rejection's reasons worked off, a new Final QAD, agreed, recommended, signed and sent again.
    journey.work_off_findings(cast, case)
    case = submit_qad(case, cast.actor("lead_a"), kind=SubmissionKind.FINAL, as_of=timezone.localdate())
    case = journey.to_awaiting_approval(cast, case)
    later = timezone.localdate() - dt.timedelta(days=1)  # another (held) meeting than round one's

    def decide_later(body):  # type: ignore[no-untyped-def]
        # Round one's agenda items are decided; round two goes to other meetings.
        return services.decision_record(
            actor=cast.actor("board"),
            item=journey.table(cast, case, body, on=later),
            outcome="APPROVE",
            minutes="Approved.",
            effective_from=EFFECTIVE,
        )

    decide_later("BSC")
    decide_later("REC")
    # The DIP Manager's approval in round one does not count in round two.
    assert journey.fresh(case).state == "AWAITING_APPROVAL"
    decide_later("DIP")
    assert journey.fresh(case).state == "QUALIFIED"
    assert BoardDecision.objects.filter(case=case, body="DIP").count() == 2


@pytest.mark.django_db
def test_deferral_defers_the_case_to_a_later_wave(cast):
    case = _awaiting(cast)
    journey.decide(cast, case, "REC", outcome=ch.DecisionOutcome.DEFER, minutes="Not ready; next wave.")
    assert journey.fresh(case).state == "DEFERRED"
    assert not RegisterEvent.objects.filter(participation=cast.supplier_a).exists()


@pytest.mark.django_db
def test_approval_step_cannot_be_taken_by_hand_without_the_decisions(cast):
    case = _awaiting(cast)
    journey.decide(cast, case, "DIP")
    with pytest.raises(TransitionNotAllowed, match="BSC PAB, REC Code Manager"):
        case_transition(
            actor=cast.actor("board"),
            case=journey.fresh(case),
            name="approve",
            comment="by hand",
            effective_date=EFFECTIVE,
        )
    assert journey.fresh(case).state == "AWAITING_APPROVAL"
    assert not RegisterEvent.objects.filter(participation=cast.supplier_a).exists()


@pytest.mark.django_db
def test_same_authority_cannot_decide_twice_in_a_round(cast):
    case = _awaiting(cast)
    journey.decide(cast, case, "BSC")
    other = journey.table(cast, case, "BSC", on=timezone.localdate() - dt.timedelta(days=30))
    with pytest.raises(TransitionNotAllowed) as refused:
        services.decision_record(
            actor=cast.actor("board"),
            item=other,
            outcome="REJECT",
            minutes="Second thoughts.",
            effective_from=None,
            reasons=[services.RejectionReason(title="Second thoughts")],
        )
    assert refused.value.code == "already_decided"
    assert BoardDecision.objects.filter(case=case).count() == 1


# --- queries ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_participant_cannot_close_a_query(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, "BSC")
    with pytest.raises(NotAllowed):
        services.query_close(actor=cast.actor("lead_a"), query=query, text="We think this is done.")
    again = Query.objects.get(pk=query.pk)
    assert again.state == ch.QueryState.OPEN
    assert list(QueryMessage.objects.filter(query=query).values_list("kind", flat=True)) == ["RAISED"]


@pytest.mark.django_db
def test_another_bodys_assessor_cannot_close_a_query(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, "REC")
    services.query_answer(actor=cast.actor("lead_a"), query=query, text="Answered.")
    with pytest.raises(NotAllowed):
        services.query_close(actor=cast.actor("bsc"), query=Query.objects.get(pk=query.pk), text="Closing.")
    assert Query.objects.get(pk=query.pk).state == ch.QueryState.ANSWERED


@pytest.mark.django_db
def test_query_cannot_be_raised_on_a_superseded_submission(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    first = journey.latest_submission(case)
    query = journey.raise_query(cast, case, "BSC")
    services.query_answer(actor=cast.actor("lead_a"), query=query, text="Answered.")
    services.query_close(actor=cast.actor("bsc"), query=Query.objects.get(pk=query.pk), text="Thanks.")
    case = submit_qad(
        journey.fresh(case), cast.actor("lead_a"), kind=SubmissionKind.INITIAL, as_of=timezone.localdate()
    )
    assert journey.latest_submission(case).pk != first.pk
    with pytest.raises(ValidationFailed) as refused:
        services.query_raise(
            actor=cast.actor("bsc"),
            submission=first,
            question_id=journey.owned_question(case, "BSC"),
            text="One more thing.",
        )
    assert refused.value.code == "superseded"
    assert Query.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_query_cannot_be_raised_while_the_case_is_not_under_review(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_testing(cast, case)
    with pytest.raises(TransitionNotAllowed):
        journey.raise_query(cast, case, "BSC")
    assert not Query.objects.exists()
    assert journey.fresh(case).state == "TESTING"


@pytest.mark.django_db
def test_clarification_cannot_be_answered_while_a_query_is_open(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, "DIP")
    with pytest.raises(TransitionNotAllowed, match=query.reference):
        submit_qad(journey.fresh(case), cast.actor("lead_a"), kind=SubmissionKind.INITIAL, as_of=timezone.localdate())
    assert journey.fresh(case).state == "INITIAL_CLARIFICATION"


@pytest.mark.django_db
def test_testing_cannot_start_while_a_query_is_answered_but_not_closed(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, "DIP")
    services.query_answer(actor=cast.actor("lead_a"), query=query, text="Answered.")
    case = submit_qad(
        journey.fresh(case), cast.actor("lead_a"), kind=SubmissionKind.INITIAL, as_of=timezone.localdate()
    )
    with pytest.raises(TransitionNotAllowed, match=query.reference):
        journey.to_testing(cast, case)


@pytest.mark.django_db
def test_outsider_cannot_fetch_another_organisations_query(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, "BSC")
    with pytest.raises(NotFound):
        selectors.query_get(actor=cast.actor("lead_b"), key=query.reference)
    with pytest.raises(NotFound):
        selectors.query_get(actor=cast.actor("lead_b"), key=str(query.uuid))
    assert selectors.query_get(actor=cast.actor("viewer_a"), key=query.reference).pk == query.pk


# --- findings and recommendations ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_final_qad_cannot_be_agreed_while_a_findings_plan_is_not_agreed(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_final_submitted(cast, journey.to_testing(cast, case))
    finding = _finding(cast, case)
    finding = services.finding_transition(
        actor=cast.actor("lead_a"), finding=finding, name="propose_plan", work_off_plan="Retest in January."
    )
    with pytest.raises(TransitionNotAllowed, match=finding.reference):
        case_transition(actor=cast.actor("bsc"), case=journey.fresh(case), name="agree", comment="agreed")
    assert journey.fresh(case).state == "FINAL_QAD_SUBMITTED"
    services.finding_transition(actor=cast.actor("bsc"), finding=finding, name="agree_plan")
    assert (
        case_transition(actor=cast.actor("bsc"), case=journey.fresh(case), name="agree", comment="ok").state == "AGREED"
    )


@pytest.mark.django_db
def test_participant_cannot_agree_its_own_work_off_plan(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    finding = _finding(cast, case)
    finding = services.finding_transition(
        actor=cast.actor("lead_a"), finding=finding, name="propose_plan", work_off_plan="Retest in January."
    )
    with pytest.raises(NotAllowed):
        services.finding_transition(actor=cast.actor("lead_a"), finding=finding, name="agree_plan")
    assert Finding.objects.get(pk=finding.pk).state == ch.FindingState.PLAN_PROPOSED


@pytest.mark.django_db
def test_open_condition_of_approval_allows_only_approval_with_conditions(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_final_submitted(cast, journey.to_testing(cast, case))
    finding = _finding(cast, case, condition=True)
    with pytest.raises(ValidationFailed) as refused:
        services.recommendation_record(
            actor=cast.actor("bsc"), case=case, body="BSC", recommendation="APPROVE", rationale="Looks fine."
        )
    assert refused.value.details == {"recommendation": "conditions_open"}
    row = services.recommendation_record(
        actor=cast.actor("bsc"),
        case=case,
        body="BSC",
        recommendation="APPROVE_WITH_CONDITIONS",
        rationale="Fine once the retries are tested.",
    )
    assert finding.reference in row.conditions


@pytest.mark.django_db
def test_participant_cannot_record_outcomes_recommendations_or_findings(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    submission = journey.latest_submission(case)
    lead = cast.actor("lead_a")
    with pytest.raises(NotAllowed):
        services.outcome_record(
            actor=lead, submission=submission, question_id=journey.owned_question(case, "BSC"), outcome="SATISFACTORY"
        )
    with pytest.raises(NotAllowed):
        services.recommendation_record(
            actor=lead, case=case, body="BSC", recommendation="APPROVE", rationale="We are great."
        )
    with pytest.raises(NotAllowed):
        services.finding_record(
            actor=lead,
            case=case,
            body="BSC",
            title="Self-assessed",
            description="Nothing.",
            owner="Us",
            due_date=timezone.localdate(),
        )
    with pytest.raises(NotAllowed):
        services.query_raise(
            actor=lead, submission=submission, question_id=journey.owned_question(case, "BSC"), text="Hmm?"
        )


@pytest.mark.django_db
def test_assessor_records_outcomes_only_for_questions_its_body_owns(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    submission = journey.latest_submission(case)
    with pytest.raises(NotAllowed):
        services.outcome_record(
            actor=cast.actor("rec"),
            submission=submission,
            question_id=journey.owned_question(case, "BSC"),
            outcome="SATISFACTORY",
        )


# --- service activation ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_service_cannot_be_effective_before_qualification(cast):
    case = journey.approve_all(cast, _awaiting(cast), effective_from=EFFECTIVE)
    assert case.state == "QUALIFIED"
    with pytest.raises(ValidationFailed) as refused:
        services.activation_record(
            actor=cast.actor("admin"),
            case=case,
            item=ch.ActivationItem.EFFECTIVE_DATE_AGREED,
            evidence_reference="email",
            effective_date=EFFECTIVE - dt.timedelta(days=1),
        )
    assert refused.value.details == {"effective_date": "before_qualification"}
    assert not ActivationStep.objects.filter(case=case).exists()
    assert journey.fresh(case).state == "QUALIFIED"


@pytest.mark.django_db
def test_activation_item_cannot_be_recorded_twice(cast):
    case = journey.approve_all(cast, _awaiting(cast), effective_from=EFFECTIVE)
    services.activation_record(
        actor=cast.actor("dip"), case=case, item=ch.ActivationItem.DIP_PRODUCTION, evidence_reference="DIP-CHG-1"
    )
    with pytest.raises(ValidationFailed) as refused:
        services.activation_record(
            actor=cast.actor("admin"),
            case=journey.fresh(case),
            item=ch.ActivationItem.DIP_PRODUCTION,
            evidence_reference="DIP-CHG-2",
        )
    assert refused.value.details == {"item": "done"}
    assert ActivationStep.objects.filter(case=case).count() == 1
    assert journey.fresh(case).state == "SERVICE_ACTIVATION"


@pytest.mark.django_db
def test_service_activation_waits_for_qualification(cast):
    case = _awaiting(cast)
    with pytest.raises(TransitionNotAllowed):
        services.activation_record(
            actor=cast.actor("dip"), case=case, item=ch.ActivationItem.DIP_PRODUCTION, evidence_reference="DIP-CHG-1"
        )


# --- audit -----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_assessment_service_writes_an_audit_event(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    submission = journey.latest_submission(case)
    services.review_assign(actor=cast.actor("bsc"), case=case, body="BSC", reviewer_id=cast.user("bsc").pk)
    services.outcome_record(
        actor=cast.actor("rec"),
        submission=submission,
        question_id=journey.owned_question(case, "REC"),
        outcome="SATISFACTORY",
    )
    query = journey.raise_query(cast, case, "BSC")
    query = services.query_answer(actor=cast.actor("lead_a"), query=query, text="Answered.")
    query = services.query_follow_up(actor=cast.actor("bsc"), query=query, text="And the retries?")
    query = services.query_answer(actor=cast.actor("lead_a"), query=query, text="Also answered.")
    services.query_close(actor=cast.actor("bsc"), query=query, text="Thanks.")
    finding = _finding(cast, journey.fresh(case))
    finding = services.finding_transition(
        actor=cast.actor("lead_a"), finding=finding, name="propose_plan", work_off_plan="Retest in January."
    )
    services.finding_transition(actor=cast.actor("bsc"), finding=finding, name="agree_plan")
    case = submit_qad(
        journey.fresh(case), cast.actor("lead_a"), kind=SubmissionKind.INITIAL, as_of=timezone.localdate()
    )
    case = journey.to_final_submitted(cast, journey.to_testing(cast, case))
    case = journey.to_awaiting_approval(cast, case)
    spare = journey.meeting(cast, "REC", on=timezone.localdate() + dt.timedelta(days=40))
    services.agenda_remove(
        actor=cast.actor("admin"), item=services.agenda_add(actor=cast.actor("admin"), meeting=spare, case=case)
    )
    journey.activate(cast, journey.approve_all(cast, case, effective_from=EFFECTIVE))

    actions = set(AuditEvent.objects.filter(organisation_id=cast.org_a.pk).values_list("action", flat=True))
    expected = {
        "assessment.review.assign",
        "assessment.outcome.record",
        "assessment.query.raise",
        "assessment.query.answer",
        "assessment.query.follow_up",
        "assessment.query.close",
        "assessment.finding.record",
        "assessment.finding.propose_plan",
        "assessment.finding.agree_plan",
        "assessment.recommendation.record",
        "assessment.agenda.add",
        "assessment.agenda.remove",
        "assessment.decision.record",
        "assessment.activation.record",
        "cases.qualificationcase.approve",
        "cases.qualificationcase.activate",
    }
    assert expected <= actions, sorted(expected - actions)
    assert AuditEvent.objects.filter(action="assessment.meeting.schedule").count() == 4
    assert AuditEvent.objects.filter(action="assessment.decision.record").count() == len(Body.values)


def test_a_board_cannot_record_a_decision_before_its_meeting(cast):
    case = journey.to_awaiting_approval(
        cast,
        journey.to_final_submitted(cast, journey.to_testing(cast, journey.to_initial_submitted(cast, cast.case_a))),
    )
    item = journey.table(cast, case, "DIP", on=timezone.localdate() + dt.timedelta(days=3))
    with pytest.raises(TransitionNotAllowed) as refused:
        services.decision_record(
            actor=cast.actor("board"), item=item, outcome="APPROVE", minutes="Early.", effective_from=EFFECTIVE
        )
    assert refused.value.code == "meeting_not_held"
    assert not BoardDecision.objects.filter(case=case).exists()


def test_queries_on_a_withdrawn_case_are_not_reminded(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, "BSC")
    case_transition(actor=cast.actor("lead_a"), case=journey.fresh(case), name="withdraw", comment="Leaving.")
    sent = services.reminders_send(today=query.response_due + dt.timedelta(days=1))
    assert sent == {"assessment.query_due_soon": 0, "assessment.query_overdue": 0}
