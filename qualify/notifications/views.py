"""The inbox and the e-mail preferences page: thin adapters over the notification services and selectors."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.core.text import one_line
from qualify.core.web import paginate, report_error
from qualify.notifications.selectors import (
    inbox_facets,
    notification_get,
    notification_list,
    preference_map,
    unread_count,
)
from qualify.notifications.services import (
    notification_mark_all_read,
    notification_mark_many_read,
    notification_mark_read,
    preferences_set,
)


def _filters(data: QueryDict) -> dict[str, str]:
    """The inbox's filters as given (a kind, a case reference), bounded; an unknown value simply matches nothing."""
    return {name: one_line(data.get(name, ""), limit=80) for name in ("kind", "subject")}


@guards.signed_in
def inbox(request: HttpRequest) -> HttpResponse:
    """The person's notices, unread first; filtered by kind and by case, with the filter kept across pages."""
    actor = actor_of(request)
    filters = _filters(request.GET)
    page = paginate(request, notification_list(actor=actor, kind=filters["kind"], subject=filters["subject"]))
    kinds, subjects = inbox_facets(actor=actor)
    context = {
        "page": page,
        "unread": unread_count(actor=actor),
        "filters": filters,
        "filtered": any(filters.values()),
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "kinds": kinds,
        "subjects": subjects,
    }
    return render(request, "notifications/inbox.html", context)


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
    """Mark the ticked notices read (``selected``), or every unread one the filter shows when none is ticked."""
    actor = actor_of(request)
    filters = _filters(request.POST)
    chosen = request.POST.getlist("selected")
    if chosen:
        changed = notification_mark_many_read(actor=actor, keys=chosen)
    else:
        changed = notification_mark_all_read(actor=actor, kind=filters["kind"], subject=filters["subject"])
    messages.success(request, f"Marked {changed} notice{'s' if changed != 1 else ''} read.")
    query = urlencode({k: v for k, v in filters.items() if v})
    return redirect(reverse("notifications:inbox") + (f"?{query}" if query else ""))


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
