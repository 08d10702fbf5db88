"""Set-up shared by the oversight tests: forcing a case's state, opening a record, walking a ladder path."""

from __future__ import annotations

import datetime as dt
from typing import Any

from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.core import clock
from qualify.oversight.models import NonCompletionRecord
from qualify.oversight.services import PlanInput, record_decide

# Who takes each step of the default ladder in the cast (and who records an outcome another person takes).
STEP_ACTOR = {"NOTICE": "admin", "RESPONSE": "lead_a", "REVIEW": "bsc", "REFERRAL": "admin", "PAB_DECISION": "board"}
STEP_ACTOR["ESCALATION"] = "board"
OUTCOME_ACTOR = {"NO_RESPONSE": "admin"}


def force_state(case: QualificationCase, state: str) -> QualificationCase:
    # Test set-up only: jump straight to a state without walking the path to it.
    QualificationCase.objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    return case


def open_record(cast: Any, case: QualificationCase, state: str = "TESTING") -> NonCompletionRecord:
    """The case in ``state``, then non-completion recorded by the Programme (the record opens with it)."""
    case_transition(actor=cast.actor("admin"), case=force_state(case, state), name="record_non_completion", comment="x")
    return NonCompletionRecord.objects.get(case=case, state="OPEN")


def a_plan() -> PlanInput:
    soon = clock.today() + dt.timedelta(days=30)
    return PlanInput(
        summary="Finish QT by the new date.",
        owner="Ada Lead",
        milestones=[{"title": "Test Completion Report", "due": soon.isoformat()}],
    )


def decide(
    cast: Any, record: NonCompletionRecord, outcome: str, *, who: str | None = None, **kw: Any
) -> NonCompletionRecord:
    record = NonCompletionRecord.objects.select_related("case__participation", "ladder").get(pk=record.pk)
    actor = who or OUTCOME_ACTOR.get(outcome) or STEP_ACTOR[record.step]
    if outcome == "PLAN_SUBMITTED":
        kw.setdefault("plan", a_plan())
    if outcome == "SANCTION":
        kw.setdefault("comment", "sanctioned")
    return record_decide(actor=cast.actor(actor), record=record, outcome=outcome, **kw)
