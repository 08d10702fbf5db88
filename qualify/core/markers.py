"""Change markers, and the one small cache kept per process until a marker moves.

A process that keeps a copy of some tables (the register's hot read, the gating context) asks the database for a
*marker*: one row of cheap aggregates over the tables the copy is built from (the highest sequence number, how many
rows, the latest ``updated_at``), which moves whenever any of them changes. Each consumer names the models it
depends on; the SQL is built here from their ``_meta`` (table and column names quoted by the connection), so no app
writes another app's table names by hand.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db import connection, models

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class MarkerPart:
    """One column of a marker: a scalar subquery, and how to read its value back from text (libpq's text results)."""

    sql: str
    parse: Callable[[str], object]


def _names(model: type[models.Model], field: str | None = None) -> tuple[str, str]:
    quote = connection.ops.quote_name
    column = model._meta.get_field(field).column if field else ""  # type: ignore[union-attr]
    return quote(model._meta.db_table), quote(column) if column else ""


def highest(model: type[models.Model], field: str) -> MarkerPart:
    """The largest value of a number that only grows (0 with no rows)."""
    table, column = _names(model, field)
    return MarkerPart(f"SELECT COALESCE(MAX({column}), 0) FROM {table}", int)  # noqa: S608 (names from _meta, quoted)


def row_count(model: type[models.Model]) -> MarkerPart:
    """How many rows (catches a deletion, which no timestamp shows)."""
    table, _ = _names(model)
    return MarkerPart(f"SELECT COUNT(*) FROM {table}", int)  # noqa: S608 (a name from _meta, quoted)


def latest(model: type[models.Model], field: str = "updated_at") -> MarkerPart:
    """The latest timestamp, as text: a marker is only compared, and parsing times with zones costs more."""
    table, column = _names(model, field)
    return MarkerPart(f"SELECT CAST(MAX({column}) AS TEXT) FROM {table}", str)  # noqa: S608 (names from _meta, quoted)


def marker_sql(parts: Sequence[MarkerPart]) -> str:
    """One statement answering every part as one row."""
    return "SELECT " + ", ".join(f"({part.sql})" for part in parts)


def read_marker(sql: str) -> tuple[object, ...]:
    """The marker through Django's connection (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return tuple(row) if row else ()


class KeptUntilChanged(Generic[K, V]):
    """One value kept per process with the marker it was built for; rebuilt (once, under a lock) when it moves.

    ``get`` is lock-free in the steady state: it compares the marker with the kept one and answers the kept value.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[K, V] | None = None

    def get(self, marker: K, build: Callable[[], V]) -> V:
        kept = self._kept
        if kept is not None and kept[0] == marker:
            return kept[1]
        with self._lock:
            kept = self._kept
            if kept is None or kept[0] != marker:
                kept = self._kept = (marker, build())
            return kept[1]

    def current(self) -> V | None:
        """The value kept now (whatever marker it was built for), or None."""
        kept = self._kept
        return None if kept is None else kept[1]

    def forget(self) -> None:
        with self._lock:
            self._kept = None
