"""The enumerations the library's rules use (DOMAIN.md §9)."""

from __future__ import annotations

from django.db import models


class VersionStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    IN_CONSULTATION = "IN_CONSULTATION", "In consultation"
    APPROVED = "APPROVED", "Approved by the Programme"
    BASELINED = "BASELINED", "Baselined"
    SUPERSEDED = "SUPERSEDED", "Superseded"


# Versions anyone may see and download, signed in or not: the published record.
PUBLISHED = frozenset({VersionStatus.BASELINED, VersionStatus.SUPERSEDED})
# Versions every signed-in person may see: the papers being consulted on or awaiting governance, and the record.
RELEASED = frozenset({VersionStatus.IN_CONSULTATION, VersionStatus.APPROVED, *PUBLISHED})


class GoverningBody(models.TextChoices):
    QAG = "QAG", "QAG (Qualification Advisory Group)"
    BSC_PAB = "BSC_PAB", "BSC Performance Assurance Board"
    REC_PAB = "REC_PAB", "REC Performance Assurance Board"


# How the governance bodies are called in running text and refusals.
BODY_SHORT_NAMES: dict[str, str] = {
    GoverningBody.QAG: "QAG",
    GoverningBody.BSC_PAB: "the BSC PAB",
    GoverningBody.REC_PAB: "the REC PAB",
}


class GovernanceDecision(models.TextChoices):
    APPROVE = "APPROVE", "Approve"
    REJECT = "REJECT", "Reject"
    DEFER = "DEFER", "Defer"


class FileKind(models.TextChoices):
    CLEAN = "CLEAN", "Clean"
    REDLINE = "REDLINE", "Red-lined"


class FileType(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word document"
    XLSX = "xlsx", "Excel workbook"


CONTENT_TYPES: dict[str, str] = {
    FileType.PDF: "application/pdf",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ConsultationStatus(models.TextChoices):
    """Derived from the clock against the consultation's window; never stored."""

    UPCOMING = "UPCOMING", "Not yet open"
    OPEN = "OPEN", "Open"
    CLOSED = "CLOSED", "Closed"


class CommentStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    SUBMITTED = "SUBMITTED", "Submitted"


class CommentCategory(models.TextChoices):
    TYPO = "TYPO", "Typographical / editorial"
    CLARIFICATION = "CLARIFICATION", "Clarification"
    SUBSTANTIVE = "SUBSTANTIVE", "Substantive"
    QUESTION = "QUESTION", "Question"


class CommentOutcome(models.TextChoices):
    """The answer to a comment in the consolidated comments log."""

    ACCEPTED = "ACCEPTED", "Accepted"
    PARTIALLY_ACCEPTED = "PARTIALLY_ACCEPTED", "Partially accepted"
    REJECTED = "REJECTED", "Rejected"
    NOTED = "NOTED", "Noted"


class AnsweringBody(models.TextChoices):
    """Who answers comments in the consolidated comments log: the Programme and the Code Bodies (DOMAIN.md §9)."""

    PROGRAMME = "PROGRAMME", "The Programme"
    BSC = "BSC", "Elexon (BSC)"
    REC = "REC", "REC Code Manager"
    DIP = "DIP", "DIP Manager"


# The subtype under which a consolidated comments log is listed in the library (as the Programme lists them).
COMMENTS_LOG_SUBTYPE = "Supporting Document"

# Notification kinds the library sends (registered with their labels in apps.py).
NOTICE_CONSULTATION_OPENED = "library.consultation_opened"
NOTICE_CONSULTATION_CLOSING = "library.consultation_closing"
NOTICE_VERSION_BASELINED = "library.version_baselined"
