"""Results import pages: upload a JUnit or Azure DevOps file, read its preview, apply it; the case's past imports.
Thin adapters over qualify/testing/services/results.py and selectors/results.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from qualify.cases.models import QualificationCase
from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.core.uploads import SizeLimitHandler, install_upload_handlers
from qualify.core.web import paginate, report_error
from qualify.testing.choices import ExecutionStatus, ImportState
from qualify.testing.forms import ApplyImportForm, ResultsUploadForm
from qualify.testing.imports_workflow import RESULT_IMPORT_WORKFLOW
from qualify.testing.models import ResultImport
from qualify.testing.permissions import can_import_results
from qualify.testing.results import MAX_BYTES, read_bounded, too_large_error
from qualify.testing.selectors.results import import_case_get, result_import_get, result_import_list
from qualify.testing.services.results import results_apply, results_preview

IMPORTS_PER_PAGE = 25
STATUS_NAMES = dict(ExecutionStatus.choices)


def _case(request: HttpRequest, ref: str) -> QualificationCase:
    return import_case_get(actor=actor_of(request), key=ref)


def _import(request: HttpRequest, case: QualificationCase, key: str) -> ResultImport:
    return result_import_get(actor=actor_of(request), case=case, key=key)


def _list_page(
    request: HttpRequest, case: QualificationCase, form: ResultsUploadForm, status: int = 200
) -> HttpResponse:
    context = {
        "case": case,
        "form": form,
        "imports": paginate(request, result_import_list(actor=actor_of(request), case=case), IMPORTS_PER_PAGE),
        "can_import": can_import_results(actor_of(request), case).allowed,
        "max_mb": MAX_BYTES // 1024**2,
    }
    return render(request, "testing/imports.html", context, status=status)


@guards.signed_in
def imports_view(request: HttpRequest, ref: str) -> HttpResponse:
    """A case's results imports, newest first, and the upload form for its lead and contributors."""
    return _list_page(request, _case(request, ref), ResultsUploadForm())


@guards.signed_in
@csrf_exempt
def import_upload_view(request: HttpRequest, ref: str) -> HttpResponseBase:
    """Upload a results file and preview it. Only the case's lead or contributors get as far as sending the file."""
    if request.method != "POST":
        return HttpResponse(status=405)
    case = _case(request, ref)
    if not can_import_results(actor_of(request), case).allowed:
        raise PermissionDenied("Only the participant's lead or a contributor can import its test results.")
    # The size limit and disk spooling go in before anything reads the body (the CSRF check does), so CSRF is
    # checked just after, in _upload_protected.
    limit = install_upload_handlers(request, limit=MAX_BYTES)
    return _upload_protected(request, case, limit)


@csrf_protect
def _upload_protected(request: HttpRequest, case: QualificationCase, limit: SizeLimitHandler | None) -> HttpResponse:
    files = request.FILES  # reads the body (through the size limit), if the CSRF check has not already
    if limit is not None and limit.exceeded:
        report_error(request, too_large_error())
        return redirect("testing:imports", ref=case.reference)
    form = ResultsUploadForm(request.POST, files)
    if not form.is_valid():
        return _list_page(request, case, form, status=422)
    upload: UploadedFile[bytes] = form.cleaned_data["file"]
    try:
        found = results_preview(
            actor=actor_of(request),
            case=case,
            kind=form.cleaned_data["kind"],
            source_name=upload.name or "",
            data=read_bounded(upload.file, upload.size),  # type: ignore[arg-type]  # an upload has its file
        )
    except DomainError as error:
        report_error(request, error)
        return redirect("testing:imports", ref=case.reference)
    return redirect("testing:import_detail", ref=case.reference, key=str(found.uuid))


def _problems(result_import: ResultImport) -> list[dict[str, Any]]:
    return list(result_import.preview.get("problems", []))


@guards.signed_in
def import_detail_view(request: HttpRequest, ref: str, key: str) -> HttpResponse:
    """One import: what applying it does (or did), the rows refused with row, line and column, and the apply step."""
    case = _case(request, ref)
    found = _import(request, case, key)
    counts = found.preview.get("applied") or found.preview.get("counts", {})
    context = {
        "case": case,
        "found": found,
        "counts": counts,
        "by_status": [(STATUS_NAMES.get(s, s), n) for s, n in counts.get("by_status", {}).items()],
        "problems": _problems(found),
        "problems_total": found.preview.get("problems_total", 0),
        "can_apply": found.state == ImportState.PREVIEWED
        and any(t.name == "apply" for t in RESULT_IMPORT_WORKFLOW.available(actor_of(request), found)),
        "apply_form": ApplyImportForm(),
    }
    return render(request, "testing/import_detail.html", context)


@require_POST
@guards.signed_in
def import_apply_view(request: HttpRequest, ref: str, key: str) -> HttpResponse:
    case = _case(request, ref)
    found = _import(request, case, key)
    if not can_import_results(actor_of(request), case).allowed:
        raise PermissionDenied("Only the participant's lead or a contributor can apply its test results.")
    if not ApplyImportForm(request.POST).is_valid():
        messages.error(request, "Tick the box to confirm: applied runs cannot be taken back.")
        return redirect("testing:import_detail", ref=case.reference, key=str(found.uuid))
    try:
        applied = results_apply(actor=actor_of(request), result_import=found)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(
            request, f"{applied.rows_applied} run{pluralize(applied.rows_applied)} recorded from {applied.source_name}."
        )
    return redirect("testing:import_detail", ref=case.reference, key=str(found.uuid))
