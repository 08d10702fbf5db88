"""A non-completion record's steps (QA&P Annex 4) through the one workflow engine.

The ladder's steps are data, so the table holds the three kinds of move a step's outcome can make: ``advance`` to
another step (the record stays open), ``resolve`` (the plan is accepted: the record closes and the case resumes where
it was), and ``sanction`` (the record closes with a sanction recorded as a decision). Each move names the step it
decides and the outcome; the engine locks the record, and the checks below re-read the locked row, so two people
deciding the same step at once leave exactly one decision (the second finds the step already decided).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from qualify.cases.choices import CaseState
from qualify.cases.workflow import CASE_WORKFLOW
from qualify.core import clock
from qualify.core.actor import Actor, system_actor
from qualify.core.errors import TransitionNotAllowed, ValidationFailed
from qualify.core.workdays import add_working_days
from qualify.core.workflow import AppliedTransition, Transition, TransitionInput, Workflow, apply_transition, register
from qualify.oversight import permissions as who
from qualify.oversight.choices import LeadsTo, RecordState
from qualify.oversight.ladder import OutcomeSpec, SanctionSpec, StepSpec
from qualify.oversight.models import NonCompletionRecord, RemediationPlan, StepDecision
from qualify.register.choices import RegisterEventSource

R = RecordState
# The kind of move each outcome makes (its ``leads_to``), by transition name.
MOVE_OF: dict[str, str] = {LeadsTo.STEP: "advance", LeadsTo.RESOLVED: "resolve", LeadsTo.SANCTION: "sanction"}


def _step_and_outcome(record: NonCompletionRecord, data: TransitionInput) -> tuple[StepSpec, OutcomeSpec] | str:
    step = record.current_step
    if step is None:
        return "This non-completion record is closed."
    if data.extra.get("step") != step.code:
        return f"That step has already been decided; the record is now at “{step.label}”. Reload and look again."
    outcome = step.outcome(str(data.extra.get("outcome", "")))
    if outcome is None:
        return f"“{step.label}” has no such outcome."
    return step, outcome


def _checked(record: NonCompletionRecord, data: TransitionInput) -> tuple[StepSpec, OutcomeSpec]:
    """The step and outcome a move names, once the guards have accepted them (refused otherwise)."""
    found = _step_and_outcome(record, data)
    if isinstance(found, str):
        raise TransitionNotAllowed(found)
    return found


def _leads(kind: str) -> Any:
    def guard(record: NonCompletionRecord, data: TransitionInput) -> str | None:
        found = _step_and_outcome(record, data)
        if isinstance(found, str):
            return found
        if found[1].leads_to != kind:
            return f"“{found[1].label}” does not lead to {LeadsTo(kind).label.lower()}."
        return None

    guard.__name__ = f"leads_to_{kind}"
    return guard


def _sanction_applies(record: NonCompletionRecord, data: TransitionInput) -> str | None:
    code = str(data.extra.get("sanction", ""))
    role = record.case.participation.role
    if code not in {s.code for s in record.ladder.spec.sanctions_for(role)}:
        allowed = ", ".join(s.label for s in record.ladder.spec.sanctions_for(role)) or "none"
        return f"Choose a sanction that applies to a {record.case.participation.get_role_display()} ({allowed})."
    return None


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        name="advance",
        label="Record the step's outcome",
        sources=frozenset({R.OPEN}),
        target=R.OPEN,
        permission=who.step_actor,
        guards=(_leads(LeadsTo.STEP),),
        description="The record moves to the ladder's next step, due a number of working days from today.",
    ),
    Transition(
        name="resolve",
        label="Resolve (the case resumes)",
        sources=frozenset({R.OPEN}),
        target=R.RESOLVED,
        permission=who.step_actor,
        guards=(_leads(LeadsTo.RESOLVED),),
        description="The plan is accepted: the case returns to the state it was in when the record opened.",
    ),
    Transition(
        name="sanction",
        label="Record a sanction",
        sources=frozenset({R.OPEN}),
        target=R.SANCTIONED,
        permission=who.step_actor,
        guards=(_leads(LeadsTo.SANCTION), _sanction_applies),
        comment_required=True,
        confirm="I understand a sanction is recorded as a decision and may change the participant's status.",
    ),
)


def case_resume(actor: Actor, record: NonCompletionRecord, why: str) -> None:
    """Return the case to where it was (the case table's ``accept_remediation`` reads it from its own history).

    The step is the Programme's in the case table; here it follows from the ladder's decision, so it is taken in
    the Programme's name, naming the person whose decision it follows.
    """
    case = record.case
    if case.state != CaseState.NON_COMPLETION:
        return
    programme = replace(system_actor(f"{actor.display_name} ({record.reference})"[:200]), request_id=actor.request_id)
    apply_transition(
        CASE_WORKFLOW,
        actor=programme,
        instance=case,
        name="accept_remediation",
        data=TransitionInput(comment=f"{record.reference}: {why}"[:2000]),
    )


class RecordWorkflow(Workflow[NonCompletionRecord]):
    model = NonCompletionRecord
    transitions = TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(RecordState(state).label).lower() if state in RecordState.values else state

    def check(self, actor: Actor, instance: NonCompletionRecord, transition: Transition, data: TransitionInput) -> None:
        # A step decided meanwhile is said so first, before who may take the step that followed it.
        step = instance.current_step
        if step is not None and data.extra.get("step") != step.code:
            raise TransitionNotAllowed(
                f"That step has already been decided; the record is now at “{step.label}”. Reload and look again.",
                code="already_decided",
                details={"step": step.code},
            )
        super().check(actor, instance, transition, data)
        step, outcome = _checked(instance, data)
        organisation_id = int(instance.case.participation.organisation_id)
        who.acts_as(actor, step.who_for(outcome), organisation_id).enforce()
        if outcome.remediation_plan and not data.extra.get("plan"):
            raise ValidationFailed(
                "This outcome needs a remediation plan: a summary, an owner and dated milestones.",
                details={"plan": "required"},
            )

    def organisation_id(self, instance: NonCompletionRecord) -> int:
        return int(instance.case.participation.organisation_id)

    def record(self, applied: AppliedTransition[NonCompletionRecord]) -> dict[str, Any]:
        from qualify.oversight.services.notices import step_announce
        from qualify.register.services import register_event_record

        record = applied.instance
        step, outcome = _checked(record, applied.data)
        today = clock.today()
        sanction: SanctionSpec | None = None
        if outcome.leads_to == LeadsTo.SANCTION:
            sanction = record.ladder.spec.sanction(str(applied.data.extra["sanction"]))
        decision = StepDecision.objects.create(
            record=record,
            position=record.decisions.count() + 1,
            step=step.code,
            step_label=step.label,
            step_due=record.step_due,
            outcome=outcome.code,
            outcome_label=outcome.label,
            leads_to=outcome.leads_to,
            next_step=outcome.next,
            sanction=sanction.code if sanction else "",
            comment=applied.data.comment.strip(),
            effective_date=applied.data.effective_date,
            at=applied.at,
            actor_id=applied.actor.user_id,
            actor_name=applied.actor.display_name,
            request_id=applied.actor.request_id,
        )
        plan = applied.data.extra.get("plan")
        if outcome.remediation_plan and isinstance(plan, dict):
            RemediationPlan.objects.create(
                record=record,
                decision=decision,
                summary=plan["summary"],
                owner=plan["owner"],
                milestones=plan["milestones"],
                submitted_at=applied.at,
                submitted_by_name=applied.actor.display_name,
            )
        following = record.ladder.spec.step(outcome.next) if outcome.leads_to == LeadsTo.STEP else None
        record.step = following.code if following else ""
        record.step_due = add_working_days(today, following.due_working_days) if following else None
        record.closed_on = None if following else today
        if sanction is not None:
            record.sanction, record.sanction_label = sanction.code, sanction.label
        record.save(update_fields=["step", "step_due", "closed_on", "sanction", "sanction_label", "updated_at"])
        if outcome.leads_to == LeadsTo.RESOLVED or (sanction is not None and sanction.resumes_case):
            case_resume(applied.actor, record, outcome.label)
        if sanction is not None and sanction.register_event:
            register_event_record(
                actor=applied.actor,
                participation=record.case.participation,
                kind=sanction.register_event,
                effective_date=applied.data.effective_date or today,
                source=RegisterEventSource.CASE,
                reference=record.reference,
                note=f"{sanction.label}: {applied.data.comment.strip()}"[:2000],
                reason=applied.data.comment,
            )
        step_announce(record, decision, applied)
        return {
            "record": record.reference,
            "step": step.code,
            "outcome": outcome.code,
            **({"sanction": sanction.code} if sanction else {}),
            **({"next_step": record.step, "due": record.step_due.isoformat()} if record.step_due else {}),
        }


RECORD_WORKFLOW = register("non_completion_record", RecordWorkflow())
