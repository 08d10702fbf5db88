"""Bulk writing for bench/scale.py: rows streamed into PostgreSQL with COPY, with the invariants the services keep.

Nothing here decides what a row says (bench/market mirrors the services for that); this module only writes
many rows fast while keeping what the services keep under their locks:

- primary keys come from each table's own identity sequence, which is moved past the rows written;
- every audit event gets the next ``seq``, the hash of the event before it, and its own hash from
  ``qualify.audit.services.event_hash`` (what ``manage.py verify_audit_chain`` recomputes), in the order the events
  happened, and the chain head (locked meanwhile) moves to the last one;
- register events are numbered in the order they were recorded, continuing ``RegisterSequence`` (locked meanwhile).

Timestamps are written as given, so a generated history can lie in the past (``auto_now`` would stamp the load time).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from psycopg import sql

from qualify.audit.models import AuditChainHead, AuditEvent
from qualify.audit.services import _canonical, event_hash  # the chain's own canonical form and hash, not a copy
from qualify.core.actor import Actor
from qualify.register.models import RegisterEvent, RegisterSequence

_MISSING = object()


def _raw_cursor() -> Any:
    """The psycopg cursor under Django's connection (COPY is not part of Django's cursor API)."""
    connection.ensure_connection()
    return connection.connection.cursor()


class Table:
    """Rows for one model, in the model's column order, written with one COPY.

    ``add(**values)`` takes field names (``attname`` for foreign keys, e.g. ``case_id``); a field left out takes its
    model default, or NULL where it may be null; anything else missing is an error, so a new non-null column on a
    model makes the generator fail loudly instead of writing a row the application would not write.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.rows: list[tuple[Any, ...]] = []
        self._plan = [
            (
                f.attname,
                f.name,
                f.get_default if f.has_default() else (None if f.null else _MISSING),
                isinstance(f, models.JSONField),
            )
            for f in self.fields
        ]
        self._id_index = self.columns.index("id")
        self._next_id = self._first_free_id()
        self.written = 0

    def _first_free_id(self) -> int:
        table = self.model._meta.db_table
        with _raw_cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            cursor.execute(sql.SQL("SELECT nextval({})").format(sql.Literal(sequence)))
            (following,) = cursor.fetchone()
            cursor.execute(sql.SQL("SELECT COALESCE(MAX(id), 0) + 1 FROM {}").format(sql.Identifier(table)))
            (after_max,) = cursor.fetchone()
        self._sequence = sequence
        return max(int(following), int(after_max))

    def new_id(self) -> int:
        value = self._next_id
        self._next_id += 1
        return value

    def add(self, **values: Any) -> int:
        if "id" not in values:
            values["id"] = self.new_id()
        row = []
        for attname, name, default, is_json in self._plan:
            if attname in values:
                value = values.pop(attname)
            elif name in values:
                value = values.pop(name)
            elif default is _MISSING:
                raise TypeError(f"{self.model.__name__}.{attname} needs a value")
            else:
                value = default() if callable(default) else default
            if is_json and value is not None:
                value = json.dumps(value, ensure_ascii=False)
            row.append(value)
        if values:
            raise TypeError(f"{self.model.__name__} has no field(s) {sorted(values)}")
        self.rows.append(tuple(row))
        return int(row[self._id_index])

    def builder(self, *names: str) -> Any:
        """A fast ``add`` for hot paths: the given fields positionally, every other field its default (computed
        once, so not for per-row defaults such as a uuid); JSON fields are encoded. Returns the new row's id."""
        positions = [self.columns.index(self.model._meta.get_field(n).column) for n in names]
        template: list[Any] = []
        for attname, _name, default, _json in self._plan:
            if attname in names or _name in names or attname == "id":
                template.append(None)
            elif default is _MISSING:
                raise TypeError(f"{self.model.__name__}.{attname} needs a value")
            else:
                template.append(default() if callable(default) else default)
        encode = [self._plan[i][3] for i in positions]
        plan = list(zip(positions, encode, strict=True))
        id_index = self._id_index

        def add(*values: Any) -> int:
            row = template.copy()
            pk = row[id_index] = self.new_id()
            for (position, is_json), value in zip(plan, values, strict=True):
                row[position] = json.dumps(value, ensure_ascii=False) if is_json and value is not None else value
            self.rows.append(tuple(row))
            return pk

        return add

    def flush(self) -> int:
        """COPY the rows added since the last flush; move the id sequence past them."""
        if not self.rows:
            return 0
        copy_rows(self.model._meta.db_table, self.columns, self.rows)
        with _raw_cursor() as cursor:
            cursor.execute("SELECT setval(%s, %s)", [self._sequence, self._next_id - 1])
        count = len(self.rows)
        self.written += count
        self.rows = []
        return count


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with _raw_cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


class Tables:
    """One ``Table`` per model, created on first use, flushed together."""

    def __init__(self) -> None:
        self._tables: dict[type[models.Model], Table] = {}

    def __getitem__(self, model: type[models.Model]) -> Table:
        table = self._tables.get(model)
        if table is None:
            table = self._tables[model] = Table(model)
        return table

    def flush(self) -> dict[str, int]:
        return {t.model.__name__: t.flush() for t in self._tables.values() if t.rows}

    def written(self) -> dict[str, int]:
        return {t.model.__name__: t.written for t in self._tables.values()}


