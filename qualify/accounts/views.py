"""Personal API tokens, and the site's names for allauth's sign-in, sign-out and password reset."""

from __future__ import annotations

import requests
from allauth.account import views as allauth_views
from allauth.socialaccount.adapter import get_adapter as social_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from qualify.accounts.forms import IdentityProviderForm, SsoStartForm, TokenCreateForm
from qualify.accounts.models import IdentityProvider, User
from qualify.accounts.reauth import is_post, second_factor_required
from qualify.accounts.selectors import api_token_list, machine_token_list
from qualify.accounts.services import (
    api_token_create,
    api_token_get,
    api_token_revoke,
    identity_provider_create,
    identity_provider_for_email,
    identity_provider_get,
    identity_provider_list,
    identity_provider_set_enabled,
    identity_provider_update,
    token_expiry,
    token_may_never_expire,
)
from qualify.accounts.sso import SignatureCheckingOidcAdapter
from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.core.roles import StaffRole
from qualify.core.web import confirmation_page, confirmed, report_error

# allauth's views, under the names the site's links use (the same views and addresses as allauth's own names).
login = guards.public(allauth_views.login)
logout = guards.public(allauth_views.logout)
password_reset = guards.public(allauth_views.password_reset)


@guards.signed_in
@second_factor_required(when=is_post)  # a new token acts without a second factor: a fresh one to create it
def tokens(request: HttpRequest) -> HttpResponse:
    """A person's API tokens (a programme administrator also sees the machine clients'); a new token's secret is
    shown once, right after it is created."""
    actor = actor_of(request)
    user = request.user
    assert isinstance(user, User)  # guards.signed_in
    may_never_expire = token_may_never_expire(user)
    form = TokenCreateForm(request.POST or None, may_never_expire=may_never_expire)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_token_create(
                actor=actor,
                user=user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=token_expiry(form.expiry_days()),
            )
        except DomainError as error:
            report_error(request, error)
        else:
            secret = issued.secret
            form = TokenCreateForm(may_never_expire=may_never_expire)
    context = {
        "form": form,
        "tokens": api_token_list(actor=actor, user=user),
        "machine_tokens": machine_token_list(actor=actor),
        "secret": secret,
        "may_never_expire": may_never_expire,
    }
    return render(request, "accounts/tokens.html", context)


@require_POST
@guards.signed_in
def token_revoke(request: HttpRequest, uuid: str) -> HttpResponse:
    """Revoke a token, once the person confirms (a revoked token cannot be used again)."""
    actor = actor_of(request)
    token = api_token_get(actor=actor, uuid=uuid)  # NotFound is the 404 page (ErrorPagesMiddleware)
    if not confirmed(request):
        return confirmation_page(
            request,
            action=f"Revoke token “{token.name}”",
            consequence="Anything that uses this token will be refused from now on; a revoked token cannot be used "
            "again. Create a new token to replace it.",
            back_url=reverse("accounts:tokens"),
            destructive=True,
        )
    try:
        api_token_revoke(actor=actor, token=token)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("accounts:tokens")


# --- Single sign-on (issue 16) -----------------------------------------------------------------------------------

admin_only = guards.staff(StaffRole.PROGRAMME_ADMIN)


@guards.public
def sso_start(request: HttpRequest) -> HttpResponse:
    """Sign in with your organisation's account: the e-mail's domain picks the identity provider, and allauth sends
    the person there (with the address as a hint). A domain without one is sent back to the password form."""
    form = SsoStartForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        configured = identity_provider_for_email(email)
        if configured is None:
            messages.info(request, "Your organisation does not use single sign-on here: sign in with your password.")
            login_url = reverse("accounts:login")
            return redirect(f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url)
        provider = social_adapter(request).get_provider(request, configured.slug)
        try:
            response = provider.redirect(
                request,
                "login",
                next_url=next_url or None,
                auth_params={**provider.get_auth_params(), "login_hint": email},
            )
        except requests.RequestException:
            form.add_error(None, f"{configured.name} is not answering just now. Try again, or use your password.")
        else:
            if response.status_code != 302:
                return response  # type: ignore[no-any-return]  # allauth's error page
            # Not a redirect: the Content-Security-Policy's form-action 'self' also covers where a form's answer
            # redirects to, so the browser would refuse to follow it to the provider. A page that moves on by itself
            # (and with a link) is a navigation, which the policy leaves alone.
            context = {"provider": configured, "authorize_url": response["Location"]}
            return render(request, "accounts/sso_redirect.html", context)
    return render(
        request, "accounts/sso_start.html", {"form": form, "next": next_url}, status=400 if form.errors else 200
    )


