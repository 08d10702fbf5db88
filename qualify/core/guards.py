"""Every view declares its guard (STYLE.md rule 7).

A guard is the coarse gate at the door: who may open the page at all. What a person sees once inside is decided by
selectors (``visible_to``), and what they may change by services. A test walks the URL resolver and fails on any view
without ``qualify_guard``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from qualify.core.requests import actor_of

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def mark(view: Any, guard: str) -> Any:
    view.qualify_guard = guard
    return view


def public(view: V) -> V:
    """Anyone, signed in or not (sign-in page, health check, API docs)."""
    return mark(view, "public")  # type: ignore[no-any-return]


def signed_in(view: V) -> V:
    """Any signed-in person; the selectors narrow what they see."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return mark(wrapped, "signed_in")  # type: ignore[no-any-return]


def staff(*roles: str) -> Callable[[V], V]:
    """Signed-in staff holding one of ``roles`` (all staff roles when none are named)."""

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = actor_of(request)
            if not actor.is_staff_member or (roles and actor.staff_role not in roles):
                raise PermissionDenied("This page is for Programme and Code Body staff.")
            return view(request, *args, **kwargs)

        return mark(wrapped, f"staff:{','.join(roles) or '*'}")  # type: ignore[no-any-return]

    return decorator
