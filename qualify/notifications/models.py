"""In-app notices and each person's choice of which ones also arrive by e-mail (issue 4, notifications).

Generic: any app calls ``services.notify``; nothing here knows about a domain app. A notification belongs to one
person, so even all-seeing staff see only their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models

from qualify.core.models import PublicIdModel, TimestampedModel
from qualify.notifications.choices import kind_label

if TYPE_CHECKING:
    from qualify.core.actor import Actor


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, actor: Actor) -> Self:
        """A person's own notices only, whatever their staff role: an inbox is personal."""
        if not actor.is_authenticated or actor.user_id is None:
            return self.none()
        return self.filter(recipient_id=actor.user_id)


class Notification(PublicIdModel):
    """One notice to one person. ``email_sent_at`` makes the e-mail task idempotent: it is sent at most once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=80, db_index=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="A path inside the site, e.g. /library/…")
    subject = models.CharField(
        max_length=40, blank=True, help_text="The reference of what the notice is about, e.g. a case's QC-000123."
    )
    read_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx"),
            models.Index(fields=["recipient", "subject"], name="notification_subject_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=""),
                name="notification_kind_present",
                violation_error_message="A notification needs a kind.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


class NotificationPreference(TimestampedModel):
    """Whether a person wants e-mails of one kind. No row means yes: e-mail is on by default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=80)
    email = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                name="notification_preference_one_per_kind",
                violation_error_message="This person already has a preference for this kind.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'e-mail' if self.email else 'in-app only'}"
