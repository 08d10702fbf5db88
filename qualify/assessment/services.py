"""Writes for assessment and approval (DOMAIN.md §6). Every write is a typed, atomic service that checks the
actor's capability itself, writes an audit event, and tells people through ``notify`` (e-mail after commit).

The case moves as a consequence: the first query on a submitted QAD opens clarification; the last approval a role
needs qualifies it from the latest effective-from date; a rejection refers it back, a deferral defers it; the last
activation step activates the service. Those moves go through the case workflow, so its guards, transition rows,
register events and audit apply as for any other step.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuid_mod
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from qualify.assessment import choices as ch
from qualify.assessment import permissions as perm
from qualify.assessment import rules
from qualify.assessment.models import (
    ActivationStep,
    AgendaItem,
    BoardDecision,
    BoardMeeting,
    BodyRecommendation,
    Finding,
    Query,
    QueryMessage,
    QuestionOutcome,
    ReviewAssignment,
)
from qualify.assessment.workflow import FINDING_WORKFLOW, QUERY_WORKFLOW, setting_days
from qualify.audit.services import audit_record
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.core.actor import Actor, system_actor
from qualify.core.errors import TransitionNotAllowed, ValidationFailed
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.notifications.services import notify
from qualify.qad import evidence as ev
from qualify.qad.choices import Body
from qualify.qad.models import EvidenceFile, QadSubmission

S = CaseState


def _org_id(case: QualificationCase) -> int:
    return int(case.participation.organisation_id)


def _locked_case(case: QualificationCase) -> QualificationCase:
    locked: QualificationCase = (
        QualificationCase.objects.select_for_update().select_related("participation__organisation").get(pk=case.pk)
    )
    return locked


def _next_reference(model: Any, prefix: str) -> str:
    number = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    return f"{prefix}-{number:06d}"


def _check_body(body: str) -> str:
    if body not in Body.values:
        raise ValidationFailed(f"Unknown Code Body {body!r}.", details={"body": body})
    return body


def _case_link(case: QualificationCase) -> str:
    return f"/assessment/cases/{case.uuid}/"


# --- reviews ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def review_assign(*, actor: Actor, case: QualificationCase, body: str, reviewer_id: int) -> ReviewAssignment:
    """A body assigns one of its assessors to review the sections of a case it owns."""
    _check_body(body)
    perm.assesses_for(actor, body).enforce()
    user = get_user_model()._default_manager.filter(pk=reviewer_id, is_active=True).first()
    if user is None or ch.BODY_OF_ROLE.get(getattr(user, "staff_role", "")) != body:
        raise ValidationFailed(
            f"The reviewer must be an active {ch.APPROVER_NAMES[body]} assessor.", details={"reviewer": "not_assessor"}
        )
    assignment, _ = ReviewAssignment.objects.update_or_create(
        case=case, body=body, defaults={"reviewer": user, "assigned_by_name": actor.display_name[:200]}
    )
    audit_record(
        actor=actor,
        action="assessment.review.assign",
        target=case,
        organisation_id=_org_id(case),
        changes={"body": body, "reviewer": getattr(user, "display_name", str(user))},
    )
    return assignment


@transaction.atomic
def outcome_record(
    *, actor: Actor, submission: QadSubmission, question_id: str, outcome: str, comment: str = ""
) -> QuestionOutcome:
    """Record a reviewer's outcome for one submitted answer (satisfactory, query, not satisfactory)."""
    if outcome not in ch.Outcome.values:
        raise ValidationFailed(f"Unknown outcome {outcome!r}.", details={"outcome": outcome})
    question = rules.submitted_question(submission, question_id)
    perm.assesses_for(actor, question.owner).enforce()
    if outcome == ch.Outcome.NOT_SATISFACTORY and not comment.strip():
        raise ValidationFailed("Say why the answer is not satisfactory.", details={"comment": "required"})
    before = QuestionOutcome.objects.filter(submission=submission, question_id=question.qid).first()
    row, _ = QuestionOutcome.objects.update_or_create(
        submission=submission,
        question_id=question.qid,
        defaults={
            "body": question.owner,
            "outcome": outcome,
            "comment": comment.strip(),
            "recorded_by_id": actor.user_id,
            "recorded_by_name": actor.display_name[:200],
        },
    )
    audit_record(
        actor=actor,
        action="assessment.outcome.record",
        target=submission,
        organisation_id=_org_id(submission.case),
        changes={"question": question.qid, "outcome": {"before": before.outcome if before else None, "after": outcome}},
    )
    return row


