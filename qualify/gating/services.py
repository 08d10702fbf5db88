"""Writes of the gating app: submitting a bulk job, and running it in the background (issue 5, "bulk upload").

A job runs ``io.gate_file`` — the same reader, rules and all-or-nothing writer as ``manage.py gate`` — over the
uploaded file, against the register and milestones as they are when the job starts, or as they stood at the job's
``known_at`` instant when one was given (issue 11).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import uuid as uuid_mod
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, storages

from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.core.jobs import JobFailed, JobKind, JobRun, job_run, register_job_kind, upload_job_submit, upload_name
from qualify.gating.io import EventsFileError, GateSummary, gate_file
from qualify.gating.loading import load_gating_context
from qualify.gating.models import GatingJob
from qualify.gating.permissions import can_submit_job
from qualify.gating.uploads import input_format, max_bytes, too_big_error
from qualify.gating.workflow import GATING_JOB_WORKFLOW

logger = logging.getLogger(__name__)

WORKER = "gating worker"


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
    job = GatingJob(
        uuid=uuid_mod.uuid4(),
        requested_by_id=actor.user_id,
        requested_by_name=actor.display_name[:200],
        original_name=upload_name(name, "events"),
        input_format=fmt,
        input_size=size,
        known_at=known_at,
    )
    return upload_job_submit(
        GATING_JOBS,
        actor=actor,
        job=job,
        upload=upload,
        path=f"gating/jobs/{job.uuid.hex}/events.{fmt.value}",
        reference_prefix="GJ",
        action="gating.job.submit",
        changes={"format": fmt.value, **({"known_at": known_at.isoformat()} if known_at else {})},
    )


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


def _gate(run: JobRun[GatingJob]) -> dict[str, Any]:
    """The work of a job: decide its file into the run's directory, then keep the result in storage."""
    job, storage = run.job, storages["default"]
    events = _local_path(storage, job.input_name, run.work_dir)
    result = run.work_dir / f"result.{job.input_format}"
    context = load_gating_context(known_at=job.known_at)
    try:
        summary = gate_file(events, result, context, progress=run.progress)
    except EventsFileError as error:
        raise JobFailed(f"{error.message} Nothing was written.") from None
    with open(result, "rb") as handle:
        result_name = storage.save(f"{_folder(job)}/result.{job.input_format}", File(handle))
    return {
        "result_name": result_name,
        "total_rows": summary.total,
        "processed_rows": summary.total,
        "summary": summary_json(summary),
    }


def _folder(job: GatingJob) -> str:
    return f"gating/jobs/{job.uuid.hex}"


def _discard(job: GatingJob) -> None:
    """Remove result files a run stored but did not record (it broke, or its worker died, in between)."""
    storage = storages["default"]
    try:
        _, files = storage.listdir(_folder(job))
    except FileNotFoundError:
        return
    for name in files:
        stored = f"{_folder(job)}/{name}"
        if stored not in (job.input_name, job.result_name):
            storage.delete(stored)


GATING_JOBS = register_job_kind(
    JobKind(
        name="gating_job",
        workflow=GATING_JOB_WORKFLOW,
        task_path="qualify.gating.tasks.run_gating_job",
        work=_gate,
        discard=_discard,
        worker_name=WORKER,
    )
)


def gating_job_run(*, job_id: str, worker_id: str = "") -> str:
    """Decide a queued job's file and keep the result; idempotent: anything but a queued job is left alone.

    Steps through the job's workflow as the Programme's worker (``core.jobs.job_run``): start, then finish with the
    result and the summary, or fail with the reader's message (naming the row and column; made safe to store and
    show) and no result. A failure is recorded on the job and never raised. Returns the job's final state.
    """
    return job_run(GATING_JOBS, job_id=job_id, worker_id=worker_id)
