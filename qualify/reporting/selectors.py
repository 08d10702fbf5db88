"""What the programme dashboard shows, each part in a fixed number of queries however large the market is.

Every part narrows the cases by the same filters as the programme overview (role, route, wave: ``CaseFilters``), so
a number on the dashboard and the list it links to always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncMonth

from qualify.assessment import rules as assessment_rules
from qualify.assessment.choices import FindingState
from qualify.assessment.models import AgendaItem, BoardMeeting, Finding, Query
from qualify.assessment.selectors import QueueFilters, overdue_q, review_queue
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.selectors import CaseFilters
from qualify.core.actor import Actor
from qualify.oversight.choices import RecordState
from qualify.oversight.models import NonCompletionRecord
from qualify.oversight.selectors import flagged_q
from qualify.participants.choices import MarketRole
from qualify.plan.choices import DeadlineKind, MilestoneMeaning
from qualify.plan.models import Milestone, Wave, WaveDeadline
from qualify.qad.choices import Body
from qualify.register.choices import RegisterEventKind
from qualify.register.models import RegisterEvent
from qualify.reporting.permissions import can_see_dashboard

# Where in the lifecycle a case is, in the order the stacked bars show them: few enough colours to read.
STAGES: tuple[tuple[str, str, frozenset[str]], ...] = (
    (
        "starting",
        "Starting (draft to scoped)",
        frozenset({CaseState.DRAFT, CaseState.PREQUAL_SUBMITTED, CaseState.SCOPED}),
    ),
    ("pit", "Pre-Integration Testing", frozenset({CaseState.PIT})),
    (
        "initial",
        "Initial QAD",
        frozenset({CaseState.INITIAL_QAD_SUBMITTED, CaseState.INITIAL_CLARIFICATION}),
    ),
    ("testing", "Testing", frozenset({CaseState.TESTING})),
    (
        "final",
        "Final QAD to approval",
        frozenset(
            {
                CaseState.FINAL_QAD_SUBMITTED,
                CaseState.FINAL_CLARIFICATION,
                CaseState.AGREED,
                CaseState.SIGNED,
                CaseState.AWAITING_APPROVAL,
            }
        ),
    ),
    (
        "qualified",
        "Qualified or active",
        frozenset({CaseState.QUALIFIED, CaseState.SERVICE_ACTIVATION, CaseState.ACTIVE}),
    ),
    (
        "stopped",
        "Deferred, non-completion, suspended",
        frozenset({CaseState.DEFERRED, CaseState.NON_COMPLETION, CaseState.SUSPENDED}),
    ),
    ("closed", "Withdrawn or revoked", frozenset({CaseState.WITHDRAWN, CaseState.REVOKED})),
)


def stage_of(state: str) -> str:
    """The dashboard stage of a case state; a state added later falls in "starting" until it is placed."""
    return next((key for key, _, states in STAGES if state in states), STAGES[0][0])


def stage_states(stage: str) -> list[str]:
    return sorted(next((states for key, _, states in STAGES if key == stage), frozenset()))


@dataclass
class Bars:
    """Stacked bars: one bar per category, one segment per stage; ``links`` are the lists behind each number."""

    categories: list[tuple[str, str]]  # (key, label)
    counts: dict[str, dict[str, int]]  # category -> stage -> n
    states: dict[str, dict[str, int]] = field(default_factory=dict)  # category -> state -> n

    def total(self, category: str) -> int:
        return sum(self.counts.get(category, {}).values())

    @property
    def grand_total(self) -> int:
        return sum(self.total(key) for key, _ in self.categories)


@dataclass
class BurnUp:
    """Cumulative qualified and active participations by month, against the plan (cases by their wave's target
    board date) and, for Suppliers, against M14."""

    months: list[dt.date]
    qualified: list[int]
    active: list[int]
    planned: list[int]
    deadline: dt.date | None
    deadline_label: str


@dataclass
class Overdue:
    body: str
    label: str
    queries: int
    reviews: int
    findings: int


@dataclass
class PipelineRow:
    meeting: BoardMeeting
    items: int
    decided: int


@dataclass
class TimelineRow:
    wave: Wave
    start: dt.date | None
    end: dt.date | None
    deadlines: list[WaveDeadline]


@dataclass
class Dashboard:
    filters: CaseFilters
    today: dt.date
    by_role: Bars
    by_wave: Bars
    burn_up: BurnUp
    overdue: list[Overdue]
    pipeline: list[PipelineRow]
    timeline: list[TimelineRow]
    non_completion: NonCompletion | None = None


def dashboard_filters(data: Any) -> CaseFilters:
    """Only role, route and wave narrow the dashboard; the other overview filters are about single cases."""
    given = CaseFilters.from_mapping(data)
    return CaseFilters(role=given.role, route=given.route, wave=given.wave)


def filtered_cases(actor: Actor, filters: CaseFilters) -> QuerySet[QualificationCase]:
    can_see_dashboard(actor).enforce()
    return filters.apply(QualificationCase.objects.visible_to(actor))


def _bars(rows: Sequence[Mapping[str, Any]], key: str, categories: list[tuple[str, str]]) -> Bars:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    states: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        category = row[key] or ""
        counts[category][stage_of(row["state"])] += row["n"]
        states[category][row["state"]] += row["n"]
    return Bars(categories=categories, counts=counts, states=states)


def cases_by_role(cases: QuerySet[QualificationCase]) -> Bars:
    rows = list(cases.values("participation__role", "state").annotate(n=Count("pk")).order_by())
    present = {r["participation__role"] for r in rows}
    return _bars(rows, "participation__role", [(v, str(lbl)) for v, lbl in MarketRole.choices if v in present])


def cases_by_wave(cases: QuerySet[QualificationCase]) -> Bars:
    rows = list(cases.values("wave__code", "state").annotate(n=Count("pk")).order_by())
    waves = list(Wave.objects.order_by("sequence", "code").values_list("code", "name"))
    present = {r["wave__code"] for r in rows}
    categories = [(code, name) for code, name in waves if code in present]
    if None in present:
        categories.append(("", "No wave yet"))
    return _bars(rows, "wave__code", categories)


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _cumulative(by_month: dict[dt.date, int], months: list[dt.date]) -> list[int]:
    total, out = 0, []
    for month in months:
        total += by_month.get(month, 0)
        out.append(total)
    return out


def burn_up(cases: QuerySet[QualificationCase], filters: CaseFilters, today: dt.date) -> BurnUp:
    """Each participation counts once, in the month of its first qualification (or activation) event; the plan
    counts each case in the month of its wave's target board decision."""
    participations = cases.values("participation_id")
    firsts: dict[str, dict[dt.date, int]] = {}
    for kind in (RegisterEventKind.QUALIFIED, RegisterEventKind.SERVICE_ACTIVATED):
        # A participation qualified twice (revoked, then qualified again) counts in its first month only.
        firsts[kind] = defaultdict(int)
        seen = (
            RegisterEvent.objects.filter(kind=kind, participation_id__in=participations)
            .values("participation_id")
            .annotate(first=_min_month())
            .values_list("first", flat=True)
        )
        for first in seen:
            firsts[kind][_as_date(first)] += 1
    plan_rows = (
        cases.filter(wave__deadlines__kind=DeadlineKind.TARGET_BOARD)
        .values("wave__deadlines__date")
        .annotate(n=Count("pk"))
        .order_by()
    )
    planned: dict[dt.date, int] = defaultdict(int)
    for row in plan_rows:
        planned[_month(row["wave__deadlines__date"])] += row["n"]
    m14 = Milestone.objects.filter(meaning=MilestoneMeaning.ALL_SUPPLIERS_QUALIFIED).first()
    deadline = m14.date if m14 is not None and filters.role in ("", MarketRole.SUPPLIER) else None
    known = [*firsts[RegisterEventKind.QUALIFIED], *firsts[RegisterEventKind.SERVICE_ACTIVATED], *planned]
    if deadline is not None:
        known.append(_month(deadline))
    if not known:
        return BurnUp([], [], [], [], deadline, "")
    start = min(known)
    end = max([*known, _month(today)])
    months = [start]
    while months[-1] < end:
        months.append(_next_month(months[-1]))
    return BurnUp(
        months=months,
        qualified=_cumulative(firsts[RegisterEventKind.QUALIFIED], months),
        active=_cumulative(firsts[RegisterEventKind.SERVICE_ACTIVATED], months),
        planned=_cumulative(planned, months),
        deadline=deadline,
        deadline_label=f"{m14.code}: every Supplier qualified" if deadline is not None and m14 is not None else "",
    )


