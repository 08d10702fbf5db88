"""Forms of the library pages. They only shape input; services decide what is allowed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from qualify.library.choices import CommentCategory, CommentOutcome, GovernanceDecision, GoverningBody, VersionStatus
from qualify.library.models import ArtefactVersion, document_number_validator
from qualify.library.timeutil import DEFAULT_CLOSING_TIME, uk_datetime

# An HTML date input only accepts ISO dates: with the en-GB format a pre-filled date would show as empty.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommentForm(forms.Form):
    version = forms.TypedChoiceField(label="Document", coerce=str)
    clause_reference = forms.CharField(label="Section or clause", max_length=80)
    text = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)
    proposed_change = forms.CharField(
        label="Proposed change", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
    )
    category = forms.ChoiceField(choices=CommentCategory.choices)
    publish_with_name = forms.BooleanField(
        label="We are content for this comment to be published with our name", required=False
    )

    def __init__(self, *args: Any, versions: list[ArtefactVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(v.uuid), f"{v.artefact.short_name} v{v.version}") for v in versions]


class AnswerForm(forms.Form):
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)
    outcome = forms.ChoiceField(label="Status", choices=CommentOutcome.choices)
    resulting_change = forms.CharField(
        label="Resulting change", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=20000
    )


class ApprovalForm(forms.Form):
    body = forms.ChoiceField(choices=GoverningBody.choices)
    decision = forms.ChoiceField(choices=GovernanceDecision.choices)
    decided_on = forms.DateField(label="Date of decision", widget=DATE)
    minutes_reference = forms.CharField(max_length=120)


DOCUMENT_NUMBER_HELP = "MHHS-DEL followed by four digits, or an older DEL1234 or DEL-123, exactly as published."


class QwgReportForm(forms.Form):
    """The outcome of a consultation reported to QWG; recording it publishes the consolidated comments log."""

    reported_on = forms.DateField(label="Date of the QWG meeting", widget=DATE)
    minutes_reference = forms.CharField(label="Minutes reference", max_length=120)
    log_document_number = forms.CharField(
        label="Document number of the comments log",
        max_length=16,
        validators=[document_number_validator],
        help_text=DOCUMENT_NUMBER_HELP,
    )


class ArtefactForm(forms.Form):
    document_number = forms.CharField(
        max_length=16, validators=[document_number_validator], help_text=DOCUMENT_NUMBER_HELP
    )
    short_name = forms.CharField(max_length=80)
    title = forms.CharField(max_length=300, required=False)
    subtype = forms.CharField(max_length=80, required=False)
    theme = forms.CharField(max_length=80)
    required_bodies = forms.MultipleChoiceField(
        choices=GoverningBody.choices,
        initial=GoverningBody.values,
        widget=forms.CheckboxSelectMultiple,
        label="Approval needed from",
    )


class VersionForm(forms.Form):
    version = forms.CharField(max_length=8, help_text="e.g. 0.2, 3.0 or 3.01")
    release_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    clean_file = forms.FileField(label="Clean copy (PDF, .docx or .xlsx)", required=False)
    redline_file = forms.FileField(label="Red-lined copy", required=False)


class ConsultationForm(forms.Form):
    """Dates and times are UK local time; the closing time defaults to 17:00."""

    title = forms.CharField(max_length=200)
    versions = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Versions to consult on")
    opens_on = forms.DateField(widget=DATE)
    opens_time = forms.TimeField(initial=dt.time(9, 0), widget=forms.TimeInput(attrs={"type": "time"}))
    closes_on = forms.DateField(widget=DATE)
    closes_time = forms.TimeField(
        required=False, initial=DEFAULT_CLOSING_TIME, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, *args: Any, versions: list[ArtefactVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["versions"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (str(v.uuid), f"{v.artefact.document_number} {v.artefact.short_name} v{v.version}")
            for v in versions
            if v.status in (VersionStatus.DRAFT, VersionStatus.IN_CONSULTATION)
        ]

    def window(self) -> tuple[dt.datetime, dt.datetime]:
        data = self.cleaned_data
        return (
            uk_datetime(data["opens_on"], data["opens_time"]),
            uk_datetime(data["closes_on"], data.get("closes_time") or DEFAULT_CLOSING_TIME),
        )
