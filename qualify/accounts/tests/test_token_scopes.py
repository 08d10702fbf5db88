"""API tokens' scope, expiry and last use (issue 16): what each scope refuses, at the API's door and at the register's
hot read; how long a person's token may last; and that last use is recorded, at most once a minute, on every path
that authenticates a token. The permission matrix (``tests/test_permission_matrix.py``) holds the scopes against
every operation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from qualify.accounts import api_auth
from qualify.accounts.models import ApiToken, TokenScope
from qualify.accounts.services import TOKEN_MAX_DAYS, api_token_create, token_expiry
from qualify.core.actor import system_actor
from qualify.core.errors import ValidationFailed

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
REGISTER = "/api/v1/register/NWEN/SUPPLIER"


@pytest.fixture(autouse=True)
def _fresh_tokens() -> Iterator[None]:
    api_auth.forget_tokens()
    yield
    api_auth.forget_tokens()


def _issue(cast, who: str, scope: str, **kw):  # type: ignore[no-untyped-def]
    return api_token_create(actor=system_actor(), user=cast.user(who), name=f"{scope} token", scope=scope, **kw)


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _refused_by_scope(response, words: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 403, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] == "not_allowed"
    assert words in error["message"]


def test_a_read_only_token_reads_but_changes_nothing(cast):
    secret = _issue(cast, "lead_a", TokenScope.READ).secret
    assert Client().get("/api/v1/cases", **_bearer(secret)).status_code == 200
    assert Client().get(REGISTER, **_bearer(secret)).status_code == 200
    refused = Client().post(
        f"/api/v1/cases/{cast.case_a.reference}/transitions",
        {"name": "submit_prequalification"},
        content_type="application/json",
        **_bearer(secret),
    )
    _refused_by_scope(refused, "read-only")
    # The same person with a full token gets past the door (the step itself is then the case's business).
    full = _issue(cast, "lead_a", TokenScope.FULL).secret
    answer = Client().post(
        f"/api/v1/cases/{cast.case_a.reference}/transitions",
        {"name": "submit_prequalification"},
        content_type="application/json",
        **_bearer(full),
    )
    assert "read-only" not in answer.content.decode()


def test_a_register_and_gating_token_reaches_only_what_a_market_system_reaches(cast):
    secret = _issue(cast, "admin", TokenScope.REGISTER_GATING).secret
    assert Client().get(REGISTER, **_bearer(secret)).status_code == 200
    assert Client().get("/api/v1/register/changes", **_bearer(secret)).status_code == 200
    assert Client().get("/api/v1/library/artefacts", **_bearer(secret)).status_code == 200
    _refused_by_scope(Client().get("/api/v1/cases", **_bearer(secret)), "register and gating")
    _refused_by_scope(Client().get("/api/v1/organisations", **_bearer(secret)), "register and gating")


def test_a_scope_never_widens_what_the_user_may_do(cast):
    """A market system's register-and-gating token is still a machine: refused outside the register as before."""
    secret = _issue(cast, "machine", TokenScope.FULL).secret
    refused = Client().get("/api/v1/cases", **_bearer(secret))
    assert refused.status_code == 403 and "Machine clients" in refused.json()["error"]["message"]
    # A participant's register-and-gating token reads its own register entry only, as the participant does.
    other = _issue(cast, "lead_b", TokenScope.REGISTER_GATING).secret
    assert Client().get(REGISTER, **_bearer(other)).status_code == 404


def test_the_hot_read_asks_the_same_scope_check(cast):
    read = _issue(cast, "machine", TokenScope.READ).secret
    assert api_auth.token_actor(read) is not None  # a GET of the register: within every scope
    assert api_auth.token_actor(read, method="POST") is None  # the check the hot read shares refuses a write
    register_only = _issue(cast, "lead_a", TokenScope.REGISTER_GATING).secret
    assert api_auth.token_actor(register_only) is not None


