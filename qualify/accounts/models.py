"""People who sign in, and the API tokens that people and machine clients use."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from qualify.core.roles import StaffRole


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("staff_role", StaffRole.PROGRAMME_ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person (or a machine client) who signs in with an e-mail address.

    ``staff_role`` places Code Body and Programme staff; participant people have no staff role and belong to
    organisations through memberships (participants app).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    staff_role = models.CharField(max_length=32, choices=StaffRole.choices, blank=True, default=StaffRole.NONE)
    is_machine = models.BooleanField(
        default=False, help_text="A market system that uses the API with a token and never signs in."
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May open the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class TokenScope(models.TextChoices):
    """What a token may be used for, within what its user may do: a scope only ever narrows, never widens.

    ``READ``: the safe methods (GET, HEAD, OPTIONS) of any operation the user may call. ``REGISTER_GATING``: the
    operations that serve market systems (those that admit machine clients, ``accounts.api_auth``: the register,
    gating, the webhooks and the public library's reads), any method. ``FULL``: everything the user may do.
    """

    READ = "READ", "Read only"
    REGISTER_GATING = "REGISTER_GATING", "Register and gating only"
    FULL = "FULL", "Full access"


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 digest is stored; the secret is shown once, when it is created.

    Its ``scope`` (fixed at creation) narrows what the token may be used for; its ``expires_at`` ends it.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise a token in lists.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(
        max_length=20,
        choices=TokenScope.choices,
        default=TokenScope.FULL,
        help_text="What the token may be used for, within what its user may do.",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def state(self) -> str:
        """``revoked``, ``expired`` or ``active``, as the tokens page shows it."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_usable else "expired"


class IdentityProvider(models.Model):
    """An organisation's OpenID Connect identity provider, for single sign-on (issue 16, "Identity").

    A programme administrator configures it for one or more e-mail domains: a person whose e-mail is at one of them
    may sign in through it, as the account that already exists here for that e-mail. The provider proves who the
    person is and nothing else: it never creates an account, a membership or a role (``accounts.sso``).

    The client credentials and the provider's address are kept in allauth's ``SocialApp`` (``app``), which allauth
    reads when it runs the sign-in; ``slug`` is that app's ``provider_id`` and so part of the redirect address given
    to the provider, and never changes. A disabled provider keeps its configuration but signs no one in.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=40, help_text="As people see it: “Sign in with …”.")
    slug = models.SlugField(max_length=50, unique=True, editable=False)
    app = models.OneToOneField(
        "socialaccount.SocialApp", on_delete=models.PROTECT, related_name="qualify_identity_provider"
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def server_url(self) -> str:
        return str(self.app.settings.get("server_url", ""))


class IdentityProviderDomain(models.Model):
    """An e-mail domain whose people sign in through ``provider``. A domain belongs to one provider at most."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"],
                name="identity_provider_domain_unique",
                violation_error_message="This e-mail domain already has an identity provider.",
            )
        ]

    def __str__(self) -> str:
        return self.domain
