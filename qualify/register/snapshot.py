"""An in-process copy of the register for the hot read path (``GET /api/v1/register/{mpid}/{role}``).

The register is small (hundreds of participations, a few events each) and changes rarely, while market systems ask
about it constantly. Each process keeps the whole register in memory and rebuilds it (two queries) when a change
marker moves: the register sequence (every event is numbered in commit order and never edited) and the latest
change to participations and organisations (``core.markers``: the SQL is built from those models' ``_meta``). The gating
context keeps its own marker (gating/live.py).

How a process learns that the marker may have moved:

- On PostgreSQL, outside a transaction (the hot read in production), with no database round trip in the steady
  state. Migration register/0002 makes every write to those tables ``NOTIFY qualify_register`` inside the writing
  transaction, so PostgreSQL sends the notification when that transaction commits. Each process holds one extra
  connection that LISTENs (``_Listener``); each hot read first takes in, without waiting, whatever notifications
  have reached that connection's socket (a non-blocking read, no query), and answers from the copy when none has
  arrived since the copy was last verified, less than ``VERIFY_SECONDS`` ago. The process that wrote a register
  event also marks its copy changed when its transaction commits (``changed_on_commit``), without waiting for its
  own notification.
- Otherwise — SQLite, inside a transaction (which may hold its own uncommitted writes), or when the listening
  connection is missing or broken (it is reconnected at most once a second) — every read checks the marker, as the
  copy always did.

What is promised: **an answer never misses a change committed more than ``VERIFY_SECONDS`` (5 ms) before the
request began**, and misses a more recent one only while PostgreSQL has not yet forwarded that change's notice to
this process (never one this process committed through ``register_event_record``). The bound is needed: PostgreSQL
signals the listening sessions while the writer commits, but each forwards the notice only when it next runs, and
under load about one notice in seven reached its listener after the writer's COMMIT had returned, up to ~12 ms
later. So each process also verifies the marker itself (one query, on the listening connection, so without a health
check) whenever its last verification is older than ``VERIFY_SECONDS``; that holds whatever happens to the
notices, a lost or silently dead listening connection included. register/tests/test_snapshot_pg.py reads changes
back through another server process.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.db import ProgrammingError, connection, transaction

from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.markers import KeptUntilChanged, highest, latest, marker_sql, row_count
from qualify.participants.models import MarketParticipation, Organisation
from qualify.register.models import RegisterEvent, RegisterSequence
from qualify.register.rules import EventFact, Status, status_on


@dataclass(frozen=True)
class EventRow:
    seq: int
    kind: str
    effective_date: dt.date
    source: str
    reference: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class Entry:
    organisation_id: int
    organisation: str
    mpid: str
    role: str
    events: tuple[EventRow, ...]
    # A disclosed change still being assessed or re-qualified (the status stands meanwhile); read with the row.
    change_disclosed_on: dt.date | None = None
    change_status: str = ""


@dataclass(frozen=True)
class Snapshot:
    marker: tuple[object, ...]
    entries: dict[tuple[str, str], Entry]
    # Answers already encoded from this copy, by (mpid, role, day): a copy never changes (a change builds a new one),
    # so neither does an answer read from it. Bounded; dropped with the copy.
    encoded: dict[tuple[str, str, dt.date], bytes] = field(default_factory=dict, compare=False, repr=False)


# What the copy is built from: the register sequence, and the participations and their organisations (how many, and
# the latest change). The latest-change times come back as text: the marker is only compared, and parsing timestamps
# with time zones on every request was a visible share of the request's cost.
_MARKER_PARTS = (
    highest(RegisterSequence, "last_seq"),
    row_count(MarketParticipation),
    latest(MarketParticipation),
    latest(Organisation),
)
_MARKER_SQL = marker_sql(_MARKER_PARTS)

_MARKER_STATEMENT = "qualify_register_marker"
# The marker's columns as Django's cursor returns them, for the listening connection's text results (``_Listener``).
_MARKER_TYPES: tuple[Callable[[str], object], ...] = tuple(part.parse for part in _MARKER_PARTS)
_MARKER_SQL_BYTES, _MARKER_STATEMENT_BYTES = _MARKER_SQL.encode(), _MARKER_STATEMENT.encode()

CHANNEL = "qualify_register"  # notified by the triggers of migration register/0002
APPLICATION_NAME = "qualify register listener"  # how the listening connections show in pg_stat_activity
VERIFY_SECONDS = 0.005  # the bound stated above: how old a verification may be before a read checks the marker
RECONNECT_SECONDS = 1.0  # how often a process tries to reopen a missing or broken listening connection

clock: Callable[[], float] = time.monotonic  # replaced in tests

logger = logging.getLogger(__name__)
_copy: KeptUntilChanged[tuple[object, ...], Snapshot] = KeptUntilChanged()
_prepared_on: weakref.WeakSet[Any] = weakref.WeakSet()  # the driver connections that hold the prepared statement
_prepare = True  # False once preparing failed in this process

# Every notification taken in, every local commit that changed the register and every (re)connection of the
# listener adds one: a verification counts only while this is still what it was when the verification began.
_changes = 0
_changes_lock = threading.Lock()


@dataclass(frozen=True)
class _Verification:
    snapshot: Snapshot  # current as of the verification (its data may be newer still, never older)
    changes: int  # _changes when the marker query was sent
    at: float  # clock() then


_verified: _Verification | None = None


def _changed() -> None:
    global _changes
    with _changes_lock:
        _changes += 1


def changed_on_commit() -> None:
    """Mark this process's copy changed once the current transaction commits (writers of register events call it)."""
    transaction.on_commit(_changed)


