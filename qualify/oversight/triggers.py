"""Which misses of the plan open a non-completion record (QA&P Annex 4, DOMAIN.md §7, §10): pure functions.

A wave deadline is for a state: by the end of the deadline's day the case must have reached it (the Initial QAD
deadline, the Initial QAD submitted; the target board date, qualified). A deadline is missed from the day after it,
never on the day itself. The two QAD submission deadlines are "submission not made" triggers, the others "missed
wave deadline". A Supplier not qualified by the end of M14's day is the M14 trigger. Each miss has a key naming what
was missed and its date, so a moved deadline that is missed again is a new miss, and the same miss is never counted
twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from qualify.cases.choices import BEFORE_QUALIFIED, CaseState
from qualify.oversight.choices import TriggerKind
from qualify.participants.choices import MarketRole, Route
from qualify.plan.choices import DeadlineKind

S = CaseState
D = DeadlineKind

# The state each kind of wave deadline is for (the case must have reached it by the end of the deadline's day).
DEADLINE_STATE: dict[str, str] = {
    D.PRE_QUALIFICATION: S.PREQUAL_SUBMITTED,
    D.PIT_START: S.PIT,
    D.PIT_EXIT: S.INITIAL_QAD_SUBMITTED,  # PIT exit evidence goes with leaving PIT for the Initial QAD
    D.INITIAL_QAD: S.INITIAL_QAD_SUBMITTED,
    D.QT_START: S.TESTING,
    D.QT_END: S.FINAL_QAD_SUBMITTED,  # the Test Completion Report closes testing; the Final QAD follows it
    D.FINAL_QAD: S.FINAL_QAD_SUBMITTED,
    D.TARGET_BOARD: S.QUALIFIED,
}
SUBMISSION_DEADLINES = frozenset({D.INITIAL_QAD, D.FINAL_QAD})
# The lifecycle in order, as the case states are listed (a state added in its place is ordered with it).
_LAST = list(CaseState.values).index(S.ACTIVE)
LIFECYCLE: tuple[str, ...] = tuple(CaseState.values[: _LAST + 1])
QUALIFIED_OR_AFTER = frozenset({S.QUALIFIED, S.SERVICE_ACTIVATION, S.ACTIVE, S.SUSPENDED})


@dataclass(frozen=True)
class Miss:
    kind: str
    key: str
    due_on: dt.date
    detail: str


@dataclass(frozen=True)
class Deadline:
    kind: str
    date: dt.date
    label: str


def has_reached(state: str, required: str) -> bool:
    """Whether a case in ``state`` has reached ``required`` on its way through the lifecycle."""
    if state in QUALIFIED_OR_AFTER:
        return True
    if state not in LIFECYCLE or required not in LIFECYCLE:
        return False
    return LIFECYCLE.index(state) >= LIFECYCLE.index(required)


def watched(state: str) -> bool:
    """Only a case on its way to qualification can miss its plan (not a deferred, withdrawn or sanctioned one)."""
    return state in BEFORE_QUALIFIED


def misses(
    *,
    state: str,
    route: str,
    role: str,
    wave_code: str,
    deadlines: Iterable[Deadline],
    m14: dt.date | None,
    today: dt.date,
) -> list[Miss]:
    """Every miss of the plan for one case on ``today``, earliest first."""
    if not watched(state):
        return []
    found: list[Miss] = []
    for deadline in deadlines:
        required = DEADLINE_STATE.get(deadline.kind)
        if required is None or today <= deadline.date or has_reached(state, required):
            continue
        if deadline.kind == D.PRE_QUALIFICATION and route == Route.SIT:
            continue  # SIT-route participants submit no pre-qualification
        kind = TriggerKind.SUBMISSION if deadline.kind in SUBMISSION_DEADLINES else TriggerKind.WAVE_DEADLINE
        found.append(
            Miss(
                kind=kind,
                key=f"{wave_code}:{deadline.kind}:{deadline.date.isoformat()}",
                due_on=deadline.date,
                detail=f"{wave_code} {deadline.label} was due {deadline.date:%d %b %Y}",
            )
        )
    if role == MarketRole.SUPPLIER and m14 is not None and today > m14 and not has_reached(state, S.QUALIFIED):
        found.append(
            Miss(
                kind=TriggerKind.M14,
                key=f"M14:{m14.isoformat()}",
                due_on=m14,
                detail=f"Every Supplier must be qualified by M14 ({m14:%d %b %Y})",
            )
        )
    return sorted(found, key=lambda m: (m.due_on, m.key))