def _min_month() -> Min:
    return Min(TruncMonth("effective_date"))


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def overdue_by_body(actor: Actor, cases: QuerySet[QualificationCase], today: dt.date) -> list[Overdue]:
    """Late queries (either side), late review clocks and findings past their due date, by Code Body."""
    case_ids = cases.values("pk")
    queries = dict(
        Query.objects.filter(case_id__in=case_ids)
        .filter(overdue_q(today))
        .exclude(case__state__in=list(assessment_rules.LEFT_REVIEW))
        .values("body")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("body", "n")
    )
    findings = dict(
        Finding.objects.filter(case_id__in=case_ids, due_date__lt=today)
        .exclude(state=FindingState.CLOSED)
        .values("body")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("body", "n")
    )
    rows = []
    for body, label in Body.choices:
        queue = review_queue(actor=actor, filters=QueueFilters(body=body, overdue=True), today=today)
        rows.append(
            Overdue(
                body=body,
                label=str(label),
                queries=queries.get(body, 0),
                reviews=queue.count(),
                findings=findings.get(body, 0),
            )
        )
    return rows


def board_pipeline(today: dt.date, *, meetings: int = 3) -> list[PipelineRow]:
    """The next meetings of any approving body, with the cases on their agendas and how many are decided."""
    upcoming = list(BoardMeeting.objects.filter(meets_on__gte=today).order_by("meets_on", "body")[:meetings])
    counts: dict[int, dict[str, int]] = {
        row["meeting_id"]: {"items": row["items"], "decided": row["decided"]}
        for row in AgendaItem.objects.filter(meeting__in=upcoming)
        .values("meeting_id")
        .annotate(items=Count("pk"), decided=Count("pk", filter=Q(decision__isnull=False)))
        .order_by()
    }
    return [
        PipelineRow(
            meeting=m, items=counts.get(m.pk, {}).get("items", 0), decided=counts.get(m.pk, {}).get("decided", 0)
        )
        for m in upcoming
    ]


