"""Background work: one task per notification e-mail, enqueued only after the transaction commits."""

from __future__ import annotations

from django_tasks import task

from qualify.notifications.services import notification_email_send


@task()
def send_notification_email(notification_uuid: str) -> bool:
    """Send a notice's e-mail; safe to run twice (the notice records when its e-mail went)."""
    return notification_email_send(notification_uuid=notification_uuid)
