"""Background jobs that survive bad input and a killed worker: one piece every app's long-running work shares.

A job is a row (a model inheriting ``BackgroundJob``) moved queued → running → done | failed by its workflow (a
``JobWorkflow``), and run by a django-tasks task that calls ``job_run``. What this module promises:

- **A failure never takes the worker down.** ``job_run`` catches whatever the work raises, records a failure whose
  message is made safe to store and show (``core.text.error_text``: no NUL or control characters, bounded) and
  returns the job's state. If even that cannot be recorded it raises ``JobCrashed`` carrying only such a message, with
  no chained exception, so what the task library stores about the failure (class, traceback) is storable too.
- **A worker that dies is noticed.** A running job carries a heartbeat (``heartbeat_at``): a thread of the worker
  refreshes it with the progress every ``BEAT_SECONDS`` from its own database connection, so it keeps beating while
  the work holds a long transaction. ``jobs_recover`` (``manage.py recover_jobs``, scheduled by the operator, and
  the ``db_worker`` command at start-up) takes each running job whose heartbeat is older than ``STALE_AFTER`` — or,
  at a worker's start-up, that was run by a worker with the same ``--worker-id`` — and queues it again from the
  start, or fails it with a clear message once it has been tried ``max_attempts`` times.
- **Nothing temporary is left behind.** The work gets its own directory (``work_dir``), removed when the run ends
  and by recovery; a kind's ``discard`` removes anything a run stored elsewhere (e.g. a result file written to
  storage before the step that records it).

A job is seen by whoever asked for it and by programme administrators (``BackgroundJobQuerySet.visible_to``).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, connections, models, transaction
from django.db.models import Q
from django.utils.module_loading import import_string

from qualify.core import clock
from qualify.core.actor import Actor, system_actor
from qualify.core.errors import TransitionNotAllowed
from qualify.core.models import PublicIdModel
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.core.text import clean_text, error_text, one_line
from qualify.core.workflow import AppliedTransition, Transition, TransitionInput, Workflow, apply_transition

if TYPE_CHECKING:
    from django_tasks.base import Task

logger = logging.getLogger(__name__)

# How often a running job's worker writes its heartbeat and progress, and how old a heartbeat may be before the job
# is taken for abandoned (its worker killed or its machine gone).
BEAT_SECONDS = 1.0
STALE_AFTER = dt.timedelta(minutes=2)
# A job whose runs were cut short this many times is failed rather than tried again (e.g. a file that kills the
# worker each time it is read).
MAX_ATTEMPTS = 3
# Progress written from the running thread itself (when the run is inside a transaction, as in tests) at most this
# often.
INLINE_PROGRESS_SECONDS = 0.5
UNEXPECTED = "The job stopped on an unexpected error; the Programme has been told."


class JobState(models.TextChoices):
    QUEUED = "QUEUED", "Queued"
    RUNNING = "RUNNING", "Running"
    DONE = "DONE", "Done"
    FAILED = "FAILED", "Failed"


FINISHED_STATES = frozenset({JobState.DONE, JobState.FAILED})

J = TypeVar("J", bound="BackgroundJob")


class BackgroundJobQuerySet(models.QuerySet[J]):
    def visible_to(self, actor: Actor) -> Self:
        """The requester's own jobs; every job for a programme administrator; nothing for anyone else.

        Not ``VisibleQuerySet``: a job belongs to a person or a market system, not to an organisation, and the
        all-seeing staff roles must not read each other's files.
        """
        if not actor.is_authenticated:
            return self.none()
        if actor.is_programme_admin:
            return self.all()
        if actor.user_id is None:
            return self.none()
        return self.filter(requested_by_id=actor.user_id)


class BackgroundJob(PublicIdModel):
    """What every background job records: its state, who asked, progress, heartbeat, attempts and error.

    Concrete jobs add what their work needs and declare ``job_constraints(prefix)`` in their ``Meta``.
    """

    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    requested_by_id = models.BigIntegerField(null=True, blank=True, help_text="The user who asked for the job.")
    requested_by_name = models.CharField(max_length=200)
    total_rows = models.BigIntegerField(null=True, blank=True, help_text="Rows to process, once counted.")
    processed_rows = models.BigIntegerField(default=0)
    error_message = models.TextField(blank=True, help_text="Why the job failed, safe to show; else empty.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker has started the job.")
    worker_id = models.CharField(max_length=64, blank=True, help_text="The worker running the job, while it runs.")
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the running worker last said it was alive (with the progress)."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(100 * self.processed_rows / self.total_rows))


def job_constraints(prefix: str, noun: str) -> list[models.BaseConstraint]:
    """The row rules every job keeps, named after its table (``prefix``) and worded for its kind (``noun``)."""
    return [
        models.CheckConstraint(
            condition=Q(state__in=JobState.values),
            name=f"{prefix}_state_known",
            violation_error_message=f"A {noun}'s state is one of queued, running, done or failed.",
        ),
    ]


# --- the steps --------------------------------------------------------------------------------------------------


def runs_jobs(actor: Actor, job: object = None) -> Decision:
    """The Programme's background worker.

    The steps of a job (start, finish, fail, retry) are taken by the task runner or the recovery acting for the
    Programme, never by a person: a person submits the work and watches.
    """
    if actor.is_programme_admin and actor.user_id is None:
        return ALLOW
    return deny("Only the background worker moves a job on.")


def _same_run(job: BackgroundJob, data: TransitionInput) -> str | None:
    """A run's last step counts only while the job is still that run's (recovery may have started another)."""
    attempt = data.extra.get("attempt")
    if attempt is not None and attempt != job.attempts:
        return "A later run of this job has taken over."
    return None


S = JobState
JOB_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        name="start",
        label="Start",
        sources=frozenset({S.QUEUED}),
        target=S.RUNNING,
        permission=runs_jobs,
        description="A worker picks the job up and begins.",
    ),
    Transition(
        name="finish",
        label="Finish",
        sources=frozenset({S.RUNNING}),
        target=S.DONE,
        permission=runs_jobs,
        guards=(_same_run,),
        description="The work is done and its result kept.",
    ),
    Transition(
        name="fail",
        label="Fail",
        sources=frozenset({S.QUEUED, S.RUNNING}),
        target=S.FAILED,
        permission=runs_jobs,
        guards=(_same_run,),
        description="The input is bad (the error says where), the run broke, or its worker stopped too often.",
    ),
    Transition(
        name="retry",
        label="Retry",
        sources=frozenset({S.RUNNING}),
        target=S.QUEUED,
        permission=runs_jobs,
        description="Its worker stopped mid-run (no heartbeat): queued to run again from the start.",
    ),
)

# The fields any step may set from ``TransitionInput.extra``; a job's workflow adds its own (``recorded_fields``).
_COMMON_RECORDED = ("total_rows", "processed_rows", "error_message", "worker_id")
_AUDITED = ("total_rows", "error_message", "attempts")


class JobWorkflow(Workflow[J]):
    """A job's life (``JOB_TRANSITIONS``); subclasses set ``model`` and may add ``recorded_fields``."""

    transitions = JOB_TRANSITIONS
    recorded_fields: ClassVar[tuple[str, ...]] = ()
    audited_fields: ClassVar[tuple[str, ...]] = ()

    def state_label(self, state: str) -> str:
        return JobState(state).label.lower()

    def record(self, applied: AppliedTransition[J]) -> dict[str, Any]:
        job = applied.instance
        allowed = (*_COMMON_RECORDED, *self.recorded_fields)
        fields: dict[str, Any] = {name: value for name, value in applied.data.extra.items() if name in allowed}
        name = applied.transition.name
        if name == "start":
            fields |= {
                "attempts": job.attempts + 1,
                "started_at": applied.at,
                "heartbeat_at": applied.at,
                "finished_at": None,
                "processed_rows": 0,
                "total_rows": None,
                "error_message": "",
            }
        elif name == "retry":
            fields |= {"heartbeat_at": None, "worker_id": "", "processed_rows": 0, "total_rows": None}
        else:
            fields |= {"finished_at": applied.at, "worker_id": ""}
        if "error_message" in fields:
            fields["error_message"] = clean_text(fields["error_message"], limit=4000, mark_cut=True)
        for key, value in fields.items():
            setattr(job, key, value)
        job.save(update_fields=list(fields))
        audited = (*_AUDITED, *self.audited_fields)
        return {key: {"after": value} for key, value in fields.items() if key in audited}


