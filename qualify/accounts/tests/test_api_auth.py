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


def test_a_machine_clients_actor_is_kept_with_the_token(cast, clock):
    secret = api_token_create(actor=system_actor(), user=cast.user("machine"), name="registration").secret
    first = api_auth.token_actor(secret)
    assert first is not None and first.user_id == cast.user("machine").pk
    assert first.is_machine and first.reads_whole_register and not first.sees_everything
    with CaptureQueriesContext(connection) as queries:
        assert api_auth.token_actor(secret) is first
    assert not queries
    clock.now += api_auth.CACHE_SECONDS  # read again with the token: a new Actor
    assert api_auth.token_actor(secret) is not first


def test_a_participants_actor_is_built_per_request_so_a_removed_membership_counts_at_once(cast, clock):
    from qualify.participants.models import Membership

    secret = api_token_create(actor=system_actor(), user=cast.user("lead_a"), name="registration").secret
    actor = api_auth.token_actor(secret)
    assert actor is not None and actor.organisation_ids == {cast.org_a.pk}
    assert get(secret) == 200  # lead_a sees its own organisation's participation
    Membership.objects.filter(user=cast.user("lead_a")).delete()
    assert api_auth.token_actor(secret).organisation_ids == frozenset()  # type: ignore[union-attr]
    assert get(secret) == 404  # within the token's bound, but the scope is the memberships' of now
    assert api_auth.token_actor("qfy_not_a_token") is None
