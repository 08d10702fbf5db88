"""Loading the register's status history from today's spreadsheets (issue 5, "Register import").

CSV with exactly the columns ``organisation,mpid,role,event,date,distributor_ids`` (any order), and optionally
``reason``:

- ``role`` one of SUPPLIER, LDSO, MEM, SDS, ADS, UMSDS; ``event`` one of QUALIFIED, SERVICE_ACTIVATED, SUSPENDED,
  REINSTATED, REVOKED; ``date`` an ISO date (YYYY-MM-DD) between 2000-01-01 and 2100-12-31, the day the event
  takes effect. A row with both ``event`` and ``date`` empty registers the participation only (e.g. an LDSO and its
  distributor ids, before any decision).
- ``distributor_ids``: LDSO rows only, ``;``-separated two-digit ids (e.g. ``10;24``). An LDSO's ids are the union
  over its rows; an LDSO that already exists must already hold them (the import does not move ids).
- Organisations (matched by name, case-insensitively) and participations (by MPID and role) are created as needed
  through the participants services; events are recorded as ``register_event_record`` records them (source IMPORT,
  with the file name as reference), in bulk, and idempotently: re-importing the same file changes nothing.
- ``reason`` (an optional column): why the row's event is recorded late. A row whose event takes effect more than
  ``QUALIFY_REGISTER_BACKDATE_DAYS`` (default 5) days before today is back-dated (issue 11) and needs a reason: its
  own, or the reason given for the whole file (``--reason`` / the form field ``reason``), which serves every row
  that has none. A back-dated row without either is refused, naming the row. A row whose event is already recorded
  needs none (re-importing changes nothing). A reason on a row that is not back-dated is kept as the event's note.

All or nothing: every row is checked before anything is written, and the whole import is one transaction. Errors
name the row (the first data row is row 1; its line in the file is row + 1) and the column; a refused file's error
lists the first problems and how many there are in all (``core/csvimport.py``), and a file may hold at most
``QUALIFY_IMPORT_MAX_ROWS`` rows. The import is audited as one event, appended when it ends (``register_import``).

``register_import`` is the one service behind ``manage.py import_register`` and ``POST /api/v1/register/import``
(the endpoint lives in the gating app, which may import the register; the register may not import gating). The
strict CSV reading is shared with ``import_milestones`` (the plan app is a lower layer).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from qualify.audit.services import audit_batch, audit_record
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.csvimport import Problem, import_failed, parse_date, read_csv_rows
from qualify.core.errors import DomainError
from qualify.core.text import one_line
from qualify.participants.choices import MarketRole
from qualify.participants.models import MarketParticipation, Organisation
from qualify.participants.permissions import can_manage_participants
from qualify.participants.services import organisation_create, participation_create
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.register.models import RegisterEvent, RegisterSequence
from qualify.register.rules import days_recorded_late, is_backdated
from qualify.register.services import backdate_days, clean_reason
from qualify.register.snapshot import changed_on_commit
from qualify.webhooks.choices import REGISTER_KINDS
from qualify.webhooks.services import Emitted, emit_many

COLUMNS = ("organisation", "mpid", "role", "event", "date", "distributor_ids")
OPTIONAL_COLUMNS = ("reason",)
MPID = re.compile(r"[A-Z0-9]{4}")
DISTRIBUTOR_ID = re.compile(r"[0-9]{2}")
# Looked up once: ``Choices.values`` builds a new list each time it is read, which a large file reads per row.
ROLES = tuple(MarketRole.values)
KINDS = tuple(RegisterEventKind.values)


@dataclass(frozen=True)
class RegisterRow:
    row: int
    organisation: str
    mpid: str
    role: str
    event: str
    date: dt.date | None
    distributor_ids: tuple[str, ...]
    reason: str = ""


@dataclass(frozen=True)
class RegisterImportResult:
    rows: int
    organisations_created: int
    participations_created: int
    events_created: int
    events_already_recorded: int


def parse_register_csv(text: str) -> tuple[list[RegisterRow], list[Problem]]:
    raw_rows, problems = read_csv_rows(text, COLUMNS, OPTIONAL_COLUMNS)
    rows: list[RegisterRow] = []
    for number, raw in raw_rows:
        found: list[Problem] = []

        def problem(column: str, message: str, number: int = number, found: list[Problem] = found) -> None:
            found.append(Problem(number, column, message))

        organisation, mpid, role = raw["organisation"], raw["mpid"].upper(), raw["role"].upper()
        event, date_text = raw["event"].upper(), raw["date"]
        if not organisation:
            problem("organisation", "empty; every row names its organisation")
        if not MPID.fullmatch(mpid):
            problem("mpid", f"{raw['mpid']!r} is not an MPID (four capital letters or digits)")
        if role not in ROLES:
            problem("role", f"{raw['role']!r} is not one of {', '.join(ROLES)}")
        if event and event not in KINDS:
            problem("event", f"{raw['event']!r} is not one of {', '.join(KINDS)}")
        date: dt.date | None = None
        if date_text:
            parsed = parse_date(date_text)
            if isinstance(parsed, str):
                problem("date", parsed)
            else:
                date = parsed
        if bool(event) != bool(date_text):
            problem("date" if event else "event", "an event needs a date, and a date an event")
        codes = tuple(sorted({c.strip() for c in raw["distributor_ids"].split(";") if c.strip()}))
        bad_codes = [c for c in codes if not DISTRIBUTOR_ID.fullmatch(c)]
        if bad_codes:
            problem("distributor_ids", f"{', '.join(bad_codes)}: a distributor id is two digits, e.g. 10")
        if codes and role != MarketRole.LDSO and role in ROLES:
            problem("distributor_ids", "only an LDSO holds distributor ids")
        if found:
            problems += found
        else:
            rows.append(RegisterRow(number, organisation, mpid, role, event, date, codes, clean_reason(raw["reason"])))
    problems += _cross_row_problems(rows)
    return rows, problems


def _cross_row_problems(rows: Sequence[RegisterRow]) -> list[Problem]:
    problems: list[Problem] = []
    owner: dict[tuple[str, str], RegisterRow] = {}
    holder: dict[str, RegisterRow] = {}
    for row in rows:
        first = owner.setdefault((row.mpid, row.role), row)
        if first.organisation.casefold() != row.organisation.casefold():
            problems.append(
                Problem(row.row, "organisation", f"{row.mpid} {row.role} is {first.organisation!r} on row {first.row}")
            )
        for code in row.distributor_ids:
            other = holder.setdefault(code, row)
            if other.mpid != row.mpid:
                problems.append(
                    Problem(row.row, "distributor_ids", f"{code} is given to {other.mpid} on row {other.row}")
                )
    return problems


def _backdated_without_reason(
    rows: Sequence[RegisterRow], participations: dict[tuple[str, str], MarketParticipation], file_reason: str
) -> list[Problem]:
    """A problem for each row that would record a back-dated event with no reason (row's own or the file's)."""
    if file_reason:
        return []
    allowed, today = backdate_days(), clock.today()
    late = [
        (row, row.date)
        for row in rows
        if row.event and row.date is not None and not row.reason and is_backdated(row.date, today, allowed)
    ]
    if not late:
        return []
    recorded = set(
        RegisterEvent.objects.filter(
            participation__in={
                participations[(r.mpid, r.role)].pk for r, _ in late if (r.mpid, r.role) in participations
            }
        ).values_list("participation_id", "kind", "effective_date")
    )
    return [
        Problem(
            row.row,
            "reason",
            f"{row.event} on {date} takes effect {days_recorded_late(date, today)} days before today (more "
            f"than {allowed}): give the reason it is recorded late in the reason column, or a reason for the file",
        )
        for row, date in late
        if (row.mpid, row.role) not in participations
        or (participations[(row.mpid, row.role)].pk, row.event, date) not in recorded
    ]


@transaction.atomic
def register_import(
    *,
    actor: Actor,
    text: str,
    source_name: str,
    reason: str = "",
    progress: Callable[[int, int | None], None] | None = None,
) -> RegisterImportResult:
    """Load register rows (format in the module docstring), all or nothing; re-importing changes nothing.

    ``reason`` is the file's reason for back-dated rows that give none of their own. ``progress`` (a background
    job's) is told (rows recorded, rows) before and after the events are written (in one bulk insert).

    Raises ``ValidationFailed`` with ``details["problems"]`` (row, column, message; the first few and the count)
    and writes nothing when any row is wrong. Only a programme administrator may import (they alone register
    participations).

    The import is audited as one event (``register.import``: the file's name and SHA-256 and what it created),
    chained with the organisations and participations it creates when the import ends (``audit_batch``): the audit
    chain's head is locked only for the moment before the commit, so a long import holds up no other audited write.
    """
    can_manage_participants(actor).enforce()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with audit_batch():
        result, first_seq, last_seq = _import_rows(
            actor=actor, text=text, source_name=source_name, reason=reason, progress=progress
        )
        if result.organisations_created or result.participations_created or result.events_created:
            audit_record(
                actor=actor,
                action="register.import",
                organisation_id=None,
                object_type="register.import",
                object_id=digest,
                object_repr=one_line(source_name, limit=200),
                changes={
                    "source_name": one_line(source_name, limit=200),
                    "sha256": digest,
                    "rows": result.rows,
                    "organisations_created": result.organisations_created,
                    "participations_created": result.participations_created,
                    "events_created": result.events_created,
                    "events_already_recorded": result.events_already_recorded,
                    "event_seqs": [first_seq, last_seq] if first_seq is not None else [],
                },
            )
    return result


def _import_rows(
    *,
    actor: Actor,
    text: str,
    source_name: str,
    reason: str,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[RegisterImportResult, int | None, int | None]:
    """The import's work, and the first and last register sequence numbers it recorded (if any)."""
    rows, problems = parse_register_csv(text)
    if problems:
        raise import_failed(source_name, problems)

    organisations: dict[str, Organisation] = {}
    organisations_created = 0
    for row in rows:
        name = row.organisation.casefold()
        if name not in organisations:
            existing = Organisation.objects.filter(name__iexact=row.organisation).first()
            if existing is None:
                existing = organisation_create(actor=actor, name=row.organisation)
                organisations_created += 1
            organisations[name] = existing

    participations: dict[tuple[str, str], MarketParticipation] = {}
    participations_created = 0
    codes_of: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        codes_of.setdefault((row.mpid, row.role), set()).update(row.distributor_ids)
    for row in rows:
        key = (row.mpid, row.role)
        if key in participations:
            continue
        organisation = organisations[row.organisation.casefold()]
        participation = (
            MarketParticipation.objects.select_related("organisation").filter(mpid=row.mpid, role=row.role).first()
        )
        if participation is None:
            try:
                participation = participation_create(
                    actor=actor,
                    organisation=organisation,
                    mpid=row.mpid,
                    role=row.role,
                    distributor_ids=sorted(codes_of[key]),
                )
            except DomainError as error:
                problems.append(Problem(row.row, "distributor_ids" if codes_of[key] else "mpid", error.message))
                continue
            participations_created += 1
        else:
            if participation.organisation_id != organisation.pk:
                problems.append(
                    Problem(
                        row.row,
                        "organisation",
                        f"{row.mpid} {row.role} is registered to {participation.organisation.name!r}",
                    )
                )
            held = set(participation.distributor_ids.values_list("code", flat=True))
            missing = sorted(codes_of[key] - held)
            if missing:
                problems.append(
                    Problem(
                        row.row,
                        "distributor_ids",
                        f"{row.mpid} does not hold {', '.join(missing)}; the import does not move distributor ids",
                    )
                )
        participations[key] = participation
    file_reason = clean_reason(reason)
    problems += _backdated_without_reason(rows, participations, file_reason)
    if problems:
        raise import_failed(source_name, problems)

    if progress is not None:
        progress(0, len(rows))
    created, unchanged, first_seq, last_seq = _record_events(
        actor=actor, rows=rows, participations=participations, source_name=source_name, file_reason=file_reason
    )
    if progress is not None:
        progress(len(rows), len(rows))
    result = RegisterImportResult(
        rows=len(rows),
        organisations_created=organisations_created,
        participations_created=participations_created,
        events_created=created,
        events_already_recorded=unchanged,
    )
    return result, first_seq, last_seq


def _record_events(
    *,
    actor: Actor,
    rows: Sequence[RegisterRow],
    participations: dict[tuple[str, str], MarketParticipation],
    source_name: str,
    file_reason: str,
) -> tuple[int, int, int | None, int | None]:
    """Record the rows' events as ``register_event_record`` would, in bulk: (created, already recorded, first and
    last ``seq`` written).

    A row whose event is already recorded (or repeats an earlier row) changes nothing. New events take consecutive
    ``seq``s under the sequence lock, all stamped with one ``recorded_at``; back-dated ones carry their reason (every
    such row has one by now: ``_backdated_without_reason`` refused the file otherwise). The import audits them in one
    event of its own (``register_import``), not one each.
    """
    recorded = set(
        RegisterEvent.objects.filter(participation__in=[p.pk for p in participations.values()]).values_list(
            "participation_id", "kind", "effective_date"
        )
    )
    sequence, _ = RegisterSequence.objects.select_for_update().get_or_create(id=1)
    first_seq = sequence.last_seq + 1
    recorded_at = clock.now()
    today, allowed = timezone.localdate(recorded_at), backdate_days()
    reference, recorded_by = source_name[:100], actor.display_name
    new: list[RegisterEvent] = []
    unchanged = 0
    for row in rows:
        if not row.event or row.date is None:
            continue
        participation = participations[(row.mpid, row.role)]
        key = (participation.pk, row.event, row.date)
        if key in recorded:
            unchanged += 1
            continue
        recorded.add(key)
        backdated = is_backdated(row.date, today, allowed)
        sequence.last_seq += 1
        new.append(
            RegisterEvent(
                seq=sequence.last_seq,
                participation=participation,
                kind=row.event,
                effective_date=row.date,
                source=RegisterEventSource.IMPORT,
                reference=reference,
                note=row.reason,
                recorded_at=recorded_at,
                recorded_by_name=recorded_by,
                backdated=backdated,
                reason=clean_reason(row.reason or file_reason) if backdated else "",
            )
        )
    if not new:
        return 0, unchanged, None, None
    RegisterEvent.objects.bulk_create(new, batch_size=5000)
    sequence.save(update_fields=["last_seq"])
    changed_on_commit()  # this process's copy of the register is renewed as soon as the import commits
    emit_many(
        (
            Emitted(
                REGISTER_KINDS[e.kind],
                f"{e.participation.mpid}/{e.participation.role}",
                e.participation.organisation_id,
                {
                    "seq": e.seq,
                    "mpid": e.participation.mpid,
                    "role": e.participation.role,
                    "effective_date": e.effective_date,
                    "recorded_at": e.recorded_at,
                },
            )
            for e in new
        ),
        kinds=REGISTER_KINDS.values(),
    )
    return len(new), unchanged, first_seq, sequence.last_seq
