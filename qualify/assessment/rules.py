"""The assessment rules that other code asks about a case: what was submitted, who must be told, which
recommendations and decisions count, and the conditions the case workflow checks before its steps.

The case-step guards at the bottom are added to the case workflow from ``AssessmentConfig.ready()``: they make the
lifecycle wait for the assessment (queries closed, work-off plans agreed, every body recommended and approved).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from qualify.assessment import choices as ch
from qualify.assessment.clock import Clock, Interval, review_clock
from qualify.assessment.models import (
    BoardDecision,
    BodyRecommendation,
    Finding,
    Query,
    QueryMessage,
    ReviewAssignment,
)
from qualify.assessment.workflow import setting_days
from qualify.cases.models import CaseTransition, QualificationCase
from qualify.core.errors import ValidationFailed
from qualify.core.roles import MembershipRole
from qualify.core.workflow import TransitionInput
from qualify.qad.choices import SubmissionKind
from qualify.qad.models import QadQuestion, QadSubmission
from qualify.qad.selectors import submission_questions

# Cases that left review (withdrawn, deferred, non-completion, revoked): their open queries are owed by nobody, so they
# are not reminded or listed as overdue; they stay on record and count again if the case resumes.
LEFT_REVIEW = frozenset({"WITHDRAWN", "DEFERRED", "NON_COMPLETION", "REVOKED"})


def submitted_question(submission: QadSubmission, question_id: str) -> QadQuestion:
    """The question as it was in the submission's version, refused unless it was part of that submission."""
    submitted = {q["id"] for q in submitted_questions(submission)}
    for question in submission_questions(submission):
        if question.qid == question_id and question.qid in submitted:
            return question
    raise ValidationFailed(
        f"{submission.reference} has no question {question_id!r}.", details={"question_id": "not_in_submission"}
    )


def quote(query: Query) -> str:
    """How a query names what it is about (DOMAIN.md §5: organisation, role, section and question number)."""
    p = query.case.participation
    return (
        f"{p.organisation.name} · {p.mpid} {p.get_role_display()} · QAD {query.submission.qad_version} "
        f"section {query.section_number}, question {query.question_number} ({query.submission.reference})"
    )


def participant_editors(case: QualificationCase) -> list[int]:
    """The people who answer for the participant: its qualification leads and contributors."""
    users = get_user_model()._default_manager.filter(
        is_active=True,
        memberships__organisation_id=case.participation.organisation_id,
        memberships__role__in=[MembershipRole.LEAD, MembershipRole.CONTRIBUTOR],
    )
    return list(users.values_list("pk", flat=True))


def body_assessors(case: QualificationCase, body: str) -> list[int]:
    users = get_user_model()._default_manager.filter(is_active=True, staff_role=ch.ROLE_OF_BODY[body])
    return list(users.values_list("pk", flat=True))


def body_reviewers(case: QualificationCase, body: str) -> list[int]:
    """The assigned reviewer of the body for the case, or every assessor of the body while none is assigned."""
    assigned = ReviewAssignment.objects.filter(case=case, body=body).values_list("reviewer_id", flat=True).first()
    return [int(assigned)] if assigned is not None else body_assessors(case, body)


def reviewers_for(query: Query) -> list[int]:
    """Who hears about a query's answer: whoever raised it and the body's assigned reviewer."""
    ids = set(body_reviewers(query.case, query.body)) if query.raised_by_id is None else {int(query.raised_by_id)}
    assigned = ReviewAssignment.objects.filter(case=query.case, body=query.body).values_list("reviewer_id", flat=True)
    ids.update(int(i) for i in assigned)
    return sorted(ids)


def submitted_questions(submission: QadSubmission) -> list[dict[str, Any]]:
    """The questions as frozen in a submission's snapshot (id, number, owner, answer, evidence)."""
    questions: list[dict[str, Any]] = json.loads(submission.content)["questions"]
    return questions


def owning_bodies(submission: QadSubmission) -> list[str]:
    """The bodies that own at least one question of a submission, in a stable order."""
    return sorted({q["owner"] for q in submitted_questions(submission)})


def latest_submission(case: QualificationCase) -> QadSubmission | None:
    """The case's latest QAD submission, Initial or Final: the one under review."""
    found: QadSubmission | None = QadSubmission.objects.filter(case=case).order_by("-pk").first()
    return found


def latest_final(case: QualificationCase) -> QadSubmission | None:
    found: QadSubmission | None = (
        QadSubmission.objects.filter(case=case, kind=SubmissionKind.FINAL).order_by("-pk").first()
    )
    return found


def open_conditions(case: QualificationCase, body: str) -> list[Finding]:
    return list(
        Finding.objects.filter(case=case, body=body, condition_of_approval=True).exclude(state=ch.FindingState.CLOSED)
    )


def current_round(case: QualificationCase) -> CaseTransition | None:
    """The case's latest "send to the approving bodies" step: decisions count only within it."""
    found: CaseTransition | None = (
        CaseTransition.objects.filter(case=case, name="send_for_approval").order_by("-at", "-pk").first()
    )
    return found


def current_recommendation(case: QualificationCase, body: str) -> BodyRecommendation | None:
    """The body's latest recommendation, if it was made on the latest Final QAD submission."""
    final = latest_final(case)
    if final is None:
        return None
    latest: BodyRecommendation | None = (
        BodyRecommendation.objects.filter(case=case, body=body).order_by("-recorded_at", "-pk").first()
    )
    return latest if latest is not None and latest.submission_id == final.pk else None


def round_approvals(case: QualificationCase, round_: CaseTransition | None) -> dict[str, BoardDecision]:
    if round_ is None:
        return {}
    return {d.body: d for d in BoardDecision.objects.filter(case=case, round=round_, outcome__in=list(ch.APPROVING))}


