from __future__ import annotations

from typing import Any

from django import forms

from qualify.accounts.models import TokenScope
from qualify.accounts.services import TOKEN_DEFAULT_EXPIRY_DAYS, TOKEN_EXPIRY_DAYS

NEVER = "never"


SCOPE_HELP = {
    TokenScope.READ: "Read only: it can read what you can, and change nothing.",
    TokenScope.REGISTER_GATING: "Register and gating only: the register, gating decisions and jobs, your webhooks "
    "and the published library; nothing else.",
    TokenScope.FULL: "Full access: everything you can do.",
}


def _days(days: int) -> str:
    return "1 year" if days == 365 else f"{days} days"


class TokenCreateForm(forms.Form):
    """A new token: its name, what it may be used for and how long it lasts (``never`` only where allowed)."""

    name = forms.CharField(max_length=100, label="Token name", help_text="e.g. 'registration system (test)'")
    scope = forms.ChoiceField(
        label="What it may do",
        choices=[(value, SCOPE_HELP[TokenScope(value)]) for value in TokenScope.values],
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
    )
    expires = forms.ChoiceField(label="Expires after", initial=str(TOKEN_DEFAULT_EXPIRY_DAYS))

    def __init__(self, *args: object, may_never_expire: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [(str(days), _days(days)) for days in TOKEN_EXPIRY_DAYS]
        if may_never_expire:
            choices.append((NEVER, "Never"))
        self.fields["expires"].choices = choices  # type: ignore[attr-defined]

    def expiry_days(self) -> int | None:
        value = self.cleaned_data["expires"]
        return None if value == NEVER else int(value)


class SsoStartForm(forms.Form):
    email = forms.EmailField(
        label="Your work e-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class IdentityProviderForm(forms.Form):
    name = forms.CharField(max_length=40, help_text="People see “Sign in with …” this name.")
    domains = forms.CharField(
        label="E-mail domains",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="One a line (or separated by commas), like northwind-energy.co.uk.",
    )
    server_url = forms.CharField(
        label="Issuer address", max_length=500, help_text="The provider's issuer, like https://login.example.com."
    )
    client_id = forms.CharField(label="Client id", max_length=191)
    client_secret = forms.CharField(
        label="Client secret",
        max_length=191,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored for the sign-in and never shown again.",
    )

    def domain_list(self) -> list[str]:
        return str(self.cleaned_data["domains"]).replace(",", "\n").splitlines()

    def settings(self) -> dict[str, Any]:
        """The provider's settings as the create and update services take them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "domains": self.domain_list(),
            "server_url": data["server_url"],
            "client_id": data["client_id"],
            "client_secret": data["client_secret"],
        }
