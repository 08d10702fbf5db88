"""Webhook subscriptions, the outbox of events, and one delivery per event and subscription (issue 16).

``WebhookEvent`` and its ``Delivery`` rows are the outbox: ``services.emit`` writes them in the transaction of the
change they announce, so an event exists exactly when its change committed, and the background sender
(``dispatch.py``) works from these rows alone: a process that dies after the commit loses nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from qualify.core.models import PublicIdModel, VisibleQuerySet
from qualify.webhooks.choices import Audience, DeliveryStatus, EventKind


class SubscriptionQuerySet(VisibleQuerySet["Subscription"]):
    organisation_path = "organisation"

    def visible_to(self, actor: Any) -> SubscriptionQuerySet:
        """Staff as for every organisation-owned row; a participant's people their organisations'; a market system
        its own subscriptions."""
        if actor.is_authenticated and actor.is_machine and actor.user_id is not None:
            return self.filter(audience=Audience.MARKET_SYSTEM, owner_id=actor.user_id)
        return super().visible_to(actor)


class Subscription(PublicIdModel):
    """An HTTPS endpoint that hears the chosen events, signed with its own secret (Standard Webhooks style).

    A participant's subscription (``ORGANISATION``) hears only its organisation's events; a market system's hears the
    public ones (the register and consultations) for every organisation; the Programme's hears everything.
    """

    audience = models.CharField(max_length=16, choices=Audience.choices)
    organisation = models.ForeignKey(
        "participants.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who created it; for a market system, the machine account it belongs to.",
    )
    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="The event kinds chosen (EventKind values).")
    # Kept as given so deliveries can be signed: HMAC needs the secret itself. It is shown once, at creation, and
    # never again (not in pages, the API or the admin); see docs/architecture.md.
    secret = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    created_by_name = models.CharField(max_length=200)
    # One sender at a time per subscription, so deliveries go out in order: the sender holds this lease while it
    # works and renews it; a sender that died lets it lapse and the sweep starts another.
    lease_until = models.DateTimeField(null=True, blank=True)
    # A sender has been asked for and has not finished yet, so a commit need not ask for another.
    wake_queued = models.BooleanField(default=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=Audience.values),
                name="webhooks_subscription_audience_known",
                violation_error_message="A subscription belongs to a participant, a market system or the Programme.",
            ),
            models.CheckConstraint(
                condition=Q(audience=Audience.ORGANISATION, organisation__isnull=False)
                | (~Q(audience=Audience.ORGANISATION) & Q(organisation__isnull=True)),
                name="webhooks_subscription_organisation_iff_participant",
                violation_error_message="A participant's subscription names its organisation; no other does.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def event_labels(self) -> list[str]:
        return [str(EventKind(k).label) for k in self.events if k in EventKind.values]


class WebhookEvent(models.Model):
    """Something that happened, as subscribers are told it; written only when someone listens for it."""

    event_id = models.CharField(max_length=40, unique=True, help_text="The webhook-id header: msg_<32 hex>.")
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    subject = models.CharField(max_length=80, help_text="What it is about: a case, query or participation reference.")
    # Plain integer, as in the audit log: the event must outlive an organisation's removal, and it is only compared.
    organisation_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    occurred_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.event_id} {self.kind} {self.subject}"


class Delivery(PublicIdModel):
    """One event for one subscription: its attempts, the last answer and when it is tried next."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    subject = models.CharField(max_length=80, help_text="The event's subject (deliveries for it go out in order).")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    resent_at_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Attempts made before the last re-send (each re-send gets a fresh set of tries)."
    )
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_snippet = models.CharField(max_length=300, blank=True, help_text="The start of the answer, cleaned.")
    error = models.CharField(max_length=300, blank=True, help_text="Why the last attempt failed, in words.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"],
                name="webhooks_delivery_once_per_subscription",
                violation_error_message="An event is delivered once to each subscription.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values),
                name="webhooks_delivery_status_known",
                violation_error_message="A delivery is pending, delivered or failed.",
            ),
        ]
        indexes = [
            models.Index(fields=["subscription", "status", "id"], name="webhooks_delivery_queue"),
            models.Index(fields=["status", "next_attempt_at"], name="webhooks_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id_text} → {self.subscription_id} ({self.status})"

    @property
    def event_id_text(self) -> str:
        return str(self.event.event_id) if self.event_id else ""
