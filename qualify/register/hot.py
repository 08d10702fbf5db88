"""``GET /api/v1/register/{mpid}/{role}``, the register's hot read, answered by a plain Django view ahead of the API.

Market systems ask this hundreds of times a second with a bearer token, and the answer itself costs little: the
register is in memory (``snapshot.py``), the token is remembered (``accounts/api_auth.py``). What remained was the API
framework's own work per request (routing, parameter models, authentication classes, response handling), about as
much CPU again as the answer. This view answers the common case itself: a GET with a bearer token this process
knows, ``on`` absent or a plain ``YYYY-MM-DD``, no ``known_at``, for a participation the caller may see. It uses the
operation's own encoding (``status_bytes``), so the bytes are the same, and keeps each encoded answer with the copy
of the register it came from (``snapshot.encoded_answer``: the caller's scope is checked on every request, and the
kept answers go with the copy when a change replaces it). Every other request goes to the API operation unchanged:
another method, a session, ``known_at``, a malformed date, an unknown token or one whose scope does not
cover the read (``accounts/api_auth.py``), a participation that is not found. So
the errors, the documentation (``/api/v1/docs``) and the authentication rules stay the API's.
``tests/test_hot_read.py`` compares the two answers for each kind of request.

The same common case is also answered one step earlier, by ``HotReadMiddleware`` (``config/settings/base.py``,
right after the security, static-file and request-id middleware): the middleware after it (sessions, common, CSRF,
authentication, messages, frame options, htmx, axes) and URL resolving cost about as much CPU as the whole answer
and do nothing for a GET answered from a bearer token. It does what they would have done to this answer — the
host is checked against ``ALLOWED_HOSTS`` (``request.get_host()``, a 400 otherwise), ``Content-Length`` and
``X-Frame-Options`` are set — and hands every other request down the chain untouched, to this view or any other.
``tests/test_hot_read.py`` holds the headers to those of the full chain and pins the middleware it skips.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import resolve
from django.utils import timezone

from qualify.accounts.api_auth import token_actor
from qualify.core.errors import NotFound
from qualify.core.guards import mark
from qualify.register.api import status_bytes
from qualify.register.snapshot import encoded_answer

API_URLCONF = "config.api_urls"  # the API alone, to hand a request to its operation
PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The route of ``register_status`` in config/urls.py ("api/v1/register/<str:mpid>/<str:role>"; ``str`` is [^/]+).
HOT_PATH = re.compile(r"/api/v1/register/(?P<mpid>[^/]+)/(?P<role>[^/]+)")


def to_api(request: HttpRequest) -> HttpResponse:
    """Answer through the API operation, exactly as if this view were not in front of it."""
    match = resolve(request.path_info, urlconf=API_URLCONF)
    response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    return response


def common_case(request: HttpRequest, mpid: str, role: str) -> HttpResponse | None:
    """The answer when the request is the common case (see the module's docstring); None when the API must answer."""
    scheme, _, secret = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if request.method != "GET" or scheme.lower() != "bearer" or not secret or " " in secret:
        return None
    query = request.GET
    on = query.getlist("on")
    if "known_at" in query or len(on) > 1 or (on and not PLAIN_DATE.fullmatch(on[0])):
        return None
    try:
        day = dt.date.fromisoformat(on[0]) if on else timezone.localdate()
    except ValueError:
        return None  # e.g. 2026-02-30: the API says what is wrong with it
    actor = token_actor(secret)
    if actor is None:
        return None
    try:
        body = encoded_answer(actor=actor, mpid=mpid, role=role, on=day, encode=status_bytes)
    except NotFound:
        return None
    return HttpResponse(body, content_type="application/json")


def register_status(request: HttpRequest, mpid: str, role: str) -> HttpResponse:
    response = common_case(request, mpid, role)
    return to_api(request) if response is None else response


mark(register_status, "api: a known bearer token, anything else through the API operation's own authentication")


class HotReadMiddleware:
    """Answer the hot read's common case ahead of the rest of the middleware and of URL resolving (module docstring).

    Declines (the whole chain runs, as for any request) when a setting gives the skipped middleware something to do
    for such a request: ``DISALLOWED_USER_AGENTS`` or ``PREPEND_WWW`` (CommonMiddleware).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = not settings.DISALLOWED_USER_AGENTS and not settings.PREPEND_WWW
        self.frame_options = str(getattr(settings, "X_FRAME_OPTIONS", "DENY")).upper()
        # The site's policy, built once: django-csp's middleware (after this one) builds it anew for every response.
        self.content_security_policy = build_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.enabled and request.method == "GET":
            match = HOT_PATH.fullmatch(request.path_info)
            if match is not None:
                request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it (DisallowedHost: a 400)
                response = common_case(request, match["mpid"], match["role"])
                if response is not None:
                    response.headers["Content-Length"] = str(len(response.content))  # as CommonMiddleware
                    response.headers["X-Frame-Options"] = self.frame_options  # as XFrameOptionsMiddleware
                    response.headers["Content-Security-Policy"] = self.content_security_policy  # as CSPMiddleware
                    return response
        return self.get_response(request)
