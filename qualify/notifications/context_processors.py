"""The unread count for the navigation bar (register in TEMPLATES' context_processors)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from qualify.core.requests import actor_of
from qualify.notifications.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """``notifications_unread``: a callable, so the count query runs only on pages whose template shows it."""
    if not request.user.is_authenticated:
        return {"notifications_unread": 0}
    cache: list[int] = []

    def count() -> int:
        if not cache:
            cache.append(unread_count(actor=actor_of(request)))
        return cache[0]

    return {"notifications_unread": count}
