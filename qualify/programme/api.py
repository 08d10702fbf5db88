"""The Programme's onboarding, people and wave planning over the API: the same services and selectors as the pages,
so the same rules (403 for anyone but the Programme or the organisation's lead, 404 outside one's scope, 422 with
every problem of a bulk file named by row and column)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid as uuid_mod
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from qualify.cases.selectors import case_list
from qualify.cases.services import case_open
from qualify.core.errors import NotFound, ValidationFailed
from qualify.core.requests import actor_of
from qualify.participants.api import OrganisationOut, ParticipationOut
from qualify.participants.models import MarketParticipation, Organisation
from qualify.participants.selectors import organisation_get, participation_get, participation_list
from qualify.participants.services import (
    membership_change_role,
    organisation_create,
    organisation_update,
    participation_create,
    participation_update,
)
from qualify.plan.models import Wave
from qualify.plan.selectors import wave_list
from qualify.programme.permissions import can_onboard
from qualify.programme.selectors import (
    invitations_of,
    managed_organisation,
    membership_of,
    people_of,
    wave_plan_get,
    wave_plan_list,
)
from qualify.programme.services import (
    cases_move_wave,
    invitation_send,
    onboarding_apply,
    onboarding_preview,
    wave_plan_save,
)
from qualify.programme.services.bulk import MAX_BYTES

router = Router(tags=["programme"])


class OrganisationIn(Schema):
    name: str = Field(..., max_length=200)
    company_number: str = Field("", max_length=20)
    contact_email: str = Field("", max_length=254)


class ParticipationIn(Schema):
    mpid: str = Field(..., max_length=4)
    role: str = Field(..., max_length=8)
    route: str = Field("QT", max_length=16)
    is_new_entrant: bool = False
    distributor_ids: list[str] = Field(default_factory=list, max_length=20)


class ParticipationEditIn(Schema):
    route: str = Field(..., max_length=16)
    is_new_entrant: bool = False
    distributor_ids: list[str] = Field(default_factory=list, max_length=20)


class CaseOpenIn(Schema):
    wave: str = Field("", max_length=16)
    target_migration_date: dt.date | None = None


class ProgrammeCaseOut(Schema):
    reference: str
    state: str
    wave: str | None


class MemberOut(Schema):
    user_uuid: uuid_mod.UUID
    full_name: str
    email: str
    role: str


class InvitationOut(Schema):
    uuid: uuid_mod.UUID
    email: str
    full_name: str
    role: str
    status: str
    expires_at: dt.datetime
    invited_by_name: str


class PeopleOut(Schema):
    members: list[MemberOut]
    invitations: list[InvitationOut]


class InvitationIn(Schema):
    email: str = Field(..., max_length=254)
    full_name: str = Field(..., max_length=200)
    role: str = Field(..., max_length=16)


class RoleIn(Schema):
    role: str = Field(..., max_length=16)


class FileIn(Schema):
    """The onboarding file: CSV text in ``content``, or an Excel workbook in ``workbook_base64``."""

    content: str = Field("", max_length=MAX_BYTES)
    workbook_base64: str = Field("", max_length=MAX_BYTES * 2)
    source_name: str = Field("file", max_length=200)


class PlannedRowOut(Schema):
    row: int
    organisation: str
    mpid: str
    role: str
    actions: list[str]


class ProblemOut(Schema):
    row: int | None
    column: str | None
    message: str


class PlanOut(Schema):
    rows: list[PlannedRowOut]
    problems: list[ProblemOut]
    changes: int


class AppliedOut(Schema):
    rows: int
    changes: int
    actions: list[str]


class DeadlineIn(Schema):
    kind: str = Field(..., max_length=32)
    date: dt.date | None


class WaveIn(Schema):
    name: str = Field(..., max_length=200)
    description: str = Field("", max_length=4000)
    sequence: int = 0
    deadlines: list[DeadlineIn] = Field(default_factory=list, max_length=20)


class WaveDeadlineOut(Schema):
    kind: str
    label: str
    date: dt.date


class WavePlanOut(Schema):
    uuid: uuid_mod.UUID
    code: str
    name: str
    description: str
    sequence: int
    case_count: int
    deadlines: list[WaveDeadlineOut]

    @staticmethod
    def resolve_deadlines(obj: Wave) -> list[dict[str, object]]:
        return [{"kind": d.kind, "label": d.display_label, "date": d.date} for d in obj.deadlines.all()]


class MoveIn(Schema):
    cases: list[str] = Field(..., max_length=500)
    to_wave: str = Field(..., max_length=16)
    reason: str = Field(..., max_length=2000)


def _participation_out(participation: MarketParticipation, actor: Any) -> MarketParticipation:
    return participation_list(actor=actor).get(pk=participation.pk)


@router.post("/programme/organisations", response={201: OrganisationOut}, summary="Register an organisation")
def post_organisation(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    return Status(201, organisation_create(actor=actor_of(request), **payload.dict()))


@router.post("/programme/organisations/{uuid}", response=OrganisationOut, summary="Correct an organisation's details")
def put_organisation(request: HttpRequest, uuid: str, payload: OrganisationIn) -> Organisation:
    actor = actor_of(request)
    organisation = organisation_get(actor=actor, uuid=uuid)
    return organisation_update(actor=actor, organisation=organisation, **payload.dict())


@router.post(
    "/programme/organisations/{uuid}/participations",
    response={201: ParticipationOut},
    summary="Register a market participation (MPID, role, route, distributor ids for an LDSO)",
)
def post_participation(request: HttpRequest, uuid: str, payload: ParticipationIn) -> Status[MarketParticipation]:
    actor = actor_of(request)
    organisation = organisation_get(actor=actor, uuid=uuid)
    participation = participation_create(actor=actor, organisation=organisation, **payload.dict())
    return Status(201, _participation_out(participation, actor))


@router.post(
    "/programme/participations/{uuid}",
    response=ParticipationOut,
    summary="Change a participation's route, new-entrant flag or distributor ids",
)
def put_participation(request: HttpRequest, uuid: str, payload: ParticipationEditIn) -> MarketParticipation:
    actor = actor_of(request)
    participation = participation_get(actor=actor, uuid=uuid)
    participation_update(actor=actor, participation=participation, **payload.dict())
    return _participation_out(participation, actor)


@router.post(
    "/programme/participations/{uuid}/case", response={201: ProgrammeCaseOut}, summary="Open the participation's case"
)
def post_case(request: HttpRequest, uuid: str, payload: CaseOpenIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    participation = participation_get(actor=actor, uuid=uuid)
    can_onboard(actor).enforce()
    wave = None
    if payload.wave:
        wave = wave_list(actor=actor).filter(code=payload.wave.strip().upper()).first()
        if wave is None:
            raise ValidationFailed(f"No wave {payload.wave}.", details={"wave": "unknown"})
    case = case_open(
        actor=actor, participation=participation, wave=wave, target_migration_date=payload.target_migration_date
    )
    return Status(201, {"reference": case.reference, "state": case.state, "wave": wave.code if wave else None})


def _people(actor: Any, organisation: Organisation) -> dict[str, Any]:
    return {
        "members": [
            {"user_uuid": m.user.uuid, "full_name": m.user.full_name, "email": m.user.email, "role": m.role}
            for m in people_of(actor=actor, organisation=organisation)
        ],
        "invitations": list(invitations_of(actor=actor, organisation=organisation)),
    }


@router.get(
    "/programme/organisations/{uuid}/people",
    response=PeopleOut,
    summary="An organisation's people and invitations (its lead or the Programme)",
)
def get_people(request: HttpRequest, uuid: str) -> dict[str, Any]:
    actor = actor_of(request)
    return _people(actor, managed_organisation(actor=actor, uuid=uuid))


@router.post(
    "/programme/organisations/{uuid}/invitations",
    response={201: InvitationOut},
    summary="Invite a person by e-mail (the Programme: anyone; a lead: contributors and viewers)",
)
def post_invitation(request: HttpRequest, uuid: str, payload: InvitationIn) -> Status[Any]:
    actor = actor_of(request)
    organisation = managed_organisation(actor=actor, uuid=uuid)
    issued = invitation_send(actor=actor, organisation=organisation, **payload.dict())
    return Status(201, issued.invitation)


@router.post(
    "/programme/organisations/{uuid}/people/{user_uuid}/role",
    response=MemberOut,
    summary="Change a member's role (an organisation always keeps a lead)",
)
def post_role(request: HttpRequest, uuid: str, user_uuid: str, payload: RoleIn) -> dict[str, Any]:
    actor = actor_of(request)
    organisation = managed_organisation(actor=actor, uuid=uuid)
    membership = membership_of(actor=actor, organisation=organisation, user_uuid=user_uuid)
    changed = membership_change_role(actor=actor, membership=membership, role=payload.role)
    return {
        "user_uuid": changed.user.uuid,
        "full_name": changed.user.full_name,
        "email": changed.user.email,
        "role": changed.role,
    }


def _file(payload: FileIn) -> bytes:
    if payload.workbook_base64:
        try:
            return base64.b64decode(payload.workbook_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailed("workbook_base64 is not base64.", details={"workbook_base64": "invalid"}) from exc
    return payload.content.encode("utf-8")


@router.post(
    "/programme/onboarding/preview",
    response=PlanOut,
    summary="Check an onboarding file and list what applying it would create or change",
)
def post_preview(request: HttpRequest, payload: FileIn) -> dict[str, Any]:
    plan = onboarding_preview(actor=actor_of(request), data=_file(payload), source_name=payload.source_name)
    return {"rows": plan.rows, "problems": plan.problems, "changes": plan.changes}


@router.post(
    "/programme/onboarding/apply",
    response=AppliedOut,
    summary="Apply an onboarding file, all or nothing (applying it again changes nothing)",
)
def post_apply(request: HttpRequest, payload: FileIn) -> Any:
    return onboarding_apply(actor=actor_of(request), data=_file(payload), source_name=payload.source_name)


@router.get("/programme/waves", response=list[WavePlanOut], summary="Waves with their deadlines and case counts")
def get_waves(request: HttpRequest) -> Any:
    actor = actor_of(request)
    can_onboard(actor).enforce()
    return wave_plan_list(actor=actor)


@router.post(
    "/programme/waves/{code}",
    response=WavePlanOut,
    summary="Create or edit a wave: name, order and deadlines (a date of null removes one; kinds not listed stay)",
)
def put_wave(request: HttpRequest, code: str, payload: WaveIn) -> Wave:
    actor = actor_of(request)
    wave = wave_plan_save(
        actor=actor,
        code=code,
        name=payload.name,
        description=payload.description,
        sequence=payload.sequence,
        deadlines={d.kind: d.date for d in payload.deadlines},
    )
    return wave_plan_get(actor=actor, code=wave.code)


@router.post(
    "/programme/waves/{code}/move",
    response=list[ProgrammeCaseOut],
    summary="Move cases of this wave to another, with the reason (all or none)",
)
def post_move(request: HttpRequest, code: str, payload: MoveIn) -> list[dict[str, Any]]:
    actor = actor_of(request)
    wave = wave_plan_get(actor=actor, code=code)
    target = wave_plan_get(actor=actor, code=payload.to_wave)
    keys = {k.strip().upper() for k in payload.cases}
    chosen = list(case_list(actor=actor).filter(wave=wave, reference__in=keys))
    if len(chosen) != len(keys):
        raise NotFound("No such qualification case in this wave.")
    moved = cases_move_wave(actor=actor, cases=chosen, wave=target, reason=payload.reason)
    return [{"reference": c.reference, "state": c.state, "wave": target.code} for c in moved]
