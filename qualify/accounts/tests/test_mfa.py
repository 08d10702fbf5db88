"""Second factors (issue 16): enrolment, sign-in with a code, recovery codes, the per-role requirement, fresh second
factors before the sensitive steps, and ending one's other sessions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client, override_settings
from django.urls import reverse

from config.settings import base
from conftest import PASSWORD
from qualify.accounts.adapters import webauthn_rp_id
from qualify.accounts.models import ApiToken, User
from qualify.accounts.tests.mfa_helpers import enrol_totp, sign_in, signed_in, totp_code
from qualify.audit.models import AuditEvent
from qualify.core.roles import HUMAN_STAFF_ROLES, MembershipRole

NOON = dt.datetime(2026, 11, 30, 12, 0, 5, tzinfo=dt.UTC)  # five seconds into a 30-second TOTP step
REQUIRED = override_settings(QUALIFY_MFA_REQUIRED_ROLES=base.QUALIFY_MFA_REQUIRED_ROLES)


def test_by_default_every_human_staff_role_and_participants_leads_must_use_a_second_factor():
    assert set(base.QUALIFY_MFA_REQUIRED_ROLES) == {*HUMAN_STAFF_ROLES, MembershipRole.LEAD}


def test_sign_up_is_closed_and_creates_no_account(db):
    client = Client()
    assert "Sign Up Closed" in client.get(reverse("account_signup")).content.decode()
    data = {"email": "stranger@x.test", "password1": "a-long-pass-9871", "password2": "a-long-pass-9871"}
    client.post(reverse("account_signup"), data)
    assert not User.objects.filter(email="stranger@x.test").exists()


def test_a_person_enrols_an_authenticator_app_then_signs_in_with_its_code(cast, django_capture_on_commit_callbacks):
    client = Client()
    with time_machine.travel(NOON, tick=False):
        client.post(reverse("account_login"), {"login": "contrib@northwind.test", "password": PASSWORD})
        asked = client.get(reverse("mfa_activate_totp"))  # changing one's security asks for the password again
        assert asked.status_code == 302 and asked["Location"].startswith(reverse("account_reauthenticate"))
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        page = client.get(reverse("mfa_activate_totp"))
        assert page.status_code == 200
        secret = re.search(r'value="([A-Z2-7]{32})"', page.content.decode()).group(1)
        wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000" if totp_code(secret) != "000000" else "1"})
        assert wrong.status_code == 200 and not Authenticator.objects.filter(user=cast.user("contributor_a")).exists()
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
        assert done.status_code == 302
    kinds = set(Authenticator.objects.filter(user=cast.user("contributor_a")).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    added = AuditEvent.objects.get(action="accounts.second_factor.add", changes__type="totp")
    assert added.actor_id == cast.user("contributor_a").pk and secret not in str(added.changes)

    later = NOON + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        again = Client()
        refused = sign_in(again, "contrib@northwind.test", "123456" if totp_code(secret) != "123456" else "654321")
        assert refused.status_code == 200 and not signed_in(again)  # the password alone does not sign in
        accepted = again.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        assert accepted.status_code == 302 and signed_in(again)
        assert again.get(reverse("cases:home")).status_code == 200


def test_a_code_once_used_cannot_sign_in_again(cast):
    secret, _codes = enrol_totp(cast.user("lead_a"))
    with time_machine.travel(NOON, tick=False):
        first = Client()
        sign_in(first, "lead@northwind.test", totp_code(secret))
        assert signed_in(first)
        replay = Client()
        sign_in(replay, "lead@northwind.test", totp_code(secret))
        assert not signed_in(replay)


def test_a_recovery_code_signs_in_once(cast):
    _secret, codes = enrol_totp(cast.user("lead_a"))
    first = Client()
    sign_in(first, "lead@northwind.test", codes[0])
    assert signed_in(first)
    reused = Client()
    sign_in(reused, "lead@northwind.test", codes[0])
    assert not signed_in(reused)
    other = Client()
    sign_in(other, "lead@northwind.test", codes[1])
    assert signed_in(other)


@REQUIRED
@pytest.mark.parametrize("who", ["lead_a", "bsc", "board", "admin", "auditor"])
def test_a_person_whose_role_requires_a_second_factor_is_sent_to_enrol_first(cast, client_for, token_for, who):
    client = client_for(who)
    page = client.get(reverse("cases:list"))
    assert page.status_code == 302 and page["Location"] == reverse("mfa_index")
    assert "requires a second factor" in client.get(reverse("mfa_index")).content.decode()
    refused = client.get("/api/v1/cases")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "mfa_required"
    assert client_for(None).get("/api/v1/cases", **token_for(who)).status_code == 200  # a token is not a session
    enrol_totp(cast.user(who))
    assert client.get(reverse("cases:list")).status_code == 200


@REQUIRED
@pytest.mark.parametrize("who", ["contributor_a", "viewer_a"])
def test_contributors_and_viewers_need_no_second_factor(client_for, who):
    assert client_for(who).get(reverse("cases:list")).status_code == 200


@REQUIRED
def test_a_bearer_token_does_not_lean_on_the_session_of_someone_not_enrolled(client_for):
    response = client_for("lead_a").get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer qfy_not-a-token")
    assert response.status_code == 401


TOKEN_CHOICES = {"scope": "READ", "expires": "30"}  # the form's other fields (accounts.forms.TokenCreateForm)


def test_creating_an_api_token_needs_a_recent_second_factor(cast):
    secret, _codes = enrol_totp(cast.user("lead_a"))
    client = Client()
    with time_machine.travel(NOON, tick=False):
        sign_in(client, "lead@northwind.test", totp_code(secret))
        assert (
            client.post(reverse("accounts:tokens"), {"name": "fresh", **TOKEN_CHOICES}).status_code == 200
        )  # just given
    later = NOON + dt.timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        asked = client.post(reverse("accounts:tokens"), {"name": "stale", **TOKEN_CHOICES})
        assert asked.status_code == 302 and asked["Location"].startswith(reverse("mfa_reauthenticate"))
        assert not ApiToken.objects.filter(name="stale").exists()
        assert client.get(reverse("accounts:tokens")).status_code == 200  # reading the list needs nothing more
        wrong = client.post(asked["Location"], {"code": "000000" if totp_code(secret) != "000000" else "111111"})
        assert wrong.status_code == 200 and not ApiToken.objects.filter(name="stale").exists()
        client.post(asked["Location"], {"code": totp_code(secret)})
        assert ApiToken.objects.filter(name="stale", user=cast.user("lead_a")).exists()  # the set-aside request ran


def test_ending_the_other_sessions_signs_that_browser_out(cast):
    laptop, phone = Client(), Client()
    for client in (laptop, phone):
        client.post(reverse("account_login"), {"login": "lead@northwind.test", "password": PASSWORD})
    assert phone.get(reverse("cases:home")).status_code == 200
    listing = laptop.get(reverse("usersessions_list")).content.decode()
    assert listing.count("<tr") >= 3  # a header and both sessions
    laptop.post(reverse("usersessions_list"))
    assert phone.get(reverse("cases:home")).status_code == 302
    assert laptop.get(reverse("cases:home")).status_code == 200


def test_the_admin_site_signs_in_through_the_sites_sign_in_not_its_own_password_form(cast):
    client = Client()
    asked = client.get("/admin/login/?next=/admin/")
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("account_login"))
    posted = client.post("/admin/login/", {"username": "admin@programme.test", "password": PASSWORD})
    assert not signed_in(client) and posted.status_code == 302


@pytest.mark.parametrize(
    ("rp_id", "site_url", "expected"),
    [
        ("keys.example.org", "https://qualify.example.org", "keys.example.org"),
        ("", "https://qualify.example.org", "qualify.example.org"),
        ("", "http://127.0.0.1:8000", "localhost"),  # an IP address cannot be a relying party
        ("", "", "localhost"),
    ],
)
def test_security_keys_are_bound_to_the_sites_host_name(rp_id, site_url, expected):
    with override_settings(QUALIFY_WEBAUTHN_RP_ID=rp_id, QUALIFY_SITE_URL=site_url):
        assert webauthn_rp_id("localhost:8000") == expected


def test_a_sessions_last_seen_is_written_at_most_every_five_minutes(cast):
    from allauth.usersessions.models import UserSession

    client = Client()
    with time_machine.travel(NOON, tick=False):
        client.post(reverse("account_login"), {"login": "lead@northwind.test", "password": PASSWORD})
        row = UserSession.objects.get(user=cast.user("lead_a"))
    with time_machine.travel(NOON + dt.timedelta(minutes=2), tick=False):
        client.get(reverse("core:health"))
        assert UserSession.objects.get(pk=row.pk).last_seen_at == row.last_seen_at
    with time_machine.travel(NOON + dt.timedelta(minutes=6), tick=False):
        client.get(reverse("core:health"))
        assert UserSession.objects.get(pk=row.pk).last_seen_at > row.last_seen_at
