"""Forms for recording runs and defects and for assurance (qt-runs); every text is bounded here and in the services."""

from __future__ import annotations

from django import forms

from qualify.assessment.choices import Severity
from qualify.testing.choices import ExecutionStatus


class RunForm(forms.Form):
    status = forms.ChoiceField(choices=ExecutionStatus.choices)
    run_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tester = forms.CharField(required=False, max_length=200)
    comment = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    not_applicable_reason = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class AssureForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("send_back", "Send back")])
    comment = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class BulkAssureForm(forms.Form):
    comment = forms.CharField(required=False, max_length=4000)
    confirm = forms.BooleanField(required=True)


class DefectForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    owner = forms.CharField(max_length=200)
    raised_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    target_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    test_case_id = forms.CharField(required=False, max_length=8)
    run = forms.UUIDField(required=False)


class DefectStepForm(forms.Form):
    name = forms.CharField(max_length=40)
    comment = forms.CharField(required=False, max_length=4000)
    confirm = forms.BooleanField(required=False)


WORK_OFF_ACTIONS = [
    ("raise", "Record the finding"),
    ("propose", "Propose"),
    ("agree", "Agree"),
    ("reject", "Send back"),
]


class WorkOffForm(forms.Form):
    action = forms.ChoiceField(choices=WORK_OFF_ACTIONS)
    body = forms.ChoiceField(choices=[("", "My own body"), ("BSC", "BSC"), ("REC", "REC"), ("DIP", "DIP Manager")],
                             required=False)  # fmt: skip
    work_off_plan = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.CharField(required=False, max_length=200)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    comment = forms.CharField(required=False, max_length=4000)
