"""Mandatory second factor (issue 16): a person whose role requires one and who has none enrols before anything else.

Who needs one is ``settings.QUALIFY_MFA_REQUIRED_ROLES``: staff roles and participant membership roles (by default
every human staff role and participants' qualification leads). Such a person, signed in by password alone and with
no authenticator app or security key, is sent to the two-factor page for every page except allauth's own (enrolment,
re-authentication, sign-out) and the public ones. The API answers their session's calls with 403 ``mfa_required``;
a bearer token is not a session and is not affected (a token is created on a page, so after enrolment anyway).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from qualify.core.actor import Actor
from qualify.core.requests import actor_of

# Guards of the views a person without a required second factor may still open: allauth's pages (enrolment,
# re-authentication, sign-out, sessions) and the public ones (sign-in, health, help for the anonymous).
OPEN_GUARDS = frozenset({"allauth", "public"})
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# allauth records each way a session was authenticated; "mfa" means a second factor was given at sign-in.
_AUTHENTICATION_RECORDS = "account_authentication_methods"


def requires_mfa(actor: Actor) -> bool:
    """Whether this person's staff role or one of their memberships is among the roles that must use a second
    factor (never a machine client: it never signs in)."""
    required = set(settings.QUALIFY_MFA_REQUIRED_ROLES)
    if not required or actor.is_machine or not actor.is_authenticated:
        return False
    return actor.staff_role in required or any(role in required for role in actor.memberships.values())


def has_second_factor(request: HttpRequest) -> bool:
    """A second factor was used to sign in (allauth's record in the session, no query), or one is enrolled."""
    records = request.session.get(_AUTHENTICATION_RECORDS, [])
    if any(record.get("method") == "mfa" for record in records if isinstance(record, dict)):
        return True
    return bool(Authenticator.objects.filter(user_id=request.user.pk, type__in=SECOND_FACTORS).exists())


class MandatoryMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not settings.QUALIFY_MFA_REQUIRED_ROLES or not request.user.is_authenticated:
            return None
        if getattr(view_func, "qualify_guard", None) in OPEN_GUARDS:
            return None
        if not requires_mfa(actor_of(request)) or has_second_factor(request):
            return None
        if request.path.startswith("/api/"):
            if request.headers.get("Authorization", "").lower().startswith("bearer "):
                # The token alone decides: this session may not stand in for a token that turns out invalid.
                request.user = AnonymousUser()
                request.__dict__.pop("_qualify_actor", None)
                return None
            message = "Your role requires a second factor: add an authenticator app or a security key first."
            body = {"error": {"code": "mfa_required", "message": message, "details": {}}}
            return JsonResponse(body, status=403)
        messages.warning(
            request,
            "Your role requires a second factor. Add an authenticator app or a security key to continue.",
        )
        return redirect("mfa_index")


# How often a signed-in session's "last seen" (and address and browser) is brought up to date, in seconds.
SEEN_EVERY = 300
_SEEN_AT = "qualify_seen_at"


class SessionActivityMiddleware:
    """Keeps the sessions page's "last seen" fresh at a bounded cost.

    allauth's own UserSessionsMiddleware writes the session's row on every request of a signed-in person; this one
    does so at most once every ``SEEN_EVERY`` seconds per session (the time of the last write is kept in the session),
    so a page costs no extra query in between. The row itself is created at sign-in by allauth.usersessions.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            seen = session.get(_SEEN_AT)
            now = time.time()
            if (not isinstance(seen, (int, float)) or now - seen >= SEEN_EVERY) and request.user.is_authenticated:
                UserSession.objects.create_from_request(request)
                session[_SEEN_AT] = now
        return self.get_response(request)


def mark_seen_at_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """allauth.usersessions records the session as it signs in: the next write is due ``SEEN_EVERY`` from now."""
    if request is not None and hasattr(request, "session"):
        request.session[_SEEN_AT] = time.time()
