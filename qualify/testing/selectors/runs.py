"""Reads of a case's runs, defects and assurance that depend on who asks (DOMAIN.md §10a "During QT").

Every read starts from ``visible_to(actor)``; another organisation's case, run or defect is not found. The case page
and the queues cost the same number of queries however many runs or cases there are: the latest run of each test
case is found with ``is_latest``, and the page's rows are completed with one grouped query each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from qualify.assessment.choices import FindingState
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.errors import NotAllowed, NotFound
from qualify.core.filters import uuid_filter
from qualify.core.ids import parse_uuid
from qualify.core.roles import StaffRole
from qualify.participants.choices import APPROVALS_BY_ROLE, MarketRole
from qualify.participants.models import Organisation
from qualify.testing.choices import DIP_MANAGER_BATCHES, Assurance, DefectState, ExecutionStatus
from qualify.testing.models import CatalogueCase, Defect, Execution, ScopeRecord
from qualify.testing.permissions import ASSESSOR_BODIES, can_view_testing


def testing_case_get(*, actor: Actor, key: str) -> QualificationCase:
    """A case by reference (QC-000123) or UUID, within the actor's scope; NotAllowed for market systems."""
    qs = QualificationCase.objects.visible_to(actor).select_related("participation__organisation", "wave")
    key = str(key).strip()[:64]
    public_id = parse_uuid(key)
    case = (qs.filter(uuid=public_id) if public_id else qs.filter(reference=key.upper())).first()
    if case is None:
        raise NotFound("No such qualification case.")
    decision = can_view_testing(actor, case)
    if not decision.allowed:
        raise NotAllowed(decision.reason)
    return case


@dataclass(frozen=True)
class TestFilters:
    """One filter for the case page and the API: a catalogue batch and a latest-run status, each optional."""

    __test__ = False  # not a pytest class

    batch: str = ""
    status: str = ""

    @classmethod
    def of(cls, scope: ScopeRecord, batch: str | None, status: str | None) -> TestFilters:
        """Unknown values are ignored, as on the catalogue page."""
        batch = (batch or "").strip().upper()[:24]
        status = (status or "").strip().upper()[:16]
        return cls(
            batch=batch if any(b.get("code") == batch for b in scope.catalogue.batches) else "",
            status=status if status in ExecutionStatus.values else "",
        )


def required_cases(
    case: QualificationCase, scope: ScopeRecord, filters: TestFilters | None = None
) -> QuerySet[CatalogueCase]:
    """The case's required test cases in the scoped catalogue version, in batch order, each annotated with its latest
    run's status (``latest_status``, None when never run), filtered by batch and by that status."""
    latest = Execution.objects.filter(case=case, is_latest=True, test_case_id=OuterRef("case_id"))
    qs = CatalogueCase.objects.filter(catalogue_id=scope.catalogue_id, case_id__in=list(scope.required)).annotate(
        latest_status=Subquery(latest.values("status")[:1])
    )
    if filters is not None and filters.batch:
        qs = qs.filter(batch=filters.batch)
    if filters is not None and filters.status:
        if filters.status == ExecutionStatus.NOT_RUN:
            qs = qs.filter(Q(latest_status__isnull=True) | Q(latest_status=ExecutionStatus.NOT_RUN))
        else:
            qs = qs.filter(latest_status=filters.status)
    return qs.order_by("batch_position", "position")


@dataclass
class TestRow:
    """One required test case on the case page: the catalogue case, its latest run, evidence and open defects."""

    __test__ = False

    case: CatalogueCase
    run: Execution | None = None
    evidence_count: int = 0
    open_defects: int = 0


def test_rows(case: QualificationCase, cases: Iterable[CatalogueCase]) -> list[TestRow]:
    """Complete a page of required cases with their latest runs (evidence counted) and open defects: two queries."""
    rows = [TestRow(case=c) for c in cases]
    ids = [r.case.case_id for r in rows]
    if not ids:
        return rows
    runs = {
        r.test_case_id: r
        for r in Execution.objects.filter(case=case, is_latest=True, test_case_id__in=ids).annotate(
            n_evidence=Count("evidence")
        )
    }
    defects = dict(
        Defect.objects.filter(case=case, test_case_id__in=ids)
        .exclude(state=DefectState.CLOSED)
        .values("test_case_id")
        .annotate(n=Count("id"))
        .values_list("test_case_id", "n")
        .order_by()
    )
    for row in rows:
        row.run = runs.get(row.case.case_id)
        row.evidence_count = int(getattr(row.run, "n_evidence", 0)) if row.run is not None else 0
        row.open_defects = int(defects.get(row.case.case_id, 0))
    return rows


def runs_of(case: QualificationCase, test_case_id: str = "", latest_only: bool = False) -> QuerySet[Execution]:
    """A case's runs, newest first, with their evidence (the case was fetched within scope)."""
    qs = Execution.objects.filter(case=case)
    if test_case_id:
        qs = qs.filter(test_case_id=test_case_id.strip().upper()[:8])
    if latest_only:
        qs = qs.filter(is_latest=True)
    return qs.prefetch_related("evidence").order_by("-created_at", "-pk")


