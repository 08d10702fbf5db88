"""The Test Completion Report's one step, run by the workflow engine (core/workflow.py): the participant's lead
submits a generated report, and its Word and PDF files become evidence of the QAD's Test Completion Report question,
so the Final QAD submission freezes them by hash (DOMAIN.md §10a "Leaving QT")."""

from __future__ import annotations

from typing import Any

from qualify.core.workflow import AppliedTransition, Transition, Workflow, register
from qualify.testing.choices import ReportState
from qualify.testing.models import CompletionReport
from qualify.testing.permissions import can_submit_completion_report

R = ReportState

REPORT_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        name="submit",
        label="Submit the Test Completion Report",
        sources=frozenset({R.GENERATED}),
        target=R.SUBMITTED,
        permission=can_submit_completion_report,
        confirm="I confirm this report is the one the Code Bodies assess with our Final QAD.",
    ),
)


class CompletionReportWorkflow(Workflow[CompletionReport]):
    model = CompletionReport
    transitions = REPORT_TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(ReportState(state).label).lower() if state in ReportState.values else state

    def organisation_id(self, instance: CompletionReport) -> int:
        return int(instance.case.participation.organisation_id)

    def record(self, applied: AppliedTransition[CompletionReport]) -> dict[str, Any]:
        report = applied.instance
        report.submitted_at = applied.at
        report.submitted_by_name = applied.actor.display_name[:200]
        report.save(update_fields=["submitted_at", "submitted_by_name", "updated_at"])
        return {"report": f"{report.case.reference} TCR {report.sequence}", "facts_sha256": report.facts_sha256}


REPORT_WORKFLOW = register("testing_completion_report", CompletionReportWorkflow())