def _at_text(at: dt.datetime) -> str:
    # What qualify.audit.services hashes for an event's time (its _at_text, which takes a saved event).
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


class AuditTrail:
    """Audit events collected as the history is generated, then chained in time order and written at once."""

    def __init__(self) -> None:
        # (at, order, actor_id, actor_name, request_id, action, object_type, object_id, object_repr, org id, changes)
        self._events: list[tuple[Any, ...]] = []
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._events)

    def record(
        self,
        *,
        at: dt.datetime,
        actor: Actor,
        action: str,
        target: type[models.Model],
        object_id: object,
        object_repr: str,
        organisation_id: int | None,
        changes: dict[str, Any],
    ) -> None:
        """What ``audit_record`` writes for ``target`` (pass the uuid where the model has one, else the pk)."""
        self._events.append(
            (
                at,
                next(self._order),
                actor.user_id,
                actor.display_name[:200],
                actor.request_id[:64],
                action,
                target._meta.label_lower,
                str(object_id),
                object_repr[:200],
                organisation_id,
                _canonical(changes),
            )
        )

    def record_plain(
        self,
        at: dt.datetime,
        actor_id: int | None,
        actor_name: str,
        request_id: str,
        action: str,
        object_type: str,
        object_id: str,
        object_repr: str,
        organisation_id: int | None,
        changes: dict[str, Any],
    ) -> None:
        """``record`` for the hot path (a QAD's hundreds of answer saves): the caller gives ``changes`` already in
        JSON's own types (str, int, bool, None, lists and dicts of them), which the canonical form leaves as they
        are, and the other fields already cut to length."""
        self._events.append(
            (
                at,
                next(self._order),
                actor_id,
                actor_name,
                request_id,
                action,
                object_type,
                object_id,
                object_repr,
                organisation_id,
                changes,
            )
        )

    def flush(self) -> int:
        """Append the collected events to the chain (under its lock), oldest first; returns how many."""
        if not self._events:
            return 0
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        first = min(e[0] for e in self._events)
        if head.last_seq and AuditEvent.objects.filter(seq=head.last_seq, at__gt=first).exists():
            # Not an invariant of the chain, but a generated history that starts before the last event would read
            # out of order in the log; the generator lays its phases out in time so this never happens.
            print("  note: some generated events are older than the last event already in the log")
        self._events.sort(key=lambda e: (e[0], e[1]))
        table = Table(AuditEvent)
        add = table.builder(
            "seq",
            "at",
            "actor_id",
            "actor_name",
            "request_id",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "organisation_id",
            "changes",
            "prev_hash",
            "hash",
        )
        seq, previous = head.last_seq, head.last_hash
        count = len(self._events)
        while self._events:
            # Oldest first, releasing each chunk once written (a 10x market has about a million events).
            chunk, self._events = self._events[:50_000], self._events[50_000:]
            for (
                at,
                _,
                actor_id,
                actor_name,
                request_id,
                action,
                object_type,
                object_id,
                object_repr,
                org,
                changes,
            ) in chunk:
                seq += 1
                digest = event_hash(
                    seq=seq,
                    at=_at_text(at),
                    actor_id=actor_id,
                    actor_name=actor_name,
                    request_id=request_id,
                    action=action,
                    object_type=object_type,
                    object_id=object_id,
                    organisation_id=org,
                    changes=changes,
                    prev_hash=previous,
                )
                add(
                    seq,
                    at,
                    actor_id,
                    actor_name,
                    request_id,
                    action,
                    object_type,
                    object_id,
                    object_repr,
                    org,
                    changes,
                    previous,
                    digest,
                )
                previous = digest
            table.flush()
        AuditChainHead.objects.filter(id=1).update(last_seq=seq, last_hash=previous)
        return count


@dataclass
class _PendingRegisterEvent:
    id: int
    at: dt.datetime
    order: int
    values: dict[str, Any]


class RegisterLog:
    """Register events collected as the history is generated, numbered in the order they were recorded."""

    def __init__(self) -> None:
        self._events: list[_PendingRegisterEvent] = []
        self._order = itertools.count()
        self._ids: Table | None = None

    def __len__(self) -> int:
        return len(self._events)

    def add(self, *, at: dt.datetime, **values: Any) -> int:
        if self._ids is None:
            self._ids = Table(RegisterEvent)
        pk = self._ids.new_id()
        self._events.append(_PendingRegisterEvent(pk, at, next(self._order), values))
        return pk

    def flush(self) -> int:
        if not self._events or self._ids is None:
            return 0
        sequence, _ = RegisterSequence.objects.select_for_update().get_or_create(id=1)
        seq = sequence.last_seq
        for e in sorted(self._events, key=lambda e: (e.at, e.order)):
            seq += 1
            self._ids.add(id=e.id, seq=seq, recorded_at=e.at, **e.values)
        self._ids.flush()
        RegisterSequence.objects.filter(id=1).update(last_seq=seq)
        count = len(self._events)
        self._events = []
        return count
