"""Single sign-on through an organisation's OpenID Connect provider: who may come in that way (issue 16).

allauth runs the protocol (discovery, the redirect with state and PKCE, the code exchange, the id_token's issuer,
audience and expiry, the userinfo call); this adapter decides whether the person it names may sign in here:

- the provider must be configured here and enabled (a disabled one is unknown to allauth: its sign-in and callback
  addresses answer 404);
- the provider must vouch for the e-mail address (``email_verified``), and its domain must be one this provider is
  configured for: a provider cannot sign in people of another organisation's domain;
- an account with that e-mail must already exist here, for a person (never a machine client) who is active. Single
  sign-on never creates an account and never grants a membership or a role: the account keeps exactly what the
  Programme and the organisation's lead granted it here.

The first sign-in links the provider's subject to the account (an audit event); later sign-ins are checked the same
way, so moving a domain to another provider, disabling one, or deactivating the account takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp, SocialLogin, SocialToken
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import HttpRequest
from django.shortcuts import render

from qualify.accounts.models import IdentityProvider, User
from qualify.accounts.services import email_domain
from qualify.audit.services import audit_record
from qualify.core.actor import actor_for_user
from qualify.core.roles import MACHINE_ROLES

# Public-key signatures only: an id_token "signed" with "none" or with a shared secret is refused.
_SIGNATURE_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
# The backend that restores the session afterwards: it refuses machine clients (accounts.backends).
SESSION_BACKEND = "qualify.accounts.backends.PeopleBackend"


@dataclass(frozen=True)
class SsoDecision:
    """Who the provider's person is here, or why they may not sign in (words for the person)."""

    user: User | None
    reason: str = ""


def sso_decision(*, provider_id: str, emails: list[tuple[str, bool]], linked_user: Any = None) -> SsoDecision:
    """Whether the person a provider vouched for may sign in, and as whom.

    ``emails`` are the addresses the provider returned, each with whether it said it verified them; ``linked_user``
    is the account an earlier sign-in linked the provider's subject to, if any.
    """
    provider = IdentityProvider.objects.filter(slug=provider_id, enabled=True).prefetch_related("domains").first()
    if provider is None:
        return SsoDecision(None, "Single sign-on through this provider is not available. Sign in with your password.")
    verified = [email.strip().lower() for email, ok in emails if ok and email]
    if not verified:
        return SsoDecision(
            None,
            f"{provider.name} did not confirm your e-mail address, so we cannot tell which account is yours. "
            "Sign in with your password, or ask your organisation's IT team.",
        )
    domains = {d.domain for d in provider.domains.all()}
    email = next((e for e in verified if email_domain(e) in domains), None)
    if email is None:
        return SsoDecision(None, f"{provider.name} does not sign in people of {email_domain(verified[0])} here.")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return SsoDecision(
            None,
            f"There is no account for {email} here. Single sign-on does not create accounts: ask your "
            "organisation's qualification lead or the Programme to invite you.",
        )
    if linked_user is not None and linked_user.pk != user.pk:
        return SsoDecision(None, "This sign-in is linked to another account here. Ask the Programme to check it.")
    if user.is_machine or user.staff_role in MACHINE_ROLES:
        return SsoDecision(None, "This account is a machine client: it uses the API with a token and never signs in.")
    if not user.is_active:
        return SsoDecision(None, "This account is switched off. Ask the Programme if you need it again.")
    return SsoDecision(user)


class QualifySocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]  # allauth ships no types
    """allauth's hooks, narrowed to the rules above: configured providers only, existing accounts only."""

    def list_apps(self, request: HttpRequest, provider: Any = None, client_id: Any = None) -> list[SocialApp]:
        """Only the apps of enabled identity providers configured here (no app from settings, no disabled one)."""
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        enabled = set(
            IdentityProvider.objects.filter(enabled=True, app__in=[a.pk for a in apps if a.pk]).values_list(
                "app_id", flat=True
            )
        )
        return [app for app in apps if app.pk in enabled]

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False  # accounts are created by the Programme and by invitations, never by a sign-in

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        linked = sociallogin.user if sociallogin.is_existing else None
        if sociallogin.state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
            # Only signing in: no "connect" from a signed-in session (the link is made by the rules, at sign-in).
            decision = SsoDecision(None, "Single sign-on here is only for signing in.")
        else:
            decision = sso_decision(
                provider_id=sociallogin.account.provider,
                emails=[(a.email, bool(a.verified)) for a in sociallogin.email_addresses],
                linked_user=linked,
            )
        if decision.user is None:
            response = render(request, "accounts/sso_refused.html", {"reason": decision.reason}, status=403)
            raise ImmediateHttpResponse(response)
        user = decision.user
        if linked is None:
            sociallogin.connect(request, user)
            audit_record(
                actor=actor_for_user(user),
                action="accounts.sso.link",
                target=user,
                organisation_id=None,
                changes={"provider": sociallogin.account.provider, "subject": sociallogin.account.uid[:200]},
            )
        sociallogin.user = user
        # What django.contrib.auth.login records for the session (allauth would pick the first backend: axes).
        user.backend = SESSION_BACKEND


class SignatureCheckingOidcAdapter(OpenIDConnectOAuth2Adapter):  # type: ignore[misc]  # allauth ships no types
    """allauth's OpenID Connect adapter, also checking the id_token's signature against the provider's keys.

    allauth trusts an id_token it fetched from the token endpoint itself without checking its signature (OpenID
    Connect Core 3.1.3.7 allows that over TLS) and checks its issuer, audience and expiry. We check the signature as
    well: a sign-in then rests on the provider's published keys, not only on the channel to it.
    """

    def complete_login(self, request: HttpRequest, app: SocialApp, token: SocialToken, **kwargs: Any) -> Any:
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("The provider sent no id_token.")
        try:
            algorithm, key = jwtkit.fetch_key(id_token, self.openid_config["jwks_uri"], jwtkit.lookup_kid_jwk)
            if algorithm not in _SIGNATURE_ALGORITHMS:
                raise OAuth2Error(f"Refused id_token algorithm {algorithm[:20]!r}.")
            jwt.decode(
                id_token,
                key=key,
                algorithms=[algorithm],
                audience=app.client_id,
                issuer=self.openid_config["issuer"],
                leeway=60,  # seconds of clock difference with the provider
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except (jwt.PyJWTError, KeyError) as error:
            raise OAuth2Error("The id_token's signature does not verify.") from error
        return super().complete_login(request, app, token, **kwargs)
