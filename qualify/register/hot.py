"""``GET /api/v1/register/{mpid}/{role}``, the register's hot read, answered by a plain Django view ahead of the API.

Market systems ask this hundreds of times a second with a bearer token, and the answer itself costs little: the
register is in memory (``snapshot.py``), the token is remembered (``accounts/api_auth.py``). What remained was the API
framework's own work per request (routing, parameter models, authentication classes, response handling), about as
much CPU again as the answer. This view answers the common case itself: a GET with a bearer token this process
knows, ``on`` absent or a plain ``YYYY-MM-DD``, no ``known_at``, for a participation the caller may see. It uses the
operation's own encoding (``status_bytes``), so the bytes are the same, and keeps each encoded answer with the copy
of the register it came from (``snapshot.encoded_answer``: the caller's scope is checked on every request, and the
kept answers go with the copy when a change replaces it). Every other request goes to the API operation unchanged:
another method, a session, ``known_at``, a malformed date, an unknown token, a participation that is not found. So
the errors, the documentation (``/api/v1/docs``) and the authentication rules stay the API's.
``tests/test_hot_read.py`` compares the two answers for each kind of request."""

from __future__ import annotations

import datetime as dt
import re

from django.http import HttpRequest, HttpResponse
from django.urls import resolve
from django.utils import timezone

from qualify.accounts.api_auth import token_user
from qualify.core.actor import actor_for_user
from qualify.core.errors import NotFound
from qualify.core.guards import mark
from qualify.register.api import status_bytes
from qualify.register.snapshot import encoded_answer

API_URLCONF = "config.api_urls"  # the API alone, to hand a request to its operation
PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def to_api(request: HttpRequest) -> HttpResponse:
    """Answer through the API operation, exactly as if this view were not in front of it."""
    match = resolve(request.path_info, urlconf=API_URLCONF)
    response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    return response


def register_status(request: HttpRequest, mpid: str, role: str) -> HttpResponse:
    scheme, _, secret = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    on = request.GET.getlist("on")
    if (
        request.method != "GET"
        or scheme.lower() != "bearer"
        or not secret
        or " " in secret
        or "known_at" in request.GET
        or len(on) > 1
        or (on and not PLAIN_DATE.fullmatch(on[0]))
    ):
        return to_api(request)
    try:
        day = dt.date.fromisoformat(on[0]) if on else timezone.localdate()
    except ValueError:
        return to_api(request)  # e.g. 2026-02-30: the API says what is wrong with it
    user = token_user(secret)
    if user is None:
        return to_api(request)
    actor = actor_for_user(user, request_id=getattr(request, "request_id", ""))
    try:
        body = encoded_answer(actor=actor, mpid=mpid, role=role, on=day, encode=status_bytes)
    except NotFound:
        return to_api(request)
    return HttpResponse(body, content_type="application/json")


mark(register_status, "api: a known bearer token, anything else through the API operation's own authentication")
