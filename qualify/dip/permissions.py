"""Who may do what with DIP specifications and validation runs (pure functions; services enforce them)."""

from __future__ import annotations

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.dip.choices import DIP_STAFF_ROLES


def is_dip_staff(actor: Actor) -> bool:
    return actor.staff_role in DIP_STAFF_ROLES


def can_upload_specification(actor: Actor, organisation_id: int | None) -> Decision:
    """An organisation's lead or a contributor uploads the specification it holds; the DIP Manager's people upload
    programme-wide ones (no organisation)."""
    if organisation_id is None:
        if is_dip_staff(actor):
            return ALLOW
        return deny("Only the DIP Manager's people upload a specification for the whole programme.")
    if actor.can_edit_for(organisation_id):
        return ALLOW
    return deny("Only the organisation's qualification lead or a contributor can upload its specification.")


def can_validate(actor: Actor, organisation_id: int | None) -> Decision:
    """An organisation's lead or a contributor validates its messages; the DIP Manager's people validate for the
    programme (a run with no organisation)."""
    if organisation_id is None:
        if is_dip_staff(actor):
            return ALLOW
        return deny("Only the DIP Manager's people validate messages for the whole programme.")
    if actor.can_edit_for(organisation_id):
        return ALLOW
    return deny("Only the organisation's qualification lead or a contributor can validate its messages.")


def can_attach(actor: Actor, organisation_id: int | None) -> Decision:
    """A run's report becomes evidence of the organisation it was made for; the QAD and QT services then check the
    case itself (its lead or a contributor, a run awaiting assurance)."""
    if organisation_id is None:
        return deny("A run made for the whole programme belongs to no case; validate for an organisation instead.")
    if actor.can_edit_for(organisation_id):
        return ALLOW
    return deny("Only the organisation's qualification lead or a contributor can attach evidence.")


def upload_organisations(actor: Actor) -> list[int | None]:
    """Where ``actor`` may upload and validate: their organisations they edit for, or the programme (None)."""
    if is_dip_staff(actor):
        return [None]
    editable: list[int | None] = [org for org in sorted(actor.memberships) if actor.can_edit_for(org)]
    return editable
