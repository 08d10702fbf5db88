"""The vocabulary of assessment and approval (DOMAIN.md §2, §6) and the data the rules read.

Which bodies must approve a role is published reference data, kept as a table rather than in code paths: the table
(``APPROVALS_BY_ROLE``) lives in ``qualify/participants/choices.py``, below this app, because the case lifecycle and
the QAD's rules read it too, and is re-exported here.
"""

from __future__ import annotations

from django.db import models

from qualify.core.roles import DECIDER_BODY, StaffRole
from qualify.qad.choices import APPROVALS_BY_ROLE, Body


class Outcome(models.TextChoices):
    """A reviewer's view of one answer in a submission."""

    SATISFACTORY = "SATISFACTORY", "Satisfactory"
    QUERY = "QUERY", "Query"
    NOT_SATISFACTORY = "NOT_SATISFACTORY", "Not satisfactory"


class QueryState(models.TextChoices):
    OPEN = "OPEN", "With the participant"
    ANSWERED = "ANSWERED", "Answered, with the reviewer"
    CLOSED = "CLOSED", "Closed"


class QueryMessageKind(models.TextChoices):
    RAISED = "RAISED", "Raised"
    ANSWER = "ANSWER", "Answer"
    FOLLOW_UP = "FOLLOW_UP", "Follow-up"
    CLOSED = "CLOSED", "Closed"


class FindingState(models.TextChoices):
    OPEN = "OPEN", "Open, work-off plan needed"
    PLAN_PROPOSED = "PLAN_PROPOSED", "Work-off plan proposed"
    PLAN_AGREED = "PLAN_AGREED", "Work-off plan agreed"
    CLOSED = "CLOSED", "Closed"


class Severity(models.TextChoices):
    HIGH = "HIGH", "High"
    MEDIUM = "MEDIUM", "Medium"
    LOW = "LOW", "Low"


class Recommendation(models.TextChoices):
    APPROVE = "APPROVE", "Approve"
    APPROVE_WITH_CONDITIONS = "APPROVE_WITH_CONDITIONS", "Approve with conditions"
    DEFER = "DEFER", "Defer"
    REJECT = "REJECT", "Reject"


# A board's decision has the same four outcomes as a recommendation.
DecisionOutcome = Recommendation
APPROVING = frozenset({Recommendation.APPROVE, Recommendation.APPROVE_WITH_CONDITIONS})


class ActivationItem(models.TextChoices):
    """The service activation checklist between qualified and operating (DOMAIN.md §4)."""

    DIP_PRODUCTION = "DIP_PRODUCTION", "DIP promotion to production"
    EFFECTIVE_DATE_AGREED = "EFFECTIVE_DATE_AGREED", "Effective date agreed"
    REFERENCE_DATA_PUBLISHED = "REFERENCE_DATA_PUBLISHED", "Published in the industry reference data"


# The body whose approval each approving authority gives, and how people name that authority (DOMAIN.md §2).
APPROVER_NAMES: dict[str, str] = {
    Body.DIP: "DIP Manager",
    Body.BSC: "BSC PAB",
    Body.REC: "REC Code Manager",
}

# Which staff role assesses for which body.
BODY_OF_ROLE: dict[str, str] = {
    StaffRole.BSC_ASSESSOR: Body.BSC,
    StaffRole.REC_ASSESSOR: Body.REC,
    StaffRole.DIP_ASSESSOR: Body.DIP,
}
ROLE_OF_BODY: dict[str, str] = {body: role for role, body in BODY_OF_ROLE.items()}


# Which staff role decides for which approving body (DOMAIN.md §6: each body's decision is its own).
BODY_OF_DECIDER: dict[str, str] = dict(DECIDER_BODY)
DECIDER_OF_BODY: dict[str, str] = {body: role for role, body in BODY_OF_DECIDER.items()}
# Who decides at meetings: the BSC PAB decides at its meetings; the DIP Manager and the REC Code Manager take dated
# decisions of their own, a meeting optional.
DECIDES_AT_MEETINGS = frozenset({Body.BSC})


def approvals_needed(role: str) -> tuple[str, ...]:
    return APPROVALS_BY_ROLE.get(role, (Body.DIP, Body.BSC, Body.REC))


# Notification kinds this app sends (labels registered in AssessmentConfig.ready()).
NOTICE_SUBMISSION_RECEIVED = "assessment.submission_received"
NOTICE_QUERY_RAISED = "assessment.query_raised"
NOTICE_QUERY_ANSWERED = "assessment.query_answered"
NOTICE_QUERY_DUE_SOON = "assessment.query_due_soon"
NOTICE_QUERY_OVERDUE = "assessment.query_overdue"
NOTICE_DECISION_MADE = "assessment.decision_made"
NOTICE_KINDS: dict[str, str] = {
    NOTICE_SUBMISSION_RECEIVED: "A QAD submission arrives for review",
    NOTICE_QUERY_RAISED: "A Code Body raises a query",
    NOTICE_QUERY_ANSWERED: "A participant answers a query",
    NOTICE_QUERY_DUE_SOON: "A query's answer is due soon",
    NOTICE_QUERY_OVERDUE: "A query is overdue",
    NOTICE_DECISION_MADE: "A board decision is recorded",
}
