"""A disclosed change's way through the Code Bodies' assessment (declarative table on the one engine).

disclosed → under assessment (the first body's assessment) → decided: no re-qualification needed, or
re-qualification required (a re-qualification case is opened) → re-qualified (that case approved); or withdrawn by
the participant while undecided. The deciding steps follow from the assessments: they are refused until every body
that approves the role has assessed, and each goes one way only.
"""

from __future__ import annotations

from typing import Any

from qualify.changes import permissions as who
from qualify.changes.choices import DisclosureState
from qualify.changes.models import ChangeAssessment, ChangeDisclosure
from qualify.core.workflow import AppliedTransition, Transition, TransitionInput, Workflow, register

S = DisclosureState


def _assessed(disclosure: ChangeDisclosure) -> dict[str, bool]:
    return dict(ChangeAssessment.objects.filter(disclosure=disclosure).values_list("body", "requalification_needed"))


def _waiting_for(disclosure: ChangeDisclosure) -> str | None:
    done = _assessed(disclosure)
    missing = [b for b in disclosure.bodies if b not in done]
    if missing:
        return (
            "Every Code Body that approves the role must assess the change first; waiting for "
            + ", ".join(missing)
            + "."
        )
    return None


def none_requires(disclosure: ChangeDisclosure, data: TransitionInput) -> str | None:
    if reason := _waiting_for(disclosure):
        return reason
    if any(_assessed(disclosure).values()):
        return "A Code Body requires re-qualification: the change cannot be closed without it."
    return None


def one_requires(disclosure: ChangeDisclosure, data: TransitionInput) -> str | None:
    if reason := _waiting_for(disclosure):
        return reason
    if not any(_assessed(disclosure).values()):
        return "No Code Body requires re-qualification."
    return None


def _t(name: str, label: str, sources: Any, target: str, permission: Any, **kw: Any) -> Transition:
    return Transition(name=name, label=label, sources=frozenset(sources), target=target, permission=permission, **kw)


TRANSITIONS: tuple[Transition, ...] = (
    _t("start_assessment", "Start assessing", {S.DISCLOSED}, S.UNDER_ASSESSMENT, who.owning_body_assessor),
    _t(
        "close_no_requalification",
        "Close: no re-qualification needed",
        {S.UNDER_ASSESSMENT},
        S.NO_REQUALIFICATION,
        who.platform,
        guards=(none_requires,),
    ),
    _t(
        "require_requalification",
        "Require re-qualification",
        {S.UNDER_ASSESSMENT},
        S.REQUALIFICATION_REQUIRED,
        who.platform,
        guards=(one_requires,),
        description="A re-qualification case is opened for what the bodies named; the rest carries over.",
    ),
    _t(
        "complete_requalification",
        "Re-qualified",
        {S.REQUALIFICATION_REQUIRED},
        S.REQUALIFIED,
        who.platform,
        description="Taken when the re-qualification case is approved.",
    ),
    _t(
        "withdraw",
        "Withdraw the disclosure",
        {S.DISCLOSED, S.UNDER_ASSESSMENT},
        S.WITHDRAWN,
        who.participant_lead,
        comment_required=True,
        confirm="I understand the Code Bodies stop assessing this change.",
        destructive=True,
    ),
)


class DisclosureWorkflow(Workflow[ChangeDisclosure]):
    model = ChangeDisclosure
    transitions = TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(DisclosureState(state).label).lower() if state in DisclosureState.values else state

    def subject(self, instance: ChangeDisclosure) -> str:
        return f"change {instance.reference}"

    def organisation_id(self, instance: ChangeDisclosure) -> int:
        return int(instance.case.participation.organisation_id)

    def record(self, applied: AppliedTransition[ChangeDisclosure]) -> dict[str, Any]:
        # The audit event is the disclosure's history (who, when, from what to what, why).
        return {"disclosure": applied.instance.reference, "case": applied.instance.case.reference}


DISCLOSURE_WORKFLOW = register("change_disclosure", DisclosureWorkflow())