def test_an_expired_token_is_refused_by_the_api_and_the_hot_read(cast):
    with time_machine.travel(NOW, tick=False):
        secret = _issue(cast, "machine", TokenScope.FULL, expires_at=token_expiry(30)).secret
        assert Client().get(REGISTER, **_bearer(secret)).status_code == 200
    api_auth.forget_tokens()  # another process, or this one past the cache bound
    with time_machine.travel(NOW + dt.timedelta(days=30, seconds=1), tick=False):
        answer = Client().get(REGISTER, **_bearer(secret))
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthenticated"
        assert api_auth.token_actor(secret) is None
        assert Client().get("/api/v1/register/changes", **_bearer(secret)).status_code == 401


def test_last_use_is_recorded_by_the_hot_read_and_the_api_at_most_once_a_minute(cast, monkeypatch):
    seconds = [1000.0]
    monkeypatch.setattr(api_auth, "clock", lambda: seconds[0])
    issued = _issue(cast, "machine", TokenScope.FULL)
    with time_machine.travel(NOW, tick=False):
        assert Client().get(REGISTER, **_bearer(issued.secret)).status_code == 200  # the hot read's path
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == NOW
    seconds[0] += api_auth.CACHE_SECONDS  # the cache reads the token again...
    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=False):
        assert Client().get("/api/v1/register/changes", **_bearer(issued.secret)).status_code == 200
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == NOW  # ...but within the minute writes nothing
    seconds[0] += api_auth.CACHE_SECONDS
    later = NOW + dt.timedelta(minutes=1, seconds=5)
    with time_machine.travel(later, tick=False):
        assert Client().get("/api/v1/register/changes", **_bearer(issued.secret)).status_code == 200
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == later


def test_a_person_chooses_the_scope_and_expiry_and_the_page_shows_them_in_words(cast, client_for):
    client = client_for("lead_a")
    with time_machine.travel(NOW, tick=False):
        page = client.post(
            reverse("accounts:tokens"), {"name": "nightly report", "scope": "READ", "expires": "30"}
        ).content.decode()
    secret = re.search(r'data-testid="token-secret">(qfy_[^<]+)<', page).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get(name="nightly report")
    assert token.scope == TokenScope.READ and token.expires_at == NOW + dt.timedelta(days=30)
    assert "Read only" in page and "30 Dec 2026" in page and "never used" in page
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        assert Client().get("/api/v1/cases", **_bearer(secret)).status_code == 200
        listing = client.get(reverse("accounts:tokens")).content.decode()
    assert "30 Nov 2026" in listing and "never used" not in listing
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        later = client_for("lead_a").get(reverse("accounts:tokens")).content.decode()  # signed in afresh
        assert "<td>expired</td>" in later
        api_auth.forget_tokens()  # past the cache's bound (its clock is not the one travelled here)
        assert Client().get("/api/v1/cases", **_bearer(secret)).status_code == 401


