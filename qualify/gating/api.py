"""Gating over HTTP (issue 5): a JSON batch of up to 10,000 events decided in order; bulk jobs (an events file
uploaded, decided in the background, its result downloaded); and the register import for programme administrators,
queued as a background job (``register.import_jobs``) around the same service as ``manage.py import_register``.
"""

import datetime as dt
import uuid
from typing import Any, Literal

import polars as pl
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.errors import ValidationFailed
from qualify.core.instants import parse_instant
from qualify.core.requests import actor_of
from qualify.gating import uploads
from qualify.gating.choices import EVENT_COLUMNS
from qualify.gating.engine import decide
from qualify.gating.live import context_for
from qualify.gating.models import GatingJob
from qualify.gating.permissions import can_gate, can_submit_job
from qualify.gating.reasons import REASON_SEPARATOR
from qualify.gating.selectors import gating_job_get, gating_job_list, gating_job_result
from qualify.gating.services import gating_job_submit
from qualify.participants.permissions import can_manage_participants
from qualify.register.import_jobs import register_import_job_get, register_import_job_list, register_import_job_submit
from qualify.register.models import RegisterImportJob

router = Router(tags=["gating"])

MAX_BATCH = 10_000


class EventIn(Schema):
    ref: str = Field(min_length=1, max_length=100)
    kind: Literal["MIGRATE", "APPOINT", "REGISTER"]
    mpan: str = Field(max_length=32, description="13 digits; anything else is decided INVALID_MPAN, not refused")
    date: dt.date = Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))
    segment: Literal["SMART", "ADVANCED", "UMS"]
    supplier: str = Field("", max_length=4)
    mem: str = Field("", max_length=4)
    data_service: str = Field("", max_length=4)
    settlement: Literal["MHHS", "LEGACY"]


class DecisionsIn(Schema):
    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)
    known_at: str | None = Field(
        None,
        max_length=64,
        description=(
            "Decide as the register and the plan stood at this instant (ISO 8601 with its time zone, e.g. "
            "2026-03-01T09:30:00Z): only register events recorded by then count, and milestones have the dates "
            "they had then. Omitted: as of now. A value that is not such an instant is refused with 400 "
            "`bad_instant`."
        ),
    )


class GatingDecisionOut(Schema):
    ref: str
    outcome: Literal["ALLOW", "BLOCK", "ALLOW_REVERSE_MIGRATION"]
    reasons: list[str] = Field(
        description=(
            "Every reason that applies, sorted. UNKNOWN_PARTICIPANT (an MPID holding no participation at all) is "
            "information beside the *_NOT_QUALIFIED of the role it was named for and never blocks on its own."
        )
    )
    gsp_group: str | None = Field(
        description=(
            "The metering point's GSP group from the MPAN's distributor id: _A to _P for ids 10-23 (skipping _I "
            "and _O), IDNO for any other id; null when the MPAN is invalid."
        )
    )
    details: list[str] = Field(
        description=(
            "Why a participant is not qualified when it holds no participation in the role the event needs: "
            "not on the register, registered in other roles (the role it lacks is named), no Supplier named, or "
            "no LDSO holding the distributor id. Empty otherwise."
        )
    )


class DecisionsOut(Schema):
    decisions: list[GatingDecisionOut]


@router.post(
    "/gating/decisions",
    response=DecisionsOut,
    summary="Decide a batch of migration, appointment and registration events (answers in order)",
)
def post_decisions(request: HttpRequest, payload: DecisionsIn) -> dict[str, object]:
    can_gate(actor_of(request)).enforce()
    known_at = parse_instant(payload.known_at) if payload.known_at is not None else None
    columns = {name: [getattr(e, name) for e in payload.events] for name in EVENT_COLUMNS}
    events = pl.DataFrame(columns, schema_overrides={"date": pl.Date})
    result = decide(events, context_for(known_at), details=True).collect()
    decisions = [
        {
            "ref": ref,
            "outcome": outcome,
            "reasons": reasons.split(REASON_SEPARATOR) if reasons else [],
            "gsp_group": gsp_group,
            "details": details,
        }
        for ref, outcome, reasons, gsp_group, details in zip(
            result["ref"].to_list(),
            result["outcome"].to_list(),
            result["reasons"].to_list(),
            result["gsp_group"].to_list(),
            result["details"].to_list(),
            strict=True,
        )
    ]
    return {"decisions": decisions}


