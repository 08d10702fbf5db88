"""The workflow engine settles who may take a step before it says anything about the record's state."""

from __future__ import annotations

import pytest

from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.core.errors import NotAllowed, TransitionNotAllowed


def _force(case: QualificationCase, state: str) -> QualificationCase:
    QualificationCase.objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    return case


def test_a_person_without_permission_is_refused_without_learning_the_state(cast):
    case = _force(cast.case_a, CaseState.AWAITING_APPROVAL)
    # The participant's lead may never start testing; the case is also in a state testing cannot start from.
    with pytest.raises(NotAllowed) as refused:
        case_transition(actor=cast.actor("lead_a"), case=case, name="start_testing", comment="x")
    message = str(refused.value)
    assert "approval" not in message.lower()
    assert CaseState.AWAITING_APPROVAL.label.lower() not in message.lower()
    assert "state" not in refused.value.details


def test_a_permitted_person_is_told_the_state_in_words_that_fit_any_workflow(cast):
    case = _force(cast.case_a, CaseState.AWAITING_APPROVAL)
    with pytest.raises(TransitionNotAllowed) as refused:
        case_transition(actor=cast.actor("admin"), case=case, name="start_testing", comment="x")
    message = str(refused.value)
    assert "while the qualification case is" in message
    assert CaseState.AWAITING_APPROVAL.label.lower() in message.lower()
    assert refused.value.details["state"] == CaseState.AWAITING_APPROVAL
