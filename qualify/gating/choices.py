"""The vocabulary of an events file (issue 5, "Events file"), free of Django so the engine can use it.

Role codes repeat ``qualify.participants.choices.MarketRole``; a test keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    MIGRATE = "MIGRATE"
    APPOINT = "APPOINT"
    REGISTER = "REGISTER"


class Segment(StrEnum):
    """A metering point's segment: it picks the migration window and the data-service role (DOMAIN.md §8)."""

    SMART = "SMART"
    ADVANCED = "ADVANCED"
    UMS = "UMS"


class Settlement(StrEnum):
    """The metering point's arrangement before the event."""

    MHHS = "MHHS"
    LEGACY = "LEGACY"


class Role(StrEnum):
    SUPPLIER = "SUPPLIER"
    LDSO = "LDSO"
    MEM = "MEM"
    SDS = "SDS"
    ADS = "ADS"
    UMSDS = "UMSDS"


# A data service named on an event must hold the data-service role of the point's segment.
DATA_SERVICE_ROLE: dict[Segment, Role] = {
    Segment.SMART: Role.SDS,
    Segment.ADVANCED: Role.ADS,
    Segment.UMS: Role.UMSDS,
}

EVENT_COLUMNS: tuple[str, ...] = (
    "ref",
    "kind",
    "mpan",
    "date",
    "segment",
    "supplier",
    "mem",
    "data_service",
    "settlement",
)
RESULT_COLUMNS: tuple[str, ...] = ("ref", "outcome", "reasons")
