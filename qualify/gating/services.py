"""Writes of the gating app: submitting a bulk job, and running it in the background (issue 5, "bulk upload").

A job runs ``io.gate_file`` — the same reader, rules and all-or-nothing writer as ``manage.py gate`` — over the
uploaded file, against the register and milestones as they are when the job starts, or as they stood at the job's
``known_at`` instant when one was given (issue 11).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
import time
import uuid as uuid_mod
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction

from qualify.audit.services import audit_record
from qualify.core import clock
from qualify.core.actor import Actor, system_actor
from qualify.core.errors import TransitionNotAllowed, ValidationFailed
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.gating.io import EventsFileError, GateSummary, gate_file
from qualify.gating.loading import load_gating_context
from qualify.gating.models import GatingJob, JobState
from qualify.gating.permissions import can_submit_job
from qualify.gating.uploads import input_format, max_bytes, too_big_error
from qualify.gating.workflow import GATING_JOB_WORKFLOW

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_SECONDS = 0.5
WORKER = "gating worker"


def _display_name(name: str) -> str:
    """The last path component of what the client called the file, for display only (never used to store it)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "events"


def gating_job_submit(
    *, actor: Actor, upload: IO[bytes], name: str, size: int, known_at: dt.datetime | None = None
) -> GatingJob:
    """Keep an uploaded events file and queue a job to decide it; the job runs after this commits.

    The file is CSV or Parquet by its extension and at most ``QUALIFY_GATING_MAX_BYTES``; its content is checked
    when the job runs (a bad row fails the job with the row and column named). The copy to storage happens before
    the database transaction, so a long copy holds no lock; the stored copy is removed if the rows cannot be written.
    """
    can_submit_job(actor).enforce()
    fmt = input_format(name)
    if size > max_bytes():
        raise too_big_error()
    if size <= 0:
        raise ValidationFailed(
            "The events file is empty; expected a header and at least one event.", details={"file": "empty"}
        )
    public_id = uuid_mod.uuid4()
    storage = storages["default"]
    stored = storage.save(f"gating/jobs/{public_id.hex}/events.{fmt.value}", File(upload, name=f"events.{fmt}"))
    try:
        return _job_create(
            actor=actor,
            job=GatingJob(
                uuid=public_id,
                reference=f"P-{public_id.hex[:12]}",
                requested_by_id=actor.user_id,
                requested_by_name=actor.display_name[:200],
                original_name=_display_name(name),
                input_format=fmt,
                input_name=stored,
                input_size=size,
                known_at=known_at,
            ),
        )
    except BaseException:
        storage.delete(stored)
        raise


@transaction.atomic
def _job_create(*, actor: Actor, job: GatingJob) -> GatingJob:
    from qualify.gating.tasks import run_gating_job  # the task module imports this one

    job.save(force_insert=True)
    job.reference = f"GJ-{job.pk:06d}"
    job.save(update_fields=["reference"])
    audit_record(
        actor=actor,
        action="gating.job.submit",
        target=job,
        organisation_id=None,
        changes={
            "reference": job.reference,
            "file": job.original_name,
            "format": job.input_format,
            "size": job.input_size,
            **({"known_at": job.known_at.isoformat()} if job.known_at else {}),
        },
    )
    job_id = str(job.uuid)
    transaction.on_commit(lambda: run_gating_job.enqueue(job_id))
    return job


@transaction.atomic
def gating_job_progress(*, job_pk: int, processed: int, total: int | None) -> None:
    """Record how far a running job has got (its own short transaction, so a watcher sees it at once).

    Not audited: progress is a measurement, not a decision; the audit log has the job's start and its end.
    """
    GatingJob.objects.filter(pk=job_pk, state=JobState.RUNNING).update(
        processed_rows=processed, total_rows=total, updated_at=clock.now()
    )


class _ProgressWriter:
    """``gate_file``'s progress callback, writing to the job row at most every ``interval`` seconds."""

    def __init__(self, job_pk: int, interval: float = PROGRESS_INTERVAL_SECONDS) -> None:
        self.job_pk = job_pk
        self.interval = interval
        self.last: float | None = None

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if self.last is not None and now - self.last < self.interval:
            return
        self.last = now
        gating_job_progress(job_pk=self.job_pk, processed=done, total=total)


def _local_path(storage: Storage, name: str, work: Path) -> Path:
    """A path on this machine for a stored file: the file itself on local storage, else a copy in ``work``."""
    try:
        return Path(storage.path(name))
    except NotImplementedError:
        copy = work / Path(name).name
        with storage.open(name, "rb") as source, open(copy, "wb") as target:
            shutil.copyfileobj(source, target, length=8 * 1024 * 1024)
        return copy


def summary_json(summary: GateSummary) -> dict[str, object]:
    return {
        "total": summary.total,
        "by_outcome": dict(sorted(summary.by_outcome.items())),
        "by_reason": dict(sorted(summary.by_reason.items())),
    }


def gating_job_run(*, job_id: str) -> str:
    """Decide a queued job's file and keep the result; idempotent: anything but a queued job is left alone.

    Steps through the job's workflow as the Programme's worker: start, then finish with the result and the summary,
    or fail with the reader's message (naming the row and column) and no result. Returns the job's final state.
    """
    actor = system_actor(WORKER)
    job = GatingJob.objects.filter(uuid=job_id).first()
    if job is None:
        return "MISSING"
    if job.state != JobState.QUEUED:
        return str(job.state)
    try:
        job = apply_transition(GATING_JOB_WORKFLOW, actor=actor, instance=job, name="start")
    except TransitionNotAllowed:  # another worker took it between the read and the lock
        return str(GatingJob.objects.get(pk=job.pk).state)
    storage = storages["default"]
    with tempfile.TemporaryDirectory(prefix="qualify-gating-") as directory:
        work = Path(directory)
        try:
            events = _local_path(storage, job.input_name, work)
            result = work / f"result.{job.input_format}"
            context = load_gating_context(known_at=job.known_at)
            summary = gate_file(events, result, context, progress=_ProgressWriter(job.pk))
        except EventsFileError as error:
            return _fail(actor, job, f"{error.message} Nothing was written.")
        except Exception:
            logger.exception("gating job %s broke", job.reference)
            return _fail(actor, job, "The job stopped on an unexpected error; the Programme has been told.")
        with open(result, "rb") as handle:
            result_name = storage.save(f"gating/jobs/{job.uuid.hex}/result.{job.input_format}", File(handle))
    try:
        apply_transition(
            GATING_JOB_WORKFLOW,
            actor=actor,
            instance=job,
            name="finish",
            data=TransitionInput(
                extra={
                    "result_name": result_name,
                    "total_rows": summary.total,
                    "processed_rows": summary.total,
                    "summary": summary_json(summary),
                }
            ),
        )
    except BaseException:
        storage.delete(result_name)
        raise
    return JobState.DONE.value


def _fail(actor: Actor, job: GatingJob, message: str) -> str:
    data = TransitionInput(extra={"error_message": message})
    apply_transition(GATING_JOB_WORKFLOW, actor=actor, instance=job, name="fail", data=data)
    return JobState.FAILED.value
