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
  through the participants services; events are recorded through ``register_event_record`` (source IMPORT, with
  the file name as reference), which is idempotent: re-importing the same file changes nothing.
- ``reason`` (an optional column): why the row's event is recorded late. A row whose event takes effect more than
  ``QUALIFY_REGISTER_BACKDATE_DAYS`` (default 5) days before today is back-dated (issue 11) and needs a reason: its
  own, or the reason given for the whole file (``--reason`` / the form field ``reason``), which serves every row
  that has none. A back-dated row without either is refused, naming the row. A row whose event is already recorded
  needs none (re-importing changes nothing). A reason on a row that is not back-dated is kept as the event's note.

All or nothing: every row is checked before anything is written, and the whole import is one transaction. Errors
name the row (the first data row is row 1; its line in the file is row + 1) and the column.

``register_import`` is the one service behind ``manage.py import_register`` and ``POST /api/v1/register/import``
(the endpoint lives in the gating app, which may import the register; the register may not import gating). The
strict CSV reading is shared with ``import_milestones`` (the plan app is a lower layer).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction

from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.csvimport import Problem, import_failed, parse_date, read_csv_rows
from qualify.core.errors import DomainError
from qualify.participants.choices import MarketRole
from qualify.participants.models import MarketParticipation, Organisation
from qualify.participants.permissions import can_manage_participants
from qualify.participants.services import organisation_create, participation_create
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.register.models import RegisterEvent
from qualify.register.rules import days_recorded_late, is_backdated
from qualify.register.services import backdate_days, clean_reason, register_event_record

COLUMNS = ("organisation", "mpid", "role", "event", "date", "distributor_ids")
OPTIONAL_COLUMNS = ("reason",)
MPID = re.compile(r"[A-Z0-9]{4}")
DISTRIBUTOR_ID = re.compile(r"[0-9]{2}")


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
        if role not in MarketRole.values:
            problem("role", f"{raw['role']!r} is not one of {', '.join(MarketRole.values)}")
        if event and event not in RegisterEventKind.values:
            problem("event", f"{raw['event']!r} is not one of {', '.join(RegisterEventKind.values)}")
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
        if codes and role != MarketRole.LDSO and role in MarketRole.values:
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
    job's) is told (rows recorded, rows) as the events are recorded.

    Raises ``ValidationFailed`` with ``details["problems"]`` (row, column, message) and writes nothing when any row
    is wrong. Only a programme administrator may import (they alone register participations).
    """
    can_manage_participants(actor).enforce()
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

    created = unchanged = 0
    for done, row in enumerate(rows, 1):
        if progress is not None:
            progress(done, len(rows))
        if not row.event or row.date is None:
            continue
        _, was_created = register_event_record(
            actor=actor,
            participation=participations[(row.mpid, row.role)],
            kind=row.event,
            effective_date=row.date,
            source=RegisterEventSource.IMPORT,
            reference=source_name,
            note=row.reason,
            reason=row.reason or file_reason,
        )
        created += was_created
        unchanged += not was_created
    return RegisterImportResult(
        rows=len(rows),
        organisations_created=organisations_created,
        participations_created=participations_created,
        events_created=created,
        events_already_recorded=unchanged,
    )
