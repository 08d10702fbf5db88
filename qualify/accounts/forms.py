from __future__ import annotations

from django import forms


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, label="Token name", help_text="e.g. 'registration system (test)'")
