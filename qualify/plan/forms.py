from __future__ import annotations

from django import forms


class MilestoneMoveForm(forms.Form):
    new_date = forms.DateField(label="New date", widget=forms.DateInput(attrs={"type": "date"}))
    change_request = forms.CharField(label="Change request", max_length=40, help_text="e.g. CR055")
    approved_on = forms.DateField(label="Approved on", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}))
