"""A case's testing gates and prerequisites over the API, through the same services and selectors as the pages.

Another organisation's case is 404; recording is for the participant's lead or a contributor and reviewing for a
Code Body assessor (the Programme's test manager for an LDSO), 403 otherwise; a step the record's state does not
allow is 409; a bad kind, date or evidence is 422.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from qualify.core.errors import NotFound
from qualify.core.requests import actor_of
from qualify.qad.models import EvidenceFile
from qualify.testing.gates import Condition, entry_conditions, exit_conditions
from qualify.testing.models import PrerequisiteRecord
from qualify.testing.selectors.gates import prerequisite_get, prerequisite_rows, testing_case_get
from qualify.testing.services.prerequisites import (
    MAX_COMMENT,
    MAX_EVIDENCE,
    MAX_NOTE,
    prerequisite_accept,
    prerequisite_record,
    prerequisite_send_back,
)

router = Router()


class PrerequisiteEvidenceOut(Schema):
    uuid: uuid_mod.UUID
    name: str
    sha256: str


class PrerequisiteOut(Schema):
    kind: str
    label: str
    recorded: bool
    state: str | None = None
    completed_on: dt.date | None = None
    note: str = ""
    recorded_by: str = ""
    reviewed_by: str = ""
    reviewed_at: dt.datetime | None = None
    review_comment: str = ""
    evidence: list[PrerequisiteEvidenceOut] = []


class PrerequisiteIn(Schema):
    kind: str = Field(..., max_length=40)
    completed_on: dt.date
    note: str = Field("", max_length=MAX_NOTE)
    evidence: list[uuid_mod.UUID] = Field(
        default_factory=list, max_length=MAX_EVIDENCE, description="Evidence files already held for this case."
    )


class ReviewIn(Schema):
    comment: str = Field("", max_length=MAX_COMMENT)


class ConditionOut(Schema):
    key: str
    label: str
    met: bool
    message: str


class GatesOut(Schema):
    case: str
    state: str
    entering: list[ConditionOut]
    leaving: list[ConditionOut]


def _record_out(kind: str, label: str, record: PrerequisiteRecord | None) -> dict[str, Any]:
    if record is None:
        return {"kind": kind, "label": label, "recorded": False}
    return {
        "kind": kind,
        "label": label,
        "recorded": True,
        "state": record.state,
        "completed_on": record.completed_on,
        "note": record.note,
        "recorded_by": record.recorded_by_name,
        "reviewed_by": record.reviewed_by_name,
        "reviewed_at": record.reviewed_at,
        "review_comment": record.review_comment,
        "evidence": [{"uuid": f.uuid, "name": f.original_name, "sha256": f.sha256} for f in record.evidence.all()],
    }


def _conditions(conditions: list[Condition]) -> list[dict[str, Any]]:
    return [{"key": c.key, "label": c.label, "met": c.met, "message": c.message} for c in conditions]


@router.get(
    "/testing/cases/{key}/prerequisites",
    response=list[PrerequisiteOut],
    summary="The prerequisites that apply to a case, with what is on record",
)
def list_prerequisites(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    actor = actor_of(request)
    case = testing_case_get(actor=actor, key=key)
    return [_record_out(r.kind, r.label, r.record) for r in prerequisite_rows(actor=actor, case=case)]


@router.post(
    "/testing/cases/{key}/prerequisites",
    response={201: PrerequisiteOut},
    summary="Record (or record again) a prerequisite with its date, note and evidence; it then awaits acceptance",
)
def post_prerequisite(request: HttpRequest, key: str, payload: PrerequisiteIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    case = testing_case_get(actor=actor, key=key)
    files = list(EvidenceFile.objects.visible_to(actor).filter(uuid__in=payload.evidence).select_related("response"))
    if len(files) != len(set(payload.evidence)):
        raise NotFound("No such evidence file.")
    record = prerequisite_record(
        actor=actor,
        case=case,
        kind=payload.kind,
        completed_on=payload.completed_on,
        note=payload.note,
        evidence=files,
    )
    return Status(201, _record_out(record.kind, record.get_kind_display(), record))


def _review(request: HttpRequest, key: str, kind: str, payload: ReviewIn, accept: bool) -> dict[str, Any]:
    actor = actor_of(request)
    case = testing_case_get(actor=actor, key=key)
    record = prerequisite_get(actor=actor, case=case, kind=kind[:40])
    if accept:
        record = prerequisite_accept(actor=actor, record=record, comment=payload.comment)
    else:
        record = prerequisite_send_back(actor=actor, record=record, comment=payload.comment)
    return _record_out(record.kind, record.get_kind_display(), record)


@router.post(
    "/testing/cases/{key}/prerequisites/{kind}/accept",
    response=PrerequisiteOut,
    summary="Accept a recorded prerequisite (a Code Body assessor; for an LDSO, the Programme's test manager)",
)
def post_accept(request: HttpRequest, key: str, kind: str, payload: ReviewIn) -> dict[str, Any]:
    return _review(request, key, kind, payload, accept=True)


@router.post(
    "/testing/cases/{key}/prerequisites/{kind}/send-back",
    response=PrerequisiteOut,
    summary="Send a recorded prerequisite back, saying what is missing",
)
def post_send_back(request: HttpRequest, key: str, kind: str, payload: ReviewIn) -> dict[str, Any]:
    return _review(request, key, kind, payload, accept=False)


@router.get(
    "/testing/cases/{key}/gates",
    response=GatesOut,
    summary="What entering and leaving testing need for a case, each condition met or not with its words",
)
def get_gates(request: HttpRequest, key: str) -> dict[str, Any]:
    case = testing_case_get(actor=actor_of(request), key=key)
    return {
        "case": case.reference,
        "state": case.state,
        "entering": _conditions(entry_conditions(case)),
        "leaving": _conditions(exit_conditions(case)),
    }
