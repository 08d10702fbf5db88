"""The assessment rules that other code asks about a case: what was submitted, who must be told, which
recommendations and decisions count, and the conditions the case workflow checks before its steps.

The case-step guards at the bottom are added to the case workflow from ``AssessmentConfig.ready()``: they make the
lifecycle wait for the assessment (queries closed, work-off plans agreed, every body recommended and approved).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.functions import TruncDate
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
    ReviewCompletion,
)
from qualify.cases.models import CaseTransition, QualificationCase
from qualify.core import clock
from qualify.core.errors import ValidationFailed
from qualify.core.roles import MembershipRole
from qualify.core.workflow import TransitionInput
from qualify.qad import rules as qad_rules
from qualify.qad.choices import SubmissionKind
from qualify.qad.models import QadQuestion, QadSubmission, SubmissionBody
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


def require_assessed(case: QualificationCase, question: QadQuestion) -> None:
    """Refuse a review, query or finding on a question its owner does not assess for the case's role.

    A body assesses only for the roles it approves (DOMAIN.md §2, §6): a question that reaches other roles is
    advisory for them (docs/qad-format.md), so a BSC query on a MEM's answer, say, must not hold up the MEM's case.
    """
    participation = case.participation
    if not qad_rules.assessed_for(question.owner, participation.role):
        raise ValidationFailed(
            f"Question {question.number} is advisory for a {participation.get_role_display()}: the "
            f"{ch.APPROVER_NAMES[question.owner]} does not approve that role, so it does not review, query or record "
            "findings on the answer.",
            details={"question_id": question.qid, "owner": "does_not_approve_role"},
            code="advisory_question",
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
    """The bodies that own at least one question of a submission, in a stable order (recorded when it was made)."""
    return sorted(SubmissionBody.objects.filter(submission=submission).values_list("body", flat=True))


def latest_submission(case: QualificationCase) -> QadSubmission | None:
    """The case's latest QAD submission, Initial or Final: the one under review."""
    found: QadSubmission | None = QadSubmission.objects.filter(case=case).order_by("-pk").first()
    return found


