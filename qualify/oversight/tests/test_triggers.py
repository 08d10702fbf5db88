"""Which misses of the plan open a non-completion record: the day before, on and after each deadline (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from qualify.cases.choices import CaseState
from qualify.oversight.choices import TriggerKind
from qualify.oversight.triggers import DEADLINE_STATE, Deadline, has_reached, misses
from qualify.participants.choices import MarketRole, Route
from qualify.plan.choices import DeadlineKind

S = CaseState
DUE = dt.date(2027, 2, 1)
DAY = dt.timedelta(days=1)
M14 = dt.date(2026, 10, 28)


def _misses(kind: str, state: str, today: dt.date, *, route: str = Route.QT, role: str = MarketRole.MEM) -> list:  # type: ignore[type-arg]
    return misses(
        state=state,
        route=route,
        role=role,
        wave_code="W1",
        deadlines=[Deadline(kind, DUE, "The deadline")],
        m14=None,
        today=today,
    )


# (deadline kind, a state short of it, the state it asks for, the trigger kind)
TABLE = [
    (
        kind,
        S.DRAFT,
        required,
        TriggerKind.SUBMISSION if kind in ("INITIAL_QAD", "FINAL_QAD") else TriggerKind.WAVE_DEADLINE,
    )
    for kind, required in DEADLINE_STATE.items()
]


@pytest.mark.parametrize(("kind", "short", "required", "trigger"), TABLE, ids=[row[0] for row in TABLE])
@pytest.mark.parametrize(("offset", "missed"), [(-1, False), (0, False), (1, True), (30, True)])
def test_a_deadline_is_missed_only_after_its_day(kind, short, required, trigger, offset, missed):  # type: ignore[no-untyped-def]
    found = _misses(kind, short, DUE + offset * DAY)
    assert bool(found) is missed
    if missed:
        assert found[0].kind == trigger
        assert found[0].key == f"W1:{kind}:{DUE.isoformat()}"
    # A case that has reached the deadline's state never misses it.
    assert _misses(kind, required, DUE + offset * DAY) == []


@pytest.mark.parametrize("state", [S.QUALIFIED, S.ACTIVE, S.WITHDRAWN, S.DEFERRED, S.NON_COMPLETION, S.REVOKED])
def test_cases_that_are_qualified_or_out_of_the_lifecycle_miss_nothing(state):  # type: ignore[no-untyped-def]
    assert _misses(DeadlineKind.TARGET_BOARD, state, DUE + 10 * DAY) == []


def test_a_sit_participant_misses_no_prequalification():
    assert _misses(DeadlineKind.PRE_QUALIFICATION, S.DRAFT, DUE + DAY, route=Route.SIT) == []
    assert _misses(DeadlineKind.PRE_QUALIFICATION, S.DRAFT, DUE + DAY, route=Route.QT)


@pytest.mark.parametrize(
    ("role", "state", "today", "missed"),
    [
        (MarketRole.SUPPLIER, S.AWAITING_APPROVAL, M14 - DAY, False),
        (MarketRole.SUPPLIER, S.AWAITING_APPROVAL, M14, False),
        (MarketRole.SUPPLIER, S.AWAITING_APPROVAL, M14 + DAY, True),
        (MarketRole.SUPPLIER, S.QUALIFIED, M14 + DAY, False),
        (MarketRole.SUPPLIER, S.SERVICE_ACTIVATION, M14 + DAY, False),
        (MarketRole.MEM, S.DRAFT, M14 + DAY, False),  # M14 binds Suppliers only
        (MarketRole.LDSO, S.DRAFT, M14 + DAY, False),
    ],
)
def test_a_supplier_not_qualified_on_m14(role, state, today, missed):  # type: ignore[no-untyped-def]
    found = misses(state=state, route=Route.QT, role=role, wave_code="", deadlines=[], m14=M14, today=today)
    assert [m.kind for m in found] == ([TriggerKind.M14] if missed else [])


def test_clarification_counts_as_having_submitted():
    assert has_reached(S.INITIAL_CLARIFICATION, S.INITIAL_QAD_SUBMITTED)
    assert has_reached(S.FINAL_CLARIFICATION, S.FINAL_QAD_SUBMITTED)
    assert not has_reached(S.TESTING, S.FINAL_QAD_SUBMITTED)


def test_misses_are_listed_earliest_first():
    found = misses(
        state=S.DRAFT,
        route=Route.QT,
        role=MarketRole.SUPPLIER,
        wave_code="W1",
        deadlines=[Deadline("INITIAL_QAD", DUE, "Initial QAD"), Deadline("PRE_QUALIFICATION", DUE - 60 * DAY, "Pre")],
        m14=M14,
        today=DUE + DAY,
    )
    assert [m.kind for m in found] == [TriggerKind.M14, TriggerKind.WAVE_DEADLINE, TriggerKind.SUBMISSION]
