"""Expensive API operations are throttled per token: over the rate they answer 429 with Retry-After, in the shared
error shape; another token is counted apart, and the window passing lets the token in again."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from config.api import api
from qualify.core.api import bound_operations

DECIDE = "/api/v1/gating/decisions"


@pytest.fixture
def three_a_minute(settings):
    settings.QUALIFY_API_THROTTLE_RATES = {**settings.QUALIFY_API_THROTTLE_RATES, "decide": "3/min"}
    cache.clear()
    yield
    cache.clear()


def _decide(client, headers) -> int:
    """The status of one decisions request (an empty batch: refused 422 once past the throttle, which runs first)."""
    return int(client.post(DECIDE, {"events": []}, content_type="application/json", **headers).status_code)


def test_a_token_over_the_rate_is_answered_429_with_retry_after(client, token_for, three_a_minute):
    machine = token_for("machine")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert [_decide(client, machine) for _ in range(3)] == [422, 422, 422]
        refused = client.post(DECIDE, {"events": []}, content_type="application/json", **machine)
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= 60
        assert refused.json()["error"]["code"] == "throttled"
        assert set(refused.json()["error"]) == {"code", "message", "details"}

        # Another token is counted on its own.
        assert _decide(client, token_for("admin")) == 422

        traveller.shift(dt.timedelta(seconds=61))
        assert _decide(client, machine) == 422


def test_a_scope_without_a_rate_is_not_throttled(client, token_for, settings):
    settings.QUALIFY_API_THROTTLE_RATES = {**settings.QUALIFY_API_THROTTLE_RATES, "decide": ""}
    cache.clear()
    machine = token_for("machine")
    assert {_decide(client, machine) for _ in range(6)} == {422}


def test_the_expensive_operations_are_the_throttled_ones():
    throttled = {
        (method, path)
        for path, operation in bound_operations(api)
        for method in operation.methods
        if operation.throttle_objects
    }
    assert ("POST", "/gating/decisions") in throttled
    assert ("POST", "/register/import") in throttled
    assert ("GET", "/register/publication.csv") in throttled
    assert ("POST", "/qad/cases/{key}/evidence") in throttled
    assert ("GET", "/cases") not in throttled
