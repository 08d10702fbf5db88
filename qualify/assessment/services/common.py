"""What the assessment services share: locking a case, numbering references, naming the body."""

from __future__ import annotations

import uuid as uuid_mod
from typing import Any, TypeVar

from django.urls import reverse

from qualify.assessment.models import (
    BoardDecision,
    Finding,
    Query,
)
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.core.errors import ValidationFailed
from qualify.qad.choices import Body

S = CaseState
_M = TypeVar("_M", Query, Finding, BoardDecision)  # the rows with a numbered human reference


def org_id_of(case: QualificationCase) -> int:
    return int(case.participation.organisation_id)


def locked_case(case: QualificationCase) -> QualificationCase:
    locked: QualificationCase = (
        QualificationCase.objects.select_for_update().select_related("participation__organisation").get(pk=case.pk)
    )
    return locked


def create_numbered(model: type[_M], prefix: str, **fields: Any) -> _M:
    """Create a row with its human reference (e.g. QRY-000123) taken from its own id.

    The id comes from the database, so two writers at once (on different cases, which do not lock each other) never
    compute the same reference; a placeholder holds the unique column for the moment between insert and update.
    """
    row = model._default_manager.create(reference=f"{prefix}-{uuid_mod.uuid4().hex[:12]}", **fields)
    row.reference = f"{prefix}-{row.pk:06d}"
    row.save(update_fields=["reference"])
    return row


def check_body(body: str) -> str:
    if body not in Body.values:
        raise ValidationFailed(f"Unknown Code Body {body!r}.", details={"body": body})
    return body


def case_link(case: QualificationCase) -> str:
    return reverse("assessment:case", args=[str(case.uuid)])
