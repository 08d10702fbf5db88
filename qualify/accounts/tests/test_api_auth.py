"""The API's token cache: what it saves, and the bound on how long a revoked token or deactivated user lingers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qualify.accounts import api_auth
from qualify.accounts.models import ApiToken, User
from qualify.accounts.services import api_token_create, api_token_revoke
from qualify.core.actor import system_actor


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    fake = FakeClock()
    monkeypatch.setattr(api_auth, "clock", fake)
    api_auth.forget_tokens()
    yield fake
    api_auth.forget_tokens()


def get(secret: str) -> int:
    return Client().get("/api/v1/register/NWEN/SUPPLIER", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code


def test_a_recently_used_token_is_not_looked_up_again(cast, clock):
    secret = api_token_create(actor=system_actor(), user=cast.user("machine"), name="registration").secret
    assert get(secret) == 200
    with CaptureQueriesContext(connection) as queries:
        assert get(secret) == 200
    assert not [q for q in queries if "accounts_" in q["sql"]]


def test_a_revoked_token_stops_working_within_the_cache_bound(cast, clock):
    issued = api_token_create(actor=system_actor(), user=cast.user("machine"), name="registration")
    assert get(issued.secret) == 200
    api_token_revoke(actor=system_actor(), token=issued.token)
    clock.now += api_auth.CACHE_SECONDS - 0.1
    assert get(issued.secret) == 200  # the stated bound: this process read the token less than CACHE_SECONDS ago
    clock.now += 0.1
    assert get(issued.secret) == 401


def test_a_deactivated_user_is_refused_within_the_cache_bound(cast, clock):
    secret = api_token_create(actor=system_actor(), user=cast.user("machine"), name="registration").secret
    assert get(secret) == 200
    User.objects.filter(pk=cast.user("machine").pk).update(is_active=False)
    clock.now += api_auth.CACHE_SECONDS
    assert get(secret) == 401


def test_a_refused_token_is_not_remembered(cast, clock):
    """A token that failed is asked about again, so an unknown token never hides a later valid one."""
    issued = api_token_create(actor=system_actor(), user=cast.user("machine"), name="registration")
    ApiToken.objects.filter(pk=issued.token.pk).update(digest="0" * 64)
    assert get(issued.secret) == 401
    ApiToken.objects.filter(pk=issued.token.pk).update(digest=issued.token.digest)
    assert get(issued.secret) == 200


def test_the_cache_records_last_use_when_it_reads_the_token_again(cast, clock):
    issued = api_token_create(actor=system_actor(), user=cast.user("machine"), name="registration")
    assert get(issued.secret) == 200
    first_use = ApiToken.objects.get(pk=issued.token.pk).last_used_at
    assert first_use is not None
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=first_use.replace(year=2000))
    clock.now += api_auth.CACHE_SECONDS
    assert get(issued.secret) == 200
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at.year > 2000