class _Listener:
    """This process's one connection that LISTENs on CHANNEL; all of it is used under one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._pid = 0
        self._retry_at = 0.0
        self._prepare = True
        self._prepared = False  # the marker is prepared on the current connection
        self._doomed: set[int] = set()  # the connections the server said it was closing (by id)
        self._inherited: list[psycopg.Connection[Any]] = []  # a parent's, kept open: closing would end its session

    def _open(self) -> psycopg.Connection[Any] | None:
        if clock() < self._retry_at:
            return None
        self._retry_at = clock() + RECONNECT_SECONDS
        params = connection.get_connection_params()
        for django_only in ("cursor_factory", "context", "prepare_threshold"):
            params.pop(django_only, None)
        conn: psycopg.Connection[Any] | None = None
        try:
            conn = psycopg.connect(
                **params,
                autocommit=True,
                application_name=APPLICATION_NAME,
                connect_timeout=2,
                keepalives=1,
                keepalives_idle=30,
            )
            conn.add_notify_handler(lambda _notify: _changed())
            # Outside a query, the server speaks only to say why it is closing the session (FATAL, administrator
            # command, shutdown): take any such message as the end of this connection.
            doomed, key = self._doomed, id(conn)
            conn.add_notice_handler(lambda _diagnostic: doomed.add(key))
            # The marker's times are text: compare them in the zone Django's connections use.
            conn.execute("SELECT set_config('TimeZone', %s, false)", [connection.timezone_name])
            conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            logger.warning("Cannot listen for register changes; every register read checks the marker for now.")
            if conn is not None:
                with suppress(psycopg.Error):
                    conn.close()
            return None
        self._conn, self._pid, self._prepared = conn, os.getpid(), False
        _changed()  # whatever changed before LISTEN took effect was not notified: no earlier verification counts
        return conn

    def _connection(self) -> psycopg.Connection[Any] | None:
        conn = self._conn
        if conn is not None and self._pid != os.getpid():  # forked after connecting: the socket is the parent's
            self._inherited.append(conn)
            conn = self._conn = None
        return conn if conn is not None else self._open()

    def _broken(self, conn: psycopg.Connection[Any]) -> None:
        logger.warning("The register listener connection broke; reconnecting.")
        self._doomed.discard(id(conn))
        self._conn = None
        self._retry_at = 0.0
        with suppress(psycopg.Error):
            conn.close()

    def close(self) -> None:
        with self._lock:
            conn, self._conn, self._retry_at = self._conn, None, 0.0
            if conn is not None and self._pid == os.getpid():
                with suppress(psycopg.Error):
                    conn.close()

    def poll(self) -> bool:
        """Take in the notifications already received, without waiting or querying; False when not listening."""
        with self._lock:
            conn = self._connection()
            if conn is None:
                return False
            try:
                conn.pgconn.consume_input()  # reads what the socket holds; never blocks
                while conn.pgconn.notifies() is not None:
                    _changed()
            except psycopg.Error:
                self._broken(conn)
                return False
            if id(conn) in self._doomed or conn.pgconn.status != psycopg.pq.ConnStatus.OK:
                self._broken(conn)
                return False
            return True

    def marker(self) -> tuple[object, ...] | None:
        """The change marker read on the listening connection (no health check needed), or None if not listening."""
        with self._lock:
            conn = self._connection()
            if conn is None:
                return None
            try:
                return self._read_marker(conn)
            except psycopg.Error:
                if conn.broken or conn.pgconn.status != psycopg.pq.ConnStatus.OK or not self._prepare:
                    self._broken(conn)
                    return None
                self._prepare = False  # behind a transaction-pooling proxy, say: send it plain from now on
                logger.warning("Cannot prepare the register change marker on the listening connection.")
                return None

    def _read_marker(self, conn: psycopg.Connection[Any]) -> tuple[object, ...]:
        """The marker through libpq itself (it waits without holding the GIL).

        psycopg's cursor machinery took more of this process's CPU than the query itself (about 45 us against 18 us
        a verification), and a busy process verifies a couple of hundred times a second.
        """
        pgconn = conn.pgconn
        if self._prepare and not self._prepared:
            prepared = pgconn.prepare(_MARKER_STATEMENT_BYTES, _MARKER_SQL_BYTES)
            if prepared.status != psycopg.pq.ExecStatus.COMMAND_OK:
                raise psycopg.ProgrammingError(pgconn.get_error_message())
            self._prepared = True
        if self._prepare:
            result = pgconn.exec_prepared(_MARKER_STATEMENT_BYTES, None)
        else:
            result = pgconn.exec_(_MARKER_SQL_BYTES)
        while pgconn.notifies() is not None:  # those that arrived meanwhile: count them now, not at the next poll
            _changed()
        if result.status != psycopg.pq.ExecStatus.TUPLES_OK or result.ntuples != 1:
            raise psycopg.OperationalError(pgconn.get_error_message())
        return tuple(
            None if (value := result.get_value(0, column)) is None else kind(value.decode())
            for column, kind in enumerate(_MARKER_TYPES)
        )


_listener = _Listener()


def stop_listening() -> None:
    """Close this process's listening connection (a later read reopens it): before its database is dropped, say."""
    _listener.close()


