"""The qualification case lifecycle as a declarative transition table (DOMAIN.md §4).

Read it as the lifecycle: each row says which states a step leaves from, where it goes, who may take it, what it
checks, and what it records. Moves that take effect in the market (approval, activation, suspension, reinstatement,
revocation) carry an effective date and write a register event (DOMAIN.md §6, §8). Staff moves always need a reason,
because until the QAD and assessment workflows drive these steps, staff move cases by hand.

A deferral keeps the work done (DOMAIN.md §4): ``resume`` returns the case to the state it left when it was deferred
(awaiting approval, clarification, testing, ...), never back to scoped, once the Programme has moved it to a later
wave than the one it was deferred from. Every step records the case's wave, so the deferral's wave is on record.
"""

from __future__ import annotations

from typing import Any

from qualify.cases import permissions as who
from qualify.cases.choices import BEFORE_QUALIFIED, CaseState
from qualify.cases.models import CaseTransition, QualificationCase
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.core.workflow import AppliedTransition, ReturnTarget, Transition, TransitionInput, Workflow, register
from qualify.participants.choices import Route
from qualify.plan.models import Wave
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.webhooks.choices import EventKind
from qualify.webhooks.services import emit

S = CaseState


def _prequalification_needed(case: QualificationCase, data: TransitionInput) -> str | None:
    if case.participation.route == Route.SIT:
        return "SIT-route participants do not submit a pre-qualification; the Programme scopes them directly."
    return None


def _sit_scopes_from_draft(case: QualificationCase, data: TransitionInput) -> str | None:
    if case.state == S.DRAFT and case.participation.route != Route.SIT:
        return "A non-SIT participant must submit its pre-qualification before it is scoped."
    return None


def _has_wave(case: QualificationCase, data: TransitionInput) -> str | None:
    if case.wave_id is None:
        return "Assign the case to a wave before scoping it."
    return None


def last_deferral(case: QualificationCase) -> CaseTransition | None:
    """The step that deferred the case most recently (None if it never was)."""
    found: CaseTransition | None = (
        CaseTransition.objects.filter(case=case, name="defer").select_related("wave").order_by("-at", "-pk").first()
    )
    return found


def deferred_from(case: QualificationCase) -> str | None:
    """The state a deferred case resumes to: the one it left when it was deferred."""
    if case.state != S.DEFERRED:
        return None
    deferral = last_deferral(case)
    return deferral.from_state if deferral is not None else None


def is_later_wave(wave: Wave, than: Wave) -> bool:
    """Waves run in their published order (sequence, then code)."""
    return (wave.sequence, wave.code) > (than.sequence, than.code)


def in_a_later_wave(case: QualificationCase, data: TransitionInput) -> str | None:
    deferral = last_deferral(case)
    if deferral is None:
        return "There is no record of this case's deferral, so there is nowhere to resume it to."
    if case.wave is None:
        return "Assign the case to a later wave before resuming it."
    if deferral.wave is not None and not is_later_wave(case.wave, deferral.wave):
        return f"Move the case to a wave after {deferral.wave.name} (the wave it was deferred from) before resuming it."
    return None


def non_completed_from(case: QualificationCase) -> str | None:
    """The state a case in non-completion resumes to: the one it left when non-completion was recorded (Annex 4)."""
    if case.state != S.NON_COMPLETION:
        return None
    found = CaseTransition.objects.filter(case=case, name="record_non_completion").order_by("-at", "-pk").first()
    return found.from_state if found is not None else None


def _is_requalification(case: QualificationCase, data: TransitionInput) -> str | None:
    if case.requalifies_id is None:
        return "Only a re-qualification case opens straight at its scope; a first case is scoped by the Code Bodies."
    return None


def _t(name: str, label: str, sources: Any, target: str | ReturnTarget, permission: Any, **kw: Any) -> Transition:
    return Transition(name=name, label=label, sources=frozenset(sources), target=target, permission=permission, **kw)


