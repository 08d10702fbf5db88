"""Keyset pagination: a page starts just after (or ends just before) the row its cursor names.

With OFFSET the database reads and throws away every row before the page, so the last page of a long list costs the
most; a keyset page is one indexed range read wherever it is. The price is that a page knows its neighbours, not its
number.

A cursor is opaque to people and clients: URL-safe base64 of JSON, ``{"a": [...]}`` for the page after a row and
``{"b": [...]}`` for the page before it, the values being that row's ordering fields with the primary key last (so
ties cannot skip or repeat a row). Anything that does not decode into values fitting those fields is refused with
``BadCursor`` (400) before it reaches the database. Ordering fields must not be NULL (an annotation that orders by
a nullable field coalesces it first, as the overview's wave column does).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Model, Q, QuerySet

from qualify.core.errors import DomainError

M = TypeVar("M", bound=Model)

MAX_CURSOR_LENGTH = 2048
INT64 = 2**63


class BadCursor(DomainError):
    """A page link or ``cursor`` parameter that was not produced by this list (mangled, truncated or invented)."""

    status = 400
    code = "bad_cursor"


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)

    def __iter__(self) -> Iterator[M]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class _Key:
    path: str
    descending: bool
    field: Field[Any, Any]


def _keys(qs: QuerySet[Any], ordering: Sequence[str]) -> list[_Key]:
    """The ordering as (lookup path, direction, model field), with the primary key added last when missing. A name
    may be an annotation of ``qs`` (a sortable column's label order, say): its output field reads the cursor back."""
    model = qs.model
    names = list(ordering)
    if names[-1].lstrip("-") != "pk":
        names.append("pk")
    keys = []
    for name in names:
        path = name.lstrip("-")
        annotation = qs.query.annotations.get(path)
        if annotation is not None:
            keys.append(_Key(path=path, descending=name.startswith("-"), field=annotation.output_field))
            continue
        target: type[Model] = model
        parts = path.split("__")
        for part in parts[:-1]:
            related = target._meta.get_field(part).related_model
            if related is None or isinstance(related, str):
                raise FieldDoesNotExist(f"{path}: {part} is not a relation")
            target = related
        last = parts[-1]
        field = target._meta.pk if last == "pk" else target._meta.get_field(last)
        if not isinstance(field, Field):
            raise FieldDoesNotExist(f"{path} is not a concrete field")
        keys.append(_Key(path=path, descending=name.startswith("-"), field=field))
    return keys


def _order_by(keys: list[_Key], *, backwards: bool) -> list[str]:
    return [("-" if k.descending != backwards else "") + k.path for k in keys]


def _value_of(row: Model, path: str) -> Any:
    value: Any = row
    for part in path.split("__"):
        value = getattr(value, part)
    return value


def _plain(value: Any) -> int | str:
    """JSON-ready: integers stay numbers, anything else (text, dates, UUIDs) goes as the text its field reads back."""
    return value if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _encode_cursor(row: Model, keys: list[_Key], *, before: bool) -> str:
    values = [_plain(_value_of(row, k.path)) for k in keys]
    text = json.dumps({"b" if before else "a": values}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str, keys: list[_Key]) -> tuple[bool, list[Any]]:
    """(before?, the boundary row's values, each converted by its model field); ``BadCursor`` for anything else."""
    refused = BadCursor(
        "That page link is not valid (it may have been cut short or changed); start again from the first page.",
        details={"cursor": "malformed"},
    )
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise refused
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        payload = json.loads(raw.decode("utf-8"))
    except (ValueError, binascii.Error, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError included
        raise refused from exc
    if not isinstance(payload, dict) or len(payload) != 1 or next(iter(payload)) not in ("a", "b"):
        raise refused
    before = "b" in payload
    values = payload["b" if before else "a"]
    if not isinstance(values, list) or len(values) != len(keys):
        raise refused
    converted = []
    for key, value in zip(keys, values, strict=True):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise refused
        if isinstance(value, int) and not -INT64 <= value < INT64:
            raise refused  # past what a database integer holds: SQLite would raise OverflowError
        if isinstance(value, str) and "\x00" in value:
            raise refused  # PostgreSQL refuses NUL in text with an error, not an empty result
        try:
            converted.append(key.field.to_python(value))
        except ValidationError as exc:
            raise refused from exc
    return before, converted


def _beyond(keys: list[_Key], values: list[Any], *, backwards: bool) -> Q:
    """Rows strictly after the boundary in the list's order (strictly before it when ``backwards``)."""
    condition = Q()
    for i, key in enumerate(keys):
        later = "gt" if key.descending == backwards else "lt"
        clause = Q(**{k.path: v for k, v in zip(keys[:i], values[:i], strict=True)})
        condition |= clause & Q(**{f"{key.path}__{later}": values[i]})
    return condition


def keyset_page(
    qs: QuerySet[M], *, ordering: Sequence[str], cursor: str | None = None, per_page: int = 50, offset: int = 0
) -> KeysetPage[M]:
    """One page of ``qs`` in ``ordering`` (the primary key breaks ties), from ``cursor`` or the start.

    One query, plus one more only when fewer than a page's rows precede a "previous" link's boundary (rows were
    added or removed since the link was made): that page is the first, and it is read afresh so that it is full.
    ``offset`` is the deprecated way in (API clients that have not moved to cursors); a cursor overrides it.
    """
    keys = _keys(qs, ordering)
    if cursor:
        before, values = _decode_cursor(cursor, keys)
        beyond = qs.filter(_beyond(keys, values, backwards=before)).order_by(*_order_by(keys, backwards=before))
        rows = list(beyond[: per_page + 1])
        more = len(rows) > per_page
        rows = rows[:per_page]
        if before:
            rows.reverse()
            if not more and len(rows) < per_page:
                return keyset_page(qs, ordering=ordering, per_page=per_page)  # a short first page: fill it
            has_previous, has_next = more, True
        else:
            has_previous, has_next = True, more
    else:
        rows = list(qs.order_by(*_order_by(keys, backwards=False))[offset : offset + per_page + 1])
        has_next = len(rows) > per_page
        rows = rows[:per_page]
        has_previous = offset > 0
    return KeysetPage(
        items=rows,
        next_cursor=_encode_cursor(rows[-1], keys, before=False) if has_next and rows else None,
        previous_cursor=_encode_cursor(rows[0], keys, before=True) if has_previous and rows else None,
    )
