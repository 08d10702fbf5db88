"""An in-process copy of the register for the hot read path (``GET /api/v1/register/{mpid}/{role}``).

The register is small (hundreds of participations, a few events each) and changes rarely, while market systems ask
about it constantly. Each process keeps the whole register in memory and, on every request, checks one cheap
marker query — the register sequence (every event is numbered in commit order and never edited) and the latest
change to participations and organisations. When the marker moves, the copy is rebuilt in two queries. An answer is
therefore never older than the data committed when the request began.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import weakref
from dataclasses import dataclass
from typing import Any

from django.db import ProgrammingError, connection

from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.participants.models import MarketParticipation
from qualify.register.models import RegisterEvent
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


@dataclass(frozen=True)
class Snapshot:
    marker: tuple[object, ...]
    entries: dict[tuple[str, str], Entry]


# The latest-change times come back as text: the marker is only compared, and parsing three timestamps with time
# zones on every request was a visible share of the request's cost.
_MARKER_SQL = """
SELECT
  (SELECT COALESCE(MAX(last_seq), 0) FROM register_registersequence),
  (SELECT COUNT(*) FROM participants_marketparticipation),
  (SELECT CAST(MAX(updated_at) AS TEXT) FROM participants_marketparticipation),
  (SELECT CAST(MAX(updated_at) AS TEXT) FROM participants_organisation),
  (SELECT COUNT(*) FROM participants_distributorid),
  (SELECT COUNT(*) FROM plan_milestone),
  (SELECT CAST(MAX(updated_at) AS TEXT) FROM plan_milestone)
"""

_MARKER_STATEMENT = "qualify_register_marker"

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_current: Snapshot | None = None
_prepared_on: weakref.WeakSet[Any] = weakref.WeakSet()  # the driver connections that hold the prepared statement
_prepare = True  # False once preparing failed in this process


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
    """A value that changes whenever the register, the participations, the LDSO map or the milestones change."""
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
        )
        for p in MarketParticipation.objects.select_related("organisation")
    }
    return Snapshot(marker=marker, entries=entries)


def snapshot() -> Snapshot:
    global _current
    marker = change_marker()
    current = _current
    if current is not None and current.marker == marker:
        return current
    with _lock:
        if _current is None or _current.marker != marker:
            _current = _build(marker)
        return _current


@dataclass(frozen=True)
class Answer:
    entry: Entry
    status: Status
    history: tuple[EventRow, ...]


def register_answer(*, actor: Actor, mpid: str, role: str, on: dt.date) -> Answer:
    """Status on ``on`` with the events in effect by then; NotFound if unknown or outside the actor's scope."""
    entry = snapshot().entries.get((mpid.upper(), role.upper())) if actor.is_authenticated else None
    if entry is None or not (actor.sees_everything or entry.organisation_id in actor.organisation_ids):
        raise NotFound(f"No {role.upper()} participation with MPID {mpid.upper()}.")
    history = tuple(e for e in entry.events if e.effective_date <= on)
    status = status_on((EventFact(e.kind, e.effective_date) for e in history), on)
    return Answer(entry=entry, status=status, history=history)
