"""The Programme's own vocabulary: deadline notices, and which case state meets each kind of wave deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models

from qualify.cases.choices import CaseState
from qualify.plan.choices import DeadlineKind


class DeadlineNotice(models.TextChoices):
    """The notices a wave deadline earns a case that has not yet met it (issue 13)."""

    WEEK_BEFORE = "WEEK_BEFORE", "A week before"
    DAY_BEFORE = "DAY_BEFORE", "The day before"
    MISSED = "MISSED", "Missed"


NOTICE_DEADLINE_DUE = "programme.deadline_due"
NOTICE_DEADLINE_MISSED = "programme.deadline_missed"
NOTICE_KINDS = {
    NOTICE_DEADLINE_DUE: "A wave deadline is coming up",
    NOTICE_DEADLINE_MISSED: "A wave deadline was missed",
}

# The order a case passes through its states on the way to qualification (DOMAIN.md §4). A clarification counts as
# the submission it clarifies; the side exits are not on the way and never meet a deadline.
PROGRESS: tuple[str, ...] = (
    CaseState.DRAFT,
    CaseState.PREQUAL_SUBMITTED,
    CaseState.SCOPED,
    CaseState.PIT,
    CaseState.INITIAL_QAD_SUBMITTED,
    CaseState.INITIAL_CLARIFICATION,
    CaseState.TESTING,
    CaseState.FINAL_QAD_SUBMITTED,
    CaseState.FINAL_CLARIFICATION,
    CaseState.AGREED,
    CaseState.SIGNED,
    CaseState.AWAITING_APPROVAL,
    CaseState.QUALIFIED,
    CaseState.SERVICE_ACTIVATION,
    CaseState.ACTIVE,
)

# The state a case must have reached for each kind of wave deadline to be met. Our reading of the lifecycle: the PIT
# exit evidence arrives with the Initial QAD, and the QT window closes with the Final QAD (its Test Completion Report).
MET_AT: dict[str, str] = {
    DeadlineKind.PRE_QUALIFICATION: CaseState.PREQUAL_SUBMITTED,
    DeadlineKind.PIT_START: CaseState.PIT,
    DeadlineKind.PIT_EXIT: CaseState.INITIAL_QAD_SUBMITTED,
    DeadlineKind.INITIAL_QAD: CaseState.INITIAL_QAD_SUBMITTED,
    DeadlineKind.QT_START: CaseState.TESTING,
    DeadlineKind.QT_END: CaseState.FINAL_QAD_SUBMITTED,
    DeadlineKind.FINAL_QAD: CaseState.FINAL_QAD_SUBMITTED,
    DeadlineKind.TARGET_BOARD: CaseState.QUALIFIED,
}

# Windows: each pair's opening deadline may not fall after its closing one.
WINDOWS: tuple[tuple[str, str], ...] = (
    (DeadlineKind.PIT_START, DeadlineKind.PIT_EXIT),
    (DeadlineKind.QT_START, DeadlineKind.QT_END),
    (DeadlineKind.INITIAL_QAD, DeadlineKind.FINAL_QAD),
)


def deadline_met(state: str, kind: str) -> bool:
    """Whether a case in ``state`` has reached what a deadline of ``kind`` asks for."""
    target = MET_AT.get(kind)
    if target is None or state not in PROGRESS:
        return False
    return PROGRESS.index(state) >= PROGRESS.index(target)


def missed(state: str, deadlines: Iterable[Any], today: dt.date) -> list[Any]:
    """The deadlines (``WaveDeadline``-like: ``kind``, ``date``) already past that a case in ``state`` has not met;
    none for a case that has left the way to qualification (withdrawn, deferred, non-completion, ...)."""
    if state not in PROGRESS:
        return []
    return [d for d in deadlines if d.date < today and not deadline_met(state, d.kind)]
