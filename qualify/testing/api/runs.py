"""A case's runs, defects and assurance over the API, with the pages' rules: another organisation's case, run or
defect is 404; recording is for the participant's lead or a contributor (403 otherwise, 409 outside testing);
assurance is for the body that assures the run's batch only (403 for any other)."""

import datetime as dt
import uuid as uuid_mod
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qualify.core.api import MAX_OFFSET, BoundedLimitOffsetPagination
from qualify.core.errors import NotAllowed, NotFound
from qualify.core.requests import actor_of
from qualify.core.roles import StaffRole
from qualify.qad.models import EvidenceFile
from qualify.testing.models import Defect, Execution
from qualify.testing.permissions import assures_any
from qualify.testing.selectors.progress import case_progress
from qualify.testing.selectors.runs import (
    QueueFilters,
    TestFilters,
    assurance_queue,
    defect_get,
    defect_is_covered,
    defects_of,
    required_cases,
    run_get,
    runs_of,
    test_rows,
    testing_case_get,
)
from qualify.testing.services.assurance import execution_assure, execution_assure_bulk
from qualify.testing.services.defects import (
    defect_finding_raise,
    defect_plan_decide,
    defect_plan_propose,
    defect_record,
    defect_transition,
)
from qualify.testing.services.execution import execution_add, scoped_or_refuse

router = Router()


class RunEvidenceOut(Schema):
    uuid: uuid_mod.UUID
    name: str
    size: int
    sha256: str
    download: str


class RunOut(Schema):
    uuid: uuid_mod.UUID
    case: str
    test_case_id: str
    batch: str
    status: str
    not_applicable_reason: str
    run_date: dt.date | None
    tester: str
    comment: str
    source: str
    is_latest: bool
    recorded_by_name: str
    recorded_at: dt.datetime
    assurance: str
    assured_by_body: str
    assured_by_name: str
    assured_at: dt.datetime | None
    assurance_comment: str
    evidence: list[RunEvidenceOut]


def _evidence(e: EvidenceFile) -> dict[str, Any]:
    return {"uuid": e.uuid, "name": e.original_name, "size": e.size, "sha256": e.sha256,
            "download": reverse("qad:evidence_download", args=[str(e.uuid)])}  # fmt: skip


def _run(r: Execution, case_reference: str | None = None) -> dict[str, Any]:
    return {
        "uuid": r.uuid,
        "case": case_reference or r.case.reference,
        "test_case_id": r.test_case_id,
        "batch": r.batch,
        "status": r.status,
        "not_applicable_reason": r.not_applicable_reason,
        "run_date": r.run_date,
        "tester": r.tester,
        "comment": r.comment,
        "source": r.source,
        "is_latest": r.is_latest,
        "recorded_by_name": r.recorded_by_name,
        "recorded_at": r.created_at,
        "assurance": r.assurance,
        "assured_by_body": r.assured_by_body,
        "assured_by_name": r.assured_by_name,
        "assured_at": r.assured_at,
        "assurance_comment": r.assurance_comment,
        "evidence": [_evidence(e) for e in r.evidence.all()],
    }


class ProgressOut(Schema):
    case: str
    scoped: bool
    required: int
    passed: int
    failed: int
    blocked: int
    not_applicable: int
    not_run: int
    open_defects: int
    qt_deadline: dt.date | None
    days_to_deadline: int | None


class LatestOut(Schema):
    uuid: uuid_mod.UUID
    status: str
    run_date: dt.date | None
    tester: str
    assurance: str


class TestRowOut(Schema):
    test_case_id: str
    title: str
    batch: str
    batch_title: str
    latest: LatestOut | None
    evidence_count: int
    open_defects: int


class TestPageOut(Schema):
    count: int
    items: list[TestRowOut]


class TestQuery(Schema):
    batch: str | None = None
    status: str | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class RunQuery(Schema):
    test_case: str | None = Field(None, max_length=8)
    latest: bool = False


