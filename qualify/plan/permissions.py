from __future__ import annotations

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny


def can_manage_plan(actor: Actor) -> Decision:
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can change milestones and waves.")
