"""Who hears about what in assessment (issue 4, notifications): submission received, query raised and answered,
due soon and overdue, decision made — in the inbox at once, by e-mail after commit, honouring each person's choice.

One test sends through a real SMTP server started here (aiosmtpd), not only Django's in-memory outbox.
"""

from __future__ import annotations

import datetime as dt
import email
import socket
from email import policy
from email.message import EmailMessage
from io import StringIO
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from qualify.accounts.services import user_create
from qualify.assessment import choices as ch
from qualify.assessment import services
from qualify.assessment.models import Query
from qualify.assessment.tests import journey
from qualify.core.actor import system_actor
from qualify.core.roles import StaffRole
from qualify.notifications.models import Notification
from qualify.notifications.services import preferences_set
from qualify.qad.choices import Body


def _recipients(cast, kind: str, after: int = 0) -> set[str]:
    """The cast keys (or e-mail addresses for people outside it) that received a notice of this kind (since the
    notice numbered ``after``)."""
    keys = {user.pk: key for key, user in cast.users.items()}
    rows = Notification.objects.filter(kind=kind, pk__gt=after).select_related("recipient")
    return {keys.get(n.recipient_id, n.recipient.email) for n in rows}


def _second_bsc_assessor(cast):
    return user_create(
        actor=system_actor("test set-up"),
        email="bsc2@elexon.test",
        full_name="Bex Reviewer",
        password=None,
        staff_role=StaffRole.BSC_ASSESSOR,
    )


def _sent_to(kind_title_part: str = "") -> list[list[str]]:
    return sorted(m.to for m in mail.outbox if kind_title_part in m.subject)


# --- submission received ----------------------------------------------------------------------------------------------


def test_a_submitted_qad_tells_every_assessor_of_each_owning_body(cast):
    _second_bsc_assessor(cast)
    journey.to_initial_submitted(cast, cast.case_a)
    assert _recipients(cast, ch.NOTICE_SUBMISSION_RECEIVED) == {"bsc", "bsc2@elexon.test", "rec", "dip"}
    bsc_notice = Notification.objects.get(kind=ch.NOTICE_SUBMISSION_RECEIVED, recipient=cast.user("bsc"))
    assert "Northwind Energy Ltd" in bsc_notice.title and cast.case_a.reference in bsc_notice.body


def test_a_submitted_qad_tells_only_the_assigned_reviewer_of_a_body(cast):
    second = _second_bsc_assessor(cast)
    case = journey.to_initial_submitted(cast, cast.case_a)
    services.review_assign(actor=cast.actor("bsc"), case=case, body=Body.BSC, reviewer_id=second.pk)
    before_final = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    journey.to_final_submitted(cast, journey.to_testing(cast, case))
    assert _recipients(cast, ch.NOTICE_SUBMISSION_RECEIVED, after=before_final) == {"bsc2@elexon.test", "rec", "dip"}


def test_participants_are_not_told_a_submission_was_received(cast):
    journey.to_initial_submitted(cast, cast.case_a)
    assert not Notification.objects.filter(
        kind=ch.NOTICE_SUBMISSION_RECEIVED, recipient__in=[cast.user("lead_a"), cast.user("contributor_a")]
    ).exists()


# --- queries ----------------------------------------------------------------------------------------------------------


