"""The whole assessment lifecycle, end to end through the real services, for each role's set of approvals
(DOMAIN.md §2, §4, §6): Initial QAD, a query round, testing, Final QAD, a query round on the Final, a finding with
an agreed work-off plan, agreement, every needed body's recommendation, signature, each needed body's decision,
qualification from the latest effective-from date, and the service activation checklist.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qualify.assessment import choices as ch
from qualify.assessment import services
from qualify.assessment.models import BoardDecision, Query
from qualify.assessment.tests import journey
from qualify.cases.models import CaseTransition, QualificationCase
from qualify.cases.services import case_open, case_transition
from qualify.core.actor import system_actor
from qualify.core.errors import ValidationFailed
from qualify.demo.qad import declare, submit_qad
from qualify.participants.choices import MarketRole, Route
from qualify.participants.services import participation_create
from qualify.qad.choices import Body, SubmissionKind
from qualify.register.choices import RegisterEventKind, RegisterState
from qualify.register.models import RegisterEvent
from qualify.register.selectors import participation_status

# Days after 1 December 2026 each body's decision takes effect from: the latest is deliberately not the last
# decision recorded, so the test shows qualification takes the latest date, not the last one.
EFFECTIVE_OFFSETS = (6, 13, 2)
BASE = dt.date(2026, 12, 1)


def _supplier(cast):  # type: ignore[no-untyped-def]
    return cast.case_a


def _ldso(cast):  # type: ignore[no-untyped-def]
    found = QualificationCase.objects.filter(participation=cast.ldso_b).first()
    return found or case_open(actor=system_actor("test set-up"), participation=cast.ldso_b, wave=cast.wave)


def _mem(cast):  # type: ignore[no-untyped-def]
    return cast.case_a_mem


def _data_service(cast):  # type: ignore[no-untyped-def]
    system = system_actor("test set-up")
    participation = participation_create(
        actor=system, organisation=cast.org_a, mpid="NWDS", role=MarketRole.SDS, route=Route.QT
    )
    return case_open(actor=system, participation=participation, wave=cast.wave)


APPROVAL_SETS = [
    pytest.param(_supplier, (Body.DIP, Body.BSC, Body.REC), id="supplier"),
    pytest.param(_ldso, (Body.DIP, Body.BSC, Body.REC), id="ldso"),
    pytest.param(_mem, (Body.DIP, Body.REC), id="mem"),
    pytest.param(_data_service, (Body.DIP, Body.BSC), id="data-service"),
]


def _query_round(cast, case, body, kind):  # type: ignore[no-untyped-def]
    """A query by an owning body, answered by the lead, closed by the body, and the QAD resubmitted."""
    lead = cast.actor(journey.lead_key(case))
    query = journey.raise_query(cast, case, body, text=f"{body}: please evidence this.")
    clarifying = "INITIAL_CLARIFICATION" if kind == SubmissionKind.INITIAL else "FINAL_CLARIFICATION"
    assert journey.fresh(case).state == clarifying
    services.query_answer(actor=lead, query=query, text="Evidence added to section 2.")
    services.query_close(actor=cast.actor(journey.ASSESSOR_OF[body]), query=Query.objects.get(pk=query.pk), text="OK")
    assert Query.objects.get(pk=query.pk).state == ch.QueryState.CLOSED
    case = submit_qad(journey.fresh(case), lead, kind=kind, as_of=timezone.localdate())
    assert case.state == ("INITIAL_QAD_SUBMITTED" if kind == SubmissionKind.INITIAL else "FINAL_QAD_SUBMITTED")
    return case


@pytest.mark.django_db
@pytest.mark.parametrize(("open_case", "needed"), APPROVAL_SETS)
def test_each_role_is_qualified_by_exactly_its_bodies_and_then_activated(cast, open_case, needed):
    case = open_case(cast)
    assert ch.approvals_needed(case.participation.role) == needed
    lead = cast.actor(journey.lead_key(case))
    first, last = needed[0], needed[-1]

    # Initial QAD and a clarification round with the second body, then testing and the Final QAD.
    case = journey.to_initial_submitted(cast, case)
    case = _query_round(cast, case, needed[1], SubmissionKind.INITIAL)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    assert case.state == "FINAL_QAD_SUBMITTED"
    case = _query_round(cast, case, last, SubmissionKind.FINAL)

    # A finding the first body makes a condition of its approval; the participant proposes a plan, the body agrees.
    finding = services.finding_record(
        actor=cast.actor(journey.ASSESSOR_OF[first]),
        case=case,
        body=first,
        title="Retry handling untested",
        description="Message retries were not exercised.",
        owner="Test lead",
        due_date=BASE + dt.timedelta(days=60),
        condition_of_approval=True,
    )
    finding = services.finding_transition(
        actor=lead, finding=finding, name="propose_plan", work_off_plan="Retry tests in the next regression cycle."
    )
    finding = services.finding_transition(
        actor=cast.actor(journey.ASSESSOR_OF[first]), finding=finding, name="agree_plan"
    )
    assert finding.state == ch.FindingState.PLAN_AGREED

    case = case_transition(actor=cast.actor(journey.ASSESSOR_OF[first]), case=case, name="agree", comment="agreed")
    assert case.state == "AGREED"

    # Every needed body recommends; the first one with conditions, which name its finding.
    for body in needed:
        row = services.recommendation_record(
            actor=cast.actor(journey.ASSESSOR_OF[body]),
            case=journey.fresh(case),
            body=body,
            recommendation=ch.Recommendation.APPROVE_WITH_CONDITIONS if body == first else ch.Recommendation.APPROVE,
            rationale=f"{body} sections satisfactory.",
        )
        if body == first:
            assert finding.reference in row.conditions

    # A body that does not approve this role can neither recommend nor have the case tabled.
    for outsider in sorted(set(Body.values) - set(needed)):
        with pytest.raises(ValidationFailed):
            services.recommendation_record(
                actor=cast.actor(journey.ASSESSOR_OF[outsider]),
                case=journey.fresh(case),
                body=outsider,
                recommendation=ch.Recommendation.APPROVE,
                rationale="Not ours to give.",
            )
        with pytest.raises(ValidationFailed):
            services.agenda_add(
                actor=cast.actor("admin"), meeting=journey.meeting(cast, outsider), case=journey.fresh(case)
            )

    case = declare(case, lead, director="Dana Director")
    case = case_transition(actor=cast.actor("admin"), case=case, name="send_for_approval", comment="to the boards")
    assert case.state == "AWAITING_APPROVAL"

    # Each needed body decides in turn; the case waits for the last one.
    dates = {body: BASE + dt.timedelta(days=EFFECTIVE_OFFSETS[i]) for i, body in enumerate(needed)}
    for i, body in enumerate(needed):
        conditional = body == first
        journey.decide(
            cast,
            journey.fresh(case),
            body,
            outcome=ch.DecisionOutcome.APPROVE_WITH_CONDITIONS if conditional else ch.DecisionOutcome.APPROVE,
            effective_from=dates[body],
            conditions=f"Work off {finding.reference}." if conditional else "",
        )
        expected = "QUALIFIED" if i == len(needed) - 1 else "AWAITING_APPROVAL"
        assert journey.fresh(case).state == expected, f"after the {body} decision"

    qualified_from = max(dates.values())
    assert BoardDecision.objects.filter(case=case).count() == len(needed)
    approve = CaseTransition.objects.get(case=case, name="approve")
    assert approve.effective_date == qualified_from
    participation = case.participation
    day_before = qualified_from - dt.timedelta(days=1)
    assert participation_status(participation=participation, on=day_before).state == RegisterState.NOT_QUALIFIED
    assert participation_status(participation=participation, on=qualified_from).state == RegisterState.QUALIFIED

    # The activation checklist; its last item activates the service from the agreed date.
    agreed = qualified_from + dt.timedelta(days=10)
    case = journey.activate(cast, journey.fresh(case), on=agreed)
    assert case.state == "ACTIVE"
    events = list(
        RegisterEvent.objects.filter(participation=participation).order_by("seq").values_list("kind", "effective_date")
    )
    assert events == [(RegisterEventKind.QUALIFIED, qualified_from), (RegisterEventKind.SERVICE_ACTIVATED, agreed)]
    assert participation_status(participation=participation, on=agreed - dt.timedelta(days=1)).state == "QUALIFIED"
    assert participation_status(participation=participation, on=agreed).state == RegisterState.OPERATIONAL