TRANSITIONS: tuple[Transition, ...] = (
    _t(
        "submit_prequalification",
        "Submit pre-qualification",
        {S.DRAFT},
        S.PREQUAL_SUBMITTED,
        who.participant_lead,
        guards=(_prequalification_needed,),
        description="Preferred wave, PIT approach and timescales, target migration date, Placing Reliance.",
        confirm="I understand the submitted pre-qualification goes to the Code Bodies and can no longer be changed.",
    ),
    _t(
        "scope",
        "Confirm scope",
        {S.DRAFT, S.PREQUAL_SUBMITTED},
        S.SCOPED,
        who.programme,
        guards=(_sit_scopes_from_draft, _has_wave),
        description="Reliance and exemptions decided; the test set and QAD questions are now known.",
    ),
    _t(
        "open_requalification",
        "Open the re-qualification scope",
        {S.DRAFT},
        S.SCOPED,
        who.platform,
        guards=(_is_requalification,),
        description="A disclosed change needs re-qualification: only the sections and test cases the Code Bodies "
        "named are in scope; everything else carries over from the qualified case.",
    ),
    _t("start_pit", "Start Pre-Integration Testing", {S.SCOPED}, S.PIT, who.participant_lead),
    _t(
        "submit_initial_qad",
        "Submit Initial QAD",
        {S.PIT},
        S.INITIAL_QAD_SUBMITTED,
        who.participant_editor,
        description="The Initial QAD may be submitted by the lead or a contributor; the Final QAD needs the lead.",
        confirm="I understand the Initial QAD is frozen as submitted and goes to the Code Bodies for assessment.",
    ),
    _t(
        "query_initial_qad",
        "Raise clarification on Initial QAD",
        {S.INITIAL_QAD_SUBMITTED},
        S.INITIAL_CLARIFICATION,
        who.assessor,
        comment_required=True,
    ),
    _t(
        "answer_initial_clarification",
        "Answer clarification",
        {S.INITIAL_CLARIFICATION},
        S.INITIAL_QAD_SUBMITTED,
        who.participant_lead,
    ),
    _t(
        "start_testing",
        "Start testing",
        {S.INITIAL_QAD_SUBMITTED},
        S.TESTING,
        who.assessor,
        description="QT for non-SIT parties (DIP, framework and data onboarding first); SIT evidence for SIT.",
    ),
    _t(
        "complete_testing",
        "Confirm testing complete",
        {S.TESTING},
        S.TESTING_COMPLETE,
        who.test_manager,
        description="QT exit: required cases passed or covered by agreed work-off plans, the RTTM at QT exit and a "
        "submitted Test Completion Report; SIT route: SIT exit evidence accepted and work-off plans agreed.",
        confirm="I understand this closes testing for the case: no more runs are recorded against its scope.",
    ),
    _t(
        "submit_final_qad",
        "Submit Final QAD",
        {S.TESTING_COMPLETE},
        S.FINAL_QAD_SUBMITTED,
        who.participant_lead,
        confirm="I understand the Final QAD is frozen as submitted and goes to the Code Bodies for assessment.",
    ),
    _t(
        "resubmit_final_qad",
        "Submit a new Final QAD",
        {S.AGREED, S.SIGNED, S.AWAITING_APPROVAL},
        S.FINAL_QAD_SUBMITTED,
        who.participant_lead,
        description="What was agreed, signed or approved changes: the approvals recorded on the earlier Final QAD "
        "are void (kept on record) and the Code Bodies review the new one.",
        confirm="I understand a new Final QAD voids the approvals recorded on the earlier one and returns the case "
        "to review.",
    ),
    _t(
        "query_final_qad",
        "Raise clarification on Final QAD",
        {S.FINAL_QAD_SUBMITTED},
        S.FINAL_CLARIFICATION,
        who.assessor,
        comment_required=True,
    ),
    _t(
        "answer_final_clarification",
        "Answer clarification",
        {S.FINAL_CLARIFICATION},
        S.FINAL_QAD_SUBMITTED,
        who.participant_lead,
    ),
    _t(
        "agree",
        "Agree Final QAD and work-off plans",
        {S.FINAL_QAD_SUBMITTED},
        S.AGREED,
        who.assessor,
        confirm="I understand the Final QAD and its work-off plans are agreed and go to the director to sign.",
    ),
    _t(
        "sign",
        "Sign (company director)",
        {S.AGREED},
        S.SIGNED,
        who.declarant,
        description="Taken by the invited director (or delegate) declaring on the latest Final QAD, in person.",
    ),
    _t(
        "send_for_approval",
        "Send to the approving bodies",
        {S.SIGNED},
        S.AWAITING_APPROVAL,
        who.programme,
        confirm="I understand the signed case goes to each approving body for its decision.",
    ),
    _t(
        "approve",
        "Record approval (qualified)",
        {S.AWAITING_APPROVAL},
        S.QUALIFIED,
        who.board,
        comment_required=True,
        effective_date_required=True,
        confirm="I understand this records the participant as qualified from the effective date.",
    ),
    _t(
        "refer_back",
        "Refer back for clarification",
        {S.AWAITING_APPROVAL},
        S.FINAL_CLARIFICATION,
        who.board,
        comment_required=True,
        confirm="I understand the case goes back to clarification with these reasons.",
    ),
    _t(
        "start_service_activation",
        "Start service activation",
        {S.QUALIFIED},
        S.SERVICE_ACTIVATION,
        who.programme,
    ),
    _t(
        "activate",
        "Record service activation",
        {S.SERVICE_ACTIVATION},
        S.ACTIVE,
        who.programme,
        effective_date_required=True,
        confirm="I understand this records the participant as active in this role from the effective date.",
    ),
    _t(
        "suspend",
        "Suspend",
        {S.ACTIVE},
        S.SUSPENDED,
        who.board,
        comment_required=True,
        effective_date_required=True,
        confirm="I understand the participant may not operate in this role from the effective date until reinstated.",
        destructive=True,
    ),
    _t(
        "reinstate",
        "Reinstate",
        {S.SUSPENDED},
        S.ACTIVE,
        who.board,
        comment_required=True,
        effective_date_required=True,
    ),
    _t(
        "revoke",
        "Revoke qualification",
        {S.QUALIFIED, S.SERVICE_ACTIVATION, S.ACTIVE, S.SUSPENDED},
        S.REVOKED,
        who.board,
        comment_required=True,
        effective_date_required=True,
        confirm="I understand a revoked qualification is closed for good.",
        destructive=True,
    ),
    _t(
        "withdraw",
        "Withdraw",
        BEFORE_QUALIFIED,
        S.WITHDRAWN,
        who.participant_lead,
        comment_required=True,
        confirm="I understand a withdrawn case is closed for good.",
        destructive=True,
    ),
    _t(
        "defer",
        "Defer to a later wave",
        BEFORE_QUALIFIED,
        S.DEFERRED,
        who.programme,
        comment_required=True,
        description="The case keeps its work; it resumes where it is now, once moved to a later wave.",
        confirm="I understand the case stops until it is moved to a later wave and resumed.",
        destructive=True,
    ),
    _t(
        "resume",
        "Resume in the new wave",
        {S.DEFERRED},
        ReturnTarget(states=BEFORE_QUALIFIED, resolve=deferred_from, describe="back to where it was deferred from"),
        who.programme,
        comment_required=True,
        guards=(in_a_later_wave,),
        description="Returns the case to where it was when deferred, with its submissions, reviews and decisions.",
        confirm="I have checked the new wave and where the case resumes.",
    ),
    _t(
        "record_non_completion",
        "Record non-completion (Annex 4)",
        BEFORE_QUALIFIED,
        S.NON_COMPLETION,
        who.programme,
        comment_required=True,
        confirm="I understand this opens the Annex 4 non-completion process.",
        destructive=True,
    ),
    _t(
        "accept_remediation",
        "Resume after non-completion",
        {S.NON_COMPLETION},
        ReturnTarget(
            states=BEFORE_QUALIFIED, resolve=non_completed_from, describe="back to where non-completion was recorded"
        ),
        who.programme,
        comment_required=True,
        description="Returns the case to where it was when non-completion was recorded; it does not restart.",
    ),
)