def test_staff_tokens_must_expire_within_a_year(cast, client_for):
    admin = cast.user("admin")
    page = client_for("admin").get(reverse("accounts:tokens")).content.decode()
    assert 'value="never"' not in page and "within a year" in page
    refused = client_for("admin").post(reverse("accounts:tokens"), {"name": "x", "scope": "FULL", "expires": "never"})
    assert "token-secret" not in refused.content.decode() and not ApiToken.objects.filter(user=admin).exists()
    me = cast.actor("admin")
    with pytest.raises(ValidationFailed, match="must expire"):
        api_token_create(actor=me, user=admin, name="forever")
    with pytest.raises(ValidationFailed, match=f"at most {TOKEN_MAX_DAYS} days"):
        api_token_create(actor=me, user=admin, name="long", expires_at=token_expiry(TOKEN_MAX_DAYS + 1))
    with pytest.raises(ValidationFailed, match="in the future"):
        api_token_create(actor=me, user=admin, name="past", expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api_token_create(actor=me, user=admin, name="a year", expires_at=token_expiry(TOKEN_MAX_DAYS))
    # A participant may choose never; a machine client's token, issued by the Programme, may never expire.
    assert 'value="never"' in client_for("lead_a").get(reverse("accounts:tokens")).content.decode()
    assert api_token_create(actor=cast.actor("lead_a"), user=cast.user("lead_a"), name="kept").token.expires_at is None
    assert api_token_create(actor=me, user=cast.user("machine"), name="registration").token.expires_at is None


def test_revoking_a_token_asks_for_confirmation_first(cast, client_for):
    issued = _issue(cast, "lead_a", TokenScope.FULL)
    client = client_for("lead_a")
    url = reverse("accounts:token_revoke", args=[issued.token.uuid])
    listing = client.get(reverse("accounts:tokens")).content.decode()
    assert 'class="confirm"' in listing and 'class="danger"' in listing
    asked = client.post(url)
    assert asked.status_code == 200 and 'data-testid="confirmation-page"' in asked.content.decode()
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None
    assert Client().get("/api/v1/cases", **_bearer(issued.secret)).status_code == 401


def test_a_programme_administrator_sees_and_revokes_market_systems_tokens(cast, client_for):
    issued = _issue(cast, "machine", TokenScope.REGISTER_GATING)
    admin_page = client_for("admin").get(reverse("accounts:tokens")).content.decode()
    assert "<caption>Market systems' tokens</caption>" in admin_page and issued.token.prefix in admin_page
    assert "Register and gating only" in admin_page
    lead_page = client_for("lead_a").get(reverse("accounts:tokens")).content.decode()
    assert issued.token.prefix not in lead_page and "Market systems" not in lead_page
    client_for("admin").post(reverse("accounts:token_revoke", args=[issued.token.uuid]), {"confirm": "on"})
    assert ApiToken.objects.get(pk=issued.token.pk).state == "revoked"


def test_the_command_issues_a_scoped_expiring_token(cast):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(
            "create_api_token",
            "registration@market.test",
            "reg",
            "--scope",
            "register_gating",
            "--days",
            "90",
            stdout=out,
        )
    token = ApiToken.objects.get(name="reg")
    assert token.scope == TokenScope.REGISTER_GATING and token.expires_at == NOW + dt.timedelta(days=90)


def test_the_scope_is_kept_with_the_cached_token(cast, monkeypatch):
    """A read-only token's cached entry still refuses a write: the cache is not a way around the scope."""
    secret = _issue(cast, "lead_a", TokenScope.READ).secret
    assert Client().get("/api/v1/cases", **_bearer(secret)).status_code == 200  # now remembered
    request = RequestFactory().post("/api/v1/cases/x/transitions")
    with pytest.raises(Exception, match="read-only"):
        api_auth.BearerToken().authenticate(request, secret)


def test_the_tokens_page_costs_the_same_whatever_the_number_of_tokens(cast, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("admin")

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("accounts:tokens")).status_code == 200
        return len(queries)

    _issue(cast, "machine", TokenScope.FULL)
    _issue(cast, "admin", TokenScope.READ, expires_at=token_expiry(30))
    few = cost()
    for _ in range(3):
        _issue(cast, "machine", TokenScope.REGISTER_GATING)
        _issue(cast, "admin", TokenScope.FULL, expires_at=token_expiry(30))
    assert cost() == few


def test_each_scope_allows_only_its_own_requests():
    from qualify.accounts.permissions import token_scope_allows

    def allowed(scope: str, method: str, integration: bool) -> bool:
        return token_scope_allows(scope, method=method, integration=integration).allowed

    assert all(allowed(TokenScope.FULL, m, i) for m in ("GET", "POST", "DELETE") for i in (True, False))
    assert allowed(TokenScope.READ, "get", False) and allowed(TokenScope.READ, "HEAD", True)
    assert not allowed(TokenScope.READ, "POST", True) and not allowed(TokenScope.READ, "DELETE", False)
    assert allowed(TokenScope.REGISTER_GATING, "POST", True) and not allowed(TokenScope.REGISTER_GATING, "GET", False)
    assert not allowed("ADMIN", "GET", True)  # an unknown stored scope fails closed
