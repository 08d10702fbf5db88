"""The enumerations of the QAD (DOMAIN.md §5) and the data the rules read: which codes govern which role."""

from __future__ import annotations

from django.db import models

from qualify.participants import choices as participant_choices


class Body(models.TextChoices):
    """The body that owns a QAD section or question and assesses the answers to it."""

    BSC = "BSC", "BSC (Elexon)"
    REC = "REC", "REC Code Manager"
    DIP = "DIP", "DIP Manager"


class AnswerType(models.TextChoices):
    TEXT = "text", "Text"
    YES_NO = "yes_no", "Yes or no"
    SINGLE_CHOICE = "single_choice", "One choice"
    MULTIPLE_CHOICE = "multiple_choice", "Several choices"
    DATE = "date", "Date"
    NUMBER = "number", "Number"
    TABLE = "table", "Table"


class SubmissionKind(models.TextChoices):
    INITIAL = "INITIAL", "Initial QAD"
    FINAL = "FINAL", "Final QAD"


class DeclarationCapacity(models.TextChoices):
    DIRECTOR = "DIRECTOR", "Company director"
    DELEGATE = "DELEGATE", "Delegate of a director"


class EvidenceKind(models.TextChoices):
    """What a piece of evidence is, as the QAD file names it (DOMAIN.md §5)."""

    TEST_COMPLETION_REPORT = "TEST_COMPLETION_REPORT", "Test Completion Report"
    RTTM = "RTTM", "Requirements-to-Test Traceability Matrix"
    PROCEDURE = "PROCEDURE", "Procedure"
    CONTROL = "CONTROL", "Control description"
    GOVERNANCE = "GOVERNANCE", "Governance record"
    TEST_EVIDENCE = "TEST_EVIDENCE", "Test evidence"
    PLAN = "PLAN", "Plan"
    OTHER = "OTHER", "Other"


# Approvals needed, by role (published; DOMAIN.md §2): a role is qualified only when every body listed has approved.
# The table lives with the market roles (``participants.choices``), below the QAD and the case lifecycle, which read
# it too: a question is assessed by its owner only for the roles its owner approves (docs/qad-format.md "Ownership and
# advisory questions"). ``assessment.choices`` re-exports it.
APPROVALS_BY_ROLE: dict[str, tuple[str, ...]] = participant_choices.APPROVALS_BY_ROLE

# Which codes govern each market role: the approvals above without the DIP Manager, which assures connection but is
# not a code. A Final QAD declaration may be made by a delegate only when every role in scope is governed by the REC
# alone (DOMAIN.md §4 "signed").
GOVERNING_CODES: dict[str, frozenset[str]] = {
    role: frozenset(str(body) for body in bodies if body != Body.DIP) for role, bodies in APPROVALS_BY_ROLE.items()
}

# Evidence files accepted, by extension, and the content kind each extension must hold.
EVIDENCE_EXTENSIONS: dict[str, str] = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "csv": "text",
    "txt": "text",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "zip": "zip",
}
