"""The hot read's plain view answers exactly as the API operation behind it, and makes no query when it can answer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from qualify.core.actor import system_actor
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.register.hot import API_URLCONF, register_status
from qualify.register.services import register_event_record


@pytest.fixture
def history(cast):
    for participation, kind, day in (
        (cast.supplier_a, RegisterEventKind.QUALIFIED, dt.date(2026, 3, 1)),
        (cast.supplier_a, RegisterEventKind.SERVICE_ACTIVATED, dt.date(2026, 3, 20)),
        (cast.supplier_b, RegisterEventKind.QUALIFIED, dt.date(2026, 4, 2)),
    ):
        register_event_record(
            actor=system_actor("test"),
            participation=participation,
            kind=kind,
            effective_date=day,
            source=RegisterEventSource.IMPORT,
            reference="test",
            reason="history loaded for the test",
        )
    return cast


def _through_the_api_alone(
    client: Client, method: str, path: str, query: dict[str, str], headers: dict[str, str]
) -> Any:
    """The same request answered by the API URLconf without the plain view in front (the operation's own answer)."""
    from django.test import override_settings

    with override_settings(ROOT_URLCONF=API_URLCONF):
        return getattr(client, method)(path, query, **headers)


def test_the_route_is_the_plain_view():
    assert resolve("/api/v1/register/NWEN/SUPPLIER").func is register_status
    assert resolve("/api/v1/register/changes").func is not register_status


@pytest.mark.parametrize(
    ("who", "method", "path", "query"),
    [
        ("machine", "get", "/api/v1/register/NWEN/SUPPLIER", {}),  # answered by the plain view
        ("machine", "get", "/api/v1/register/nwen/supplier", {"on": "2026-03-20"}),  # ditto, any case
        ("machine", "get", "/api/v1/register/NWEN/SUPPLIER", {"on": "2026-02-28"}),  # not yet qualified
        ("lead_a", "get", "/api/v1/register/NWEN/SUPPLIER", {"on": "2026-03-20"}),  # a participant's own
        ("lead_b", "get", "/api/v1/register/NWEN/SUPPLIER", {}),  # another organisation's: 404 from the API
        ("machine", "get", "/api/v1/register/ZZZZ/SUPPLIER", {}),  # unknown: 404
        ("machine", "get", "/api/v1/register/NWEN/SUPPLIER", {"on": "2026-13-01"}),  # bad date: 422
        ("machine", "get", "/api/v1/register/NWEN/SUPPLIER", {"on": "2026-02-30"}),  # no such day: 422
        ("machine", "get", "/api/v1/register/NWEN/SUPPLIER", {"on": "20260320"}),  # not plain: the API decides
        ("machine", "get", "/api/v1/register/NWEN/SUPPLIER", {"known_at": "2026-01-01T00:00:00Z"}),
        ("machine", "get", "/api/v1/register/NWEN/SUPPLIER", {"known_at": "yesterday"}),  # 400
        ("bad-token", "get", "/api/v1/register/NWEN/SUPPLIER", {}),  # 401
        (None, "get", "/api/v1/register/NWEN/SUPPLIER", {}),  # 401
        ("session:lead_a", "get", "/api/v1/register/NWEN/SUPPLIER", {}),  # a signed-in person's session
        ("machine", "post", "/api/v1/register/NWEN/SUPPLIER", {}),  # 405
    ],
)
def test_every_request_gets_the_operations_own_answer(history, token_for, client_for, who, method, path, query):
    headers: dict[str, str] = {}
    client = Client()
    if who == "bad-token":
        headers = {"HTTP_AUTHORIZATION": "Bearer qfy_not_a_token"}
    elif who is not None and who.startswith("session:"):
        client = client_for(who.removeprefix("session:"))
    elif who is not None:
        headers = token_for(who)
    front = getattr(client, method)(path, query, **headers)
    behind = _through_the_api_alone(client, method, path, query, headers)
    assert (front.status_code, front.content) == (behind.status_code, behind.content)
    assert front["Content-Type"] == behind["Content-Type"]


def test_the_common_case_makes_no_query_once_the_token_is_known(history, token_for):
    client, auth = Client(), token_for("machine")
    first = client.get("/api/v1/register/NWEN/SUPPLIER", {"on": "2026-03-20"}, **auth)
    assert first.status_code == 200 and first.json()["state"] == "OPERATIONAL"
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/api/v1/register/NWEN/SUPPLIER", {"on": "2026-03-20"}, **auth)
    assert again.content == first.content
    # Only the register's change marker may be read: inside a test's transaction (and on SQLite) it is checked per
    # request; a server on PostgreSQL is told by NOTIFY instead (test_snapshot_pg.py). No token, user or route query.
    assert len(queries) <= 1, [q["sql"] for q in queries]


def test_a_kept_answer_is_never_given_outside_its_scope_nor_after_a_change(history, token_for):
    client = Client()
    path, on = "/api/v1/register/NWEN/SUPPLIER", {"on": "2026-07-01"}
    kept = client.get(path, on, **token_for("machine"))
    assert kept.status_code == 200 and kept.json()["state"] == "OPERATIONAL"
    # Another organisation's person asks for the same answer the machine client just had kept: still not found.
    assert client.get(path, on, **token_for("lead_b")).status_code == 404
    # A change to the register replaces the copy, and the answers kept with it.
    register_event_record(
        actor=system_actor("test"),
        participation=history.supplier_a,
        kind=RegisterEventKind.SUSPENDED,
        effective_date=dt.date(2026, 6, 1),
        source=RegisterEventSource.IMPORT,
        reference="test",
        reason="suspension loaded for the test",
    )
    after = client.get(path, on, **token_for("machine")).json()
    assert (after["state"], after["suspended_on"]) == ("SUSPENDED", "2026-06-01")


# --- the middleware that answers the common case ahead of the rest (register/hot.py::HotReadMiddleware) ------------

# What the middleware answers ahead of. Its answer was checked against each (headers, cookies, checks); a middleware
# added here must be checked the same way (does it have anything to do for a GET answered from a bearer token?).
SKIPPED_MIDDLEWARE = [
    "csp.middleware.CSPMiddleware",  # its header is built once and set by the hot read itself
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Sessions' sign-in, activity and second-factor rule: the hot read answers bearer tokens only (a session goes on to
    # the operation), and a token is not held to the second-factor rule (docs/architecture.md, Identity).
    "allauth.account.middleware.AccountMiddleware",
    "qualify.accounts.middleware.SessionActivityMiddleware",
    "qualify.accounts.middleware.MandatoryMfaMiddleware",
    "axes.middleware.AxesMiddleware",
]
HOT_MIDDLEWARE = "qualify.register.hot.HotReadMiddleware"


def test_the_middleware_it_answers_ahead_of_is_the_one_reviewed(settings):
    middleware = list(settings.MIDDLEWARE)
    position = middleware.index(HOT_MIDDLEWARE)
    assert middleware[position + 1 :] == SKIPPED_MIDDLEWARE
    assert middleware[position - 1] == "qualify.core.middleware.RequestIdMiddleware"  # its answer gets an id too


def test_the_middleware_answers_the_common_case_without_going_further(history, token_for, rf):
    from qualify.register.hot import HotReadMiddleware

    def further(request):
        raise AssertionError("handed on")

    auth = token_for("machine")
    answer = HotReadMiddleware(further)(rf.get("/api/v1/register/nwen/supplier", {"on": "2026-03-20"}, **auth))
    assert answer.status_code == 200
    assert answer["Content-Length"] == str(len(answer.content))

    handed = []

    def recorded(request):
        handed.append(request.path)
        return HttpResponse("further")

    middleware = HotReadMiddleware(recorded)
    for request in (
        rf.get("/api/v1/register/NWEN/SUPPLIER", **token_for("lead_b")),  # not in scope: the API says 404
        rf.get("/api/v1/register/NWEN/SUPPLIER", {"known_at": "2026-01-01T00:00:00Z"}, **auth),
        rf.get("/api/v1/register/NWEN/SUPPLIER", HTTP_AUTHORIZATION="Bearer qfy_not_a_token"),
        rf.get("/api/v1/register/NWEN/SUPPLIER"),  # no token (a session, say)
        rf.post("/api/v1/register/NWEN/SUPPLIER", **auth),
        rf.get("/api/v1/register/NWEN/SUPPLIER/", **auth),  # not the route
        rf.get("/api/v1/register/changes", **auth),
        rf.get("/", **auth),
    ):
        assert middleware(request).content == b"further"
    assert len(handed) == 8


def test_the_middlewares_answer_has_the_full_chains_headers(history, token_for, settings):
    auth = token_for("machine")
    path, query = "/api/v1/register/NWEN/SUPPLIER", {"on": "2026-03-20"}
    ahead = Client().get(path, query, **auth)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != HOT_MIDDLEWARE]
    through = Client().get(path, query, **auth)
    assert (ahead.status_code, ahead.content) == (through.status_code, through.content) == (200, ahead.content)
    assert set(ahead.headers) == set(through.headers)
    assert {k: v for k, v in ahead.headers.items() if k != "X-Request-ID"} == {
        k: v for k, v in through.headers.items() if k != "X-Request-ID"
    }
    assert ahead["X-Frame-Options"] == "DENY" and ahead["X-Content-Type-Options"] == "nosniff"
    assert not ahead.cookies and not through.cookies


def test_the_middleware_checks_the_host(history, token_for, settings):
    settings.ALLOWED_HOSTS = ["register.example"]
    auth = token_for("machine")
    assert Client().get("/api/v1/register/NWEN/SUPPLIER", HTTP_HOST="evil.example", **auth).status_code == 400
    assert Client().get("/api/v1/register/NWEN/SUPPLIER", HTTP_HOST="register.example", **auth).status_code == 200


def test_the_middleware_steps_aside_when_common_middleware_has_work_to_do(history, token_for, settings):
    from qualify.register.hot import HotReadMiddleware

    settings.DISALLOWED_USER_AGENTS = [re.compile("badbot")]
    assert not HotReadMiddleware(HttpResponse).enabled
    # A settings change rebuilds the handler's middleware in the test client; the full chain refuses the agent.
    response = Client().get("/api/v1/register/NWEN/SUPPLIER", HTTP_USER_AGENT="badbot/1", **token_for("machine"))
    assert response.status_code == 403
