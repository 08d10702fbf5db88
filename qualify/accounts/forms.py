from __future__ import annotations

from django import forms


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, label="Token name", help_text="e.g. 'registration system (test)'")


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
