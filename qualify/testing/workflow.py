"""The Placing Reliance proposal's way as a declarative transition table, run by the one engine (core/workflow.py).

The lead drafts a proposal and puts it to the Code Bodies; each body's assessor records its own decision
(``services.reliance.reliance_decide``); when the last body has decided, the same service takes the step ``decide``,
which combines the bodies' decisions into the proposal's ``outcome`` and ``accepted_covers`` (``combine``). The lead
may withdraw a proposal until it is decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from qualify.cases.permissions import participant_lead
from qualify.core.actor import Actor
from qualify.core.permissions import Decision
from qualify.core.workflow import AppliedTransition, Transition, TransitionInput, Workflow, register
from qualify.testing import permissions as who
from qualify.testing.choices import PrequalState, ProposalState, RelianceOutcome
from qualify.testing.models import PreQualification, RelianceDecisionRecord, RelianceProposal

P = ProposalState


def _t(name: str, label: str, sources: Any, target: str, permission: Any, **kw: Any) -> Transition:
    return Transition(name=name, label=label, sources=frozenset(sources), target=target, permission=permission, **kw)


def combine(covers: Iterable[str], decisions: Iterable[tuple[str, Iterable[str]]]) -> tuple[str, list[str]]:
    """The proposal's outcome from every body's (outcome, accepted covers): refused if any body refused; accepted if
    every body accepted in full; otherwise partly accepted, for what every body accepted (the intersection). When
    the bodies' partial acceptances have nothing in common, nothing is accepted by all, so it counts as refused."""
    everything = list(dict.fromkeys(covers))
    accepted = set(everything)
    outcomes = []
    for outcome, items in decisions:
        outcomes.append(outcome)
        if outcome == RelianceOutcome.REFUSED:
            return RelianceOutcome.REFUSED, []
        if outcome == RelianceOutcome.PARTLY_ACCEPTED:
            accepted &= set(items)
    if outcomes and all(o == RelianceOutcome.ACCEPTED for o in outcomes):
        return RelianceOutcome.ACCEPTED, everything
    kept = [c for c in everything if c in accepted]
    if not kept:
        return RelianceOutcome.REFUSED, []
    return RelianceOutcome.PARTLY_ACCEPTED, kept


def _covers_something(proposal: RelianceProposal, data: TransitionInput) -> str | None:
    if not proposal.covers:
        return "Say what the proposal covers (test case ids or requirement references) before proposing it."
    if not proposal.bodies:
        return "The proposal names no Code Body to decide it."
    return None


def _every_body_decided(proposal: RelianceProposal, data: TransitionInput) -> str | None:
    decided = set(RelianceDecisionRecord.objects.filter(proposal=proposal).values_list("body", flat=True))
    waiting = [b for b in proposal.bodies if b not in decided]
    if waiting:
        return f"{proposal.reference} still waits for the decision of {', '.join(waiting)}."
    return None


TRANSITIONS: tuple[Transition, ...] = (
    _t(
        "propose",
        "Propose to the Code Bodies",
        {P.DRAFT},
        P.PROPOSED,
        who.may_draft_reliance,
        guards=(_covers_something,),
        description="The proposal goes to each Code Body that decides it; it can no longer be edited.",
        confirm="I understand the proposal goes to the Code Bodies as it stands.",
    ),
    _t(
        "decide",
        "Record the combined decision",
        {P.PROPOSED},
        P.DECIDED,
        who.may_decide_reliance,
        guards=(_every_body_decided,),
        description="Taken when the last body records its decision: the bodies' decisions are combined.",
    ),
    _t(
        "withdraw",
        "Withdraw",
        {P.DRAFT, P.PROPOSED},
        P.WITHDRAWN,
        who.may_draft_reliance,
        confirm="I understand a withdrawn proposal is closed for good.",
    ),
)


class RelianceWorkflow(Workflow[RelianceProposal]):
    model = RelianceProposal
    transitions = TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(ProposalState(state).label).lower() if state in ProposalState.values else state

    def organisation_id(self, instance: RelianceProposal) -> int:
        return int(instance.case.participation.organisation_id)

    def record(self, applied: AppliedTransition[RelianceProposal]) -> dict[str, Any]:
        proposal = applied.instance
        extra: dict[str, Any] = {"proposal": proposal.reference}
        if applied.transition.name == "propose":
            proposal.proposed_by_name = applied.actor.display_name[:200]
            proposal.save(update_fields=["proposed_by_name"])
        if applied.transition.name == "decide":
            decisions = RelianceDecisionRecord.objects.filter(proposal=proposal).order_by("pk")
            outcome, accepted = combine(proposal.covers, ((d.outcome, d.accepted_covers) for d in decisions))
            proposal.outcome = outcome
            proposal.accepted_covers = accepted
            proposal.save(update_fields=["outcome", "accepted_covers"])
            extra.update({"outcome": outcome, "accepted_covers": accepted})
        return extra


RELIANCE_WORKFLOW = register("reliance_proposal", RelianceWorkflow())


# --- the pre-qualification form ---------------------------------------------------------------------------------


def _may_submit_prequalification(actor: Actor, prequal: PreQualification) -> Decision:
    """The participant's qualification lead (or the Programme on its behalf), with the case step."""
    return participant_lead(actor, prequal.case)


PREQUAL_TRANSITIONS: tuple[Transition, ...] = (
    _t(
        "submit",
        "Submit with the case",
        {PrequalState.DRAFT},
        PrequalState.SUBMITTED,
        _may_submit_prequalification,
        description="Taken by the case step submit_prequalification, in the same transaction; the form then freezes.",
    ),
)


class PrequalificationWorkflow(Workflow[PreQualification]):
    model = PreQualification
    transitions = PREQUAL_TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(PrequalState(state).label).lower() if state in PrequalState.values else state

    def organisation_id(self, instance: PreQualification) -> int:
        return int(instance.case.participation.organisation_id)

    def record(self, applied: AppliedTransition[PreQualification]) -> dict[str, Any]:
        prequal = applied.instance
        prequal.submitted_at = applied.at
        prequal.submitted_by_name = applied.actor.display_name[:200]
        prequal.save(update_fields=["submitted_at", "submitted_by_name"])
        return {"case": prequal.case.reference}


PREQUAL_WORKFLOW = register("prequalification", PrequalificationWorkflow())
