from __future__ import annotations

import datetime as dt

from qualify.core.templatetags.qualify_format import uk_date


def test_uk_date_reads_dates_and_iso_texts_day_month_year() -> None:
    assert uk_date(dt.date(2026, 11, 30)) == "30 Nov 2026"
    assert uk_date("2026-03-01") == "1 Mar 2026"
    assert uk_date(dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.UTC)) == "30 Nov 2026"
    assert uk_date("not a date") == "not a date" and uk_date(None) == "" and uk_date("") == ""
