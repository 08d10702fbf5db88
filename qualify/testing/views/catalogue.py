"""Test catalogue pages: the versions (load, validate, publish) and one version's cases by batch, filtered by role.
Thin adapters over qualify/testing/services.py and selectors.py."""

from __future__ import annotations

from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qualify.core import guards
from qualify.core.errors import DomainError
from qualify.core.requests import actor_of
from qualify.core.roles import StaffRole
from qualify.core.web import paginate, report_error
from qualify.participants.choices import MarketRole, Route
from qualify.plan.choices import Segment
from qualify.testing.choices import QT_ROUTES, MinimumSet
from qualify.testing.forms import CatalogueUploadForm, PublishForm
from qualify.testing.models import CatalogueCase, TestCatalogue
from qualify.testing.permissions import can_manage_catalogues
from qualify.testing.selectors import CaseFilters, catalogue_cases, catalogue_get, catalogue_list
from qualify.testing.services import catalogue_load, catalogue_publish

CASES_PER_PAGE = 50
# An upload larger than this is refused before it is read: a real catalogue is a few hundred kilobytes.
MAX_UPLOAD_BYTES = 5_000_000
ROLE_NAMES = {MarketRole.LDSO.value: "LDSO", **{k: str(v) for k, v in MarketRole.choices if k != MarketRole.LDSO}}
SEGMENT_NAMES = {k: str(v) for k, v in Segment.choices}
ROUTE_NAMES = {Route.QT.value: "QT", Route.NEW_ENTRANT.value: "New entrant", Route.SIT.value: "SIT"}
MINIMUM_SET_NAMES = {MinimumSet.NO_RELIANCE.value: "No reliance", MinimumSet.PARTIAL_RELIANCE.value: "Partial reliance"}


def _get(request: HttpRequest, version: str) -> TestCatalogue:
    return catalogue_get(actor=actor_of(request), version=version)


def _list_context(request: HttpRequest, form: CatalogueUploadForm, problems: list[dict[str, Any]]) -> dict[str, Any]:
    actor = actor_of(request)
    return {
        "catalogues": list(catalogue_list(actor=actor).select_related("artefact_version")),
        "can_manage": can_manage_catalogues(actor).allowed,
        "form": form,
        "problems": problems,
    }


@guards.signed_in
def catalogue_list_view(request: HttpRequest) -> HttpResponse:
    """The catalogue versions: published ones for everyone, drafts and the upload form for the Programme."""
    return render(request, "testing/catalogue_list.html", _list_context(request, CatalogueUploadForm(), []))


@require_POST
@guards.staff(StaffRole.PROGRAMME_ADMIN)
def catalogue_upload_view(request: HttpRequest) -> HttpResponse:
    form = CatalogueUploadForm(request.POST, request.FILES)
    problems: list[dict[str, Any]] = []
    if form.is_valid():
        upload: UploadedFile[bytes] = form.cleaned_data["file"]
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            messages.error(
                request, f"The file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB; a catalogue is far smaller."
            )
        else:
            try:
                catalogue = catalogue_load(
                    actor=actor_of(request),
                    data=upload.read(),
                    source_name=upload.name or "",
                    publish=form.cleaned_data["publish"],
                )
            except DomainError as error:
                report_error(request, error)
                problems = list(error.details.get("problems", [])) if isinstance(error.details, dict) else []
            else:
                state = "published" if catalogue.is_published else "loaded as a draft"
                messages.success(request, f"Test catalogue v{catalogue.version} {state}.")
                return redirect("testing:catalogue_detail", version=catalogue.version)
    context = _list_context(request, form, problems)
    return render(request, "testing/catalogue_list.html", context, status=422 if problems else 200)


def _row(catalogue: TestCatalogue, case: CatalogueCase) -> dict[str, Any]:
    """A case in words for the page: role, segment, minimum-set and optional-function names instead of codes."""
    functions = {f["code"]: f["title"] for f in catalogue.optional_functions}
    return {
        "case": case,
        "roles": "Every role" if set(case.roles) >= set(ROLE_NAMES) else ", ".join(ROLE_NAMES[r] for r in case.roles),
        "segments": "Every segment"
        if set(case.segments) >= set(SEGMENT_NAMES)
        else ", ".join(SEGMENT_NAMES[s] for s in case.segments),
        # Only a case limited to one route says so; most run on every QT route.
        "routes": "" if set(case.routes) >= set(QT_ROUTES) else ", ".join(ROUTE_NAMES.get(r, r) for r in case.routes),
        "minimum_sets": [MINIMUM_SET_NAMES.get(m, m) for m in case.minimum_sets],
        "optional_function": functions.get(case.optional_function, case.optional_function),
    }


@guards.signed_in
def catalogue_detail_view(request: HttpRequest, version: str) -> HttpResponse:
    """One catalogue version: its cases grouped by batch, filtered by role and batch, fifty to a page."""
    catalogue = _get(request, version)
    filters = CaseFilters.of(catalogue, request.GET.get("role"), request.GET.get("batch"))
    page = paginate(request, catalogue_cases(catalogue, filters), per_page=CASES_PER_PAGE)
    groups = [
        {"code": code, "title": catalogue.batch_title(code), "cases": [_row(catalogue, c) for c in cases]}
        for code, cases in groupby(page.object_list, key=lambda c: c.batch)
    ]
    query = urlencode({k: v for k, v in (("role", filters.role), ("batch", filters.batch)) if v})
    context = {
        "catalogue": catalogue,
        "page": page,
        "groups": groups,
        "filters": filters,
        "roles": MarketRole.choices,
        "batches": catalogue.batches,
        "query": query,
        "can_manage": can_manage_catalogues(actor_of(request)).allowed,
        "publish_form": PublishForm(),
    }
    return render(request, "testing/catalogue_detail.html", context)


@require_POST
@guards.staff(StaffRole.PROGRAMME_ADMIN)
def catalogue_publish_view(request: HttpRequest, version: str) -> HttpResponse:
    catalogue = _get(request, version)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick the box to confirm: a published catalogue can never be changed.")
        return redirect("testing:catalogue_detail", version=catalogue.version)
    try:
        catalogue_publish(actor=actor_of(request), catalogue=catalogue)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Test catalogue v{catalogue.version} is published; it can no longer change.")
    return redirect("testing:catalogue_detail", version=catalogue.version)
