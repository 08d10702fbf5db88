"""Template filters for how things read on the page: dates in the UK's day-month-year form."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date

register = template.Library()


@register.filter
def uk_date(value: object) -> str:
    """A date, or an ISO date text (as kept in stored facts), as ``30 Nov 2026``; anything else as it is."""
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and value:
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if day is not None:
        return format_date(day, "j M Y")
    return "" if value is None else str(value)
