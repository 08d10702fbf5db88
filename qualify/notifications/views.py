"""The inbox and the e-mail preferences page: thin adapters over the notification services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.core.web import paginate, report_error
from qualify.notifications.selectors import notification_get, notification_list, preference_map, unread_count
from qualify.notifications.services import notification_mark_all_read, notification_mark_read, preferences_set


@guards.signed_in
def inbox(request: HttpRequest) -> HttpResponse:
    """The person's notices, unread first."""
    actor = actor_of(request)
    page = paginate(request, notification_list(actor=actor))
    return render(request, "notifications/inbox.html", {"page": page, "unread": unread_count(actor=actor)})


@require_POST
@guards.signed_in
def mark_read(request: HttpRequest, key: str) -> HttpResponse:
    """Mark one notice read, then follow its link when asked to (``open=1``) or go back to the inbox."""
    actor = actor_of(request)
    notification = notification_get(actor=actor, key=key)
    notification_mark_read(actor=actor, notification=notification)
    target = notification.link
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    if request.POST.get("open") and target and safe:
        return redirect(target)
    return redirect("notifications:inbox")


@require_POST
@guards.signed_in
def mark_all_read(request: HttpRequest) -> HttpResponse:
    changed = notification_mark_all_read(actor=actor_of(request))
    messages.success(request, f"Marked {changed} notice{'s' if changed != 1 else ''} read.")
    return redirect("notifications:inbox")


@guards.signed_in
def preferences(request: HttpRequest) -> HttpResponse:
    """One checkbox per kind of notice: ticked means it also arrives by e-mail."""
    actor = actor_of(request)
    rows = preference_map(actor=actor)
    if request.method == "POST":
        chosen = {kind: f"email:{kind}" in request.POST for kind, _label, _email in rows}
        try:
            preferences_set(actor=actor, email_by_kind=chosen)
        except DomainError as error:
            report_error(request, error)
        else:
            messages.success(request, "Your e-mail choices are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"rows": rows})
