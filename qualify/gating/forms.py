"""The bulk gating upload form."""

from __future__ import annotations

from django import forms


class JobUploadForm(forms.Form):
    file = forms.FileField(
        label="Events file (CSV or Parquet)",
        help_text="Nine columns, described under “The events file” below.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.parquet,.pq"}),
    )