class RunIn(Schema):
    test_case_id: str = Field(..., max_length=8)
    status: str = Field(..., max_length=16)
    run_date: dt.date | None = None
    tester: str = Field("", max_length=200)
    comment: str = Field("", max_length=4000)
    not_applicable_reason: str = Field("", max_length=4000)
    evidence: list[uuid_mod.UUID] = Field(default_factory=list, max_length=10,
                                          description="Files already in the case's QAD evidence.")  # fmt: skip


class AssureIn(Schema):
    decision: Literal["accept", "send_back"]
    comment: str = Field("", max_length=4000)


class BulkAssureIn(Schema):
    runs: list[uuid_mod.UUID] = Field(..., min_length=1, max_length=500)
    comment: str = Field("", max_length=4000)


class FindingRef(Schema):
    reference: str
    body: str
    state: str
    work_off_plan: str
    owner: str
    due_date: dt.date


class DefectOut(Schema):
    uuid: uuid_mod.UUID
    reference: str
    case: str
    test_case_id: str
    run: uuid_mod.UUID | None
    title: str
    description: str
    severity: str
    state: str
    owner: str
    raised_on: dt.date
    target_date: dt.date | None
    closed_on: dt.date | None
    raised_by_name: str
    covered: bool
    finding: FindingRef | None


class DefectIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=4000)
    severity: str = Field("MEDIUM", max_length=8)
    owner: str = Field(..., max_length=200)
    raised_on: dt.date | None = None
    target_date: dt.date | None = None
    test_case_id: str = Field("", max_length=8)
    run: uuid_mod.UUID | None = None


class DefectQuery(Schema):
    state: str | None = Field(None, max_length=8)
    test_case: str | None = Field(None, max_length=8)


class DefectStepIn(Schema):
    name: Literal["fix", "retest_failed", "close"]
    comment: str = Field("", max_length=4000)


class WorkOffIn(Schema):
    action: Literal["raise", "propose", "agree", "reject"]
    body: str = Field("", max_length=8)
    work_off_plan: str = Field("", max_length=4000)
    owner: str = Field("", max_length=200)
    due_date: dt.date | None = None
    comment: str = Field("", max_length=4000)


class QueueQuery(Schema):
    organisation: str | None = Field(None, max_length=64)
    batch: str | None = Field(None, max_length=24)


def _defect(d: Defect) -> dict[str, Any]:
    f = d.finding
    return {
        "uuid": d.uuid,
        "reference": d.reference,
        "case": d.case.reference,
        "test_case_id": d.test_case_id,
        "run": d.execution.uuid if d.execution_id is not None and d.execution is not None else None,
        "title": d.title,
        "description": d.description,
        "severity": d.severity,
        "state": d.state,
        "owner": d.owner,
        "raised_on": d.raised_on,
        "target_date": d.target_date,
        "closed_on": d.closed_on,
        "raised_by_name": d.raised_by_name,
        "covered": defect_is_covered(d),
        "finding": None
        if f is None
        else {
            "reference": f.reference,
            "body": f.body,
            "state": f.state,
            "work_off_plan": f.work_off_plan,
            "owner": f.owner,
            "due_date": f.due_date,
        },
    }


@router.get("/testing/cases/{ref}/progress", response=ProgressOut, summary="A case's QT progress")
def get_progress(request: HttpRequest, ref: str) -> dict[str, Any]:
    case = testing_case_get(actor=actor_of(request), key=ref)
    p = case_progress(case)
    return {
        "case": case.reference,
        "scoped": p.scoped,
        "required": p.required,
        "passed": p.passed,
        "failed": p.failed,
        "blocked": p.blocked,
        "not_applicable": p.not_applicable,
        "not_run": p.not_run,
        "open_defects": p.open_defects,
        "qt_deadline": p.qt_deadline,
        "days_to_deadline": p.days_to_deadline,
    }


