"""The programme overview's filter by Qualification Testing progress (registered in TestingConfig.ready).

The bucket is worked out in the database, as subqueries on each case, so filtering the overview costs the same
queries however many cases and runs there are:

- not scoped: a QT-route case with no frozen required set;
- not started: scoped, with no run recorded beyond "not run";
- failing: scoped, with a required case whose latest run failed;
- complete: scoped, with as many latest runs passed or not applicable as required cases, and none failed;
- in progress: scoped and started, neither failing nor complete.

"Complete" counts the latest runs of the case's test cases against the length of its latest required set; a run
kept from before a re-scope for a case no longer required would count too (rare; the exit gate checks exactly).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from qualify.cases.models import QualificationCase
from qualify.testing.choices import QT_ROUTES, ExecutionStatus
from qualify.testing.models import Execution, ScopeRecord

NOT_SCOPED, NOT_STARTED, IN_PROGRESS, FAILING, COMPLETE = (
    "not_scoped",
    "not_started",
    "in_progress",
    "failing",
    "complete",
)
QT_PROGRESS_CHOICES: tuple[tuple[str, str], ...] = (
    (NOT_SCOPED, "Not scoped"),
    (NOT_STARTED, "Not started"),
    (IN_PROGRESS, "In progress"),
    (FAILING, "Failing (any failed)"),
    (COMPLETE, "Complete"),
)


class JsonArrayLength(Func):
    """The length of a JSON array column (PostgreSQL's jsonb_array_length, SQLite's json_array_length)."""

    function = "jsonb_array_length"
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="json_array_length", **extra)


def _count(qs: QuerySet[Any]) -> Subquery:
    return Subquery(qs.order_by().values("case").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField())


def with_qt_progress(qs: QuerySet[QualificationCase]) -> QuerySet[QualificationCase]:
    """The cases annotated with what the buckets read: scoped, required, started, failed, done."""
    scopes = ScopeRecord.objects.filter(case=OuterRef("pk"))
    latest = Execution.objects.filter(case=OuterRef("pk"), is_latest=True)
    return qs.annotate(
        qt_scoped=Exists(scopes),
        qt_required=Coalesce(
            Subquery(
                scopes.order_by("-sequence").annotate(n=JsonArrayLength("required")).values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        qt_started=Exists(latest.exclude(status=ExecutionStatus.NOT_RUN)),
        qt_failing=Exists(latest.filter(status=ExecutionStatus.FAILED)),
        qt_done=Coalesce(
            _count(latest.filter(status__in=(ExecutionStatus.PASSED, ExecutionStatus.NOT_APPLICABLE))), Value(0)
        ),
    )


def filter_by_qt_progress(qs: QuerySet[QualificationCase], bucket: str) -> QuerySet[QualificationCase]:
    """The cases of one QT progress bucket (QT-route cases only; an unknown bucket leaves the list unchanged)."""
    qs = with_qt_progress(qs.filter(participation__route__in=QT_ROUTES))
    complete = Q(qt_scoped=True, qt_failing=False, qt_required__gt=0, qt_done__gte=F("qt_required"))
    if bucket == NOT_SCOPED:
        return qs.filter(Q(qt_scoped=False))
    if bucket == NOT_STARTED:
        return qs.filter(Q(qt_scoped=True, qt_started=False))
    if bucket == FAILING:
        return qs.filter(Q(qt_scoped=True, qt_failing=True))
    if bucket == COMPLETE:
        return qs.filter(complete)
    if bucket == IN_PROGRESS:
        return qs.filter(Q(qt_scoped=True, qt_started=True, qt_failing=False)).exclude(complete)
    return qs
