"""Creating people and tokens, and authenticating tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialApp
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify

from qualify.accounts.models import ApiToken, IdentityProvider, IdentityProviderDomain, TokenScope, User
from qualify.audit.services import audit_record
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import NotFound, ValidationFailed
from qualify.core.ids import parse_uuid
from qualify.core.permissions import Decision, deny
from qualify.core.roles import HUMAN_STAFF_ROLES, MACHINE_ROLES, StaffRole
from qualify.core.text import one_line

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


# --- Single sign-on: identity providers (issue 16) -------------------------------------------------------------

OPENID_CONNECT = "openid_connect"  # allauth's provider type for every identity provider here
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_LOOPBACK_NAMES = {"localhost"}


def can_manage_identity_providers(actor: Actor) -> Decision:
    """Only a programme administrator configures single sign-on: it decides who may sign in as whom."""
    if actor.is_programme_admin:
        return Decision(True)
    return deny("Only a programme administrator can configure single sign-on.")


def _domains(raw: list[str]) -> list[str]:
    """The e-mail domains, lower-cased and checked; at least one, each once."""
    domains: list[str] = []
    for item in raw:
        domain = one_line(item, limit=260).lower().removeprefix("@").rstrip(".")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise ValidationFailed(
                f"“{domain[:80]}” is not an e-mail domain (like example.co.uk).", details={"domains": "invalid"}
            )
        if domain not in domains:
            domains.append(domain)
    if not domains:
        raise ValidationFailed("Name at least one e-mail domain.", details={"domains": "required"})
    return domains


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _server_url(raw: str) -> str:
    """The provider's issuer address. HTTPS, since the sign-in trusts what the provider answers on it; plain HTTP
    only on this machine's loopback (a provider started by a test or a developer)."""
    url = one_line(raw, limit=500).removesuffix("/.well-known/openid-configuration").rstrip("/")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or parts.query or parts.fragment or parts.username:
        raise ValidationFailed(
            "Give the provider's issuer address, like https://login.example.com.", details={"server_url": "invalid"}
        )
    if parts.scheme == "http" and not _is_loopback(host):
        raise ValidationFailed("The provider's address must start with https://.", details={"server_url": "insecure"})
    return url


def _client_id(raw: str) -> str:
    client_id = one_line(raw, limit=191)
    if not client_id:
        raise ValidationFailed("Give the client id the provider issued.", details={"client_id": "required"})
    return client_id


def _name(raw: str) -> str:
    name = one_line(raw, limit=40)
    if not name:
        raise ValidationFailed("Give the provider a name people recognise.", details={"name": "required"})
    return name


def _free_slug(name: str) -> str:
    base = (slugify(name) or "provider")[:40]
    slug, n = base, 1
    while IdentityProvider.objects.filter(slug=slug).exists() or SocialApp.objects.filter(provider_id=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _set_domains(provider: IdentityProvider, domains: list[str]) -> None:
    taken = (
        IdentityProviderDomain.objects.filter(domain__in=domains)
        .exclude(provider=provider)
        .select_related("provider")
        .first()
    )
    if taken is not None:
        raise ValidationFailed(
            f"{taken.domain} already signs in through {taken.provider.name}.", details={"domains": "taken"}
        )
    provider.domains.exclude(domain__in=domains).delete()
    have = set(provider.domains.values_list("domain", flat=True))
    IdentityProviderDomain.objects.bulk_create(
        [IdentityProviderDomain(provider=provider, domain=d) for d in domains if d not in have]
    )


def _audit_identity_provider(actor: Actor, action: str, provider: IdentityProvider, **extra: object) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=provider,
        organisation_id=None,
        changes={
            "name": provider.name,
            "domains": sorted(provider.domains.values_list("domain", flat=True)),
            "server_url": provider.server_url,
            "client_id": provider.app.client_id,
            "enabled": provider.enabled,
            **extra,  # never the client secret: only whether it changed
        },
    )


