"""Review of submitted QADs: reviewer assignment, per-question outcomes, queries and their reminders, findings
and work-off plans, and telling the owning bodies that a QAD arrived (DOMAIN.md §6)."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from qualify.assessment import choices as ch
from qualify.assessment import permissions as perm
from qualify.assessment import rules
from qualify.assessment.choices import QueryState
from qualify.assessment.models import (
    Finding,
    Query,
    QueryMessage,
    QuestionOutcome,
    ReviewAssignment,
    ReviewCompletion,
)
from qualify.assessment.services.common import S, case_link, check_body, create_numbered, locked_case, org_id_of
from qualify.assessment.workflow import FINDING_WORKFLOW, QUERY_WORKFLOW
from qualify.audit.services import audit_record
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.core import clock, storedfiles
from qualify.core.actor import Actor
from qualify.core.errors import TransitionNotAllowed, ValidationFailed
from qualify.core.text import clean_text
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.notifications.services import notify
from qualify.qad.models import EvidenceFile, QadResponse, QadSubmission
from qualify.qad.services import evidence_upload
from qualify.webhooks.choices import EventKind
from qualify.webhooks.services import emit

# --- reviews ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def review_assign(*, actor: Actor, case: QualificationCase, body: str, reviewer_id: int) -> ReviewAssignment:
    """A body assigns one of its assessors to review the sections of a case it owns."""
    check_body(body)
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
        organisation_id=org_id_of(case),
        changes={"body": body, "reviewer": getattr(user, "display_name", str(user))},
    )
    return assignment


COMPLETABLE = frozenset({S.FINAL_QAD_SUBMITTED, S.FINAL_CLARIFICATION})


@transaction.atomic
def review_complete(*, actor: Actor, case: QualificationCase, body: str, note: str = "") -> ReviewCompletion:
    """A body marks its review of the latest Final QAD complete (DOMAIN.md §4: the Final QAD is agreed only when
    every body that owns questions in it has completed its review).

    Only an assessor of that body can, only on a body that owns questions in the submission, and not while one of
    the body's own queries on the case is still open or answered but not closed.
    """
    check_body(body)
    perm.completes_review(actor, body).enforce()
    case = locked_case(case)
    if case.state not in COMPLETABLE:
        raise TransitionNotAllowed(
            f"A review is completed on a submitted Final QAD; {case.reference} is {case.get_state_display().lower()}.",
            details={"state": case.state},
        )
    final = rules.latest_final(case)
    if final is None:  # pragma: no cover - a case past its Final QAD submission always has one
        raise TransitionNotAllowed("There is no Final QAD submission to review.")
    if body not in rules.owning_bodies(final):
        raise ValidationFailed(
            f"The {ch.APPROVER_NAMES[body]} owns no question in {final.reference}: it has nothing to review.",
            details={"body": "owns_nothing"},
        )
    unclosed = list(Query.objects.filter(case=case, body=body).exclude(state=QueryState.CLOSED).order_by("pk"))
    if unclosed:
        raise TransitionNotAllowed(
            "Close the body's queries first: " + ", ".join(q.reference for q in unclosed[:8]) + ".",
            code="queries_open",
            details={"queries": [q.reference for q in unclosed[:8]]},
        )
    if ReviewCompletion.objects.filter(submission=final, body=body).exists():
        raise TransitionNotAllowed(
            f"The {ch.APPROVER_NAMES[body]} review of {final.reference} is already complete.", code="already_complete"
        )
    row = ReviewCompletion.objects.create(
        submission=final,
        body=body,
        completed_at=clock.now(),
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.display_name[:200],
        note=note.strip()[:2000],
    )
    audit_record(
        actor=actor,
        action="assessment.review.complete",
        target=case,
        organisation_id=org_id_of(case),
        changes={"body": body, "submission": final.reference},
    )
    return row


@transaction.atomic
def outcome_record(
    *, actor: Actor, submission: QadSubmission, question_id: str, outcome: str, comment: str = ""
) -> QuestionOutcome:
    """Record a reviewer's outcome for one submitted answer (satisfactory, query, not satisfactory)."""
    if outcome not in ch.Outcome.values:
        raise ValidationFailed(f"Unknown outcome {outcome!r}.", details={"outcome": outcome})
    question = rules.submitted_question(submission, question_id)
    perm.assesses_for(actor, question.owner).enforce()
    rules.require_assessed(submission.case, question)
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
        organisation_id=org_id_of(submission.case),
        changes={"question": question.qid, "outcome": {"before": before.outcome if before else None, "after": outcome}},
    )
    return row


