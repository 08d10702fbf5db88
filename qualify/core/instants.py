"""Reading an instant a client names, e.g. ``known_at`` (issue 11): ISO 8601 with its time zone, or a clear 400.

A naive time is refused rather than guessed: "as known at 09:00" means different instants in winter and summer.
"""

from __future__ import annotations

import datetime as dt

from qualify.core.errors import DomainError

MAX_INSTANT_LENGTH = 64


class BadInstant(DomainError):
    """An instant that is not ISO 8601 with a time zone (``2026-03-01T09:30:00Z``, ``…+01:00``)."""

    status = 400
    code = "bad_instant"


def parse_instant(text: str, *, name: str = "known_at") -> dt.datetime:
    """The aware datetime ``text`` names, in UTC; ``BadInstant`` naming the parameter otherwise."""
    value = text.strip()
    example = "e.g. 2026-03-01T09:30:00Z or 2026-03-01T09:30:00+01:00"
    if not value or len(value) > MAX_INSTANT_LENGTH:
        raise BadInstant(
            f"'{name}' must be an ISO 8601 date and time with its time zone, {example}.", details={name: "invalid"}
        )
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        hint = " (in a URL, send '+' as %2B)" if " " in value else ""
        raise BadInstant(
            f"'{name}' is not an ISO 8601 date and time; give it with its time zone, {example}{hint}.",
            details={name: "invalid"},
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise BadInstant(
            f"'{name}' has no time zone; add Z for UTC or an offset, {example}.", details={name: "no_time_zone"}
        )
    return parsed.astimezone(dt.UTC)