@transaction.atomic
def identity_provider_create(
    *, actor: Actor, name: str, domains: list[str], server_url: str, client_id: str, client_secret: str
) -> IdentityProvider:
    """Configure single sign-on for the people of ``domains``. The secret is stored for allauth and never shown."""
    can_manage_identity_providers(actor).enforce()
    name, clean_domains = _name(name), _domains(domains)
    url, cid = _server_url(server_url), _client_id(client_id)
    secret = client_secret.strip()
    if not secret or len(secret) > 191:
        raise ValidationFailed("Give the client secret the provider issued.", details={"client_secret": "required"})
    slug = _free_slug(name)
    app = SocialApp.objects.create(
        provider=OPENID_CONNECT,
        provider_id=slug,
        name=name,
        client_id=cid,
        secret=secret,
        # PKCE on top of the client secret; the identity is read from the provider's userinfo answer.
        settings={"server_url": url, "oauth_pkce_enabled": True},
    )
    provider = IdentityProvider.objects.create(name=name, slug=slug, app=app)
    _set_domains(provider, clean_domains)
    _audit_identity_provider(
        actor,
        "accounts.identity_provider.create",
        provider,
        client_secret="set",  # noqa: S106  (a marker, not a secret)
    )
    return provider


@transaction.atomic
def identity_provider_update(
    *,
    actor: Actor,
    provider: IdentityProvider,
    name: str,
    domains: list[str],
    server_url: str,
    client_id: str,
    client_secret: str = "",
) -> IdentityProvider:
    """Change a provider's name, domains, address or client; an empty ``client_secret`` keeps the stored one."""
    can_manage_identity_providers(actor).enforce()
    provider = IdentityProvider.objects.select_for_update().select_related("app").get(pk=provider.pk)
    name, clean_domains = _name(name), _domains(domains)
    url, cid = _server_url(server_url), _client_id(client_id)
    secret = client_secret.strip()
    if len(secret) > 191:
        raise ValidationFailed("That client secret is too long.", details={"client_secret": "too_long"})
    app = provider.app
    app.name, app.client_id = name, cid
    app.settings = {**app.settings, "server_url": url}
    if secret:
        app.secret = secret
    app.save()
    provider.name = name
    provider.save(update_fields=["name", "updated_at"])
    _set_domains(provider, clean_domains)
    _audit_identity_provider(
        actor, "accounts.identity_provider.update", provider, client_secret="changed" if secret else "kept"
    )
    return provider


@transaction.atomic
def identity_provider_set_enabled(*, actor: Actor, provider: IdentityProvider, enabled: bool) -> IdentityProvider:
    """Switch single sign-on through ``provider`` off (its people sign in with a password meanwhile) or back on."""
    can_manage_identity_providers(actor).enforce()
    provider = IdentityProvider.objects.select_for_update().select_related("app").get(pk=provider.pk)
    if provider.enabled != enabled:
        provider.enabled = enabled
        provider.save(update_fields=["enabled", "updated_at"])
        action = "accounts.identity_provider.enable" if enabled else "accounts.identity_provider.disable"
        _audit_identity_provider(actor, action, provider)
    return provider


def identity_provider_list(*, actor: Actor) -> QuerySet[IdentityProvider]:
    can_manage_identity_providers(actor).enforce()
    return IdentityProvider.objects.select_related("app").prefetch_related("domains").order_by("name")


def identity_provider_get(*, actor: Actor, uuid: str) -> IdentityProvider:
    """One provider, for its administrator; anyone else is told it does not exist."""
    public_id = parse_uuid(uuid)
    if public_id is None or not can_manage_identity_providers(actor).allowed:
        raise NotFound("No such identity provider.")
    provider = IdentityProvider.objects.select_related("app").prefetch_related("domains").filter(uuid=public_id).first()
    if provider is None:
        raise NotFound("No such identity provider.")
    return provider


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower().rstrip(".")


def identity_provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider that signs in the people of ``email``'s domain, if any (the sign-in page asks)."""
    domain = email_domain(email)
    if not domain or "@" not in email:
        return None
    return IdentityProvider.objects.select_related("app").filter(enabled=True, domains__domain=domain).first()
