"""Bulk jobs run by a real ``manage.py db_worker`` process on PostgreSQL, as in production (issue 14, "Faults and
bad input").

- A binary file named ``.csv`` once made an error message with NUL bytes, which PostgreSQL refuses; the task
  library's own failure handler failed the same way and the worker exited, leaving the job running for ever and the
  next jobs queued behind it. Now the job fails with a clean message and the same worker goes on to the next job.
- A worker killed (``kill -9``) mid-job once left the job running for ever and its temporary files on disk. Now the
  restarted worker (same ``--worker-id``) queues it again from the start, removes the files, and runs it to done.

These tests commit for real (the worker is another process) and need PostgreSQL: on SQLite the worker would fight
the test run for the database file. Each starts its worker(s) as subprocesses and stops them before it ends.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.core.files.storage import storages

from qualify.core.actor import system_actor
from qualify.core.jobs import FINISHED_STATES, JobState, work_dir
from qualify.core.tests.postgres import _postgresql_only, database_url  # noqa: F401  (the fixture applies to this module)
from qualify.gating.models import GatingJob
from qualify.gating.services import GATING_JOBS, gating_job_submit
from qualify.gating.tests.jobs import events_csv

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
T = TypeVar("T")


@pytest.fixture
def workers(settings: Any, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start ``manage.py db_worker`` processes on the test database; jobs submitted here are queued for them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.QUALIFY_JOB_WORK_DIR = str(tmp_path / "work")
    started: list[subprocess.Popen[bytes]] = []

    def start(*, pause: float = 0, worker_id: str = "worker-1") -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "qualify.core.tests.worker_settings",
            "QUALIFY_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "QUALIFY_TEST_JOB_WORK_DIR": settings.QUALIFY_JOB_WORK_DIR,
            "QUALIFY_TEST_JOB_PAUSE": str(pause),
        }
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115  (closed with the process)
        command = ["manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"]
        process = subprocess.Popen(  # noqa: S603  (this interpreter running the project's own command)
            [sys.executable, *command, "--worker-id", worker_id], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def wait_for(what: str, check: Callable[[], T], worker: subprocess.Popen[bytes], timeout: float = 30) -> T:
    """Poll ``check`` until it gives something true; fail at once if the worker has exited, or after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        assert worker.poll() is None, f"the worker exited (code {worker.returncode}) while waiting for {what}"
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def submit(content: bytes, name: str) -> GatingJob:
    return gating_job_submit(actor=system_actor("test"), upload=io.BytesIO(content), name=name, size=len(content))


def when(job: GatingJob, condition: Callable[[GatingJob], bool]) -> Callable[[], GatingJob | None]:
    """A check for ``wait_for``: the job read afresh, once ``condition`` holds for it."""

    def check() -> GatingJob | None:
        job.refresh_from_db()
        return job if condition(job) else None

    return check


def test_a_binary_csv_fails_its_job_cleanly_and_the_worker_goes_on_to_the_next_job(workers):
    worker = workers()
    binary = submit(bytes(range(256)) * 64, "events.csv")  # NUL and every other control byte, in the header too
    good = submit(events_csv(), "events.csv")

    wait_for("both jobs to finish", when(good, lambda j: j.state in FINISHED_STATES), worker)
    binary.refresh_from_db()
    assert binary.state == JobState.FAILED
    assert binary.error_message.startswith("events.csv: unknown column(s):")
    assert binary.error_message.endswith("Nothing was written.")
    assert not any(ch < " " for ch in binary.error_message) and len(binary.error_message) <= 4000
    assert (good.state, good.processed_rows, good.error_message) == (JobState.DONE, 8, "")
    assert worker.poll() is None  # the same worker is still serving


def test_a_worker_killed_mid_job_is_replaced_and_the_job_runs_again_from_the_start(workers):
    first = workers(pause=60)  # holds the run at its first progress report
    job = submit(events_csv(), "events.csv")
    running = wait_for(
        "the job to be running with its progress written", when(job, lambda j: j.processed_rows > 0), first
    )
    assert (running.state, running.attempts, running.worker_id) == (JobState.RUNNING, 1, "worker-1")
    folder = work_dir(GATING_JOBS, job)
    assert any(folder.iterdir())  # the run's temporary files: a copy of the result being written

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    job.refresh_from_db()
    assert job.state == JobState.RUNNING  # nobody else would ever move it on

    second = workers(worker_id="worker-1")  # the same worker slot, restarted: it recovers its own job at once
    done = wait_for("the job to be run again to the end", when(job, lambda j: j.state in FINISHED_STATES), second)
    assert (done.state, done.attempts, done.processed_rows, done.error_message) == (JobState.DONE, 2, 8, "")
    assert not folder.exists()
    stored = storages["default"].listdir(f"gating/jobs/{job.uuid.hex}")[1]
    assert sorted(stored) == ["events.csv", "result.csv"]
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
