"""Helpers that turn a request into what services need."""

from __future__ import annotations

from django.http import HttpRequest

from qualify.core.actor import Actor, actor_for_user


def actor_of(request: HttpRequest) -> Actor:
    """The Actor for this request, resolved once and cached on the request."""
    cached = getattr(request, "_qualify_actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    actor = actor_for_user(
        getattr(request, "auth_user", None) or request.user, request_id=getattr(request, "request_id", "")
    )
    request._qualify_actor = actor  # type: ignore[attr-defined]
    return actor
