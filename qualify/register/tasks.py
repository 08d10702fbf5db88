"""Background work of the register app: the import of an uploaded register CSV (``import_jobs``)."""

from __future__ import annotations

from django_tasks import TaskContext, task

from qualify.register.import_jobs import register_import_job_run


@task(takes_context=True)
def run_register_import_job(context: TaskContext, job_id: str) -> str:
    """Import a job's register CSV (by the job's UUID); safe to run twice: only a queued job is run. Returns the
    job's state; a failure is recorded on the job, not raised."""
    worker_ids = context.task_result.worker_ids
    return register_import_job_run(job_id=job_id, worker_id=worker_ids[-1] if worker_ids else "")
