"""API plumbing shared by every router: one error shape (STYLE.md rule 14) for every failure."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination

from qualify.core.errors import DomainError


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

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, status=exc.status_code, code="http_error", message=str(exc))
