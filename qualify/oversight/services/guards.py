"""Preconditions the oversight app adds to the case's own steps."""

from __future__ import annotations

from typing import Any

from qualify.oversight.choices import RecordState
from qualify.oversight.models import NonCompletionRecord


def no_open_record(case: Any, data: Any) -> str | None:
    """A case in non-completion resumes when its record is resolved, not by hand while the record runs."""
    found = NonCompletionRecord.objects.filter(case=case, state=RecordState.OPEN).values_list("reference", flat=True)
    reference = found.first()
    if reference is not None:
        return f"Non-completion record {reference} is still open: the case resumes when it is resolved."
    return None
