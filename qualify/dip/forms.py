"""Forms of DIP message validation (the files themselves are read from ``request.FILES``)."""

from __future__ import annotations

from typing import Any

from django import forms

PROGRAMME = "programme"


class OrganisationChoiceForm(forms.Form):
    """Which organisation (or the programme) the upload or run is for, among those the person acts for."""

    organisation = forms.ChoiceField(label="For")

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = organisations
        if len(organisations) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = organisations[0][0]


class SpecificationUploadForm(OrganisationChoiceForm):
    file = forms.FileField(label="OpenAPI document (YAML or JSON)")


class RunForm(OrganisationChoiceForm):
    schema = forms.ChoiceField(label="Schema", required=False)

    def __init__(self, *args: Any, schemas: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["schema"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = [("", "Detect for each message"), *((s, s) for s in schemas)]


class AttachQadForm(forms.Form):
    case = forms.CharField(max_length=20)
    question = forms.CharField(max_length=40, label="QAD question id")


class AttachTestRunForm(forms.Form):
    execution = forms.UUIDField(label="Test run")
