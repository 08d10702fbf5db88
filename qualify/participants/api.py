import datetime as dt
import uuid as uuid_mod

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.errors import NotFound
from qualify.core.requests import actor_of
from qualify.participants.models import Exemption, MarketParticipation, Organisation
from qualify.participants.permissions import can_record_derogation
from qualify.participants.selectors import (
    organisation_get,
    organisation_list,
    participation_get,
    participation_list,
)
from qualify.participants.services import exemption_decide, exemption_record_derogation

router = Router(tags=["participants"])


class OrganisationOut(Schema):
    uuid: uuid_mod.UUID
    name: str
    company_number: str


class ExemptionOut(Schema):
    """The BSC PAB's decision (``decided_on``, ``scope``, ``reference``) and the matching REC derogation."""

    kind: str
    scope: str
    decided_on: str
    reference: str
    decided_by_name: str
    derogation_on: str | None
    derogation_scope: str
    derogation_reference: str
    derogation_by_name: str


class ExemptionDecisionIn(Schema):
    kind: str
    scope: str
    decided_on: dt.date
    reference: str = ""


class DerogationIn(Schema):
    derogation_on: dt.date
    scope: str
    reference: str = ""


def exemption_out(e: Exemption) -> dict[str, str | None]:
    return {
        "kind": e.kind,
        "scope": e.scope,
        "decided_on": e.decided_on.isoformat(),
        "reference": e.reference,
        "decided_by_name": e.decided_by_name,
        "derogation_on": e.derogation_on.isoformat() if e.derogation_on else None,
        "derogation_scope": e.derogation_scope,
        "derogation_reference": e.derogation_reference,
        "derogation_by_name": e.derogation_by_name,
    }


class ParticipationOut(Schema):
    uuid: uuid_mod.UUID
    organisation: OrganisationOut
    mpid: str
    role: str
    route: str
    is_new_entrant: bool
    distributor_ids: list[str]
    exemptions: list[ExemptionOut]

    @staticmethod
    def resolve_distributor_ids(obj: MarketParticipation) -> list[str]:
        return [d.code for d in obj.distributor_ids.all()]

    @staticmethod
    def resolve_exemptions(obj: MarketParticipation) -> list[dict[str, str | None]]:
        return [exemption_out(e) for e in obj.exemptions.all()]


@router.get("/organisations", response=list[OrganisationOut], summary="List organisations you can see")
@paginate(BoundedLimitOffsetPagination)
def list_organisations(request: HttpRequest, search: str = "") -> object:
    return organisation_list(actor=actor_of(request), search=search)


@router.get("/organisations/{uuid}", response=OrganisationOut, summary="One organisation")
def get_organisation(request: HttpRequest, uuid: str) -> Organisation:
    return organisation_get(actor=actor_of(request), uuid=uuid)


@router.get("/participations", response=list[ParticipationOut], summary="List market participations")
@paginate(BoundedLimitOffsetPagination)
def list_participations(request: HttpRequest, role: str = "", mpid: str = "") -> object:
    return participation_list(actor=actor_of(request), role=role, mpid=mpid)


@router.get("/participations/{uuid}", response=ParticipationOut, summary="One market participation")
def get_participation(request: HttpRequest, uuid: str) -> MarketParticipation:
    return participation_get(actor=actor_of(request), uuid=uuid)


@router.post(
    "/participations/{uuid}/exemptions",
    response={201: ExemptionOut},
    summary="Record the BSC PAB's exemption decision (a BSC PAB member), with its date and scope",
)
def post_exemption(request: HttpRequest, uuid: str, payload: ExemptionDecisionIn) -> Status[dict[str, str | None]]:
    actor = actor_of(request)
    participation = participation_get(actor=actor, uuid=uuid)
    exemption = exemption_decide(actor=actor, participation=participation, **payload.dict())
    return Status(201, exemption_out(exemption))


@router.post(
    "/participations/{uuid}/exemptions/{kind}/derogation",
    response=ExemptionOut,
    summary="Record the REC derogation matching a BSC PAB exemption (a REC decision-maker), with its date and scope",
)
def post_derogation(request: HttpRequest, uuid: str, kind: str, payload: DerogationIn) -> dict[str, str | None]:
    actor = actor_of(request)
    participation = participation_get(actor=actor, uuid=uuid)
    can_record_derogation(actor).enforce()
    exemption = participation.exemptions.filter(kind=kind).first()
    if exemption is None:
        raise NotFound("The BSC PAB has not decided this exemption: there is nothing for a derogation to match.")
    return exemption_out(
        exemption_record_derogation(
            actor=actor,
            exemption=exemption,
            derogation_on=payload.derogation_on,
            scope=payload.scope,
            reference=payload.reference,
        )
    )
