"""Notices: written in-app at once, e-mailed by a background task after the transaction commits, honouring each
person's choice, and at most once per notice."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from qualify.core.errors import NotAllowed, ValidationFailed
from qualify.notifications.choices import register_kind
from qualify.notifications.models import Notification, NotificationPreference
from qualify.notifications.services import (
    notification_email_send,
    notification_mark_read,
    notify,
    preferences_set,
)
from qualify.notifications.tasks import send_notification_email

KIND = register_kind("tests.something_happened", "Something happened (tests)")


def _notify(cast, *who, title="Query raised on QAD 4.5"):
    return notify(
        recipients=[cast.user(w) for w in who], kind=KIND, title=title, body="Please answer by Friday.", link="/cases/"
    )


def test_notify_writes_one_inbox_row_per_recipient(cast):
    rows = _notify(cast, "lead_a", "contributor_a", "lead_a")
    assert [n.recipient_id for n in rows] == sorted([cast.user("lead_a").pk, cast.user("contributor_a").pk])
    assert Notification.objects.filter(kind=KIND, read_at__isnull=True).count() == 2


def test_email_is_sent_only_after_the_transaction_commits(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(cast, "lead_a")
        assert mail.outbox == []
    assert len(callbacks) == 1 and mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead@northwind.test"] and message.subject == "Query raised on QAD 4.5"
    assert "Please answer by Friday." in message.body and "/cases/" in message.body
    assert Notification.objects.get(kind=KIND).email_sent_at is not None


def test_a_rolled_back_change_sends_no_email_and_leaves_no_notice(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _notify(cast, "lead_a")
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert mail.outbox == [] and not Notification.objects.filter(kind=KIND).exists()


def test_a_person_who_turned_the_kind_off_gets_the_notice_but_no_email(cast, django_capture_on_commit_callbacks):
    preferences_set(actor=cast.actor("lead_a"), email_by_kind={KIND: False})
    with django_capture_on_commit_callbacks(execute=True):
        _notify(cast, "lead_a", "lead_b")
    assert [m.to for m in mail.outbox] == [["lead@southbank.test"]]
    assert Notification.objects.filter(kind=KIND).count() == 2


def test_turning_email_off_also_stops_an_email_already_queued(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(cast, "lead_a")
    preferences_set(actor=cast.actor("lead_a"), email_by_kind={KIND: False})
    for callback in callbacks:
        callback()
    assert mail.outbox == []


def test_the_email_task_is_idempotent(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (notice,) = _notify(cast, "lead_a")
    assert len(mail.outbox) == 1
    send_notification_email.enqueue(str(notice.uuid))
    assert notification_email_send(notification_uuid=str(notice.uuid)) is False
    assert len(mail.outbox) == 1


def test_machine_clients_get_no_email(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(cast, "machine")
    assert mail.outbox == []


def test_only_the_recipient_can_mark_a_notice_read(cast):
    (notice,) = _notify(cast, "lead_a")
    with pytest.raises(NotAllowed):
        notification_mark_read(actor=cast.actor("admin"), notification=notice)
    notification_mark_read(actor=cast.actor("lead_a"), notification=notice)
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_unknown_kinds_cannot_be_chosen(cast):
    with pytest.raises(ValidationFailed):
        preferences_set(actor=cast.actor("lead_a"), email_by_kind={"nope.never": False})


def test_inbox_lists_unread_first_and_marks_all_read(cast, client_for):
    _notify(cast, "lead_a", title="Older, unread")
    (second,) = _notify(cast, "lead_a", title="Newer, read")
    notification_mark_read(actor=cast.actor("lead_a"), notification=second)
    _notify(cast, "lead_b", title="Someone else's")
    client = client_for("lead_a")
    page = client.get("/notifications/").content.decode()
    assert page.index("Older, unread") < page.index("Newer, read") and "Someone else" not in page
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=cast.user("lead_a"), read_at__isnull=True).exists()


def test_open_marks_read_and_follows_the_link(cast, client_for):
    (notice,) = _notify(cast, "lead_a")
    response = client_for("lead_a").post(f"/notifications/{notice.uuid}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/cases/"


def test_someone_elses_notice_is_404(cast, client_for, token_for):
    (notice,) = _notify(cast, "lead_a")
    assert client_for("lead_b").post(f"/notifications/{notice.uuid}/read/").status_code == 404
    response = client_for(None).post(f"/api/v1/notifications/{notice.uuid}/read", **token_for("admin"))
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_preferences_page_saves_a_checkbox_per_kind(cast, client_for):
    client = client_for("lead_a")
    page = client.get("/notifications/preferences/").content.decode()
    assert f'name="email:{KIND}" checked' in page and "A consultation opens" in page
    client.post("/notifications/preferences/", {"email:library.consultation_opened": "on"})
    choices = dict(NotificationPreference.objects.filter(user=cast.user("lead_a")).values_list("kind", "email"))
    assert choices[KIND] is False and choices["library.consultation_opened"] is True


def test_api_lists_own_notices_and_marks_them_read(cast, client_for, token_for):
    (notice,) = _notify(cast, "lead_a")
    headers = token_for("lead_a")
    listed = client_for(None).get("/api/v1/notifications?unread=true", **headers).json()
    assert [n["uuid"] for n in listed["items"]] == [str(notice.uuid)]
    marked = client_for(None).post(f"/api/v1/notifications/{notice.uuid}/read", **headers).json()
    assert marked["read_at"] is not None
    assert client_for(None).post("/api/v1/notifications/read-all", **headers).json() == {"marked": 0}


def test_context_processor_counts_unread_lazily(cast, rf):
    from qualify.notifications.context_processors import unread_notifications

    _notify(cast, "lead_a")
    request = rf.get("/")
    request.user = cast.user("lead_a")
    context = unread_notifications(request)
    with CaptureQueriesContext(connection) as queries:
        assert context["notifications_unread"]() == 1
        assert context["notifications_unread"]() == 1
    assert len(queries) == 2  # the actor's memberships, then the count; cached after


def _queries(client, url, **kw):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **kw).status_code == 200
    return len(ctx.captured_queries)


def test_inbox_and_api_do_not_query_per_notice(cast, client_for, token_for):
    client = client_for("lead_a")
    headers = token_for("lead_a")
    _notify(cast, "lead_a")
    client_for(None).get("/api/v1/notifications", **headers)  # the token's first use records itself once
    before = (_queries(client, "/notifications/"), _queries(client_for(None), "/api/v1/notifications", **headers))
    for i in range(15):
        _notify(cast, "lead_a", title=f"More {i}")
    after = (_queries(client, "/notifications/"), _queries(client_for(None), "/api/v1/notifications", **headers))
    assert after == before


def test_links_in_emails_start_with_the_sites_address_when_it_is_set(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.QUALIFY_SITE_URL = "https://qualify.example.org/"
    with django_capture_on_commit_callbacks(execute=True):
        _notify(cast, "lead_a")
    assert "https://qualify.example.org/cases/" in mail.outbox[0].body


OTHER_KIND = register_kind("tests.other_thing", "Another thing (tests)")


def _about(cast, who, *, subject, kind=KIND, title):
    (row,) = notify(recipients=[cast.user(who)], kind=kind, title=title, body="", subject=subject)
    return row


def test_the_inbox_filters_by_case_and_by_kind_and_offers_only_the_persons_own(cast, client_for):
    _about(cast, "lead_a", subject="QC-000001", title="About case one")
    _about(cast, "lead_a", subject="QC-000002", title="About case two")
    _about(cast, "lead_a", subject="QC-000002", kind=OTHER_KIND, title="Case two, other kind")
    _about(cast, "lead_b", subject="QC-000009", title="Someone else's case")
    client = client_for("lead_a")
    everything = client.get("/notifications/").content.decode()
    assert 'value="QC-000001"' in everything and 'value="QC-000002"' in everything
    assert "QC-000009" not in everything  # another person's subjects are not offered
    by_case = client.get("/notifications/", {"subject": "QC-000002"}).content.decode()
    assert "About case two" in by_case and "Case two, other kind" in by_case and "About case one" not in by_case
    by_both = client.get("/notifications/", {"subject": "QC-000002", "kind": OTHER_KIND}).content.decode()
    assert "Case two, other kind" in by_both and "About case two" not in by_both
    nothing = client.get("/notifications/", {"subject": "QC-000009"}).content.decode()
    assert "No notice matches this filter." in nothing and "Someone else" not in nothing


def test_marking_read_in_bulk_takes_the_ticked_notices_or_else_the_filter(cast, client_for):
    one = _about(cast, "lead_a", subject="QC-000001", title="One")
    _about(cast, "lead_a", subject="QC-000001", title="Two")
    _about(cast, "lead_a", subject="QC-000002", title="Three")
    theirs = _about(cast, "lead_b", subject="QC-000001", title="Theirs")
    client = client_for("lead_a")
    response = client.post(
        "/notifications/read-all/", {"selected": [str(one.uuid), str(theirs.uuid), "not-a-uuid"], "subject": ""}
    )
    assert response.status_code == 302
    unread = set(Notification.objects.filter(read_at__isnull=True).values_list("title", flat=True))
    assert unread == {"Two", "Three", "Theirs"}  # only the person's own ticked notice changed
    response = client.post("/notifications/read-all/", {"subject": "QC-000002"})
    assert response["Location"] == "/notifications/?subject=QC-000002"
    unread = set(Notification.objects.filter(read_at__isnull=True).values_list("title", flat=True))
    assert unread == {"Two", "Theirs"}


def test_the_api_filters_the_inbox_by_subject_and_kind(cast, client_for, token_for):
    _about(cast, "lead_a", subject="QC-000001", title="One")
    _about(cast, "lead_a", subject="QC-000002", kind=OTHER_KIND, title="Two")
    client = client_for(None)
    items = client.get("/api/v1/notifications?subject=QC-000002", **token_for("lead_a")).json()["items"]
    assert [(i["title"], i["subject"]) for i in items] == [("Two", "QC-000002")]
    items = client.get(f"/api/v1/notifications?kind={KIND}", **token_for("lead_a")).json()["items"]
    assert [i["title"] for i in items] == ["One"]
