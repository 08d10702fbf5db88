from __future__ import annotations

from django import forms

from qualify.accounts.models import TokenScope
from qualify.accounts.services import TOKEN_DEFAULT_EXPIRY_DAYS, TOKEN_EXPIRY_DAYS

NEVER = "never"


SCOPE_HELP = {
    TokenScope.READ: "Read only: it can read what you can, and change nothing.",
    TokenScope.REGISTER_GATING: "Register and gating only: the register, gating decisions and jobs, and the "
    "published library; nothing else.",
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
