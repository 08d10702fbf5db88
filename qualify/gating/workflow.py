"""The life of a bulk gating job: every background job's table (``core.jobs.JOB_TRANSITIONS``: queued → running →
done | failed, and running → queued again when its worker died mid-run).

Every step is taken by the background worker (``tasks.run_gating_job``) or the recovery (``manage.py recover_jobs``)
through ``core.workflow.apply_transition``, which locks the row, re-checks the source state and writes the audit
event. What a step records besides the state (times, the result, the summary, the error) arrives in
``TransitionInput.extra`` and is written by ``record`` under the same lock.
"""

from __future__ import annotations

from qualify.core.jobs import JobWorkflow
from qualify.core.workflow import register
from qualify.gating.models import GatingJob


class GatingJobWorkflow(JobWorkflow[GatingJob]):
    model = GatingJob
    recorded_fields = ("result_name", "summary")
    audited_fields = ("result_name",)


GATING_JOB_WORKFLOW = register("gating_job", GatingJobWorkflow())
