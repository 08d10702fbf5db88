"""The enumerations Qualification Testing's rules use (DOMAIN.md §3, §10a).

Batches and optional functions are not here: each catalogue version lists its own (docs/qt-catalogue-format.md), as
the Programme renames and adds them between versions.
"""

from __future__ import annotations

from django.db import models

from qualify.participants.choices import ExemptionKind
from qualify.plan.choices import Segment


class MinimumSet(models.TextChoices):
    """The two minimum sets the published catalogue defines; they run before any other test case (DOMAIN.md §10a).

    Our reading, stated in docs/qt-catalogue-format.md: a case in the "no reliance" set is run whatever reliance was
    accepted; a case in the "partial reliance" set is run unless reliance covering it was accepted in full.
    """

    NO_RELIANCE = "NO_RELIANCE", "No reliance minimum set"
    PARTIAL_RELIANCE = "PARTIAL_RELIANCE", "Partial reliance minimum set"


class RelianceOutcome(models.TextChoices):
    """What the Code Bodies decided on a Placing Reliance proposal (DOMAIN.md §3)."""

    ACCEPTED = "ACCEPTED", "Accepted"
    PARTLY_ACCEPTED = "PARTLY_ACCEPTED", "Partly accepted"
    REFUSED = "REFUSED", "Refused"


class ScopeReason(models.TextChoices):
    """Why a catalogue case is in or out of a participant's required set: one reason per case, the first that
    applies in the order below (scope.required_set)."""

    ROLE = "ROLE", "Role"
    ROUTE = "ROUTE", "Route"
    EXEMPTION = "EXEMPTION", "Exemption"
    OPTIONAL_FUNCTION = "OPTIONAL_FUNCTION", "Optional function not sought"
    RELIANCE = "RELIANCE", "Reliance"
    MINIMUM_SET = "MINIMUM_SET", "Minimum set"
    IN_SCOPE = "IN_SCOPE", "In scope for the role and route"


# Which segments an exemption takes out of scope: a case whose every segment is listed is removed (DOMAIN.md §3: the
# advanced-only Supplier's smart-segment exemption, BSC P476, removes smart-segment tests). Data, not a rule in code.
EXEMPTED_SEGMENTS: dict[str, frozenset[str]] = {
    ExemptionKind.SMART_SEGMENT: frozenset({Segment.SMART}),
}

# Routes on which the catalogue's cases are run. A SIT-route participant's SIT exit evidence stands in for QT.
QT_ROUTES = ("QT", "NEW_ENTRANT")
