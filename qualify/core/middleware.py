"""Request id for every request, refusing control characters in a request, "not found" as one 404 page, and a
production-only tune-up of the garbage collector."""

from __future__ import annotations

import gc
import json
import re
import uuid
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.html import escape

from qualify.core.errors import NotFound
from qualify.core.filters import BadFilter

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or accept a well-formed X-Request-ID) so audit events can be traced to it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supplied = request.headers.get("X-Request-ID", "")
        request_id = supplied if _SAFE_ID.match(supplied) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class FreezeStartupObjectsMiddleware:
    """After the first response, move everything alive into the collector's permanent generation (``gc.freeze()``).

    By then the process has imported Django, the URLconf, the API schemas and the libraries behind them: some 160,000
    objects that live as long as the process. Left in the collector's oldest generation, every full collection walks
    them all, which took 50-100 ms on a busy 2-core machine and showed as the p99 spikes of the register load test.
    Frozen, a full collection only walks what requests created since. Production only (config/settings/production.py).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.frozen = False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not self.frozen:
            self.frozen = True
            gc.collect()  # what is already garbage should not be frozen with the rest
            gc.freeze()
        return response


# C0 control characters and DEL: nothing a person types into an address, and NUL is refused by PostgreSQL in text.
_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]")
# A NUL in a JSON text: "\u0000" whose backslash is not itself escaped.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_FORM_TYPES = ("application/x-www-form-urlencoded", "application/json")
BAD_INPUT_MESSAGE = "The address or the form holds a control character (such as a NUL byte), which is never valid here."


def bad_request(request: HttpRequest, message: str, *, code: str = "bad_request") -> HttpResponse:
    """A 400 in the shape the caller reads: the API's error shape under /api/, a short page otherwise."""
    if request.path_info.startswith("/api/"):
        body = json.dumps({"error": {"code": code, "message": message, "details": {}}})
        return HttpResponse(body, status=400, content_type="application/json")
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Bad request</title></head>"
        f"<body><h1>Bad request (400)</h1><p>{escape(message)}</p><p><a href=/>Go to the start page</a></p></body>"
        "</html>"
    )
    return HttpResponse(page, status=400, content_type="text/html; charset=utf-8")


def _body_has_nul(request: HttpRequest) -> bool:
    """Whether a form or JSON body carries a NUL (uploads, read as they stream, are the forms' business)."""
    content_type = request.content_type or ""
    if request.method in ("GET", "HEAD", "OPTIONS") or content_type not in _FORM_TYPES:
        return False
    try:
        body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE
    except RequestDataTooBig:
        return False  # the view reads the body again and answers the size in its own way (the API: 413)
    if b"\x00" in body:
        return True
    if content_type == "application/json":
        return _JSON_NUL.search(body) is not None
    return b"%00" in body


class RefuseControlCharactersMiddleware:
    """Refuse, with 400, a request whose path, query string or form/JSON body holds a NUL or other C0 control
    character, before any view or query sees it.

    PostgreSQL refuses NUL in text (an error, so a 500, wherever a filter, search or path parameter reached a query),
    SQLite quietly matches nothing; neither is an answer. One check here, early in MIDDLEWARE, instead of one in every
    view. Line breaks and tabs inside form fields are left alone (a comment may hold them); only NUL is refused there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.encode("utf-8", "surrogateescape")
        query = unquote_to_bytes(request.META.get("QUERY_STRING", ""))
        if _CONTROL_BYTES.search(path) or _CONTROL_BYTES.search(query) or _body_has_nul(request):
            return bad_request(request, BAD_INPUT_MESSAGE, code="control_character")
        return self.get_response(request)


class ErrorPagesMiddleware:
    """One place turns a service's ``NotFound`` into the 404 page for the HTML views, and a list filter that cannot
    name anything (``BadFilter``) into a 400 page saying which (the API has its own handlers in
    ``qualify/core/api.py``): a view lets them propagate from the selector or service."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, BadFilter):
            return bad_request(request, exception.message, code=exception.code)
        return None
