"""Recommendations, the board calendar and board decisions; the last approval a role needs qualifies the case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from qualify.assessment import choices as ch
from qualify.assessment import permissions as perm
from qualify.assessment import rules
from qualify.assessment.models import (
    AgendaItem,
    BoardDecision,
    BoardMeeting,
    BodyRecommendation,
    Finding,
)
from qualify.assessment.services.common import S, case_link, check_body, create_numbered, locked_case, org_id_of
from qualify.audit.services import audit_record
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.core import clock
from qualify.core.actor import Actor, system_actor
from qualify.core.errors import TransitionNotAllowed, ValidationFailed
from qualify.notifications.services import notify
from qualify.webhooks.choices import EventKind
from qualify.webhooks.services import emit

# --- recommendations -------------------------------------------------------------------------------------------------

RECOMMENDABLE = frozenset({S.FINAL_QAD_SUBMITTED, S.FINAL_CLARIFICATION, S.AGREED, S.SIGNED, S.AWAITING_APPROVAL})


@transaction.atomic
def recommendation_record(
    *,
    actor: Actor,
    case: QualificationCase,
    body: str,
    recommendation: str,
    rationale: str,
    conditions: str = "",
) -> BodyRecommendation:
    """A body recommends to its approving authority, on the latest Final QAD submission.

    A body with open findings it made a condition of approval can only recommend approval with conditions.
    """
    check_body(body)
    perm.assesses_for(actor, body).enforce()
    case = locked_case(case)
    if body not in ch.approvals_needed(case.participation.role):
        raise ValidationFailed(
            f"The {ch.APPROVER_NAMES[body]} does not approve the {case.participation.get_role_display()} role.",
            details={"body": "not_needed"},
        )
    if recommendation not in ch.Recommendation.values:
        raise ValidationFailed(f"Unknown recommendation {recommendation!r}.", details={"recommendation": "unknown"})
    if not rationale.strip():
        raise ValidationFailed("Give the rationale for the recommendation.", details={"rationale": "required"})
    if case.state not in RECOMMENDABLE:
        raise TransitionNotAllowed(
            f"A recommendation follows the Final QAD; the case is {case.get_state_display().lower()}.",
            details={"state": case.state},
        )
    final = rules.latest_final(case)
    if final is None:
        raise TransitionNotAllowed("There is no Final QAD submission to recommend on.")
    conditional = rules.open_conditions(case, body)
    if recommendation == ch.Recommendation.APPROVE and conditional:
        raise ValidationFailed(
            "Open findings are conditions of approval ("
            + ", ".join(f.reference for f in conditional)
            + "): recommend approval with conditions.",
            details={"recommendation": "conditions_open"},
        )
    if recommendation == ch.Recommendation.APPROVE_WITH_CONDITIONS and not (conditions.strip() or conditional):
        raise ValidationFailed("State the conditions.", details={"conditions": "required"})
    if not conditions.strip() and conditional:
        conditions = "; ".join(f"{f.reference} {f.title} (due {f.due_date:%d %b %Y})" for f in conditional)
    row = BodyRecommendation.objects.create(
        case=case,
        submission=final,
        body=body,
        recommendation=recommendation,
        rationale=rationale.strip(),
        conditions=conditions.strip(),
        recorded_at=clock.now(),
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.display_name[:200],
    )
    audit_record(
        actor=actor,
        action="assessment.recommendation.record",
        target=case,
        organisation_id=org_id_of(case),
        changes={"body": body, "recommendation": recommendation, "submission": final.reference},
    )
    return row


# --- board calendar and decisions ------------------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    actor: Actor,
    body: str,
    meets_on: dt.date,
    title: str = "",
    papers_due_on: dt.date | None = None,
    notes: str = "",
) -> BoardMeeting:
    """Put a meeting of an approving authority on the board calendar (one per authority per day).

    The Programme (the secretariat) or the body's own decision-makers; scheduling records no decision.
    """
    check_body(body)
    perm.can_manage_calendar(actor, body).enforce()
    if papers_due_on is not None and papers_due_on > meets_on:
        raise ValidationFailed("Papers must be due on or before the meeting.", details={"papers_due_on": "after"})
    reference = f"{body}-{meets_on:%Y-%m-%d}"
    if BoardMeeting.objects.filter(reference=reference).exists():
        raise ValidationFailed(
            f"The {ch.APPROVER_NAMES[body]} already meets on {meets_on:%d %b %Y}.", details={"meets_on": "taken"}
        )
    try:
        with transaction.atomic():  # two people scheduling the same meeting at once: the second hears it is taken
            meeting = BoardMeeting.objects.create(
                reference=reference,
                body=body,
                meets_on=meets_on,
                title=title.strip() or f"{ch.APPROVER_NAMES[body]} meeting",
                papers_due_on=papers_due_on,
                notes=notes.strip(),
            )
    except IntegrityError:
        raise ValidationFailed(
            f"The {ch.APPROVER_NAMES[body]} already meets on {meets_on:%d %b %Y}.", details={"meets_on": "taken"}
        ) from None
    audit_record(
        actor=actor,
        action="assessment.meeting.schedule",
        target=meeting,
        organisation_id=None,
        changes={"reference": reference, "body": body, "meets_on": meets_on.isoformat()},
    )
    return meeting


AGENDA_STATES = frozenset({S.AGREED, S.SIGNED, S.AWAITING_APPROVAL})


@transaction.atomic
def agenda_add(*, actor: Actor, meeting: BoardMeeting, case: QualificationCase) -> AgendaItem:
    """Table a case at a meeting. Its role must need that authority's approval, and the Final QAD must be agreed."""
    perm.can_manage_calendar(actor, meeting.body).enforce()
    if meeting.body not in ch.approvals_needed(case.participation.role):
        raise ValidationFailed(
            f"The {ch.APPROVER_NAMES[meeting.body]} does not approve the {case.participation.get_role_display()} role.",
            details={"case": "not_needed"},
        )
    if case.state not in AGENDA_STATES:
        raise TransitionNotAllowed(
            f"Only agreed, signed or awaiting-approval cases go to a board; this one is "
            f"{case.get_state_display().lower()}.",
            details={"state": case.state},
        )
    if AgendaItem.objects.filter(meeting=meeting, case=case).exists():
        raise ValidationFailed(f"{case.reference} is already on this agenda.", details={"case": "already_tabled"})
    try:
        with transaction.atomic():  # tabled twice at once: the second hears it is already on the agenda
            item = AgendaItem.objects.create(meeting=meeting, case=case, added_by_name=actor.display_name[:200])
    except IntegrityError:
        raise ValidationFailed(
            f"{case.reference} is already on this agenda.", details={"case": "already_tabled"}
        ) from None
    audit_record(
        actor=actor,
        action="assessment.agenda.add",
        target=case,
        organisation_id=org_id_of(case),
        changes={"meeting": meeting.reference},
    )
    return item


