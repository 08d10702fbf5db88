"""Single sign-on end to end, against a real OpenID Connect provider started on loopback (issue 16).

The test client plays the browser: it asks to sign in with an e-mail, follows the redirect to the provider (whose
authorisation endpoint approves the person the test put there), and comes back to allauth's callback with the code
and state; allauth then calls the provider's token, keys and userinfo endpoints itself, over loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from qualify.accounts.models import IdentityProvider
from qualify.accounts.services import identity_provider_create, identity_provider_set_enabled
from qualify.accounts.tests.oidc_provider import LoopbackOidcProvider, Person
from qualify.audit.models import AuditEvent
from qualify.participants.models import Membership


@pytest.fixture(scope="module")
def idp() -> Iterator[LoopbackOidcProvider]:
    provider = LoopbackOidcProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def northwind(idp: LoopbackOidcProvider, cast: Any) -> Iterator[IdentityProvider]:
    """Northwind's provider, for northwind.test; the provider's misbehaviour is reset after each test."""
    configured = identity_provider_create(
        actor=cast.actor("admin"),
        name="Northwind Login",
        domains=["northwind.test", "market.test"],
        server_url=idp.url,
        client_id=idp.client_id,
        client_secret=idp.client_secret,
    )
    yield configured
    idp.person = None
    idp.id_token_audience = idp.id_token_issuer = None
    idp.sign_with_unpublished_key, idp.id_token_lifetime = False, 300


def _to_provider(client: Client, idp: LoopbackOidcProvider, email: str) -> str:
    """Ask to sign in with ``email``: the answer is a redirect to the provider's authorisation endpoint."""
    response = client.post(reverse("accounts:sso_start"), {"email": email, "next": reverse("cases:list")})
    assert response.status_code == 200, response.content[:500]
    location = str(response.context["authorize_url"])
    assert location.startswith(f"{idp.url}/authorize?")
    assert f'content="0;url={escape(location)}"' in response.content.decode()  # the page moves on by itself
    return location


def _back_from_provider(client: Client, authorize_url: str) -> Any:
    """The browser at the provider, then back at allauth's callback with what the provider gave it."""
    at_provider = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    callback = urlsplit(at_provider.headers["Location"])
    assert callback.path.endswith("/login/callback/")
    return client.get(f"{callback.path}?{callback.query}")


def sign_in(client: Client, idp: LoopbackOidcProvider, email: str) -> Any:
    return _back_from_provider(client, _to_provider(client, idp, email))


def _signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_a_person_signs_in_through_their_provider_as_their_existing_account(idp, northwind, cast):
    lead = cast.user("lead_a")
    memberships = list(Membership.objects.filter(user=lead).values_list("organisation_id", "role"))
    idp.person = Person(sub="nw-0001", email="Lead@Northwind.test", name="Someone Else Entirely")
    client = Client()

    authorize = _to_provider(client, idp, "lead@northwind.test")
    query = parse_qs(urlsplit(authorize).query)
    assert query["login_hint"] == ["lead@northwind.test"]
    assert query["code_challenge_method"] == ["S256"]  # PKCE on top of the client secret
    response = _back_from_provider(client, authorize)

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:list")
    assert _signed_in_as(client) == str(lead.pk)
    assert client.session["_auth_user_backend"] == "qualify.accounts.backends.PeopleBackend"
    assert client.get(reverse("cases:list")).status_code == 200
    # Only what was granted here: no new membership or role, no new account, the name kept.
    lead.refresh_from_db()
    assert list(Membership.objects.filter(user=lead).values_list("organisation_id", "role")) == memberships
    assert (lead.staff_role, lead.full_name) == ("", "Ada Lead")
    link = SocialAccount.objects.get(user=lead)
    assert (link.provider, link.uid) == (northwind.slug, "nw-0001")
    assert AuditEvent.objects.filter(action="accounts.sso.link", object_id=str(lead.uuid)).count() == 1

    # The next sign-in finds the link and is checked by the same rules.
    again = Client()
    assert sign_in(again, idp, "lead@northwind.test").status_code == 302
    assert _signed_in_as(again) == str(lead.pk)
    assert SocialAccount.objects.filter(user=lead).count() == 1


def _refused(response: Any, client: Client, words: str) -> None:
    assert response.status_code == 403
    assert words in response.content.decode()
    assert _signed_in_as(client) is None


def test_sso_never_creates_an_account_for_an_unknown_email(idp, northwind, django_user_model):
    idp.person = Person(sub="nw-0404", email="newcomer@northwind.test")
    client = Client()
    before = django_user_model.objects.count()
    _refused(sign_in(client, idp, "newcomer@northwind.test"), client, "There is no account for newcomer@northwind.test")
    assert django_user_model.objects.count() == before
    assert not SocialAccount.objects.exists()