# --- running ---------------------------------------------------------------------------------------------------


class JobFailed(Exception):
    """The work cannot be done as asked (a bad file, a refused import): ``message`` is shown to the requester."""

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class JobCrashed(Exception):
    """Raised out of a task only when a job's failure could not even be recorded; its text is always storable."""


@dataclass
class JobRun(Generic[J]):
    """What the work of one run gets: the job, a directory of its own, and a way to report progress."""

    job: J
    work_dir: Path
    inline: bool
    processed: int = 0
    total: int | None = None
    _last_written: float | None = field(default=None, repr=False)
    _paused: bool = field(default=False, repr=False)

    def progress(self, done: int, total: int | None) -> None:
        """Record how far the work has got; written by the heartbeat (or here, at most every half second, when the
        run is inside a transaction and no other connection could see the row)."""
        self.processed, self.total = done, total
        if self.inline:
            now = time.monotonic()
            if self._last_written is None or now - self._last_written >= INLINE_PROGRESS_SECONDS:
                self._last_written = now
                job_progress(self.job, processed=done, total=total)
        pause = float(settings.QUALIFY_JOB_TEST_PAUSE_SECONDS or 0)
        if pause and not self._paused:  # tests only: hold the run once, so a test can stop its worker mid-job
            self._paused = True
            time.sleep(pause)


