"""Bulk gating pages: upload an events file, watch the job, read the summary, download the result.

Thin adapters over ``services.gating_job_submit`` and the selectors. Only staff and market systems come in (the
guard); another person's job is a 404, as if it did not exist; a participant is refused at the door (403).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.core.spreadsheet import csv_text
from qualify.core.uploads import SizeLimitHandler
from qualify.core.web import paginate, report_error
from qualify.gating import uploads
from qualify.gating.choices import EVENT_COLUMN_HELP, EVENT_COLUMNS, EXAMPLE_EVENTS, RESULT_COLUMNS
from qualify.gating.forms import JobUploadForm
from qualify.gating.models import GatingJob
from qualify.gating.reasons import Outcome, Reason, explain
from qualify.gating.selectors import gating_job_get, gating_job_list, gating_job_result
from qualify.gating.services import gating_job_submit


def _job(request: HttpRequest, reference: str) -> GatingJob:
    return gating_job_get(actor=actor_of(request), reference=reference)


def _list_page(request: HttpRequest, form: JobUploadForm, status: int = 200) -> HttpResponse:
    jobs = paginate(request, gating_job_list(actor=actor_of(request)), per_page=25)
    context = {
        "jobs": jobs,
        "form": form,
        # The events file described in the page itself: its columns, what each may hold, and the codes of a decision.
        "columns": [(name, *EVENT_COLUMN_HELP[name]) for name in EVENT_COLUMNS],
        "result_columns": RESULT_COLUMNS,
        "outcomes": [(o.value, explain(o)) for o in Outcome],
        "reasons": [(r.value, explain(r)) for r in Reason],
    }
    return render(request, "gating/job_list.html", context, status=status)


@guards.staff()
def example_view(request: HttpRequest) -> HttpResponse:
    """A small events file that passes every check, to start from."""
    # Plain UTF-8 without a byte-order mark: exactly what the reader takes.
    body = csv_text(EVENT_COLUMNS, EXAMPLE_EVENTS, lineterminator="\n").encode("utf-8")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="events-example.csv"'
    return response


@guards.staff()
def job_list_view(request: HttpRequest) -> HttpResponse:
    """The upload form and the jobs this person may see, newest first."""
    return _list_page(request, JobUploadForm())


@guards.staff()
@csrf_exempt
def job_upload_view(request: HttpRequest) -> HttpResponseBase:
    """Upload an events file (multipart, spooled to disk and size-limited while it arrives) and queue its job."""
    # The size limit and disk spooling must be in place before anything reads the body, which the CSRF check does;
    # so CSRF is checked just after, in _job_upload_protected.
    limit = uploads.install_upload_handlers(request)
    return _job_upload_protected(request, limit)


@csrf_protect
def _job_upload_protected(request: HttpRequest, limit: SizeLimitHandler | None) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    if limit is not None and limit.exceeded:
        report_error(request, uploads.too_big_error())
        return redirect("gating:jobs")
    form = JobUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_page(request, form, status=422)
    upload: UploadedFile[bytes] = form.cleaned_data["file"]
    try:
        job = gating_job_submit(
            actor=actor_of(request),
            upload=upload.file,  # type: ignore[arg-type]  # an uploaded file always has its file
            name=upload.name or "",
            size=upload.size or 0,
        )
    except DomainError as error:
        report_error(request, error)
        return redirect("gating:jobs")
    messages.success(request, f"{job.reference}: {job.original_name} is queued.")
    return redirect("gating:job", reference=job.reference)


@guards.staff()
def job_detail_view(request: HttpRequest, reference: str) -> HttpResponse:
    """A job's state, progress (refreshing itself while it runs), summary and result."""
    return render(request, "gating/job_detail.html", {"job": _job(request, reference)})


@guards.staff()
def job_progress_view(request: HttpRequest, reference: str) -> HttpResponse:
    """The progress fragment that the job page polls every second until the job is done or failed."""
    return render(request, "gating/_job_progress.html", {"job": _job(request, reference)})


@guards.staff()
def job_result_view(request: HttpRequest, reference: str) -> FileResponse:
    """Stream a finished job's result file; never through MEDIA_URL."""
    handle, filename, content_type = gating_job_result(actor=actor_of(request), reference=reference)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