def test_a_provider_cannot_sign_in_people_of_another_domain(idp, northwind, cast):
    idp.person = Person(sub="sb-0001", email="lead@southbank.test")  # a real account, but not Northwind's domain
    client = Client()
    _refused(sign_in(client, idp, "lead@northwind.test"), client, "does not sign in people of southbank.test")


def test_an_email_the_provider_has_not_verified_is_refused(idp, northwind, cast):
    idp.person = Person(sub="nw-0002", email="lead@northwind.test", email_verified=False)
    client = Client()
    _refused(sign_in(client, idp, "lead@northwind.test"), client, "did not confirm your e-mail address")


def test_a_machine_client_never_signs_in_by_sso(idp, northwind, cast):
    idp.person = Person(sub="mk-0001", email="registration@market.test")
    client = Client()
    _refused(sign_in(client, idp, "registration@market.test"), client, "machine client")


def test_a_disabled_provider_signs_no_one_in(idp, northwind, cast):
    idp.person = Person(sub="nw-0001", email="lead@northwind.test")
    client = Client()
    authorize = _to_provider(client, idp, "lead@northwind.test")
    identity_provider_set_enabled(actor=cast.actor("admin"), provider=northwind, enabled=False)

    assert _back_from_provider(client, authorize).status_code == 404  # allauth no longer knows the provider
    assert _signed_in_as(client) is None
    # And the sign-in page sends its people to the password form.
    response = client.post(reverse("accounts:sso_start"), {"email": "lead@northwind.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("id_token_audience", "another-client"),
        ("id_token_issuer", "https://impostor.test"),
        ("sign_with_unpublished_key", True),
        ("id_token_lifetime", -120),
    ],
    ids=["wrong-audience", "wrong-issuer", "tampered-signature", "expired"],
)
def test_an_id_token_for_another_client_from_another_issuer_badly_signed_or_expired_is_refused(
    idp, northwind, cast, attribute, value
):
    idp.person = Person(sub="nw-0001", email="lead@northwind.test")
    setattr(idp, attribute, value)
    client = Client()
    response = sign_in(client, idp, "lead@northwind.test")
    assert response.status_code == 401
    assert "socialaccount/authentication_error.html" in [t.name for t in response.templates]
    assert _signed_in_as(client) is None
    assert not SocialAccount.objects.exists()


def test_a_forged_callback_without_the_sessions_state_is_refused(idp, northwind, cast):
    idp.person = Person(sub="nw-0001", email="lead@northwind.test")
    authorize = _to_provider(Client(), idp, "lead@northwind.test")  # someone else's browser started it
    victim = Client()
    response = _back_from_provider(victim, authorize)
    assert response.status_code == 401
    assert "socialaccount/authentication_error.html" in [t.name for t in response.templates]
    assert _signed_in_as(victim) is None


def test_a_signed_in_person_cannot_connect_another_sign_in_to_their_session(idp, northwind, cast):
    """allauth's "connect" process (linking a provider to the signed-in account) is not offered: links are made only
    by the sign-in rules, to the account of the provider's verified e-mail."""
    idp.person = Person(sub="nw-0001", email="lead@northwind.test")
    client = Client()
    client.force_login(cast.user("viewer_a"))
    provider = northwind.app
    start = client.post(
        reverse("openid_connect_login", kwargs={"provider_id": provider.provider_id}), {"process": "connect"}
    )
    assert start.status_code == 302
    response = _back_from_provider(client, start["Location"])
    assert response.status_code == 403
    assert not SocialAccount.objects.exists()
    assert _signed_in_as(client) == str(cast.user("viewer_a").pk)


def test_a_person_with_a_second_factor_still_gives_it_after_single_sign_on(idp, northwind, cast):
    """Our second-factor rules apply to single sign-on as to passwords: whatever the provider did, a person with an
    authenticator gives it here before the session is theirs."""
    lead = cast.user("lead_a")
    TOTP.activate(lead, generate_totp_secret())
    idp.person = Person(sub="nw-0001", email="lead@northwind.test")
    client = Client()
    response = sign_in(client, idp, "lead@northwind.test")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert _signed_in_as(client) is None


def test_a_role_that_requires_a_second_factor_enrols_after_single_sign_on(idp, northwind, cast, settings):
    settings.QUALIFY_MFA_REQUIRED_ROLES = ["LEAD"]
    idp.person = Person(sub="nw-0001", email="lead@northwind.test")
    client = Client()
    assert sign_in(client, idp, "lead@northwind.test").status_code == 302
    assert _signed_in_as(client) == str(cast.user("lead_a").pk)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")


def test_the_sign_in_page_offers_single_sign_on_only_while_a_provider_is_on(idp, northwind, cast):
    page = Client().get(reverse("account_login") + "?next=/plan/")
    assert f'href="{reverse("accounts:sso_start")}?next=/plan/"' in page.content.decode()
    identity_provider_set_enabled(actor=cast.actor("admin"), provider=northwind, enabled=False)
    assert b"sso-link" not in Client().get(reverse("account_login")).content
