"""The pre-qualification form over the API: read it, save the draft (the lead), submit it with the case step.

Same services as the page: another organisation's case is 404, anyone but the lead saving or submitting is 403, a
missing answer or an Annex 3 refusal is 409 naming what is wrong (the case step's guard), a bad value 422.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from qualify.cases.models import QualificationCase
from qualify.cases.selectors import case_get
from qualify.core.errors import ValidationFailed
from qualify.core.requests import actor_of
from qualify.plan.models import Wave
from qualify.testing.models import PreQualification
from qualify.testing.selectors.reliance import prequalification_of
from qualify.testing.services.prequalification import (
    MAX_FUNCTIONS,
    MAX_TEXT,
    optional_functions_for,
    prequalification_missing,
    prequalification_save,
    prequalification_submit,
)

router = Router()


class FunctionOut(Schema):
    code: str
    title: str


class PrequalOut(Schema):
    case: str
    state: str
    preferred_wave: str | None
    pit_approach: str
    pit_start: dt.date | None
    pit_completion: dt.date | None
    qt_ready: dt.date | None
    target_migration_date: dt.date | None
    intended_operation_date: dt.date | None
    optional_functions_not_sought: list[str]
    submitted_at: dt.datetime | None
    submitted_by_name: str
    missing: list[str]
    optional_functions: list[FunctionOut]


class PrequalIn(Schema):
    preferred_wave: str | None = Field(None, max_length=16, description="The wave's code, e.g. W1.")
    pit_approach: str = Field("", max_length=MAX_TEXT)
    pit_start: dt.date | None = None
    pit_completion: dt.date | None = None
    qt_ready: dt.date | None = None
    target_migration_date: dt.date | None = None
    intended_operation_date: dt.date | None = None
    optional_functions_not_sought: list[str] = Field(default_factory=list, max_length=MAX_FUNCTIONS)


class SubmitIn(Schema):
    comment: str = Field("", max_length=MAX_TEXT)


def _out(case: QualificationCase, prequal: PreQualification | None) -> dict[str, Any]:
    role = case.participation.role
    return {
        "case": case.reference,
        "state": prequal.state if prequal else "NOT_STARTED",
        "preferred_wave": prequal.preferred_wave.code if prequal and prequal.preferred_wave else None,
        "pit_approach": prequal.pit_approach if prequal else "",
        "pit_start": prequal.pit_start if prequal else None,
        "pit_completion": prequal.pit_completion if prequal else None,
        "qt_ready": prequal.qt_ready if prequal else None,
        "target_migration_date": prequal.target_migration_date if prequal else None,
        "intended_operation_date": prequal.intended_operation_date if prequal else None,
        "optional_functions_not_sought": prequal.optional_functions_not_sought if prequal else [],
        "submitted_at": prequal.submitted_at if prequal else None,
        "submitted_by_name": prequal.submitted_by_name if prequal else "",
        "missing": prequalification_missing(prequal, role),
        "optional_functions": optional_functions_for(role),
    }


@router.get(
    "/testing/cases/{key}/prequalification",
    response=PrequalOut,
    summary="A case's pre-qualification form, what it still lacks, and the optional functions it may decline",
)
def get_prequalification(request: HttpRequest, key: str) -> dict[str, Any]:
    actor = actor_of(request)
    case = case_get(actor=actor, key=key)
    return _out(case, prequalification_of(actor=actor, case=case))


@router.post(
    "/testing/cases/{key}/prequalification",
    response=PrequalOut,
    summary="Save the draft form (the qualification lead; empty answers stay empty until submission)",
)
def put_prequalification(request: HttpRequest, key: str, payload: PrequalIn) -> dict[str, Any]:
    actor = actor_of(request)
    case = case_get(actor=actor, key=key)
    wave = None
    if payload.preferred_wave:
        wave = Wave.objects.filter(code=payload.preferred_wave.strip().upper()).first()
        if wave is None:
            raise ValidationFailed("No such wave.", details={"preferred_wave": payload.preferred_wave[:16]})
    data = payload.dict()
    data["preferred_wave"] = wave
    prequal = prequalification_save(actor=actor, case=case, **data)
    return _out(case, prequal)


@router.post(
    "/testing/cases/{key}/prequalification/submit",
    response=PrequalOut,
    summary="Submit the form with the case step submit_prequalification; 409 names what it lacks",
)
def post_prequalification_submit(request: HttpRequest, key: str, payload: SubmitIn) -> dict[str, Any]:
    actor = actor_of(request)
    case = case_get(actor=actor, key=key)
    prequal = prequalification_submit(actor=actor, case=case, comment=payload.comment)
    return _out(case, prequal)