@transaction.atomic
def agenda_remove(*, actor: Actor, item: AgendaItem) -> None:
    """Take an undecided case off an agenda."""
    perm.can_manage_calendar(actor, item.meeting.body).enforce()
    if BoardDecision.objects.filter(agenda_item=item).exists():
        raise TransitionNotAllowed("A decided item stays on the agenda: it is part of the record.")
    audit_record(
        actor=actor,
        action="assessment.agenda.remove",
        target=item.case,
        organisation_id=org_id_of(item.case),
        changes={"meeting": item.meeting.reference},
    )
    item.delete()


@dataclass(frozen=True)
class RejectionReason:
    """One reason a board gives for rejecting a case; it is recorded as a finding of the rejecting body, which the
    participant works off with a plan like any other finding. Without a due date the plan is due in
    ``QUALIFY_REJECTION_PLAN_DAYS`` days."""

    title: str
    description: str = ""
    due_date: dt.date | None = None
    severity: str = ch.Severity.HIGH
    question_id: str = ""


def decision_record(
    *,
    actor: Actor,
    item: AgendaItem | None = None,
    case: QualificationCase | None = None,
    body: str | None = None,
    outcome: str,
    minutes: str,
    conditions: str = "",
    effective_from: dt.date | None = None,
    reasons: Sequence[RejectionReason] = (),
    decided_on: dt.date | None = None,
) -> BoardDecision:
    """Record an approving body's decision on a case (approve, approve with conditions, defer, reject).

    Each body's decision is its own (DOMAIN.md §6): only that body's decision-makers record it, never the Programme.
    The BSC PAB decides at its meetings, so its decision names the tabled ``item``; the DIP Manager and the REC Code
    Manager approve as dated decisions of their own (``case``, ``body`` and ``decided_on``, today by default and
    never in the future), a meeting optional.

    The case is locked first, so two people recording the same authority's decision cannot both succeed: the second
    finds the first and is refused (409); the database's one-decision-per-round constraint backs this up. When the
    last approval the role needs lands, the case is qualified from the latest effective-from date among them.

    A rejection gives its reasons (at least one), each recorded as a finding of the rejecting body, a condition of
    its approval, visible to the participant, and refers the case back to Final QAD clarification. A deferral defers
    the case; it does not settle the round, so when the Programme resumes it in a later wave it is awaiting this
    body's decision again, the other bodies' decisions standing (DOMAIN.md §4, §6).
    """
    try:
        return _decision_record(
            actor=actor,
            item=item,
            case=case,
            body=body,
            outcome=outcome,
            minutes=minutes,
            conditions=conditions,
            effective_from=effective_from,
            reasons=reasons,
            decided_on=decided_on,
        )
    except IntegrityError:
        raise TransitionNotAllowed(
            "This authority's decision on the case has just been recorded by someone else.",
            code="already_decided",
        ) from None


