"""Forms for the QAD pages (the answer forms are built from the questions themselves, see views.parse_answer)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from qualify.qad.choices import DeclarationCapacity


class VersionUploadForm(forms.Form):
    file = forms.FileField(label="QAD version file (YAML or JSON)")
    publish = forms.BooleanField(label="Publish at once if the file is valid", required=False)


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(label="File")
    evidence_as_of = forms.DateField(
        label="Evidence as of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The date the evidence speaks for (e.g. the report's date).",
    )
    questions = forms.MultipleChoiceField(label="Attach to", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: object, question_choices: list[tuple[str, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["questions"].choices = question_choices or []  # type: ignore[attr-defined]
        self.fields["evidence_as_of"].initial = timezone.localdate()


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Director's e-mail address", max_length=254)
    name = forms.CharField(label="Director's name (optional)", max_length=200, required=False)
    capacity = forms.ChoiceField(label="Declares as", choices=DeclarationCapacity.choices)


class NewAccountForm(forms.Form):
    full_name = forms.CharField(label="Your full name", max_length=200)
    password = forms.CharField(
        label="Choose a password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), max_length=200
    )
    password_again = forms.CharField(
        label="The password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), max_length=200
    )

    def clean(self) -> dict[str, object]:
        cleaned: dict[str, object] = super().clean() or {}
        if cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return cleaned


class DeclareForm(forms.Form):
    position = forms.CharField(label="Your position in the organisation", max_length=200)
    confirm = forms.BooleanField(
        label="I have read this Final QAD snapshot, and I am making this declaration myself", required=True
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel file (.xlsx) in the exported layout")
