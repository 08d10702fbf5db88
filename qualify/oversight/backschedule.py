"""Back-scheduling (DOMAIN.md §7): from the date a participant must be qualified by, the latest wave that makes it.

A role must be qualified by a date: a Supplier by M14 (DOMAIN.md §8), and anyone with a target migration date that
many days before it that service activation takes. Each stage of a wave runs from one kind of deadline to the next;
working back from the qualified-by date (the target board date) through the stages' durations gives the latest date
each deadline may fall on. A wave makes it when its target board date (or, where the wave has none, the date its last
deadline and the remaining stages point to) is on or before the qualified-by date. Pure functions; the durations are
configuration (``QUALIFY_BACKSCHEDULE_DAYS``), with defaults drawn from the demo plan's wave spacing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings

from qualify.participants.choices import MarketRole
from qualify.plan.choices import DeadlineKind

D = DeadlineKind
STAGES: tuple[str, ...] = (
    D.PRE_QUALIFICATION,
    D.PIT_START,
    D.PIT_EXIT,
    D.INITIAL_QAD,
    D.QT_START,
    D.QT_END,
    D.FINAL_QAD,
    D.TARGET_BOARD,
)
ACTIVATION = "ACTIVATION"
# Calendar days from each kind of deadline to the next one (and, for ACTIVATION, from the board's approval to the
# first migration), as the demo plan's waves space them (qualify/demo/data.py).
DEFAULT_DAYS: dict[str, int] = {
    D.PRE_QUALIFICATION: 30,
    D.PIT_START: 70,
    D.PIT_EXIT: 40,
    D.INITIAL_QAD: 40,
    D.QT_START: 90,
    D.QT_END: 40,
    D.FINAL_QAD: 50,
    ACTIVATION: 56,
}


@dataclass(frozen=True)
class Durations:
    days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_DAYS))

    def after(self, kind: str) -> int:
        return int(self.days.get(kind, DEFAULT_DAYS.get(kind, 0)))


def configured_durations() -> Durations:
    """The defaults, with any stage ``QUALIFY_BACKSCHEDULE_DAYS`` (stage -> days, config/settings/base.py) sets."""
    override = settings.QUALIFY_BACKSCHEDULE_DAYS
    return Durations({**DEFAULT_DAYS, **{k: int(v) for k, v in dict(override).items() if k in DEFAULT_DAYS}})


@dataclass(frozen=True)
class WavePlan:
    code: str
    name: str
    sequence: int
    deadlines: Mapping[str, dt.date]


@dataclass(frozen=True)
class Proposal:
    qualified_by: dt.date | None
    latest: dict[str, dt.date]  # the latest date each kind of deadline may fall on
    wave: WavePlan | None
    board: dt.date | None  # the proposed wave's (estimated) board date
    reason: str


def qualified_by(
    *, role: str, target_migration: dt.date | None, m14: dt.date | None, durations: Durations
) -> dt.date | None:
    """The date the role must be qualified by: M14 for a Supplier, and service activation before its migration."""
    dates: list[dt.date] = []
    if target_migration is not None:
        dates.append(target_migration - dt.timedelta(days=durations.after(ACTIVATION)))
    if role == MarketRole.SUPPLIER and m14 is not None:
        dates.append(m14)
    return min(dates) if dates else None


def latest_dates(qualified: dt.date, durations: Durations) -> dict[str, dt.date]:
    """Working back from the board date: the latest each kind of deadline may be."""
    latest = {D.TARGET_BOARD.value: qualified}
    day = qualified
    for kind in reversed(STAGES[:-1]):
        day = day - dt.timedelta(days=durations.after(kind))
        latest[kind] = day
    return {kind: latest[kind] for kind in STAGES}


def board_date(wave: WavePlan, durations: Durations) -> dt.date | None:
    """The wave's target board date, or (where it has none) its last deadline plus the stages that remain."""
    if D.TARGET_BOARD in wave.deadlines:
        return wave.deadlines[D.TARGET_BOARD]
    for index in range(len(STAGES) - 2, -1, -1):
        kind = STAGES[index]
        if kind in wave.deadlines:
            remaining = sum(durations.after(k) for k in STAGES[index:-1])
            return wave.deadlines[kind] + dt.timedelta(days=remaining)
    return None


def is_late(board: dt.date | None, qualified: dt.date | None) -> bool:
    """A wave whose board falls after the qualified-by date is too late (the same day still makes it)."""
    return board is not None and qualified is not None and board > qualified


def propose(
    *, qualified: dt.date | None, waves: Iterable[WavePlan], durations: Durations, today: dt.date | None = None
) -> Proposal:
    """The latest wave whose board date makes ``qualified`` (and, given ``today``, whose first deadline is not past)."""
    if qualified is None:
        return Proposal(
            None, {}, None, None, "No date to be qualified by: no target migration date, and not a Supplier."
        )
    latest = latest_dates(qualified, durations)
    best: tuple[dt.date, WavePlan] | None = None
    for wave in waves:
        board = board_date(wave, durations)
        if board is None or is_late(board, qualified):
            continue
        if today is not None and wave.deadlines and min(wave.deadlines.values()) < today:
            continue  # already under way: too late to join
        key = (board, (wave.sequence, wave.code))
        if best is None or key > (best[0], (best[1].sequence, best[1].code)):
            best = (board, wave)
    if best is None:
        return Proposal(qualified, latest, None, None, f"No wave still open reaches its board by {qualified:%d %b %Y}.")
    return Proposal(
        qualified, latest, best[1], best[0], f"{best[1].name} reaches its board on {best[0]:%d %b %Y}, in time."
    )
