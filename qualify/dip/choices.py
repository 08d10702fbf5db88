"""Fixed values of DIP message validation."""

from __future__ import annotations

from django.db import models

from qualify.core.roles import StaffRole


class Outcome(models.TextChoices):
    VALID = "valid", "Valid"
    INVALID = "invalid", "Invalid"
    UNREADABLE = "unreadable", "Not readable"


# The DIP Manager's people: their specifications are programme-wide, for every participant to validate against.
DIP_STAFF_ROLES = frozenset({StaffRole.DIP_ASSESSOR, StaffRole.DIP_DECISION_MAKER})
DETECT = ""  # the schema choice meaning "find which schema each message matches"
