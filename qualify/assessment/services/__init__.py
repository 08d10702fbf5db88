"""Writes for assessment and approval (DOMAIN.md §6). Every write is a typed, atomic service that checks the
actor's capability itself, writes an audit event, and tells people through ``notify`` (e-mail after commit).

The case moves as a consequence: the first query on a submitted QAD opens clarification; the last approval a role
needs qualifies it from the latest effective-from date; a rejection refers it back, a deferral defers it; the last
activation step activates the service. Those moves go through the case workflow, so its guards, transition rows,
register events and audit apply as for any other step.
"""

from __future__ import annotations

from qualify.assessment.services.activation import (
    ACTIVATABLE,
    activation_record,
)
from qualify.assessment.services.approval import (
    AGENDA_STATES,
    FINAL_SUBMISSION_STEPS,
    RECOMMENDABLE,
    RejectionReason,
    agenda_add,
    agenda_remove,
    approvals_void,
    decision_record,
    meeting_schedule,
    recommendation_record,
)
from qualify.assessment.services.review import (
    COMPLETABLE,
    QUERYABLE,
    finding_record,
    finding_transition,
    outcome_record,
    query_answer,
    query_answer_with_upload,
    query_close,
    query_follow_up,
    query_raise,
    reminders_send,
    review_assign,
    review_complete,
    submission_received,
)

__all__ = [
    "ACTIVATABLE",
    "AGENDA_STATES",
    "COMPLETABLE",
    "FINAL_SUBMISSION_STEPS",
    "QUERYABLE",
    "RECOMMENDABLE",
    "RejectionReason",
    "activation_record",
    "agenda_add",
    "agenda_remove",
    "approvals_void",
    "decision_record",
    "finding_record",
    "finding_transition",
    "meeting_schedule",
    "outcome_record",
    "query_answer",
    "query_answer_with_upload",
    "query_close",
    "query_follow_up",
    "query_raise",
    "recommendation_record",
    "reminders_send",
    "review_assign",
    "review_complete",
    "submission_received",
]
