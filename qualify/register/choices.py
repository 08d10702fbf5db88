from __future__ import annotations

from django.db import models


class RegisterEventKind(models.TextChoices):
    QUALIFIED = "QUALIFIED", "Qualified"
    SERVICE_ACTIVATED = "SERVICE_ACTIVATED", "Service activated"
    SUSPENDED = "SUSPENDED", "Suspended"
    REINSTATED = "REINSTATED", "Reinstated"
    REVOKED = "REVOKED", "Revoked"


class RegisterEventSource(models.TextChoices):
    CASE = "CASE", "Qualification case"
    IMPORT = "IMPORT", "Register import"


class RegisterState(models.TextChoices):
    NOT_QUALIFIED = "NOT_QUALIFIED", "Not qualified"
    QUALIFIED = "QUALIFIED", "Qualified, service not yet activated"
    OPERATIONAL = "OPERATIONAL", "Operational"
    SUSPENDED = "SUSPENDED", "Suspended"
    REVOKED = "REVOKED", "Revoked"


# On one date, events are taken in this order: a same-day revocation outranks a qualification, a same-day
# activation counts as after the qualification, and a same-day reinstatement outranks a suspension.
SAME_DAY_ORDER: dict[str, int] = {
    RegisterEventKind.QUALIFIED: 0,
    RegisterEventKind.SERVICE_ACTIVATED: 1,
    RegisterEventKind.SUSPENDED: 2,
    RegisterEventKind.REINSTATED: 3,
    RegisterEventKind.REVOKED: 4,
}
