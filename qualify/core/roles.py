"""Who a person is to the platform: a staff role at a Code Body or the Programme, or a member of a participant.

These are the roles of DOMAIN.md §2. Staff roles belong to a person; participant roles belong to a membership of
one organisation, so one person could in principle lead one company and view another. A machine role (a market
system) is kept in the same field but is not a staff role: ``HUMAN_STAFF_ROLES`` and ``MACHINE_ROLES`` below are the
one place that tells them apart.
"""

from __future__ import annotations

from django.db import models


class StaffRole(models.TextChoices):
    NONE = "", "Not staff"
    BSC_ASSESSOR = "BSC_ASSESSOR", "BSC assessor (Elexon)"
    REC_ASSESSOR = "REC_ASSESSOR", "REC assessor (REC Code Manager)"
    DIP_ASSESSOR = "DIP_ASSESSOR", "DIP Manager assessor"
    DIP_DECISION_MAKER = "DIP_DECISION_MAKER", "DIP Manager decision-maker"
    BSC_PAB_MEMBER = "BSC_PAB_MEMBER", "BSC Panel (PAB) member"
    REC_DECISION_MAKER = "REC_DECISION_MAKER", "REC decision-maker (REC Code Manager / REC PAB)"
    QAG_MEMBER = "QAG_MEMBER", "QAG member"
    PROGRAMME_ADMIN = "PROGRAMME_ADMIN", "Programme administrator"
    AUDITOR = "AUDITOR", "Read-only auditor"
    MARKET_SYSTEM = "MARKET_SYSTEM", "Market system (machine client)"


class MembershipRole(models.TextChoices):
    LEAD = "LEAD", "Qualification lead"
    CONTRIBUTOR = "CONTRIBUTOR", "Contributor"
    VIEWER = "VIEWER", "Viewer"


ASSESSOR_ROLES = frozenset({StaffRole.BSC_ASSESSOR, StaffRole.REC_ASSESSOR, StaffRole.DIP_ASSESSOR})
# Each approving body's decisions are its own (DOMAIN.md §6): the staff role that records them, by Code Body
# (the ``qad.choices.Body`` values). A programme administrator records none of them.
DECIDER_BODY: dict[str, str] = {
    StaffRole.DIP_DECISION_MAKER: "DIP",
    StaffRole.BSC_PAB_MEMBER: "BSC",
    StaffRole.REC_DECISION_MAKER: "REC",
}
DECIDER_ROLES = frozenset({*DECIDER_BODY, StaffRole.QAG_MEMBER})
# The people of the Programme and the Code Bodies (assessors, decision-makers, administrators, auditors): staff.
HUMAN_STAFF_ROLES = frozenset({*ASSESSOR_ROLES, *DECIDER_ROLES, StaffRole.PROGRAMME_ADMIN, StaffRole.AUDITOR})
# Machine clients (a market system's API token). Not staff: a machine reads the register, asks for gating decisions
# and fetches the public library, and sees nothing else (no answers, submissions, evidence, comments or cases).
MACHINE_ROLES = frozenset({StaffRole.MARKET_SYSTEM})
# Who sees every participant's rows (DOMAIN.md: assessors see every participant; participants only their own): the
# human staff, never a machine.
ALL_SEEING_ROLES = HUMAN_STAFF_ROLES
