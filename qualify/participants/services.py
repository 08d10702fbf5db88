"""Writes to participant records. Every one is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from qualify.accounts.models import User
from qualify.audit.services import audit_record
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.core.roles import MembershipRole
from qualify.participants.choices import ExemptionKind, MarketRole, Route
from qualify.participants.models import (
    DistributorId,
    Exemption,
    MarketParticipation,
    Membership,
    Organisation,
    distributor_id_validator,
    mpid_validator,
)
from qualify.participants.permissions import can_manage_members, can_manage_participants


@transaction.atomic
def organisation_create(*, actor: Actor, name: str, company_number: str = "", contact_email: str = "") -> Organisation:
    can_manage_participants(actor).enforce()
    name = name.strip()
    if not name:
        raise ValidationFailed("An organisation needs a name.", details={"name": "required"})
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(f"An organisation called {name} already exists.", details={"name": "taken"})
    organisation = Organisation.objects.create(
        name=name, company_number=company_number.strip(), contact_email=contact_email.strip()
    )
    audit_record(
        actor=actor,
        action="participants.organisation.create",
        target=organisation,
        organisation_id=organisation.pk,
        changes={"name": name},
    )
    return organisation


@transaction.atomic
def membership_add(*, actor: Actor, organisation: Organisation, user: User, role: str) -> Membership:
    can_manage_members(actor, organisation.pk).enforce()
    if role not in MembershipRole.values:
        raise ValidationFailed(f"Unknown membership role {role!r}.", details={"role": "unknown"})
    if user.staff_role:
        raise ValidationFailed(
            "Code Body and Programme staff cannot be members of a participant.", details={"user": "staff"}
        )
    membership, created = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    audit_record(
        actor=actor,
        action="participants.membership.add" if created else "participants.membership.change",
        target=membership,
        organisation_id=organisation.pk,
        changes={"user": user.email, "role": role},
    )
    return membership


def _validate_mpid(mpid: str) -> str:
    mpid = mpid.strip().upper()
    try:
        mpid_validator(mpid)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            f"{mpid!r} is not an MPID: four capital letters or digits.", details={"mpid": "invalid"}
        ) from exc
    return mpid


def _validate_distributor_ids(codes: Iterable[str]) -> list[str]:
    cleaned = []
    for code in codes:
        code = code.strip()
        try:
            distributor_id_validator(code)
        except DjangoValidationError as exc:
            raise ValidationFailed(
                f"{code!r} is not a distributor id: two digits.", details={"distributor_ids": "invalid"}
            ) from exc
        cleaned.append(code)
    return sorted(set(cleaned))


@transaction.atomic
def participation_create(
    *,
    actor: Actor,
    organisation: Organisation,
    mpid: str,
    role: str,
    route: str = Route.QT,
    is_new_entrant: bool = False,
    distributor_ids: Iterable[str] = (),
) -> MarketParticipation:
    """Register a market role under an MPID. LDSOs name the distributor id(s) whose MPANs they distribute."""
    can_manage_participants(actor).enforce()
    mpid = _validate_mpid(mpid)
    if role not in MarketRole.values:
        raise ValidationFailed(f"Unknown market role {role!r}.", details={"role": "unknown"})
    if route not in Route.values:
        raise ValidationFailed(f"Unknown route {route!r}.", details={"route": "unknown"})
    codes = _validate_distributor_ids(distributor_ids)
    if codes and role != MarketRole.LDSO:
        raise ValidationFailed("Only an LDSO holds distributor ids.", details={"distributor_ids": "not_ldso"})
    if MarketParticipation.objects.filter(mpid=mpid, role=role).exists():
        raise ValidationFailed(f"{mpid} already holds the {role} role.", details={"mpid": "taken"})
    taken = list(DistributorId.objects.filter(code__in=codes).values_list("code", flat=True))
    if taken:
        raise ValidationFailed(
            f"Distributor id(s) {', '.join(sorted(taken))} already belong to another LDSO.",
            details={"distributor_ids": "taken"},
        )
    participation = MarketParticipation.objects.create(
        organisation=organisation, mpid=mpid, role=role, route=route, is_new_entrant=is_new_entrant
    )
    DistributorId.objects.bulk_create([DistributorId(participation=participation, code=c) for c in codes])
    audit_record(
        actor=actor,
        action="participants.participation.create",
        target=participation,
        organisation_id=organisation.pk,
        changes={"mpid": mpid, "role": role, "route": route, "distributor_ids": codes},
    )
    return participation


@transaction.atomic
def exemption_record(
    *,
    actor: Actor,
    participation: MarketParticipation,
    kind: str,
    scope: str,
    decided_on: dt.date,
    reference: str = "",
) -> Exemption:
    """Record an exemption decision (e.g. P476 smart-segment exemption) with its scope."""
    can_manage_participants(actor).enforce()
    if kind not in ExemptionKind.values:
        raise ValidationFailed(f"Unknown exemption {kind!r}.", details={"kind": "unknown"})
    if kind == ExemptionKind.SMART_SEGMENT and participation.role != MarketRole.SUPPLIER:
        raise ValidationFailed(
            "The smart-segment exemption applies to Suppliers only.", details={"kind": "not_supplier"}
        )
    exemption, _ = Exemption.objects.update_or_create(
        participation=participation,
        kind=kind,
        defaults={"scope": scope.strip(), "decided_on": decided_on, "reference": reference.strip()},
    )
    audit_record(
        actor=actor,
        action="participants.exemption.record",
        target=exemption,
        organisation_id=participation.organisation_id,
        changes={"kind": kind, "decided_on": decided_on.isoformat(), "reference": reference},
    )
    return exemption