# --- queries ---------------------------------------------------------------------------------------------------------

# Raising a query on a submitted QAD opens clarification on the case.
_CLARIFY = {S.INITIAL_QAD_SUBMITTED: "query_initial_qad", S.FINAL_QAD_SUBMITTED: "query_final_qad"}
QUERYABLE = frozenset({S.INITIAL_QAD_SUBMITTED, S.INITIAL_CLARIFICATION, S.FINAL_QAD_SUBMITTED, S.FINAL_CLARIFICATION})


@transaction.atomic
def query_raise(
    *,
    actor: Actor,
    submission: QadSubmission,
    question_id: str,
    text: str,
    response_due: dt.date | None = None,
    internal_note: str = "",
) -> Query:
    """A reviewer raises a query on one question of a submission; the participant owes the answer by the due date.

    The query quotes organisation, role, section and question number (DOMAIN.md §5). A query on a case whose QAD
    is "submitted" opens clarification on it.
    """
    case = _locked_case(submission.case)
    question = rules.submitted_question(submission, question_id)
    perm.assesses_for(actor, question.owner).enforce()
    if not text.strip():
        raise ValidationFailed("Write the query.", details={"text": "required"})
    if case.state not in QUERYABLE:
        raise TransitionNotAllowed(
            f"Queries can be raised only while a submitted QAD is under review, not while the case is "
            f"{case.get_state_display().lower()}.",
            details={"state": case.state},
        )
    latest = QadSubmission.objects.filter(case=case).order_by("-pk").first()
    if latest is None or latest.pk != submission.pk:
        raise ValidationFailed(
            "Raise queries on the latest submission.", details={"submission": "superseded"}, code="superseded"
        )
    today = timezone.localdate()
    due = response_due or today + dt.timedelta(days=setting_days("QUALIFY_QUERY_RESPONSE_DAYS", ch.QUERY_RESPONSE_DAYS))
    if due < today:
        raise ValidationFailed("The response-due date is in the past.", details={"response_due": "past"})
    now = timezone.now()
    query = Query.objects.create(
        reference=_next_reference(Query, "QRY"),
        case=case,
        submission=submission,
        question_id=question.qid,
        section_number=question.section.number,
        question_number=question.number,
        body=question.owner,
        response_due=due,
        state_changed_at=now,
        raised_by_id=actor.user_id,
        raised_by_name=actor.display_name[:200],
        internal_note=internal_note.strip(),
    )
    QueryMessage.objects.create(
        query=query,
        kind=ch.QueryMessageKind.RAISED,
        text=text.strip(),
        at=now,
        author_id=actor.user_id,
        author_name=actor.display_name[:200],
        response_due=due,
    )
    QuestionOutcome.objects.update_or_create(
        submission=submission,
        question_id=question.qid,
        defaults={
            "body": question.owner,
            "outcome": ch.Outcome.QUERY,
            "recorded_by_id": actor.user_id,
            "recorded_by_name": actor.display_name[:200],
        },
    )
    audit_record(
        actor=actor,
        action="assessment.query.raise",
        target=query,
        organisation_id=_org_id(case),
        changes={"query": query.reference, "question": question.number, "response_due": due.isoformat()},
    )
    step = _CLARIFY.get(S(case.state))
    if step is not None:
        case_transition(actor=actor, case=case, name=step, comment=f"{query.reference} on {question.number}: {text}")
    notify(
        recipients=rules.participant_editors(case),
        kind=ch.NOTICE_QUERY_RAISED,
        title=f"{query.reference}: {ch.APPROVER_NAMES[query.body]} query on QAD {question.number}",
        body=f"{rules.quote(query)}\n\n{text.strip()}\n\nPlease answer by {due:%d %B %Y}.",
        link=f"/assessment/queries/{query.uuid}/",
    )
    return query


