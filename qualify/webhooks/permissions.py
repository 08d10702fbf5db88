"""Who may manage webhook subscriptions (issue 16).

A participant's qualification lead manages their organisation's; a market system its own; a programme administrator
any, and the Programme's own. Everyone who can see a subscription (``SubscriptionQuerySet.visible_to``) may read its
delivery log.
"""

from __future__ import annotations

from typing import Any

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.webhooks.choices import Audience


def can_create_for(actor: Actor, audience: str, organisation_id: int | None) -> Decision:
    if not actor.is_authenticated:
        return deny("Sign in first.")
    if audience == Audience.PROGRAMME and actor.is_programme_admin and actor.user_id is not None:
        return ALLOW
    if audience == Audience.MARKET_SYSTEM and actor.is_machine:
        return ALLOW
    if audience == Audience.ORGANISATION and organisation_id is not None and actor.is_lead_of(organisation_id):
        return ALLOW
    return deny(
        "Only a qualification lead (for their organisation), a market system or a programme administrator "
        "may add a webhook."
    )


def can_manage(actor: Actor, subscription: Any) -> Decision:
    """Disable, enable, delete, or re-send one of its deliveries."""
    if actor.is_programme_admin:
        return ALLOW
    if subscription.audience == Audience.ORGANISATION and actor.is_lead_of(subscription.organisation_id):
        return ALLOW
    if subscription.audience == Audience.MARKET_SYSTEM and actor.is_machine and subscription.owner_id == actor.user_id:
        return ALLOW
    return deny("Only the organisation's qualification lead or a programme administrator may change this webhook.")


def audience_of(actor: Actor) -> str | None:
    """Whose subscription a new one made by ``actor`` would be (a participant's when the actor leads one)."""
    if actor.is_machine:
        return Audience.MARKET_SYSTEM
    if actor.is_programme_admin:
        return Audience.PROGRAMME
    if any(actor.is_lead_of(o) for o in actor.organisation_ids):
        return Audience.ORGANISATION
    return None
