"""A security key from end to end (issue 16), with Chromium's virtual WebAuthn authenticator (DevTools protocol):
a qualification lead, whose role requires a second factor, is sent to enrol at sign-in, adds a key, signs out, and
signs in with password and key. Each page fits a phone, passes axe and the Content-Security-Policy (the page
fixture fails the journey on any refusal: allauth's WebAuthn scripts are static files)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.test import override_settings

from config.settings import base
from conftest import PASSWORD
from tests.browser.a11y import axe_violations, overflow, screenshot

PHONE = {"width": 390, "height": 844}


def _check(page, name):  # type: ignore[no-untyped-def]
    screenshot(page, name)
    assert axe_violations(page) == [], name
    page.set_viewport_size(PHONE)
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    assert overflow(page) == 0, f"{name} scrolls sideways at 390 px: {wide}"
    page.set_viewport_size({"width": 1366, "height": 900})


def _password(page, base_url):  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("E-mail").fill("lead@northwind.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
def test_lead_enrols_a_security_key_at_sign_in_and_signs_in_with_it(page, live_server, live_cast):
    from playwright.sync_api import expect

    base_url = live_server.url.replace("127.0.0.1", "localhost")  # a WebAuthn relying party is a host name
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    with override_settings(QUALIFY_MFA_REQUIRED_ROLES=base.QUALIFY_MFA_REQUIRED_ROLES):
        _password(page, base_url)
        page.wait_for_url(f"{base_url}/accounts/2fa/")  # a lead must have a second factor: enrolment first
        expect(page.locator(".messages")).to_contain_text("requires a second factor")
        _check(page, "mfa-index")
        page.goto(f"{base_url}/cases/")
        page.wait_for_url(f"{base_url}/accounts/2fa/")  # and no other page until then

        page.locator('a[href$="/2fa/webauthn/add/"]').click()
        page.get_by_label("Password").fill(PASSWORD)  # changing one's security asks for the password again
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url(f"{base_url}/accounts/2fa/webauthn/add/")
        _check(page, "mfa-add-key")
        page.locator("#mfa_webauthn_add").click()
        page.wait_for_url(lambda url: "/webauthn/add/" not in url)
        assert Authenticator.objects.filter(user=live_cast.user("lead_a"), type=Authenticator.Type.WEBAUTHN).exists()
        page.goto(f"{base_url}/cases/")
        expect(page.get_by_test_id("who")).to_contain_text("Ada Lead")

        page.get_by_role("button", name="Sign out").click()
        _password(page, base_url)
        page.wait_for_url(f"{base_url}/accounts/2fa/authenticate/")  # the password alone is not enough now
        _check(page, "mfa-authenticate")
        page.get_by_role("button", name="Use a security key").click()
        page.wait_for_url(f"{base_url}/")
        expect(page.get_by_test_id("who")).to_contain_text("Ada Lead")
        page.goto(f"{base_url}/accounts/sessions/")
        _check(page, "sessions")
