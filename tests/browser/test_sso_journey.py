"""Single sign-on in a real browser: the programme administrator sets up Northwind's identity provider (a real
OpenID Connect provider on loopback), and Northwind's lead signs in through it from the sign-in page, landing on their
own home with only what was granted here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from qualify.accounts.tests.oidc_provider import LoopbackOidcProvider, Person
from tests.browser.test_assessment_journey import sign_in, sign_out
from tests.browser.test_deferral_journey import _fits

pytestmark = pytest.mark.browser


@pytest.fixture
def idp() -> Iterator[LoopbackOidcProvider]:
    provider = LoopbackOidcProvider().start()
    yield provider
    provider.stop()


def test_an_administrator_sets_up_a_provider_and_a_lead_signs_in_through_it(page, live_server, live_cast, idp):
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    sign_in(page, live_server, "admin@programme.test")
    page.goto(live_server.url + reverse("programme:home"))
    page.get_by_role("link", name="Single sign-on").click()
    page.get_by_role("link", name="Set up an identity provider").click()
    form = page.get_by_test_id("identity-provider-form")
    form.get_by_label("Name").fill("Northwind Login")
    form.get_by_label("E-mail domains").fill("northwind.test")
    form.get_by_label("Issuer address").fill(idp.url)
    form.get_by_label("Client id").fill(idp.client_id)
    form.get_by_label("Client secret").fill(idp.client_secret)
    form.get_by_role("button", name="Save the provider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Login")
    expect(page.get_by_test_id("redirect-uri")).to_have_text(
        f"{live_server.url}/accounts/oidc/northwind-login/login/callback/"
    )
    assert idp.client_secret not in page.content()
    _fits(page, "identity-provider")
    sign_out(page)

    idp.person = Person(sub="nw-0001", email="lead@northwind.test")
    page.get_by_role("link", name="Sign in with your organisation's account").click()
    page.get_by_label("Your work e-mail").fill("lead@northwind.test")
    _fits(page, "sso-start")
    page.get_by_role("button", name="Continue").click()  # to the provider and straight back
    expect(page.get_by_test_id("who")).to_contain_text("Ada Lead")
    assert page.url.startswith(live_server.url)