def run_get(*, actor: Actor, key: str) -> Execution:
    public_id = parse_uuid(str(key))
    found = (
        Execution.objects.visible_to(actor)
        .select_related("case__participation__organisation")
        .filter(uuid=public_id)
        .first()
        if public_id
        else None
    )
    if found is None:
        raise NotFound("No such test run.")
    decision = can_view_testing(actor, found.case)
    if not decision.allowed:
        raise NotAllowed(decision.reason)
    return found


def catalogue_case_get(scope: ScopeRecord, test_case_id: str) -> CatalogueCase:
    """A required test case of the scoped catalogue version; not found when it is not required."""
    test_case_id = str(test_case_id).strip().upper()[:8]
    found = (
        CatalogueCase.objects.filter(catalogue_id=scope.catalogue_id, case_id=test_case_id).first()
        if test_case_id in scope.required
        else None
    )
    if found is None:
        raise NotFound(f"{test_case_id} is not in this case's required test set.")
    return found


# --- defects ---------------------------------------------------------------------------------------------------------


def defects_of(case: QualificationCase, test_case_id: str = "", state: str = "") -> QuerySet[Defect]:
    qs = Defect.objects.filter(case=case).select_related("finding")
    if test_case_id:
        qs = qs.filter(test_case_id=test_case_id.strip().upper()[:8])
    if state in DefectState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-raised_on", "-pk")


def defect_get(*, actor: Actor, key: str) -> Defect:
    """A defect by reference (DEF-000123) or UUID, within the actor's scope."""
    qs = Defect.objects.visible_to(actor).select_related("case__participation__organisation", "execution", "finding")
    key = str(key).strip()[:64]
    public_id = parse_uuid(key)
    found = (qs.filter(uuid=public_id) if public_id else qs.filter(reference=key.upper())).first()
    if found is None:
        raise NotFound("No such defect.")
    decision = can_view_testing(actor, found.case)
    if not decision.allowed:
        raise NotAllowed(decision.reason)
    return found


COVERING_FINDING_STATES = frozenset({FindingState.PLAN_AGREED, FindingState.CLOSED})


def defect_is_covered(defect: Defect) -> bool:
    """Whether a defect no longer holds up QT exit: it is closed, or its work-off finding has an agreed plan (or the
    body closed the finding). The exit gate asks this of every defect of the case."""
    if defect.state == DefectState.CLOSED:
        return True
    if defect.finding_id is None:
        return False
    finding = defect.finding
    return finding is not None and finding.state in COVERING_FINDING_STATES


# --- assurance queues ------------------------------------------------------------------------------------------------


def _roles_approved_by(body: str) -> list[str]:
    return [role for role, bodies in APPROVALS_BY_ROLE.items() if body in bodies]


def assured_by(actor: Actor) -> Q | None:
    """The runs the actor assures, as a filter on executions (None: nothing)."""
    dip = Q(batch__in=sorted(DIP_MANAGER_BATCHES))
    if actor.staff_role == StaffRole.DIP_ASSESSOR:
        return dip
    if actor.is_programme_admin:
        return ~dip & Q(case__participation__role=MarketRole.LDSO)
    body = ASSESSOR_BODIES.get(actor.staff_role)
    if body is None:
        return None
    roles = [r for r in _roles_approved_by(body) if r != MarketRole.LDSO]
    return ~dip & Q(case__participation__role__in=roles)


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters: an organisation (UUID) and a batch code, each optional."""

    organisation: str = ""
    batch: str = ""

    @classmethod
    def of(cls, organisation: str | None, batch: str | None) -> QueueFilters:
        return cls(organisation=uuid_filter("organisation")(organisation), batch=(batch or "").strip().upper()[:24])


def assurance_queue(
    *, actor: Actor, filters: QueueFilters | None = None, dip_only: bool = False
) -> QuerySet[Execution]:
    """Every participant's latest runs awaiting the actor's assurance, oldest first (DOMAIN.md §10a: the DIP Manager
    assures the non-functional and DIP test cases of every participant). ``dip_only`` is the DIP Manager's queue."""
    scope = Q(batch__in=sorted(DIP_MANAGER_BATCHES)) if dip_only else assured_by(actor)
    if scope is None:
        return Execution.objects.none()
    qs = (
        Execution.objects.visible_to(actor)
        .filter(scope, is_latest=True, assurance=Assurance.PENDING)
        .select_related("case__participation__organisation")
    )
    if filters is not None and filters.organisation:
        qs = qs.filter(case__participation__organisation__uuid=filters.organisation)
    if filters is not None and filters.batch:
        qs = qs.filter(batch=filters.batch)
    return qs.order_by("created_at", "pk")


def queue_organisations(qs: QuerySet[Execution]) -> list[Organisation]:
    """The organisations with runs in a queue, for its filter (one query)."""
    ids = qs.order_by().values("case__participation__organisation_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))
