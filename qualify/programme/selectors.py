"""Reads for the Programme's pages: people and invitations of an organisation, waves with their cases."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.ids import parse_uuid
from qualify.participants.models import Membership, Organisation
from qualify.participants.selectors import organisation_get
from qualify.plan.models import Wave, WaveDeadline
from qualify.programme.models import Invitation
from qualify.programme.permissions import can_manage_people


def managed_organisation(*, actor: Actor, uuid: object) -> Organisation:
    """An organisation whose people the actor manages: NotFound outside its scope, NotAllowed for a non-lead."""
    organisation = organisation_get(actor=actor, uuid=uuid)
    can_manage_people(actor, organisation.pk).enforce()
    return organisation


def people_of(*, actor: Actor, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.visible_to(actor)
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__full_name", "pk")
    )


def invitations_of(*, actor: Actor, organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.visible_to(actor).filter(organisation=organisation).order_by("-created_at", "-pk")[:100]


def membership_of(*, actor: Actor, organisation: Organisation, user_uuid: object) -> Membership:
    public_id = parse_uuid(user_uuid)
    membership = (
        people_of(actor=actor, organisation=organisation).filter(user__uuid=public_id).first() if public_id else None
    )
    if membership is None:
        raise NotFound("No such member.")
    return membership


def wave_plan_list(*, actor: Actor) -> QuerySet[Wave]:
    """Every wave with its deadlines (in date order) and how many cases it holds."""
    if not actor.is_authenticated:
        return Wave.objects.none()
    return (
        Wave.objects.annotate(case_count=Count("cases"))
        .prefetch_related(Prefetch("deadlines", queryset=WaveDeadline.objects.order_by("date", "kind")))
        .order_by("sequence", "code")
    )


def wave_plan_get(*, actor: Actor, code: str) -> Wave:
    wave = wave_plan_list(actor=actor).filter(code=str(code).strip().upper()[:16]).first()
    if wave is None:
        raise NotFound("No such wave.")
    return wave


def wave_cases(*, actor: Actor, wave: Wave) -> QuerySet[QualificationCase]:
    return (
        QualificationCase.objects.visible_to(actor)
        .filter(wave=wave)
        .select_related("participation__organisation")
        .order_by("participation__organisation__name", "participation__mpid", "pk")
    )
