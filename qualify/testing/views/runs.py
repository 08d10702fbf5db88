"""A case's testing pages: its required test cases and their latest runs, one test case's runs, defects and their
work-off plans, assurance, the assurance queues and the progress panel. Thin adapters over services and selectors."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from qualify.cases.models import QualificationCase
from qualify.core import guards
from qualify.core.errors import DomainError, NotAllowed
from qualify.core.requests import actor_of
from qualify.core.roles import StaffRole
from qualify.core.uploads import SizeLimitHandler
from qualify.core.web import paginate, report_error
from qualify.qad import evidence as ev
from qualify.testing.choices import Assurance, DefectState, ExecutionStatus
from qualify.testing.defects_workflow import DEFECT_WORKFLOW
from qualify.testing.forms_runs import (
    AssureForm,
    BulkAssureForm,
    DefectForm,
    DefectStepForm,
    RunForm,
    WorkOffForm,
)
from qualify.testing.gates import is_qt_route
from qualify.testing.models import Defect, Execution
from qualify.testing.permissions import ASSURER_NAMES, assurer_of, assuring_body, can_record_runs, run_assurer
from qualify.testing.selectors.catalogue import latest_published_catalogue
from qualify.testing.selectors.progress import case_progress
from qualify.testing.selectors.runs import (
    QueueFilters,
    TestFilters,
    assurance_queue,
    catalogue_case_get,
    defect_get,
    defect_is_covered,
    defects_of,
    queue_organisations,
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
from qualify.testing.services.execution import RECORDING_STATES, EvidenceUpload, execution_add, execution_evidence_add
from qualify.testing.services.scoping import current_scope

TESTS_PER_PAGE = 50
RUNS_PER_PAGE = 25
QUEUE_PER_PAGE = 50
ASSURERS = (StaffRole.BSC_ASSESSOR, StaffRole.REC_ASSESSOR, StaffRole.DIP_ASSESSOR, StaffRole.PROGRAMME_ADMIN)

T = TypeVar("T")


def _read(fetch: Callable[..., T], **kwargs: Any) -> T:
    """Run a selector; a person who may not read it at all gets a 403 (out of scope is the 404 page, by
    ErrorPagesMiddleware)."""
    try:
        return fetch(**kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc


def _case(request: HttpRequest, key: str) -> QualificationCase:
    return _read(testing_case_get, actor=actor_of(request), key=key)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = str(request.POST.get("next") or "")
    return redirect(target if target.startswith("/testing/") and "//" not in target else default)


def _case_url(case: QualificationCase) -> str:
    return reverse("testing:case", args=[case.reference])


def _test_url(case: QualificationCase, test_case_id: str) -> str:
    return reverse("testing:test_case", args=[case.reference, test_case_id])


@guards.signed_in
def case_testing_view(request: HttpRequest, key: str) -> HttpResponse:
    """A case's required test cases by batch, each with its latest run, evidence and open defects; counts on top."""
    actor = actor_of(request)
    case = _case(request, key)
    scope = current_scope(case)
    context: dict[str, Any] = {
        "case": case,
        "scope": scope,
        "progress": case_progress(case),
        "can_record": can_record_runs(actor, case).allowed and case.state in RECORDING_STATES,
        "statuses": ExecutionStatus.choices,
    }
    if scope is not None:
        filters = TestFilters.of(scope, request.GET.get("batch"), request.GET.get("status"))
        page = paginate(request, required_cases(case, scope, filters), per_page=TESTS_PER_PAGE)
        rows = test_rows(case, page.object_list)
        role = str(case.participation.role)
        assurable = [
            r
            for r in rows
            if r.run is not None
            and r.run.assurance == Assurance.PENDING
            and assuring_body(actor, role, r.case.batch) is not None
        ]
        context.update(
            filters=filters,
            page=page,
            groups=[
                {"code": code, "title": scope.catalogue.batch_title(code), "rows": list(items)}
                for code, items in groupby(rows, key=lambda r: r.case.batch)
            ],
            batches=scope.catalogue.batches,
            query=urlencode({k: v for k, v in (("batch", filters.batch), ("status", filters.status)) if v}),
            assurable={r.case.case_id for r in assurable},
            bulk_form=BulkAssureForm(),
        )
    return render(request, "testing/case_testing.html", context)


