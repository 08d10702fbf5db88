"""Personal API tokens, and the site's names for allauth's sign-in, sign-out and password reset."""

from __future__ import annotations

from allauth.account import views as allauth_views
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qualify.accounts.forms import TokenCreateForm
from qualify.accounts.models import ApiToken
from qualify.accounts.reauth import is_post, second_factor_required
from qualify.accounts.services import api_token_create, api_token_get, api_token_revoke
from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.core.web import report_error

# allauth's views, under the names the site's links use (the same views and addresses as allauth's own names).
login = guards.public(allauth_views.login)
logout = guards.public(allauth_views.logout)
password_reset = guards.public(allauth_views.password_reset)


@guards.signed_in
@second_factor_required(when=is_post)  # a new token acts without a second factor: a fresh one to create it
def tokens(request: HttpRequest) -> HttpResponse:
    """A person's API tokens; a new token's secret is shown once, right after it is created."""
    actor = actor_of(request)
    form = TokenCreateForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_token_create(actor=actor, user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        except DomainError as error:
            report_error(request, error)
        else:
            secret = issued.secret
            form = TokenCreateForm()
    listing = ApiToken.objects.filter(user=request.user.pk).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"form": form, "tokens": listing, "secret": secret})


@require_POST
@guards.signed_in
def token_revoke(request: HttpRequest, uuid: str) -> HttpResponse:
    actor = actor_of(request)
    token = api_token_get(actor=actor, uuid=uuid)  # NotFound is the 404 page (ErrorPagesMiddleware)
    try:
        api_token_revoke(actor=actor, token=token)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("accounts:tokens")
