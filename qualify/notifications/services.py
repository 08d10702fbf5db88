"""Writing notices, sending their e-mails, and people's choices about them.

``notify`` is how every app tells people something (issue 4): the in-app rows are written in the caller's
transaction, so a notice exists exactly when the change it announces does; each e-mail is a background task queued
only once that transaction has committed (STYLE.md rule 15), so a rolled-back change never sends mail.

Notifications sit below the audit log in the layering and do not write audit events: a notice is a consequence of an
audited domain change, and reading one or choosing e-mails is a person's own inbox housekeeping, not a record.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import models, transaction

from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.core.ids import parse_uuid
from qualify.notifications.choices import KINDS
from qualify.notifications.models import Notification, NotificationPreference
from qualify.notifications.permissions import can_manage_own_inbox


def _recipient_ids(recipients: Iterable[int | models.Model]) -> list[int]:
    ids = {r if isinstance(r, int) else int(r.pk) for r in recipients}
    return sorted(ids)


def email_wanted(user_id: int, kind: str) -> bool:
    """E-mail is on unless the person turned this kind off."""
    preference = NotificationPreference.objects.filter(user_id=user_id, kind=kind).values_list("email", flat=True)
    return next(iter(preference), True)


@transaction.atomic
def notify(
    *,
    recipients: Iterable[int | models.Model],
    kind: str,
    title: str,
    body: str,
    link: str = "",
    email: bool = True,
    subject: str = "",
) -> list[Notification]:
    """Tell each recipient once, in the inbox, and by e-mail after commit unless they turned this kind off.

    ``email=False`` writes the inbox rows only, for a notice whose e-mail the caller sends itself (``email_direct``).
    ``subject`` is the reference of what the notice is about (a case's ``QC-…``), by which the inbox is filtered.
    """
    if not kind.strip():
        raise ValidationFailed("A notification needs a kind.", details={"kind": "required"})
    ids = _recipient_ids(recipients)
    if not ids:
        return []
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient_id=i, kind=kind, title=title[:200], body=body, link=link[:500], subject=subject[:40])
            for i in ids
        ]
    )
    # bulk_create does not return primary keys on every backend; read the public ids back in one query.
    uuids = [n.uuid for n in rows]
    opted_out = set(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind, email=False).values_list("user_id", flat=True)
    )
    from qualify.notifications.tasks import send_notification_email

    for notification in rows:
        if email and notification.recipient_id not in opted_out:
            transaction.on_commit(partial(send_notification_email.enqueue, str(notification.uuid)))
    return list(Notification.objects.filter(uuid__in=uuids).order_by("recipient_id"))


def _absolute(link: str) -> str:
    base = str(settings.QUALIFY_SITE_URL).rstrip("/")
    return f"{base}{link}" if link.startswith("/") and base else link


def absolute_link(link: str) -> str:
    """A site path as the full address an e-mail needs (QUALIFY_SITE_URL in front)."""
    return _absolute(link)


def email_direct(*, to: str, subject: str, body: str) -> None:
    """Send one e-mail to an address (which may have no account yet) once the caller's transaction commits.

    For a message that carries a secret, such as an invitation link: it is sent at commit rather than queued as a
    task, so the secret is never written to the task table. Nothing is sent if the transaction rolls back.
    """
    message = body.strip() + "\n"
    transaction.on_commit(
        partial(
            send_mail,
            subject=subject[:200],
            message=message,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[to],
        )
    )


@transaction.atomic
def notification_email_send(*, notification_uuid: str) -> bool:
    """Send one notice's e-mail at most once (idempotent: a repeated or retried task finds it sent and stops).

    Re-checks the person's preference at send time, so turning a kind off also stops e-mails already queued.
    Returns whether an e-mail went out.
    """
    notification = (
        Notification.objects.select_for_update().filter(uuid=notification_uuid).select_related("recipient").first()
    )
    if notification is None or notification.email_sent_at is not None:
        return False
    user: Any = notification.recipient
    if not user.is_active or getattr(user, "is_machine", False) or not getattr(user, "email", ""):
        return False
    if not email_wanted(user.pk, notification.kind):
        return False
    lines = [notification.body.strip()]
    if notification.link:
        lines += ["", _absolute(notification.link)]
    lines += ["", "You can choose which e-mails you receive on your notification preferences page."]
    send_mail(
        subject=notification.title,
        message="\n".join(lines).strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    Notification.objects.filter(pk=notification.pk).update(email_sent_at=clock.now())
    return True


@transaction.atomic
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    """A person marks one of their own notices read (reading again keeps the first time)."""
    can_manage_own_inbox(actor, notification).enforce()
    if notification.read_at is None:
        now = clock.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: Actor, kind: str = "", subject: str = "") -> int:
    """Mark every unread notice of the actor read (of one kind, about one subject, when given); returns how many
    changed."""
    qs = Notification.objects.visible_to(actor).filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    if subject:
        qs = qs.filter(subject=subject)
    return qs.update(read_at=clock.now())


MAX_MARKED_AT_ONCE = 500


@transaction.atomic
def notification_mark_many_read(*, actor: Actor, keys: Iterable[object]) -> int:
    """Mark the chosen notices of the actor read (at most 500 at once; others' notices and unknown keys are left
    alone, as a person can only reach their own); returns how many changed."""
    ids = [i for i in (parse_uuid(k) for k in list(keys)[:MAX_MARKED_AT_ONCE]) if i is not None]
    if not ids:
        return 0
    return Notification.objects.visible_to(actor).filter(uuid__in=ids, read_at__isnull=True).update(read_at=clock.now())


@transaction.atomic
def preferences_set(*, actor: Actor, email_by_kind: dict[str, bool]) -> dict[str, bool]:
    """Record a person's e-mail choice per kind. Unknown kinds are refused so a typo cannot silently do nothing."""
    if actor.user_id is None:
        raise ValidationFailed("Only a signed-in person has notification preferences.")
    unknown = sorted(set(email_by_kind) - set(KINDS))
    if unknown:
        raise ValidationFailed(f"Unknown notification kinds: {', '.join(unknown)}.", details={"kinds": unknown})
    user_model = get_user_model()
    user = user_model._default_manager.get(pk=actor.user_id)
    for kind, email in email_by_kind.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": bool(email)})
    return email_by_kind
