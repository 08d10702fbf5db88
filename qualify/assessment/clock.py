"""The assessment clock: a body's review is due a fixed number of days after the submission, and the clock stops
while the participant owes an answer to one of the body's queries (so a slow answer never makes the body late).

Pure functions over dates (UK calendar days), so the rule is tested on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

Interval = tuple[dt.date, dt.date | None]


def paused_days(pauses: Iterable[Interval], *, start: dt.date, today: dt.date) -> int:
    """Days on or after ``start`` covered by any pause; an open pause runs to ``today``. Overlaps count once.

    A pause from day A to day B (the day the answer arrived) stops the clock for (B - A) days.
    """
    spans = sorted((max(a, start), min(b or today, today)) for a, b in pauses)
    total = 0
    current_start: dt.date | None = None
    current_end: dt.date | None = None
    for a, b in spans:
        if b <= a:
            continue
        if current_end is None or a > current_end:
            if current_start is not None and current_end is not None:
                total += (current_end - current_start).days
            current_start, current_end = a, b
        elif b > current_end:
            current_end = b
    if current_start is not None and current_end is not None:
        total += (current_end - current_start).days
    return total


@dataclass(frozen=True)
class Clock:
    started_on: dt.date
    allowed_days: int
    paused_days: int
    due_on: dt.date
    stopped: bool
    today: dt.date

    @property
    def days_left(self) -> int:
        return (self.due_on - self.today).days

    @property
    def overdue(self) -> bool:
        return not self.stopped and self.today > self.due_on


def review_clock(*, started_on: dt.date, allowed_days: int, pauses: Iterable[Interval], today: dt.date) -> Clock:
    """The body's review clock: due ``allowed_days`` after ``started_on`` plus every day the participant owed us."""
    pauses = list(pauses)
    stopped = any(end is None for _, end in pauses)
    paused = paused_days(pauses, start=started_on, today=today)
    due = started_on + dt.timedelta(days=allowed_days + paused)
    return Clock(started_on, allowed_days, paused, due, stopped, today)