def _query_move(actor: Actor, query: Query, name: str, text: str, **extra: Any) -> Query:
    return apply_transition(
        QUERY_WORKFLOW, actor=actor, instance=query, name=name, data=TransitionInput(comment=text, extra=extra)
    )


@transaction.atomic
def query_answer(*, actor: Actor, query: Query, text: str, evidence: EvidenceFile | None = None) -> Query:
    """The participant answers a query, optionally pointing at evidence uploaded to its QAD; the reviewer is told."""
    query = _query_move(actor, query, "answer", text, evidence=evidence)
    notify(
        recipients=rules.reviewers_for(query),
        kind=ch.NOTICE_QUERY_ANSWERED,
        title=f"{query.reference} answered by {query.case.participation.organisation.name}",
        body=f"{rules.quote(query)}\n\n{text.strip()}",
        link=f"/assessment/queries/{query.uuid}/",
    )
    return query


@transaction.atomic
def query_follow_up(*, actor: Actor, query: Query, text: str, response_due: dt.date | None = None) -> Query:
    """The reviewer is not yet satisfied: the query goes back to the participant with a new due date."""
    query = _query_move(actor, query, "follow_up", text, response_due=response_due)
    notify(
        recipients=rules.participant_editors(query.case),
        kind=ch.NOTICE_QUERY_RAISED,
        title=f"{query.reference}: follow-up from the {ch.APPROVER_NAMES[query.body]}",
        body=f"{rules.quote(query)}\n\n{text.strip()}\n\nPlease answer by {query.response_due:%d %B %Y}.",
        link=f"/assessment/queries/{query.uuid}/",
    )
    return query


@transaction.atomic
def query_close(*, actor: Actor, query: Query, text: str) -> Query:
    """Only the raising body closes a query."""
    return _query_move(actor, query, "close", text)


# --- findings --------------------------------------------------------------------------------------------------------


@transaction.atomic
def finding_record(
    *,
    actor: Actor,
    case: QualificationCase,
    body: str,
    title: str,
    description: str,
    owner: str,
    due_date: dt.date,
    severity: str = ch.Severity.MEDIUM,
    question_id: str = "",
    condition_of_approval: bool = False,
    internal_note: str = "",
) -> Finding:
    """A body records a defect or gap that remains; the participant then proposes a work-off plan."""
    _check_body(body)
    perm.assesses_for(actor, body).enforce()
    problems = {
        k: "required" for k, v in {"title": title, "description": description, "owner": owner}.items() if not v.strip()
    }
    if severity not in ch.Severity.values:
        problems["severity"] = "unknown"
    if problems:
        raise ValidationFailed("The finding is incomplete.", details=problems)
    if case.state in (S.QUALIFIED, S.SERVICE_ACTIVATION, S.ACTIVE, S.SUSPENDED, S.REVOKED, S.WITHDRAWN):
        raise TransitionNotAllowed(
            f"Findings are recorded during assessment, not while the case is {case.get_state_display().lower()}.",
            details={"state": case.state},
        )
    finding = Finding.objects.create(
        reference=_next_reference(Finding, "FND"),
        case=case,
        body=body,
        question_id=question_id.strip(),
        title=title.strip()[:200],
        description=description.strip(),
        severity=severity,
        owner=owner.strip()[:200],
        due_date=due_date,
        condition_of_approval=condition_of_approval,
        state_changed_at=timezone.now(),
        raised_by_name=actor.display_name[:200],
        internal_note=internal_note.strip(),
    )
    audit_record(
        actor=actor,
        action="assessment.finding.record",
        target=finding,
        organisation_id=_org_id(case),
        changes={"finding": finding.reference, "title": finding.title, "due_date": due_date.isoformat()},
    )
    return finding


