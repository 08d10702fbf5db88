"""Forms of the Programme's pages. They only shape input; the services decide what is allowed and valid."""

from __future__ import annotations

from typing import Any

from django import forms

from qualify.core.roles import MembershipRole
from qualify.participants.choices import MarketRole, Route
from qualify.plan.choices import DeadlineKind
from qualify.plan.models import Wave

DATE = forms.DateInput(attrs={"type": "date"})


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200)
    company_number = forms.CharField(max_length=20, required=False, label="Companies House number")
    contact_email = forms.EmailField(required=False, label="Contact e-mail")


def _distributor_ids(text: str) -> list[str]:
    return [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]


class ParticipationForm(forms.Form):
    mpid = forms.CharField(max_length=4, min_length=4, label="MPID")
    role = forms.ChoiceField(choices=MarketRole.choices)
    route = forms.ChoiceField(choices=Route.choices)
    is_new_entrant = forms.BooleanField(required=False, label="New entrant")
    distributor_ids = forms.CharField(
        max_length=100, required=False, label="Distributor ids (LDSO)", help_text="Two digits each, e.g. 12; 24"
    )

    def distributor_list(self) -> list[str]:
        return _distributor_ids(self.cleaned_data.get("distributor_ids") or "")


class ParticipationEditForm(forms.Form):
    route = forms.ChoiceField(choices=Route.choices)
    is_new_entrant = forms.BooleanField(required=False, label="New entrant")
    distributor_ids = forms.CharField(max_length=100, required=False, label="Distributor ids (LDSO)")

    def distributor_list(self) -> list[str]:
        return _distributor_ids(self.cleaned_data.get("distributor_ids") or "")


class CaseOpenForm(forms.Form):
    participation = forms.UUIDField(widget=forms.HiddenInput)
    wave = forms.ModelChoiceField(
        queryset=Wave.objects.order_by("sequence", "code"), to_field_name="code", required=False
    )
    target_migration_date = forms.DateField(required=False, widget=DATE)


class InvitationForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Name")
    email = forms.EmailField(max_length=254, label="E-mail")
    role = forms.ChoiceField(choices=MembershipRole.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=MembershipRole.choices)


class AcceptForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Your name")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            raise forms.ValidationError("The two passwords differ.")
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV or Excel file")


class ApplyForm(forms.Form):
    content = forms.CharField(widget=forms.HiddenInput, max_length=4 * 1024 * 1024)
    confirm = forms.BooleanField(label="I have checked the preview: create and change what it lists")


class WaveForm(forms.Form):
    code = forms.CharField(max_length=16, help_text="e.g. W3")
    name = forms.CharField(max_length=200)
    description = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sequence = forms.IntegerField(min_value=0, max_value=32767, initial=0, label="Order")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in DeadlineKind:
            self.fields[f"deadline_{kind.value}"] = forms.DateField(required=False, label=kind.label, widget=DATE)

    def deadlines(self) -> dict[str, Any]:
        return {kind.value: self.cleaned_data.get(f"deadline_{kind.value}") for kind in DeadlineKind}

    def deadline_fields(self) -> list[Any]:
        return [self[f"deadline_{kind.value}"] for kind in DeadlineKind]


class MoveForm(forms.Form):
    cases = forms.CharField(required=False)  # read with getlist; the service checks each
    wave = forms.ModelChoiceField(queryset=Wave.objects.order_by("sequence", "code"), to_field_name="code")
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
