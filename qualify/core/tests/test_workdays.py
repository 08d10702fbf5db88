import datetime as dt

import pytest

from qualify.core.workdays import BANK_HOLIDAYS, KNOWN_YEARS, is_working_day, on_or_after


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2025, 3, 20), dt.date(2025, 3, 20)),  # a Thursday
        (dt.date(2025, 9, 20), dt.date(2025, 9, 22)),  # a Saturday moves to Monday
        (dt.date(2026, 12, 26), dt.date(2026, 12, 29)),  # Saturday, then the Boxing Day substitute Monday
        (dt.date(2025, 4, 18), dt.date(2025, 4, 22)),  # Good Friday, the weekend and Easter Monday
    ],
)
def test_on_or_after_skips_weekends_and_bank_holidays(day, expected):
    assert on_or_after(day) == expected
    assert is_working_day(expected)


def test_every_bank_holiday_is_a_weekday_in_a_known_year_and_each_year_has_eight():
    assert all(d.weekday() < 5 and d.year in KNOWN_YEARS for d in BANK_HOLIDAYS)
    assert {year: sum(d.year == year for d in BANK_HOLIDAYS) for year in KNOWN_YEARS} == dict.fromkeys(KNOWN_YEARS, 8)
