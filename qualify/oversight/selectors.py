"""Reads of the Programme's control room, narrowed to who asks (``visible_to``): a participant sees its own records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from qualify.cases.choices import BEFORE_QUALIFIED, CaseState
from qualify.cases.models import QualificationCase
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.oversight import backschedule as bs
from qualify.oversight.choices import RecordState, TriggerKind
from qualify.oversight.models import NonCompletionRecord, NonCompletionTrigger, RemediationPlan, StepDecision
from qualify.participants.choices import MarketRole
from qualify.plan.choices import MilestoneMeaning
from qualify.plan.models import Milestone, Wave

# Cases still on their way to qualification (or held on the way): the ones back-scheduling can flag.
NOT_YET_QUALIFIED = [*BEFORE_QUALIFIED, CaseState.DEFERRED, CaseState.NON_COMPLETION]


@dataclass(frozen=True)
class RecordFilters:
    state: str = RecordState.OPEN
    step: str = ""
    trigger: str = ""

    @classmethod
    def of(cls, state: str | None, step: str | None, trigger: str | None) -> RecordFilters:
        return cls(
            state=state if state in RecordState.values or state == "ALL" else RecordState.OPEN,
            step=(step or "")[:32],
            trigger=trigger if trigger in TriggerKind.values else "",
        )


def record_list(*, actor: Actor, filters: RecordFilters | None = None) -> QuerySet[NonCompletionRecord]:
    filters = filters or RecordFilters()
    qs = NonCompletionRecord.objects.visible_to(actor).select_related(
        "case__participation__organisation", "case__wave", "ladder"
    )
    if filters.state != "ALL":
        qs = qs.filter(state=filters.state)
    if filters.step:
        qs = qs.filter(step=filters.step)
    if filters.trigger:
        qs = qs.filter(triggers__kind=filters.trigger).distinct()
    return qs.order_by("step_due", "-opened_on", "-pk")


def record_get(*, actor: Actor, reference: str) -> NonCompletionRecord:
    found: NonCompletionRecord | None = (
        NonCompletionRecord.objects.visible_to(actor)
        .select_related("case__participation__organisation", "case__wave", "ladder")
        .prefetch_related(  # type: ignore[type-var]  # django-stubs cannot type several Prefetch objects at once
            Prefetch("triggers", queryset=NonCompletionTrigger.objects.order_by("due_on", "pk")),
            Prefetch("decisions", queryset=StepDecision.objects.order_by("position")),
            Prefetch("plans", queryset=RemediationPlan.objects.order_by("-submitted_at", "-pk")),
        )
        .filter(reference=reference[:16])
        .first()
    )
    if found is None:
        raise NotFound("No such non-completion record.")
    return found


# --- back-scheduling -------------------------------------------------------------------------------------------------


def _m14() -> dt.date | None:
    found: dt.date | None = (
        Milestone.objects.filter(meaning=MilestoneMeaning.ALL_SUPPLIERS_QUALIFIED, date__isnull=False)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    return found


def wave_plans() -> list[bs.WavePlan]:
    waves = Wave.objects.prefetch_related("deadlines").order_by("sequence", "code")
    return [bs.WavePlan(w.code, w.name, w.sequence, {d.kind: d.date for d in w.deadlines.all()}) for w in waves]


@dataclass(frozen=True)
class CaseSchedule:
    case: QualificationCase
    qualified_by: dt.date | None
    board: dt.date | None
    late: bool


def _schedule(
    case: QualificationCase, plans: dict[str, bs.WavePlan], m14: dt.date | None, d: bs.Durations
) -> CaseSchedule:
    need = bs.qualified_by(
        role=case.participation.role, target_migration=case.target_migration_date, m14=m14, durations=d
    )
    wave = plans.get(case.wave.code) if case.wave else None
    board = bs.board_date(wave, d) if wave else None
    return CaseSchedule(case, need, board, bs.is_late(board, need))


def flagged_cases(*, actor: Actor) -> list[CaseSchedule]:
    """Every case not yet qualified whose wave boards after the date its role must be qualified by (four queries)."""
    durations = bs.configured_durations()
    m14 = _m14()
    plans = {p.code: p for p in wave_plans()}
    cases = (
        QualificationCase.objects.visible_to(actor)
        .filter(state__in=NOT_YET_QUALIFIED, wave__isnull=False)
        .select_related("participation__organisation", "wave")
        .order_by("reference")
    )
    rows = (_schedule(c, plans, m14, durations) for c in cases)
    return [row for row in rows if row.late]


def flagged_first(*, actor: Actor, limit: int) -> tuple[int, list[CaseSchedule]]:
    """How many cases ``flagged_q`` flags, and the first ``limit`` of them by reference with their dates: the count
    in the database, the dates worked out only for the rows shown (a report lists a bounded number)."""
    durations = bs.configured_durations()
    m14 = _m14()
    plans = {p.code: p for p in wave_plans()}
    flagged = (
        QualificationCase.objects.visible_to(actor)
        .filter(flagged_q())
        .select_related("participation__organisation", "wave")
        .order_by("reference")
    )
    return flagged.count(), [_schedule(c, plans, m14, durations) for c in flagged[:limit]]


def flagged_q() -> Q:
    """The same cases as ``flagged_cases``, as one filter the database can count: a case is late when its wave's
    board falls after its target migration date less the activation time, or, for a Supplier, after M14 (the two
    dates ``backschedule.qualified_by`` takes the earlier of). One condition per wave, two queries to build."""
    durations = bs.configured_durations()
    m14 = _m14()
    activation = dt.timedelta(days=durations.after(bs.ACTIVATION))
    late = Q(pk__in=[])
    for plan in wave_plans():
        board = bs.board_date(plan, durations)
        if board is None:
            continue
        in_wave = Q(target_migration_date__lt=board + activation)
        if m14 is not None and board > m14:
            in_wave |= Q(participation__role=MarketRole.SUPPLIER)
        late |= Q(wave__code=plan.code) & in_wave
    return Q(state__in=NOT_YET_QUALIFIED) & late


@dataclass(frozen=True)
class CaseProposal:
    schedule: CaseSchedule
    proposal: bs.Proposal
    durations: bs.Durations


def case_proposal(*, actor: Actor, reference: str) -> CaseProposal:
    """One case's back-schedule: the date it must be qualified by, its wave's board date, and the wave to propose."""
    case = (
        QualificationCase.objects.visible_to(actor)
        .select_related("participation__organisation", "wave")
        .filter(reference=reference[:16])
        .first()
    )
    if case is None:
        raise NotFound("No such case.")
    durations = bs.configured_durations()
    plans = wave_plans()
    schedule = _schedule(case, {p.code: p for p in plans}, _m14(), durations)
    proposal = bs.propose(qualified=schedule.qualified_by, waves=plans, durations=durations, today=clock.today())
    return CaseProposal(schedule, proposal, durations)


def outcome_choices(record: NonCompletionRecord, actor: Actor) -> list[dict[str, Any]]:
    """The current step's outcomes this person may record, in words (for the page's controls only)."""
    from qualify.oversight.permissions import acts_as

    step = record.current_step
    if step is None:
        return []
    organisation_id = int(record.case.participation.organisation_id)
    return [
        {"code": o.code, "label": o.label, "leads_to": o.leads_to, "plan": o.remediation_plan}
        for o in step.outcomes
        if acts_as(actor, step.who_for(o), organisation_id).allowed
    ]