@router.get(
    "/testing/cases/{ref}/tests",
    response=TestPageOut,
    summary="A case's required test cases with their latest runs (filter by batch and latest status); 422 if unscoped",
)
def get_tests(request: HttpRequest, ref: str, query: Query[TestQuery]) -> dict[str, Any]:
    case = testing_case_get(actor=actor_of(request), key=ref)
    scope = scoped_or_refuse(case)
    qs = required_cases(case, scope, TestFilters.of(scope, query.batch, query.status))
    rows = test_rows(case, qs[query.offset : query.offset + query.limit])
    return {
        "count": qs.count(),
        "items": [
            {
                "test_case_id": r.case.case_id,
                "title": r.case.title,
                "batch": r.case.batch,
                "batch_title": scope.catalogue.batch_title(r.case.batch),
                "latest": None
                if r.run is None
                else {
                    "uuid": r.run.uuid,
                    "status": r.run.status,
                    "run_date": r.run.run_date,
                    "tester": r.run.tester,
                    "assurance": r.run.assurance,
                },
                "evidence_count": r.evidence_count,
                "open_defects": r.open_defects,
            }
            for r in rows
        ],
    }


@router.get("/testing/cases/{ref}/runs", response=list[RunOut], summary="A case's runs, newest first")
@paginate(BoundedLimitOffsetPagination)
def list_runs(request: HttpRequest, ref: str, query: Query[RunQuery]) -> Any:
    case = testing_case_get(actor=actor_of(request), key=ref)
    return _Shaped(runs_of(case, query.test_case or "", query.latest), lambda r: _run(r, case.reference))


