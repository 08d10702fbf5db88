"""The defect lifecycle and the assurance of a run as declarative transition tables, run by the one engine.

Named ``defects_workflow`` (not ``workflow``) so that it sits beside the reliance proposal's table;
TestingConfig.ready() imports it so that both register. A defect is open until the participant says it is fixed;
a retest then closes it, or a failed retest opens it again (DOMAIN.md §10a "defects managed"). A run's assurance is
the Code Bodies' (or, for an LDSO's functional runs, the Programme test manager's) view of it: accepted, or sent
back with a comment.
"""

from __future__ import annotations

from typing import Any

from qualify.core import clock
from qualify.core.workflow import AppliedTransition, Transition, TransitionInput, Workflow, register
from qualify.testing.choices import Assurance, DefectState
from qualify.testing.models import Defect, Execution
from qualify.testing.permissions import assuring_body, defect_editor, run_assurer

D = DefectState
A = Assurance


def _t(name: str, label: str, sources: Any, target: str, permission: Any, **kw: Any) -> Transition:
    return Transition(name=name, label=label, sources=frozenset(sources), target=target, permission=permission, **kw)


DEFECT_TRANSITIONS: tuple[Transition, ...] = (
    _t(
        "fix",
        "Mark fixed (awaiting retest)",
        {D.OPEN},
        D.FIXED,
        defect_editor,
        description="The participant has a fix in place; the test case is to be run again.",
    ),
    _t(
        "retest_failed",
        "Retest failed: reopen",
        {D.FIXED},
        D.OPEN,
        defect_editor,
        comment_required=True,
        description="The retest did not pass; say what was seen.",
    ),
    _t(
        "close",
        "Close (retest passed)",
        {D.FIXED},
        D.CLOSED,
        defect_editor,
        confirm="A closed defect cannot be reopened; raise a new one if it comes back.",
    ),
)


class DefectWorkflow(Workflow[Defect]):
    model = Defect
    transitions = DEFECT_TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(DefectState(state).label).lower() if state in DefectState.values else state

    def subject(self, instance: Defect) -> str:
        return str(instance.reference)

    def organisation_id(self, instance: Defect) -> int:
        return int(instance.case.participation.organisation_id)

    def record(self, applied: AppliedTransition[Defect]) -> dict[str, Any]:
        defect = applied.instance
        if applied.target == D.CLOSED:
            defect.closed_on = clock.today()
            defect.save(update_fields=["closed_on", "updated_at"])
        return {"defect": defect.reference, **({"closed_on": defect.closed_on.isoformat()} if defect.closed_on else {})}


DEFECT_WORKFLOW = register("testing_defect", DefectWorkflow())


def _latest(execution: Execution, data: TransitionInput) -> str | None:
    if not execution.is_latest:
        return f"A later run of {execution.test_case_id} replaced this one; assure the latest run instead."
    return None


ASSURANCE_TRANSITIONS: tuple[Transition, ...] = (
    _t("accept", "Accept the run", {A.PENDING}, A.ACCEPTED, run_assurer, guards=(_latest,)),
    _t(
        "send_back",
        "Send the run back",
        {A.PENDING},
        A.SENT_BACK,
        run_assurer,
        guards=(_latest,),
        comment_required=True,
        description="The participant runs the test case again (a new run) and answers the comment.",
    ),
)


class AssuranceWorkflow(Workflow[Execution]):
    model = Execution
    state_field = "assurance"
    transitions = ASSURANCE_TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(Assurance(state).label).lower() if state in Assurance.values else state

    def organisation_id(self, instance: Execution) -> int:
        return int(instance.case.participation.organisation_id)

    def record(self, applied: AppliedTransition[Execution]) -> dict[str, Any]:
        run = applied.instance
        body = assuring_body(applied.actor, str(run.case.participation.role), run.batch) or ""
        run.assured_by_body = body
        run.assured_by_name = applied.actor.display_name[:200]
        run.assured_at = applied.at
        run.assurance_comment = applied.data.comment.strip()[:4000]
        run.save(update_fields=["assured_by_body", "assured_by_name", "assured_at", "assurance_comment", "updated_at"])
        return {"case": run.case.reference, "test_case": run.test_case_id, "body": body}


ASSURANCE_WORKFLOW = register("testing_assurance", AssuranceWorkflow())
