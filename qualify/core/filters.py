"""One parser for the filters of lists, in pages and the API alike.

A list's filter set (``CaseFilters`` and the like) is a Ninja ``Schema``: the API declares it as its query
parameters, a page builds it from ``request.GET``. Its fields that must name something — an organisation's UUID, one
of a fixed set of choices — are checked by the validators below, which refuse a value that cannot name anything with
``BadFilter``: a 400 in the API's error shape, and a 400 page with the message for a page (``ErrorPagesMiddleware``),
instead of a database error from a malformed UUID or an empty list that hides the typo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from qualify.core.errors import DomainError
from qualify.core.ids import parse_uuid
from qualify.core.text import one_line


class BadFilter(DomainError):
    """A list filter whose value cannot name anything (not a UUID, not one of the choices)."""

    status = 400
    code = "bad_filter"


def _refused(name: str, value: str, expected: str) -> BadFilter:
    shown = one_line(value, limit=60, mark_cut=True)
    return BadFilter(f"The filter {name}={shown!r} is not valid: {expected}.", details={name: "invalid"})


def uuid_filter(name: str) -> Callable[[object], str]:
    """A validator: "" (no filter) or a UUID in its canonical form; anything else is ``BadFilter``."""

    def check(value: object) -> str:
        text = str(value or "").strip()
        if not text:
            return ""
        public_id = parse_uuid(text)
        if public_id is None:
            raise _refused(name, text, "give an id like 3f2b…-…, as the list's links do")
        return str(public_id)

    return check


def choice_filter(name: str, choices: Callable[[], Iterable[str]], *, upper: bool = False) -> Callable[[object], str]:
    """A validator: "" (no filter) or one of ``choices()`` (read when checked, so a registry can grow)."""

    def check(value: object) -> str:
        text = str(value or "").strip()
        if upper:
            text = text.upper()
        if not text:
            return ""
        allowed = list(choices())
        if text not in allowed:
            raise _refused(name, text, "one of " + ", ".join(allowed))
        return text

    return check