def _decision_subject(
    *, item: AgendaItem | None, case: QualificationCase | None, body: str | None
) -> tuple[QualificationCase, str]:
    """The case and body a decision is about: the tabled item's, or those named."""
    if item is not None:
        if case is not None and case.pk != item.case_id:
            raise ValidationFailed(f"{case.reference} is not this agenda item's case.", details={"case": "mismatch"})
        if body is not None and body != item.meeting.body:
            raise ValidationFailed(
                f"{item.meeting.reference} is a meeting of the {ch.APPROVER_NAMES[item.meeting.body]}, "
                f"not of the {ch.APPROVER_NAMES.get(body, body)}.",
                details={"meeting": "other_body"},
            )
        return item.case, item.meeting.body
    if case is None or body is None:
        raise ValidationFailed("Name the case and the deciding body.", details={"body": "required"})
    return case, check_body(body)


@transaction.atomic
def _decision_record(
    *,
    actor: Actor,
    item: AgendaItem | None,
    case: QualificationCase | None,
    body: str | None,
    outcome: str,
    minutes: str,
    conditions: str,
    effective_from: dt.date | None,
    reasons: Sequence[RejectionReason],
    decided_on: dt.date | None,
) -> BoardDecision:
    subject, body = _decision_subject(item=item, case=case, body=body)
    perm.can_record_decision(actor, body).enforce()
    case = locked_case(subject)
    meeting = item.meeting if item is not None else None
    who = ch.APPROVER_NAMES[body]
    if body not in ch.approvals_needed(case.participation.role):
        raise ValidationFailed(
            f"The {who} does not approve the {case.participation.get_role_display()} role.",
            details={"body": "not_needed"},
        )
    problems: dict[str, str] = {}
    if outcome not in ch.DecisionOutcome.values:
        problems["outcome"] = "unknown"
    if not minutes.strip():
        problems["minutes"] = "required"
    approving = outcome in ch.APPROVING
    if approving and effective_from is None:
        problems["effective_from"] = "required"
    if outcome == ch.DecisionOutcome.APPROVE_WITH_CONDITIONS and not conditions.strip():
        problems["conditions"] = "required"
    rejecting = outcome == ch.DecisionOutcome.REJECT
    if rejecting and not any(r.title.strip() for r in reasons):
        problems["reasons"] = "required"
    elif not rejecting and reasons:
        problems["reasons"] = "only_on_rejection"
    elif any(not r.title.strip() for r in reasons):
        problems["reasons"] = "title_required"
    elif any(r.severity not in ch.Severity.values for r in reasons):
        problems["reasons"] = "unknown_severity"
    if problems:
        raise ValidationFailed("The decision is incomplete: " + ", ".join(sorted(problems)) + ".", details=problems)
    today = clock.today()
    if meeting is None:
        if body in ch.DECIDES_AT_MEETINGS:
            raise ValidationFailed(
                f"The {who} decides at its meetings: table {case.reference} at a {who} meeting and record the "
                "decision against that meeting.",
                details={"meeting": "required"},
            )
        decided_on = decided_on or today
        if decided_on > today:
            raise ValidationFailed(
                f"A decision cannot be dated in the future ({decided_on:%d %B %Y}).", details={"decided_on": "future"}
            )
    else:
        if decided_on is not None and decided_on != meeting.meets_on:
            raise ValidationFailed(
                f"A decision taken at the meeting is dated by it ({meeting.meets_on:%d %B %Y}).",
                details={"decided_on": "not_meeting_date"},
            )
        decided_on = meeting.meets_on
        if meeting.meets_on > today:
            raise TransitionNotAllowed(
                f"The {who} meets on {meeting.meets_on:%d %B %Y}: record the decision once it has met.",
                code="meeting_not_held",
                details={"meets_on": meeting.meets_on.isoformat()},
            )
    if case.state != S.AWAITING_APPROVAL:
        raise TransitionNotAllowed(
            f"Decisions are recorded on cases awaiting approval; {case.reference} is "
            f"{case.get_state_display().lower()}.",
            details={"state": case.state},
        )
    round_ = rules.current_round(case)
    if round_ is None:  # pragma: no cover - a case awaiting approval was always sent for approval
        raise TransitionNotAllowed("The case was never sent for approval.")
    # A deferral leaves the round open: the body decides again once the case is resumed.
    # A void approval (a new Final QAD changed what it approved) does not settle the round either.
    if (
        BoardDecision.objects.filter(round=round_, body=body, voided_at=None)
        .exclude(outcome=ch.DecisionOutcome.DEFER)
        .exists()
    ):
        raise TransitionNotAllowed(
            f"The {who} has already decided on {case.reference} in this round.",
            code="already_decided",
        )
    if rules.current_recommendation(case, body) is None:
        raise TransitionNotAllowed(
            f"The {who} cannot decide without the {body} recommendation on the latest Final QAD.",
            code="recommendation_missing",
            details={"body": body},
        )
    decision = create_numbered(
        BoardDecision,
        "DEC",
        agenda_item=item,
        case=case,
        body=body,
        round=round_,
        outcome=outcome,
        minutes=minutes.strip(),
        conditions=conditions.strip(),
        effective_from=effective_from if approving else None,
        decided_on=decided_on,
        decided_at=clock.now(),
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.display_name[:200],
    )
    audit_record(
        actor=actor,
        action="assessment.decision.record",
        target=decision,
        organisation_id=org_id_of(case),
        changes={
            "decision": decision.reference,
            "case": case.reference,
            "body": body,
            "outcome": outcome,
            "decided_on": decided_on.isoformat(),
            **({"meeting": meeting.reference} if meeting is not None else {}),
            **({"effective_from": effective_from.isoformat()} if approving and effective_from else {}),
        },
    )
    emit(
        EventKind.DECISION_RECORDED,
        subject=case.reference,
        organisation_id=org_id_of(case),
        payload={
            "decision": decision.reference,
            "case": case.reference,
            "body": body,
            "outcome": outcome,
            "decided_on": decided_on,
        },
    )
    findings = _record_reasons(actor, case, decision, reasons) if rejecting else []
    if approving:
        decisions = rules.round_approvals(case, round_)
        needed = ch.approvals_needed(case.participation.role)
        if all(b in decisions for b in needed):
            effective = max(d.effective_from for d in decisions.values() if d.effective_from is not None)
            summary = "; ".join(f"{ch.APPROVER_NAMES[b]} {decisions[b].reference}" for b in needed)
            case_transition(
                actor=actor, case=case, name="approve", comment=f"Approved: {summary}.", effective_date=effective
            )
    elif rejecting:
        listed = ", ".join(f.reference for f in findings)
        case_transition(
            actor=actor,
            case=case,
            name="refer_back",
            comment=f"{who} rejected ({decision.reference}): {minutes.strip()}\nReasons, as findings: {listed}.",
        )
    else:
        # Deferring a case to a later wave is the Programme's step; here the board's decision takes it, so the case's
        # record names the decision (this decision's audit event names the person who recorded it).
        mover = system_actor(f"{who} decision {decision.reference}")
        case_transition(actor=mover, case=case, name="defer", comment=f"{who} deferred: {minutes.strip()}")
    label = ch.DecisionOutcome(outcome).label
    when = f"at its meeting on {meeting.meets_on:%d %B %Y}" if meeting is not None else f"on {decided_on:%d %B %Y}"
    notify(
        recipients=[*rules.participant_editors(case), *rules.body_assessors(case, body)],
        kind=ch.NOTICE_DECISION_MADE,
        title=f"{case.reference}: {who} decision — {label}",
        body=(
            f"{case.participation.organisation.name} {case.participation.mpid} "
            f"{case.participation.get_role_display()}: the {who} decided “{label}” {when}."
            + (f"\nEffective from {effective_from:%d %B %Y}." if approving and effective_from else "")
            + (f"\nConditions: {conditions.strip()}" if conditions.strip() else "")
            + "".join(f"\nReason {f.reference}: {f.title} (work-off plan due {f.due_date:%d %B %Y})" for f in findings)
        ),
        link=case_link(case),
        subject=case.reference,
    )
    return decision


