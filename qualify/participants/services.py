"""Writes to participant records. Every one is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

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
from qualify.participants.permissions import (
    can_decide_exemption,
    can_manage_members,
    can_manage_participants,
    can_record_derogation,
)


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
def exemption_decide(
    *,
    actor: Actor,
    participation: MarketParticipation,
    kind: str,
    scope: str,
    decided_on: dt.date,
    reference: str = "",
) -> Exemption:
    """Record the BSC PAB's exemption decision, with its date and scope (DOMAIN.md §3; e.g. the P476 smart-segment
    exemption of an advanced-only Supplier). Only a BSC PAB member records it.

    From this decision the exemption scopes the case (QAD applicability, tests). Deciding again (a revised scope)
    replaces the decision; the REC derogation recorded against the earlier one stays until the REC records anew.
    """
    can_decide_exemption(actor).enforce()
    if kind not in ExemptionKind.values:
        raise ValidationFailed(f"Unknown exemption {kind!r}.", details={"kind": "unknown"})
    if kind == ExemptionKind.SMART_SEGMENT and participation.role != MarketRole.SUPPLIER:
        raise ValidationFailed(
            "The smart-segment exemption applies to Suppliers only.", details={"kind": "not_supplier"}
        )
    scope, reference = _bounded(scope, 4000), _bounded(reference, 100)
    if not scope:
        raise ValidationFailed("State what the exemption removes from scope.", details={"scope": "required"})
    if decided_on > timezone.localdate():
        raise ValidationFailed("A decision cannot be dated in the future.", details={"decided_on": "future"})
    exemption, _ = Exemption.objects.update_or_create(
        participation=participation,
        kind=kind,
        defaults={
            "scope": scope,
            "decided_on": decided_on,
            "reference": reference,
            "decided_by_id": actor.user_id,
            "decided_by_name": actor.display_name[:200],
        },
    )
    audit_record(
        actor=actor,
        action="participants.exemption.decide",
        target=exemption,
        organisation_id=participation.organisation_id,
        changes={"kind": kind, "decided_on": decided_on.isoformat(), "reference": reference, "scope": scope},
    )
    return exemption


@transaction.atomic
def exemption_record_derogation(
    *,
    actor: Actor,
    exemption: Exemption,
    derogation_on: dt.date,
    scope: str,
    reference: str = "",
) -> Exemption:
    """Record the REC derogation matching a BSC PAB exemption, with its own date and scope (DOMAIN.md §3).

    Only a REC decision-maker records it, and only against an exemption the BSC PAB has decided; it cannot be dated
    before that decision.
    """
    can_record_derogation(actor).enforce()
    scope, reference = _bounded(scope, 4000), _bounded(reference, 100)
    if not scope:
        raise ValidationFailed("State what the REC derogation covers.", details={"scope": "required"})
    locked = Exemption.objects.select_for_update().get(pk=exemption.pk)
    if derogation_on > timezone.localdate():
        raise ValidationFailed("A derogation cannot be dated in the future.", details={"derogation_on": "future"})
    if derogation_on < locked.decided_on:
        raise ValidationFailed(
            f"The REC derogation matches the BSC PAB's decision of {locked.decided_on:%d %B %Y}: it cannot be "
            "dated before it.",
            details={"derogation_on": "before_decision"},
        )
    locked.derogation_on = derogation_on
    locked.derogation_scope = scope
    locked.derogation_reference = reference
    locked.derogation_by_id = actor.user_id
    locked.derogation_by_name = actor.display_name[:200]
    locked.save()
    audit_record(
        actor=actor,
        action="participants.exemption.derogation",
        target=locked,
        organisation_id=locked.participation.organisation_id,
        changes={"kind": locked.kind, "derogation_on": derogation_on.isoformat(), "reference": reference},
    )
    return locked


def _bounded(text: str, limit: int) -> str:
    """User text as stored: control characters removed, trimmed and bounded."""
    cleaned = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())
    return cleaned.strip()[:limit]


@transaction.atomic
def organisation_update(
    *, actor: Actor, organisation: Organisation, name: str, company_number: str = "", contact_email: str = ""
) -> Organisation:
    """Correct an organisation's name, company number or contact address (a programme administrator)."""
    can_manage_participants(actor).enforce()
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    name = _bounded(name, 200)
    if not name:
        raise ValidationFailed("An organisation needs a name.", details={"name": "required"})
    if Organisation.objects.filter(name__iexact=name).exclude(pk=locked.pk).exists():
        raise ValidationFailed(f"An organisation called {name} already exists.", details={"name": "taken"})
    after = {
        "name": name,
        "company_number": _bounded(company_number, 20),
        "contact_email": _bounded(contact_email, 254),
    }
    changed = {k: {"before": getattr(locked, k), "after": v} for k, v in after.items() if getattr(locked, k) != v}
    if changed:
        for key, value in after.items():
            setattr(locked, key, value)
        locked.save()
        audit_record(
            actor=actor,
            action="participants.organisation.update",
            target=locked,
            organisation_id=locked.pk,
            changes=changed,
        )
    return locked