def job_progress(job: BackgroundJob, *, processed: int, total: int | None) -> None:
    """Record a running job's progress and heartbeat (not audited: a measurement, not a decision); only while the
    job is still in the run that ``job`` was read in."""
    type(job)._default_manager.filter(pk=job.pk, state=JobState.RUNNING, attempts=job.attempts).update(
        processed_rows=processed, total_rows=total, heartbeat_at=clock.now(), updated_at=clock.now()
    )


class _Heartbeat(threading.Thread):
    """Writes the run's heartbeat and progress every ``BEAT_SECONDS`` from its own connection until stopped."""

    def __init__(self, run: JobRun[Any]) -> None:
        super().__init__(name=f"heartbeat {run.job.uuid}", daemon=True)
        self.run_ = run
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(BEAT_SECONDS):
                try:
                    job_progress(self.run_.job, processed=self.run_.processed, total=self.run_.total)
                except Exception as error:  # a busy database must not end the beat; the next one may pass
                    logger.warning("heartbeat of job %s not written: %s", self.run_.job.uuid, error_text(error))
        finally:
            connections.close_all()  # this thread's own connections


@contextmanager
def _heartbeat(run: JobRun[Any]) -> Iterator[None]:
    if run.inline:
        yield
        return
    beat = _Heartbeat(run)
    beat.start()
    try:
        yield
    finally:
        beat.stopped.set()
        beat.join(timeout=10)


@dataclass(frozen=True)
class JobKind(Generic[J]):
    """One kind of job: its workflow, the task that runs it, its work and what to discard when a run is lost.

    ``work(run)`` returns the fields the finish step records (see the workflow's ``recorded_fields``) or raises
    ``JobFailed``. ``discard(job)`` removes what a run may have stored outside its work directory.
    """

    name: str
    workflow: JobWorkflow[J]
    task_path: str
    work: Callable[[JobRun[J]], dict[str, Any]]
    discard: Callable[[J], None] = lambda job: None
    failed: Callable[[J, JobFailed], dict[str, Any]] = lambda job, error: {}
    worker_name: str = "background worker"
    max_attempts: int = MAX_ATTEMPTS

    @property
    def model(self) -> type[J]:
        return self.workflow.model

    @property
    def task(self) -> Task[Any, Any]:
        task: Task[Any, Any] = import_string(self.task_path)
        return task

    def enqueue_on_commit(self, job: J) -> None:
        job_id = str(job.uuid)
        transaction.on_commit(lambda: self.task.enqueue(job_id))


def upload_name(name: str, default: str) -> str:
    """The last path component of what the client called an uploaded file, for display only (never to store it)."""
    return one_line(name.replace("\\", "/").rsplit("/", 1)[-1], limit=200) or default


