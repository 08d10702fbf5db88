from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from qualify.core import guards
from qualify.core.errors import NotFound
from qualify.core.requests import actor_of
from qualify.core.web import paginate
from qualify.participants.selectors import (
    organisation_get,
    organisation_list,
    organisation_members,
    participation_list,
)


@guards.signed_in
def organisation_list_view(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    search = request.GET.get("q", "")
    page = paginate(request, organisation_list(actor=actor, search=search))
    return render(request, "participants/organisation_list.html", {"page": page, "search": search})


@guards.signed_in
def organisation_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        organisation = organisation_get(actor=actor, uuid=uuid)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    participations = participation_list(actor=actor, organisation=organisation).select_related(
        "qualification_case__wave"
    )
    return render(
        request,
        "participants/organisation_detail.html",
        {
            "organisation": organisation,
            "participations": participations,
            "members": organisation_members(actor=actor, organisation=organisation),
        },
    )