def _execute_prepared(cursor: Any) -> bool:
    """Run the marker as a prepared statement when that is possible here; False if the caller must send it plain.

    Only outside a transaction: there a failure can be recovered from by sending the plain query instead.
    """
    global _prepare
    if not _prepare or connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    raw = connection.connection
    try:
        if raw not in _prepared_on:
            cursor.execute(f"PREPARE {_MARKER_STATEMENT} AS {_MARKER_SQL}")
            _prepared_on.add(raw)
        cursor.execute(f"EXECUTE {_MARKER_STATEMENT}")
    except ProgrammingError:  # the statement is unknown or already there: the session is not ours alone
        _prepare = False
        logger.warning("Cannot use a prepared statement for the register change marker; sending it plain.")
        return False
    return True


def change_marker() -> tuple[object, ...]:
    """A value that changes whenever the register, the participations or their organisations change."""
    with connection.cursor() as cursor:
        if not _execute_prepared(cursor):
            cursor.execute(_MARKER_SQL)
        row = cursor.fetchone()
    return tuple(row) if row else ()


def _build(marker: tuple[object, ...]) -> Snapshot:
    events: dict[int, list[EventRow]] = {}
    for e in RegisterEvent.objects.order_by("effective_date", "seq").values_list(
        "participation_id", "seq", "kind", "effective_date", "source", "reference", "recorded_at"
    ):
        events.setdefault(e[0], []).append(EventRow(*e[1:]))
    entries = {
        (p.mpid, p.role): Entry(
            organisation_id=p.organisation_id,
            organisation=p.organisation.name,
            mpid=p.mpid,
            role=p.role,
            events=tuple(events.get(p.pk, ())),
            change_disclosed_on=p.change_disclosed_on,
            change_status=p.change_status,
        )
        for p in MarketParticipation.objects.select_related("organisation")
    }
    return Snapshot(marker=marker, entries=entries)


