"""Who may act on a notice: only the person it was sent to."""

from __future__ import annotations

from typing import Any

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny


def can_manage_own_inbox(actor: Actor, notification: Any) -> Decision:
    """The person the notice was sent to."""
    if actor.user_id is not None and notification.recipient_id == actor.user_id:
        return ALLOW
    return deny("This notice was sent to someone else.")
