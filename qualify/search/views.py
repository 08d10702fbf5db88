"""The site's search page: the box in the header posts here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qualify.core import guards
from qualify.core.requests import actor_of
from qualify.search.selectors import MIN_LENGTH, site_search


@guards.signed_in
def results(request: HttpRequest) -> HttpResponse:
    """Cases, organisations, MPIDs, queries, findings and documents matching ``q``, as far as the person may see."""
    found = site_search(actor=actor_of(request), raw=request.GET.get("q", ""))
    return render(request, "search/results.html", {"results": found, "min_length": MIN_LENGTH})
