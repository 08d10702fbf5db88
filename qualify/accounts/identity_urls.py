"""django-allauth's pages (sign-in, second factors, sessions, single sign-on), each given the guard the site's URL
test asks for.

allauth's views guard themselves: the sign-in, password-reset and sign-up-closed pages are open to anyone, and every
page about one's own account (second factors, sessions, password change, re-authentication) sends an anonymous
visitor to sign in (allauth's ``login_required``). That is recorded here as the guard ``allauth`` rather than wrapped
a second time, and the permission matrix (``qualify/accounts/tests/matrix.py``) proves it for each page we expose.

Pages qualify does not use answer 404: e-mail address management and e-mail confirmation (an account's address is
the one its administrator entered, and sign-in is by that address), the passkey sign-up, and single sign-on's
connections and sign-up pages (accounts.sso links accounts itself and never signs anyone up), with the old
addresses that only redirect to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from django.urls import URLPattern, URLResolver

UNUSED = frozenset(
    {
        "account_email",
        "account_email_verification_sent",
        "account_confirm_email",
        "account_signup_by_passkey",
        "mfa_signup_webauthn",
        # Single sign-on links an account only at sign-in, by its rules (accounts/sso.py), and never signs anyone up:
        # no page to connect or disconnect providers by hand, no social sign-up form.
        "socialaccount_connections",
        "socialaccount_signup",
    }
)


def _redirect_target(pattern: URLPattern) -> str | None:
    """The page an allauth address only redirects to (its old ``social/…`` addresses), or None."""
    return getattr(pattern.callback, "view_initkwargs", {}).get("pattern_name")


def guarded(patterns: Iterable[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The patterns without the unused pages, every view marked with the guard ``allauth``."""
    kept: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = guarded(pattern.url_patterns)
            kept.append(
                URLResolver(pattern.pattern, inner, pattern.default_kwargs, pattern.app_name, pattern.namespace)
            )
        elif pattern.name not in UNUSED and _redirect_target(pattern) not in UNUSED:
            pattern.callback.qualify_guard = "allauth"  # type: ignore[attr-defined]
            kept.append(pattern)
    return kept


urlpatterns = guarded(import_module("allauth.urls").urlpatterns)
