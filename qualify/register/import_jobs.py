"""The register import as a background job (issue 14: "large imports run as background jobs with progress").

``POST /api/v1/register/import`` keeps the uploaded CSV and queues a ``RegisterImportJob``; a worker runs the one
import service (``imports.register_import``, all or nothing) over it as the administrator who uploaded it, with the
progress, heartbeat and recovery every background job has (``core.jobs``). The API reads the job back: its state,
progress, the counts once done, or the message and the first problems (row, column, message) with their total once
refused. ``manage.py import_register`` still imports at once, in the command's own process.

Writes (submitting, running) and reads (``register_import_job_list`` / ``_get``, from ``visible_to``) of the job are
here together, beside the import they wrap.
"""

from __future__ import annotations

import codecs
import uuid as uuid_mod
from typing import IO, Any

from django.core.files.storage import storages

from qualify.accounts.models import User
from qualify.core.actor import Actor, actor_for_user, system_actor
from qualify.core.csvimport import Problem
from qualify.core.errors import DomainError, NotFound, ValidationFailed
from qualify.core.jobs import (
    JobFailed,
    JobKind,
    JobRun,
    JobWorkflow,
    job_run,
    register_job_kind,
    upload_job_submit,
    upload_name,
)
from qualify.core.text import clean_text, one_line
from qualify.core.workflow import register
from qualify.participants.permissions import can_manage_participants
from qualify.register.imports import register_import
from qualify.register.models import RegisterImportJob, RegisterImportJobQuerySet

WORKER = "register import worker"
CHUNK = 1024 * 1024


class RegisterImportJobWorkflow(JobWorkflow[RegisterImportJob]):
    model = RegisterImportJob
    recorded_fields = ("result", "problems", "problem_count")
    audited_fields = ("result", "problem_count")


REGISTER_IMPORT_JOB_WORKFLOW = register("register_import_job", RegisterImportJobWorkflow())


def _check_utf8(upload: IO[bytes]) -> None:
    """Refuse a file that is not UTF-8 before it is queued, reading it a chunk at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := upload.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ValidationFailed(
            "The file is not UTF-8 text; save the CSV as UTF-8.", details={"file": "not_utf8"}
        ) from None
    finally:
        upload.seek(0)


def register_import_job_submit(
    *, actor: Actor, upload: IO[bytes], name: str, size: int, reason: str = ""
) -> RegisterImportJob:
    """Keep an uploaded register CSV and queue its import; the import runs after this commits.

    Only a programme administrator may import (checked again when the job runs). A file that is empty or not UTF-8
    is refused here; everything else about its rows is the import's to say, on the job.
    """
    can_manage_participants(actor).enforce()
    if size <= 0:
        raise ValidationFailed("The register file is empty.", details={"file": "empty"})
    _check_utf8(upload)
    job = RegisterImportJob(
        uuid=uuid_mod.uuid4(),
        requested_by_id=actor.user_id,
        requested_by_name=actor.display_name[:200],
        original_name=upload_name(name, "register.csv"),
        input_size=size,
        reason=clean_text(reason, limit=2000),
    )
    return upload_job_submit(
        REGISTER_IMPORT_JOBS,
        actor=actor,
        job=job,
        upload=upload,
        path=f"register/imports/{job.uuid.hex}/register.csv",
        reference_prefix="RI",
        action="register.import_job.submit",
    )


def _requester(job: RegisterImportJob) -> Actor:
    """The administrator who uploaded the file, as they are now (a system import when none is recorded)."""
    if job.requested_by_id is None:
        return system_actor(f"register import {job.reference}")
    user = User.objects.filter(pk=job.requested_by_id, is_active=True).first()
    if user is None:
        raise JobFailed("The account that uploaded this file is no longer active; nothing was imported.")
    return actor_for_user(user)


def _import(run: JobRun[RegisterImportJob]) -> dict[str, Any]:
    job = run.job
    with storages["default"].open(job.input_name, "rb") as handle:
        text = handle.read().decode("utf-8")
    try:
        result = register_import(
            actor=_requester(job),
            text=text,
            source_name=job.original_name,
            reason=job.reason,
            progress=run.progress,
        )
    except DomainError as error:
        raise JobFailed(error.message, details=error.details if isinstance(error.details, dict) else {}) from None
    counts = {
        "rows": result.rows,
        "organisations_created": result.organisations_created,
        "participations_created": result.participations_created,
        "events_created": result.events_created,
        "events_already_recorded": result.events_already_recorded,
    }
    return {"result": counts, "total_rows": result.rows, "processed_rows": result.rows}


def _refused(job: RegisterImportJob, failure: JobFailed) -> dict[str, Any]:
    """The first problems (each made safe to show) and how many there were."""
    problems = Problem.from_details(failure.details)
    kept = [
        {"row": p.row, "column": one_line(p.column, limit=100) or None, "message": one_line(p.message, limit=500)}
        for p in problems[: RegisterImportJob.PROBLEMS_KEPT]
    ]
    # The import lists its first problems and counts them all (``core.csvimport``); a list without the count is whole.
    count = failure.details.get("problem_count") if isinstance(failure.details, dict) else None
    return {"problems": kept, "problem_count": count if isinstance(count, int) else len(problems)}


REGISTER_IMPORT_JOBS = register_job_kind(
    JobKind(
        name="register_import_job",
        workflow=REGISTER_IMPORT_JOB_WORKFLOW,
        task_path="qualify.register.tasks.run_register_import_job",
        work=_import,
        failed=_refused,
        worker_name=WORKER,
    )
)


def register_import_job_run(*, job_id: str, worker_id: str = "") -> str:
    """Run a queued import job (``core.jobs.job_run``: a failure is recorded on the job, never raised)."""
    return job_run(REGISTER_IMPORT_JOBS, job_id=job_id, worker_id=worker_id)


# --- reads ----------------------------------------------------------------------------------------------------------


def register_import_job_list(*, actor: Actor) -> RegisterImportJobQuerySet:
    """The import jobs the actor may see, newest first."""
    can_manage_participants(actor).enforce()
    return RegisterImportJob.objects.visible_to(actor).order_by("-created_at", "-id")


def register_import_job_get(*, actor: Actor, reference: str) -> RegisterImportJob:
    """One import job by its reference (``RI-000123``); another person's is 'not found' unless the actor may see it."""
    can_manage_participants(actor).enforce()
    job = RegisterImportJob.objects.visible_to(actor).filter(reference=reference.strip().upper()).first()
    if job is None:
        raise NotFound("No such register import.")
    return job