def wave_timeline(filters: CaseFilters) -> list[TimelineRow]:
    """Each wave's deadlines, from the first to the last; two queries."""
    waves = Wave.objects.order_by("sequence", "code").prefetch_related("deadlines")
    if filters.wave:
        waves = waves.filter(code=filters.wave)
    rows = []
    for wave in waves:
        deadlines = sorted(wave.deadlines.all(), key=lambda d: (d.date, d.kind))
        rows.append(
            TimelineRow(
                wave=wave,
                start=deadlines[0].date if deadlines else None,
                end=deadlines[-1].date if deadlines else None,
                deadlines=deadlines,
            )
        )
    return rows


@dataclass
class NonCompletion:
    """Open Annex 4 records among the filtered cases, how many have a step past its due date, and the cases whose
    wave boards after the date their role must be qualified by (back-scheduling)."""

    open_records: int
    overdue_steps: int
    at_risk: int


def non_completion(actor: Actor, cases: QuerySet[QualificationCase], today: dt.date) -> NonCompletion:
    records = NonCompletionRecord.objects.filter(case__in=cases, state=RecordState.OPEN)
    counts = records.aggregate(n=Count("pk"), late=Count("pk", filter=Q(step_due__lt=today)))
    return NonCompletion(
        open_records=counts["n"], overdue_steps=counts["late"], at_risk=cases.filter(flagged_q()).count()
    )


def dashboard(*, actor: Actor, filters: CaseFilters, today: dt.date) -> Dashboard:
    cases = filtered_cases(actor, filters)
    return Dashboard(
        filters=filters,
        today=today,
        by_role=cases_by_role(cases),
        by_wave=cases_by_wave(cases),
        burn_up=burn_up(cases, filters, today),
        overdue=overdue_by_body(actor, cases, today),
        pipeline=board_pipeline(today),
        timeline=wave_timeline(filters),
        non_completion=non_completion(actor, cases, today),
    )