def latest_final(case: QualificationCase) -> QadSubmission | None:
    """The case's latest Final submission, without its snapshot (read only if a caller asks for it)."""
    found: QadSubmission | None = (
        QadSubmission.objects.filter(case=case, kind=SubmissionKind.FINAL).defer("content").order_by("-pk").first()
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
    final_id = (
        QadSubmission.objects.filter(case=case, kind=SubmissionKind.FINAL)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if final_id is None:
        return None
    latest: BodyRecommendation | None = (
        BodyRecommendation.objects.filter(case=case, body=body).order_by("-recorded_at", "-pk").first()
    )
    return latest if latest is not None and latest.submission_id == final_id else None


def round_approvals(case: QualificationCase, round_: CaseTransition | None) -> dict[str, BoardDecision]:
    if round_ is None:
        return {}
    standing = BoardDecision.objects.filter(case=case, round=round_, outcome__in=list(ch.APPROVING), voided_at=None)
    return {d.body: d for d in standing}


def qualified_from(case: QualificationCase) -> dt.date | None:
    step = CaseTransition.objects.filter(case=case, name="approve").order_by("-at", "-pk").first()
    return step.effective_date if step is not None else None


# --- clocks ----------------------------------------------------------------------------------------------------------


def participant_owed_intervals(turns: Iterable[tuple[str, dt.date]]) -> list[Interval]:
    """From a query's messages (kind and UK day, in time order), the spans during which the participant owed the
    answer; an open one ends None."""
    spans: list[Interval] = []
    start: dt.date | None = None
    for kind, day in turns:
        if kind in (ch.QueryMessageKind.RAISED, ch.QueryMessageKind.FOLLOW_UP):
            start = start or day
        elif start is not None:
            spans.append((start, day))
            start = None
    if start is not None:
        spans.append((start, None))
    return spans


def review_days() -> int:
    """How many days a body has to review a submission, before the clock's pauses."""
    return int(settings.QUALIFY_REVIEW_DAYS)


def owed_pauses(submission_ids: Collection[int], *, body: str | None = None) -> dict[tuple[int, str], list[Interval]]:
    """The pauses of each (submission, body) clock: the spans the participant owed an answer to one of the body's
    queries on the submission.

    One query whatever the number of submissions, reading each message once, with its day in the current time zone
    worked out by the database; the messages are grouped by query in one pass and each query's turned into spans.
    """
    messages = QueryMessage.objects.filter(query__submission_id__in=list(submission_ids))
    if body is not None:
        messages = messages.filter(query__body=body)
    turns: dict[int, list[tuple[str, dt.date]]] = {}
    clock_of: dict[int, tuple[int, str]] = {}
    for query_id, submission_id, query_body, kind, day in messages.order_by("at", "pk").values_list(
        "query_id", "query__submission_id", "query__body", "kind", TruncDate("at")
    ):
        turns.setdefault(query_id, []).append((kind, day))
        clock_of[query_id] = (submission_id, query_body)
    pauses: dict[tuple[int, str], list[Interval]] = {}
    for query_id, query_turns in turns.items():
        pauses.setdefault(clock_of[query_id], []).extend(participant_owed_intervals(query_turns))
    return pauses


def body_clocks(started: Mapping[int, dt.date], body: str, *, today: dt.date | None = None) -> dict[int, Clock]:
    """One body's clock on each of several submissions it owns questions of (submission id → the day it was made)."""
    today = today or clock.today()
    allowed = review_days()
    pauses = owed_pauses(list(started), body=body)
    return {
        submission_id: review_clock(
            started_on=day, allowed_days=allowed, pauses=pauses.get((submission_id, body), []), today=today
        )
        for submission_id, day in started.items()
    }


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
    today = today or clock.today()
    allowed = review_days()
    owners: dict[int, list[str]] = {}
    for submission_id, body in (
        SubmissionBody.objects.filter(submission__in=submissions).order_by("body").values_list("submission_id", "body")
    ):
        owners.setdefault(submission_id, []).append(body)
    pauses = owed_pauses([s.pk for s in submissions])
    return {
        submission.pk: [
            BodyClock(
                body,
                submission,
                review_clock(
                    started_on=timezone.localdate(submission.created_at),
                    allowed_days=allowed,
                    pauses=pauses.get((submission.pk, body), []),
                    today=today,
                ),
            )
            for body in owners.get(submission.pk, [])
        ]
        for submission in submissions
    }


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


def reviews_completed(submission: QadSubmission) -> dict[str, ReviewCompletion]:
    """Each body's completed review of a submission, by body."""
    return {r.body: r for r in ReviewCompletion.objects.filter(submission=submission)}


def every_body_reviewed(case: QualificationCase, data: TransitionInput) -> str | None:
    """Every body that owns questions in the latest Final QAD has marked its review complete (not any one body)."""
    final = latest_final(case)
    if final is None:
        return "There is no Final QAD submission to agree."
    done = reviews_completed(final)
    missing = [ch.APPROVER_NAMES.get(b, b) for b in owning_bodies(final) if b not in done]
    if missing:
        return (
            f"Each reviewing body must mark its review of {final.reference} complete first: " + ", ".join(missing) + "."
        )
    return None


def agreeable(case: QualificationCase, data: TransitionInput) -> str | None:
    """Content agreed complete: every query closed, every work-off plan agreed, every reviewing body done."""
    return plans_agreed(case, data) or every_body_reviewed(case, data)


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


def rejected_in_round(case: QualificationCase, data: TransitionInput) -> str | None:
    """Referring a case back is a board's rejection, recorded with its reasons as findings (``decision_record``)."""
    round_ = current_round(case)
    if (
        round_ is None
        or not BoardDecision.objects.filter(case=case, round=round_, outcome=ch.DecisionOutcome.REJECT).exists()
    ):
        return "A case goes back to clarification by a board's rejection: record it, with its reasons, at a meeting."
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
    "agree": agreeable,
    "send_for_approval": every_body_recommended,
    "approve": every_body_approved,
    "refer_back": rejected_in_round,
    "activate": checklist_complete,
}


# How an answer stands against the submission before it (a resubmission after clarification, or the Final QAD).
NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
CHANGE_LABELS = {NEW: "New", CHANGED: "Changed", UNCHANGED: "Unchanged"}


def _fingerprint(question: dict[str, Any]) -> str:
    """An answer and its evidence (by SHA-256, in any order) as one comparable text."""
    evidence = sorted(str(e.get("sha256", "")) for e in question.get("evidence", []))
    return json.dumps({"answer": question.get("answer"), "evidence": evidence}, sort_keys=True, default=str)


def answer_changes(newer: list[dict[str, Any]], older: list[dict[str, Any]]) -> dict[str, str]:
    """Each question of ``newer`` (snapshot questions) as new, changed or unchanged against ``older``: its answer
    and its evidence files, by content, compared."""
    before = {q["id"]: _fingerprint(q) for q in older}
    changes = {}
    for question in newer:
        was = before.get(question["id"])
        changes[question["id"]] = NEW if was is None else (UNCHANGED if was == _fingerprint(question) else CHANGED)
    return changes


def previous_submission(submission: QadSubmission, *, same_kind: bool = False) -> QadSubmission | None:
    """The case's submission just before ``submission`` (of the same kind, when asked), or None; its snapshot is read
    only when used."""
    qs = QadSubmission.objects.filter(case_id=submission.case_id, pk__lt=submission.pk).defer("content")
    if same_kind:
        qs = qs.filter(kind=submission.kind)
    return qs.order_by("-pk").first()
