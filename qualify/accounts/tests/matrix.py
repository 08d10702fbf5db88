"""django-allauth's pages as qualify exposes them (qualify/accounts/identity_urls.py): the sign-in and password-reset
pages open to anyone, every page about one's own account (second factors, sessions, password) only to the signed-in.
A page that changes security settings first asks for a recent sign-in (302 to re-authenticate): that it then works
is shown in test_mfa.py. A page about a second factor the person does not have answers 404.

Single sign-on: anyone may start a sign-in with their organisation's provider; configuring providers is the programme
administrator's alone (everyone else 403). ``prepare`` configures one provider for the rows that name it."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import SIGNED_IN, Row, every, page

NOT_ADMIN = [s for s in SIGNED_IN if s != "admin"]
ADMIN_ONLY = every(NOT_ADMIN, 403)


def prepare(cast) -> None:  # type: ignore[no-untyped-def]
    from qualify.accounts.services import identity_provider_create

    cast.identity_provider = identity_provider_create(
        actor=cast.actor("admin"),
        name="Matrix Login",
        domains=["matrix.test"],
        server_url="https://login.matrix.test",
        client_id="qualify",
        client_secret="matrix-secret",
    )


idp = lambda c: str(c.identity_provider.uuid)  # noqa: E731

ROWS = [
    Row("account_login", lambda c: reverse("account_login"), {None: 200, **every(SIGNED_IN, 302)}),
    Row("account_logout", lambda c: reverse("account_logout"), {None: 302, **every(SIGNED_IN, 200)}),
    Row("account_signup", lambda c: reverse("account_signup"), {None: 200, **every(SIGNED_IN, 302)}),
    # A sign-up post creates nothing (test_mfa.py checks no account appears).
    Row(
        "account_signup post",
        lambda c: reverse("account_signup"),
        {None: 200, **every(SIGNED_IN, 302)},
        method="post",
        data=lambda c: {"email": "new@x.test", "password1": "a-long-pass-9871", "password2": "a-long-pass-9871"},
    ),
    Row("account_inactive", lambda c: reverse("account_inactive"), {None: 200, **every(SIGNED_IN, 200)}),
    Row("account_reset_password", lambda c: reverse("account_reset_password"), {None: 200, **every(SIGNED_IN, 200)}),
    Row(
        "account_reset_password_done",
        lambda c: reverse("account_reset_password_done"),
        {None: 200, **every(SIGNED_IN, 200)},
    ),
    Row(
        "account_reset_password_from_key",
        lambda c: reverse("account_reset_password_from_key", args=["1", "bad-key"]),
        {None: 200, **every(SIGNED_IN, 200)},
    ),
    Row(
        "account_reset_password_from_key_done",
        lambda c: reverse("account_reset_password_from_key_done"),
        {None: 200, **every(SIGNED_IN, 200)},
    ),
    page("account_reauthenticate", lambda c: reverse("account_reauthenticate"), every(SIGNED_IN, 200)),
    page("account_change_password", lambda c: reverse("account_change_password"), every(SIGNED_IN, 200)),
    page("account_set_password", lambda c: reverse("account_set_password"), every(SIGNED_IN, 302)),
    page("mfa_index", lambda c: reverse("mfa_index"), every(SIGNED_IN, 200)),
    page("mfa_authenticate", lambda c: reverse("mfa_authenticate"), every(SIGNED_IN, 302)),
    page("mfa_reauthenticate", lambda c: reverse("mfa_reauthenticate"), every(SIGNED_IN, 302)),
    page("mfa_activate_totp", lambda c: reverse("mfa_activate_totp"), every(SIGNED_IN, 302)),
    page("mfa_deactivate_totp", lambda c: reverse("mfa_deactivate_totp"), every(SIGNED_IN, 404)),
    page("mfa_view_recovery_codes", lambda c: reverse("mfa_view_recovery_codes"), every(SIGNED_IN, 404)),
    page("mfa_generate_recovery_codes", lambda c: reverse("mfa_generate_recovery_codes"), every(SIGNED_IN, 302)),
    page("mfa_download_recovery_codes", lambda c: reverse("mfa_download_recovery_codes"), every(SIGNED_IN, 404)),
    page("mfa_list_webauthn", lambda c: reverse("mfa_list_webauthn"), every(SIGNED_IN, 200)),
    page("mfa_add_webauthn", lambda c: reverse("mfa_add_webauthn"), every(SIGNED_IN, 302)),
    page("mfa_reauthenticate_webauthn", lambda c: reverse("mfa_reauthenticate_webauthn"), every(SIGNED_IN, 302)),
    page("mfa_remove_webauthn", lambda c: reverse("mfa_remove_webauthn", args=[999999]), every(SIGNED_IN, 302)),
    page("mfa_edit_webauthn", lambda c: reverse("mfa_edit_webauthn", args=[999999]), every(SIGNED_IN, 302)),
    page("usersessions_list", lambda c: reverse("usersessions_list"), every(SIGNED_IN, 200)),
    # Single sign-on (sso.py): starting it, allauth's start and callback for a provider (a callback without the
    # session's state is refused: 401), its error pages (401 too), and the programme administrator's provider pages.
    Row(
        "openid_connect_login",
        lambda c: reverse("openid_connect_login", args=[c.identity_provider.slug]),
        {None: 200, **every(SIGNED_IN, 200)},
    ),
    Row(
        "openid_connect_callback",
        lambda c: reverse("openid_connect_callback", args=[c.identity_provider.slug]) + "?code=x&state=y",
        {None: 401, **every(SIGNED_IN, 401)},
    ),
    Row(
        "socialaccount_login_cancelled",
        lambda c: reverse("socialaccount_login_cancelled"),
        {None: 200, **every(SIGNED_IN, 200)},
    ),
    Row(
        "socialaccount_login_error",
        lambda c: reverse("socialaccount_login_error"),
        {None: 401, **every(SIGNED_IN, 401)},
    ),
    Row("accounts:sso_start", lambda c: reverse("accounts:sso_start"), {None: 200, **every(SIGNED_IN, 200)}),
    page("accounts:identity_providers", lambda c: reverse("accounts:identity_providers"), {**ADMIN_ONLY, "admin": 200}),
    page(
        "accounts:identity_provider_new",
        lambda c: reverse("accounts:identity_provider_new"),
        {**ADMIN_ONLY, "admin": 200},
    ),
    page(
        "accounts:identity_provider",
        lambda c: reverse("accounts:identity_provider", args=[idp(c)]),
        {**ADMIN_ONLY, "admin": 200},
    ),
    page(
        "accounts:identity_provider_enabled",
        lambda c: reverse("accounts:identity_provider_enabled", args=[idp(c)]),
        {**ADMIN_ONLY, "admin": 302},
        method="post",
        data=lambda c: {"enabled": "off", "confirm": "on"},
    ),
]
