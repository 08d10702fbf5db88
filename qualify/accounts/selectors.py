"""Reading people's API tokens, as far as the asker may."""

from __future__ import annotations

from qualify.accounts.models import ApiToken, User
from qualify.accounts.services import can_manage_tokens
from qualify.core.actor import Actor


def api_token_list(*, actor: Actor, user: User) -> list[ApiToken]:
    """A person's tokens, newest first."""
    can_manage_tokens(actor, user).enforce()
    return list(ApiToken.objects.filter(user=user).order_by("-created_at"))


def machine_token_list(*, actor: Actor) -> list[ApiToken]:
    """Every machine client's tokens (market systems cannot sign in to see their own): programme administrators."""
    if not actor.is_programme_admin:
        return []
    return list(
        ApiToken.objects.filter(user__is_machine=True).select_related("user").order_by("user__full_name", "-created_at")
    )
