"""Test helpers that walk a case through assessment by the real services (no state set by hand).

Each step is taken by the person who would take it; the helpers return the refreshed case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from qualify.assessment import choices as ch
from qualify.assessment import services
from qualify.assessment.models import AgendaItem, BoardMeeting, Query
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.demo.qad import declare, publish_sample_qad, submit_qad
from qualify.qad.choices import SubmissionKind
from qualify.qad.models import QadSubmission, QadVersion
from qualify.testing.tests.helpers import satisfy_testing_gates

ASSESSOR_OF = {"BSC": "bsc", "REC": "rec", "DIP": "dip"}
# Each approving body's own decision-maker in the cast ("board" is the BSC Panel (PAB) member).
DECIDER_OF = {"BSC": "board", "REC": "rec_decider", "DIP": "dip_decider"}


def fresh(case: QualificationCase) -> QualificationCase:
    return QualificationCase.objects.get(pk=case.pk)


def ensure_qad(cast: Any) -> None:
    if not QadVersion.objects.filter(published_at__isnull=False).exists():
        publish_sample_qad(cast.actor("admin"))


def lead_key(case: QualificationCase) -> str:
    return "lead_a" if case.participation.organisation.name.startswith("Northwind") else "lead_b"


def latest_submission(case: QualificationCase) -> QadSubmission:
    return QadSubmission.objects.filter(case=case).order_by("-pk").first()  # type: ignore[return-value]


def to_initial_submitted(cast: Any, case: QualificationCase) -> QualificationCase:
    """Pre-qualification (non-SIT), scope, PIT, then a complete Initial QAD submitted by the lead."""
    ensure_qad(cast)
    lead = cast.actor(lead_key(case))
    from qualify.testing.tests.helpers import prequalify

    if case.participation.route != "SIT":
        prequalify(case)  # the form, then the case step with it
    # A Code Body assessor confirms scope (qualify/testing/apps.py).
    case = case_transition(actor=cast.actor("bsc"), case=case, name="scope", comment="scoped")
    case = case_transition(actor=lead, case=case, name="start_pit")
    return submit_qad(case, lead, kind=SubmissionKind.INITIAL, as_of=timezone.localdate())


def owned_question(case: QualificationCase, body: str) -> str:
    import json

    submission = latest_submission(case)
    return str(next(q["id"] for q in json.loads(submission.content)["questions"] if q["owner"] == body))


def raise_query(cast: Any, case: QualificationCase, body: str, text: str = "Please evidence this.") -> Query:
    submission = latest_submission(case)
    return services.query_raise(
        actor=cast.actor(ASSESSOR_OF[body]), submission=submission, question_id=owned_question(case, body), text=text
    )


def to_testing(cast: Any, case: QualificationCase) -> QualificationCase:
    """The entry gate met through the testing services (prerequisites accepted, RTTM at QT entry), then started."""
    satisfy_testing_gates(case, exit=False)
    return case_transition(actor=cast.actor("dip"), case=case, name="start_testing", comment="onboarded")


def test_manager_key(case: QualificationCase) -> str:
    """Who confirms a case's testing complete: the Programme's test manager for an LDSO, else an assessor."""
    return "admin" if case.participation.role == "LDSO" else "dip"


def to_testing_complete(cast: Any, case: QualificationCase) -> QualificationCase:
    """The exit gate met (every required case passed, RTTM at QT exit, a submitted report; SIT exit for SIT)."""
    satisfy_testing_gates(case, entry=False)
    return case_transition(
        actor=cast.actor(test_manager_key(case)), case=case, name="complete_testing", comment="QT exit confirmed"
    )


def to_final_submitted(cast: Any, case: QualificationCase) -> QualificationCase:
    if fresh(case).state == "TESTING":
        case = to_testing_complete(cast, case)
    return submit_qad(case, cast.actor(lead_key(case)), kind=SubmissionKind.FINAL, as_of=timezone.localdate())


def recommend_all(cast: Any, case: QualificationCase, recommendation: str = ch.Recommendation.APPROVE) -> None:
    for body in ch.approvals_needed(case.participation.role):
        services.recommendation_record(
            actor=cast.actor(ASSESSOR_OF[body]),
            case=fresh(case),
            body=body,
            recommendation=recommendation,
            rationale=f"{body} sections satisfactory.",
        )


def complete_reviews(cast: Any, case: QualificationCase) -> None:
    """Each body owning questions in the latest Final QAD marks its review complete (by its own assessor)."""
    from qualify.assessment import rules

    for body in rules.owning_bodies(latest_submission(case)):
        services.review_complete(actor=cast.actor(ASSESSOR_OF[body]), case=fresh(case), body=body)


def agree(cast: Any, case: QualificationCase) -> QualificationCase:
    """Every owning body completes its review, then an assessor takes ``agree``."""
    complete_reviews(cast, case)
    return case_transition(actor=cast.actor("bsc"), case=fresh(case), name="agree", comment="agreed")


def to_awaiting_approval(cast: Any, case: QualificationCase) -> QualificationCase:
    """From Final QAD submitted: agree, recommend, sign (declaration), send for approval."""
    case = agree(cast, case)
    recommend_all(cast, case)
    case = declare(case, cast.actor(lead_key(case)), director="Dana Director")
    return case_transition(actor=cast.actor("admin"), case=case, name="send_for_approval", comment="to boards")


def meeting(cast: Any, body: str, on: dt.date | None = None) -> BoardMeeting:
    on = on or timezone.localdate()  # decisions are recorded on or after the meeting day
    found = BoardMeeting.objects.filter(body=body, meets_on=on).first()
    return found or services.meeting_schedule(actor=cast.actor("admin"), body=body, meets_on=on)


def table(cast: Any, case: QualificationCase, body: str, on: dt.date | None = None) -> AgendaItem:
    m = meeting(cast, body, on)
    found = AgendaItem.objects.filter(meeting=m, case=case).first()
    return found or services.agenda_add(actor=cast.actor("admin"), meeting=m, case=case)


def decide(
    cast: Any,
    case: QualificationCase,
    body: str,
    outcome: str = ch.DecisionOutcome.APPROVE,
    effective_from: dt.date | None = None,
    **kw: Any,
) -> Any:
    item = table(cast, case, body)
    approving = outcome in ch.APPROVING
    if outcome == ch.DecisionOutcome.REJECT and "reasons" not in kw:
        kw["reasons"] = [services.RejectionReason(title=f"{body} evidence is not sufficient")]
    return services.decision_record(
        actor=cast.actor(DECIDER_OF[body]),
        item=item,
        outcome=outcome,
        minutes=kw.pop("minutes", f"{body} considered the case."),
        effective_from=(effective_from or dt.date(2026, 12, 1)) if approving else None,
        **kw,
    )


def work_off_findings(cast: Any, case: QualificationCase) -> None:
    """Every open finding of the case: the lead proposes a plan, the owning body agrees it and closes the finding."""
    from qualify.assessment.models import Finding

    for finding in Finding.objects.filter(case=case).exclude(state=ch.FindingState.CLOSED).order_by("pk"):
        assessor = cast.actor(ASSESSOR_OF[finding.body])
        finding = services.finding_transition(
            actor=cast.actor(lead_key(case)), finding=finding, name="propose_plan", work_off_plan="Fixed and retested."
        )
        finding = services.finding_transition(actor=assessor, finding=finding, name="agree_plan")
        services.finding_transition(actor=assessor, finding=finding, name="close", comment="Retest evidence seen.")


def approve_all(cast: Any, case: QualificationCase, effective_from: dt.date | None = None) -> QualificationCase:
    for body in ch.approvals_needed(case.participation.role):
        decide(cast, case, body, effective_from=effective_from)
    return fresh(case)


def activate(cast: Any, case: QualificationCase, on: dt.date | None = None) -> QualificationCase:
    admin = cast.actor("admin")
    services.activation_record(
        actor=cast.actor("dip"), case=case, item=ch.ActivationItem.DIP_PRODUCTION, evidence_reference="DIP-CHG-1"
    )
    services.activation_record(
        actor=admin,
        case=fresh(case),
        item=ch.ActivationItem.EFFECTIVE_DATE_AGREED,
        evidence_reference="email 2026-12-02",
        effective_date=on or dt.date(2026, 12, 15),
    )
    services.activation_record(
        actor=admin, case=fresh(case), item=ch.ActivationItem.REFERENCE_DATA_PUBLISHED, evidence_reference="MDD 412"
    )
    return fresh(case)


def qualify_fully(cast: Any, case: QualificationCase) -> QualificationCase:
    """The whole happy path with one query round on the Initial QAD."""
    case = to_initial_submitted(cast, case)
    query = raise_query(cast, case, "BSC")
    lead = cast.actor(lead_key(case))
    services.query_answer(actor=lead, query=query, text="Done: see the runbook.")
    services.query_close(actor=cast.actor("bsc"), query=Query.objects.get(pk=query.pk), text="Thank you.")
    case = submit_qad(fresh(case), lead, kind=SubmissionKind.INITIAL, as_of=timezone.localdate())
    case = to_testing(cast, case)
    case = to_final_submitted(cast, case)
    case = to_awaiting_approval(cast, case)
    case = approve_all(cast, case)
    return activate(cast, case)
