"""Bulk jobs that meet bad input or lose their worker (issue 14): a clean failure, never a crash; a stale run queued
again from the start or failed after too many attempts, its temporary files removed (``core.jobs``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command

from qualify.core import clock
from qualify.core.actor import system_actor
from qualify.core.jobs import (
    MAX_ATTEMPTS,
    STALE_AFTER,
    UNEXPECTED,
    JobCrashed,
    JobState,
    job_run,
    jobs_recover,
    work_dir,
)
from qualify.core.workflow import apply_transition
from qualify.gating.models import GatingJob
from qualify.gating.services import GATING_JOBS, gating_job_run, gating_job_submit
from qualify.gating.tests.jobs import events_csv, submit_and_run
from qualify.gating.workflow import GATING_JOB_WORKFLOW

pytestmark = pytest.mark.django_db

BINARY = bytes(range(256)) * 64


@pytest.fixture(autouse=True)
def _work_dir(settings, tmp_path):
    settings.QUALIFY_JOB_WORK_DIR = str(tmp_path / "work")


def submitted(content: bytes | None = None) -> GatingJob:
    content = events_csv() if content is None else content
    return gating_job_submit(actor=system_actor("test"), upload=io.BytesIO(content), name="e.csv", size=len(content))


def abandoned(*, attempts: int = 1, worker_id: str = "worker-7", age: dt.timedelta = STALE_AFTER * 2) -> GatingJob:
    """A job left running by a worker that died: its heartbeat old, a temporary file and a stray result left."""
    job = submitted()
    worker = system_actor("gating worker")
    for attempt in range(attempts):
        if attempt:
            job = apply_transition(GATING_JOB_WORKFLOW, actor=worker, instance=job, name="retry")
        job = apply_transition(GATING_JOB_WORKFLOW, actor=worker, instance=job, name="start")
    GatingJob.objects.filter(pk=job.pk).update(heartbeat_at=clock.now() - age, worker_id=worker_id)
    folder = work_dir(GATING_JOBS, job)
    folder.mkdir(parents=True)
    (folder / ".result.csv.tmp").write_bytes(b"ref,outcome\n")
    storages["default"].save(f"gating/jobs/{job.uuid.hex}/result.csv", ContentFile(b"half a result"))
    job.refresh_from_db()
    return job


def stored(job: GatingJob) -> list[str]:
    return sorted(storages["default"].listdir(f"gating/jobs/{job.uuid.hex}")[1])


# --- bad input ------------------------------------------------------------------------------------------------------


def test_a_binary_csv_fails_the_job_with_a_clean_bounded_message_and_nothing_is_raised():
    job = submitted(BINARY)
    assert gating_job_run(job_id=str(job.uuid), worker_id="w\x00rker") == "FAILED"
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert (
        job.error_message.startswith("events.csv: unknown column(s):") and "Nothing was written." in job.error_message
    )
    assert not any(ch < " " for ch in job.error_message) and len(job.error_message) <= 4000
    assert (job.result_name, stored(job), job.worker_id) == ("", ["events.csv"], "")
    assert not work_dir(GATING_JOBS, job).exists()


def test_an_unexpected_error_fails_the_job_with_a_plain_message_and_removes_what_the_run_left(caplog):
    def broken(run):
        storages["default"].save(f"gating/jobs/{run.job.uuid.hex}/result.csv", ContentFile(b"partial"))
        (run.work_dir / "scratch").write_bytes(b"x")
        raise ValueError("bad byte \x00 in \x1b[31m the file")

    job = submitted()
    kind = dataclasses.replace(GATING_JOBS, work=broken)
    assert job_run(kind, job_id=str(job.uuid)) == "FAILED"
    job.refresh_from_db()
    assert (job.state, job.error_message, stored(job)) == (JobState.FAILED, UNEXPECTED, ["events.csv"])
    assert not work_dir(GATING_JOBS, job).exists()
    assert "\x00" not in caplog.text and "bad byte" in caplog.text


def test_when_even_the_failure_cannot_be_recorded_the_task_raises_only_storable_text():
    def broken(run):
        raise ValueError("first \x00")

    def discard(job):
        raise OSError("storage says \x00\x07 no")

    job = submitted()
    with pytest.raises(JobCrashed) as raised:
        job_run(dataclasses.replace(GATING_JOBS, work=broken, discard=discard), job_id=str(job.uuid))
    assert str(raised.value) == "storage says no"
    assert raised.value.__suppress_context__ and raised.value.__cause__ is None


def test_a_task_delivered_twice_or_for_a_missing_job_changes_nothing():
    job = submit_and_run(system_actor("test"))
    assert gating_job_run(job_id=str(job.uuid)) == "DONE"
    assert gating_job_run(job_id="00000000-0000-0000-0000-000000000000") == "MISSING"


# --- recovery -------------------------------------------------------------------------------------------------------


def test_a_stale_run_is_queued_again_from_the_start_and_runs_to_done(django_capture_on_commit_callbacks):
    job = abandoned()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        recovery = jobs_recover()
    assert recovery.retried == [f"gating_job:{job.uuid}"] and recovery.failed == []
    assert len(callbacks) == 1  # the task, queued again once the retry commits
    job.refresh_from_db()
    assert (job.state, job.attempts, job.processed_rows, job.error_message) == (JobState.DONE, 2, 8, "")
    assert stored(job) == ["events.csv", "result.csv"] and job.result_name.endswith("result.csv")
    assert storages["default"].open(job.result_name).read().startswith(b"ref,outcome,reasons,gsp_group")
    assert not work_dir(GATING_JOBS, job).exists()


def test_a_run_that_keeps_dying_is_failed_with_a_clear_message_after_the_last_attempt():
    job = abandoned(attempts=MAX_ATTEMPTS)
    recovery = jobs_recover()
    assert recovery.failed == [f"gating_job:{job.uuid}"] and recovery.retried == []
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error_message.startswith(f"The job was stopped {MAX_ATTEMPTS} times before it could finish")
    assert (job.result_name, stored(job)) == ("", ["events.csv"])
    assert not work_dir(GATING_JOBS, job).exists()


def test_a_live_run_is_left_alone_unless_its_worker_is_the_one_starting_up(django_capture_on_commit_callbacks):
    job = abandoned(age=dt.timedelta(seconds=5), worker_id="worker-2")
    assert jobs_recover().retried == []
    assert jobs_recover(worker_id="worker-3").retried == []
    job.refresh_from_db()
    assert job.state == JobState.RUNNING and work_dir(GATING_JOBS, job).exists()

    with django_capture_on_commit_callbacks(execute=False):
        assert jobs_recover(worker_id="worker-2").retried == [f"gating_job:{job.uuid}"]
    job.refresh_from_db()
    assert (job.state, job.worker_id, job.heartbeat_at) == (JobState.QUEUED, "", None)


def test_leftover_work_folders_of_finished_jobs_are_swept_and_other_folders_kept(settings, tmp_path):
    job = submit_and_run(system_actor("test"))
    leftover = work_dir(GATING_JOBS, job)
    leftover.mkdir(parents=True)
    stranger = leftover.parent / "0123456789abcdef0123456789abcdef"  # not a job of this database
    stranger.mkdir()
    assert jobs_recover().removed == [str(leftover)]
    assert not leftover.exists() and stranger.exists()


def test_the_recover_jobs_command_reports_what_it_did(django_capture_on_commit_callbacks):
    job = abandoned(age=dt.timedelta(seconds=30))
    out = StringIO()
    call_command("recover_jobs", stdout=out)
    assert "0 job(s) queued again, 0 failed" in out.getvalue()
    with django_capture_on_commit_callbacks(execute=False):
        call_command("recover_jobs", "--stale-after", "10", stdout=out)
    assert f"queued again: gating_job:{job.uuid}" in out.getvalue()
    assert "1 job(s) queued again, 0 failed" in out.getvalue()
