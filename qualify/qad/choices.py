"""The enumerations of the QAD (DOMAIN.md §5) and the data the rules read: which codes govern which role."""

from __future__ import annotations

from django.db import models


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


# Which codes govern each market role (DOMAIN.md §2 "approvals needed, by role", without the DIP Manager, which
# assures connection but is not a code). A Final QAD declaration may be made by a delegate only when every role in
# scope is governed by the REC alone (DOMAIN.md §4 "signed").
GOVERNING_CODES: dict[str, frozenset[str]] = {
    "SUPPLIER": frozenset({"BSC", "REC"}),
    "LDSO": frozenset({"BSC", "REC"}),
    "MEM": frozenset({"REC"}),
    "SDS": frozenset({"BSC"}),
    "ADS": frozenset({"BSC"}),
    "UMSDS": frozenset({"BSC"}),
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
