"""Forms of the non-completion pages: deciding a step, and the participant's remediation plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

MILESTONE_ROWS = 5


class DecideForm(forms.Form):
    outcome = forms.CharField(max_length=32)
    step = forms.CharField(max_length=32)
    comment = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sanction = forms.CharField(max_length=32, required=False)
    effective_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    confirm = forms.BooleanField(required=False)


class RespondForm(forms.Form):
    """A remediation plan: what the participant will do, who owns it, and up to five dated milestones."""

    step = forms.CharField(max_length=32, widget=forms.HiddenInput)
    outcome = forms.CharField(max_length=32, widget=forms.HiddenInput)
    summary = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), label="What you will do")
    owner = forms.CharField(max_length=200, label="Owner of the plan")
    comment = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(MILESTONE_ROWS):
            self.fields[f"m{i}_title"] = forms.CharField(max_length=200, required=i == 0, label=f"Milestone {i + 1}")
            self.fields[f"m{i}_owner"] = forms.CharField(max_length=200, required=False, label="Owner")
            self.fields[f"m{i}_due"] = forms.DateField(
                required=i == 0, label="Due", widget=forms.DateInput(attrs={"type": "date"})
            )

    def milestone_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"m{i}_title"], self[f"m{i}_owner"], self[f"m{i}_due"]) for i in range(MILESTONE_ROWS)]

    def milestones(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for i in range(MILESTONE_ROWS):
            title = self.cleaned_data.get(f"m{i}_title") or ""
            due: dt.date | None = self.cleaned_data.get(f"m{i}_due")
            if title or due:
                rows.append({"title": title, "owner": self.cleaned_data.get(f"m{i}_owner") or "", "due": due})
        return rows
