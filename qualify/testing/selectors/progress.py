"""A case's testing progress in a constant number of queries, whatever the number of runs (DOMAIN.md §10a)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count

from qualify.cases.models import QualificationCase
from qualify.core import clock
from qualify.plan.choices import DeadlineKind
from qualify.plan.models import WaveDeadline
from qualify.testing.choices import DefectState, ExecutionStatus
from qualify.testing.models import Defect, Execution, ScopeRecord


@dataclass(frozen=True)
class Progress:
    """What the home card, the case page and the assessment page show about a case's testing."""

    scoped: bool
    required: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    open_defects: int = 0
    qt_deadline: dt.date | None = None

    def count(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def passed(self) -> int:
        return self.count(ExecutionStatus.PASSED)

    @property
    def failed(self) -> int:
        return self.count(ExecutionStatus.FAILED)

    @property
    def blocked(self) -> int:
        return self.count(ExecutionStatus.BLOCKED)

    @property
    def not_applicable(self) -> int:
        return self.count(ExecutionStatus.NOT_APPLICABLE)

    @property
    def not_run(self) -> int:
        run = sum(n for s, n in self.by_status.items() if s != ExecutionStatus.NOT_RUN)
        return max(self.required - run, 0)

    @property
    def days_to_deadline(self) -> int | None:
        if self.qt_deadline is None:
            return None
        return (self.qt_deadline - clock.today()).days


def qt_deadline(case: QualificationCase) -> dt.date | None:
    """The end of the case's wave's QT window, if its wave has one."""
    if case.wave_id is None:
        return None
    date: dt.date | None = (
        WaveDeadline.objects.filter(wave_id=case.wave_id, kind=DeadlineKind.QT_END)
        .values_list("date", flat=True)
        .first()
    )
    return date


def case_progress(case: QualificationCase) -> Progress:
    """Required, run by status (latest run of each required case), open defects, and the QT deadline."""
    scope = ScopeRecord.objects.filter(case=case).order_by("-sequence").only("required").first()
    if scope is None:
        return Progress(scoped=False, qt_deadline=qt_deadline(case))
    required = list(scope.required)
    rows = (
        Execution.objects.filter(case=case, is_latest=True, test_case_id__in=required)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    open_defects = Defect.objects.filter(case=case).exclude(state=DefectState.CLOSED).count()
    return Progress(
        scoped=True,
        required=len(required),
        by_status={r["status"]: r["n"] for r in rows},
        open_defects=open_defects,
        qt_deadline=qt_deadline(case),
    )