def _current_for(marker: tuple[object, ...]) -> Snapshot:
    return _copy.get(marker, lambda: _build(marker))


def forget() -> None:
    """Drop this process's copy (tests roll their data back, which a running server never does)."""
    _copy.forget()


def snapshot() -> Snapshot:
    """The copy of the register, as fresh as the module's docstring promises."""
    global _verified
    if connection.vendor != "postgresql" or connection.in_atomic_block or not _listener.poll():
        return _current_for(change_marker())
    verified, changes, now = _verified, _changes, clock()
    if (
        verified is not None
        and verified.changes == changes
        and now - verified.at < VERIFY_SECONDS
        and verified.snapshot is _copy.current()  # nothing rebuilt (or dropped) the copy since
    ):
        return verified.snapshot  # the steady state: nothing notified since a recent verification
    marker = _listener.marker()
    if marker is None:
        return _current_for(change_marker())
    fresh = _current_for(marker)
    _verified = _Verification(snapshot=fresh, changes=changes, at=now)  # both read before the marker was
    return fresh


@dataclass(frozen=True)
class Answer:
    entry: Entry
    status: Status
    history: tuple[EventRow, ...]


ENCODED_MAX_ENTRIES = 20_000  # answers kept per copy of the register before it starts afresh (bounds memory)


def encoded_answer(
    *, actor: Actor, mpid: str, role: str, on: dt.date, encode: Callable[[Answer, dt.date], bytes]
) -> bytes:
    """The answer ``register_answer`` gives, encoded by ``encode`` once per copy of the register and day.

    The scope check runs on every call, before anything kept is used: a kept answer is only ever the bytes of one
    participation on one day, whoever asked first.
    """
    current = snapshot()
    entry = _visible_entry(current, actor=actor, mpid=mpid, role=role)
    key = (entry.mpid, entry.role, on)
    kept = current.encoded.get(key)
    if kept is None:
        kept = encode(_answer_on(entry, on), on)
        if len(current.encoded) >= ENCODED_MAX_ENTRIES:
            current.encoded.clear()
        current.encoded[key] = kept
    return kept


def _visible_entry(current: Snapshot, *, actor: Actor, mpid: str, role: str) -> Entry:
    entry = current.entries.get((mpid.upper(), role.upper())) if actor.is_authenticated else None
    if entry is None or not (actor.reads_whole_register or entry.organisation_id in actor.organisation_ids):
        raise NotFound(f"No {role.upper()} participation with MPID {mpid.upper()}.")
    return entry


def _answer_on(entry: Entry, on: dt.date) -> Answer:
    history = tuple(e for e in entry.events if e.effective_date <= on)
    return Answer(
        entry=entry, status=status_on((EventFact(e.kind, e.effective_date) for e in history), on), history=history
    )


def register_answer(*, actor: Actor, mpid: str, role: str, on: dt.date) -> Answer:
    """Status on ``on`` with the events in effect by then; NotFound if unknown or outside the actor's scope."""
    return _answer_on(_visible_entry(snapshot(), actor=actor, mpid=mpid, role=role), on)