def outcomes_carry_forward(*, actor: Actor, submission: QadSubmission) -> int:
    """Copy each settled outcome (satisfactory or not) of the previous submission of the same kind onto ``submission``
    where the answer and its evidence are unchanged, so reviewers review only what changed (a resubmission after
    clarification); a queried answer is reviewed again. An outcome already recorded on ``submission`` is kept. One
    audit event names the questions that came forward; returns how many."""
    previous = rules.previous_submission(submission, same_kind=True)
    if previous is None:
        return 0
    changes = rules.answer_changes(rules.submitted_questions(submission), rules.submitted_questions(previous))
    present = set(QuestionOutcome.objects.filter(submission=submission).values_list("question_id", flat=True))
    carried = [
        QuestionOutcome(
            submission=submission,
            question_id=old.question_id,
            body=old.body,
            outcome=old.outcome,
            comment=clean_text(
                f"Carried forward from {previous.reference} (answer and evidence unchanged). {old.comment}",
                limit=4000,
            ),
            recorded_by_id=old.recorded_by_id,
            recorded_by_name=old.recorded_by_name,
        )
        for old in QuestionOutcome.objects.filter(submission=previous).order_by("pk")
        if changes.get(old.question_id) == rules.UNCHANGED
        and old.question_id not in present
        and old.outcome != ch.Outcome.QUERY  # a queried answer is looked at again, with the query's answer
    ]
    if not carried:
        return 0
    QuestionOutcome.objects.bulk_create(carried)
    audit_record(
        actor=actor,
        action="assessment.outcome.carry_forward",
        target=submission,
        organisation_id=org_id_of(submission.case),
        changes={"from": previous.reference, "questions": sorted(o.question_id for o in carried)},
    )
    return len(carried)


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
    case = locked_case(submission.case)
    question = rules.submitted_question(submission, question_id)
    perm.assesses_for(actor, question.owner).enforce()
    rules.require_assessed(case, question)
    if not text.strip():
        raise ValidationFailed("Write the query.", details={"text": "required"})
    if case.state not in QUERYABLE:
        raise TransitionNotAllowed(
            f"Queries can be raised only while a submitted QAD is under review, not while the case is "
            f"{case.get_state_display().lower()}.",
            details={"state": case.state},
        )
    latest = rules.latest_submission(case)
    if latest is None or latest.pk != submission.pk:
        raise ValidationFailed(
            "Raise queries on the latest submission.", details={"submission": "superseded"}, code="superseded"
        )
    today = clock.today()
    due = response_due or today + dt.timedelta(days=settings.QUALIFY_QUERY_RESPONSE_DAYS)
    if due < today:
        raise ValidationFailed("The response-due date is in the past.", details={"response_due": "past"})
    now = clock.now()
    query = create_numbered(
        Query,
        "QRY",
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
        organisation_id=org_id_of(case),
        changes={"query": query.reference, "question": question.number, "response_due": due.isoformat()},
    )
    emit(
        EventKind.QUERY_RAISED,
        subject=query.reference,
        organisation_id=org_id_of(case),
        payload={"query": query.reference, "case": case.reference, "question": question.number, "response_due": due},
    )
    step = _CLARIFY.get(S(case.state))
    if step is not None:
        case_transition(actor=actor, case=case, name=step, comment=f"{query.reference} on {question.number}: {text}")
    notify(
        recipients=rules.participant_editors(case),
        kind=ch.NOTICE_QUERY_RAISED,
        title=f"{query.reference}: {ch.APPROVER_NAMES[query.body]} query on QAD {question.number}",
        body=f"{rules.quote(query)}\n\n{text.strip()}\n\nPlease answer by {due:%d %B %Y}.",
        link=reverse("assessment:query", args=[str(query.uuid)]),
        subject=query.case.reference,
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
    emit(
        EventKind.QUERY_ANSWERED,
        subject=query.reference,
        organisation_id=org_id_of(query.case),
        payload={"query": query.reference, "case": query.case.reference},
    )
    notify(
        recipients=rules.reviewers_for(query),
        kind=ch.NOTICE_QUERY_ANSWERED,
        title=f"{query.reference} answered by {query.case.participation.organisation.name}",
        body=f"{rules.quote(query)}\n\n{text.strip()}",
        link=reverse("assessment:query", args=[str(query.uuid)]),
        subject=query.case.reference,
    )
    return query


def query_answer_with_upload(
    *, actor: Actor, query: Query, text: str, upload: IO[bytes], name: str, size: int
) -> Query:
    """Answer a query with a new evidence file, which joins the case's QAD evidence for the query's question.

    Whether the query may be answered is checked before the file is stored, and the file's row and the answer are
    written in one transaction: a refused answer (the query was just closed, a double submit) leaves no evidence.
    """
    perm.query_answerer(actor, query).enforce()
    if query.state != ch.QueryState.OPEN:
        raise TransitionNotAllowed(
            f"{query.reference} is {QueryState(query.state).label.lower()}: it cannot be answered now.",
            details={"state": query.state},
        )
    if not text.strip():
        raise ValidationFailed("Write the answer.", details={"text": "required"})
    response = QadResponse.objects.filter(case_id=query.case_id).first()
    if response is None:
        raise ValidationFailed("This case has no QAD to hold the file.", details={"file": "no_qad"})
    with transaction.atomic():
        evidence = evidence_upload(
            actor=actor,
            response=response,
            upload=upload,
            name=name,
            size=size,
            evidence_as_of=clock.today(),
            question_ids=[query.question_id],
        )
        try:
            return query_answer(actor=actor, query=query, text=text, evidence=evidence)
        except BaseException:
            storedfiles.discard(evidence.storage_name)
            raise


@transaction.atomic
def query_follow_up(*, actor: Actor, query: Query, text: str, response_due: dt.date | None = None) -> Query:
    """The reviewer is not yet satisfied: the query goes back to the participant with a new due date."""
    if response_due is not None and response_due < clock.today():
        raise ValidationFailed("The new response-due date is in the past.", details={"response_due": "past"})
    query = _query_move(actor, query, "follow_up", text, response_due=response_due)
    notify(
        recipients=rules.participant_editors(query.case),
        kind=ch.NOTICE_QUERY_RAISED,
        title=f"{query.reference}: follow-up from the {ch.APPROVER_NAMES[query.body]}",
        body=f"{rules.quote(query)}\n\n{text.strip()}\n\nPlease answer by {query.response_due:%d %B %Y}.",
        link=reverse("assessment:query", args=[str(query.uuid)]),
        subject=query.case.reference,
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
    """A body records a defect or gap that remains; the participant then proposes a work-off plan.

    Only a body that approves the case's role records findings on it (DOMAIN.md §6): a finding holds up agreement,
    and a body that does not approve the role has no say on it.
    """
    check_body(body)
    perm.assesses_for(actor, body).enforce()
    if body not in ch.approvals_needed(case.participation.role):
        raise ValidationFailed(
            f"The {ch.APPROVER_NAMES[body]} does not approve the {case.participation.get_role_display()} role, so it "
            "records no findings on it.",
            details={"body": "not_needed"},
        )
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
    finding = create_numbered(
        Finding,
        "FND",
        case=case,
        body=body,
        question_id=question_id.strip(),
        title=title.strip()[:200],
        description=description.strip(),
        severity=severity,
        owner=owner.strip()[:200],
        due_date=due_date,
        condition_of_approval=condition_of_approval,
        state_changed_at=clock.now(),
        raised_by_name=actor.display_name[:200],
        internal_note=internal_note.strip(),
    )
    audit_record(
        actor=actor,
        action="assessment.finding.record",
        target=finding,
        organisation_id=org_id_of(case),
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


# --- reminders -------------------------------------------------------------------------------------------------------


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Send the daily query reminders: due soon and overdue to the participant, overdue answers to the reviewer.

    Idempotent: each (query, kind, due date) is reminded once however often the job runs; a new due date (after a
    follow-up) earns new reminders.
    """
    from qualify.assessment.models import QueryReminder

    today = today or clock.today()
    soon = today + dt.timedelta(days=settings.QUALIFY_QUERY_DUE_SOON_DAYS)
    sent = {ch.NOTICE_QUERY_DUE_SOON: 0, ch.NOTICE_QUERY_OVERDUE: 0}
    candidates = (
        Query.objects.filter(state__in=[ch.QueryState.OPEN, ch.QueryState.ANSWERED])
        .exclude(case__state__in=list(rules.LEFT_REVIEW))
        .select_related("case__participation__organisation", "submission")
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
                link=reverse("assessment:query", args=[str(query.uuid)]),
                subject=query.case.reference,
            )
            sent[kind] += 1
    return sent


def submission_received(applied: Any) -> None:
    """Case workflow effect: carry the reviewers' outcomes forward onto unchanged answers, and tell the bodies that
    own the submitted sections that a QAD arrived for review."""
    case: QualificationCase = applied.instance
    submission = rules.latest_submission(case)
    if submission is None:
        return
    outcomes_carry_forward(actor=applied.actor, submission=submission)
    for body in rules.owning_bodies(submission):
        notify(
            recipients=rules.body_reviewers(case, body),
            kind=ch.NOTICE_SUBMISSION_RECEIVED,
            title=f"{submission.reference}: {submission.get_kind_display()} from "
            f"{case.participation.organisation.name} ({case.participation.mpid} {case.participation.role})",
            body=f"{case.reference} has sections owned by the {ch.APPROVER_NAMES[body]} ready for review.",
            link=case_link(case),
            subject=case.reference,
        )