# --- bulk jobs -----------------------------------------------------------------------------------------------------


class JobSummaryOut(Schema):
    total: int = 0
    by_outcome: dict[str, int] = {}
    by_reason: dict[str, int] = {}


class JobOut(Schema):
    reference: str = Field(description="Human reference, e.g. GJ-000123")
    uuid: uuid.UUID
    state: Literal["QUEUED", "RUNNING", "DONE", "FAILED"]
    file: str = Field(description="The uploaded file's name")
    format: Literal["csv", "parquet"]
    size: int
    requested_by: str
    total_rows: int | None = Field(description="Events in the file, once counted")
    processed_rows: int
    percent: int
    summary: JobSummaryOut | None = Field(description="Counts by outcome and by reason, once done")
    error: str = Field(description="Why the job failed (names the row and column), else empty")
    result_url: str | None = Field(description="Where to download the result, once done")
    known_at: dt.datetime | None = Field(description="The instant the job decides as of; null: when it ran")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def _job_out(job: GatingJob) -> dict[str, Any]:
    done = job.state == "DONE"
    return {
        "reference": job.reference,
        "uuid": job.uuid,
        "state": job.state,
        "file": job.original_name,
        "format": job.input_format,
        "size": job.input_size,
        "requested_by": job.requested_by_name,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "percent": job.percent,
        "summary": job.summary if done else None,
        "error": job.error_message,
        "result_url": reverse("api:get_job_result", kwargs={"reference": job.reference}) if done else None,
        "known_at": job.known_at,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


@router.post(
    "/gating/jobs",
    response=JobOut,
    summary="Upload an events file (multipart field 'file', .csv or .parquet) to be decided in the background",
    description=(
        "An optional multipart field 'known_at' (ISO 8601 with its time zone) decides the file as the register "
        "and the milestones stood at that instant; a value that is not such an instant is refused with 400 "
        "`bad_instant`."
    ),
)
def post_job(request: HttpRequest) -> dict[str, Any]:
    limit = uploads.install_upload_handlers(request)
    # Refuse before reading the body, so nobody who may not gate can make the server spool a large file.
    can_submit_job(actor_of(request)).enforce()
    files = request.FILES
    if limit is not None and limit.exceeded:
        raise uploads.too_big_error()
    upload = files.get("file")
    if upload is None:
        raise ValidationFailed("Send the events file as the multipart field 'file'.", details={"file": "required"})
    known_at_text = request.POST.get("known_at", "")
    known_at = parse_instant(known_at_text) if known_at_text else None
    job = gating_job_submit(
        actor=actor_of(request),
        upload=upload.file,  # type: ignore[arg-type]  # an uploaded file always has its file
        name=upload.name or "",
        size=upload.size or 0,
        known_at=known_at,
    )
    job.refresh_from_db()  # the job may already have run (immediate task backend)
    return _job_out(job)


@router.get("/gating/jobs", response=list[JobOut], summary="Your bulk gating jobs, newest first")
@paginate(BoundedLimitOffsetPagination)
def list_jobs(request: HttpRequest) -> Any:
    return [_job_out(job) for job in gating_job_list(actor=actor_of(request))]


@router.get("/gating/jobs/{reference}", response=JobOut, summary="A bulk gating job: state, progress, summary")
def get_job(request: HttpRequest, reference: str) -> dict[str, Any]:
    return _job_out(gating_job_get(actor=actor_of(request), reference=reference))


@router.get(
    "/gating/jobs/{reference}/result",
    summary="The result file of a finished job (ref,outcome,reasons,gsp_group; CSV or Parquet as uploaded)",
    response={200: None},
)
def get_job_result(request: HttpRequest, reference: str) -> FileResponse:
    handle, filename, content_type = gating_job_result(actor=actor_of(request), reference=reference)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


# --- register import -------------------------------------------------------------------------------------------------


class RegisterImportCountsOut(Schema):
    rows: int
    organisations_created: int
    participations_created: int
    events_created: int
    events_already_recorded: int


class RegisterImportProblemOut(Schema):
    row: int | None = Field(
        description="The data row (the first is 1; its line in the file is row + 1); null: the file"
    )
    column: str | None
    message: str


class RegisterImportJobOut(Schema):
    reference: str = Field(description="Human reference, e.g. RI-000123")
    uuid: uuid.UUID
    state: Literal["QUEUED", "RUNNING", "DONE", "FAILED"]
    file: str = Field(description="The uploaded file's name")
    size: int
    requested_by: str
    total_rows: int | None = Field(description="Rows in the file, once read")
    processed_rows: int
    percent: int
    result: RegisterImportCountsOut | None = Field(description="What the import created, once done")
    error: str = Field(description="Why the import was refused or failed (names rows and columns), else empty")
    problems: list[RegisterImportProblemOut] = Field(description="The first problems (at most 100), once refused")
    problem_count: int = Field(description="How many problems the file has in all")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    # Read from the job itself, so a list is paged in the database (not built whole first).
    @staticmethod
    def resolve_file(job: RegisterImportJob) -> str:
        return job.original_name

    @staticmethod
    def resolve_size(job: RegisterImportJob) -> int:
        return job.input_size

    @staticmethod
    def resolve_requested_by(job: RegisterImportJob) -> str:
        return job.requested_by_name

    @staticmethod
    def resolve_result(job: RegisterImportJob) -> dict[str, Any] | None:
        return job.result if job.state == "DONE" else None

    @staticmethod
    def resolve_error(job: RegisterImportJob) -> str:
        return job.error_message


@router.post(
    "/register/import",
    response={202: RegisterImportJobOut},
    tags=["register"],
    summary="Queue an import of register events from a CSV (multipart field 'file'; as manage.py import_register)",
    description=(
        "Columns organisation,mpid,role,event,date,distributor_ids and an optional reason. A row whose event takes "
        "effect more than QUALIFY_REGISTER_BACKDATE_DAYS (default 5) days before today is back-dated and needs a "
        "reason: its own, or the multipart field 'reason' for the whole file. The file is imported in the "
        "background: the answer (202) is the import job; follow it at GET /register-imports/{reference} for its "
        "progress and, once done, the counts. All or nothing: a file with any bad row ends FAILED with the first "
        "100 problems (row, column, message) and their count, and nothing is saved. Re-importing the same file "
        "changes nothing. A missing, empty or non-UTF-8 file is refused at once (422). Programme administrators only."
    ),
)
def post_register_import(request: HttpRequest) -> Status[RegisterImportJob]:
    actor = actor_of(request)
    can_manage_participants(actor).enforce()
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed("Send the register CSV as the multipart field 'file'.", details={"file": "required"})
    job = register_import_job_submit(
        actor=actor,
        upload=upload.file,  # type: ignore[arg-type]  # an uploaded file always has its file
        name=upload.name or "register.csv",
        size=upload.size or 0,
        reason=request.POST.get("reason", ""),
    )
    job.refresh_from_db()  # the job may already have run (immediate task backend)
    return Status(202, job)


@router.get(
    "/register-imports",
    response=list[RegisterImportJobOut],
    tags=["register"],
    summary="Register imports you may see (programme administrators), newest first",
)
@paginate(BoundedLimitOffsetPagination)
def list_register_imports(request: HttpRequest) -> Any:
    return register_import_job_list(actor=actor_of(request))


@router.get(
    "/register-imports/{reference}",
    response=RegisterImportJobOut,
    tags=["register"],
    summary="A register import: state, progress, the counts once done or the problems once refused",
)
def get_register_import(request: HttpRequest, reference: str) -> RegisterImportJob:
    return register_import_job_get(actor=actor_of(request), reference=reference)
