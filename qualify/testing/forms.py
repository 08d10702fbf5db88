"""Forms for the test catalogue pages."""

from __future__ import annotations

from django import forms


class CatalogueUploadForm(forms.Form):
    file = forms.FileField(label="Test catalogue file (YAML, JSON or Excel)")
    publish = forms.BooleanField(
        label="Publish at once if the file is valid and its library version is baselined", required=False
    )


class PublishForm(forms.Form):
    confirm = forms.BooleanField(label="I understand that a published catalogue can never be changed", required=True)
