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


class DeclarationForm(forms.Form):
    capacity = forms.ChoiceField(choices=DeclarationCapacity.choices, initial=DeclarationCapacity.DIRECTOR)
    name = forms.CharField(label="Full name", max_length=200)
    position = forms.CharField(label="Position", max_length=200)
    email = forms.EmailField(label="E-mail")
    statement = forms.CharField(
        label="Statement",
        widget=forms.Textarea(attrs={"rows": 4}),
        initial=(
            "I declare that, to the best of my knowledge, the answers and evidence in this Final QAD are complete "
            "and accurate, and that the organisation meets the requirements it describes."
        ),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel file (.xlsx) in the exported layout")