# Steps that take effect in the market write this register event, dated by the step's effective date. A date more
# than QUALIFY_REGISTER_BACKDATE_DAYS in the past makes the event back-dated; the step's reason is kept as its reason.
REGISTER_EVENTS: dict[str, str] = {
    "approve": RegisterEventKind.QUALIFIED,
    "activate": RegisterEventKind.SERVICE_ACTIVATED,
    "suspend": RegisterEventKind.SUSPENDED,
    "reinstate": RegisterEventKind.REINSTATED,
    "revoke": RegisterEventKind.REVOKED,
}


class CaseWorkflow(Workflow[QualificationCase]):
    model = QualificationCase
    transitions = TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(CaseState(state).label).lower() if state in CaseState.values else state

    def check(self, actor: Actor, instance: QualificationCase, transition: Transition, data: TransitionInput) -> None:
        super().check(actor, instance, transition, data)
        acting_for_participant = not actor.is_lead_of(instance.participation.organisation_id)
        if actor.is_staff_member and acting_for_participant and not data.comment.strip():
            raise ValidationFailed(
                "Staff moves need a reason, so the participant and the auditors can see why.",
                details={"comment": "required"},
            )

    def organisation_id(self, instance: QualificationCase) -> int:
        return int(instance.participation.organisation_id)

    def record(self, applied: AppliedTransition[QualificationCase]) -> dict[str, Any]:
        from qualify.register.services import register_event_record

        case = applied.instance
        CaseTransition.objects.create(
            case=case,
            name=applied.transition.name,
            from_state=applied.source,
            to_state=applied.target,
            at=applied.at,
            actor_id=applied.actor.user_id,
            actor_name=applied.actor.display_name,
            comment=applied.data.comment.strip(),
            effective_date=applied.data.effective_date,
            request_id=applied.actor.request_id,
            wave_id=case.wave_id,
        )
        kind = REGISTER_EVENTS.get(applied.transition.name)
        # A re-qualification confirms a standing qualification: the participant stayed qualified throughout, so its
        # steps write no register event (the first case's steps — suspend, revoke — are the market's record).
        if kind is not None and applied.data.effective_date is not None and case.requalifies_id is None:
            register_event_record(
                actor=applied.actor,
                participation=case.participation,
                kind=kind,
                effective_date=applied.data.effective_date,
                source=RegisterEventSource.CASE,
                reference=case.reference,
                note=applied.data.comment,
                # The step's reason (staff always give one) is also why a back-dated event is recorded late.
                reason=applied.data.comment,
            )
        emit(
            EventKind.CASE_STATE_CHANGED,
            subject=case.reference,
            organisation_id=self.organisation_id(case),
            payload={
                "case": case.reference,
                "step": applied.transition.name,
                "from": applied.source,
                "to": applied.target,
                "at": applied.at,
            },
        )
        return {"case": case.reference}


CASE_WORKFLOW = register("qualification_case", CaseWorkflow())
