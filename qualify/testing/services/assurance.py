"""The assurance of test runs by the Code Bodies, the DIP Manager and the Programme's test manager (DOMAIN.md §10a).

A run starts awaiting assurance; the body that assures its batch accepts it, or sends it back with a comment (the
participant then records a new run). Every move goes through the engine (defects_workflow.ASSURANCE_WORKFLOW), which
locks the run, checks who may, and writes the audit event.
"""

from __future__ import annotations

import uuid as uuid_mod
from collections.abc import Sequence

from django.db import transaction

from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.errors import NotFound, TransitionNotAllowed, ValidationFailed
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.testing.choices import Assurance
from qualify.testing.defects_workflow import ASSURANCE_WORKFLOW
from qualify.testing.models import Execution

MAX_COMMENT = 4000
MAX_BULK = 500
DECISIONS = ("accept", "send_back")


@transaction.atomic
def execution_assure(*, actor: Actor, execution: Execution, decision: str, comment: str = "") -> Execution:
    """Accept a run, or send it back with a comment (required): only the body that assures the run's batch."""
    if decision not in DECISIONS:
        raise ValidationFailed(f"Unknown assurance decision {decision[:40]!r}.", details={"decision": decision[:40]})
    # The engine checks again under the lock; this says it about the run rather than "the case".
    state = Execution.objects.filter(pk=execution.pk).values_list("assurance", flat=True).first()
    if state is not None and state != Assurance.PENDING:
        raise TransitionNotAllowed(
            f"The run of {execution.test_case_id} is already {ASSURANCE_WORKFLOW.state_label(state)}.",
            details={"assurance": state},
        )
    return apply_transition(
        ASSURANCE_WORKFLOW,
        actor=actor,
        instance=execution,
        name=decision,
        data=TransitionInput(comment=comment.strip()[:MAX_COMMENT]),
    )


@transaction.atomic
def execution_assure_bulk(
    *, actor: Actor, case: QualificationCase, runs: Sequence[uuid_mod.UUID | str], comment: str = ""
) -> list[Execution]:
    """Accept a selection of a case's pending runs in one transaction: all of them or, if one is refused, none.

    Each run is accepted through the engine, so each gets its own audit event (who, when, which run): an auditor
    reading a run's history finds its acceptance there, whether it came one at a time or in a batch.
    """
    wanted = list(dict.fromkeys(str(r) for r in runs))
    if not wanted:
        raise ValidationFailed("Choose the runs to accept.", details={"runs": "required"})
    if len(wanted) > MAX_BULK:
        raise ValidationFailed(f"Accept at most {MAX_BULK} runs at once.", details={"runs": "too_many"})
    try:
        ids = [uuid_mod.UUID(r) for r in wanted]
    except ValueError as exc:
        raise ValidationFailed("A run identifier is not valid.", details={"runs": "invalid"}) from exc
    found = list(
        Execution.objects.filter(case=case, uuid__in=ids)
        .select_related("case__participation")
        .order_by("test_case_id", "pk")
    )
    if len(found) != len(ids):
        raise NotFound("One of those runs is not a run of this case.")
    not_pending = [r.test_case_id for r in found if r.assurance != Assurance.PENDING]
    if not_pending:
        raise ValidationFailed(
            "Only runs awaiting assurance can be accepted: " + ", ".join(not_pending[:10]) + ".",
            details={"runs": not_pending[:10]},
            code="not_pending",
        )
    return [execution_assure(actor=actor, execution=r, decision="accept", comment=comment) for r in found]