@guards.public
def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Where the provider sends the person back: allauth's callback (state, PKCE, code exchange, userinfo), with the
    id_token's signature checked too (``sso.SignatureCheckingOidcAdapter``); ``sso`` then decides who comes in."""
    try:
        view = OAuth2CallbackView.adapter_view(SignatureCheckingOidcAdapter(request, provider_id))
        return view(request)  # type: ignore[no-any-return]
    except SocialApp.DoesNotExist as missing:
        raise Http404("No such identity provider.") from missing


def _redirect_uri(request: HttpRequest, provider: IdentityProvider) -> str:
    """The address to register with the provider: allauth's callback for this provider."""
    return request.build_absolute_uri(reverse("openid_connect_callback", kwargs={"provider_id": provider.slug}))


@admin_only
def identity_providers(request: HttpRequest) -> HttpResponse:
    """The organisations' identity providers and the e-mail domains each signs in."""
    listing = identity_provider_list(actor=actor_of(request))
    return render(request, "accounts/identity_providers.html", {"providers": listing})


@admin_only
def identity_provider_new(request: HttpRequest) -> HttpResponse:
    form = IdentityProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = identity_provider_create(actor=actor_of(request), **form.settings())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{provider.name} is set up. Give the provider the redirect address below.")
            return redirect("accounts:identity_provider", uuid=provider.uuid)
    return render(request, "accounts/identity_provider_form.html", {"form": form}, status=400 if form.errors else 200)


@admin_only
def identity_provider(request: HttpRequest, uuid: str) -> HttpResponse:
    """One provider: its redirect address for the provider's side, and its settings (the secret never shown)."""
    actor = actor_of(request)
    provider = identity_provider_get(actor=actor, uuid=uuid)
    initial = {
        "name": provider.name,
        "domains": "\n".join(d.domain for d in provider.domains.all()),
        "server_url": provider.server_url,
        "client_id": provider.app.client_id,
    }
    form = IdentityProviderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            identity_provider_update(actor=actor, provider=provider, **form.settings())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{form.cleaned_data['name']} is saved.")
            return redirect("accounts:identity_provider", uuid=provider.uuid)
    context = {"provider": provider, "form": form, "redirect_uri": _redirect_uri(request, provider)}
    return render(request, "accounts/identity_provider.html", context, status=400 if form.errors else 200)


@require_POST
@admin_only
def identity_provider_enabled(request: HttpRequest, uuid: str) -> HttpResponse:
    """Switch a provider off (asks first: its people must use passwords meanwhile) or back on."""
    actor = actor_of(request)
    provider = identity_provider_get(actor=actor, uuid=uuid)
    enable = request.POST.get("enabled") == "on"
    back = reverse("accounts:identity_provider", kwargs={"uuid": provider.uuid})
    if not enable and not confirmed(request):
        return confirmation_page(
            request,
            action=f"Switch off single sign-on through {provider.name}",
            consequence="Its people can no longer sign in through it; they sign in with a password here until it is "
            "switched back on.",
            back_url=back,
            destructive=True,
        )
    try:
        identity_provider_set_enabled(actor=actor, provider=provider, enabled=enable)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Single sign-on through {provider.name} is {'on' if enable else 'off'}.")
    return redirect(back)
