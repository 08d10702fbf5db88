"""The review clock: due a fixed number of days after the submission, stopped while the participant owes an answer."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from qualify.assessment import rules, services
from qualify.assessment.clock import paused_days, review_clock
from qualify.assessment.tests import journey

START = dt.date(2026, 12, 1)
UK = ZoneInfo("Europe/London")


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


# (what, pauses as (from, to or None) day numbers, today's day number, paused days, clock stopped)
CASES = [
    ("no pauses", [], 10, 0, False),
    ("one closed pause", [(2, 5)], 10, 3, False),
    ("a pause answered the same day", [(4, 4)], 10, 0, False),
    ("two separate pauses", [(1, 3), (6, 10)], 12, 6, False),
    ("overlapping pauses counted once", [(2, 6), (4, 9)], 12, 7, False),
    ("one pause inside another", [(2, 10), (4, 6)], 12, 8, False),
    ("adjacent pauses", [(2, 4), (4, 6)], 12, 4, False),
    ("an open pause runs to today", [(3, None)], 10, 7, True),
    ("an open pause overlapping a closed one", [(2, 6), (4, None)], 10, 8, True),
    ("a pause before the start is ignored", [(-10, -2)], 10, 0, False),
    ("a pause straddling the start counts from the start", [(-3, 2)], 10, 2, False),
    ("a pause ending after today counts to today", [(5, 30)], 10, 5, False),
    ("a pause starting after today is not counted", [(12, 14)], 10, 0, False),
]


@pytest.mark.parametrize(("what", "pauses", "today", "paused", "stopped"), CASES, ids=[c[0] for c in CASES])
def test_paused_days_and_review_clock(what, pauses, today, paused, stopped):
    intervals = [(day(a), None if b is None else day(b)) for a, b in pauses]
    assert paused_days(intervals, start=START, today=day(today)) == paused
    clock = review_clock(started_on=START, allowed_days=20, pauses=intervals, today=day(today))
    assert clock.paused_days == paused
    assert clock.due_on == day(20 + paused)
    assert clock.stopped is stopped
    assert clock.days_left == 20 + paused - today


def test_clock_is_overdue_only_when_running_past_its_due_date():
    running = review_clock(started_on=START, allowed_days=20, pauses=[(day(2), day(5))], today=day(24))
    assert running.due_on == day(23)
    assert running.overdue
    on_the_day = review_clock(started_on=START, allowed_days=20, pauses=[], today=day(20))
    assert not on_the_day.overdue
    # While the participant owes an answer the body cannot be late, however long it takes.
    waiting = review_clock(started_on=START, allowed_days=20, pauses=[(day(2), None)], today=day(60))
    assert waiting.stopped
    assert not waiting.overdue
    assert waiting.due_on == day(78)


@pytest.mark.django_db
def test_a_query_stops_only_its_own_bodys_clock_until_it_is_answered(cast):
    submitted_at = dt.datetime(2026, 12, 1, 9, 30, tzinfo=UK)
    with time_machine.travel(submitted_at, tick=False) as traveller:
        case = journey.to_initial_submitted(cast, cast.case_a)
        before = {c.body: c.clock for c in rules.review_clocks(case)}
        assert set(before) == {"BSC", "DIP", "REC"}
        assert all(c.started_on == START and c.due_on == day(20) and not c.stopped for c in before.values())

        traveller.move_to(dt.datetime(2026, 12, 3, 11, 0, tzinfo=UK))
        query = journey.raise_query(cast, case, "BSC")

        traveller.move_to(dt.datetime(2026, 12, 6, 16, 0, tzinfo=UK))
        waiting = {c.body: c.clock for c in rules.review_clocks(case)}
        assert waiting["BSC"].stopped
        assert waiting["BSC"].paused_days == 3  # from the 3rd to today, the 6th
        assert waiting["BSC"].due_on == day(23)
        assert not waiting["REC"].stopped and waiting["REC"].due_on == day(20)

        traveller.move_to(dt.datetime(2026, 12, 8, 10, 0, tzinfo=UK))
        services.query_answer(actor=cast.actor("lead_a"), query=query, text="Runbook attached.")

        traveller.move_to(dt.datetime(2026, 12, 25, 10, 0, tzinfo=UK))
        after = {c.body: c.clock for c in rules.review_clocks(case)}
    assert after["BSC"].paused_days == 5  # owed from the 3rd until answered on the 8th
    assert not after["BSC"].stopped
    assert after["BSC"].due_on == day(25)
    assert not after["BSC"].overdue
    assert after["DIP"].paused_days == 0 and after["DIP"].due_on == day(20)
    assert after["DIP"].overdue


@pytest.mark.django_db
def test_a_follow_up_stops_the_clock_again(cast):
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=UK), tick=False) as traveller:
        case = journey.to_initial_submitted(cast, cast.case_a)
        query = journey.raise_query(cast, case, "REC")  # owed from the 1st
        traveller.move_to(dt.datetime(2026, 12, 3, 9, 0, tzinfo=UK))
        query = services.query_answer(actor=cast.actor("lead_a"), query=query, text="Here.")  # 2 days
        traveller.move_to(dt.datetime(2026, 12, 5, 9, 0, tzinfo=UK))
        query = services.query_follow_up(actor=cast.actor("rec"), query=query, text="And the retries?")
        traveller.move_to(dt.datetime(2026, 12, 9, 9, 0, tzinfo=UK))
        rec = next(c.clock for c in rules.review_clocks(case) if c.body == "REC")
    assert rec.stopped
    assert rec.paused_days == 2 + 4  # the first answer's 2 days and the follow-up owed since the 5th
    assert rec.due_on == day(26)