class _Shaped:
    """A queryset the paginator slices, each row of the slice then shaped for the API (so a page costs the same
    queries however long the list is)."""

    def __init__(self, qs: Any, shape: Callable[[Any], dict[str, Any]]) -> None:
        self.qs, self.shape = qs, shape

    def __len__(self) -> int:
        return int(self.qs.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [self.shape(r) for r in self.qs[window]]


@router.post(
    "/testing/cases/{ref}/runs",
    response={201: RunOut},
    summary="Record a run of a required test case (the participant's lead or a contributor, while in testing)",
)
def post_run(request: HttpRequest, ref: str, payload: RunIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    case = testing_case_get(actor=actor, key=ref)
    evidence = list(EvidenceFile.objects.visible_to(actor).filter(response__case=case, uuid__in=payload.evidence))
    if len(evidence) != len(set(payload.evidence)):
        raise NotFound("One of those evidence files is not in this case's QAD evidence.")
    run = execution_add(
        actor=actor,
        case=case,
        test_case_id=payload.test_case_id.strip().upper(),
        status=payload.status,
        run_date=payload.run_date,
        tester=payload.tester,
        comment=payload.comment,
        not_applicable_reason=payload.not_applicable_reason,
        evidence=evidence,
        source="API",
    )
    return Status(201, _run(run, case.reference))


@router.post("/testing/runs/{uuid}/assurance", response=RunOut, summary="Accept a run or send it back (its assurer)")
def post_assure(request: HttpRequest, uuid: str, payload: AssureIn) -> dict[str, Any]:
    actor = actor_of(request)
    run = execution_assure(
        actor=actor, execution=run_get(actor=actor, key=uuid), decision=payload.decision, comment=payload.comment
    )
    return _run(run)


@router.post(
    "/testing/cases/{ref}/assurance",
    response=list[RunOut],
    summary="Accept a selection of a case's pending runs in one transaction (all or none)",
)
def post_bulk_assure(request: HttpRequest, ref: str, payload: BulkAssureIn) -> list[dict[str, Any]]:
    actor = actor_of(request)
    case = testing_case_get(actor=actor, key=ref)
    runs = execution_assure_bulk(actor=actor, case=case, runs=payload.runs, comment=payload.comment)
    return [_run(r, case.reference) for r in runs]


@router.get("/testing/cases/{ref}/defects", response=list[DefectOut], summary="A case's defects, newest first")
@paginate(BoundedLimitOffsetPagination)
def list_defects(request: HttpRequest, ref: str, query: Query[DefectQuery]) -> Any:
    case = testing_case_get(actor=actor_of(request), key=ref)
    qs = defects_of(case, query.test_case or "", (query.state or "").upper()).select_related("case", "execution")
    return _Shaped(qs, _defect)


@router.post("/testing/cases/{ref}/defects", response={201: DefectOut}, summary="Record a defect")
def post_defect(request: HttpRequest, ref: str, payload: DefectIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    case = testing_case_get(actor=actor, key=ref)
    data = payload.dict()
    run_id = data.pop("run")
    run = run_get(actor=actor, key=str(run_id)) if run_id is not None else None
    defect = defect_record(actor=actor, case=case, execution=run, **data)
    return Status(201, _defect(defect))


@router.get("/testing/defects/{ref}", response=DefectOut, summary="One defect with its work-off plan")
def get_defect(request: HttpRequest, ref: str) -> dict[str, Any]:
    return _defect(defect_get(actor=actor_of(request), key=ref))


@router.post(
    "/testing/defects/{ref}/transitions", response=DefectOut, summary="Move a defect: fix, retest_failed, close"
)
def post_defect_step(request: HttpRequest, ref: str, payload: DefectStepIn) -> dict[str, Any]:
    actor = actor_of(request)
    defect = defect_transition(
        actor=actor, defect=defect_get(actor=actor, key=ref), name=payload.name, comment=payload.comment
    )
    return _defect(defect_get(actor=actor, key=defect.reference))


@router.post(
    "/testing/defects/{ref}/work-off",
    response=DefectOut,
    summary="The defect's work-off plan: raise (assessor), propose (participant), agree or reject (the finding's body)",
)
def post_work_off(request: HttpRequest, ref: str, payload: WorkOffIn) -> dict[str, Any]:
    actor = actor_of(request)
    defect = defect_get(actor=actor, key=ref)
    if payload.action == "raise":
        defect_finding_raise(actor=actor, defect=defect, body=payload.body, due_date=payload.due_date)
    elif payload.action == "propose":
        defect_plan_propose(
            actor=actor,
            defect=defect,
            work_off_plan=payload.work_off_plan,
            owner=payload.owner,
            due_date=payload.due_date,
        )
    else:
        defect_plan_decide(actor=actor, defect=defect, agree=payload.action == "agree", comment=payload.comment)
    return _defect(defect_get(actor=actor, key=defect.reference))


@router.get("/testing/assurance/queue", response=list[RunOut], summary="The latest runs awaiting your assurance")
@paginate(BoundedLimitOffsetPagination)
def get_queue(request: HttpRequest, query: Query[QueueQuery]) -> Any:
    actor = actor_of(request)
    if not assures_any(actor):
        raise NotAllowed("The assurance queue is for the Code Bodies' assessors and the Programme's test manager.")
    qs = assurance_queue(actor=actor, filters=QueueFilters.of(query.organisation, query.batch))
    return _Shaped(qs.prefetch_related("evidence"), _run)


@router.get(
    "/testing/assurance/dip",
    response=list[RunOut],
    summary="The DIP Manager's queue: every participant's pending DIP and non-functional runs",
)
@paginate(BoundedLimitOffsetPagination)
def get_dip_queue(request: HttpRequest, query: Query[QueueQuery]) -> Any:
    actor = actor_of(request)
    if actor.staff_role not in (StaffRole.DIP_ASSESSOR, StaffRole.PROGRAMME_ADMIN):
        raise NotAllowed("The DIP Manager's queue is for its assessors and the Programme.")
    qs = assurance_queue(actor=actor, filters=QueueFilters.of(query.organisation, query.batch), dip_only=True)
    return _Shaped(qs.prefetch_related("evidence"), _run)
