"""Forms for the test catalogue pages."""

from __future__ import annotations

from typing import Any

from django import forms

from qualify.plan.models import Wave
from qualify.testing.choices import ImportKind, RelianceOutcome, ReliedOnKind


class CatalogueUploadForm(forms.Form):
    file = forms.FileField(label="Test catalogue file (YAML, JSON or Excel)")
    publish = forms.BooleanField(
        label="Publish at once if the file is valid and its library version is baselined", required=False
    )


class PublishForm(forms.Form):
    confirm = forms.BooleanField(label="I understand that a published catalogue can never be changed", required=True)


class ResultsUploadForm(forms.Form):
    file = forms.FileField(label="Results file (JUnit XML, or the CSV export of an Azure DevOps test run)")
    kind = forms.ChoiceField(
        label="Kind of file", choices=[("", "Tell from the content"), *ImportKind.choices], required=False
    )


class ApplyImportForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have checked the preview: record these runs on the case (they cannot be taken back)", required=True
    )


# --- pre-qualification, Placing Reliance and scoping ------------------------------------------------------------


class PrequalificationForm(forms.Form):
    """The pre-qualification form (DOMAIN.md §10a); every answer may stay empty while it is a draft."""

    preferred_wave = forms.ModelChoiceField(
        queryset=Wave.objects.order_by("sequence", "code"), to_field_name="code", required=False
    )
    pit_approach = forms.CharField(
        label="PIT approach", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    pit_start = forms.DateField(label="PIT start", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    pit_completion = forms.DateField(
        label="PIT completion", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    qt_ready = forms.DateField(label="Ready for QT", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    target_migration_date = forms.DateField(
        label="Target migration date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    intended_operation_date = forms.DateField(
        label="Intended operation date (LDSOs)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    optional_functions_not_sought = forms.MultipleChoiceField(
        label="Optional functions not sought", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, functions: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["optional_functions_not_sought"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = functions or []


def _lines(text: str) -> list[str]:
    return [part.strip() for line in text.splitlines() for part in line.split(",") if part.strip()]


class ProposalForm(forms.Form):
    relied_on_name = forms.CharField(label="Party relied on", max_length=200)
    relied_on_mpid = forms.CharField(label="Its MPID (if it has one)", max_length=4, required=False)
    relied_on_kind = forms.ChoiceField(label="Kind of party", choices=ReliedOnKind.choices)
    covers = forms.CharField(
        label="Covers (test case ids or requirement references, one a line or comma-separated)",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def covers_list(self) -> list[str]:
        return _lines(self.cleaned_data["covers"])


class ProposalEvidenceForm(forms.Form):
    file = forms.FileField()
    evidence_as_of = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class ProposalDecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=RelianceOutcome.choices)
    accepted_covers = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    reasons = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, covers: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["accepted_covers"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(c, c) for c in covers or []]


class ConfirmedReasonForm(forms.Form):
    """A step with a reason and, where it cannot be undone, a confirmation tick."""

    reason = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(required=False)
