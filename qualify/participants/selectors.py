"""Reads of participant records, always from what the actor may see."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.ids import parse_uuid
from qualify.core.listing import Column, Listing, Sort
from qualify.participants.models import DistributorId, MarketParticipation, Membership, Organisation

# The organisations list's columns (``participation_count`` is the list's own annotation).
ORGANISATION_LISTING: Listing[Organisation] = Listing(
    name="organisations",
    noun="Organisations",
    default="name",
    columns=(
        Column("Name", lambda o: o.name, key="name", order=("name",)),
        Column("Company number", lambda o: o.company_number, key="company", order=("company_number", "name")),
        Column(
            "Market roles",
            lambda o: getattr(o, "participation_count", 0),
            key="roles",
            order=("participation_count", "name"),
        ),
    ),
)


def organisation_list(
    *, actor: Actor, search: str = "", sort: Sort[Organisation] | None = None
) -> QuerySet[Organisation]:
    qs = Organisation.objects.visible_to(actor).annotate(participation_count=Count("participations"))
    if search:
        qs = qs.filter(name__icontains=search.strip())
    return qs.order_by("name") if sort is None else ORGANISATION_LISTING.order(qs, sort)


def organisation_get(*, actor: Actor, uuid: object) -> Organisation:
    public_id = parse_uuid(uuid)
    organisation = Organisation.objects.visible_to(actor).filter(uuid=public_id).first() if public_id else None
    if organisation is None:
        raise NotFound("No such organisation.")
    return organisation


def organisation_members(*, actor: Actor, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.visible_to(actor)
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__full_name")
    )


def participation_list(
    *, actor: Actor, organisation: Organisation | None = None, role: str = "", mpid: str = ""
) -> QuerySet[MarketParticipation]:
    qs = (
        MarketParticipation.objects.visible_to(actor)
        .select_related("organisation")
        .prefetch_related(Prefetch("distributor_ids", queryset=DistributorId.objects.order_by("code")))
        .prefetch_related("exemptions")
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if role:
        qs = qs.filter(role=role)
    if mpid:
        qs = qs.filter(mpid=mpid.upper())
    return qs.order_by("mpid", "role")


def participation_get(*, actor: Actor, uuid: object) -> MarketParticipation:
    public_id = parse_uuid(uuid)
    participation = participation_list(actor=actor).filter(uuid=public_id).first() if public_id else None
    if participation is None:
        raise NotFound("No such market participation.")
    return participation


def organisation_names(*, actor: Actor) -> list[str]:
    """The names of the organisations the actor is a member of, by name (none for staff): the home page's heading."""
    if not actor.organisation_ids:
        return []
    return list(
        Organisation.objects.filter(pk__in=actor.organisation_ids).order_by("name").values_list("name", flat=True)
    )