def _record_reasons(
    actor: Actor, case: QualificationCase, decision: BoardDecision, reasons: Sequence[RejectionReason]
) -> list[Finding]:
    """A rejection's reasons as findings of the rejecting body: conditions of its approval, with a work-off plan to
    be proposed by the participant and agreed by the body, as for any finding."""
    default_due = clock.today() + dt.timedelta(days=settings.QUALIFY_REJECTION_PLAN_DAYS)
    owner = case.participation.organisation.name
    findings = []
    for reason in reasons:
        title = reason.title.strip()
        finding = create_numbered(
            Finding,
            "FND",
            case=case,
            body=decision.body,
            decision=decision,
            question_id=reason.question_id.strip()[:40],
            title=title[:200],
            description=reason.description.strip() or title,
            severity=reason.severity,
            owner=owner[:200],
            due_date=reason.due_date or default_due,
            condition_of_approval=True,
            state_changed_at=clock.now(),
            raised_by_name=f"{ch.APPROVER_NAMES[decision.body]} ({actor.display_name})"[:200],
        )
        audit_record(
            actor=actor,
            action="assessment.finding.record",
            target=finding,
            organisation_id=org_id_of(case),
            changes={
                "finding": finding.reference,
                "title": finding.title,
                "due_date": finding.due_date.isoformat(),
                "decision": decision.reference,
            },
        )
        findings.append(finding)
    return findings


