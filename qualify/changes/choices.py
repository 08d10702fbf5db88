"""What a qualified participant may disclose, and where a disclosure stands (our names; DOMAIN.md §4, §6)."""

from __future__ import annotations

from django.db import models

from qualify.cases.choices import CaseState


class ChangeKind(models.TextChoices):
    SYSTEMS = "SYSTEMS", "Systems"
    PROVIDER = "PROVIDER", "Software or service provider"
    PROCESSES = "PROCESSES", "Processes"
    OWNERSHIP = "OWNERSHIP", "Ownership"
    VOLUMES = "VOLUMES", "Volumes"


class DisclosureState(models.TextChoices):
    DISCLOSED = "DISCLOSED", "Disclosed"
    UNDER_ASSESSMENT = "UNDER_ASSESSMENT", "Under assessment"
    NO_REQUALIFICATION = "NO_REQUALIFICATION", "Decided: no re-qualification needed"
    REQUALIFICATION_REQUIRED = "REQUALIFICATION_REQUIRED", "Decided: re-qualification required"
    REQUALIFIED = "REQUALIFIED", "Re-qualified"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"


# Still open: the Code Bodies have not all assessed it yet.
UNDECIDED = frozenset({DisclosureState.DISCLOSED, DisclosureState.UNDER_ASSESSMENT})

# A participant discloses a change only once qualified (before that, its case itself takes the change in).
DISCLOSABLE_CASE_STATES = frozenset({CaseState.QUALIFIED, CaseState.SERVICE_ACTIVATION, CaseState.ACTIVE})

# What the register shows beside the unchanged status while a disclosure is open (participants.change_status).
REGISTER_STATUS = {
    DisclosureState.DISCLOSED: "under assessment",
    DisclosureState.UNDER_ASSESSMENT: "under assessment",
    DisclosureState.REQUALIFICATION_REQUIRED: "re-qualification in progress",
}

MAX_DESCRIPTION = 4000
MAX_REASON = 2000
MAX_SCOPE_ITEMS = 200

NOTICE_DISCLOSED = "changes.disclosed"
NOTICE_ASSESSED = "changes.assessed"
NOTICE_DECIDED = "changes.decided"
NOTICE_KINDS = {
    NOTICE_DISCLOSED: "A qualified participant disclosed a change",
    NOTICE_ASSESSED: "A Code Body assessed a disclosed change",
    NOTICE_DECIDED: "A disclosed change is decided",
}