@transaction.atomic
def participation_update(
    *,
    actor: Actor,
    participation: MarketParticipation,
    route: str,
    is_new_entrant: bool,
    distributor_ids: Iterable[str] = (),
) -> MarketParticipation:
    """Change a participation's route, new-entrant flag or an LDSO's distributor ids (a programme administrator).

    The MPID and role are the participation's identity (each (MPID, role) qualifies on its own, DOMAIN.md §2): a
    different one is a new participation, not an edit.
    """
    can_manage_participants(actor).enforce()
    locked = MarketParticipation.objects.select_for_update().get(pk=participation.pk)
    if route not in Route.values:
        raise ValidationFailed(f"Unknown route {route!r}.", details={"route": "unknown"})
    codes = _validate_distributor_ids(distributor_ids)
    if codes and locked.role != MarketRole.LDSO:
        raise ValidationFailed("Only an LDSO holds distributor ids.", details={"distributor_ids": "not_ldso"})
    taken = list(
        DistributorId.objects.filter(code__in=codes).exclude(participation=locked).values_list("code", flat=True)
    )
    if taken:
        raise ValidationFailed(
            f"Distributor id(s) {', '.join(sorted(taken))} already belong to another LDSO.",
            details={"distributor_ids": "taken"},
        )
    before_codes = sorted(locked.distributor_ids.values_list("code", flat=True))
    changed: dict[str, dict[str, object]] = {}
    if locked.route != route:
        changed["route"] = {"before": locked.route, "after": route}
    if locked.is_new_entrant != is_new_entrant:
        changed["is_new_entrant"] = {"before": locked.is_new_entrant, "after": is_new_entrant}
    if before_codes != codes:
        changed["distributor_ids"] = {"before": before_codes, "after": codes}
        DistributorId.objects.filter(participation=locked).exclude(code__in=codes).delete()
        DistributorId.objects.bulk_create(
            [DistributorId(participation=locked, code=c) for c in codes if c not in before_codes]
        )
    if changed:
        locked.route, locked.is_new_entrant = route, is_new_entrant
        locked.save()
        audit_record(
            actor=actor,
            action="participants.participation.update",
            target=locked,
            organisation_id=locked.organisation_id,
            changes=changed,
        )
    return locked


@transaction.atomic
def membership_change_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    """Change a member's role. The organisation always keeps at least one qualification lead, so a lead cannot
    demote the last one (itself included)."""
    can_manage_members(actor, membership.organisation_id).enforce()
    if role not in MembershipRole.values:
        raise ValidationFailed(f"Unknown membership role {role!r}.", details={"role": "unknown"})
    # Lock the organisation's memberships so two demotions at once cannot both see "another lead remains".
    rows = list(Membership.objects.select_for_update().filter(organisation_id=membership.organisation_id))
    locked = next((m for m in rows if m.pk == membership.pk), None)
    if locked is None:
        raise ValidationFailed("This person is no longer a member.", details={"membership": "gone"})
    if locked.role == role:
        return locked
    leads = [m for m in rows if m.role == MembershipRole.LEAD]
    if locked.role == MembershipRole.LEAD and len(leads) <= 1:
        raise ValidationFailed(
            "An organisation keeps at least one qualification lead: make someone else lead first.",
            details={"role": "last_lead"},
        )
    before = locked.role
    locked.role = role
    locked.save(update_fields=["role", "updated_at"])
    audit_record(
        actor=actor,
        action="participants.membership.change",
        target=locked,
        organisation_id=locked.organisation_id,
        changes={"user": locked.user.email, "role": {"before": before, "after": role}},
    )
    return locked
