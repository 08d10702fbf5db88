"""The Programme's control room over the API: non-completion records (list, one, decide a step) and back-scheduling.

Same services and selectors as the pages, so the same rules: another organisation's record is 404, a step that is
not yours is 403, a step already decided (or an outcome that does not exist) is 409, an incomplete plan is 422.
(No ``from __future__ import annotations`` here: Ninja reads the paginated handlers' annotations at import.)
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.requests import actor_of
from qualify.oversight import selectors as sel
from qualify.oversight.models import NonCompletionRecord
from qualify.oversight.services import PlanInput, record_decide
from qualify.oversight.services.records import COMMENT_MAX, LINE_MAX, MILESTONES_MAX, SUMMARY_MAX

router = Router(tags=["oversight"])


class NonCompletionRecordOut(Schema):
    reference: str
    case: str
    organisation: str
    mpid: str
    role: str
    state: str
    step: str
    step_label: str
    step_due: dt.date | None
    opened_on: dt.date
    closed_on: dt.date | None
    case_state_before: str
    sanction: str
    ladder_version: str

    @staticmethod
    def resolve_case(obj: NonCompletionRecord) -> str:
        return obj.case.reference

    @staticmethod
    def resolve_organisation(obj: NonCompletionRecord) -> str:
        return obj.case.participation.organisation.name

    @staticmethod
    def resolve_mpid(obj: NonCompletionRecord) -> str:
        return obj.case.participation.mpid

    @staticmethod
    def resolve_role(obj: NonCompletionRecord) -> str:
        return obj.case.participation.role

    @staticmethod
    def resolve_step_label(obj: NonCompletionRecord) -> str:
        step = obj.current_step
        return step.label if step else ""

    @staticmethod
    def resolve_ladder_version(obj: NonCompletionRecord) -> str:
        return obj.ladder.version


class TriggerOut(Schema):
    kind: str
    key: str
    due_on: dt.date | None
    detail: str


class OversightDecisionOut(Schema):
    position: int
    step: str
    outcome: str
    leads_to: str
    next_step: str
    sanction: str
    comment: str
    at: dt.datetime
    actor_name: str


class RemediationMilestoneOut(Schema):
    title: str
    owner: str
    due: str


class RemediationPlanOut(Schema):
    summary: str
    owner: str
    milestones: list[RemediationMilestoneOut]
    submitted_at: dt.datetime


class OversightOutcomeOut(Schema):
    code: str
    label: str
    leads_to: str
    next: str
    acts: str
    remediation_plan: bool


class StepOut(Schema):
    code: str
    label: str
    acts: str
    due_working_days: int
    outcomes: list[OversightOutcomeOut]


class RecordDetailOut(NonCompletionRecordOut):
    triggers: list[TriggerOut]
    decisions: list[OversightDecisionOut]
    plans: list[RemediationPlanOut]
    ladder: list[StepOut]

    @staticmethod
    def resolve_triggers(obj: NonCompletionRecord) -> list[Any]:
        return list(obj.triggers.all())

    @staticmethod
    def resolve_decisions(obj: NonCompletionRecord) -> list[Any]:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_plans(obj: NonCompletionRecord) -> list[Any]:
        return list(obj.plans.all())

    @staticmethod
    def resolve_ladder(obj: NonCompletionRecord) -> list[Any]:
        return list(obj.ladder.definition["steps"])


class MilestoneIn(Schema):
    title: str = Field(..., max_length=LINE_MAX)
    owner: str = Field("", max_length=LINE_MAX)
    due: dt.date


class PlanIn(Schema):
    summary: str = Field(..., max_length=SUMMARY_MAX)
    owner: str = Field(..., max_length=LINE_MAX)
    milestones: list[MilestoneIn] = Field(..., max_length=MILESTONES_MAX)


class OversightDecisionIn(Schema):
    step: str = Field(..., max_length=32, description="The step you are deciding (refused if it moved on meanwhile).")
    outcome: str = Field(..., max_length=32)
    comment: str = Field("", max_length=COMMENT_MAX)
    sanction: str = Field("", max_length=32)
    effective_date: dt.date | None = None
    plan: PlanIn | None = None


class RecordQuery(Schema):
    state: str | None = None
    step: str | None = None
    trigger: str | None = None


class FlagOut(Schema):
    case: str
    organisation: str
    mpid: str
    role: str
    wave: str
    board: dt.date | None
    qualified_by: dt.date | None


class BackSchedulingProposalOut(Schema):
    case: str
    qualified_by: dt.date | None
    wave: str | None
    wave_board: dt.date | None
    late: bool
    proposed_wave: str | None
    proposed_board: dt.date | None
    reason: str
    latest: dict[str, dt.date]
    durations: dict[str, int]


@router.get("/oversight/non-completion", response=list[NonCompletionRecordOut])
@paginate(BoundedLimitOffsetPagination)
def records(request: HttpRequest, filters: Query[RecordQuery]) -> QuerySet[NonCompletionRecord]:
    """Non-completion records: every one for staff, a participant's own for it (open ones by default)."""
    chosen = sel.RecordFilters.of(filters.state, filters.step, filters.trigger)
    return sel.record_list(actor=actor_of(request), filters=chosen)


