"""Wave-deadline reminders (issue 13): a week before, the day before (or on the day), and after a missed deadline, to
the case organisation's leads, in the inbox and by e-mail; each once, however often the daily job runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from qualify.cases.services import case_transition
from qualify.notifications.models import Notification
from qualify.plan.choices import DeadlineKind
from qualify.plan.services import wave_upsert
from qualify.programme.choices import NOTICE_DEADLINE_DUE, NOTICE_DEADLINE_MISSED, deadline_met
from qualify.programme.models import DeadlineNoticeSent
from qualify.programme.services import deadline_reminders_send
from qualify.testing.tests.helpers import prequalify

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 12, 1)  # the cast's wave W1: pre-qualification due 1 Dec 2026; every case is a draft


def _on(days_from_due: int) -> dt.date:
    return DUE + dt.timedelta(days=days_from_due)


@pytest.mark.parametrize(
    ("days_from_due", "notice"),
    [
        (-8, None),
        (-7, "WEEK_BEFORE"),
        (-2, "WEEK_BEFORE"),
        (-1, "DAY_BEFORE"),
        (0, "DAY_BEFORE"),
        (1, "MISSED"),
        (7, "MISSED"),
        (8, None),
    ],
)
def test_each_day_around_a_deadline_earns_its_notice(cast, days_from_due, notice):
    sent = deadline_reminders_send(today=_on(days_from_due))
    notices = DeadlineNoticeSent.objects.filter(kind=DeadlineKind.PRE_QUALIFICATION)
    if notice is None:
        assert sum(sent.values()) == 0 and not notices.exists()
    else:
        assert sent[notice] == 3  # the cast's three draft cases in W1
        assert set(notices.values_list("notice", flat=True)) == {notice}


@pytest.mark.parametrize("days_from_due", [-7, -1, 0, 1])
def test_running_again_the_same_day_sends_nothing_twice(cast, days_from_due):
    first = deadline_reminders_send(today=_on(days_from_due))
    before = Notification.objects.count()
    again = deadline_reminders_send(today=_on(days_from_due))
    assert sum(first.values()) == 3 and sum(again.values()) == 0
    assert Notification.objects.count() == before


def test_the_day_before_and_the_day_itself_share_one_notice(cast):
    assert sum(deadline_reminders_send(today=_on(-1)).values()) == 3
    assert sum(deadline_reminders_send(today=_on(0)).values()) == 0
    assert deadline_reminders_send(today=_on(1))["MISSED"] == 3


def test_a_case_that_met_the_deadline_gets_no_missed_notice(cast):
    prequalify(cast.case_a)  # the lead fills in the form and submits it with the case step
    deadline_reminders_send(today=_on(1))
    missed = DeadlineNoticeSent.objects.filter(notice="MISSED")
    assert cast.case_a.pk not in set(missed.values_list("case_id", flat=True))
    assert missed.count() == 2


def test_only_the_leads_are_told_in_the_inbox_and_by_email(cast):
    deadline_reminders_send(today=_on(1))
    recipients = set(Notification.objects.filter(kind=NOTICE_DEADLINE_MISSED).values_list("recipient_id", flat=True))
    assert recipients == {cast.user("lead_a").pk, cast.user("lead_b").pk}
    assert any("lead@northwind.test" in m.to and cast.case_a.reference in m.subject for m in mail.outbox)
    assert not any("contrib@northwind.test" in m.to for m in mail.outbox)


def test_a_moved_deadline_earns_new_notices(cast):
    deadline_reminders_send(today=_on(-1))
    wave_upsert(
        actor=cast.actor("admin"), code="W1", name="Wave 1", sequence=1, deadlines={"PRE_QUALIFICATION": _on(1)}
    )
    sent = deadline_reminders_send(today=_on(0))
    assert sent["DAY_BEFORE"] == 3
    assert Notification.objects.filter(kind=NOTICE_DEADLINE_DUE).count() == 6


def test_deferred_and_withdrawn_cases_are_not_reminded(cast):
    case_transition(actor=cast.actor("admin"), case=cast.case_a, name="withdraw", comment="Leaving the market.")
    assert deadline_reminders_send(today=_on(1))["MISSED"] == 2


def test_the_command_reports_what_it_sent(cast, capsys):
    call_command("send_deadline_reminders", "--date", _on(1).isoformat())
    call_command("send_deadline_reminders", "--date", _on(1).isoformat())
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "2026-12-02: 0 week-ahead, 0 day-ahead and 3 missed-deadline notice(s) sent",
        "2026-12-02: 0 week-ahead, 0 day-ahead and 0 missed-deadline notice(s) sent",
    ]


@pytest.mark.parametrize(
    ("state", "kind", "met"),
    [
        ("DRAFT", "PRE_QUALIFICATION", False),
        ("PREQUAL_SUBMITTED", "PRE_QUALIFICATION", True),
        ("PIT", "INITIAL_QAD", False),
        ("INITIAL_CLARIFICATION", "INITIAL_QAD", True),
        ("TESTING", "QT_END", False),
        ("FINAL_QAD_SUBMITTED", "QT_END", True),
        ("AWAITING_APPROVAL", "TARGET_BOARD", False),
        ("QUALIFIED", "TARGET_BOARD", True),
        ("DEFERRED", "PRE_QUALIFICATION", False),
    ],
)
def test_a_deadline_is_met_once_the_case_reaches_its_state(state, kind, met):
    assert deadline_met(state, kind) is met
