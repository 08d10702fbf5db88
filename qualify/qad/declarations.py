"""The director's declaration, made in person (DOMAIN.md §4 "signed", §5): invitations and declarations.

Every write here is a service (STYLE.md rule 1), kept apart from ``services.py`` because it is one journey with its
own secrets. Once a case's content is agreed the lead names the director (or, for roles governed by the REC alone, a
delegate) by e-mail and capacity (``declaration_invite``). The invitee gets an e-mail with a link holding a secret
(only its SHA-256 is stored) and, if they already have an account, an inbox notice. The link is single-use and
expires: the first account to accept it (``invitation_accept``, or ``invitation_accept_new_account`` for someone
without one, who sets a password) is bound to it. That person alone sees the snapshot the invitation names and
declares on it (``declaration_make``), which records their account, capacity, the time and the snapshot's hash and
takes the case's ``sign`` step in the same transaction. A newer Final submission supersedes the snapshot: its
invitations stop working and a declaration on it is void. The lead may cancel or re-send an invitation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse

from qualify.accounts.models import User
from qualify.accounts.services import user_create
from qualify.audit.services import audit_record
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.core import clock
from qualify.core.actor import Actor, system_actor
from qualify.core.errors import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from qualify.core.ids import parse_uuid
from qualify.notifications.services import absolute_link, email_direct, notify
from qualify.qad import rules
from qualify.qad.choices import DeclarationCapacity
from qualify.qad.models import DeclarationInvitation, QadDeclaration, QadSubmission
from qualify.qad.permissions import can_declare, can_invite_declarant
from qualify.qad.workflow import latest_final

STATEMENT = (
    "I declare that, to the best of my knowledge, the answers and evidence in this Final QAD are complete and "
    "accurate, and that the organisation meets the requirements it describes."
)


class InvitationStatus(StrEnum):
    """Where an invitation stands; only SENT and ACCEPTED ones work."""

    SENT = "sent"
    ACCEPTED = "accepted"
    DECLARED = "declared"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


STATUS_WORDS = {
    InvitationStatus.SENT: "Sent, not yet opened",
    InvitationStatus.ACCEPTED: "Opened, not yet declared",
    InvitationStatus.DECLARED: "Declared",
    InvitationStatus.CANCELLED: "Cancelled",
    InvitationStatus.EXPIRED: "Expired",
    InvitationStatus.SUPERSEDED: "No longer valid: a newer Final QAD was submitted",
}
LIVE = frozenset({InvitationStatus.SENT, InvitationStatus.ACCEPTED})


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation and its secret, which exists only here and in the e-mail (never stored)."""

    invitation: DeclarationInvitation
    token: str


def invitation_days() -> int:
    return int(settings.QUALIFY_DECLARATION_INVITATION_DAYS)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _plain(value: object, limit: int) -> str:
    """Text as a person typed it, without control characters, whitespace collapsed, at most ``limit`` characters."""
    kept = "".join(ch for ch in str(value or "") if not unicodedata.category(ch).startswith("C"))
    return " ".join(kept.split())[:limit]


def _org_id(case: QualificationCase) -> int:
    return int(case.participation.organisation_id)


def invitation_status(invitation: DeclarationInvitation, *, latest_final_id: int | None) -> InvitationStatus:
    """The invitation's standing, given the pk of its case's latest Final submission."""
    if invitation.declared_at is not None:
        return InvitationStatus.DECLARED
    if invitation.cancelled_at is not None:
        return InvitationStatus.CANCELLED
    if latest_final_id != invitation.submission_id:
        return InvitationStatus.SUPERSEDED
    if invitation.expires_at <= clock.now():
        return InvitationStatus.EXPIRED
    if invitation.accepted_by_id is not None:
        return InvitationStatus.ACCEPTED
    return InvitationStatus.SENT


def status_of(invitation: DeclarationInvitation) -> InvitationStatus:
    latest = latest_final(invitation.case)
    return invitation_status(invitation, latest_final_id=latest.pk if latest is not None else None)


