"""Background work of the gating app: one task per bulk job, enqueued only after the job's row commits."""

from __future__ import annotations

from django_tasks import task

from qualify.gating.services import gating_job_run


@task()
def run_gating_job(job_id: str) -> str:
    """Decide a job's events file (by the job's UUID); safe to run twice: only a queued job is run."""
    return gating_job_run(job_id=job_id)