@transaction.atomic
def finding_transition(
    *,
    actor: Actor,
    finding: Finding,
    name: str,
    comment: str = "",
    work_off_plan: str = "",
    owner: str = "",
    due_date: dt.date | None = None,
) -> Finding:
    """Move a finding: the participant proposes a plan, the body agrees it, sends it back, closes or reopens it."""
    return apply_transition(
        FINDING_WORKFLOW,
        actor=actor,
        instance=finding,
        name=name,
        data=TransitionInput(
            comment=comment, extra={"work_off_plan": work_off_plan, "owner": owner, "due_date": due_date}
        ),
    )


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
    _check_body(body)
    perm.assesses_for(actor, body).enforce()
    case = _locked_case(case)
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
        recorded_at=timezone.now(),
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.display_name[:200],
    )
    audit_record(
        actor=actor,
        action="assessment.recommendation.record",
        target=case,
        organisation_id=_org_id(case),
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
    """Put a meeting of an approving authority on the board calendar (one per authority per day)."""
    perm.can_manage_calendar(actor).enforce()
    _check_body(body)
    if papers_due_on is not None and papers_due_on > meets_on:
        raise ValidationFailed("Papers must be due on or before the meeting.", details={"papers_due_on": "after"})
    reference = f"{body}-{meets_on:%Y-%m-%d}"
    if BoardMeeting.objects.filter(reference=reference).exists():
        raise ValidationFailed(
            f"The {ch.APPROVER_NAMES[body]} already meets on {meets_on:%d %b %Y}.", details={"meets_on": "taken"}
        )
    meeting = BoardMeeting.objects.create(
        reference=reference,
        body=body,
        meets_on=meets_on,
        title=title.strip() or f"{ch.APPROVER_NAMES[body]} meeting",
        papers_due_on=papers_due_on,
        notes=notes.strip(),
    )
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
    perm.can_manage_calendar(actor).enforce()
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
    item = AgendaItem.objects.create(meeting=meeting, case=case, added_by_name=actor.display_name[:200])
    audit_record(
        actor=actor,
        action="assessment.agenda.add",
        target=case,
        organisation_id=_org_id(case),
        changes={"meeting": meeting.reference},
    )
    return item


@transaction.atomic
def agenda_remove(*, actor: Actor, item: AgendaItem) -> None:
    """Take an undecided case off an agenda."""
    perm.can_manage_calendar(actor).enforce()
    if BoardDecision.objects.filter(agenda_item=item).exists():
        raise TransitionNotAllowed("A decided item stays on the agenda: it is part of the record.")
    audit_record(
        actor=actor,
        action="assessment.agenda.remove",
        target=item.case,
        organisation_id=_org_id(item.case),
        changes={"meeting": item.meeting.reference},
    )
    item.delete()


def decision_record(
    *,
    actor: Actor,
    item: AgendaItem,
    outcome: str,
    minutes: str,
    conditions: str = "",
    effective_from: dt.date | None = None,
) -> BoardDecision:
    """Record an authority's decision on a tabled case (approve, approve with conditions, defer, reject).

    The case is locked first, so two people recording the same authority's decision cannot both succeed: the second
    finds the first and is refused (409); the database's one-decision-per-round constraint backs this up. When the
    last approval the role needs lands, the case is qualified from the latest effective-from date among them; a
    rejection refers it back to clarification; a deferral defers it to a later wave.
    """
    try:
        return _decision_record(
            actor=actor,
            item=item,
            outcome=outcome,
            minutes=minutes,
            conditions=conditions,
            effective_from=effective_from,
        )
    except IntegrityError:
        raise TransitionNotAllowed(
            "This authority's decision on the case has just been recorded by someone else.",
            code="already_decided",
        ) from None


@transaction.atomic
def _decision_record(
    *,
    actor: Actor,
    item: AgendaItem,
    outcome: str,
    minutes: str,
    conditions: str,
    effective_from: dt.date | None,
) -> BoardDecision:
    perm.can_record_decision(actor).enforce()
    case = _locked_case(item.case)
    meeting = item.meeting
    body = meeting.body
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
    if problems:
        raise ValidationFailed("The decision is incomplete: " + ", ".join(sorted(problems)) + ".", details=problems)
    if case.state != S.AWAITING_APPROVAL:
        raise TransitionNotAllowed(
            f"Decisions are recorded on cases awaiting approval; {case.reference} is "
            f"{case.get_state_display().lower()}.",
            details={"state": case.state},
        )
    round_ = rules.current_round(case)
    if round_ is None:  # pragma: no cover - a case awaiting approval was always sent for approval
        raise TransitionNotAllowed("The case was never sent for approval.")
    if BoardDecision.objects.filter(round=round_, body=body).exists():
        raise TransitionNotAllowed(
            f"The {ch.APPROVER_NAMES[body]} has already decided on {case.reference} in this round.",
            code="already_decided",
        )
    if rules.current_recommendation(case, body) is None:
        raise TransitionNotAllowed(
            f"The {ch.APPROVER_NAMES[body]} cannot decide without the {body} recommendation on the latest Final QAD.",
            code="recommendation_missing",
            details={"body": body},
        )
    if approving and effective_from is not None and effective_from < meeting.meets_on - dt.timedelta(days=365):
        raise ValidationFailed("The effective-from date is implausibly early.", details={"effective_from": "early"})
    decision = BoardDecision.objects.create(
        reference=_next_reference(BoardDecision, "DEC"),
        agenda_item=item,
        case=case,
        body=body,
        round=round_,
        outcome=outcome,
        minutes=minutes.strip(),
        conditions=conditions.strip(),
        effective_from=effective_from if approving else None,
        decided_at=timezone.now(),
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.display_name[:200],
    )
    audit_record(
        actor=actor,
        action="assessment.decision.record",
        target=decision,
        organisation_id=_org_id(case),
        changes={
            "decision": decision.reference,
            "case": case.reference,
            "body": body,
            "outcome": outcome,
            "meeting": meeting.reference,
            **({"effective_from": effective_from.isoformat()} if approving and effective_from else {}),
        },
    )
    who = ch.APPROVER_NAMES[body]
    if approving:
        decisions = rules.round_approvals(case, round_)
        needed = ch.approvals_needed(case.participation.role)
        if all(b in decisions for b in needed):
            effective = max(d.effective_from for d in decisions.values() if d.effective_from is not None)
            summary = "; ".join(f"{ch.APPROVER_NAMES[b]} {decisions[b].reference}" for b in needed)
            case_transition(
                actor=actor, case=case, name="approve", comment=f"Approved: {summary}.", effective_date=effective
            )
    elif outcome == ch.DecisionOutcome.REJECT:
        case_transition(actor=actor, case=case, name="refer_back", comment=f"{who} rejected: {minutes.strip()}")
    else:
        case_transition(actor=actor, case=case, name="defer", comment=f"{who} deferred: {minutes.strip()}")
    label = ch.DecisionOutcome(outcome).label
    notify(
        recipients=[*rules.participant_editors(case), *rules.body_assessors(case, body)],
        kind=ch.NOTICE_DECISION_MADE,
        title=f"{case.reference}: {who} decision — {label}",
        body=(
            f"{case.participation.organisation.name} {case.participation.mpid} "
            f"{case.participation.get_role_display()}: the {who} decided “{label}” at its meeting on "
            f"{meeting.meets_on:%d %B %Y}."
            + (f"\nEffective from {effective_from:%d %B %Y}." if approving and effective_from else "")
            + (f"\nConditions: {conditions.strip()}" if conditions.strip() else "")
        ),
        link=_case_link(case),
    )
    return decision


# --- service activation ----------------------------------------------------------------------------------------------

ACTIVATABLE = frozenset({S.QUALIFIED, S.SERVICE_ACTIVATION})
_CHECKLIST = "service activation checklist"


def activation_record(
    *,
    actor: Actor,
    case: QualificationCase,
    item: str,
    evidence_reference: str,
    evidence_note: str = "",
    effective_date: dt.date | None = None,
    upload: IO[bytes] | None = None,
    upload_name: str = "",
    upload_size: int = 0,
) -> ActivationStep:
    """Record one service activation step with its evidence; the last step activates the service in the register.

    The first step moves a qualified case into service activation. The agreed effective date is the activation's
    effective date and cannot precede the qualification's. An optional evidence file is checked like QAD evidence
    and stored before the transaction (removed again if the transaction fails).
    """
    if item not in ch.ActivationItem.values:
        raise ValidationFailed(f"Unknown activation item {item!r}.", details={"item": "unknown"})
    perm.can_record_activation(actor, item).enforce()
    stored: dict[str, Any] = {}
    storage = storages["default"]
    if upload is not None:
        display_name, extension = ev.check_name(upload_name)
        ev.check_content(upload, extension, upload_size)
        reader = ev.HashingReader(upload, upload_size)
        content = File(reader, name=display_name)  # type: ignore[arg-type]  # a file-like reader
        stored_name = storage.save(f"activation/{case.uuid}/{uuid_mod.uuid4().hex}.{extension}", content)
        stored = {
            "evidence_name": display_name,
            "evidence_storage_name": stored_name,
            "evidence_sha256": reader.hexdigest(),
            "evidence_size": upload_size,
        }
    try:
        return _activation_record(
            actor=actor,
            case=case,
            item=item,
            evidence_reference=evidence_reference,
            evidence_note=evidence_note,
            effective_date=effective_date,
            stored=stored,
        )
    except BaseException:
        if stored:
            storage.delete(stored["evidence_storage_name"])
        raise


@transaction.atomic
def _activation_record(
    *,
    actor: Actor,
    case: QualificationCase,
    item: str,
    evidence_reference: str,
    evidence_note: str,
    effective_date: dt.date | None,
    stored: dict[str, Any],
) -> ActivationStep:
    case = _locked_case(case)
    if case.state not in ACTIVATABLE:
        raise TransitionNotAllowed(
            f"Service activation follows qualification; {case.reference} is {case.get_state_display().lower()}.",
            details={"state": case.state},
        )
    if not evidence_reference.strip():
        raise ValidationFailed("Give the evidence reference for this step.", details={"evidence_reference": "required"})
    if ActivationStep.objects.filter(case=case, item=item).exists():
        raise ValidationFailed(
            f"“{ch.ActivationItem(item).label}” is already recorded for {case.reference}.", details={"item": "done"}
        )
    if item == ch.ActivationItem.EFFECTIVE_DATE_AGREED:
        qualified_from = rules.qualified_from(case)
        if effective_date is None:
            raise ValidationFailed("Give the agreed effective date.", details={"effective_date": "required"})
        if qualified_from is not None and effective_date < qualified_from:
            raise ValidationFailed(
                f"The service cannot be effective before qualification ({qualified_from:%d %b %Y}).",
                details={"effective_date": "before_qualification"},
            )
    elif effective_date is not None:
        raise ValidationFailed("Only the effective-date step takes a date.", details={"effective_date": "not_here"})
    step = ActivationStep.objects.create(
        case=case,
        item=item,
        evidence_reference=evidence_reference.strip()[:300],
        evidence_note=evidence_note.strip(),
        effective_date=effective_date,
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.display_name[:200],
        **stored,
    )
    audit_record(
        actor=actor,
        action="assessment.activation.record",
        target=case,
        organisation_id=_org_id(case),
        changes={
            "item": item,
            "evidence_reference": step.evidence_reference,
            **({"evidence_sha256": stored["evidence_sha256"]} if stored else {}),
            **({"effective_date": effective_date.isoformat()} if effective_date else {}),
        },
    )
    label = ch.ActivationItem(item).label
    # The checklist moves the case on behalf of whoever completes it; the case's own record names the checklist,
    # and this step's audit event (above) names the person.
    mover = system_actor(_CHECKLIST)
    if case.state == S.QUALIFIED:
        case = case_transition(
            actor=mover, case=case, name="start_service_activation", comment=f"{label}: {actor.display_name}"
        )
    done = {s.item: s for s in ActivationStep.objects.filter(case=case)}
    if all(i in done for i in ch.ActivationItem.values):
        agreed = done[ch.ActivationItem.EFFECTIVE_DATE_AGREED].effective_date
        case_transition(
            actor=mover,
            case=case,
            name="activate",
            comment="Service activation checklist complete: "
            + "; ".join(f"{ch.ActivationItem(i).label} ({done[i].evidence_reference})" for i in ch.ActivationItem),
            effective_date=agreed,
        )
    return step


# --- reminders -------------------------------------------------------------------------------------------------------


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Send the daily query reminders: due soon and overdue to the participant, overdue answers to the reviewer.

    Idempotent: each (query, kind, due date) is reminded once however often the job runs; a new due date (after a
    follow-up) earns new reminders.
    """
    from qualify.assessment.models import QueryReminder

    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=setting_days("QUALIFY_QUERY_DUE_SOON_DAYS", ch.DUE_SOON_DAYS))
    sent = {ch.NOTICE_QUERY_DUE_SOON: 0, ch.NOTICE_QUERY_OVERDUE: 0}
    candidates = Query.objects.filter(state__in=[ch.QueryState.OPEN, ch.QueryState.ANSWERED]).select_related(
        "case__participation__organisation"
    )
    for query in candidates:
        if query.state == ch.QueryState.OPEN:
            due = query.response_due
            recipients = rules.participant_editors(query.case)
            whose = "your answer"
        else:
            if query.reviewer_due is None:
                continue
            due = query.reviewer_due
            recipients = rules.reviewers_for(query)
            whose = "the reviewer's reply"
        if due < today:
            kind = ch.NOTICE_QUERY_OVERDUE
        elif due <= soon and query.state == ch.QueryState.OPEN:
            kind = ch.NOTICE_QUERY_DUE_SOON
        else:
            continue
        with transaction.atomic():
            _, created = QueryReminder.objects.get_or_create(query=query, kind=kind, due_on=due)
            if not created:
                continue
            overdue = kind == ch.NOTICE_QUERY_OVERDUE
            notify(
                recipients=recipients,
                kind=kind,
                title=f"{query.reference} {'overdue' if overdue else 'due soon'}: {whose} was due {due:%d %b %Y}"
                if overdue
                else f"{query.reference} due soon: {whose} is due {due:%d %b %Y}",
                body=rules.quote(query),
                link=f"/assessment/queries/{query.uuid}/",
            )
            sent[kind] += 1
    return sent


def submission_received(applied: Any) -> None:
    """Case workflow effect: tell the bodies that own the submitted sections that a QAD arrived for review."""
    case: QualificationCase = applied.instance
    submission = QadSubmission.objects.filter(case=case).order_by("-pk").first()
    if submission is None:
        return
    owners = sorted({q["owner"] for q in json.loads(submission.content)["questions"]})
    for body in owners:
        notify(
            recipients=rules.body_reviewers(case, body),
            kind=ch.NOTICE_SUBMISSION_RECEIVED,
            title=f"{submission.reference}: {submission.get_kind_display()} QAD from "
            f"{case.participation.organisation.name} ({case.participation.mpid} {case.participation.role})",
            body=f"{case.reference} has sections owned by the {ch.APPROVER_NAMES[body]} ready for review.",
            link=_case_link(case),
        )