def declaration_is_void(declaration: QadDeclaration) -> bool:
    """A declaration is void once a newer Final submission supersedes the snapshot it names (DOMAIN.md §5)."""
    latest = latest_final(declaration.submission.case)
    return latest is None or latest.pk != declaration.submission_id


def _link(token: str, site: str) -> str:
    """The invitation's address: QUALIFY_SITE_URL in front when it is set (always in production), else the site the
    request came to (development and tests), never just a path if either is known."""
    path = reverse("qad:invitation", args=[token])
    if settings.QUALIFY_SITE_URL or not site:
        return absolute_link(path)
    return f"{site.rstrip('/')}{path}"


def _send(invitation: DeclarationInvitation, token: str, site: str) -> None:
    """The invitation e-mail (with the secret link) and, for someone who already has an account, an inbox notice."""
    case = invitation.case
    organisation = case.participation.organisation.name
    who = "a company director" if invitation.capacity == DeclarationCapacity.DIRECTOR else "a director's delegate"
    days = max(1, math.ceil((invitation.expires_at - clock.now()).total_seconds() / 86400))
    body = (
        f"{invitation.invited_by_name} of {organisation} asks you, as {who}, to declare on the Final Qualification "
        f"Assessment Document {invitation.submission.reference} of case {case.reference} "
        f"({case.participation.mpid}, {case.participation.get_role_display()}).\n\n"
        "Open the link below, sign in with your own account (or create one with this e-mail address), read the "
        f"snapshot and declare. The link works once and for {days} days.\n\n{_link(token, site)}\n\n"
        "If you did not expect this, ignore this e-mail: nothing happens without you."
    )
    email_direct(to=invitation.email, subject=f"Declare on the Final QAD of {organisation}", body=body)
    account = User.objects.filter(email=invitation.email, is_active=True).first()
    if account is not None:
        notify(
            recipients=[account],
            kind="qad.declaration_invited",
            title=f"Declare on the Final QAD of {organisation} ({invitation.submission.reference})",
            body=f"{invitation.invited_by_name} invited you to declare on {invitation.submission.reference}.",
            link=reverse("qad:declaration", args=[str(invitation.uuid)]),
            email=False,  # the invitation e-mail above is the e-mail
            subject=case.reference,
        )


def _agreed_case(case_pk: int) -> QualificationCase:
    case = QualificationCase.objects.select_for_update().select_related("participation__organisation").get(pk=case_pk)
    if case.state != CaseState.AGREED:
        raise TransitionNotAllowed(
            "The director declares once the Final QAD's content is agreed; this case is "
            f"{case.get_state_display().lower()}.",
            details={"state": case.state},
            code="not_agreed",
        )
    return case


@transaction.atomic
def declaration_invite(
    *, actor: Actor, case: QualificationCase, email: str, capacity: str, name: str = "", site: str = ""
) -> IssuedInvitation:
    """The lead names the director (or delegate) who is to declare on the latest Final QAD (DOMAIN.md §4).

    Only once the content is agreed (case state AGREED). A delegate only where every role in scope is governed by the
    REC alone. One working invitation per case at a time: cancel or re-send the open one instead. ``site`` is the
    address the link starts with when QUALIFY_SITE_URL is not set (the request's own, from a page or the API).
    """
    case = QualificationCase.objects.select_related("participation__organisation").get(pk=case.pk)
    can_invite_declarant(actor, case).enforce()
    case = _agreed_case(case.pk)
    address = _plain(email, 254).lower()
    try:
        validate_email(address)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            "Give the e-mail address of the person who is to declare.", details={"email": "invalid"}
        ) from exc
    if capacity not in DeclarationCapacity.values:
        raise ValidationFailed(f"Unknown capacity {_plain(capacity, 20)!r}.", details={"capacity": "unknown"})
    role = case.participation.role
    if capacity == DeclarationCapacity.DELEGATE and not rules.delegate_allowed([role]):
        raise ValidationFailed(
            "A delegate may declare only for a role governed by the REC alone; "
            f"a {case.participation.get_role_display()} needs a company director.",
            details={"capacity": "director_required"},
            code="director_required",
        )
    submission = latest_final(case)
    if submission is None:
        raise ValidationFailed("The case has no Final QAD to declare on.", details={"submission": "missing"})
    if QadDeclaration.objects.filter(submission=submission).exists():
        raise Conflict("The latest Final QAD already has its declaration.", code="already_declared")
    for open_one in DeclarationInvitation.objects.filter(case=case, declared_at=None, cancelled_at=None):
        if invitation_status(open_one, latest_final_id=submission.pk) in LIVE:
            raise Conflict(
                f"An invitation to {open_one.email} is still open: cancel it or send it again.",
                details={"invitation": str(open_one.uuid)},
                code="invitation_open",
            )
    token = secrets.token_urlsafe(32)
    invitation = DeclarationInvitation.objects.create(
        case=case,
        submission=submission,
        email=address,
        invitee_name=_plain(name, 200),
        capacity=capacity,
        token_sha256=token_digest(token),
        expires_at=clock.now() + dt.timedelta(days=invitation_days()),
        invited_by_id=actor.user_id,
        invited_by_name=actor.display_name[:200],
    )
    audit_record(
        actor=actor,
        action="qad.declaration.invite",
        target=invitation,
        organisation_id=_org_id(case),
        changes={"email": address, "capacity": capacity, "submission": submission.reference},
    )
    _send(invitation, token, site)
    return IssuedInvitation(invitation=invitation, token=token)


