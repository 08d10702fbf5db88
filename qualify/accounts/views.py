"""Sign-in, sign-out, password reset (Django's views, guarded and templated here) and personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from qualify.accounts.forms import EmailAuthenticationForm, TokenCreateForm
from qualify.accounts.models import User
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

login = guards.public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=EmailAuthenticationForm,
        redirect_authenticated_user=True,
    )
)
logout = guards.public(auth_views.LogoutView.as_view())
password_reset = guards.public(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = guards.public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = guards.public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = guards.public(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)


@guards.signed_in
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
