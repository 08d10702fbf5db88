"""Back-scheduling boundaries (pure): the latest wave that makes the date, and the late flag."""

from __future__ import annotations

import datetime as dt

import pytest

from qualify.oversight.backschedule import (
    ACTIVATION,
    DEFAULT_DAYS,
    Durations,
    WavePlan,
    board_date,
    is_late,
    latest_dates,
    propose,
    qualified_by,
)
from qualify.participants.choices import MarketRole

DAY = dt.timedelta(days=1)
M14 = dt.date(2026, 10, 28)
DUR = Durations()


def wave(code: str, board: dt.date | None, seq: int, **deadlines: dt.date) -> WavePlan:
    dates = dict(deadlines)
    if board is not None:
        dates["TARGET_BOARD"] = board
    return WavePlan(code, f"Wave {code}", seq, dates)


@pytest.mark.parametrize(
    ("role", "target", "expected"),
    [
        (MarketRole.SUPPLIER, None, M14),
        (MarketRole.SUPPLIER, M14 + 100 * DAY, M14),  # M14 comes first
        (MarketRole.SUPPLIER, M14, M14 - DEFAULT_DAYS[ACTIVATION] * DAY),  # activation before migrating
        (MarketRole.MEM, M14, M14 - DEFAULT_DAYS[ACTIVATION] * DAY),
        (MarketRole.MEM, None, None),
    ],
)
def test_the_date_a_role_must_be_qualified_by(role, target, expected):  # type: ignore[no-untyped-def]
    assert qualified_by(role=role, target_migration=target, m14=M14, durations=DUR) == expected


@pytest.mark.parametrize(("offset", "late"), [(-1, False), (0, False), (1, True)])
def test_a_wave_boarding_after_the_date_is_late_and_on_the_day_is_not(offset, late):  # type: ignore[no-untyped-def]
    assert is_late(M14 + offset * DAY, M14) is late


@pytest.mark.parametrize(
    ("boards", "expected"),
    [
        ([M14 - 10 * DAY, M14, M14 + DAY], "B"),  # the latest that still makes it, the same day included
        ([M14 - 10 * DAY, M14 - DAY, M14 + DAY], "B"),
        ([M14 + DAY, M14 + 2 * DAY, M14 + 3 * DAY], None),
        ([M14 - 30 * DAY, M14 - 20 * DAY, M14 - 10 * DAY], "C"),
    ],
)
def test_the_latest_wave_that_makes_it_is_proposed(boards, expected):  # type: ignore[no-untyped-def]
    waves = [wave(code, board, i) for i, (code, board) in enumerate(zip("ABC", boards, strict=True))]
    proposal = propose(qualified=M14, waves=waves, durations=DUR)
    assert (proposal.wave.code if proposal.wave else None) == expected


def test_a_wave_already_under_way_is_not_proposed():
    early = wave("A", M14 - 10 * DAY, 1, PRE_QUALIFICATION=dt.date(2026, 1, 5))
    later = wave("B", M14 - 5 * DAY, 2, PRE_QUALIFICATION=dt.date(2026, 3, 5))
    assert propose(qualified=M14, waves=[early, later], durations=DUR, today=dt.date(2026, 3, 5)).wave == later
    assert propose(qualified=M14, waves=[early, later], durations=DUR, today=dt.date(2026, 3, 6)).wave is None


def test_a_wave_without_a_board_date_is_estimated_from_its_last_deadline():
    final = dt.date(2026, 9, 1)
    estimated = board_date(wave("A", None, 1, FINAL_QAD=final), DUR)
    assert estimated == final + DEFAULT_DAYS["FINAL_QAD"] * DAY
    assert board_date(wave("A", None, 1), DUR) is None


def test_durations_are_configurable_and_the_latest_dates_work_back_from_the_board():
    short = Durations({**DEFAULT_DAYS, "FINAL_QAD": 10})
    assert latest_dates(M14, short)["FINAL_QAD"] == M14 - 10 * DAY
    assert latest_dates(M14, DUR)["TARGET_BOARD"] == M14
    assert (
        latest_dates(M14, DUR)["PRE_QUALIFICATION"]
        == M14 - sum(v for k, v in DEFAULT_DAYS.items() if k != ACTIVATION) * DAY
    )


def test_no_date_means_no_proposal():
    assert propose(qualified=None, waves=[wave("A", M14, 1)], durations=DUR).wave is None