def upload_job_submit(
    kind: JobKind[J],
    *,
    actor: Actor,
    job: J,
    upload: IO[bytes],
    path: str,
    reference_prefix: str,
    action: str,
    changes: dict[str, Any] | None = None,
) -> J:
    """Keep an uploaded input file at ``path`` (its storage name set as the job's ``input_name``), record the job with
    a reference (``GJ-000123``) and one audit event, and queue it to run once this commits.

    The copy happens before the database transaction, so a long copy holds no lock; the copy is removed if the row
    cannot be written, and a process killed between the two leaves a file ``sweep_orphan_files`` removes a day later.
    The job model has ``reference``, ``original_name``, ``input_name`` and ``input_size`` (gating and register imports).
    """
    storage = storages["default"]
    record: Any = job
    record.input_name = storage.save(path, File(upload, name=path.rsplit("/", 1)[-1]))
    try:
        return _upload_job_create(
            kind, actor=actor, job=job, reference_prefix=reference_prefix, action=action, changes=changes or {}
        )
    except BaseException:
        storage.delete(record.input_name)
        raise


@transaction.atomic
def _upload_job_create(
    kind: JobKind[J], *, actor: Actor, job: J, reference_prefix: str, action: str, changes: dict[str, Any]
) -> J:
    from qualify.audit.services import audit_record  # audit is called by everyone and calls no domain app

    record: Any = job
    record.reference = f"P-{job.uuid.hex[:12]}"  # unique until the row's number is known
    job.save(force_insert=True)
    record.reference = f"{reference_prefix}-{job.pk:06d}"
    job.save(update_fields=["reference"])
    audit_record(
        actor=actor,
        action=action,
        target=job,
        organisation_id=None,
        changes={"reference": record.reference, "file": record.original_name, "size": record.input_size, **changes},
    )
    kind.enqueue_on_commit(job)
    return job


KINDS: dict[str, JobKind[Any]] = {}


def register_job_kind(kind: JobKind[J]) -> JobKind[J]:
    """Name a kind of job so the recovery finds its stale runs."""
    KINDS[kind.name] = kind
    return kind


def work_root() -> Path:
    return Path(settings.QUALIFY_JOB_WORK_DIR or Path(tempfile.gettempdir()) / "qualify-jobs")


def work_dir(kind: JobKind[Any], job: BackgroundJob) -> Path:
    """The job's own temporary directory on the worker's machine (the same for every run of the job)."""
    return work_root() / kind.name / job.uuid.hex


def job_run(kind: JobKind[J], *, job_id: str, worker_id: str = "") -> str:
    """Run a queued job to done or failed and return its state; anything but a queued job is left alone.

    Never raises for a failure of the work; see the module docstring.
    """
    try:
        return _run(kind, job_id, worker_id)
    except Exception as error:
        message = error_text(error)
        logger.error("job %s of kind %s could not be run: %s", job_id, kind.name, message)
        raise JobCrashed(message) from None


def _run(kind: JobKind[J], job_id: str, worker_id: str) -> str:
    actor = system_actor(kind.worker_name)
    job = kind.model._default_manager.filter(uuid=job_id).first()
    if job is None:
        return "MISSING"
    if job.state != JobState.QUEUED:
        return str(job.state)
    try:
        job = apply_transition(
            kind.workflow,
            actor=actor,
            instance=job,
            name="start",
            data=TransitionInput(extra={"worker_id": clean_text(worker_id, limit=64, multiline=False)}),
        )
    except TransitionNotAllowed:  # another worker took it between the read and the lock
        return str(kind.model._default_manager.get(pk=job.pk).state)
    run = JobRun(job=job, work_dir=work_dir(kind, job), inline=connection.in_atomic_block)
    shutil.rmtree(run.work_dir, ignore_errors=True)
    run.work_dir.mkdir(parents=True)
    try:
        with _heartbeat(run):
            try:
                recorded = kind.work(run)
            except JobFailed as failure:
                return _fail(kind, actor, job, failure.message, kind.failed(job, failure))
            except Exception as error:
                _log_unexpected(kind, job, error)
                return _fail(kind, actor, job, UNEXPECTED)
            try:
                finish = TransitionInput(extra={**recorded, "attempt": job.attempts})
                apply_transition(kind.workflow, actor=actor, instance=job, name="finish", data=finish)
            except TransitionNotAllowed as refused:  # recovery gave the job to a later run meanwhile
                logger.warning("job %s (%s) not finished: %s", job.uuid, kind.name, error_text(refused))
                return str(kind.model._default_manager.get(pk=job.pk).state)
            except Exception as error:
                _log_unexpected(kind, job, error)
                return _fail(kind, actor, job, UNEXPECTED)
    finally:
        shutil.rmtree(run.work_dir, ignore_errors=True)
    return JobState.DONE.value