@guards.signed_in
def progress_panel_view(request: HttpRequest, key: str) -> HttpResponse:
    """The htmx panel other pages include: required, passed, failed, blocked, not run, open defects, days left."""
    case = _case(request, key)
    progress = case_progress(case) if is_qt_route(case) else None  # a SIT-route case runs no catalogue case
    return render(request, "testing/_progress_panel.html", {"case": case, "progress": progress})


@guards.signed_in
def test_case_view(request: HttpRequest, key: str, test_case_id: str) -> HttpResponse:
    """One required test case: what it tests, its runs (newest first) with evidence and assurance, its defects."""
    actor = actor_of(request)
    case = _case(request, key)
    scope = current_scope(case)
    if scope is None:
        raise Http404("The case has no confirmed scope yet.")
    catalogue_case = _read(catalogue_case_get, scope=scope, test_case_id=test_case_id)
    page = paginate(request, runs_of(case, catalogue_case.case_id), per_page=RUNS_PER_PAGE)
    role = str(case.participation.role)
    context = {
        "case": case,
        "test": catalogue_case,
        "batch_title": scope.catalogue.batch_title(catalogue_case.batch),
        "page": page,
        "defects": list(defects_of(case, catalogue_case.case_id)[:50]),
        "assurer": ASSURER_NAMES[assurer_of(role, catalogue_case.batch)],
        "may_assure": assuring_body(actor, role, catalogue_case.batch) is not None,
        "can_record": can_record_runs(actor, case).allowed and case.state in RECORDING_STATES,
        "run_form": RunForm(),
        "defect_form": DefectForm(initial={"test_case_id": catalogue_case.case_id}),
        "assure_form": AssureForm(),
        "max_files": 10,
    }
    return render(request, "testing/test_case.html", context)


def _uploads(request: HttpRequest) -> list[EvidenceUpload]:
    files: list[UploadedFile[bytes]] = request.FILES.getlist("files")
    return [
        EvidenceUpload(stream=f.file, name=f.name or "", size=f.size or 0)  # type: ignore[arg-type]
        for f in files
        if f.name
    ]


@guards.signed_in
@csrf_exempt
def run_record_view(request: HttpRequest, key: str, test_case_id: str) -> HttpResponseBase:
    """Record a run with its evidence files (multipart, streamed to disk and size-limited while it arrives)."""
    # As on the QAD's upload: the size limit is installed before anything reads the body; CSRF is checked after.
    limit = ev.install_upload_handlers(request)
    return _run_record_protected(request, key, test_case_id, limit)


@csrf_protect
def _run_record_protected(
    request: HttpRequest, key: str, test_case_id: str, limit: SizeLimitHandler | None
) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    actor = actor_of(request)
    case = _case(request, key)
    back = _test_url(case, test_case_id.strip().upper()[:8])
    decision = can_record_runs(actor, case)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    if limit is not None and limit.exceeded:
        report_error(request, ev.too_big_error())
        return redirect(back)
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "The run was not recorded: "
            + "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()),
        )
        return redirect(back)
    try:
        run = execution_add(
            actor=actor,
            case=case,
            test_case_id=test_case_id.strip().upper()[:8],
            uploads=_uploads(request),
            **form.cleaned_data,
        )
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Run of {run.test_case_id} recorded: {run.get_status_display().lower()}.")
    return redirect(back)


@guards.signed_in
@csrf_exempt
def run_evidence_view(request: HttpRequest, uuid: str) -> HttpResponseBase:
    """Attach evidence files to a run awaiting assurance."""
    limit = ev.install_upload_handlers(request)
    return _run_evidence_protected(request, uuid, limit)


@csrf_protect
def _run_evidence_protected(request: HttpRequest, uuid: str, limit: SizeLimitHandler | None) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    actor = actor_of(request)
    run = _read(run_get, actor=actor, key=uuid)
    back = _test_url(run.case, run.test_case_id)
    decision = can_record_runs(actor, run.case)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    if limit is not None and limit.exceeded:
        report_error(request, ev.too_big_error())
        return redirect(back)
    try:
        execution_evidence_add(actor=actor, execution=run, uploads=_uploads(request))
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Evidence added to the run of {run.test_case_id}.")
    return redirect(back)


