"""A prerequisite's way: recorded by the participant, then accepted or sent back (DOMAIN.md §10a "Entering QT").

Recording again (new date, note or evidence) replaces what was recorded and asks for acceptance afresh, whatever the
record's state; a send-back needs a comment saying what is missing. The reviewer is a Code Body assessor, or for an
LDSO the Programme's test manager (testing/permissions.py).
"""

from __future__ import annotations

from typing import Any

from qualify.core.actor import Actor
from qualify.core.permissions import Decision
from qualify.core.workflow import AppliedTransition, Transition, Workflow, register
from qualify.testing import permissions as who
from qualify.testing.choices import PrerequisiteState
from qualify.testing.models import PrerequisiteRecord

S = PrerequisiteState


def participant(actor: Actor, record: Any) -> Decision:
    """The participant's qualification lead or a contributor."""
    return who.can_record_prerequisite(actor, record.case)


def reviewer(actor: Actor, record: Any) -> Decision:
    """A Code Body assessor (for an LDSO, the Programme's test manager)."""
    return who.can_review_prerequisite(actor, record.case)


PREREQUISITE_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        name="accept",
        label="Accept",
        sources=frozenset({S.RECORDED}),
        target=S.ACCEPTED,
        permission=reviewer,
    ),
    Transition(
        name="send_back",
        label="Send back",
        sources=frozenset({S.RECORDED}),
        target=S.SENT_BACK,
        permission=reviewer,
        comment_required=True,
        description="Say what is missing; the participant records the prerequisite again.",
    ),
    Transition(
        name="record_again",
        label="Record again",
        sources=frozenset({S.RECORDED, S.ACCEPTED, S.SENT_BACK}),
        target=S.RECORDED,
        permission=participant,
        description="Replaces the date, note and evidence; acceptance is asked for afresh.",
    ),
)


class PrerequisiteWorkflow(Workflow[PrerequisiteRecord]):
    model = PrerequisiteRecord
    transitions = PREREQUISITE_TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(PrerequisiteState(state).label).lower() if state in PrerequisiteState.values else state

    def organisation_id(self, instance: PrerequisiteRecord) -> int:
        return int(instance.case.participation.organisation_id)

    def record(self, applied: AppliedTransition[PrerequisiteRecord]) -> dict[str, Any]:
        record = applied.instance
        name = applied.transition.name
        extra: dict[str, Any] = {"case": record.case.reference, "kind": record.kind}
        if name == "record_again":
            record.completed_on = applied.data.extra["completed_on"]
            record.note = str(applied.data.extra["note"])
            record.recorded_by_name = applied.actor.display_name[:200]
            record.reviewed_by_name = ""
            record.reviewed_at = None
            record.review_comment = ""
            record.save(
                update_fields=[
                    "completed_on",
                    "note",
                    "recorded_by_name",
                    "reviewed_by_name",
                    "reviewed_at",
                    "review_comment",
                    "updated_at",
                ]
            )
            record.evidence.set(applied.data.extra["evidence"])
            extra["completed_on"] = record.completed_on.isoformat()
            extra["evidence"] = len(applied.data.extra["evidence"])
        else:
            record.reviewed_by_name = applied.actor.display_name[:200]
            record.reviewed_at = applied.at
            record.review_comment = applied.data.comment.strip()
            record.save(update_fields=["reviewed_by_name", "reviewed_at", "review_comment", "updated_at"])
        return extra


PREREQUISITE_WORKFLOW = register("testing_prerequisite", PrerequisiteWorkflow())
