"""The testing progress panel, loaded by htmx into the home card, the case page and the assessment page.

A minimal version over ``selectors.progress.case_progress``: a QT-route case that is scoped shows its counts; any
other case gets an empty fragment.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from qualify.core import guards
from qualify.core.errors import NotFound
from qualify.core.requests import actor_of
from qualify.testing.gates import is_qt_route
from qualify.testing.selectors.gates import testing_case_get
from qualify.testing.selectors.progress import case_progress


@guards.signed_in
def progress_panel_view(request: HttpRequest, key: str) -> HttpResponse:
    try:
        case = testing_case_get(actor=actor_of(request), key=key)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    progress = case_progress(case) if is_qt_route(case) else None
    return render(request, "testing/_progress_panel.html", {"case": case, "progress": progress})
