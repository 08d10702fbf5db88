"""Sign-in, sign-out, password reset (Django's views, guarded and templated here) and personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from qualify.accounts.forms import EmailAuthenticationForm, TokenCreateForm
from qualify.accounts.models import ApiToken
from qualify.accounts.services import api_token_create, api_token_get, api_token_revoke
from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.core.web import ask_first, report_error

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
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": listing, "secret": secret, "revoke_confirm": TOKEN_REVOKE_CONFIRM},
    )


# What revoking says before it is done (not a secret: ruff's S105 reads "TOKEN" in the name as one).
TOKEN_REVOKE_CONFIRM = "Every system using this token loses access at once; a revoked token cannot be restored."  # noqa: S105


@require_POST
@guards.signed_in
def token_revoke(request: HttpRequest, uuid: str) -> HttpResponse:
    actor = actor_of(request)
    token = api_token_get(actor=actor, uuid=uuid)  # NotFound is the 404 page (ErrorPagesMiddleware)
    asking = ask_first(
        request,
        action=f"Revoke the token “{token.name}”",
        consequence=TOKEN_REVOKE_CONFIRM,
        back_url=reverse("accounts:tokens"),
        destructive=True,
    )
    if asking is not None:
        return asking
    try:
        api_token_revoke(actor=actor, token=token)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("accounts:tokens")
