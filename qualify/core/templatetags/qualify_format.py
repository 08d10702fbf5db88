"""Template filters for how things read on the page: dates in the UK's day-month-year form."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.dateformat import format as format_date

register = template.Library()


@register.filter
def uk_date(value: object) -> str:
    """A date, or an ISO date text (as kept in stored facts), as ``30 Nov 2026``; anything else as it is."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str) and value:
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.date):
        return format_date(value, "j M Y")
    return "" if value is None else str(value)