def qualified_from(case: QualificationCase) -> dt.date | None:
    step = CaseTransition.objects.filter(case=case, name="approve").order_by("-at", "-pk").first()
    return step.effective_date if step is not None else None


# --- clocks ----------------------------------------------------------------------------------------------------------


def participant_owed_intervals(messages: list[QueryMessage], today: dt.date) -> list[Interval]:
    """From a query's messages, the spans during which the participant owed the answer (open ones end None)."""
    spans: list[Interval] = []
    start: dt.date | None = None
    for m in messages:
        day = timezone.localdate(m.at)
        if m.kind in (ch.QueryMessageKind.RAISED, ch.QueryMessageKind.FOLLOW_UP):
            start = start or day
        elif start is not None:
            spans.append((start, day))
            start = None
    if start is not None:
        spans.append((start, None))
    return spans


@dataclass(frozen=True)
class BodyClock:
    body: str
    submission: QadSubmission
    clock: Clock


def review_clocks(case: QualificationCase, *, today: dt.date | None = None) -> list[BodyClock]:
    """Each owning body's clock on the latest submission: due N days after it, stopped while queries are owed."""
    submission = latest_submission(case)
    if submission is None:
        return []
    return clocks_for_submissions([submission], today=today).get(submission.pk, [])


def clocks_for_submissions(
    submissions: list[QadSubmission], *, today: dt.date | None = None
) -> dict[int, list[BodyClock]]:
    """The owning bodies' clocks on each of several submissions, in two queries whatever their number."""
    today = today or timezone.localdate()
    by_id = {s.pk: s for s in submissions}
    body_of: dict[int, str] = {}
    submission_of: dict[int, int] = {}
    for pk, body, submission_id in Query.objects.filter(submission_id__in=list(by_id)).values_list(
        "pk", "body", "submission_id"
    ):
        body_of[pk] = body
        submission_of[pk] = submission_id
    messages: dict[int, list[QueryMessage]] = {}
    for m in QueryMessage.objects.filter(query_id__in=list(body_of)).order_by("at", "pk"):
        messages.setdefault(m.query_id, []).append(m)
    allowed = setting_days("QUALIFY_REVIEW_DAYS", ch.REVIEW_DAYS)
    result: dict[int, list[BodyClock]] = {}
    for submission in submissions:
        owners = owning_bodies(submission)
        started = timezone.localdate(submission.created_at)
        clocks = []
        for body in owners:
            pauses = [
                span
                for qid, msgs in messages.items()
                if body_of[qid] == body and submission_of[qid] == submission.pk
                for span in participant_owed_intervals(msgs, today)
            ]
            clock = review_clock(started_on=started, allowed_days=allowed, pauses=pauses, today=today)
            clocks.append(BodyClock(body, submission, clock))
        result[submission.pk] = clocks
    return result


# --- conditions on case steps ----------------------------------------------------------------------------------------


def _refs(queries: list[Query]) -> str:
    return ", ".join(q.reference for q in queries[:8]) + (" …" if len(queries) > 8 else "")


def no_queries_owed(case: QualificationCase, data: TransitionInput) -> str | None:
    owed = list(Query.objects.filter(case=case, state=ch.QueryState.OPEN).order_by("pk"))
    if owed:
        return f"Answer the open queries first: {_refs(owed)}."
    return None


def all_queries_closed(case: QualificationCase, data: TransitionInput) -> str | None:
    unclosed = list(Query.objects.filter(case=case).exclude(state=ch.QueryState.CLOSED).order_by("pk"))
    if unclosed:
        return f"The reviewers must close every query first: {_refs(unclosed)}."
    return None


def plans_agreed(case: QualificationCase, data: TransitionInput) -> str | None:
    reason = all_queries_closed(case, data)
    if reason:
        return reason
    pending = list(
        Finding.objects.filter(case=case, state__in=[ch.FindingState.OPEN, ch.FindingState.PLAN_PROPOSED]).order_by(
            "pk"
        )
    )
    if pending:
        return "Every finding needs an agreed work-off plan or to be closed: " + ", ".join(f.reference for f in pending)
    return None


def every_body_recommended(case: QualificationCase, data: TransitionInput) -> str | None:
    missing = [
        ch.APPROVER_NAMES[b]
        for b in ch.approvals_needed(case.participation.role)
        if current_recommendation(case, b) is None
    ]
    if missing:
        return "Recommendations on the latest Final QAD are missing from: " + ", ".join(missing) + "."
    return None


def every_body_approved(case: QualificationCase, data: TransitionInput) -> str | None:
    decisions = round_approvals(case, current_round(case))
    missing = [ch.APPROVER_NAMES[b] for b in ch.approvals_needed(case.participation.role) if b not in decisions]
    if missing:
        return "Qualification needs the approval of: " + ", ".join(missing) + " (record their board decisions)."
    return None


def checklist_complete(case: QualificationCase, data: TransitionInput) -> str | None:
    from qualify.assessment.models import ActivationStep

    done = set(ActivationStep.objects.filter(case=case).values_list("item", flat=True))
    missing = [str(ch.ActivationItem(i).label) for i in ch.ActivationItem.values if i not in done]
    if missing:
        return "The service activation checklist is incomplete: " + ", ".join(missing) + "."
    return None


CASE_GUARDS = {
    "answer_initial_clarification": no_queries_owed,
    "answer_final_clarification": no_queries_owed,
    "start_testing": all_queries_closed,
    "agree": plans_agreed,
    "send_for_approval": every_body_recommended,
    "approve": every_body_approved,
    "activate": checklist_complete,
}