@require_POST
@guards.signed_in
def run_assure_view(request: HttpRequest, uuid: str) -> HttpResponse:
    """Accept a run, or send it back with a comment: the body that assures the run's batch only."""
    actor = actor_of(request)
    run = _read(run_get, actor=actor, key=uuid)
    refusal = run_assurer(actor, run)
    if not refusal.allowed:
        raise PermissionDenied(refusal.reason)
    form = AssureForm(request.POST)
    if form.is_valid():
        try:
            execution_assure(actor=actor, execution=run, **form.cleaned_data)
        except DomainError as error:
            report_error(request, error)
        else:
            verb = "accepted" if form.cleaned_data["decision"] == "accept" else "sent back"
            messages.success(request, f"Run of {run.test_case_id} for {run.case.reference} {verb}.")
    else:
        messages.error(request, "Choose to accept or send back.")
    return _back(request, _test_url(run.case, run.test_case_id))


@require_POST
@guards.staff(*ASSURERS)
def bulk_assure_view(request: HttpRequest, key: str) -> HttpResponse:
    """Accept the selected pending runs of a case in one go (all or none)."""
    actor = actor_of(request)
    case = _case(request, key)
    form = BulkAssureForm(request.POST)
    runs = request.POST.getlist("runs")[:500]
    if not form.is_valid():
        messages.error(request, "Tick the box to confirm that you accept every selected run.")
    else:
        try:
            accepted = execution_assure_bulk(actor=actor, case=case, runs=runs, comment=form.cleaned_data["comment"])
        except DomainError as error:
            report_error(request, error)
        else:
            messages.success(request, f"{len(accepted)} run{'s' if len(accepted) != 1 else ''} accepted.")
    return _back(request, _case_url(case))


# --- defects ---------------------------------------------------------------------------------------------------------


@guards.signed_in
def defect_list_view(request: HttpRequest, key: str) -> HttpResponse:
    """A case's defects, newest first, with whether each is covered for QT exit."""
    case = _case(request, key)
    state = str(request.GET.get("state") or "").upper()[:8]
    page = paginate(request, defects_of(case, state=state), per_page=TESTS_PER_PAGE)
    context = {
        "case": case,
        "page": page,
        "rows": [{"defect": d, "covered": defect_is_covered(d)} for d in page.object_list],
        "state": state if state in DefectState.values else "",
        "states": DefectState.choices,
        "can_record": can_record_runs(actor_of(request), case).allowed and case.state in RECORDING_STATES,
        "defect_form": DefectForm(),
    }
    return render(request, "testing/defect_list.html", context)