def test_a_raised_query_tells_the_participants_lead_and_contributors_but_not_its_viewer(
    cast, django_capture_on_commit_callbacks
):
    case = journey.to_initial_submitted(cast, cast.case_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        query = journey.raise_query(cast, case, Body.BSC, text="Show the settlement run-book.")
    assert _recipients(cast, ch.NOTICE_QUERY_RAISED) == {"lead_a", "contributor_a"}
    assert _sent_to(query.reference) == [["contrib@northwind.test"], ["lead@northwind.test"]]
    notice = Notification.objects.get(kind=ch.NOTICE_QUERY_RAISED, recipient=cast.user("lead_a"))
    assert f"section {query.section_number}, question {query.question_number}" in notice.body
    assert "Show the settlement run-book." in notice.body


def test_an_answered_query_tells_the_assessor_who_raised_it(cast, django_capture_on_commit_callbacks):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, Body.BSC)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.query_answer(actor=cast.actor("contributor_a"), query=query, text="See the run-book, page 4.")
    assert _recipients(cast, ch.NOTICE_QUERY_ANSWERED) == {"bsc"}
    assert _sent_to(query.reference) == [["bsc@elexon.test"]]
    assert "See the run-book, page 4." in mail.outbox[0].body


def test_a_person_who_turned_query_emails_off_gets_the_notice_but_no_email(cast, django_capture_on_commit_callbacks):
    preferences_set(actor=cast.actor("lead_a"), email_by_kind={ch.NOTICE_QUERY_RAISED: False})
    case = journey.to_initial_submitted(cast, cast.case_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        query = journey.raise_query(cast, case, Body.BSC)
    assert _recipients(cast, ch.NOTICE_QUERY_RAISED) == {"lead_a", "contributor_a"}
    assert _sent_to(query.reference) == [["contrib@northwind.test"]]


def test_a_rolled_back_query_sends_nothing(cast, django_capture_on_commit_callbacks):
    case = journey.to_initial_submitted(cast, cast.case_a)
    mail.outbox.clear()

    def raise_then_fail() -> None:
        with transaction.atomic():
            journey.raise_query(cast, case, Body.BSC)
            raise RuntimeError("the request failed after the query was raised")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        raise_then_fail()
    assert mail.outbox == []
    assert not Query.objects.exists() and not Notification.objects.filter(kind=ch.NOTICE_QUERY_RAISED).exists()


# --- decisions --------------------------------------------------------------------------------------------------------


def test_a_board_decision_tells_the_participant_and_the_bodys_assessors(cast, django_capture_on_commit_callbacks):
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_awaiting_approval(cast, journey.to_final_submitted(cast, journey.to_testing(cast, case)))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision = journey.decide(cast, case, Body.BSC)
    assert _recipients(cast, ch.NOTICE_DECISION_MADE) == {"lead_a", "contributor_a", "bsc"}
    assert _sent_to(case.reference) == [["bsc@elexon.test"], ["contrib@northwind.test"], ["lead@northwind.test"]]
    notice = Notification.objects.get(kind=ch.NOTICE_DECISION_MADE, recipient=cast.user("lead_a"))
    assert "BSC PAB" in notice.title and "Approve" in notice.title
    assert "Effective from 01 December 2026" in notice.body and decision.case_id == case.pk


# --- reminders (the daily command) ------------------------------------------------------------------------------------


def _remind(on: dt.date) -> str:
    out = StringIO()
    call_command("send_assessment_reminders", "--date", on.isoformat(), stdout=out)
    return out.getvalue()


def _reminders(kind: str, cast, who: str) -> int:
    return Notification.objects.filter(kind=kind, recipient=cast.user(who)).count()


def test_reminders_go_once_when_due_soon_and_once_when_overdue(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, Body.BSC)
    due = query.response_due
    assert "0 due-soon reminder(s), 0 overdue" in _remind(due - dt.timedelta(days=5))
    assert "1 due-soon reminder(s), 0 overdue" in _remind(due - dt.timedelta(days=1))
    assert "0 due-soon reminder(s), 0 overdue" in _remind(due - dt.timedelta(days=1))
    assert "0 due-soon reminder(s), 0 overdue" in _remind(due)
    assert "0 due-soon reminder(s), 1 overdue" in _remind(due + dt.timedelta(days=1))
    assert "0 due-soon reminder(s), 0 overdue" in _remind(due + dt.timedelta(days=2))
    for who in ("lead_a", "contributor_a"):
        assert _reminders(ch.NOTICE_QUERY_DUE_SOON, cast, who) == 1
        assert _reminders(ch.NOTICE_QUERY_OVERDUE, cast, who) == 1
    assert _recipients(cast, ch.NOTICE_QUERY_OVERDUE) == {"lead_a", "contributor_a"}
    overdue = Notification.objects.get(kind=ch.NOTICE_QUERY_OVERDUE, recipient=cast.user("lead_a"))
    assert query.reference in overdue.title and "overdue" in overdue.title


def test_an_answered_query_left_too_long_reminds_the_reviewer_not_the_participant(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, Body.BSC)
    query = services.query_answer(actor=cast.actor("lead_a"), query=query, text="Done.")
    assert query.reviewer_due is not None
    assert "0 due-soon reminder(s), 0 overdue" in _remind(query.reviewer_due)
    assert "0 due-soon reminder(s), 1 overdue" in _remind(query.reviewer_due + dt.timedelta(days=1))
    assert "0 due-soon reminder(s), 0 overdue" in _remind(query.reviewer_due + dt.timedelta(days=1))
    assert _recipients(cast, ch.NOTICE_QUERY_OVERDUE) == {"bsc"}
    assert not Notification.objects.filter(kind=ch.NOTICE_QUERY_DUE_SOON).exists()


def test_a_follow_up_with_a_new_due_date_earns_a_new_reminder(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, Body.BSC)
    first_due = query.response_due
    assert "1 due-soon" in _remind(first_due - dt.timedelta(days=1))
    query = services.query_answer(actor=cast.actor("lead_a"), query=query, text="Done.")
    new_due = first_due + dt.timedelta(days=20)
    query = services.query_follow_up(
        actor=cast.actor("bsc"), query=Query.objects.get(pk=query.pk), text="Not quite.", response_due=new_due
    )
    assert query.response_due == new_due
    assert "1 due-soon" in _remind(new_due - dt.timedelta(days=1))
    assert "0 due-soon" in _remind(new_due - dt.timedelta(days=1))
    assert _reminders(ch.NOTICE_QUERY_DUE_SOON, cast, "lead_a") == 2


def test_closed_queries_are_never_reminded(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, Body.BSC)
    services.query_close(actor=cast.actor("bsc"), query=query, text="Withdrawn: answered elsewhere.")
    assert "0 due-soon reminder(s), 0 overdue" in _remind(query.response_due + dt.timedelta(days=30))


def test_the_reminder_command_refuses_a_malformed_date(cast):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("send_assessment_reminders", "--date", "31/12/2026")


# --- a real SMTP server -----------------------------------------------------------------------------------------------


class _Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=10,
        ):
            yield inbox
    finally:
        controller.stop()


def test_a_raised_query_reaches_a_real_smtp_server_quoting_section_and_question(
    cast, smtp_server, django_capture_on_commit_callbacks
):
    preferences_set(actor=cast.actor("contributor_a"), email_by_kind={ch.NOTICE_QUERY_RAISED: False})
    case = journey.to_initial_submitted(cast, cast.case_a)
    assert smtp_server.received == []  # nothing committed yet: the submission's e-mails are still only queued
    with django_capture_on_commit_callbacks(execute=True):
        query = journey.raise_query(cast, case, Body.BSC, text="Which team owns the D+1 exception “path”?")
    assert len(smtp_server.received) == 1
    recipients, message = smtp_server.received[0]
    assert recipients == ["lead@northwind.test"] and message["To"] == "lead@northwind.test"
    assert message["Subject"].startswith(f"{query.reference}: BSC PAB query on QAD {query.question_number}")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"section {query.section_number}, question {query.question_number}" in body
    assert "Which team owns the D+1 exception “path”?" in body and str(query.uuid) in body
    assert Notification.objects.get(kind=ch.NOTICE_QUERY_RAISED, recipient=cast.user("lead_a")).email_sent_at
