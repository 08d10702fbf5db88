"""Forms of the assessment pages. They only shape input; the services decide what is allowed and what is valid."""

from __future__ import annotations

from typing import Any

from django import forms

from qualify.assessment.choices import ActivationItem, DecisionOutcome, Outcome, Recommendation, Severity
from qualify.qad.choices import Body

DATE = forms.DateInput(attrs={"type": "date"})
LONG_TEXT = 20000


def _text(label: str, rows: int = 3, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": rows})
    )


class OutcomeForm(forms.Form):
    question_id = forms.CharField(max_length=40)
    outcome = forms.ChoiceField(choices=Outcome.choices)
    comment = _text("Comment (kept inside the Code Bodies)", rows=2, required=False)


class QueryRaiseForm(forms.Form):
    question_id = forms.CharField(max_length=40)
    text = _text("Query")
    response_due = forms.DateField(label="Response due", required=False, widget=DATE)
    internal_note = _text("Internal note (never shown to the participant)", rows=2, required=False)


class QueryAnswerForm(forms.Form):
    text = _text("Answer", rows=4)
    evidence = forms.ChoiceField(label="Evidence already in the QAD", required=False)
    file = forms.FileField(label="Or upload a new file", required=False)

    def __init__(self, *args: Any, evidence_choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["evidence"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "None"), *(evidence_choices or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("evidence") and data.get("file"):
            raise forms.ValidationError("Pick an existing file or upload a new one, not both.")
        return data


class FollowUpForm(forms.Form):
    text = _text("Follow-up")
    response_due = forms.DateField(label="New response-due date", required=False, widget=DATE)


class CloseForm(forms.Form):
    text = _text("Closing note", rows=2)


class FindingForm(forms.Form):
    body = forms.ChoiceField(choices=Body.choices)
    title = forms.CharField(max_length=200)
    description = _text("Description")
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    owner = forms.CharField(label="Owner at the participant", max_length=200)
    due_date = forms.DateField(widget=DATE)
    question_id = forms.CharField(label="Question id (optional)", max_length=40, required=False)
    condition_of_approval = forms.BooleanField(label="A condition of approval", required=False)
    internal_note = _text("Internal note (never shown to the participant)", rows=2, required=False)


class FindingTransitionForm(forms.Form):
    name = forms.CharField(max_length=40)
    comment = _text("Comment", rows=2, required=False)
    work_off_plan = _text("Work-off plan", rows=4, required=False)
    owner = forms.CharField(max_length=200, required=False)
    due_date = forms.DateField(required=False, widget=DATE)


class AssignForm(forms.Form):
    body = forms.ChoiceField(choices=Body.choices)
    reviewer = forms.UUIDField()


class RecommendationForm(forms.Form):
    body = forms.ChoiceField(choices=Body.choices)
    recommendation = forms.ChoiceField(choices=Recommendation.choices)
    rationale = _text("Rationale")
    conditions = _text("Conditions", rows=2, required=False)


class ActivationForm(forms.Form):
    item = forms.ChoiceField(choices=ActivationItem.choices)
    evidence_reference = forms.CharField(max_length=300)
    evidence_note = _text("Note", rows=2, required=False)
    effective_date = forms.DateField(required=False, widget=DATE)
    file = forms.FileField(label="Evidence file (optional)", required=False)


class MeetingForm(forms.Form):
    body = forms.ChoiceField(choices=Body.choices)
    meets_on = forms.DateField(label="Meets on", widget=DATE)
    title = forms.CharField(max_length=200, required=False)
    papers_due_on = forms.DateField(label="Papers due", required=False, widget=DATE)
    notes = _text("Notes", rows=2, required=False)


class AgendaForm(forms.Form):
    case = forms.CharField(label="Case reference", max_length=40)


class DecisionForm(forms.Form):
    case = forms.CharField(max_length=40)
    outcome = forms.ChoiceField(choices=DecisionOutcome.choices)
    minutes = _text("Minutes")
    conditions = _text("Conditions", rows=2, required=False)
    effective_from = forms.DateField(label="Effective from", required=False, widget=DATE)
    reasons = _text("Reasons for a rejection, one a line (each becomes a finding)", rows=3, required=False)
    reasons_due = forms.DateField(label="Work-off plans due", required=False, widget=DATE)


def rejection_reasons(cleaned: dict[str, Any]) -> list[dict[str, Any]]:
    """A decision form's reasons box, each non-empty line one reason: its first 200 characters the title, the whole
    line the description, due when the form says (the service's default otherwise)."""
    due = cleaned.get("reasons_due")
    return [
        {"title": line[:200], "description": line, "due_date": due}
        for line in (raw.strip() for raw in (cleaned.get("reasons") or "").splitlines())
        if line
    ]


def form_problems(form: forms.Form) -> str:
    """A form's errors in one line a person can act on."""
    return "Please check: " + "; ".join(
        f"{field if field != '__all__' else 'form'}: {' '.join(str(e) for e in errs)}"
        for field, errs in form.errors.items()
    )
