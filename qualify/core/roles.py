"""Who a person is to the platform: a staff role at a Code Body or the Programme, or a member of a participant.

These are the roles of DOMAIN.md §2. Staff roles belong to a person; participant roles belong to a membership of
one organisation, so one person could in principle lead one company and view another.
"""

from __future__ import annotations

from django.db import models


class StaffRole(models.TextChoices):
    NONE = "", "Not staff"
    BSC_ASSESSOR = "BSC_ASSESSOR", "BSC assessor (Elexon)"
    REC_ASSESSOR = "REC_ASSESSOR", "REC assessor (REC Code Manager)"
    DIP_ASSESSOR = "DIP_ASSESSOR", "DIP Manager assessor"
    BOARD_MEMBER = "BOARD_MEMBER", "Board member"
    PROGRAMME_ADMIN = "PROGRAMME_ADMIN", "Programme administrator"
    AUDITOR = "AUDITOR", "Read-only auditor"
    MARKET_SYSTEM = "MARKET_SYSTEM", "Market system (machine client)"


class MembershipRole(models.TextChoices):
    LEAD = "LEAD", "Qualification lead"
    CONTRIBUTOR = "CONTRIBUTOR", "Contributor"
    VIEWER = "VIEWER", "Viewer"


ASSESSOR_ROLES = frozenset({StaffRole.BSC_ASSESSOR, StaffRole.REC_ASSESSOR, StaffRole.DIP_ASSESSOR})
# Staff who see every participant (DOMAIN.md: assessors see every participant; participants only their own).
ALL_SEEING_ROLES = frozenset(
    {
        *ASSESSOR_ROLES,
        StaffRole.BOARD_MEMBER,
        StaffRole.PROGRAMME_ADMIN,
        StaffRole.AUDITOR,
        StaffRole.MARKET_SYSTEM,
    }
)
