"""Single sign-on's pages in the permission matrix (collected by tests/test_permission_matrix.py).

Anyone may start a sign-in with their organisation's provider; configuring providers is the programme
administrator's alone (everyone else 403). ``prepare`` configures one provider for the rows that name it.
"""

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
