"""API plumbing shared by every router: one error shape (STYLE.md rule 14) for every failure, its place in the
OpenAPI document, and the per-token throttle on expensive operations."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.pagination import LimitOffsetPagination
from ninja.throttling import SimpleRateThrottle

from qualify.core.errors import DomainError


class ErrorDetailOut(Schema):
    code: str = Field(description="A stable, machine-readable reason, e.g. not_found, validation_failed, throttled.")
    message: str = Field(description="A sentence for a person.")
    details: dict[str, Any] | list[Any] = Field(description="Structured particulars: the fields at fault, limits.")


class ErrorOut(Schema):
    """The one shape of every error answer: ``{"error": {"code", "message", "details"}}``."""

    error: ErrorDetailOut


def error_response(
    api: NinjaAPI, request: HttpRequest, *, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "details": details or {}}}, status=status
    )


MAX_OFFSET = 1_000_000_000  # past any real list; a larger OFFSET overflows the database's integer (a 500 before)


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """Ninja's limit/offset pages with an upper bound on ``offset``: a larger one is a 422 in the error shape, not an
    ``OverflowError`` from the database. Every ``@paginate`` list uses this one."""

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return error_response(api, request, status=exc.status, code=exc.code, message=exc.message, details=exc.details)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return error_response(
            api,
            request,
            status=422,
            code="validation_failed",
            message="The request is not valid.",
            details=exc.errors,
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api,
            request,
            status=401,
            code="unauthenticated",
            message="Sign in, or send 'Authorization: Bearer <token>'.",
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, status=404, code="not_found", message=str(exc) or "Not found.")

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        # Ninja adds Retry-After to this answer when the throttle knows the wait.
        return error_response(
            api,
            request,
            status=429,
            code="throttled",
            message="Too many requests for this operation with this token; wait and try again.",
            details={"retry_after_seconds": exc.wait} if exc.wait is not None else {},
        )

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(
            api,
            request,
            status=413,
            code="body_too_large",
            message="The request body is too large.",
            details={"limit_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, status=exc.status_code, code="http_error", message=str(exc))


# --- throttling ------------------------------------------------------------------------------------------------------


class TokenRateThrottle(SimpleRateThrottle):
    """At most ``QUALIFY_API_THROTTLE_RATES[scope]`` requests per token (or signed-in person) to one scope's operations.

    The rate ("30/min") is read from settings on every request, so an empty or missing rate turns the scope off
    (as in the test settings). Counts live in Django's default cache: with the default in-process cache each worker
    process counts on its own.
    """

    def __init__(self, scope: str) -> None:
        self.name = scope
        self.scope = scope
        self.rate = None
        self.num_requests, self.duration = None, None

    def get_cache_key(self, request: HttpRequest) -> str | None:
        rate = settings.QUALIFY_API_THROTTLE_RATES.get(self.name) or None
        if rate is None:
            return None
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        authorization = request.headers.get("Authorization", "")
        if authorization.lower().startswith("bearer "):
            ident = "token:" + hashlib.sha256(authorization[7:].strip().encode("utf-8")).hexdigest()
        elif request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            return None  # not signed in: answered 401 before any throttle runs
        return self.cache_format % {"scope": self.scope, "ident": ident}


def bound_operations(api: NinjaAPI) -> Iterator[tuple[str, Operation]]:
    """Every operation as the API serves it, with its full path ("/api/v1/..." less the prefix)."""
    for bound in api._get_bound_routers():  # ninja's own walk (the one its OpenAPI document and URLs use)
        for path, path_view in bound.path_operations.items():
            full = "/".join(part for part in (bound.prefix, path) if part)
            for operation in path_view.operations:
                yield "/" + full.lstrip("/"), operation


def throttle_operations(api: NinjaAPI, scopes: dict[str, Iterable[tuple[str, str]]]) -> None:
    """Throttle the named operations, ``{scope: [(METHOD, path)]}``; a name that matches nothing is an error."""
    wanted = {(method, path): scope for scope, ops in scopes.items() for method, path in ops}
    found: set[tuple[str, str]] = set()
    for path, operation in bound_operations(api):
        for method in operation.methods:
            scope = wanted.get((method, path))
            if scope is not None:
                operation.throttle_objects = [*operation.throttle_objects, TokenRateThrottle(scope)]
                found.add((method, path))
    missing = set(wanted) - found
    if missing:
        raise LookupError(f"No such API operations to throttle: {sorted(missing)}")


# --- the error statuses in the OpenAPI document ----------------------------------------------------------------------


def _has_body(operation: Operation) -> bool:
    return any(m.__ninja_param_source__ in ("body", "form", "file") for m in operation.models) or (
        "requestBody" in (operation.openapi_extra or {})
    )


def error_statuses(path: str, operation: Operation) -> set[int]:
    """What an operation can answer besides success, from what it is: every status comes in the error shape.

    401 when it needs authentication; 403 when the actor's role can refuse it (any authenticated operation); 404 when
    its path names an object; 400 and 422 when it reads parameters or a body, or writes (a value its parser refuses,
    input that fails validation); 409 and 413 when it writes (a step not possible now, a body over the size limit);
    429 when throttled.
    """
    statuses: set[int] = set()
    authenticated = bool(operation.auth_callbacks)
    writes = any(method != "GET" for method in operation.methods)
    if authenticated:
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if operation.models or writes:
        statuses |= {400, 422}
    if writes:
        statuses.add(409)
    if writes or _has_body(operation):
        statuses.add(413)
    if operation.throttle_objects:
        statuses.add(429)
    return statuses


def document_errors(api: NinjaAPI) -> None:
    """Declare each operation's error statuses with the shared ``ErrorOut`` body, beside the success it declares."""
    for path, operation in bound_operations(api):
        for status in sorted(error_statuses(path, operation)):
            if status not in operation.response_models:
                operation.response_models[status] = operation._create_response_model(ErrorOut)
