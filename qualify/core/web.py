"""Small helpers shared by HTML views: turning service errors into messages, pagination, htmx partials."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qualify.core.errors import DomainError


def report_error(request: HttpRequest, error: DomainError) -> None:
    """Show a service refusal to the person, in words they can act on."""
    messages.error(request, error.message)


def paginate(request: HttpRequest, qs: QuerySet[Any], per_page: int = 50) -> Page[Any]:
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def render_page_or_partial(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Full page on a normal request; just the fragment when htmx asks for it."""
    chosen = partial if getattr(request, "htmx", False) else template
    return render(request, chosen, context, status=status)
