"""Site-wide pages: the health check, the error pages, the glossary and the favicon.

The error handlers (``handler400`` … ``handler500`` in config/urls.py, and ``CSRF_FAILURE_VIEW``) answer a page with
the site's navigation and a way back, except under /api/, where they answer the API's one error shape
(``{"error": {"code", "message", "details"}}``, STYLE.md rule 14). The 500 page never touches the request's
context or the database: what broke may be exactly that.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from qualify.core import guards
from qualify.core.glossary import GLOSSARY

logger = logging.getLogger(__name__)

_FAVICON = Path(__file__).resolve().parent / "static" / "core" / "favicon.ico"


@guards.public
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --- error pages ----------------------------------------------------------------------------------------------------

_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    403: ("forbidden", "You do not have permission to do this."),
    404: ("not_found", "Not found."),
    500: ("server_error", "Something went wrong on our side."),
}


# What the self-contained page says when it stands in for another (500.html says the 500's own words by default).
_PLAIN: dict[int, tuple[str, str]] = {
    400: ("The request could not be understood", "Something in the address or the form was not in a shape we accept."),
    403: ("You cannot open this page", "Your account does not have the role this page needs."),
    404: ("We could not find that page", "The address may be mistyped, or the page may have moved."),
    500: ("", ""),
}


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(status: int, code: str | None = None, message: str | None = None) -> JsonResponse:
    default_code, default_message = _ERRORS[status]
    body = {"error": {"code": code or default_code, "message": message or default_message, "details": {}}}
    return JsonResponse(body, status=status)


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    """The error page with the site's navigation; the self-contained page if that cannot be drawn (a request refused
    before the middleware that signs people in ran, e.g. a wrong Host header, has no user to draw it for)."""
    if hasattr(request, "user"):
        try:
            return render(request, template, status=status)
        except Exception:  # the page about an error must not become a second one
            logger.exception("The %s page could not be rendered with the site's layout", status)
    return _plain_page(status)


def _plain_page(status: int) -> HttpResponse:
    """500.html rendered without a request (so without context processors, the session or the database)."""
    heading, explanation = _PLAIN.get(status, _PLAIN[500])
    context = {"status": status, "heading": heading, "explanation": explanation}
    try:
        body = loader.get_template("500.html").render(context)
    except Exception:
        logger.exception("The self-contained error page could not be rendered")
        body = "<!doctype html><title>Error</title><h1>Something went wrong</h1><p><a href='/'>Home</a></p>"
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(400)
    return _error_page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(403, "not_allowed")
    return _error_page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(404, message="There is no such API path.")
    return _error_page(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _api_error(500)
    return _plain_page(500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (an old tab, cookies blocked, or another site posting)."""
    if _is_api(request):
        return _api_error(403, "csrf_failed", "The request was refused: its CSRF token is missing or wrong.")
    return _error_page(request, "403_csrf.html", 403)


# --- favicon and glossary -------------------------------------------------------------------------------------


@guards.public
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, for browsers and tools that ask for it there rather than following the page's link."""
    response = HttpResponse(_FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@guards.public
def glossary(request: HttpRequest) -> HttpResponse:
    """The words and abbreviations of MHHS Qualification, each with an anchor other pages link to."""
    return render(request, "core/glossary.html", {"terms": GLOSSARY})