def _locked_invitation(invitation: DeclarationInvitation) -> DeclarationInvitation:
    return (
        DeclarationInvitation.objects.select_for_update()
        .select_related("case__participation__organisation", "submission")
        .get(pk=invitation.pk)
    )


@transaction.atomic
def declaration_invitation_cancel(*, actor: Actor, invitation: DeclarationInvitation) -> DeclarationInvitation:
    """The lead withdraws an invitation: its link stops working at once. A declared one stays as it is."""
    invitation = _locked_invitation(invitation)
    can_invite_declarant(actor, invitation.case).enforce()
    status = status_of(invitation)
    if status == InvitationStatus.DECLARED:
        raise Conflict("The declaration has been made; the invitation can no longer be cancelled.", code="declared")
    if status == InvitationStatus.CANCELLED:
        return invitation
    invitation.cancelled_at = clock.now()
    invitation.cancelled_by_name = actor.display_name[:200]
    invitation.save(update_fields=["cancelled_at", "cancelled_by_name", "updated_at"])
    audit_record(
        actor=actor,
        action="qad.declaration.invitation_cancel",
        target=invitation,
        organisation_id=_org_id(invitation.case),
        changes={"email": invitation.email, "was": str(status)},
    )
    return invitation


@transaction.atomic
def declaration_invitation_resend(
    *, actor: Actor, invitation: DeclarationInvitation, site: str = ""
) -> IssuedInvitation:
    """Send an open (or expired) invitation again: a new secret link and a new expiry; the old link stops working.

    Whoever had accepted it must open the new link again, so a resend also moves it to a new address's owner if the
    first went astray.
    """
    invitation = _locked_invitation(invitation)
    can_invite_declarant(actor, invitation.case).enforce()
    _agreed_case(invitation.case_id)
    status = status_of(invitation)
    if status not in (*LIVE, InvitationStatus.EXPIRED):
        raise Conflict(
            f"This invitation cannot be sent again ({STATUS_WORDS[status]}); invite the director afresh.",
            details={"status": str(status)},
            code="invitation_closed",
        )
    token = secrets.token_urlsafe(32)
    invitation.token_sha256 = token_digest(token)
    invitation.expires_at = clock.now() + dt.timedelta(days=invitation_days())
    invitation.accepted_by = None
    invitation.accepted_at = None
    invitation.sent_count += 1
    invitation.save(
        update_fields=["token_sha256", "expires_at", "accepted_by", "accepted_at", "sent_count", "updated_at"]
    )
    audit_record(
        actor=actor,
        action="qad.declaration.invitation_resend",
        target=invitation,
        organisation_id=_org_id(invitation.case),
        changes={"email": invitation.email, "sent_count": invitation.sent_count},
    )
    _send(invitation, token, site)
    return IssuedInvitation(invitation=invitation, token=token)