@require_POST
@guards.signed_in
def defect_record_view(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    case = _case(request, key)
    decision = can_record_runs(actor, case)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    form = DefectForm(request.POST)
    back = reverse("testing:defects", args=[case.reference])
    if not form.is_valid():
        messages.error(
            request,
            "The defect was not recorded: "
            + "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()),
        )
        return _back(request, back)
    data = dict(form.cleaned_data)
    run_id = data.pop("run")
    run: Execution | None = None
    if run_id is not None:
        run = _read(run_get, actor=actor, key=str(run_id))
    try:
        defect = defect_record(actor=actor, case=case, execution=run, **data)
    except DomainError as error:
        report_error(request, error)
        return _back(request, back)
    messages.success(request, f"{defect.reference} recorded.")
    return redirect("testing:defect", key=defect.reference)


@guards.signed_in
def defect_view(request: HttpRequest, key: str) -> HttpResponse:
    """A defect: what, who owns it, its dates and state, the steps the person may take, and its work-off plan."""
    actor = actor_of(request)
    defect: Defect = _read(defect_get, actor=actor, key=key)
    finding = defect.finding
    from qualify.assessment.permissions import assesses_for, body_of, finding_assessor, finding_participant

    context = {
        "defect": defect,
        "case": defect.case,
        "finding": finding,
        "covered": defect_is_covered(defect),
        "steps": DEFECT_WORKFLOW.available(actor, defect),
        "step_form": DefectStepForm(),
        "may_raise_finding": finding is None
        and defect.state != DefectState.CLOSED
        and (body_of(actor) is not None or actor.is_programme_admin)
        and any(assesses_for(actor, b).allowed for b in ("BSC", "REC", "DIP")),
        "may_propose": finding is not None
        and finding.state in ("OPEN", "PLAN_PROPOSED")
        and finding_participant(actor, finding).allowed,
        "may_decide": finding is not None
        and finding.state == "PLAN_PROPOSED"
        and finding_assessor(actor, finding).allowed,
        "work_off_form": WorkOffForm(),
    }
    return render(request, "testing/defect.html", context)


@require_POST
@guards.signed_in
def defect_transition_view(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    defect: Defect = _read(defect_get, actor=actor, key=key)
    form = DefectStepForm(request.POST)
    if form.is_valid():
        name = form.cleaned_data["name"]
        step = next((t for t in DEFECT_WORKFLOW.transitions if t.name == name), None)
        if step is not None and step.confirm and not form.cleaned_data["confirm"]:
            messages.error(request, f"Tick the box to confirm: {step.confirm}")
            return redirect("testing:defect", key=defect.reference)
        try:
            moved = defect_transition(actor=actor, defect=defect, name=name, comment=form.cleaned_data["comment"])
        except DomainError as error:
            report_error(request, error)
        else:
            messages.success(request, f"{moved.reference} is now {moved.get_state_display().lower()}.")
    else:
        messages.error(request, "Choose a step.")
    return redirect("testing:defect", key=defect.reference)


@require_POST
@guards.signed_in
def defect_work_off_view(request: HttpRequest, key: str) -> HttpResponse:
    """The defect's work-off plan: an assessor records the finding; the participant proposes; the body decides."""
    actor = actor_of(request)
    defect: Defect = _read(defect_get, actor=actor, key=key)
    form = WorkOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do with the work-off plan.")
        return redirect("testing:defect", key=defect.reference)
    data = form.cleaned_data
    try:
        action = data["action"]
        if action == "raise":
            finding = defect_finding_raise(actor=actor, defect=defect, body=data["body"], due_date=data["due_date"])
        elif action == "propose":
            finding = defect_plan_propose(
                actor=actor,
                defect=defect,
                work_off_plan=data["work_off_plan"],
                owner=data["owner"],
                due_date=data["due_date"],
            )
        else:
            finding = defect_plan_decide(actor=actor, defect=defect, agree=action == "agree", comment=data["comment"])
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"{finding.reference}: {finding.get_state_display().lower()}.")
    return redirect("testing:defect", key=defect.reference)


# --- assurance queues ------------------------------------------------------------------------------------------------


def _queue(request: HttpRequest, *, dip_only: bool) -> HttpResponse:
    actor = actor_of(request)
    filters = QueueFilters.of(request.GET.get("organisation"), request.GET.get("batch"))
    everything = assurance_queue(actor=actor, dip_only=dip_only)
    page = paginate(request, assurance_queue(actor=actor, filters=filters, dip_only=dip_only), per_page=QUEUE_PER_PAGE)
    catalogue = latest_published_catalogue()
    context = {
        "dip_only": dip_only,
        "page": page,
        "runs": [
            {"run": r, "may_assure": assuring_body(actor, str(r.case.participation.role), r.batch) is not None}
            for r in page.object_list
        ],
        "filters": filters,
        "organisations": queue_organisations(everything),
        "batches": catalogue.batches if catalogue is not None else [],
        "batch_titles": {b["code"]: b["title"] for b in (catalogue.batches if catalogue is not None else [])},
        "query": urlencode({k: v for k, v in (("organisation", filters.organisation), ("batch", filters.batch)) if v}),
        "assure_form": AssureForm(),
    }
    return render(request, "testing/assurance_queue.html", context)


@guards.staff(*ASSURERS)
def assurance_queue_view(request: HttpRequest) -> HttpResponse:
    """The runs awaiting the actor's assurance: the DIP Manager's batches, an LDSO's other runs for the Programme's
    test manager, everyone else's for the BSC and REC assessors."""
    return _queue(request, dip_only=False)


@guards.staff(StaffRole.DIP_ASSESSOR, StaffRole.PROGRAMME_ADMIN)
def dip_queue_view(request: HttpRequest) -> HttpResponse:
    """The DIP Manager's queue: every participant's pending DIP and non-functional runs, oldest first."""
    return _queue(request, dip_only=True)