# --- a new Final QAD voids the approvals on the earlier one ----------------------------------------------------------

# The case steps that freeze a new Final QAD (qad/services.py SUBMISSION_STEPS[FINAL]).
FINAL_SUBMISSION_STEPS = ("submit_final_qad", "answer_final_clarification", "resubmit_final_qad")


def approvals_void(applied: Any) -> None:
    """Case workflow effect: a new Final QAD makes every approval recorded before it void (DOMAIN.md §6: a decided
    approval is void if what it approved changes).

    The decisions stay on record with when, by what and why they became void; they no longer count toward approval
    (``rules.round_approvals``) nor settle their round, so each body decides again on the new Final QAD once the case
    is back in front of it. Rejections and deferrals are left as they are: they approved nothing. One audit event per
    voided decision, and the bodies and the participant are told.
    """
    case: QualificationCase = applied.instance
    submission = rules.latest_final(case)
    if submission is None:  # pragma: no cover - the step's guard needs a Final snapshot
        return
    standing = list(
        BoardDecision.objects.select_for_update()
        .filter(case=case, outcome__in=list(ch.APPROVING), voided_at=None)
        .order_by("pk")
    )
    if not standing:
        return
    now = clock.now()
    reason = (
        f"{submission.reference}, a new Final QAD, was submitted after this approval: what it approved has changed."
    )
    for decision in standing:
        decision.voided_at = now
        decision.voided_by_name = applied.actor.display_name[:200]
        decision.void_reason = reason
        decision.voided_by_submission = submission
        decision.save(update_fields=["voided_at", "voided_by_name", "void_reason", "voided_by_submission"])
        audit_record(
            actor=applied.actor,
            action="assessment.decision.void",
            target=decision,
            organisation_id=org_id_of(case),
            changes={"decision": decision.reference, "voided_by": submission.reference, "reason": reason},
        )
    bodies = sorted({d.body for d in standing})
    listed = ", ".join(f"{ch.APPROVER_NAMES[d.body]} {d.reference}" for d in standing)
    notify(
        recipients=sorted(
            {*rules.participant_editors(case), *(u for b in bodies for u in rules.body_assessors(case, b))}
        ),
        kind=ch.NOTICE_DECISION_MADE,
        title=f"{case.reference}: approvals void after a new Final QAD",
        body=f"{submission.reference} replaced the Final QAD these approvals were given on, so they are void: "
        f"{listed}. The case is back with the Code Bodies for review.",
        link=case_link(case),
        subject=case.reference,
    )