# --- the invitee -------------------------------------------------------------------------------------------------


class InvitationUnusable(ValidationFailed):
    """The link was valid once but no longer works (cancelled, expired, superseded, declared or already used)."""


def invitation_by_token(token: str) -> DeclarationInvitation:
    """The invitation a link's secret opens (NotFound for a secret that opens nothing; the secret is the key)."""
    if not token or len(token) > 200:
        raise NotFound("This invitation link is not valid.")
    found = (
        DeclarationInvitation.objects.select_related("case__participation__organisation", "submission")
        .filter(token_sha256=token_digest(token))
        .first()
    )
    if found is None:
        raise NotFound("This invitation link is not valid.")
    return found


def invitation_check(invitation: DeclarationInvitation, *, user_id: int | None) -> DeclarationInvitation:
    status = status_of(invitation)
    if status not in LIVE:
        raise InvitationUnusable(
            f"This invitation no longer works ({STATUS_WORDS[status]}). Ask the qualification lead to send a new one.",
            details={"status": str(status)},
            code="invitation_unusable",
        )
    if invitation.accepted_by_id is not None and invitation.accepted_by_id != user_id:
        raise InvitationUnusable(
            "This invitation link has already been used. Ask the qualification lead to send it again.",
            details={"status": "used"},
            code="invitation_unusable",
        )
    return invitation


def invitee_has_account(invitation: DeclarationInvitation) -> bool:
    """Whether the invited address already has an account (then the person signs in rather than signs up)."""
    return User.objects.filter(email=invitation.email).exists()


def _bind(invitation: DeclarationInvitation, user: User, actor: Actor) -> DeclarationInvitation:
    if invitation.accepted_by_id == user.pk:
        return invitation
    invitation.accepted_by = user
    invitation.accepted_at = clock.now()
    invitation.save(update_fields=["accepted_by", "accepted_at", "updated_at"])
    audit_record(
        actor=actor,
        action="qad.declaration.invitation_accept",
        target=invitation,
        organisation_id=_org_id(invitation.case),
        changes={"account": user.email},
    )
    return invitation


@transaction.atomic
def invitation_accept(*, actor: Actor, token: str) -> DeclarationInvitation:
    """A signed-in person opens their invitation link: the invitation is bound to their account (single use).

    The account's e-mail address must be the one the lead named; staff accounts never declare for a participant.
    """
    invitation = _locked_invitation(invitation_by_token(token))
    invitation_check(invitation, user_id=actor.user_id)
    user = User.objects.filter(pk=actor.user_id, is_active=True).first() if actor.user_id is not None else None
    if user is None or user.is_machine:
        raise NotFound("This invitation link is not valid.")
    if user.staff_role:
        raise ValidationFailed(
            "Programme and Code Body staff cannot declare for a participant; sign out and use the director's account.",
            details={"account": "staff"},
            code="staff_account",
        )
    if user.email.lower() != invitation.email.lower():
        raise ValidationFailed(
            "This invitation is for another e-mail address. Sign out, then open the link again and sign in with "
            "the account for the address the invitation was sent to.",
            details={"account": "other_address"},
            code="other_address",
        )
    return _bind(invitation, user, actor)


@transaction.atomic
def invitation_accept_new_account(*, token: str, full_name: str, password: str) -> tuple[DeclarationInvitation, User]:
    """Someone without an account accepts through the link: an account for the invited address, with their password.

    The account belongs to no organisation and has no staff role, so it sees nothing but this declaration.
    """
    invitation = _locked_invitation(invitation_by_token(token))
    invitation_check(invitation, user_id=None)
    if User.objects.filter(email=invitation.email).exists():
        raise ValidationFailed(
            "An account with this e-mail address already exists: sign in with it instead.",
            details={"email": "taken"},
            code="account_exists",
        )
    name = _plain(full_name, 200)
    if not name:
        raise ValidationFailed("Give your full name.", details={"full_name": "required"})
    creator = system_actor(f"declaration invitation {invitation.uuid}")
    user = user_create(actor=creator, email=invitation.email, full_name=name, password=password)
    return _bind(invitation, user, creator), user


