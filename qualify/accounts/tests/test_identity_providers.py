"""Configuring identity providers (programme administrators only) and the rules of who may sign in through one."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from qualify.accounts.models import IdentityProvider
from qualify.accounts.services import (
    identity_provider_create,
    identity_provider_for_email,
    identity_provider_get,
    identity_provider_set_enabled,
    identity_provider_update,
)
from qualify.accounts.sso import sso_decision
from qualify.audit.models import AuditEvent
from qualify.core.errors import NotAllowed, NotFound, ValidationFailed

SECRET = "s3cret-from-the-provider"


def _create(cast: Any, **overrides: Any) -> IdentityProvider:
    values: dict[str, Any] = {
        "name": "Northwind Login",
        "domains": ["northwind.test", "  @Northwind-Energy.co.uk "],
        "server_url": "https://login.northwind.test/.well-known/openid-configuration",
        "client_id": "qualify",
        "client_secret": SECRET,
        **overrides,
    }
    return identity_provider_create(actor=cast.actor("admin"), **values)


def test_an_administrator_configures_a_provider_that_allauth_reads(cast):
    provider = _create(cast)
    app = SocialApp.objects.get(pk=provider.app_id)
    assert (app.provider, app.provider_id, app.client_id, app.secret) == (
        "openid_connect",
        "northwind-login",
        "qualify",
        SECRET,
    )
    assert app.settings["server_url"] == "https://login.northwind.test"
    assert sorted(d.domain for d in provider.domains.all()) == ["northwind-energy.co.uk", "northwind.test"]
    event = AuditEvent.objects.get(action="accounts.identity_provider.create")
    assert SECRET not in str(event.changes)
    assert event.changes["client_secret"] == "set"


@pytest.mark.parametrize("who", ["lead_a", "bsc", "auditor"])
def test_only_a_programme_administrator_configures_single_sign_on(cast, who):
    with pytest.raises(NotAllowed):
        identity_provider_create(
            actor=cast.actor(who),
            name="Mine",
            domains=["northwind.test"],
            server_url="https://login.northwind.test",
            client_id="x",
            client_secret="y",
        )
    provider = _create(cast)
    with pytest.raises(NotAllowed):
        identity_provider_set_enabled(actor=cast.actor(who), provider=provider, enabled=False)
    with pytest.raises(NotFound):
        identity_provider_get(actor=cast.actor(who), uuid=str(provider.uuid))


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("server_url", "http://login.northwind.test", "insecure"),
        ("server_url", "login.northwind.test", "invalid"),
        ("domains", ["not a domain"], "invalid"),
        ("domains", [" "], "required"),
        ("client_id", " ", "required"),
        ("client_secret", "", "required"),
    ],
)
def test_a_provider_needs_https_real_domains_and_its_credentials(cast, field, value, code):
    with pytest.raises(ValidationFailed) as refused:
        _create(cast, **{field: value})
    assert refused.value.details == {field: code}


def test_plain_http_is_allowed_only_on_loopback(cast):
    assert _create(cast, server_url="http://127.0.0.1:8123").server_url == "http://127.0.0.1:8123"


def test_a_domain_belongs_to_one_provider(cast):
    _create(cast)
    with pytest.raises(ValidationFailed, match="already signs in through Northwind Login"):
        _create(cast, name="Impostor", domains=["northwind.test"])
    assert IdentityProvider.objects.count() == 1


def test_editing_keeps_the_secret_unless_a_new_one_is_given(cast):
    provider = _create(cast)
    admin = cast.actor("admin")
    identity_provider_update(
        actor=admin,
        provider=provider,
        name="Northwind SSO",
        domains=["northwind.test"],
        server_url="https://sso.northwind.test",
        client_id="qualify-2",
    )
    app = SocialApp.objects.get(pk=provider.app_id)
    assert (app.name, app.client_id, app.secret, app.settings["server_url"]) == (
        "Northwind SSO",
        "qualify-2",
        SECRET,
        "https://sso.northwind.test",
    )
    assert app.provider_id == "northwind-login"  # the redirect address the provider knows never changes
    assert list(provider.domains.values_list("domain", flat=True)) == ["northwind.test"]
    identity_provider_update(
        actor=admin,
        provider=provider,
        name="Northwind SSO",
        domains=["northwind.test"],
        server_url="https://sso.northwind.test",
        client_id="qualify-2",
        client_secret="rotated",
    )
    assert SocialApp.objects.get(pk=provider.app_id).secret == "rotated"
    changes = [
        e.changes["client_secret"] for e in AuditEvent.objects.filter(action="accounts.identity_provider.update")
    ]
    assert sorted(changes) == ["changed", "kept"]


def test_the_email_domain_picks_the_enabled_provider(cast):
    provider = _create(cast)
    assert identity_provider_for_email("Someone@NORTHWIND.test") == provider
    assert identity_provider_for_email("someone@southbank.test") is None
    assert identity_provider_for_email("northwind.test") is None
    identity_provider_set_enabled(actor=cast.actor("admin"), provider=provider, enabled=False)
    assert identity_provider_for_email("someone@northwind.test") is None
    assert AuditEvent.objects.filter(action="accounts.identity_provider.disable").count() == 1


def _decide(emails: list[tuple[str, bool]], linked_user: Any = None) -> Any:
    return sso_decision(provider_id="northwind-login", emails=emails, linked_user=linked_user)


def test_the_rules_admit_an_existing_person_of_the_providers_domain(cast):
    _create(cast, domains=["northwind.test", "market.test"])
    assert _decide([("LEAD@northwind.test", True)]).user == cast.user("lead_a")
    # Another verified address at the provider's domain counts; an unverified one never does.
    assert _decide([("lead@gmail.test", True), ("viewer@northwind.test", True)]).user == cast.user("viewer_a")
    assert "did not confirm" in _decide([("lead@northwind.test", False)]).reason
    assert "does not sign in people of southbank.test" in _decide([("lead@southbank.test", True)]).reason
    assert "no account for ghost@northwind.test" in _decide([("ghost@northwind.test", True)]).reason
    assert "machine client" in _decide([("registration@market.test", True)]).reason
    assert "linked to another account" in _decide([("lead@northwind.test", True)], cast.user("viewer_a")).reason


def test_the_rules_refuse_a_switched_off_account_or_provider(cast, django_user_model):
    provider = _create(cast)
    django_user_model.objects.filter(pk=cast.user("lead_a").pk).update(is_active=False)
    assert "switched off" in _decide([("lead@northwind.test", True)]).reason
    identity_provider_set_enabled(actor=cast.actor("admin"), provider=provider, enabled=False)
    assert "not available" in _decide([("viewer@northwind.test", True)]).reason


def test_the_administrators_pages_never_show_the_secret(cast, client_for):
    provider = _create(cast)
    client = client_for("admin")
    for url in (
        reverse("accounts:identity_providers"),
        reverse("accounts:identity_provider", args=[provider.uuid]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert SECRET not in page.content.decode()
    detail = client.get(reverse("accounts:identity_provider", args=[provider.uuid])).content.decode()
    assert "http://testserver/accounts/oidc/northwind-login/login/callback/" in detail


def test_switching_a_provider_off_asks_first(cast, client_for):
    provider = _create(cast)
    client = client_for("admin")
    url = reverse("accounts:identity_provider_enabled", args=[provider.uuid])
    asked = client.post(url, {"enabled": "off"})
    assert asked.status_code == 200
    assert b"confirmation-page" in asked.content
    assert IdentityProvider.objects.get(pk=provider.pk).enabled
    assert client.post(url, {"enabled": "off", "confirm": "on"}).status_code == 302
    assert not IdentityProvider.objects.get(pk=provider.pk).enabled
    assert client.post(url, {"enabled": "on"}).status_code == 302
    assert IdentityProvider.objects.get(pk=provider.pk).enabled


def test_an_administrator_sets_one_up_from_the_page(cast, client_for):
    client = client_for("admin")
    response = client.post(
        reverse("accounts:identity_provider_new"),
        {
            "name": "Southbank SSO",
            "domains": "southbank.test, southbank-power.co.uk",
            "server_url": "https://id.southbank.test",
            "client_id": "qualify",
            "client_secret": SECRET,
        },
    )
    provider = IdentityProvider.objects.get(name="Southbank SSO")
    assert response["Location"] == reverse("accounts:identity_provider", args=[provider.uuid])
    assert sorted(provider.domains.values_list("domain", flat=True)) == ["southbank-power.co.uk", "southbank.test"]
    taken = client.post(
        reverse("accounts:identity_provider_new"),
        {"name": "Again", "domains": "southbank.test", "server_url": "https://x.test", "client_id": "q"},
    )
    assert taken.status_code == 400


def test_the_sign_in_page_sends_a_domain_without_a_provider_to_the_password_form(cast, client):
    response = client.post(
        reverse("accounts:sso_start"), {"email": "lead@southbank.test", "next": "https://evil.test/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


def test_the_sign_in_page_keeps_where_the_person_was_going(cast, client):
    response = client.post(reverse("accounts:sso_start"), {"email": "lead@southbank.test", "next": "/plan/?a=1&b=2"})
    assert response["Location"] == reverse("accounts:login") + "?next=%2Fplan%2F%3Fa%3D1%26b%3D2"
