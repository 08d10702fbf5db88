"""Who may do what with the QT test catalogue and a case's prerequisites (pure functions returning a Decision;
services enforce them)."""

from __future__ import annotations

from typing import Any

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.participants.choices import MarketRole


def can_manage_catalogues(actor: Actor) -> Decision:
    """A programme administrator loads, validates and publishes test catalogue versions."""
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can load or publish a test catalogue.")


def can_see_drafts(actor: Actor) -> Decision:
    """The Programme's and Code Bodies' staff see draft catalogues; participants see only published ones."""
    if actor.is_staff_member:
        return ALLOW
    return deny("Draft test catalogues are for the Programme and the Code Bodies.")


def _org_id(case: Any) -> int:
    return int(case.participation.organisation_id)


def can_record_prerequisite(actor: Actor, case: Any) -> Decision:
    """The case organisation's qualification lead or a contributor records a prerequisite and its evidence."""
    if actor.can_edit_for(_org_id(case)):
        return ALLOW
    if actor.is_staff_member:
        return deny("Prerequisites are recorded by the participant; staff accept them or send them back.")
    return deny("Only the organisation's qualification lead or a contributor can record a prerequisite.")


def can_review_prerequisite(actor: Actor, case: Any) -> Decision:
    """A Code Body assessor; for an LDSO, the Programme's test manager (a programme administrator)."""
    if case.participation.role == MarketRole.LDSO:
        if actor.is_programme_admin:
            return ALLOW
        return deny("An LDSO's prerequisites are accepted by the Programme's test manager.")
    if actor.is_assessor:
        return ALLOW
    return deny("Only a Code Body assessor can accept a prerequisite or send it back.")
