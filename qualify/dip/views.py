"""DIP message validation pages: specifications (list, upload, detail with the validate form), runs (results,
downloads) and attaching a run's report as QAD or QT evidence. Thin adapters over ``dip/services.py`` and
``dip/selectors.py``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from qualify.core import guards
from qualify.core.actor import Actor
from qualify.core.errors import DomainError, NotFound
from qualify.core.requests import actor_of
from qualify.core.uploads import SizeLimitHandler, install_upload_handlers
from qualify.core.web import report_error
from qualify.dip import reports, selectors, services
from qualify.dip import validation as v
from qualify.dip.choices import Outcome
from qualify.dip.forms import PROGRAMME, AttachQadForm, AttachTestRunForm, RunForm, SpecificationUploadForm
from qualify.dip.permissions import can_attach, upload_organisations
from qualify.testing.models import Execution

RUNS_SHOWN = 50


def _organisation_choices(actor: Actor) -> list[tuple[str, str]]:
    ids = upload_organisations(actor)
    names = selectors.organisation_names(ids=ids)
    return [(PROGRAMME if i is None else str(i), names.get(i, "")) for i in ids]


def _chosen_organisation(actor: Actor, value: str) -> int | None:
    """The organisation the form names, among those the person acts for (the service checks the permission)."""
    for choice in upload_organisations(actor):
        if (choice is None and value == PROGRAMME) or str(choice) == value:
            return choice
    raise NotFound("No such organisation.")


@guards.signed_in
def index(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    choices = _organisation_choices(actor)
    context = {
        "specifications": selectors.specification_list(actor=actor)[: selectors.LIST_LIMIT],
        "runs": selectors.run_list(actor=actor)[:RUNS_SHOWN],
        "form": SpecificationUploadForm(organisations=choices) if choices else None,
        "max_mb": v.SPEC_MAX_BYTES // (1024 * 1024),
        # The problems of a document just refused, listed once under the upload form.
        "problems": request.session.pop("dip_spec_problems", []),
    }
    return render(request, "dip/index.html", context)


@guards.signed_in
@csrf_exempt
def specification_upload(request: HttpRequest) -> HttpResponseBase:
    """Upload an OpenAPI document (multipart, spooled to disk and stopped past the size limit)."""
    # The size limit must be in place before anything reads the body, which the CSRF check does.
    limit = install_upload_handlers(request, limit=v.SPEC_MAX_BYTES)
    return _specification_upload(request, limit)


@csrf_protect
def _specification_upload(request: HttpRequest, limit: SizeLimitHandler | None) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    actor = actor_of(request)
    back = reverse("dip:index")
    if limit is not None and limit.exceeded:
        messages.error(request, f"The specification is larger than {v.SPEC_MAX_BYTES // (1024 * 1024)} MB.")
        return redirect(back)
    form = SpecificationUploadForm(request.POST, request.FILES, organisations=_organisation_choices(actor))
    if not form.is_valid():
        messages.error(request, "Choose an OpenAPI document (YAML or JSON) to upload.")
        return redirect(back)
    upload: UploadedFile[bytes] = form.cleaned_data["file"]
    try:
        spec = services.specification_upload(
            actor=actor,
            organisation_id=_chosen_organisation(actor, form.cleaned_data["organisation"]),
            stream=upload.file,
            name=upload.name or "",
            size=upload.size or 0,
        )
    except DomainError as error:
        report_error(request, error)
        details = error.details if isinstance(error.details, dict) else {}
        request.session["dip_spec_problems"] = [
            # The YAML reader names a line and a field; the OpenAPI check names a place in the document.
            {"where": p.get("where") or f"line {p.get('line', 1)}", "message": p.get("message", "")}
            for p in list(details.get("problems", []))[: v.SPEC_PROBLEMS_SHOWN]
        ]
        return redirect(back)
    messages.success(request, f"{spec} uploaded: {len(spec.schema_names)} schemas.")
    return redirect("dip:specification", key=str(spec.uuid))


@guards.signed_in
def specification_detail(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    spec = selectors.specification_get(actor=actor, key=key)
    choices = [
        (value, name)
        for value, name in _organisation_choices(actor)
        if spec.organisation_id is None or value == str(spec.organisation_id)
    ]
    context = {
        "spec": spec,
        "runs": selectors.run_list(actor=actor, specification=spec)[:RUNS_SHOWN],
        "form": RunForm(organisations=choices, schemas=spec.schema_names) if choices else None,
        "limits": {
            "messages": v.MAX_MESSAGES,
            "message_kb": v.MESSAGE_MAX_BYTES // 1024,
            "upload_mb": v.UPLOAD_MAX_BYTES // (1024 * 1024),
            "checked_mb": v.MAX_CHECKED_BYTES // (1024 * 1024),
            "zip_members": v.ZIP_MAX_MEMBERS,
        },
    }
    return render(request, "dip/specification.html", context)


@guards.signed_in
@csrf_exempt
def run_create(request: HttpRequest, key: str) -> HttpResponseBase:
    """Validate uploaded messages (JSON files and zips, several at once) against the specification."""
    limit = install_upload_handlers(request, limit=v.UPLOAD_MAX_BYTES)
    return _run_create(request, key, limit)


@csrf_protect
def _run_create(request: HttpRequest, key: str, limit: SizeLimitHandler | None) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    actor = actor_of(request)
    spec = selectors.specification_get(actor=actor, key=key)
    back = reverse("dip:specification", args=[str(spec.uuid)])
    if limit is not None and limit.exceeded:
        messages.error(request, f"The files add up to more than {v.UPLOAD_MAX_BYTES // (1024 * 1024)} MB.")
        return redirect(back)
    form = RunForm(request.POST, organisations=_organisation_choices(actor), schemas=spec.schema_names)
    if not form.is_valid():
        messages.error(request, "Choose who the run is for and a schema (or detect).")
        return redirect(back)
    files = request.FILES.getlist("files")
    uploads = [v.Upload(name=f.name or "", stream=f.file, size=f.size or 0) for f in files]  # type: ignore[arg-type]
    try:
        run = services.run_create(
            actor=actor,
            specification=spec,
            organisation_id=_chosen_organisation(actor, form.cleaned_data["organisation"]),
            schema=form.cleaned_data["schema"],
            uploads=uploads,
        )
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        report_error(request, error)
        return redirect(back)
    messages.success(request, f"{run.messages} messages checked: {run.valid} valid, {run.invalid} invalid.")
    return redirect("dip:run", key=str(run.uuid))


@guards.signed_in
def run_detail(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    run = selectors.run_get(actor=actor, key=key)
    results = list(selectors.run_results(run=run))
    may_attach = can_attach(actor, run.organisation_id).allowed
    context: dict[str, Any] = {
        "run": run,
        "spec": run.specification,
        "results": results,
        "facts": reports.run_facts(run),
        "sha_label": reports.SHA_LABEL,
        "per_schema": run.summary.get("per_schema", {}),
        "skipped": run.summary.get("skipped", []),
        "skipped_count": run.summary.get("skipped_count", 0),
        "may_attach": may_attach,
        "cases": list(selectors.attach_cases(actor=actor, run=run)) if may_attach else [],
        "executions": list(selectors.attach_executions(actor=actor, run=run)) if may_attach else [],
        "Outcome": Outcome,
    }
    return render(request, "dip/run.html", context)


REPORTS = {
    "csv": ("text/csv; charset=utf-8", reports.run_csv),
    "json": ("application/json", reports.run_json),
    "pdf": ("application/pdf", reports.run_pdf),
}


@guards.signed_in
def run_report(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """The run as a CSV (a row per violation), a JSON report or a PDF report."""
    if fmt not in REPORTS:
        raise Http404("No such report format.")
    actor = actor_of(request)
    run = selectors.run_get(actor=actor, key=key)
    content_type, build = REPORTS[fmt]
    response = HttpResponse(build(run, list(selectors.run_results(run=run))), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="dip-validation-{run.short}.{fmt}"'
    return response


@require_POST
@guards.signed_in
def run_attach(request: HttpRequest, key: str) -> HttpResponse:
    """Attach the run's PDF report to a QAD question's evidence or to a QT test run's evidence."""
    actor = actor_of(request)
    run = selectors.run_get(actor=actor, key=key)
    back = reverse("dip:run", args=[str(run.uuid)])
    try:
        if request.POST.get("kind") == "qt":
            qt = AttachTestRunForm(request.POST)
            if not qt.is_valid():
                messages.error(request, "Choose the test run to attach the report to.")
                return redirect(back)
            found = Execution.objects.visible_to(actor).select_related("case__participation")
            execution = found.filter(uuid=qt.cleaned_data["execution"]).first()
            if execution is None:
                raise NotFound("No such test run.")
            services.run_attach_to_test_run(actor=actor, run=run, execution=execution)
            messages.success(request, f"Report attached to {execution.case.reference} {execution.test_case_id}.")
        else:
            qad = AttachQadForm(request.POST)
            if not qad.is_valid():
                messages.error(request, "Choose the case and name the QAD question.")
                return redirect(back)
            case = selectors.attach_cases(actor=actor, run=run).filter(reference=qad.cleaned_data["case"]).first()
            if case is None:
                raise NotFound("No such case.")
            services.run_attach_to_qad(actor=actor, run=run, case=case, question_id=qad.cleaned_data["question"])
            messages.success(request, f"Report attached to {case.reference}, question {qad.cleaned_data['question']}.")
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        report_error(request, error)
    return redirect(back)
