"""Creating people and tokens, and authenticating tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from qualify.accounts.models import ApiToken, TokenScope, User
from qualify.audit.services import audit_record
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import NotFound, ValidationFailed
from qualify.core.ids import parse_uuid
from qualify.core.permissions import Decision, deny
from qualify.core.roles import HUMAN_STAFF_ROLES, MACHINE_ROLES, StaffRole

TOKEN_PREFIX = "qfy_"  # noqa: S105  (a public marker that lets secret scanners spot our tokens)
# How long a person's own token may last (days): offered as 30, 90 (the default) or 365 days, or never for
# participant people. Programme and Code Body staff see every participant's data, so their tokens must expire.
TOKEN_EXPIRY_DAYS = (30, 90, 365)
TOKEN_DEFAULT_EXPIRY_DAYS = 90
TOKEN_MAX_DAYS = 365
LAST_USE_EVERY = dt.timedelta(minutes=1)  # last use is written at most this often per token


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    email: str,
    full_name: str,
    password: str | None = None,
    staff_role: str = StaffRole.NONE,
    is_machine: bool = False,
    is_staff: bool = False,
) -> User:
    """Create a person or machine client. Only a programme administrator (or a command) may."""
    if not actor.is_programme_admin:
        deny("Only a programme administrator can create accounts.").enforce()
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationFailed(f"An account for {email} already exists.", details={"email": "taken"})
    if staff_role not in StaffRole.values:
        raise ValidationFailed(f"Unknown staff role {staff_role!r}.", details={"staff_role": "unknown"})
    if staff_role in MACHINE_ROLES and not is_machine:
        raise ValidationFailed(
            "A market system is a machine client: create it as one (a token, no password).",
            details={"is_machine": "required"},
        )
    if is_machine and password is not None:
        raise ValidationFailed("A machine client never signs in: it has no password.", details={"password": "machine"})
    if password is not None:
        try:
            validate_password(password, User(email=email, full_name=full_name))
        except DjangoValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), details={"password": exc.messages}) from exc
    user = User.objects.create_user(
        email, password, full_name=full_name, staff_role=staff_role, is_machine=is_machine, is_staff=is_staff
    )
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action="accounts.user.create",
        target=user,
        organisation_id=None,
        changes={"email": email, "staff_role": staff_role, "is_machine": is_machine},
    )
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def can_manage_tokens(actor: Actor, user: User) -> Decision:
    if actor.user_id == user.pk or actor.is_programme_admin:
        return Decision(True)
    return deny("You can only manage your own API tokens.")


def token_may_never_expire(user: User) -> bool:
    """Whether a person may give their own token no expiry: not Programme or Code Body staff (they see everyone)."""
    return user.staff_role not in HUMAN_STAFF_ROLES


def token_expiry(days: int | None) -> dt.datetime | None:
    """The expiry of a token issued now that lasts ``days`` (None: never)."""
    return None if days is None else clock.now() + dt.timedelta(days=days)


@transaction.atomic
def api_token_create(
    *,
    actor: Actor,
    user: User,
    name: str,
    expires_at: dt.datetime | None = None,
    scope: str = TokenScope.FULL,
) -> IssuedToken:
    """Issue a token for ``user``; the secret is returned once and never stored.

    The scope narrows what the token may be used for (``accounts.permissions.token_scope_allows``). A person's own
    token lasts at most ``TOKEN_MAX_DAYS``, and a staff member's must expire; a programme administrator or a command
    issuing a machine client's token chooses freely (the Programme rotates those).
    """
    can_manage_tokens(actor, user).enforce()
    if not name.strip():
        raise ValidationFailed("Give the token a name so you can recognise it later.", details={"name": "required"})
    if scope not in TokenScope.values:
        raise ValidationFailed(f"Unknown token scope {scope!r}.", details={"scope": "unknown"})
    now = clock.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed("A token's expiry must be in the future.", details={"expires_at": "past"})
    if actor.user_id == user.pk:
        if expires_at is None and not token_may_never_expire(user):
            raise ValidationFailed(
                f"Programme and Code Body staff's tokens must expire, within {TOKEN_MAX_DAYS} days.",
                details={"expires_at": "required"},
            )
        if expires_at is not None and expires_at > now + dt.timedelta(days=TOKEN_MAX_DAYS):
            raise ValidationFailed(
                f"A token may last at most {TOKEN_MAX_DAYS} days.", details={"expires_at": "too_late"}
            )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=secret[:12],
        digest=_digest(secret),
        expires_at=expires_at,
        scope=scope,
    )
    audit_record(
        actor=actor,
        action="accounts.api_token.create",
        target=token,
        organisation_id=None,
        changes={
            "user": user.email,
            "name": token.name,
            "scope": scope,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    can_manage_tokens(actor, token.user).enforce()
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.api_token.revoke", target=token, organisation_id=None, changes={})
    return token


def api_token_check(secret: str) -> ApiToken | None:
    """The usable token (with its active user) a bearer secret belongs to, or None.

    Records the token's last use as now, at most once every ``LAST_USE_EVERY``: every authentication that reads the
    token comes through here (the API's cache and the register's hot read re-read it at most every few seconds).
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(secret)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_authenticate(secret: str) -> User | None:
    """The active user a bearer secret belongs to, or None (``api_token_check``, without the token)."""
    token = api_token_check(secret)
    return None if token is None else token.user


def api_token_get(*, actor: Actor, uuid: str) -> ApiToken:
    public_id = parse_uuid(uuid)
    token = ApiToken.objects.select_related("user").filter(uuid=public_id).first() if public_id else None
    if token is None or not can_manage_tokens(actor, token.user).allowed:
        raise NotFound("No such token.")
    return token
