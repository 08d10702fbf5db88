"""Working days in England and Wales: Monday to Friday, except the bank holidays.

Board meetings and other dated steps that people attend fall on working days. The bank holidays are the published
ones for England and Wales (substitute days included) for the years the platform plans over; a year outside the
table counts weekends only, and ``KNOWN_YEARS`` says which years are covered.
"""

from __future__ import annotations

import datetime as dt

_D = dt.date
BANK_HOLIDAYS: frozenset[dt.date] = frozenset(
    {
        # 2024
        _D(2024, 1, 1), _D(2024, 3, 29), _D(2024, 4, 1), _D(2024, 5, 6), _D(2024, 5, 27), _D(2024, 8, 26),
        _D(2024, 12, 25), _D(2024, 12, 26),
        # 2025
        _D(2025, 1, 1), _D(2025, 4, 18), _D(2025, 4, 21), _D(2025, 5, 5), _D(2025, 5, 26), _D(2025, 8, 25),
        _D(2025, 12, 25), _D(2025, 12, 26),
        # 2026 (Boxing Day falls on a Saturday: the substitute is Monday 28 December)
        _D(2026, 1, 1), _D(2026, 4, 3), _D(2026, 4, 6), _D(2026, 5, 4), _D(2026, 5, 25), _D(2026, 8, 31),
        _D(2026, 12, 25), _D(2026, 12, 28),
        # 2027 (Christmas Day and Boxing Day fall at a weekend: substitutes 27 and 28 December)
        _D(2027, 1, 1), _D(2027, 3, 26), _D(2027, 3, 29), _D(2027, 5, 3), _D(2027, 5, 31), _D(2027, 8, 30),
        _D(2027, 12, 27), _D(2027, 12, 28),
        # 2028 (New Year's Day falls on a Saturday: the substitute is Monday 3 January)
        _D(2028, 1, 3), _D(2028, 4, 14), _D(2028, 4, 17), _D(2028, 5, 1), _D(2028, 5, 29), _D(2028, 8, 28),
        _D(2028, 12, 25), _D(2028, 12, 26),
    }
)  # fmt: skip
KNOWN_YEARS = range(2024, 2029)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def on_or_after(day: dt.date) -> dt.date:
    """``day`` if it is a working day, else the next one."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The working day ``count`` working days after ``day`` (``day`` itself when ``count`` is 0 and it is one)."""
    day = on_or_after(day)
    for _ in range(count):
        day = on_or_after(day + dt.timedelta(days=1))
    return day