@router.get("/oversight/non-completion/{reference}", response=RecordDetailOut)
def record(request: HttpRequest, reference: str) -> NonCompletionRecord:
    return sel.record_get(actor=actor_of(request), reference=reference)


@router.post("/oversight/non-completion/{reference}/decisions", response=RecordDetailOut)
def decide(request: HttpRequest, reference: str, payload: OversightDecisionIn) -> NonCompletionRecord:
    """Record the outcome of the record's current step (a remediation plan with it where the outcome needs one)."""
    actor = actor_of(request)
    found = sel.record_get(actor=actor, reference=reference)
    plan = (
        PlanInput(
            summary=payload.plan.summary,
            owner=payload.plan.owner,
            milestones=[m.dict() for m in payload.plan.milestones],
        )
        if payload.plan is not None
        else None
    )
    record_decide(
        actor=actor,
        record=found,
        step=payload.step,
        outcome=payload.outcome,
        comment=payload.comment,
        sanction=payload.sanction,
        effective_date=payload.effective_date,
        plan=plan,
    )
    return sel.record_get(actor=actor, reference=reference)


@router.get("/oversight/back-scheduling/flags", response=list[FlagOut])
@paginate(BoundedLimitOffsetPagination)
def flags(request: HttpRequest) -> list[dict[str, Any]]:
    """Cases whose wave boards after the date their role must be qualified by (staff only)."""
    from qualify.oversight.permissions import can_see_back_scheduling

    actor = actor_of(request)
    can_see_back_scheduling(actor).enforce()
    return [
        {
            "case": row.case.reference,
            "organisation": row.case.participation.organisation.name,
            "mpid": row.case.participation.mpid,
            "role": row.case.participation.role,
            "wave": row.case.wave.code if row.case.wave else "",
            "board": row.board,
            "qualified_by": row.qualified_by,
        }
        for row in sel.flagged_cases(actor=actor)
    ]


@router.get("/oversight/back-scheduling/cases/{reference}", response=BackSchedulingProposalOut)
def proposal(request: HttpRequest, reference: str) -> dict[str, Any]:
    found = sel.case_proposal(actor=actor_of(request), reference=reference)
    s, p = found.schedule, found.proposal
    return {
        "case": s.case.reference,
        "qualified_by": s.qualified_by,
        "wave": s.case.wave.code if s.case.wave else None,
        "wave_board": s.board,
        "late": s.late,
        "proposed_wave": p.wave.code if p.wave else None,
        "proposed_board": p.board,
        "reason": p.reason,
        "latest": p.latest,
        "durations": dict(found.durations.days),
    }
