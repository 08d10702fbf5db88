"""The enumerations of the Programme's control room: non-completion records (QA&P Annex 4) and who acts on a step."""

from __future__ import annotations

from django.db import models


class RecordState(models.TextChoices):
    OPEN = "OPEN", "Open"
    RESOLVED = "RESOLVED", "Resolved (the case resumed)"
    SANCTIONED = "SANCTIONED", "Sanctioned"


class TriggerKind(models.TextChoices):
    """What the plan says the participant missed (DOMAIN.md §10)."""

    WAVE_DEADLINE = "WAVE_DEADLINE", "Missed wave deadline"
    SUBMISSION = "SUBMISSION", "QAD submission not made"
    M14 = "M14", "Supplier not qualified on M14"
    MANUAL = "MANUAL", "Recorded by the Programme"


class Acts(models.TextChoices):
    """Who takes a ladder step (or one of its outcomes)."""

    PARTICIPANT_LEAD = "participant_lead", "The participant's qualification lead"
    ASSESSOR = "assessor", "A Code Body assessor"
    PROGRAMME = "programme", "A programme administrator"
    BSC_PAB = "bsc_pab", "A BSC Panel (PAB) member"


class LeadsTo(models.TextChoices):
    STEP = "step", "Another step"
    RESOLVED = "resolved", "Resolved: the case resumes"
    SANCTION = "sanction", "A sanction"


class PartyKind(models.TextChoices):
    """Sanctions differ (DOMAIN.md §10): BSC parties face breach and default, agents removal or refusal."""

    BSC_PARTY = "bsc_party", "BSC party"
    AGENT = "agent", "Agent"


NOTICE_OPENED = "oversight.non_completion_opened"
NOTICE_STEP = "oversight.non_completion_step"
NOTICE_DUE_SOON = "oversight.non_completion_due_soon"
NOTICE_OVERDUE = "oversight.non_completion_overdue"
NOTICE_KINDS: dict[str, str] = {
    NOTICE_OPENED: "A non-completion record is opened on your case",
    NOTICE_STEP: "A non-completion record moves to its next step",
    NOTICE_DUE_SOON: "A non-completion step is due soon",
    NOTICE_OVERDUE: "A non-completion step is overdue",
}
# A step's people hear of it this many days before it is due (and again once it is overdue).
DUE_SOON_DAYS = 3
