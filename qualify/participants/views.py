from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qualify.core import guards
from qualify.core.errors import DomainError, NotFound
from qualify.core.requests import actor_of
from qualify.core.web import paginate
from qualify.participants.forms import DerogationForm, ExemptionDecisionForm
from qualify.participants.models import Exemption, MarketParticipation, Organisation
from qualify.participants.permissions import can_decide_exemption, can_manage_members, can_record_derogation
from qualify.participants.selectors import (
    ORGANISATION_LISTING,
    organisation_get,
    organisation_list,
    organisation_members,
    participation_list,
)
from qualify.participants.services import exemption_decide, exemption_record_derogation


@guards.signed_in
def organisation_list_view(request: HttpRequest) -> HttpResponse:
    """The organisations the person may see (a participant, its own), searched by name, sortable by each column."""
    actor = actor_of(request)
    search = request.GET.get("q", "")
    sort = ORGANISATION_LISTING.sort_from(request.GET)
    page = paginate(request, organisation_list(actor=actor, search=search, sort=sort), ORGANISATION_LISTING.per_page)
    nav = ORGANISATION_LISTING.nav(
        request.GET, sort, list_url=reverse("participants:list"), export_view="participants:export", page=page
    )
    return render(request, "participants/organisation_list.html", {"page": page, "search": search, "list": nav})


@guards.signed_in
def organisation_export_view(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The organisations list as CSV or Excel: every organisation of the search in its order, as far as the person
    may see (a participant, its own)."""
    sort = ORGANISATION_LISTING.sort_from(request.GET)
    qs = organisation_list(actor=actor_of(request), search=request.GET.get("q", ""))
    return ORGANISATION_LISTING.export(qs, sort, fmt)


def _organisation(request: HttpRequest, uuid: str) -> Organisation:
    return organisation_get(actor=actor_of(request), uuid=uuid)


def _detail_page(request: HttpRequest, organisation: Organisation, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    participations = participation_list(actor=actor, organisation=organisation).prefetch_related(
        "qualification_cases__wave"
    )
    return render(
        request,
        "participants/organisation_detail.html",
        {
            "organisation": organisation,
            "participations": participations,
            "members": organisation_members(actor=actor, organisation=organisation),
            "can_decide_exemption": can_decide_exemption(actor).allowed,
            "can_record_derogation": can_record_derogation(actor).allowed,
            "can_manage_members": can_manage_members(actor, organisation.pk).allowed,
            "today": timezone.localdate(),
            "exemption_kinds": ExemptionDecisionForm.base_fields["kind"].choices,  # type: ignore[attr-defined]
        },
        status=status,
    )


@guards.signed_in
def organisation_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    """An organisation's market participations (with their exemptions, cases and waves) and people."""
    return _detail_page(request, _organisation(request, uuid))


def _participation(organisation: Organisation, key: Any) -> MarketParticipation:
    found = organisation.participations.filter(uuid=key).first()
    if found is None:
        raise NotFound("No such market participation.")
    return found


def _exemption_step(request: HttpRequest, uuid: str, form_class: type[Any], act: Any) -> HttpResponse:
    """Validate the form, call the service, and come back to the organisation with its outcome in words."""
    organisation = _organisation(request, uuid)
    form = form_class(request.POST)
    if not form.is_valid():
        problems = "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())
        messages.error(request, f"Please check: {problems}")
        return _detail_page(request, organisation, 422)
    try:
        participation = _participation(organisation, form.cleaned_data["participation"])
        done = act(participation, form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        return _detail_page(request, organisation, error.status)
    messages.success(request, done)
    return redirect("participants:detail", uuid=organisation.uuid)


@require_POST
@guards.signed_in
def exemption_decide_view(request: HttpRequest, uuid: str) -> HttpResponse:
    """A BSC PAB member records the BSC PAB's exemption decision for one of the organisation's participations."""

    def act(participation: MarketParticipation, data: dict[str, Any]) -> str:
        exemption = exemption_decide(
            actor=actor_of(request),
            participation=participation,
            kind=data["kind"],
            scope=data["scope"],
            decided_on=data["decided_on"],
            reference=data["reference"],
        )
        return f"The BSC PAB's decision on the {exemption.get_kind_display()} is recorded."

    return _exemption_step(request, uuid, ExemptionDecisionForm, act)


@require_POST
@guards.signed_in
def derogation_view(request: HttpRequest, uuid: str) -> HttpResponse:
    """A REC decision-maker records the REC derogation matching a BSC PAB exemption."""

    def act(participation: MarketParticipation, data: dict[str, Any]) -> str:
        exemption = Exemption.objects.filter(participation=participation, kind=data["kind"]).first()
        if exemption is None:
            raise NotFound("The BSC PAB has not decided this exemption: there is nothing for a derogation to match.")
        exemption_record_derogation(
            actor=actor_of(request),
            exemption=exemption,
            derogation_on=data["derogation_on"],
            scope=data["scope"],
            reference=data["reference"],
        )
        return f"The REC derogation matching the {exemption.get_kind_display()} is recorded."

    return _exemption_step(request, uuid, DerogationForm, act)
