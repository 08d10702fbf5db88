from __future__ import annotations

from django import forms

from qualify.plan.models import Wave


class TransitionForm(forms.Form):
    name = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    effective_date = forms.DateField(
        label="Effective from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    confirm = forms.BooleanField(required=False)


class WaveAssignForm(forms.Form):
    wave = forms.ModelChoiceField(queryset=Wave.objects.order_by("sequence"), to_field_name="code")
    reason = forms.CharField(required=False, max_length=2000)