def _log_unexpected(kind: JobKind[Any], job: BackgroundJob, error: BaseException) -> None:
    trace = clean_text("".join(traceback.format_exception(error)), limit=20_000, mark_cut=True)
    logger.error("job %s (%s) broke: %s\n%s", job.uuid, kind.name, error_text(error), trace)


def _fail(kind: JobKind[J], actor: Actor, job: J, message: str, extra: dict[str, Any] | None = None) -> str:
    kind.discard(job)
    text = one_line(message, limit=4000, mark_cut=True) or UNEXPECTED
    data = TransitionInput(extra={**(extra or {}), "error_message": text, "attempt": job.attempts})
    apply_transition(kind.workflow, actor=actor, instance=job, name="fail", data=data)
    return JobState.FAILED.value


# --- recovery --------------------------------------------------------------------------------------------------


@dataclass
class Recovery:
    """What one pass of ``jobs_recover`` did: references (``kind:uuid``) retried and failed, directories removed."""

    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def jobs_recover(
    *, stale_after: dt.timedelta = STALE_AFTER, worker_id: str = "", now: dt.datetime | None = None
) -> Recovery:
    """Retry or fail every running job whose worker is gone, and remove leftover work directories.

    A worker is gone when the job's heartbeat is older than ``stale_after`` or, given ``worker_id`` (a worker
    starting up), when the job was being run by a worker of that id: ids are unique in the pool, so that run died.
    """
    now = now or clock.now()
    recovery = Recovery()
    for kind in KINDS.values():
        gone = Q(heartbeat_at__lt=now - stale_after) | Q(heartbeat_at__isnull=True)
        if worker_id:
            gone |= Q(worker_id=worker_id)
        for job in kind.model._default_manager.filter(gone, state=JobState.RUNNING).order_by("pk"):
            _recover_one(kind, job, recovery)
        _sweep(kind, now - stale_after, recovery)
    return recovery


def _recover_one(kind: JobKind[Any], job: BackgroundJob, recovery: Recovery) -> None:
    actor = system_actor("job recovery")
    label = f"{kind.name}:{job.uuid}"
    try:
        kind.discard(job)
        shutil.rmtree(work_dir(kind, job), ignore_errors=True)
        if job.attempts < kind.max_attempts:
            with transaction.atomic():
                apply_transition(
                    kind.workflow,
                    actor=actor,
                    instance=job,
                    name="retry",
                    data=TransitionInput(comment=f"Its worker stopped during attempt {job.attempts}; run again."),
                )
                kind.enqueue_on_commit(job)
            recovery.retried.append(label)
        else:
            message = (
                f"The job was stopped {job.attempts} times before it could finish (its worker stopped), so it was "
                "not tried again. Nothing was kept; submit it again, and tell the Programme if it happens again."
            )
            apply_transition(
                kind.workflow,
                actor=actor,
                instance=job,
                name="fail",
                data=TransitionInput(extra={"error_message": message}),
            )
            recovery.failed.append(label)
    except TransitionNotAllowed:  # moved on meanwhile (its worker was alive after all)
        return


def _sweep(kind: JobKind[Any], beaten_before: dt.datetime, recovery: Recovery) -> None:
    """Remove work directories of this kind's jobs that no live run owns (finished, queued or stale)."""
    root = work_root() / kind.name
    if not root.is_dir():
        return
    names = {path.name: path for path in root.iterdir() if path.is_dir()}
    if not names:
        return
    owned = {
        job_uuid.hex
        for job_uuid in kind.model._default_manager.filter(
            state=JobState.RUNNING, heartbeat_at__gte=beaten_before, uuid__in=[_uuid(n) for n in names if _uuid(n)]
        ).values_list("uuid", flat=True)
    }
    known = {
        job_uuid.hex
        for job_uuid in kind.model._default_manager.filter(uuid__in=[_uuid(n) for n in names if _uuid(n)]).values_list(
            "uuid", flat=True
        )
    }
    for name, path in names.items():
        if name in known and name not in owned:  # another database's jobs (a second deployment) are left alone
            shutil.rmtree(path, ignore_errors=True)
            recovery.removed.append(str(path))


def _uuid(name: str) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(hex=name))
    except ValueError:
        return None
