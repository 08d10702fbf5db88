"""Reads of the gating app that depend on who asks: bulk jobs, from ``GatingJob.objects.visible_to``."""

from __future__ import annotations

from typing import IO

from django.core.files.storage import storages

from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.gating.models import GatingJob, GatingJobQuerySet, JobState
from qualify.gating.permissions import can_gate

RESULT_CONTENT_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}


def gating_job_list(*, actor: Actor) -> GatingJobQuerySet:
    """The jobs the actor may see, newest first (one query: a job carries its requester's name)."""
    can_gate(actor).enforce()
    return GatingJob.objects.visible_to(actor).order_by("-created_at", "-id")


def gating_job_get(*, actor: Actor, reference: str) -> GatingJob:
    """One job by its reference (``GJ-000123``); another person's job is 'not found', as if it did not exist."""
    can_gate(actor).enforce()
    job = GatingJob.objects.visible_to(actor).filter(reference=reference.strip().upper()).first()
    if job is None:
        raise NotFound("No such gating job.")
    return job


def gating_job_result(*, actor: Actor, reference: str) -> tuple[IO[bytes], str, str]:
    """The result file of a finished job, opened for streaming: (handle, download name, content type)."""
    job = gating_job_get(actor=actor, reference=reference)
    if job.state != JobState.DONE or not job.result_name:
        raise NotFound(f"{job.reference} has no result file yet." if not job.is_finished else "No result file.")
    handle = storages["default"].open(job.result_name, "rb")
    return handle, f"{job.reference}-result.{job.input_format}", RESULT_CONTENT_TYPES[job.input_format]
