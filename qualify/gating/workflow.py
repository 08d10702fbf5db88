"""The life of a bulk gating job as a declarative transition table (queued → running → done | failed).

Every step is taken by the background worker (``tasks.run_gating_job``) through ``core.workflow.apply_transition``,
which locks the row, re-checks the source state and writes the audit event. What a step records besides the state
(start and finish times, the result, the summary, the error) arrives in ``TransitionInput.extra`` and is written by
``record`` under the same lock.
"""

from __future__ import annotations

from typing import Any

from qualify.core.workflow import AppliedTransition, Transition, Workflow, register
from qualify.gating.models import GatingJob, JobState
from qualify.gating.permissions import runs_jobs

S = JobState

# The fields a step may set from ``TransitionInput.extra``.
_RECORDED_FIELDS = ("result_name", "total_rows", "processed_rows", "summary", "error_message")

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        name="start",
        label="Start",
        sources=frozenset({S.QUEUED}),
        target=S.RUNNING,
        permission=runs_jobs,
        description="The worker picks the job up and begins reading the file.",
    ),
    Transition(
        name="finish",
        label="Finish",
        sources=frozenset({S.RUNNING}),
        target=S.DONE,
        permission=runs_jobs,
        description="Every event decided; the result file and the summary are kept.",
    ),
    Transition(
        name="fail",
        label="Fail",
        sources=frozenset({S.QUEUED, S.RUNNING}),
        target=S.FAILED,
        permission=runs_jobs,
        description="The file is bad (the error names the row and column) or the run broke; no result is kept.",
    ),
)


class GatingJobWorkflow(Workflow[GatingJob]):
    model = GatingJob
    transitions = TRANSITIONS

    def state_label(self, state: str) -> str:
        return JobState(state).label.lower()

    def record(self, applied: AppliedTransition[GatingJob]) -> dict[str, Any]:
        job = applied.instance
        fields = {name: value for name, value in applied.data.extra.items() if name in _RECORDED_FIELDS}
        for name, value in fields.items():
            setattr(job, name, value)
        if applied.transition.name == "start":
            job.started_at = applied.at
            fields["started_at"] = applied.at
        else:
            job.finished_at = applied.at
            fields["finished_at"] = applied.at
        job.save(update_fields=list(fields))
        audited = ("result_name", "total_rows", "error_message")
        return {name: {"after": value} for name, value in fields.items() if name in audited}


GATING_JOB_WORKFLOW = register("gating_job", GatingJobWorkflow())
