"""Forms for disclosing a change, a body's assessment, and withdrawing (the services check everything again)."""

from __future__ import annotations

from django import forms

from qualify.changes.choices import MAX_DESCRIPTION, MAX_REASON, ChangeKind


class DiscloseForm(forms.Form):
    kind = forms.ChoiceField(label="What changes", choices=ChangeKind.choices)
    effective_on = forms.DateField(label="Takes effect on", widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        label="What changes, and why", max_length=MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 4})
    )


def _items(text: str) -> list[str]:
    """Section numbers or test case ids typed as a list (commas, spaces or lines)."""
    return [part for part in text.replace(",", " ").split() if part]


class AssessForm(forms.Form):
    body = forms.CharField(widget=forms.HiddenInput, max_length=8)
    requalification_needed = forms.TypedChoiceField(
        label="Does the change need re-qualification?",
        choices=[("no", "No: the qualification stands as it is"), ("yes", "Yes: re-qualify what is named below")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Reason", max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3}))
    sections = forms.CharField(
        label="QAD sections to submit again (your body's, e.g. 4.5)", required=False, max_length=2000
    )
    test_cases = forms.CharField(label="Test cases to run again (e.g. QT-093)", required=False, max_length=2000)

    def section_list(self) -> list[str]:
        return _items(self.cleaned_data.get("sections", ""))

    def test_case_list(self) -> list[str]:
        return _items(self.cleaned_data.get("test_cases", ""))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why you withdraw it", max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )
