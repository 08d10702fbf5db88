"""The Code Bodies confirm a case's scope (DOMAIN.md §4 "scoped", §10a "Scope"), and may re-scope it later.

The case step ``scope`` is the Code Body assessors' (``TestingConfig.ready`` sets its permission), refused while a
reliance proposal of the case is still with the bodies, and freezes the required test set in the same transaction,
recording the deciding body (``scope_effect``). A re-scope (``scope_rescope``) freezes it again, with a reason, for a
case already scoped and not yet at its Final QAD, and records what moved. With no catalogue published there is no
set to freeze: the step goes ahead and the scope page says so; a re-scope once a catalogue is published freezes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.errors import TransitionNotAllowed, ValidationFailed
from qualify.core.workflow import AppliedTransition, TransitionInput
from qualify.testing.models import ScopeRecord
from qualify.testing.permissions import assessor_body, can_rescope
from qualify.testing.selectors.catalogue import latest_published_catalogue
from qualify.testing.services.reliance import undecided_reliance_guard
from qualify.testing.services.scoping import current_scope, scope_freeze

MAX_REASON = 2000
# From scoped until the Final QAD is submitted, the required set may still be changed by a re-scope.
RESCOPE_STATES = frozenset(
    {
        CaseState.SCOPED,
        CaseState.PIT,
        CaseState.INITIAL_QAD_SUBMITTED,
        CaseState.INITIAL_CLARIFICATION,
        CaseState.TESTING,
    }
)


def scope_effect(applied: AppliedTransition[QualificationCase]) -> None:
    """Effect on the case step ``scope``: freeze the required set, naming the assessor's body."""
    if latest_published_catalogue() is None:
        return
    scope_freeze(
        actor=applied.actor,
        case=applied.instance,
        reason=applied.data.comment.strip()[:MAX_REASON],
        body=assessor_body(applied.actor) or "",
    )


@dataclass(frozen=True)
class Rescope:
    record: ScopeRecord
    changed: bool
    previous: ScopeRecord | None


@transaction.atomic
def scope_rescope(*, actor: Actor, case: QualificationCase, reason: str) -> Rescope:
    """Freeze the required set again (a Code Body assessor, with a reason) and say what changed."""
    case = QualificationCase.objects.select_for_update().select_related("participation").get(pk=case.pk)
    can_rescope(actor, case).enforce()
    text = reason.strip()[:MAX_REASON]
    if not text:
        raise ValidationFailed("Say why the case is re-scoped.", details={"reason": "required"})
    if case.state not in RESCOPE_STATES:
        raise TransitionNotAllowed(
            f"A case is re-scoped after it is scoped and before its Final QAD; {case.reference} is "
            f"{case.get_state_display().lower()}.",
            details={"state": case.state},
            code="not_rescopable",
        )
    waiting = undecided_reliance_guard(case, TransitionInput())
    if waiting:
        raise TransitionNotAllowed(waiting, code="reliance_undecided")
    previous = current_scope(case)
    record = scope_freeze(actor=actor, case=case, reason=text, body=assessor_body(actor) or "")
    return Rescope(record=record, changed=previous is None or record.pk != previous.pk, previous=previous)
