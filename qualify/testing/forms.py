"""Forms for the test catalogue pages."""

from __future__ import annotations

from django import forms

from qualify.testing.choices import ImportKind


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
