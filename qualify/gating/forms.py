"""The bulk gating upload form."""

from __future__ import annotations

from django import forms


class JobUploadForm(forms.Form):
    file = forms.FileField(
        label="Events file (CSV or Parquet)",
        help_text="Columns ref,kind,mpan,date,segment,supplier,mem,data_service,settlement.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.parquet,.pq"}),
    )
