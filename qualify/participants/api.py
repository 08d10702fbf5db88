import uuid as uuid_mod

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from qualify.core.requests import actor_of
from qualify.participants.models import MarketParticipation, Organisation
from qualify.participants.selectors import (
    organisation_get,
    organisation_list,
    participation_get,
    participation_list,
)

router = Router(tags=["participants"])


class OrganisationOut(Schema):
    uuid: uuid_mod.UUID
    name: str
    company_number: str


class ExemptionOut(Schema):
    kind: str
    scope: str
    decided_on: str
    reference: str


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
    def resolve_exemptions(obj: MarketParticipation) -> list[dict[str, str]]:
        return [
            {
                "kind": e.kind,
                "scope": e.scope,
                "decided_on": e.decided_on.isoformat(),
                "reference": e.reference,
            }
            for e in obj.exemptions.all()
        ]


@router.get("/organisations", response=list[OrganisationOut], summary="List organisations you can see")
@paginate(LimitOffsetPagination)
def list_organisations(request: HttpRequest, search: str = "") -> object:
    return organisation_list(actor=actor_of(request), search=search)


@router.get("/organisations/{uuid}", response=OrganisationOut, summary="One organisation")
def get_organisation(request: HttpRequest, uuid: str) -> Organisation:
    return organisation_get(actor=actor_of(request), uuid=uuid)


@router.get("/participations", response=list[ParticipationOut], summary="List market participations")
@paginate(LimitOffsetPagination)
def list_participations(request: HttpRequest, role: str = "", mpid: str = "") -> object:
    return participation_list(actor=actor_of(request), role=role, mpid=mpid)


@router.get("/participations/{uuid}", response=ParticipationOut, summary="One market participation")
def get_participation(request: HttpRequest, uuid: str) -> MarketParticipation:
    return participation_get(actor=actor_of(request), uuid=uuid)
