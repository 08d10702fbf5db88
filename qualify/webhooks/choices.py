"""The events a subscriber may choose, who may choose which, and the states of a delivery."""

from __future__ import annotations

from django.db import models


class EventKind(models.TextChoices):
    """What a webhook announces. The values are the ``type`` of the delivered body and never change."""

    REGISTER_QUALIFIED = "register.qualified", "Register: qualified"
    REGISTER_SERVICE_ACTIVATED = "register.service_activated", "Register: service activated"
    REGISTER_SUSPENDED = "register.suspended", "Register: suspended"
    REGISTER_REINSTATED = "register.reinstated", "Register: reinstated"
    REGISTER_REVOKED = "register.revoked", "Register: qualification revoked"
    CASE_STATE_CHANGED = "case.state_changed", "A qualification case changed state"
    QUERY_RAISED = "query.raised", "A query was raised"
    QUERY_ANSWERED = "query.answered", "A query was answered"
    DECISION_RECORDED = "decision.recorded", "A decision was recorded"
    CONSULTATION_OPENED = "consultation.opened", "A consultation opened"
    CONSULTATION_CLOSING = "consultation.closing", "A consultation is closing soon"


# The register is published to the market (DOMAIN.md §11) and consultations are public: a market system may hear of
# those. Cases, queries and decisions are a participant's own business: its organisation and the Programme only.
PUBLIC_KINDS = frozenset(
    {
        EventKind.REGISTER_QUALIFIED,
        EventKind.REGISTER_SERVICE_ACTIVATED,
        EventKind.REGISTER_SUSPENDED,
        EventKind.REGISTER_REINSTATED,
        EventKind.REGISTER_REVOKED,
        EventKind.CONSULTATION_OPENED,
        EventKind.CONSULTATION_CLOSING,
    }
)
REGISTER_KINDS = {
    "QUALIFIED": EventKind.REGISTER_QUALIFIED,
    "SERVICE_ACTIVATED": EventKind.REGISTER_SERVICE_ACTIVATED,
    "SUSPENDED": EventKind.REGISTER_SUSPENDED,
    "REINSTATED": EventKind.REGISTER_REINSTATED,
    "REVOKED": EventKind.REGISTER_REVOKED,
}


class Audience(models.TextChoices):
    """Whose subscription it is, which decides which events reach it."""

    ORGANISATION = "ORGANISATION", "A participant (its own organisation's events)"
    MARKET_SYSTEM = "MARKET_SYSTEM", "A market system (register and consultations)"
    PROGRAMME = "PROGRAMME", "The Programme (every event)"


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", "Waiting to be sent"
    DELIVERED = "DELIVERED", "Delivered"
    FAILED = "FAILED", "Failed (gave up)"
