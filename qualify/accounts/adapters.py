"""How django-allauth fits qualify: sign-up closed, security keys bound to the site's host name."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth ships no type information
    """Accounts are made by administrators and onboarding invitations (programme app), never by the public."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


def webauthn_rp_id(request_host: str) -> str:
    """The relying party a security key is bound to: the configured id, else the site address's host, else the host
    this request came to (development, where neither is set, or the site address is an IP address such as
    bin/start's 127.0.0.1, which WebAuthn does not accept as a relying party)."""
    if settings.QUALIFY_WEBAUTHN_RP_ID:
        return str(settings.QUALIFY_WEBAUTHN_RP_ID)
    site_host = urlsplit(settings.QUALIFY_SITE_URL).hostname or ""
    try:
        ipaddress.ip_address(site_host)
    except ValueError:
        if site_host:
            return site_host
    return request_host.partition(":")[0]


class MfaAdapter(DefaultMFAAdapter):  # type: ignore[misc]  # allauth ships no type information
    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        return {"id": webauthn_rp_id(context.request.get_host()), "name": "qualify — MHHS Qualification"}
