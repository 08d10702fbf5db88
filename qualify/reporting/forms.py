from __future__ import annotations

import datetime as dt

from django import forms


class ReportForm(forms.Form):
    """The report's period; by default the fortnight that ended yesterday."""

    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    @classmethod
    def for_today(cls, today: dt.date) -> ReportForm:
        end = today - dt.timedelta(days=1)
        return cls(initial={"start": end - dt.timedelta(days=13), "end": end})
