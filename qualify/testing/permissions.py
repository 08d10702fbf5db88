"""Who may do what with the QT test catalogue (pure functions returning a Decision; services enforce them)."""

from __future__ import annotations

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny


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
