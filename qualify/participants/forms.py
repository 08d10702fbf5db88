"""Forms of the participant pages. They only shape input; the services decide what is allowed and valid."""

from __future__ import annotations

from django import forms

from qualify.participants.choices import ExemptionKind

DATE = forms.DateInput(attrs={"type": "date"})


class ExemptionDecisionForm(forms.Form):
    """The BSC PAB's exemption decision, recorded by one of its members."""

    participation = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=ExemptionKind.choices)
    decided_on = forms.DateField(label="Date of the BSC PAB's decision", widget=DATE)
    scope = forms.CharField(label="Scope", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    reference = forms.CharField(label="Decision reference", max_length=100, required=False)


class DerogationForm(forms.Form):
    """The matching REC derogation, recorded by a REC decision-maker."""

    participation = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=ExemptionKind.choices, widget=forms.HiddenInput)
    derogation_on = forms.DateField(label="Date of the REC derogation", widget=DATE)
    scope = forms.CharField(label="Scope", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    reference = forms.CharField(label="Derogation reference", max_length=100, required=False)
