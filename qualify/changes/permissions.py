"""Who may disclose a change, withdraw it, assess it and see the Code Bodies' queue (pure functions returning a
Decision; services enforce them, pages show or hide). The first line of each docstring names the role plainly."""

from __future__ import annotations

from typing import Any

from qualify.assessment.choices import APPROVER_NAMES
from qualify.assessment.permissions import body_of
from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny


def _org_id(case: Any) -> int:
    return int(case.participation.organisation_id)


def can_disclose(actor: Actor, case: Any) -> Decision:
    """The participant's qualification lead."""
    if actor.is_lead_of(_org_id(case)):
        return ALLOW
    return deny("Only the organisation's qualification lead can disclose a change.")


def participant_lead(actor: Actor, disclosure: Any) -> Decision:
    """The participant's qualification lead."""
    return can_disclose(actor, disclosure.case)


def owning_body_assessor(actor: Actor, disclosure: Any) -> Decision:
    """An assessor of a Code Body that approves the role (each body assesses for itself)."""
    body = body_of(actor)
    if body is not None and body in disclosure.bodies:
        return ALLOW
    if body is not None:
        return deny(
            f"The {APPROVER_NAMES.get(body, body)} does not approve this role, so it does not assess the change."
        )
    return deny("Only an assessor of a Code Body that approves the role can assess a disclosed change.")


def can_assess(actor: Actor, disclosure: Any, body: str) -> Decision:
    """An assessor of that Code Body, which approves the role."""
    if body not in disclosure.bodies:
        return deny(
            f"The {APPROVER_NAMES.get(body, body)} does not approve this role, so it does not assess the change."
        )
    if body_of(actor) != body:
        return deny(f"Only a {APPROVER_NAMES.get(body, body)} assessor can record its assessment.")
    return ALLOW


def platform(actor: Actor, disclosure: Any) -> Decision:
    """The platform itself, following the Code Bodies' assessments or the re-qualification case's approval."""
    if actor.is_programme_admin and actor.user_id is None:
        return ALLOW
    return deny("This step follows from the Code Bodies' assessments; nobody takes it by hand.")


def can_see_queue(actor: Actor) -> Decision:
    """Code Body and Programme staff, decision-makers and auditors."""
    if actor.sees_everything:
        return ALLOW
    return deny("The queue of disclosed changes is for the Code Bodies and the Programme.")
