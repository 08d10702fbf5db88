"""Personal API tokens, and the site's names for allauth's sign-in, sign-out and password reset."""

from __future__ import annotations

from allauth.account import views as allauth_views
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qualify.accounts.forms import TokenCreateForm
from qualify.accounts.models import User
from qualify.accounts.reauth import is_post, second_factor_required
from qualify.accounts.selectors import api_token_list, machine_token_list
from qualify.accounts.services import (
    api_token_create,
    api_token_get,
    api_token_revoke,
    token_expiry,
    token_may_never_expire,
)
from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
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
