from __future__ import annotations

from django import forms

from qualify.webhooks.choices import EventKind


class SubscriptionForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name", help_text="What it is for, e.g. “Our CRM”.")
    url = forms.CharField(max_length=500, label="Endpoint", help_text="An https:// address that accepts POST.")
    events = forms.MultipleChoiceField(
        choices=EventKind.choices, widget=forms.CheckboxSelectMultiple, label="Tell it when…"
    )
