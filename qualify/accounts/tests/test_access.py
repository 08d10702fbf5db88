from __future__ import annotations

import datetime as dt
import re

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from qualify.accounts.models import ApiToken
from qualify.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from qualify.core.actor import system_actor


def test_participant_signs_in_with_email_and_lands_on_their_home(cast):
    client = Client()
    response = client.post(reverse("accounts:login"), {"login": "LEAD@northwind.test", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("cases:home")
    home = client.get(reverse("cases:home"))
    assert "NWEN" in home.content.decode() and "SBPW" not in home.content.decode()


def test_staff_sign_in_lands_on_the_programme_overview(cast):
    client = Client()
    client.post(reverse("accounts:login"), {"login": "admin@programme.test", "password": PASSWORD})
    assert client.get(reverse("cases:home"))["Location"] == reverse("cases:list")


def test_repeated_failed_sign_ins_lock_the_account_out(cast, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"login": "lead@northwind.test", "password": "wrong-password"})
    locked = client.post(reverse("accounts:login"), {"login": "lead@northwind.test", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # another account from the same address is unaffected
    other = client.post(reverse("accounts:login"), {"login": "lead@southbank.test", "password": PASSWORD})
    assert other.status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(cast, client_for):
    client = client_for("lead_a")
    assert client.get(reverse("accounts:logout")).status_code == 200  # a page asking to confirm; still signed in
    assert client.get(reverse("cases:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("cases:home")).status_code == 302


def test_password_reset_by_email_lets_the_person_choose_a_new_password(cast):
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "lead@northwind.test"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "password1" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"password1": "a-brand-new-pass-77", "password2": "a-brand-new-pass-77"},
    )
    assert done.status_code == 302
    old = Client().post(reverse("accounts:login"), {"login": "lead@northwind.test", "password": PASSWORD})
    assert old.status_code == 200 and "_auth_user_id" not in old.client.session
    signed_in = Client().post(
        reverse("accounts:login"), {"login": "lead@northwind.test", "password": "a-brand-new-pass-77"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("cases:home")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(cast):
    response = Client().post(reverse("accounts:password_reset"), {"email": "nobody@nowhere.test"})
    assert response.status_code == 302 and mail.outbox == []


def test_token_secret_is_shown_once_and_only_its_digest_is_stored(cast, client_for):
    client = client_for("lead_a")
    page = client.post(reverse("accounts:tokens"), {"name": "my script"}).content.decode()
    secret = re.search(r'data-testid="token-secret">(qfy_[^<]+)<', page).group(1)
    token = ApiToken.objects.get(name="my script")
    assert secret not in (token.digest, token.prefix) and token.prefix == secret[:12]
    assert "qfy_" not in client.get(reverse("accounts:tokens")).content.decode().replace(token.prefix, "")
    assert client_for(None).get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_revoked_and_expired_tokens_are_refused(cast):
    system = system_actor()
    revoked = api_token_create(actor=system, user=cast.user("lead_a"), name="old")
    api_token_revoke(actor=system, token=revoked.token)
    expired = api_token_create(
        actor=system,
        user=cast.user("lead_a"),
        name="short",
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert api_token_authenticate(revoked.secret) is None
    assert api_token_authenticate(expired.secret) is None
    response = Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {revoked.secret}")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


def test_machine_client_reads_every_participants_register_status_but_not_the_organisations(cast, token_for):
    token = token_for("machine")
    for mpid in ("NWEN", "SBPW"):
        assert Client().get(f"/api/v1/register/{mpid}/SUPPLIER", **token).status_code == 200
    refused = Client().get("/api/v1/organisations", **token)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_allowed"


def test_weak_passwords_are_refused_when_creating_an_account(db):
    import pytest

    from qualify.accounts.services import user_create
    from qualify.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match=r"too short|too common"):
        user_create(actor=system_actor(), email="new@x.test", full_name="New Person", password="password")


def test_machine_client_token_can_be_issued_from_the_command_line(cast):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_api_token", "registration@market.test", "registration (test)", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert api_token_authenticate(secret) == cast.user("machine")
