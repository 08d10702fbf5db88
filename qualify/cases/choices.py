"""The states of a qualification case (DOMAIN.md §4; the state names are ours)."""

from __future__ import annotations

from django.db import models


class CaseState(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    PREQUAL_SUBMITTED = "PREQUAL_SUBMITTED", "Pre-qualification submitted"
    SCOPED = "SCOPED", "Scoped"
    PIT = "PIT", "Pre-Integration Testing"
    INITIAL_QAD_SUBMITTED = "INITIAL_QAD_SUBMITTED", "Initial QAD submitted"
    INITIAL_CLARIFICATION = "INITIAL_CLARIFICATION", "Clarification (Initial QAD)"
    TESTING = "TESTING", "Testing"
    TESTING_COMPLETE = "TESTING_COMPLETE", "Testing complete"
    FINAL_QAD_SUBMITTED = "FINAL_QAD_SUBMITTED", "Final QAD submitted"
    FINAL_CLARIFICATION = "FINAL_CLARIFICATION", "Clarification (Final QAD)"
    AGREED = "AGREED", "Agreed"
    SIGNED = "SIGNED", "Signed by a director"
    AWAITING_APPROVAL = "AWAITING_APPROVAL", "Awaiting approval"
    QUALIFIED = "QUALIFIED", "Qualified"
    SERVICE_ACTIVATION = "SERVICE_ACTIVATION", "Service activation"
    ACTIVE = "ACTIVE", "Active"
    SUSPENDED = "SUSPENDED", "Suspended"
    REVOKED = "REVOKED", "Revoked"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"
    DEFERRED = "DEFERRED", "Deferred to a later wave"
    NON_COMPLETION = "NON_COMPLETION", "Non-completion"


# Every state a case passes through before it is qualified; the side exits leave from any of these.
BEFORE_QUALIFIED = frozenset(
    {
        CaseState.DRAFT,
        CaseState.PREQUAL_SUBMITTED,
        CaseState.SCOPED,
        CaseState.PIT,
        CaseState.INITIAL_QAD_SUBMITTED,
        CaseState.INITIAL_CLARIFICATION,
        CaseState.TESTING,
        CaseState.TESTING_COMPLETE,
        CaseState.FINAL_QAD_SUBMITTED,
        CaseState.FINAL_CLARIFICATION,
        CaseState.AGREED,
        CaseState.SIGNED,
        CaseState.AWAITING_APPROVAL,
    }
)
CLOSED = frozenset({CaseState.REVOKED, CaseState.WITHDRAWN})
