"""Background work of the gating app: one task per bulk job, enqueued only after the job's row commits."""

from __future__ import annotations

from django_tasks import TaskContext, task

from qualify.gating.services import gating_job_run


@task(takes_context=True)
def run_gating_job(context: TaskContext, job_id: str) -> str:
    """Decide a job's events file (by the job's UUID); safe to run twice: only a queued job is run.

    Returns the job's state, a short text the task table can always store; a failure is recorded on the job, not
    raised (``core.jobs.job_run``).
    """
    worker_ids = context.task_result.worker_ids
    return gating_job_run(job_id=job_id, worker_id=worker_ids[-1] if worker_ids else "")
