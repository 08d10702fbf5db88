"""The webhooks pages: a subscriptions list with the form to add one (its secret shown once), and each one's delivery
log with re-send, pause and remove. Thin adapters over ``services`` and ``selectors``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.core.web import confirmation_page, confirmed, paginate, report_error
from qualify.webhooks.forms import SubscriptionForm
from qualify.webhooks.permissions import audience_of, can_manage
from qualify.webhooks.selectors import delivery_get, delivery_list, subscription_get, subscription_list
from qualify.webhooks.services import (
    delivery_resend,
    subscription_create,
    subscription_delete,
    subscription_set_active,
)


@guards.signed_in
def subscriptions(request: HttpRequest) -> HttpResponse:
    """The webhooks the person can see; a lead or programme administrator adds one here."""
    actor = actor_of(request)
    may_add = audience_of(actor) is not None
    form = SubscriptionForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = subscription_create(
                actor=actor,
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
            )
        except DomainError as error:
            report_error(request, error)
        else:
            messages.success(request, f"Webhook “{created.name}” added.")
            form = SubscriptionForm()
    # The Programme sees every organisation's webhooks: a page at a time.
    page = paginate(request, subscription_list(actor=actor))
    context = {"subscriptions": page, "page": page, "form": form, "may_add": may_add, "secret": secret}
    return render(request, "webhooks/subscriptions.html", context)


@guards.signed_in
def subscription_detail(request: HttpRequest, key: str) -> HttpResponse:
    """One webhook and its delivery log, newest first."""
    actor = actor_of(request)
    subscription = subscription_get(actor=actor, key=key)
    page = paginate(request, delivery_list(actor=actor, subscription=subscription))
    context = {
        "subscription": subscription,
        "page": page,
        "may_manage": can_manage(actor, subscription).allowed,
    }
    return render(request, "webhooks/subscription_detail.html", context)


@require_POST
@guards.signed_in
def subscription_active(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    subscription = subscription_get(actor=actor, key=key)
    active = request.POST.get("active") == "on"
    try:
        subscription_set_active(actor=actor, subscription=subscription, active=active)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Webhook “{subscription.name}” {'started' if active else 'paused'}.")
    return redirect("webhooks:detail", key=str(subscription.uuid))


@require_POST
@guards.signed_in
def subscription_remove(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    subscription = subscription_get(actor=actor, key=key)
    if not confirmed(request):
        return confirmation_page(
            request,
            action="Remove webhook",
            consequence=f"“{subscription.name}” stops hearing events and its delivery log is removed.",
            back_url=reverse("webhooks:detail", args=[str(subscription.uuid)]),
            destructive=True,
        )
    try:
        subscription_delete(actor=actor, subscription=subscription)
    except DomainError as error:
        report_error(request, error)
        return redirect("webhooks:detail", key=str(subscription.uuid))
    messages.success(request, f"Webhook “{subscription.name}” removed.")
    return redirect("webhooks:list")


@require_POST
@guards.signed_in
def delivery_resend_view(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_of(request)
    delivery = delivery_get(actor=actor, key=key)
    try:
        delivery_resend(actor=actor, delivery=delivery)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Event {delivery.event.event_id} will be sent again.")
    return redirect("webhooks:detail", key=str(delivery.subscription.uuid))
