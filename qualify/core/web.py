"""Small helpers shared by HTML views: turning service errors into messages, pagination, htmx partials, and URL
patterns reversed once per page instead of once per link."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import RFC3986_SUBDELIMS

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


_SLOT = re.compile(r"qualifyslot(\d+)x")


class UrlTemplate:
    """A URL pattern reversed once, then filled in for each row: the URL ``reverse`` would give, without resolving
    the pattern again for every link of a long page (the library's four links a row were most of its time).

    For ``str`` path parameters, as every pattern here uses: a value is quoted the way ``reverse`` quotes it, and a
    value ``reverse`` would refuse (empty, or holding "/") is refused with ``NoReverseMatch`` too.
    """

    def __init__(self, viewname: str, *params: str) -> None:
        # Lower-case letters and digits pass through reverse's quoting unchanged, so the slots can be found again.
        url = reverse(viewname, kwargs={name: f"qualifyslot{i}x" for i, name in enumerate(params)})
        pieces = _SLOT.split(url)
        self.viewname = viewname
        self._arity = len(params)
        self._literals = pieces[0::2]
        self._order = [int(i) for i in pieces[1::2]]

    def __call__(self, *values: object) -> str:
        if len(values) != self._arity:
            raise TypeError(f"{self.viewname} takes {self._arity} values, not {len(values)}")
        texts = []
        for value in values:
            text = str(value)
            if not text or "/" in text:
                raise NoReverseMatch(f"{self.viewname}: {text!r} is not a path segment")
            texts.append(quote(text, safe=RFC3986_SUBDELIMS + "/~:@"))
        parts = [self._literals[0]]
        for index, literal in zip(self._order, self._literals[1:], strict=True):
            parts += [texts[index], literal]
        return "".join(parts)


def confirmed(request: HttpRequest) -> bool:
    """Whether the person confirmed the step the form asks for: its ``confirm`` tick box, or the dialog that ticks
    it (``core/confirm.js``), or the confirmation page below."""
    return request.POST.get("confirm") in ("on", "1", "true")


def confirmation_page(
    request: HttpRequest, *, action: str, consequence: str, back_url: str, destructive: bool = False
) -> HttpResponse:
    """Ask before a step that cannot simply be undone, for a form sent without its confirmation (no JavaScript, or a
    tick box left empty): the same fields are sent again, confirmed, only if the person says yes on this page."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "confirm")
        for value in values
    ]
    context = {
        "action": action,
        "consequence": consequence,
        "back_url": back_url,
        "destructive": destructive,
        "fields": fields,
    }
    return render(request, "core/confirm.html", context)


def ask_first(
    request: HttpRequest, *, action: str, consequence: str, back_url: str, destructive: bool = False
) -> HttpResponse | None:
    """``None`` when the person confirmed the step; otherwise the confirmation page to answer with, so the view
    changes nothing until they say yes. Call it after the object is found (out of scope stays a 404) and before the
    service::

        if (asking := ask_first(request, action=..., consequence=..., back_url=...)) is not None:
            return asking
    """
    if confirmed(request):
        return None
    return confirmation_page(
        request, action=action, consequence=consequence, back_url=back_url, destructive=destructive
    )