def invitation_for_declarant(*, actor: Actor, uuid: str) -> DeclarationInvitation:
    """The invitation the actor was invited by: bound to their account, or sent to their address and not yet bound.

    Not read through ``visible_to``: the declarant need not belong to the organisation, and sees only this
    invitation's snapshot. Anyone else, members of the organisation included, gets NotFound (a 404).
    """
    key = parse_uuid(uuid)
    if key is None or actor.user_id is None or actor.is_staff_member:
        raise NotFound("No such invitation.")
    found = (
        DeclarationInvitation.objects.select_related("case__participation__organisation", "submission")
        .filter(uuid=key)
        .first()
    )
    email = User.objects.filter(pk=actor.user_id).values_list("email", flat=True).first()
    if found is None or not (
        found.accepted_by_id == actor.user_id
        or (found.accepted_by_id is None and email is not None and email.lower() == found.email.lower())
    ):
        raise NotFound("No such invitation.")
    return found


@transaction.atomic
def declaration_make(
    *, actor: Actor, invitation: DeclarationInvitation, position: str, confirmed: bool
) -> QadDeclaration:
    """The invited person declares, in person, on the snapshot the invitation names; the case is signed with it.

    Records the signatory's account, capacity, time and the snapshot's SHA-256 (DOMAIN.md §4 "signed", §5). Refused
    unless the case is agreed, the snapshot is still the latest Final submission, the invitation still works and the
    person confirmed. The declaration, the invitation's use and the ``sign`` step are one transaction.
    """
    invitation = _locked_invitation(invitation)
    case = _agreed_case(invitation.case_id)
    user = User.objects.filter(pk=actor.user_id, is_active=True).first() if actor.user_id is not None else None
    if user is None:
        raise NotFound("No such invitation.")
    if invitation.accepted_by_id is None and user.email.lower() == invitation.email.lower() and not user.staff_role:
        invitation_check(invitation, user_id=user.pk)
        invitation = _bind(invitation, user, actor)
    can_declare(actor, invitation.accepted_by_id).enforce()
    invitation_check(invitation, user_id=user.pk)
    if not confirmed:
        raise ValidationFailed(
            "Confirm that you have read the snapshot and make the declaration.", details={"confirm": "required"}
        )
    position_text = _plain(position, 200)
    if not position_text:
        raise ValidationFailed("Give your position in the organisation.", details={"position": "required"})
    submission: QadSubmission = invitation.submission
    try:
        declaration = QadDeclaration.objects.create(
            submission=submission,
            snapshot_sha256=submission.sha256,
            capacity=invitation.capacity,
            name=user.display_name[:200],
            position=position_text,
            email=user.email,
            statement=STATEMENT,
            recorded_by_id=user.pk,
            recorded_by_name=user.display_name[:200],
            signatory=user,
            invitation=invitation,
        )
    except IntegrityError as exc:
        raise Conflict("This snapshot already has its declaration.", code="already_declared") from exc
    invitation.declared_at = declaration.created_at
    invitation.save(update_fields=["declared_at", "updated_at"])
    audit_record(
        actor=actor,
        action="qad.declaration.make",
        target=submission,
        organisation_id=_org_id(case),
        changes={
            "signatory": user.email,
            "capacity": invitation.capacity,
            "position": position_text,
            "sha256": submission.sha256,
        },
    )
    capacity_words = DeclarationCapacity(invitation.capacity).label.lower()
    case_transition(
        actor=actor,
        case=case,
        name="sign",
        comment=f"Declared by {user.display_name} ({capacity_words}) on {submission.reference} "
        f"(sha256 {submission.sha256}).",
    )
    if invitation.invited_by_id is not None:
        notify(
            recipients=[invitation.invited_by_id],
            kind="qad.declaration_made",
            title=f"{user.display_name} declared on {submission.reference}",
            body=f"{user.display_name} ({capacity_words}) declared on {submission.reference}; {case.reference} is "
            "signed.",
            link=reverse("qad:submission", args=[submission.reference]),
            subject=case.reference,
        )
    return declaration
