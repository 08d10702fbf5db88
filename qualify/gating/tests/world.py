"""A small market used by the gating tests: a calendar, a register with known boundaries, and event builders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict

import polars as pl

from qualify.gating.context import MilestoneFact, build_context, calendar_from_milestones
from qualify.gating.engine import MPAN_WEIGHTS, GatingContext, MigrationCalendar, decide
from qualify.gating.reference import Decision, GateEvent, decide_event
from qualify.register.rules import EventFact

D = dt.date

M11 = D(2025, 10, 6)  # MIGRATION_START for ADVANCED and UMS
M12 = D(2025, 10, 20)  # MIGRATION_START for SMART
M14 = D(2026, 10, 28)  # ALL_SUPPLIERS_QUALIFIED
M15 = D(2027, 5, 31)  # MIGRATION_END

MILESTONES = [
    MilestoneFact("M11", M11, "MIGRATION_START", ("ADVANCED", "UMS")),
    MilestoneFact("M12", M12, "MIGRATION_START", ("SMART",)),
    MilestoneFact("M14", M14, "ALL_SUPPLIERS_QUALIFIED"),
    MilestoneFact("M15", M15, "MIGRATION_END"),
    MilestoneFact("M16", D(2027, 7, 1), ""),
]
CALENDAR = calendar_from_milestones(MILESTONES)


def operational_from(day: dt.date) -> list[EventFact]:
    return [EventFact("QUALIFIED", day), EventFact("SERVICE_ACTIVATED", day)]


HISTORIES: dict[tuple[str, str], list[EventFact]] = {
    # Suppliers
    ("SUPA", "SUPPLIER"): operational_from(D(2024, 1, 1)),  # operational throughout
    ("SUPX", "SUPPLIER"): [],  # known, never qualified
    ("SUPQ", "SUPPLIER"): [EventFact("QUALIFIED", D(2025, 11, 1)), EventFact("SERVICE_ACTIVATED", D(2025, 11, 10))],
    ("SUPS", "SUPPLIER"): [
        *operational_from(D(2025, 1, 1)),
        EventFact("SUSPENDED", D(2026, 1, 10)),
        EventFact("REINSTATED", D(2026, 2, 10)),
    ],
    ("SUPR", "SUPPLIER"): [*operational_from(D(2025, 1, 1)), EventFact("REVOKED", D(2026, 6, 1))],
    # Re-qualified after a revocation: needs a new activation.
    ("SUPN", "SUPPLIER"): [
        *operational_from(D(2025, 1, 1)),
        EventFact("REVOKED", D(2025, 6, 1)),
        EventFact("QUALIFIED", D(2025, 12, 1)),
        EventFact("SERVICE_ACTIVATED", D(2025, 12, 10)),
    ],
    # A revocation on the day of qualification outranks it.
    ("SUPD", "SUPPLIER"): [*operational_from(D(2025, 1, 1)), EventFact("REVOKED", D(2025, 1, 1))],
    # LDSOs: LDSA holds distributor 10 and is operational; LDSB holds 11 and is not; nobody holds 12.
    ("LDSA", "LDSO"): operational_from(D(2024, 6, 1)),
    ("LDSB", "LDSO"): [EventFact("QUALIFIED", D(2024, 6, 1))],
    # MEMs
    ("MEMA", "MEM"): operational_from(D(2025, 1, 1)),
    ("MEMX", "MEM"): [],
    # Data services: DSA1 is an operational SDS only; DSB1 an operational ADS; DSU1 a UMSDS not yet operational.
    ("DSA1", "SDS"): operational_from(D(2025, 1, 1)),
    ("DSB1", "ADS"): operational_from(D(2025, 1, 1)),
    ("DSU1", "UMSDS"): [EventFact("QUALIFIED", D(2025, 1, 1))],
    # SUPA also holds the MEM role (a role is per MPID and role), qualified only later.
    ("SUPA", "MEM"): operational_from(D(2026, 1, 1)),
}
LDSO_BY_DISTRIBUTOR = {"10": "LDSA", "11": "LDSB"}


def with_check_digit(first12: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first12, MPAN_WEIGHTS, strict=True))
    return first12 + str(total % 11 % 10)


MPAN_LDSA = with_check_digit("100000000001")
MPAN_LDSB = with_check_digit("110000000002")
MPAN_NO_LDSO = with_check_digit("120000000003")


def with_wrong_check_digit(mpan: str) -> str:
    return mpan[:12] + str((int(mpan[12]) + 1) % 10)


def event(
    kind: str,
    date: dt.date,
    *,
    mpan: str | None = MPAN_LDSA,
    segment: str = "SMART",
    supplier: str | None = None,
    mem: str | None = None,
    data_service: str | None = None,
    settlement: str = "LEGACY",
    ref: str = "E1",
) -> GateEvent:
    return GateEvent(
        ref=ref,
        kind=kind,
        mpan=mpan,
        date=date,
        segment=segment,
        supplier=supplier,
        mem=mem,
        data_service=data_service,
        settlement=settlement,
    )


EVENT_SCHEMA = {
    "ref": pl.String,
    "kind": pl.String,
    "mpan": pl.String,
    "date": pl.Date,
    "segment": pl.String,
    "supplier": pl.String,
    "mem": pl.String,
    "data_service": pl.String,
    "settlement": pl.String,
}


def events_frame(events: Iterable[GateEvent]) -> pl.DataFrame:
    return pl.DataFrame([asdict(e) for e in events], schema=EVENT_SCHEMA)


def context(
    histories: dict[tuple[str, str], list[EventFact]] | None = None,
    ldso_by_distributor: dict[str, str] | None = None,
    milestones: Sequence[MilestoneFact] | None = None,
) -> GatingContext:
    return build_context(
        histories=HISTORIES if histories is None else histories,
        ldso_by_distributor=LDSO_BY_DISTRIBUTOR if ldso_by_distributor is None else ldso_by_distributor,
        milestones=MILESTONES if milestones is None else milestones,
    )


Full = tuple[str, str, str, str | None, tuple[str, ...]]  # ref, outcome, reasons, gsp_group, details


def decide_in_full_with_engine(events: Sequence[GateEvent], ctx: GatingContext) -> list[Full]:
    result = decide(events_frame(events), ctx, details=True).collect()
    return [(str(r), str(o), str(s), g, tuple(d)) for r, o, s, g, d in result.iter_rows()]


def decide_in_full_with_reference(
    events: Sequence[GateEvent],
    *,
    histories: dict[tuple[str, str], list[EventFact]],
    ldso_by_distributor: dict[str, str],
    calendar: MigrationCalendar,
) -> list[Full]:
    decisions: list[Decision] = [
        decide_event(e, histories=histories, ldso_by_distributor=ldso_by_distributor, calendar=calendar) for e in events
    ]
    return [(d.ref, str(d.outcome), d.reasons_text, d.gsp_group, d.details) for d in decisions]


def decide_with_engine(events: Sequence[GateEvent], ctx: GatingContext) -> list[tuple[str, str, str]]:
    """``ref, outcome, reasons``: the decision itself."""
    result = decide(events_frame(events), ctx).collect()
    return [(str(r), str(o), str(s)) for r, o, s, _ in result.iter_rows()]


def decide_with_reference(
    events: Sequence[GateEvent],
    *,
    histories: dict[tuple[str, str], list[EventFact]],
    ldso_by_distributor: dict[str, str],
    calendar: MigrationCalendar,
) -> list[tuple[str, str, str]]:
    full = decide_in_full_with_reference(
        events, histories=histories, ldso_by_distributor=ldso_by_distributor, calendar=calendar
    )
    return [(ref, outcome, reasons) for ref, outcome, reasons, _, _ in full]
